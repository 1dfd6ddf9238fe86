"""Password-reset mail: sealed pending links, the message, SMTP, the worker's sender."""

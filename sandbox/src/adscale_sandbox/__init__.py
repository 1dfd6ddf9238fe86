"""adscale_sandbox."""

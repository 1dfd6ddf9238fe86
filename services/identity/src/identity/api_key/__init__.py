"""API keys: programmatic credentials, stored as a keyed hash."""

"""adscale_contracts."""

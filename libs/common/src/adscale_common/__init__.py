"""adscale_common."""

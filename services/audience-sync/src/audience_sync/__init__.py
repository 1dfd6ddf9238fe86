"""audience_sync."""

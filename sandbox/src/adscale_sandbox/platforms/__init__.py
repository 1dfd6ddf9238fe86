"""One module per imitated platform."""

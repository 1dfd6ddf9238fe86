"""Users: registration, provisioning, profile and the plan projection."""

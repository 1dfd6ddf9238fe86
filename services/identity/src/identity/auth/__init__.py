"""Sessions: login, refresh-token rotation, password reset."""

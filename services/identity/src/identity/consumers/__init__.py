"""Event consumers: one module per topic; each translates a message into a service call."""

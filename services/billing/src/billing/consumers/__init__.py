"""Kafka consumers: one module per topic, each translating messages into service calls."""

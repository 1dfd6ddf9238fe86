"""Outbound webhooks: subscriptions, signed deliveries with a persistent retry schedule."""

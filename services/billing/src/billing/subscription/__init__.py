"""Subscriptions: the state machine fed by Stripe webhooks, current and overview."""

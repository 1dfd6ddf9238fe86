"""Stripe customers, Checkout Sessions and customer-portal sessions."""

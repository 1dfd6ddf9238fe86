"""The Stripe webhook endpoint: signature check, event inbox, dispatch."""

"""A user's Stripe customer (the ``customer`` table): who pays, for checkout and webhooks."""

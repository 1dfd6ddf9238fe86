"""Development Checkout: finishing a Stripe Checkout against stripe-mock, in the browser.

stripe-mock answers Checkout Sessions whose ``url`` is a fixed page that knows no session,
and it sends no webhooks. With ``BILLING_DEV_CHECKOUT`` on (``make up``; refused with live
keys, the real Stripe API or ``ADSCALE_ENVIRONMENT=production``), a session's ``url`` is the
app's own test checkout page instead, and its "Pay" has billing send the signed
``checkout.session.completed`` Stripe would send, through the public webhook endpoint.
"""

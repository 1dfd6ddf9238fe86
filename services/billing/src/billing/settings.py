"""Billing settings (env prefix ``BILLING_``).

Every field can be set with ``BILLING_<FIELD>`` (falling back to
``ADSCALE_<FIELD>``, see :class:`adscale_common.settings.ServiceSettings`); a
value in the environment always wins over the defaults below. The defaults
only make sense for tests and local development against stripe-mock: the
Stripe key is a dummy ``sk_test_`` value and the webhook secret is empty
(webhooks are then refused until one is configured).
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator

from adscale_common.settings import ServiceSettings

# stripe-mock accepts sk_test_ followed by letters and digits only (no further underscores).
DUMMY_STRIPE_API_KEY = "sk_test_adscaledevelopmentonly"


class Settings(ServiceSettings, env_prefix="BILLING_"):
    service_name: ClassVar[str] = "billing"
    worker_metrics_port: int = 9104
    port: int = 8104

    # --- Stripe API (all calls go through stripe-python) -------------------
    stripe_api_key: SecretStr = Field(default=SecretStr(DUMMY_STRIPE_API_KEY), repr=False)
    stripe_api_base: str = "https://api.stripe.com"
    stripe_max_network_retries: int = Field(default=2, ge=0, le=5)
    stripe_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    stripe_timeout_seconds: float = Field(default=15.0, gt=0)

    # Stripe price ids of the paid plans (monthly, USD).
    price_pro: str = "price_pro_monthly"
    price_enterprise: str = "price_enterprise_monthly"

    # Where Stripe sends the customer back. {CHECKOUT_SESSION_ID} is filled in by Stripe.
    checkout_success_url: str = (
        "http://localhost:8107/billing/success?session_id={CHECKOUT_SESSION_ID}"
    )
    checkout_cancel_url: str = "http://localhost:8107/billing/cancel"
    portal_return_url: str = "http://localhost:8107/billing"
    # Two checkout requests for the same user and plan inside this window reuse
    # one Stripe idempotency key, so a double click opens one session.
    checkout_idempotency_window_seconds: int = Field(default=300, ge=1)

    # --- Webhooks -----------------------------------------------------------
    stripe_webhook_secret: SecretStr = Field(default=SecretStr(""), repr=False)
    stripe_webhook_tolerance_seconds: int = Field(default=300, ge=1)

    # --- Development Checkout (devcheckout/) -------------------------------------
    # On: a Checkout Session's url is the app's test checkout page, whose "Pay" sends the
    # signed checkout.session.completed through the public webhook (stripe-mock sends none).
    # `make up` turns it on against stripe-mock; refused in production (below).
    dev_checkout: bool = False
    # The app's public address (ADSCALE_PUBLIC_URL): the test page and the webhook live there.
    public_url: str = "http://localhost:8107"
    # ADSCALE_ENVIRONMENT: "production" refuses dev_checkout.
    environment: str = "development"

    # --- Worker ---------------------------------------------------------------
    # How often the worker looks for subscriptions whose cancel-at-period-end date passed.
    period_end_sweep_seconds: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _dev_checkout_only_in_development(self) -> Settings:
        if not self.dev_checkout:
            return self
        refusals = []
        if self.environment.strip().lower() == "production":
            refusals.append("ADSCALE_ENVIRONMENT is production")
        if self.stripe_api_key.get_secret_value().startswith(("sk_live_", "rk_live_")):
            refusals.append("the Stripe key is a live key")
        if "api.stripe.com" in self.stripe_api_base:
            refusals.append("billing talks to the real Stripe API")
        if not self.stripe_webhook_secret.get_secret_value():
            refusals.append("no webhook signing secret is configured")
        if refusals:
            raise ValueError(
                "BILLING_DEV_CHECKOUT is for development against stripe-mock only: "
                + "; ".join(refusals)
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()

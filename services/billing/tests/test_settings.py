"""Settings: the environment always wins; secrets never show in a repr."""

from __future__ import annotations

import pytest

from billing.settings import DUMMY_STRIPE_API_KEY, Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch):
    for name in ("STRIPE_API_BASE", "STRIPE_API_KEY", "PRICE_PRO", "STRIPE_WEBHOOK_SECRET"):
        monkeypatch.delenv(f"BILLING_{name}", raising=False)
        monkeypatch.delenv(f"ADSCALE_{name}", raising=False)
    settings = Settings()
    assert settings.stripe_api_base == "https://api.stripe.com"
    assert settings.stripe_api_key.get_secret_value() == DUMMY_STRIPE_API_KEY
    assert DUMMY_STRIPE_API_KEY.startswith("sk_test_")
    assert settings.stripe_webhook_secret.get_secret_value() == ""
    assert settings.stripe_webhook_tolerance_seconds == 300
    assert (settings.price_pro, settings.price_enterprise) == (
        "price_pro_monthly",
        "price_enterprise_monthly",
    )
    assert "{CHECKOUT_SESSION_ID}" in settings.checkout_success_url


def test_environment_wins(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BILLING_STRIPE_API_KEY", "sk_test_fromenv")
    monkeypatch.setenv("BILLING_STRIPE_API_BASE", "http://127.0.0.1:12111")
    monkeypatch.setenv("BILLING_PRICE_PRO", "price_1ProFromEnv")
    monkeypatch.setenv("BILLING_PRICE_ENTERPRISE", "price_1EntFromEnv")
    monkeypatch.setenv("BILLING_STRIPE_WEBHOOK_SECRET", "whsec_fromenv")
    monkeypatch.setenv("BILLING_CHECKOUT_SUCCESS_URL", "https://example.test/ok")
    settings = Settings()
    assert settings.stripe_api_key.get_secret_value() == "sk_test_fromenv"
    assert settings.stripe_api_base == "http://127.0.0.1:12111"
    assert (settings.price_pro, settings.price_enterprise) == (
        "price_1ProFromEnv",
        "price_1EntFromEnv",
    )
    assert settings.stripe_webhook_secret.get_secret_value() == "whsec_fromenv"
    assert settings.checkout_success_url == "https://example.test/ok"


def test_shared_adscale_variable_is_the_fallback(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("BILLING_STRIPE_API_BASE", raising=False)
    monkeypatch.setenv("ADSCALE_STRIPE_API_BASE", "http://stripe-mock:12111")
    assert Settings().stripe_api_base == "http://stripe-mock:12111"
    monkeypatch.setenv("BILLING_STRIPE_API_BASE", "http://billing-own:12111")
    assert Settings().stripe_api_base == "http://billing-own:12111"


def test_secrets_stay_out_of_repr(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BILLING_STRIPE_API_KEY", "sk_test_verysecret")
    monkeypatch.setenv("BILLING_STRIPE_WEBHOOK_SECRET", "whsec_verysecret")
    text = repr(Settings()) + str(Settings().model_dump())
    assert "verysecret" not in text

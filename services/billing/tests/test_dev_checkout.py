"""The development checkout (BILLING_DEV_CHECKOUT): the session's url is the app's test page;
its "Pay" delivers a Stripe-signed checkout.session.completed through billing's real webhook
endpoint, and the plan changes as after a real payment. Off, and refused, in production."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pydantic
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.testing import internal_headers
from billing.devcheckout import token as tickets
from billing.devcheckout.errors import DevCheckoutInvalid
from billing.settings import Settings
from kit import KEY, WEBHOOK_SECRET, StripeRecorder, app_client, make_settings

PUBLIC = "http://app.example.test"
PAGE = "/api/v1/billing/dev-checkout"
PAY = "/api/v1/billing/dev-checkout/pay"


@pytest.fixture
def dev_settings(database_url: str, stripe_api_base: str) -> Settings:
    return make_settings(database_url, stripe_api_base, dev_checkout=True, public_url=PUBLIC)


@pytest.fixture
async def dev_client(
    dev_settings: Settings,
    session: AsyncSession,
    recorder: StripeRecorder,
    anonymous_headers: dict[str, str],
) -> AsyncIterator[httpx.AsyncClient]:
    async for c in app_client(dev_settings, session, recorder, gateway_headers=anonymous_headers):
        yield c


async def start(client: httpx.AsyncClient, headers: dict[str, str], plan: str = "pro") -> dict:
    answer = await client.post("/api/v1/billing/checkout", json={"plan": plan}, headers=headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


async def test_checkout_url_is_the_apps_test_page_and_pay_upgrades_through_the_webhook(
    dev_client: httpx.AsyncClient, user_headers: dict[str, str]
) -> None:
    checkout = await start(dev_client, user_headers)
    url = urlsplit(checkout["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{PUBLIC}/billing/dev-checkout"
    token = token_of(checkout["url"])

    page = await dev_client.get(PAGE, params={"token": token}, headers=user_headers)
    assert page.status_code == 200, page.text
    assert page.json() == {
        "session_id": checkout["session_id"],
        "plan": "pro",
        "plan_name": "Pro",
        "price": "49.00",
        "currency": "usd",
        "interval": "month",
        "cancel_url": "https://app.example.test/billing/cancel",
    }
    assert (await dev_client.get("/api/v1/billing/current", headers=user_headers)).json() is None

    paid = await dev_client.post(PAY, json={"token": token}, headers=user_headers)
    assert paid.status_code == 200, paid.text
    assert paid.json()["success_url"] == (
        f"https://app.example.test/billing/success?session_id={checkout['session_id']}"
    )
    current = (await dev_client.get("/api/v1/billing/current", headers=user_headers)).json()
    assert current["plan"] == "pro" and current["status"] == "active"
    overview = (await dev_client.get("/api/v1/billing/overview", headers=user_headers)).json()
    assert overview["plan"] == "pro"


async def test_another_users_or_a_forged_token_is_refused(
    dev_client: httpx.AsyncClient, user_headers: dict[str, str]
) -> None:
    token = token_of((await start(dev_client, user_headers))["url"])
    other = internal_headers(KEY, user_id=uuid.uuid4(), plan="free", auth="jwt")
    body, _, mac = token.partition(".")
    for headers, sent in (
        (other, token),
        (user_headers, f"{body}.{'A' * len(mac)}"),
        (user_headers, "not-a-token"),
        (user_headers, "é.ü"),
    ):
        page = await dev_client.get(PAGE, params={"token": sent}, headers=headers)
        assert page.status_code == 400, page.text
        assert "invalid, expired or not yours" in page.json()["detail"]
        pay = await dev_client.post(PAY, json={"token": sent}, headers=headers)
        assert pay.status_code == 400, pay.text
    current = (await dev_client.get("/api/v1/billing/current", headers=user_headers)).json()
    assert current is None


def test_an_expired_token_is_refused() -> None:
    user = uuid.uuid4()
    token = tickets.issue(
        WEBHOOK_SECRET, user_id=user, plan="pro", session_id="cs_1", customer_id="cus_1", now=0
    )
    assert tickets.read(WEBHOOK_SECRET, token, user_id=user, now=10).plan == "pro"
    with pytest.raises(DevCheckoutInvalid):
        tickets.read(WEBHOOK_SECRET, token, user_id=user, now=tickets.TTL_SECONDS + 1)


async def test_pay_reports_a_webhook_endpoint_that_cannot_be_reached(
    database_url: str,
    stripe_api_base: str,
    session: AsyncSession,
    recorder: StripeRecorder,
    user_headers: dict[str, str],
) -> None:
    # Nothing listens on the discard port: the delivery fails and says so (502), never 500.
    settings = make_settings(
        database_url, stripe_api_base, dev_checkout=True, public_url="http://127.0.0.1:9"
    )
    async for client in app_client(settings, session, recorder):
        token = token_of((await start(client, user_headers))["url"])
        pay = await client.post(PAY, json={"token": token}, headers=user_headers)
        assert pay.status_code == 502, pay.text
        assert pay.json()["detail"] == "Billing's webhook endpoint did not accept the test payment"
        assert (await client.get("/api/v1/billing/current", headers=user_headers)).json() is None


async def test_off_by_default_every_call_is_not_found_and_checkout_goes_to_stripe(
    client: httpx.AsyncClient, user_headers: dict[str, str], user_id: uuid.UUID
) -> None:
    checkout = await start(client, user_headers)
    assert "/billing/dev-checkout" not in checkout["url"]
    token = tickets.issue(
        WEBHOOK_SECRET,
        user_id=user_id,
        plan="pro",
        session_id=checkout["session_id"],
        customer_id="cus_1",
    )
    page = await client.get(PAGE, params={"token": token}, headers=user_headers)
    assert page.status_code == 404
    assert page.json() == {"detail": "Not found"}
    pay = await client.post(PAY, json={"token": token}, headers=user_headers)
    assert pay.status_code == 404


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"environment": "production"}, "ADSCALE_ENVIRONMENT is production"),
        ({"stripe_api_key": "sk_live_abc"}, "the Stripe key is a live key"),
        ({"stripe_api_base": "https://api.stripe.com"}, "real Stripe API"),
        ({"stripe_webhook_secret": ""}, "no webhook signing secret"),
    ],
)
def test_production_settings_refuse_dev_checkout(
    database_url: str, stripe_api_base: str, overrides: dict[str, object], reason: str
) -> None:
    values = dict(overrides)
    base = str(values.pop("stripe_api_base", stripe_api_base))
    with pytest.raises(pydantic.ValidationError, match=reason):
        make_settings(database_url, base, dev_checkout=True, **values)
    # The same settings without it are fine.
    assert not make_settings(database_url, base, **values).dev_checkout


def test_production_environment_from_adscale_environment(
    monkeypatch: pytest.MonkeyPatch, database_url: str, stripe_api_base: str
) -> None:
    monkeypatch.setenv("ADSCALE_ENVIRONMENT", "production")
    monkeypatch.setenv("BILLING_DEV_CHECKOUT", "true")
    with pytest.raises(pydantic.ValidationError, match="production"):
        make_settings(database_url, stripe_api_base)

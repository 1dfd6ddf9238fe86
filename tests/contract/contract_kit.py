"""Shared checks for the AdScale contract tests (spec: adscale-api.md).

Import after ``sys.path.insert(0, str(Path(__file__).parent))``; pytest runs with
``--import-mode=importlib``, so test modules cannot import each other or conftest by name.

* Shape checks: ``conforms(body, SHAPE)`` compares the key set exactly and checks every
  field with a small validator (UUID v4, ISO 8601 UTC ``Z`` timestamp, ``YYYY-MM-DD``
  date, money as a two-decimal string, enums, nullable ...).
* Error checks: ``detail_error`` (``{"detail": "..."}``) and ``validation_error`` (422 with
  FastAPI's ``loc``/``msg``/``type`` list), ``page`` for ``items/total/offset/limit``.
* Clients: every anonymous request of these tests comes from its own client address
  (``X-Forwarded-For``, trusted by the gateway from the local proxy hop), so the per-IP
  house limits (120 anonymous requests a minute, 30 logins a minute) are each test's own
  budget and never the rest of the suite's.
* Plans: ``upgrade`` plays Stripe: a signed ``checkout.session.completed`` to billing's
  public webhook, then waits until identity and billing show the plan; ``cancel`` sends
  ``customer.subscription.deleted`` and waits for Free.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import secrets
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import stripe

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "deploy") not in sys.path:
    sys.path.insert(0, str(ROOT / "deploy"))

from stack import base_env, stack_env  # noqa: E402

PASSWORD = "correct horse 1"
NIL_UUID4 = "00000000-0000-4000-8000-000000000000"
SANDBOX = os.environ.get("ADSCALE_SANDBOX_URL", "http://127.0.0.1:8110")
STRIPE_WEBHOOK = "/billing/webhooks/stripe"

_ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONEY = re.compile(r"^-?\d+\.\d{2}$")


# --- field validators ---------------------------------------------------------------

Check = Callable[[Any], None]


def _fail(message: str) -> None:
    raise AssertionError(message)


def UUID4(value: Any) -> None:
    if not isinstance(value, str):
        _fail(f"{value!r} is not a UUID string")
    parsed = uuid.UUID(value)
    if str(parsed) != value or parsed.version != 4:
        _fail(f"{value!r} is not a canonical UUID v4")


def TIMESTAMP(value: Any) -> None:
    if not isinstance(value, str) or not _ISO_Z.match(value):
        _fail(f"{value!r} is not an ISO 8601 UTC timestamp ending in Z")
    datetime.fromisoformat(value.replace("Z", "+00:00"))


def DATE(value: Any) -> None:
    if not isinstance(value, str) or not _DATE.match(value):
        _fail(f"{value!r} is not an ISO date (YYYY-MM-DD)")
    datetime.strptime(value, "%Y-%m-%d")


def MONEY(value: Any) -> None:
    """Money as the services document it: a JSON string with two decimals ("12.50")."""
    if not isinstance(value, str) or not _MONEY.match(value):
        _fail(f"{value!r} is not a two-decimal money string")


def INT(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        _fail(f"{value!r} is not an integer")


def NUMBER(value: Any) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        _fail(f"{value!r} is not a JSON number")


def STR(value: Any) -> None:
    if not isinstance(value, str):
        _fail(f"{value!r} is not a string")


def BOOL(value: Any) -> None:
    if not isinstance(value, bool):
        _fail(f"{value!r} is not a boolean")


def nullable(check: Check) -> Check:
    def inner(value: Any) -> None:
        if value is not None:
            check(value)

    return inner


def one_of(*allowed: Any) -> Check:
    def inner(value: Any) -> None:
        if value not in allowed:
            _fail(f"{value!r} is not one of {allowed}")

    return inner


def equals(expected: Any) -> Check:
    def inner(value: Any) -> None:
        if value != expected:
            _fail(f"{value!r} != {expected!r}")

    return inner


def list_of(check: Check) -> Check:
    def inner(value: Any) -> None:
        if not isinstance(value, list):
            _fail(f"{value!r} is not a list")
        for item in value:
            check(item)

    return inner


def shape(spec: dict[str, Check]) -> Check:
    def inner(value: Any) -> None:
        conforms(value, spec)

    return inner


def conforms(body: Any, spec: dict[str, Check], *, where: str = "") -> dict[str, Any]:
    """Exactly these keys, each passing its check; returns the body for chaining."""
    if not isinstance(body, dict):
        _fail(f"{where}{body!r} is not a JSON object")
    if set(body) != set(spec):
        missing, extra = set(spec) - set(body), set(body) - set(spec)
        _fail(f"{where}keys differ: missing {sorted(missing)}, unexpected {sorted(extra)}")
    for name, check in spec.items():
        try:
            check(body[name])
        except (AssertionError, ValueError, TypeError) as exc:
            raise AssertionError(f"{where}field {name!r}: {exc}") from exc
    return body


def utc(value: str) -> datetime:
    TIMESTAMP(value)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


# --- errors and pages ------------------------------------------------------------------


def detail_error(response: httpx.Response, status: int) -> str:
    """An AdScale error: the status and a body of exactly ``{"detail": "<message>"}``."""
    assert response.status_code == status, (status, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str), body
    assert body["detail"].strip(), body
    return str(body["detail"])


def validation_error(response: httpx.Response, *locs: Iterable[str | int]) -> list[dict[str, Any]]:
    """A 422: ``{"detail": [{loc, msg, type}, ...]}`` naming at least the given locations."""
    assert response.status_code == 422, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"detail"}, body
    errors = body["detail"]
    assert isinstance(errors, list) and errors, body
    for error in errors:
        assert {"loc", "msg", "type"} <= set(error) <= {"loc", "msg", "type", "ctx"}, error
        assert isinstance(error["loc"], list) and error["loc"], error
        assert all(isinstance(part, str | int) for part in error["loc"]), error
        assert isinstance(error["msg"], str) and error["msg"], error
        assert isinstance(error["type"], str) and error["type"], error
    seen = [list(e["loc"]) for e in errors]
    for loc in locs:
        assert list(loc) in seen, (list(loc), seen)
    return list(errors)


def envelope_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """An audience-sync (``/cdp/...``) error: the status and exactly
    ``{"error": {code, message, details}}`` as JSON (``details`` an object). Returns the
    inner ``error`` object."""
    assert response.status_code == status, (status, code, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    inner = body["error"]
    assert set(inner) == {"code", "message", "details"}, body
    assert inner["code"] == code, body
    assert isinstance(inner["message"], str) and inner["message"].strip(), body
    assert isinstance(inner["details"], dict), body
    return dict(inner)


def envelope_validation(
    response: httpx.Response, *locs: Iterable[str | int]
) -> list[dict[str, Any]]:
    """422 ``VALIDATION_ERROR`` in the envelope whose ``details.errors`` (``loc``/``msg``/
    ``type``) name at least the given locations."""
    inner = envelope_error(response, 422, "VALIDATION_ERROR")
    errors = inner["details"]["errors"]
    assert isinstance(errors, list) and errors, inner
    for item in errors:
        assert {"loc", "msg", "type"} <= set(item) <= {"loc", "msg", "type", "ctx"}, item
    seen = [list(e["loc"]) for e in errors]
    for loc in locs:
        assert list(loc) in seen, (list(loc), seen)
    return list(errors)


# --- the merged OpenAPI document, operation by operation ----------------------------------

OPERATION_METHODS = ("get", "put", "post", "patch", "delete")
Operation = tuple[str, str, dict[str, Any]]  # method, path template, operation object


async def openapi_operations(stack: str) -> list[Operation]:
    """Every operation of the gateway's merged document (``stack`` is the ``/api/v1`` base)."""
    async with httpx.AsyncClient(base_url=stack.removesuffix("/api/v1"), timeout=30) as root:
        response = await root.get("/openapi.json")
    assert response.status_code == 200, response.text
    return [
        (method, path, operation)
        for path, item in response.json()["paths"].items()
        for method, operation in item.items()
        if method in OPERATION_METHODS
    ]


def filled_path(path: str, value: Callable[[str], str]) -> str:
    """``path`` relative to the client's ``/api/v1`` base, each ``{name}`` as ``value(name)``."""
    return re.sub(r"\{([^}]+)\}", lambda m: value(m.group(1)), path.removeprefix("/api/v1"))


def is_envelope_path(path: str) -> bool:
    return path.startswith("/api/v1/cdp/")


def family_error(response: httpx.Response, path: str, status: int) -> dict[str, Any]:
    """``status`` in the error format of ``path``'s family: the envelope (any code, returned
    as the inner object) on ``/api/v1/cdp``, else ``{"detail": "<message>"}``."""
    if not is_envelope_path(path):
        return {"detail": detail_error(response, status)}
    assert response.status_code == status, (status, response.status_code, response.text)
    return envelope_error(response, status, str(response.json().get("error", {}).get("code")))


def documented_error(operation: dict[str, Any], path: str, status: str) -> None:
    """The operation documents ``status`` with its family's error schema."""
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    family = "ErrorEnvelope" if is_envelope_path(path) else "ErrorDetail"
    assert schema == {"$ref": f"#/components/schemas/{family}"}, (path, status, schema)


def epoch(value: str) -> float:
    """Seconds since the epoch of an ISO 8601 ``Z`` timestamp."""
    return utc(value).timestamp()


def page(
    response: httpx.Response, item: dict[str, Check], *, offset: int = 0, limit: int = 50
) -> dict[str, Any]:
    """A 200 page ``{items, total, offset, limit}`` echoing the paging asked for."""
    assert response.status_code == 200, response.text
    body = conforms(
        response.json(), {"items": list_of(shape(item)), "total": INT, "offset": INT, "limit": INT}
    )
    assert (body["offset"], body["limit"]) == (offset, limit), body
    assert len(body["items"]) == max(0, min(limit, body["total"] - offset)), body
    return body


async def walk_pages(
    api: httpx.AsyncClient, path: str, headers: dict[str, str], item: dict[str, Check], size: int
) -> list[dict[str, Any]]:
    """Every item of a list endpoint, ``size`` at a time; checks pages don't overlap."""
    collected: list[dict[str, Any]] = []
    offset = 0
    sep = "&" if "?" in path else "?"
    while True:
        response = await api.get(f"{path}{sep}offset={offset}&limit={size}", headers=headers)
        body = page(response, item, offset=offset, limit=size)
        collected.extend(body["items"])
        offset += size
        if offset >= body["total"]:
            break
    ids = [i["id"] for i in collected]
    assert len(ids) == len(set(ids)), "pages overlap"
    return collected


# --- clients ----------------------------------------------------------------------------


def new_address() -> str:
    """A client address of its own (a random one in 10.0.0.0/8, as behind a local proxy)."""
    n = secrets.randbits(24)
    return f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}"


def anonymous() -> dict[str, str]:
    """Headers of an anonymous client with its own address."""
    return {"X-Forwarded-For": new_address()}


def unique_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


def claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, read like any client can (no verification)."""
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


@dataclass
class Member:
    email: str
    password: str
    access_token: str
    refresh_token: str
    address: str
    id: str = field(init=False)

    def __post_init__(self) -> None:
        self.id = str(claims(self.access_token)["sub"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def anonymous(self) -> dict[str, str]:
        """This member's client address, for the public endpoints."""
        return {"X-Forwarded-For": self.address}


async def register(api: httpx.AsyncClient, tag: str = "member") -> Member:
    address = new_address()
    email = unique_email(tag)
    response = await api.post(
        "/auth/register",
        json={"email": email, "password": PASSWORD},
        headers={"X-Forwarded-For": address},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Member(email, PASSWORD, body["access_token"], body["refresh_token"], address)


async def api_key(api: httpx.AsyncClient, member: Member, name: str = "contract") -> str:
    response = await api.post("/api-keys", json={"name": name}, headers=member.headers)
    assert response.status_code == 201, response.text
    raw: str = response.json()["key"]
    return raw


# --- tokens -------------------------------------------------------------------------------

_env_cache: dict[str, str] = {}


def stack_setting(name: str) -> str:
    if not _env_cache:
        _env_cache.update(stack_env(base_env()))
    value = _env_cache.get(name, "")
    assert value, f"{name} is not configured for the stack"
    return value


def expired_token(user_id: str | None = None, plan: str = "free") -> str:
    """An access token signed with identity's real key that expired an hour ago."""
    from identity.security import KeyRing

    ring = KeyRing(stack_setting("IDENTITY_JWT_SIGNING_KEY"), ttl_seconds=900)
    issued = ring.issue(
        user_id=uuid.UUID(user_id) if user_id else uuid.uuid4(),
        plan=plan,
        now=time.time() - 3600,
    )
    return issued.token


# --- plans through Stripe's signed webhook ---------------------------------------------------


def stripe_event(
    event_type: str, obj: dict[str, Any], created: int | None = None
) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": created or int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


async def deliver(api: httpx.AsyncClient, event: dict[str, Any]) -> httpx.Response:
    """POST an event to the public webhook signed with the stack's endpoint secret."""
    payload = json.dumps(event)
    signature = stripe.WebhookSignature.generate_signature_header(
        payload, stack_setting("BILLING_STRIPE_WEBHOOK_SECRET")
    )
    return await api.post(
        STRIPE_WEBHOOK,
        content=payload.encode(),
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def checkout_completed(
    user_id: str, plan: str, subscription: str, customer: str | None = None
) -> dict[str, Any]:
    """Stripe's ``checkout.session.completed`` for a paid subscription of ``user_id``."""
    return stripe_event(
        "checkout.session.completed",
        {
            "id": f"cs_test_{uuid.uuid4().hex[:24]}",
            "object": "checkout.session",
            "mode": "subscription",
            "status": "complete",
            "payment_status": "paid",
            "client_reference_id": user_id,
            "customer": customer or f"cus_{uuid.uuid4().hex[:14]}",
            "subscription": subscription,
            "metadata": {"user_id": user_id, "plan": plan},
        },
    )


async def upgrade(api: httpx.AsyncClient, member: Member, plan: str = "pro") -> str:
    """A paid checkout completes; returns the Stripe subscription id once the plan is visible
    in identity (``/auth/me``) and billing (``/usage``)."""
    subscription = f"sub_{uuid.uuid4().hex[:20]}"
    response = await deliver(api, checkout_completed(member.id, plan, subscription))
    assert response.status_code == 200, response.text
    await eventually(api, "/auth/me", member.headers, lambda b: b["plan"] == plan)
    await eventually(api, "/usage", member.headers, lambda b: b["plan"] == plan)
    return subscription


async def cancel(api: httpx.AsyncClient, member: Member, subscription: str, plan: str) -> None:
    """Stripe ends the subscription (``customer.subscription.deleted``); waits for Free."""
    now = int(time.time())
    event = stripe_event(
        "customer.subscription.deleted",
        {
            "id": subscription,
            "object": "subscription",
            "status": "canceled",
            "metadata": {"user_id": member.id, "plan": plan},
            "cancel_at_period_end": False,
            "cancel_at": None,
            "canceled_at": now,
            "ended_at": now,
            "items": {"object": "list", "data": [{"id": "si_x", "current_period_end": now}]},
        },
    )
    event["created"] = now + 1
    response = await deliver(api, event)
    assert response.status_code == 200, response.text
    await eventually(api, "/auth/me", member.headers, lambda b: b["plan"] == "free")
    await eventually(api, "/usage", member.headers, lambda b: b["plan"] == "free")


async def eventually(
    api: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    condition: Callable[[Any], bool],
    seconds: float = 15.0,
) -> Any:
    """GET ``path`` until ``condition(body)`` holds (events travel through Kafka)."""
    deadline = time.monotonic() + seconds
    while True:
        response = await api.get(path, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        if condition(body):
            return body
        assert time.monotonic() < deadline, f"{path} never satisfied the condition: {body}"
        await asyncio.sleep(0.2)


# --- documented shapes ------------------------------------------------------------------------

TOKEN_PAIR: dict[str, Check] = {
    "access_token": STR,
    "refresh_token": STR,
    "token_type": equals("bearer"),
    "expires_in": INT,
}
PLAN = one_of("free", "pro", "enterprise")
ACCOUNT: dict[str, Check] = {
    "id": UUID4,
    "platform": one_of("google", "meta"),
    "account_id_external": STR,
    "account_name": nullable(STR),
    "is_connected": BOOL,
    "status": one_of("active", "disconnected"),
    "disconnected_reason": nullable(STR),
    "time_zone": STR,
    "connected_at": TIMESTAMP,
    "metrics_synced_at": nullable(TIMESTAMP),
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
}
OBJECTIVES = ("sales", "traffic", "awareness", "leads", "app_installs")
CAMPAIGN_STATUSES = ("draft", "active", "paused", "completed")
CAMPAIGN: dict[str, Check] = {
    "id": UUID4,
    "ad_account_id": UUID4,
    "name": STR,
    "platform": one_of("google", "meta"),
    "objective": one_of(*OBJECTIVES),
    "budget_daily": nullable(MONEY),
    "budget_lifetime": nullable(MONEY),
    "status": one_of(*CAMPAIGN_STATUSES),
    "start_date": nullable(DATE),
    "end_date": nullable(DATE),
    "external_campaign_id": nullable(STR),
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
}
BID_STRATEGIES = ("auto_cpc", "manual_cpc", "target_roas")
TARGETING: dict[str, Check] = {
    "age": nullable(STR),
    "interests": nullable(list_of(STR)),
    "locations": nullable(list_of(STR)),
}
AD_GROUP: dict[str, Check] = {
    "id": UUID4,
    "campaign_id": UUID4,
    "name": STR,
    "targeting": shape(TARGETING),
    "bid_strategy": one_of(*BID_STRATEGIES),
    "bid_amount": nullable(MONEY),
    "status": one_of("active", "paused"),
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
}
CREATIVE: dict[str, Check] = {
    "id": UUID4,
    "ad_group_id": UUID4,
    "headline": STR,
    "description": STR,
    "destination_url": STR,
    "call_to_action": nullable(STR),
    "status": one_of("active", "paused"),
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
}
RULE_TYPES = (
    "pause_low_roas",
    "increase_budget_high_roas",
    "decrease_budget_low_ctr",
    "pause_no_conversions",
)
CONDITIONS: dict[str, Check] = {
    "lookback_days": INT,
    "min_spend": nullable(MONEY),
    "min_impressions": nullable(INT),
    "campaign_ids": nullable(list_of(UUID4)),
    "budget_change_percent": nullable(STR),
    "min_budget": nullable(MONEY),
    "max_budget": nullable(MONEY),
    "cooldown_hours": INT,
}
RULE: dict[str, Check] = {
    "id": UUID4,
    "name": STR,
    "rule_type": one_of(*RULE_TYPES),
    "threshold": NUMBER,
    "conditions": shape(CONDITIONS),
    "is_active": BOOL,
    "last_executed": nullable(TIMESTAMP),
    "executions_count": INT,
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
}
API_KEY: dict[str, Check] = {
    "id": UUID4,
    "name": STR,
    "prefix": STR,
    "created_at": TIMESTAMP,
    "last_used_at": nullable(TIMESTAMP),
}


# --- the platform sandbox (plays Meta for the user's OAuth consent) ----------------------------


class MetaLogin(NamedTuple):
    token: str
    account_id: str  # the Meta ad account id without its act_ prefix
    campaign_ids: list[str]


async def meta_login() -> MetaLogin:
    """A Meta user consents in the sandbox: their token, ad account and campaign ids."""
    meta = f"{SANDBOX}/meta"
    redirect = "http://localhost/oauth/meta"
    async with httpx.AsyncClient(timeout=30) as sandbox:
        dialog = await sandbox.get(
            f"{meta}/www/v25.0/dialog/oauth",
            params={
                "client_id": "adscale-contract",
                "redirect_uri": redirect,
                "sandbox_user": f"contract-{uuid.uuid4().hex[:10]}",
            },
        )
        assert dialog.status_code in (302, 303, 307), dialog.text
        location = httpx.URL(dialog.headers["location"])
        code = location.params["code"]
        exchanged = await sandbox.post(
            f"{meta}/graph/v25.0/oauth/access_token",
            data={
                "client_id": "adscale-contract",
                "client_secret": "sandbox",
                "redirect_uri": redirect,
                "code": code,
            },
        )
        assert exchanged.status_code == 200, exchanged.text
        token = exchanged.json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        accounts = await sandbox.get(f"{meta}/graph/v25.0/me/adaccounts", headers=auth)
        account_id = accounts.json()["data"][0]["id"].removeprefix("act_")
        listed = await sandbox.get(f"{meta}/graph/v25.0/act_{account_id}/campaigns", headers=auth)
        return MetaLogin(token, account_id, [c["id"] for c in listed.json()["data"]])


async def connect_account(api: httpx.AsyncClient, member: Member, **body: object) -> dict[str, Any]:
    """``POST /accounts`` as ``member``: the new account, checked against ``ACCOUNT``."""
    response = await api.post("/accounts", json=body, headers=member.headers)
    assert response.status_code == 201, response.text
    return conforms(response.json(), ACCOUNT)


async def deleted_leaving(
    api: httpx.AsyncClient, member: Member, collection: str, doomed: str, kept: str
) -> None:
    """``DELETE {collection}/{doomed}`` as its owner: 204 without a body, the list holds only
    ``kept`` afterwards, and deleting again is 404."""
    gone = await api.delete(f"{collection}/{doomed}", headers=member.headers)
    assert gone.status_code == 204 and gone.content == b""
    listed = (await api.get(collection, headers=member.headers)).json()
    assert [row["id"] for row in listed["items"]] == [kept] and listed["total"] == 1
    detail_error(await api.delete(f"{collection}/{doomed}", headers=member.headers), 404)


async def created_ids(
    api: httpx.AsyncClient, member: Member, path: str, bodies: Iterable[dict[str, Any]]
) -> list[str]:
    """``POST path`` with each body as ``member``, each answered 201: the new ids, in order."""
    ids = []
    for body in bodies:
        response = await api.post(path, json=body, headers=member.headers)
        assert response.status_code == 201, response.text
        ids.append(str(response.json()["id"]))
    return ids


async def connect_meta(api: httpx.AsyncClient, member: Member) -> tuple[MetaLogin, dict[str, Any]]:
    """A Meta user consents in the sandbox and ``member`` connects their ad account."""
    login = await meta_login()
    account = await connect_account(
        api,
        member,
        platform="meta",
        account_id_external=login.account_id,
        access_token=login.token,
    )
    return login, account


# A daily metric row (``GET /metrics/campaign/{id}``, ``GET /metrics/daily``).
DAILY_METRIC: dict[str, Check] = {
    "date": DATE,
    "impressions": INT,
    "clicks": INT,
    "conversions": NUMBER,
    "spend": MONEY,
    "revenue": MONEY,
    "roas": nullable(NUMBER),
    "ctr": nullable(NUMBER),
    "cpa": nullable(MONEY),
}


@dataclass
class Advertiser:
    """A member whose Meta campaigns are linked to the sandbox with ``days`` of metrics each,
    between ``first_day`` and ``last_day`` (the refresh's window)."""

    member: Member
    campaigns: list[str]
    first_day: date
    last_day: date


async def advertiser_with_metrics(base_url: str, tag: str, days: int = 30) -> Advertiser:
    """A new member connects Meta, links two campaigns (named ``Linked <n> <platform id>``,
    active) to the sandbox's and fetches their last ``days`` of metrics."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as api:
        member = await register(api, tag)
        login, account = await connect_meta(api, member)
        campaigns = []
        window: tuple[str, str] | None = None
        for index, external in enumerate(login.campaign_ids[:2]):
            created = await api.post(
                "/campaigns",
                json={
                    "ad_account_id": account["id"],
                    "name": f"Linked {index} {external}",
                    "objective": "sales",
                    "status": "active",
                    "external_campaign_id": external,
                },
                headers=member.headers,
            )
            assert created.status_code == 201, created.text
            cid = created.json()["id"]
            today = datetime.now(UTC).date()
            refreshed = await api.post(
                f"/metrics/campaign/{cid}/refresh",
                params={"start_date": str(today - timedelta(days=days)), "end_date": str(today)},
                headers=member.headers,
            )
            assert refreshed.status_code == 200, refreshed.text
            window = (refreshed.json()["start_date"], refreshed.json()["end_date"])
            campaigns.append(cid)
        assert window is not None
        return Advertiser(
            member, campaigns, date.fromisoformat(window[0]), date.fromisoformat(window[1])
        )

"""The test checkout link's token: who pays for which plan, signed so the page cannot be
pointed at another user or plan (stripe-mock keeps no session to look up).

``<base64url JSON>.<base64url HMAC-SHA256>``, keyed by the webhook signing secret (a
development secret here: the feature is off wherever real Stripe is used).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass

import orjson

from billing.devcheckout.errors import DevCheckoutInvalid
from billing.plan.catalogue import PlanId, is_plan_id

TTL_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Ticket:
    user_id: uuid.UUID
    plan: PlanId
    session_id: str
    customer_id: str
    expires_at: int


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, body: str) -> str:
    key = b"adscale-dev-checkout:" + secret.encode()
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def issue(
    secret: str,
    *,
    user_id: uuid.UUID,
    plan: PlanId,
    session_id: str,
    customer_id: str,
    now: float | None = None,
) -> str:
    expires = int((time.time() if now is None else now) + TTL_SECONDS)
    body = _b64(
        orjson.dumps(
            {"u": str(user_id), "p": plan, "s": session_id, "c": customer_id, "e": expires}
        )
    )
    return f"{body}.{_mac(secret, body)}"


def read(secret: str, token: str, *, user_id: uuid.UUID, now: float | None = None) -> Ticket:
    """The ticket of ``token`` for ``user_id``; :class:`DevCheckoutInvalid` when forged,
    expired, malformed or issued to someone else."""
    body, _, mac = token.partition(".")
    # Bytes: compare_digest refuses str with non-ASCII characters (a TypeError, not a 400).
    expected = _mac(secret, body).encode()
    if not body or not mac or not hmac.compare_digest(mac.encode(), expected):
        raise DevCheckoutInvalid()
    try:
        data = orjson.loads(_unb64(body))
        ticket = Ticket(
            user_id=uuid.UUID(data["u"]),
            plan=data["p"],
            session_id=str(data["s"]),
            customer_id=str(data["c"]),
            expires_at=int(data["e"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DevCheckoutInvalid() from exc
    if (
        ticket.user_id != user_id
        or not is_plan_id(ticket.plan)
        or ticket.expires_at < (time.time() if now is None else now)
    ):
        raise DevCheckoutInvalid()
    return ticket

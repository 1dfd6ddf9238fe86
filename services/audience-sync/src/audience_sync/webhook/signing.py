"""Standard Webhooks signing (https://www.standardwebhooks.com).

A secret is ``whsec_`` + base64 of 32 random bytes; the key is the decoded bytes. Each
request carries ``webhook-id`` (stable across retries), ``webhook-timestamp`` (unix
seconds of this attempt) and ``webhook-signature``: space-separated ``v1,<base64
HMAC-SHA256(key, "{id}.{timestamp}.{body}")>``, one per valid secret (two while a rotated
secret is still in its overlap window).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(secrets_: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, msg_id, timestamp, body) for s in secrets_),
    }

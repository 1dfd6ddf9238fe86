"""Stripe webhook signatures (``Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]``).

Stripe signs ``"{t}.{raw body}"`` with HMAC-SHA256 and the endpoint's signing
secret. While a secret is being rolled, a header carries one ``v1`` per
active secret: any one matching is enough. A timestamp older than the
tolerance is refused (a replayed delivery), as Stripe's libraries do.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SCHEME = "v1"


class SignatureError(Exception):
    """The header is missing, malformed, stale, or no signature matches."""


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The hex signature Stripe computes for ``payload`` at ``timestamp``."""
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def parse_header(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError as exc:
                raise SignatureError("Malformed Stripe-Signature timestamp") from exc
        elif key == SCHEME and value:
            signatures.append(value)
    if timestamp is None:
        raise SignatureError("Stripe-Signature has no timestamp")
    if not signatures:
        raise SignatureError(f"Stripe-Signature has no {SCHEME} signature")
    return timestamp, signatures


def verify(
    payload: bytes,
    header: str | None,
    secret: str,
    *,
    tolerance_seconds: int,
    now: float | None = None,
) -> int:
    """Check ``header`` against ``payload``: its timestamp, or :class:`SignatureError`."""
    if not header:
        raise SignatureError("Missing Stripe-Signature header")
    timestamp, signatures = parse_header(header)
    expected = sign(payload, secret, timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("No signature matches the payload")
    current = time.time() if now is None else now
    if timestamp < current - tolerance_seconds:
        raise SignatureError("Stripe-Signature timestamp is outside the tolerance")
    return timestamp

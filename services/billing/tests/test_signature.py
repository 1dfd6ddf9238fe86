"""Stripe-Signature verification against stripe-python's own signing helper."""

from __future__ import annotations

import pytest
import stripe

from billing.webhook.signature import SignatureError, parse_header, sign, verify

SECRET = "whsec_unit"
BODY = b'{"id": "evt_1", "object": "event"}'


def test_matches_what_stripe_computes():
    header = stripe.WebhookSignature.generate_signature_header(
        BODY.decode(), SECRET, timestamp=1_700_000_000
    )
    assert header == f"t=1700000000,v1={sign(BODY, SECRET, 1_700_000_000)}"
    assert verify(BODY, header, SECRET, tolerance_seconds=300, now=1_700_000_100) == 1_700_000_000


def test_refusals():
    good = f"t=1000,v1={sign(BODY, SECRET, 1000)}"
    with pytest.raises(SignatureError):
        verify(BODY, good, SECRET, tolerance_seconds=300, now=1301)  # too old
    with pytest.raises(SignatureError):
        verify(BODY + b" ", good, SECRET, tolerance_seconds=300, now=1000)  # body changed
    with pytest.raises(SignatureError):
        verify(BODY, good, "whsec_other", tolerance_seconds=300, now=1000)
    with pytest.raises(SignatureError):
        verify(
            BODY, f"t=1001,v1={sign(BODY, SECRET, 1000)}", SECRET, tolerance_seconds=300, now=1001
        )
    for header in [
        None,
        "",
        "t=1000",
        "v1=abc",
        "t=x,v1=abc",
        f"t=1000,v0={sign(BODY, SECRET, 1000)}",
    ]:
        with pytest.raises(SignatureError):
            verify(BODY, header, SECRET, tolerance_seconds=300, now=1000)
    assert verify(BODY, good, SECRET, tolerance_seconds=300, now=1300) == 1000


def test_header_parsing_keeps_every_v1():
    assert parse_header("t=5, v1=aa,v1=bb,v0=cc,foo") == (5, ["aa", "bb"])

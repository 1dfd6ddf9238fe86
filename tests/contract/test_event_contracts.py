"""Every consumer decodes and handles every producer's sample of the events it subscribes to."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from adscale_contracts.events import EVENT_TYPES, ApiKeyRevoked, SessionsEnded, build
from adscale_contracts.samples import samples

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

from stack import SERVICES, base_env, stack_env  # noqa: E402

CHECKER = Path(__file__).parent / "event_consumer_check.py"


def test_every_event_type_has_a_sample():
    assert {s.TYPE for s in samples()} == set(EVENT_TYPES)


# Every service whose worker consumes events.
CONSUMING_SERVICES = ["audience-sync", "billing", "campaigns", "identity"]


def test_consuming_services_are_services():
    assert set(CONSUMING_SERVICES) <= set(SERVICES)


@pytest.mark.parametrize("service", CONSUMING_SERVICES)
def test_service_consumers_handle_every_sample(service: str, stack: str):
    env = stack_env(base_env())
    result = subprocess.run(
        [sys.executable, str(CHECKER), service],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    lines = [
        json.loads(line.removeprefix("RESULT "))
        for line in result.stdout.splitlines()
        if line.startswith("RESULT ")
    ]
    assert lines, "the service registers no consumer"
    failures = [line for line in lines if line["result"] != "ok"]
    assert failures == []
    handled = {line["type"] for line in lines}
    assert handled <= set(EVENT_TYPES)


def test_gateway_eviction_decodes_the_revocation_sample():
    from adscale_common.internal_auth import Principal
    from gateway.auth import ApiKeyVerifier, JwtVerifier
    from gateway.revocations import Verifiers, apply_event

    async def never(raw: str):
        raise AssertionError("no lookup expected")

    verifier = ApiKeyVerifier(never)
    key_id, user_id = uuid.uuid4(), uuid.uuid4()
    verifier._cache["digest"] = type(  # a cached answer for that key
        "E",
        (),
        {
            "expires": float("inf"),
            "caller": Principal(user_id, "pro", "api_key", api_key_id=key_id),
        },
    )()
    envelope = build(ApiKeyRevoked(user_id=user_id, api_key_id=key_id), source="identity")
    verifiers = Verifiers(verifier, JwtVerifier(never))
    assert apply_event(verifiers, envelope) == 1
    ended = build(SessionsEnded(user_id=user_id, session_ids=[key_id, user_id]), source="identity")
    assert apply_event(verifiers, ended) == 2  # both sessions' tokens refused from now on

"""Edge authentication: JWTs verified locally, API keys through identity (issue 3)."""

from __future__ import annotations

import asyncio
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization

from adscale_common.kafka import make_producer
from adscale_contracts.events import ApiKeyRevoked, EventData, SessionsEnded, build
from kit import new_key, running_gateway

PATH = "/api/v1/campaigns"


async def test_valid_jwt_reaches_service_with_user_in_internal_token(gateway, upstreams):
    user = str(uuid.uuid4())
    token = upstreams.keys[0].token(sub=user, plan="pro")
    response = await gateway.get(PATH, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    seen = upstreams.seen[-1]
    assert (seen["user_id"], seen["plan"], seen["auth"]) == (user, "pro", "jwt")


async def test_jwt_whose_subject_is_not_a_user_id_is_refused(gateway, upstreams):
    before = len(upstreams.seen)
    token = upstreams.keys[0].token(sub="not-a-user-id", plan="pro")
    response = await gateway.get(PATH, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or expired credentials"}
    assert len(upstreams.seen) == before  # nothing was forwarded


async def test_anonymous_request_is_forwarded_as_anonymous(gateway, upstreams):
    response = await gateway.get(PATH)
    assert response.status_code == 200
    assert upstreams.seen[-1]["auth"] == "anonymous" and upstreams.seen[-1]["user_id"] is None


def _access_claims() -> dict[str, object]:
    """Claims identity would put in a valid access token (the forgeries below sign them
    without identity's key)."""
    now = int(time.time())
    return {
        "iss": "adscale-identity",
        "aud": "adscale-api",
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        "typ": "access",
    }


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forge_hs256_with_public_key(key) -> str:
    """The classic confusion attack: HMAC-sign with the server's public key bytes."""
    import hashlib
    import hmac
    import json

    public = key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "kid": key.kid, "typ": "JWT"}).encode())
    payload = _b64(json.dumps(_access_claims()).encode())
    signature = _b64(hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    return f"{header}.{payload}.{signature}"


def _unsigned(kid: str) -> str:
    return jwt.encode(
        _access_claims(),
        None,
        algorithm="none",
        headers={"kid": kid},
    )


async def test_bad_tokens_are_401_in_each_family(gateway, upstreams):
    key = upstreams.keys[0]
    stranger = new_key("key-1")  # same kid, different key: signature mismatch
    bad = {
        "alg-none": _unsigned(key.kid),
        "hs256-public-key": _forge_hs256_with_public_key(key),
        "expired": key.token(exp=int(time.time()) - 3600, iat=int(time.time()) - 4000),
        "wrong-aud": key.token(aud="someone-else"),
        "wrong-iss": key.token(iss="evil"),
        "refresh-typ": key.token(typ="refresh"),
        "no-sub": key.token(sub=None),
        "foreign-signature": stranger.token(),
        "garbage": "not.a.jwt",
        "empty-bearer": "",
    }
    for name, token in bad.items():
        for path, family in ((PATH, "detail"), ("/api/v1/cdp/audience-sync/audiences", "envelope")):
            response = await gateway.get(path, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, (name, path)
            body = response.json()
            if family == "detail":
                assert set(body) == {"detail"}, name
            else:
                assert body["error"]["code"] == "UNAUTHORIZED", name
            assert response.headers["www-authenticate"] == "Bearer"
    basic = await gateway.get(PATH, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401
    assert upstreams.seen == []  # nothing bad ever reached a service


async def test_unknown_kid_refetches_jwks_so_rotated_keys_work(gateway, upstreams):
    first = upstreams.keys[0]
    assert (
        await gateway.get(PATH, headers={"Authorization": f"Bearer {first.token()}"})
    ).status_code == 200
    calls = upstreams.jwks_calls
    rotated = new_key("key-2")
    upstreams.keys.append(rotated)
    gateway.gateway.jwt.min_refetch = 0
    response = await gateway.get(PATH, headers={"Authorization": f"Bearer {rotated.token()}"})
    assert response.status_code == 200
    assert upstreams.jwks_calls == calls + 1
    # The old key is still published: its tokens stay valid until they expire.
    assert (
        await gateway.get(PATH, headers={"Authorization": f"Bearer {first.token()}"})
    ).status_code == 200


async def test_client_sent_internal_headers_have_no_effect(gateway, upstreams):
    victim = str(uuid.uuid4())
    response = await gateway.get(
        PATH,
        headers={
            "X-User-Id": victim,
            "X-Internal-Token": "eyJhbGciOiJIUzI1NiJ9.forged.sig",
            "X-Plan": "enterprise",
            "X-Auth-Method": "jwt",
            "X-AdScale-User": victim,
        },
    )
    assert response.status_code == 200
    seen = upstreams.seen[-1]
    assert seen["user_id"] is None and seen["auth"] == "anonymous"
    forwarded = seen["headers"]
    assert "x-user-id" not in forwarded and "x-plan" not in forwarded
    assert "x-auth-method" not in forwarded and "x-adscale-user" not in forwarded
    assert forwarded["x-internal-token"] != "eyJhbGciOiJIUzI1NiJ9.forged.sig"


async def test_api_key_of_paid_plan_is_accepted_and_cached(gateway, upstreams):
    raw, owner = upstreams.add_api_key("pro")
    for _ in range(3):
        response = await gateway.get(PATH, headers={"X-API-Key": raw})
        assert response.status_code == 200
    seen = upstreams.seen[-1]
    assert (seen["user_id"], seen["auth"], seen["plan"]) == (owner["user_id"], "api_key", "pro")
    assert upstreams.verify_calls == 1  # cached


async def test_api_key_of_free_plan_is_refused_403(gateway, upstreams):
    raw, _ = upstreams.add_api_key("free")
    response = await gateway.get(PATH, headers={"X-API-Key": raw})
    assert response.status_code == 403
    assert "Free plan" in response.json()["detail"]
    envelope = await gateway.get("/api/v1/cdp/audience-sync/audiences", headers={"X-API-Key": raw})
    assert envelope.status_code == 403 and envelope.json()["error"]["code"] == "FORBIDDEN"


async def test_mistyped_api_key_is_refused_without_a_lookup(gateway, upstreams):
    raw, _ = upstreams.add_api_key("pro")
    typo = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    response = await gateway.get(PATH, headers={"X-API-Key": typo})
    assert response.status_code == 401
    assert upstreams.verify_calls == 0
    unknown = await gateway.get(PATH, headers={"X-API-Key": "adscale_live_" + "x" * 10})
    assert unknown.status_code == 401


async def test_revocation_event_evicts_cached_key(gateway, upstreams):
    raw, owner = upstreams.add_api_key("pro")
    assert (await gateway.get(PATH, headers={"X-API-Key": raw})).status_code == 200
    del upstreams.api_keys[raw]  # identity revoked it
    assert gateway.gateway.api_keys.evict_key(uuid.UUID(owner["api_key_id"])) == 1
    assert (await gateway.get(PATH, headers={"X-API-Key": raw})).status_code == 401


async def _told_by_identity(bootstrap: str, data: EventData) -> None:
    """Publish an identity event as identity's outbox relay would."""
    event = build(data, source="identity")
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            event.topic, event.model_dump_json().encode(), key=event.subject.encode()
        )
    finally:
        await producer.stop()


async def _refused_within(gateway, headers: dict[str, str], seconds: float) -> bool:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if (await gateway.get(PATH, headers=headers)).status_code == 401:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_revocation_event_on_kafka_refuses_the_key_within_two_seconds(
    gateway, upstreams, adscale_infra
):
    raw, owner = upstreams.add_api_key("pro")
    assert (await gateway.get(PATH, headers={"X-API-Key": raw})).status_code == 200
    await asyncio.wait_for(gateway.gateway.revocations.wait_live(), timeout=20)

    del upstreams.api_keys[raw]
    revoked = ApiKeyRevoked(
        user_id=uuid.UUID(owner["user_id"]), api_key_id=uuid.UUID(owner["api_key_id"])
    )
    await _told_by_identity(adscale_infra.kafka_bootstrap, revoked)
    assert await _refused_within(gateway, {"X-API-Key": raw}, 2.0), "revoked key still accepted"


async def test_a_token_of_an_ended_session_is_refused_within_two_seconds(
    gateway, upstreams, adscale_infra
):
    """A device signed out from the sessions list (or by signing out everywhere) loses its
    access token at once, not when the token expires; the user's other sessions go on."""
    user, ended, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    signed_out = {
        "Authorization": f"Bearer {upstreams.keys[0].token(sub=str(user), sid=str(ended))}"
    }
    still_in = {"Authorization": f"Bearer {upstreams.keys[0].token(sub=str(user), sid=str(other))}"}
    assert (await gateway.get(PATH, headers=signed_out)).status_code == 200
    assert upstreams.seen[-1]["session_id"] == str(ended)  # the services learn the session too
    await asyncio.wait_for(gateway.gateway.revocations.wait_live(), timeout=20)

    await _told_by_identity(
        adscale_infra.kafka_bootstrap, SessionsEnded(user_id=user, session_ids=[ended])
    )
    assert await _refused_within(gateway, signed_out, 2.0), "ended session's token accepted"
    assert (await gateway.get(PATH, headers=still_in)).status_code == 200
    assert upstreams.seen[-1]["session_id"] == str(other)


async def test_a_gateway_started_after_a_sign_out_still_refuses_that_sessions_token(
    upstreams, redis_clean, adscale_infra
):
    """A new instance (a restart, SCALE=2) reads back, once its listener is live, the
    sessions ended within the last access-token lifetime."""
    user, ended, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await _told_by_identity(
        adscale_infra.kafka_bootstrap, SessionsEnded(user_id=user, session_ids=[ended])
    )
    signed_out = {
        "Authorization": f"Bearer {upstreams.keys[0].token(sub=str(user), sid=str(ended))}"
    }
    still_in = {"Authorization": f"Bearer {upstreams.keys[0].token(sub=str(user), sid=str(other))}"}
    async with running_gateway(upstreams, redis_clean, adscale_infra.kafka_bootstrap) as gateway:
        await asyncio.wait_for(gateway.gateway.revocations.wait_live(), timeout=20)
        assert await _refused_within(gateway, signed_out, 10.0), "ended session's token accepted"
        assert (await gateway.get(PATH, headers=still_in)).status_code == 200


async def test_stale_credentials_do_not_block_public_endpoints(gateway, upstreams):
    expired = upstreams.keys[0].token(exp=int(time.time()) - 3600, iat=int(time.time()) - 4000)
    gateway.gateway.forwarder.upstreams["identity"] = gateway.echo_url
    refresh = await gateway.post(
        "/api/v1/auth/refresh",
        json={"refresh_token": "r"},
        headers={"Authorization": f"Bearer {expired}"},
    )
    assert refresh.status_code == 201  # reached the service, as anonymous
    assert upstreams.seen[-1]["auth"] == "anonymous"
    protected = await gateway.get(PATH, headers={"Authorization": f"Bearer {expired}"})
    assert protected.status_code == 401
    # A signed export link opened by a browser that still holds an old token.
    gateway.gateway.forwarder.upstreams["audience-sync"] = gateway.echo_url
    link = f"/api/v1/cdp/audience-sync/exports/{uuid.uuid4()}/download?expires=1&signature=s"
    opened = await gateway.get(link, headers={"Authorization": f"Bearer {expired}"})
    assert opened.status_code == 200
    assert upstreams.seen[-1]["auth"] == "anonymous"
    listing = await gateway.get(
        "/api/v1/cdp/audience-sync/exports/x", headers={"Authorization": f"Bearer {expired}"}
    )
    assert listing.status_code == 401

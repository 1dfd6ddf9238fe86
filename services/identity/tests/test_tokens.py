"""Access tokens: EdDSA, kid = RFC 7638 thumbprint, claims, JWKS, key rotation."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncSession

from identity.security import KeyConfigurationError, KeyRing, thumbprint
from identity.settings import Settings
from services.identity.tests.conftest import (
    PREVIOUS_KEY,
    SIGNING_KEY,
    anonymous,
    app_for,
    as_service,
    as_user,
    login,
    new_signing_key,
    register,
)

JWKS = "/internal/jwks"


async def fetch_jwks(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get(JWKS, headers=as_service())
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def verify_with_jwks(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """What the gateway does: pick the key by kid, pin EdDSA, check aud/iss/exp."""
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    key = jwt.PyJWK(jwk, algorithm="EdDSA").key
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=["EdDSA"],
        audience="adscale-api",
        issuer="adscale-identity",
        options={"require": ["exp", "iat", "sub", "aud", "iss"]},
    )
    return claims


async def test_access_token_claims_and_header(client: httpx.AsyncClient):
    before = int(time.time())
    user = await register(client)
    header = jwt.get_unverified_header(user.access_token)
    assert header["alg"] == "EdDSA"
    assert header["kid"] == KeyRing(SIGNING_KEY, ttl_seconds=900).kid
    claims = verify_with_jwks(user.access_token, await fetch_jwks(client))
    assert claims["iss"] == "adscale-identity"
    assert claims["aud"] == "adscale-api"
    assert claims["sub"] == str(user.id)
    assert claims["typ"] == "access"
    assert claims["plan"] == "free"
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert before <= claims["iat"] <= int(time.time())
    assert len(claims["jti"]) == 32


async def test_each_token_has_its_own_jti(client: httpx.AsyncClient):
    user = await register(client)
    again = await login(client, user.email, user.password)
    first = jwt.decode(user.access_token, options={"verify_signature": False})
    second = jwt.decode(again.json()["access_token"], options={"verify_signature": False})
    assert first["jti"] != second["jti"]


async def test_jwks_lists_current_and_previous_public_keys(client: httpx.AsyncClient):
    document = await fetch_jwks(client)
    kids = [k["kid"] for k in document["keys"]]
    assert kids == [
        KeyRing(SIGNING_KEY, ttl_seconds=900).kid,
        KeyRing(PREVIOUS_KEY, ttl_seconds=900).kid,
    ]
    for jwk in document["keys"]:
        assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}
        assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == (
            "OKP",
            "Ed25519",
            "EdDSA",
            "sig",
        )
        assert "d" not in jwk  # never the private part


async def test_expired_token_is_refused_by_the_jwks_check(client: httpx.AsyncClient):
    ring = KeyRing(SIGNING_KEY, ttl_seconds=900)
    stale = ring.issue(user_id=uuid.uuid4(), plan="free", now=time.time() - 901).token
    with pytest.raises(jwt.ExpiredSignatureError):
        verify_with_jwks(stale, await fetch_jwks(client))


async def test_rotation_keeps_tokens_of_the_previous_key_valid(
    session: AsyncSession, make_settings: Callable[..., Settings]
):
    """Day 1 signs with A; day 2 signs with B and lists A as previous: A's tokens still verify."""
    key_a, key_b = new_signing_key(), new_signing_key()
    day1 = app_for(make_settings(jwt_signing_key=key_a, jwt_previous_keys=""), session)
    day2 = app_for(make_settings(jwt_signing_key=key_b, jwt_previous_keys=key_a), session)
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=day1), base_url="http://i") as c1,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=day2), base_url="http://i") as c2,
    ):
        user = await register(c1)
        old_token = user.access_token
        jwks_after_rotation = await fetch_jwks(c2)
        assert verify_with_jwks(old_token, jwks_after_rotation)["sub"] == str(user.id)
        # New tokens are signed with B.
        signed_in = await login(c2, user.email, user.password)
        new_token = signed_in.json()["access_token"]
        assert jwt.get_unverified_header(new_token)["kid"] == KeyRing(key_b, ttl_seconds=900).kid
        assert verify_with_jwks(new_token, jwks_after_rotation)["sub"] == str(user.id)
        # Once A is dropped from the previous keys, its tokens no longer find a key.
        day3 = app_for(make_settings(jwt_signing_key=key_b, jwt_previous_keys=""), session)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=day3), base_url="http://i"
        ) as c3:
            with pytest.raises(StopIteration):
                verify_with_jwks(old_token, await fetch_jwks(c3))


def test_thumbprint_matches_rfc_8037_example():
    # RFC 8037, appendix A.2/A.3.
    x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "="))
    assert thumbprint(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_unusable_keys_are_refused_at_startup():
    with pytest.raises(KeyConfigurationError):
        KeyRing("", ttl_seconds=900)
    with pytest.raises(KeyConfigurationError):
        KeyRing("not base64!", ttl_seconds=900)
    with pytest.raises(KeyConfigurationError):
        KeyRing(base64.b64encode(b"-----BEGIN NOTHING-----").decode(), ttl_seconds=900)


def test_a_public_key_can_be_a_previous_key_but_not_the_signing_key():
    from cryptography.hazmat.primitives import serialization

    ring = KeyRing(PREVIOUS_KEY, ttl_seconds=900)
    public_pem = jwt.PyJWK(ring.jwks()["keys"][0], algorithm="EdDSA").key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    encoded = base64.b64encode(public_pem).decode()
    with pytest.raises(KeyConfigurationError):
        KeyRing(encoded, ttl_seconds=900)
    both = KeyRing(SIGNING_KEY, encoded, ttl_seconds=900)
    assert [k["kid"] for k in both.jwks()["keys"]][1] == ring.kid


async def test_jwks_is_for_services_only(client: httpx.AsyncClient):
    user_id = uuid.uuid4()
    for headers in (as_user(user_id), as_user(user_id, auth="api_key", plan="pro"), anonymous()):
        response = await client.get(JWKS, headers=headers)
        assert response.status_code == 401
    assert (await client.get(JWKS)).status_code == 401


async def test_internal_routes_are_not_in_the_public_schema(client: httpx.AsyncClient):
    spec = (await client.get("/openapi.json", headers=anonymous())).json()
    assert not any(path.startswith("/internal") for path in spec["paths"])
    assert json.dumps(spec).count("/api/v1/auth/") >= 7

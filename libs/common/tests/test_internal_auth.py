from __future__ import annotations

import time
import uuid

import jwt
import pytest

from adscale_common.errors import Unauthorized
from adscale_common.internal_auth import mint_internal_token, verify_internal_token

KEY = "k" * 43


def _claims(**changes: object) -> dict[str, object]:
    """A valid user token's claims with ``changes`` (a ``None`` drops the claim)."""
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": "adscale-gateway",
        "aud": "adscale-internal",
        "iat": now,
        "exp": now + 60,
        "auth": "jwt",
        "sub": str(uuid.uuid4()),
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _pyjwt(**changes: object) -> str:
    return jwt.encode(_claims(**changes), KEY, algorithm="HS256")


def test_round_trip_carries_user_plan_and_method():
    user = uuid.uuid4()
    token = mint_internal_token(
        KEY, user_id=user, plan="pro", auth="api_key", request_id="req-12345678"
    )
    principal = verify_internal_token(KEY, token)
    assert principal.user_id == user
    assert principal.plan == "pro"
    assert principal.auth == "api_key"
    assert principal.request_id == "req-12345678"


def test_anonymous_token_has_no_user():
    principal = verify_internal_token(
        KEY, mint_internal_token(KEY, user_id=None, plan=None, auth="anonymous")
    )
    assert principal.user_id is None and not principal.is_user


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        mint_internal_token("another-key" * 4, user_id=uuid.uuid4(), plan="pro", auth="jwt"),
        mint_internal_token(
            KEY, user_id=uuid.uuid4(), plan="pro", auth="jwt", now=time.time() - 3600
        ),
        _pyjwt(aud="someone-else"),
        _pyjwt(sub=None),  # a user method without a user
        _pyjwt(auth="root"),
    ],
    ids=["empty", "garbage", "forged-key", "expired", "wrong-aud", "no-sub", "unknown-method"],
)
def test_bad_tokens_are_refused(token):
    with pytest.raises(Unauthorized):
        verify_internal_token(KEY, token)


def test_unsigned_token_is_refused():
    token = jwt.encode(_claims(auth="service", sub=None), None, algorithm="none")
    with pytest.raises(Unauthorized):
        verify_internal_token(KEY, token)


def test_missing_key_configuration_refuses_everything():
    with pytest.raises(Unauthorized):
        verify_internal_token("", mint_internal_token(KEY, user_id=None, plan=None, auth="service"))
    with pytest.raises(ValueError):
        mint_internal_token("", user_id=None, plan=None, auth="service")


def test_a_token_pyjwt_signed_with_the_key_is_accepted():
    user_id = uuid.uuid4()
    principal = verify_internal_token(KEY, _pyjwt(sub=str(user_id), aud=["adscale-internal"]))
    assert principal.user_id == user_id and principal.auth == "jwt"


@pytest.mark.parametrize(
    "token",
    [
        _pyjwt(iss="someone"),
        _pyjwt(iat=None),
        _pyjwt(exp=None),
        _pyjwt(exp="tomorrow"),
        _pyjwt(iat=int(time.time()) + 600),
        _pyjwt(nbf=int(time.time()) + 600),
        _pyjwt(aud=None),
        _pyjwt() + ".extra",
        # The payload of one token under the signature of another.
        ".".join(
            [_pyjwt().split(".")[0], _pyjwt(auth="service").split(".")[1], _pyjwt().split(".")[2]]
        ),
        jwt.encode({"iss": "adscale-gateway"}, KEY, algorithm="HS512"),
        "é.é.é",
    ],
    ids=[
        "wrong-iss",
        "no-iat",
        "no-exp",
        "exp-not-a-time",
        "issued-in-the-future",
        "not-yet-valid",
        "no-aud",
        "four-segments",
        "swapped-payload",
        "other-algorithm",
        "non-ascii",
    ],
)
def test_tokens_failing_a_claim_or_the_signature_are_refused(token):
    with pytest.raises(Unauthorized):
        verify_internal_token(KEY, token)

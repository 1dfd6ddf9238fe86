"""A verified JWT is remembered until it expires, and forgotten when its key is withdrawn."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from gateway.auth import MAX_ACCESS_TOKEN_SECONDS, InvalidCredentials, JwtVerifier
from kit import new_key


class Jwks:
    """A JWKS document that the test changes, counting fetches."""

    def __init__(self, *keys: Any) -> None:
        self.keys = list(keys)
        self.fetches = 0

    async def fetch(self) -> dict[str, Any]:
        self.fetches += 1
        return {"keys": [key.jwk for key in self.keys]}


async def test_a_remembered_token_is_refused_once_it_expires():
    key = new_key("k1")
    verifier = JwtVerifier(Jwks(key).fetch, leeway_seconds=0)
    token = key.token(exp=int(time.time()) + 2)
    claims = await verifier.verify(token)
    assert (await verifier.verify(token)) == claims  # the second call is answered from memory
    await asyncio.sleep(max(0.0, claims["exp"] - time.time()) + 0.2)
    with pytest.raises(InvalidCredentials):
        await verifier.verify(token)


async def test_tokens_are_checked_again_once_their_key_leaves_the_jwks():
    old, new = new_key("old"), new_key("new")
    jwks = Jwks(old)
    verifier = JwtVerifier(jwks.fetch, min_refetch_seconds=0)
    remembered = old.token()
    await verifier.verify(remembered)
    jwks.keys = [new]  # identity rotated its key and withdrew the old one
    await verifier.verify(new.token())  # an unknown kid: the JWKS is fetched again
    assert jwks.fetches == 2
    with pytest.raises(InvalidCredentials):
        await verifier.verify(remembered)


async def test_a_token_that_failed_is_never_remembered_as_valid():
    key, stranger = new_key("k1"), new_key("k1")  # same kid, another private key
    verifier = JwtVerifier(Jwks(key).fetch)
    forged = stranger.token()
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            await verifier.verify(forged)
    assert (await verifier.verify(key.token(sub="someone")))["sub"] == "someone"


async def test_an_ended_session_is_refused_and_forgotten_once_no_token_of_it_can_be_current():
    key = new_key("k1")
    verifier = JwtVerifier(Jwks(key).fetch, leeway_seconds=0)
    ended, other = key.token(sid="s-ended"), key.token(sid="s-other")
    await verifier.verify(ended)  # remembered as verified before the session ended
    assert verifier.end_sessions(["s-ended"]) == 1
    assert verifier.end_sessions(["s-ended"]) == 0  # told twice: already known
    with pytest.raises(InvalidCredentials):
        await verifier.verify(ended)
    assert (await verifier.verify(other))["sid"] == "s-other"
    # An hour on (identity's longest access-token lifetime), the list lets it go: the
    # memory it takes is bounded by the sessions ended in the last hour.
    later = time.time() + MAX_ACCESS_TOKEN_SECONDS + 1
    assert verifier.end_sessions(["s-new"], now=later) == 1
    assert verifier.end_sessions(["s-ended"], now=later) == 1  # forgotten, so new again

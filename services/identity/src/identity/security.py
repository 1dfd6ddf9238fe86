"""Credentials: argon2id passwords, EdDSA access tokens and their JWKS, opaque-token hashes.

Nothing here touches the database; the services combine these with their
repositories.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import argon2
import jwt
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from adscale_contracts.internal import (
    ACCESS_TOKEN_AUDIENCE,
    ACCESS_TOKEN_ISSUER,
    ACCESS_TOKEN_TYPE,
)

JWT_ALGORITHM = "EdDSA"


class KeyConfigurationError(RuntimeError):
    """The signing keys in the settings are missing or unusable."""


# --- passwords -------------------------------------------------------------


class Passwords:
    """argon2id hashing off the event loop (argon2-cffi releases the GIL)."""

    def __init__(self, *, time_cost: int, memory_cost_kib: int, parallelism: int) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=argon2.Type.ID,
        )
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """Check ``password`` against ``stored``; with no stored hash, burn the same time."""
        if stored is None:
            await self._verify(await self._dummy_hash(), password)
            return False
        return await self._verify(stored, password)

    async def _verify(self, stored: str, password: str) -> bool:
        try:
            return await asyncio.to_thread(self._hasher.verify, stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = await self.hash(secrets.token_urlsafe(24))
        return self._dummy

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True


# --- opaque tokens ---------------------------------------------------------


def new_opaque_token() -> str:
    """256 bits of randomness, URL-safe."""
    return secrets.token_urlsafe(32)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def hmac_sha256_hex(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


# --- access tokens ---------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def thumbprint(key: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of an Ed25519 public key (RFC 8037 members)."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(_raw_public(key))}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def _load_pem_b64(encoded: str) -> tuple[Ed25519PrivateKey | None, Ed25519PublicKey]:
    """A base64 PEM: a PKCS8 private key, or (for previous keys) a SPKI public key."""
    try:
        pem = base64.b64decode(encoded.strip(), validate=True)
    except ValueError as exc:
        raise KeyConfigurationError("signing key is not valid base64") from exc
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        private = None
    if private is not None:
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyConfigurationError("signing key is not an Ed25519 key")
        return private, private.public_key()
    try:
        public = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise KeyConfigurationError("signing key is not a PEM key") from exc
    if not isinstance(public, Ed25519PublicKey):
        raise KeyConfigurationError("signing key is not an Ed25519 key")
    return None, public


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    jti: str
    expires_at: int


class KeyRing:
    """The current signing key plus the previous ones that still verify."""

    def __init__(self, signing_key: str, previous_keys: str = "", *, ttl_seconds: int) -> None:
        if not signing_key.strip():
            raise KeyConfigurationError("IDENTITY_JWT_SIGNING_KEY is not set")
        private, public = _load_pem_b64(signing_key)
        if private is None:
            raise KeyConfigurationError("IDENTITY_JWT_SIGNING_KEY must be a private key")
        self._private = private
        self.kid = thumbprint(public)
        self.ttl_seconds = ttl_seconds
        self._public: dict[str, Ed25519PublicKey] = {self.kid: public}
        for item in previous_keys.split(","):
            if item.strip():
                _, previous = _load_pem_b64(item)
                self._public.setdefault(thumbprint(previous), previous)

    def issue(
        self,
        *,
        user_id: uuid.UUID,
        plan: str,
        session_id: uuid.UUID | None = None,
        now: float | None = None,
    ) -> AccessToken:
        """An access token; ``session_id`` (the ``sid`` claim) names the sign-in session, the
        refresh-token family, it belongs to: the gateway refuses it once that session ends."""
        issued = int(now if now is not None else time.time())
        jti = uuid.uuid4().hex
        expires = issued + self.ttl_seconds
        claims: dict[str, Any] = {
            "iss": ACCESS_TOKEN_ISSUER,
            "aud": ACCESS_TOKEN_AUDIENCE,
            "sub": str(user_id),
            "iat": issued,
            "exp": expires,
            "typ": ACCESS_TOKEN_TYPE,
            "jti": jti,
            "plan": plan,
        }
        if session_id is not None:
            claims["sid"] = str(session_id)
        token = jwt.encode(
            claims, self._private, algorithm=JWT_ALGORITHM, headers={"kid": self.kid}
        )
        return AccessToken(token=token, jti=jti, expires_at=expires)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": _b64url(_raw_public(key)),
                    "kid": kid,
                    "alg": JWT_ALGORITHM,
                    "use": "sig",
                }
                for kid, key in self._public.items()
            ]
        }

"""Secrets at rest (platform tokens, webhook signing secrets): Fernet with key rotation.

``keys`` is a comma-separated list of Fernet keys (a service's ``<PREFIX>ENCRYPTION_KEYS``):
the first one encrypts, every one decrypts. To rotate, prepend a new key and restart; each
service re-encrypts what it stores under the new primary key (at worker start and when a
value is next used), after which the old key can be dropped. A value no configured key
opens (a key dropped too early, a database restored under other keys) is reported by the
``*_or_none`` methods instead of raising, so one such row never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from fastapi import Request
from pydantic import SecretStr

from adscale_common.errors import ServiceUnavailable


class TokenCipher:
    def __init__(self, keys: str, *, setting: str = "ENCRYPTION_KEYS") -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise ValueError(f"{setting} is empty: at least one Fernet key is needed")
        self._primary = Fernet(parts[0].encode())
        self._multi = MultiFernet([Fernet(k.encode()) for k in parts])

    def encrypt(self, plaintext: str) -> str:
        return self._multi.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        """The plaintext; raises ``cryptography.fernet.InvalidToken`` when no key opens it."""
        return self._multi.decrypt(ciphertext.encode()).decode()

    def is_current(self, ciphertext: str) -> bool:
        """Whether ``ciphertext`` is under the primary key."""
        try:
            self._primary.decrypt(ciphertext.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, ciphertext: str) -> str:
        """``ciphertext`` re-encrypted under the primary key."""
        return self._multi.rotate(ciphertext.encode()).decode()

    def decrypt_or_none(self, ciphertext: str) -> str | None:
        """The plaintext, or ``None`` when no configured key opens it."""
        try:
            return self.decrypt(ciphertext)
        except InvalidToken:
            return None

    def rotate_or_none(self, ciphertext: str) -> str | None:
        """``ciphertext`` under the primary key, or ``None`` when no configured key opens it."""
        try:
            return self.rotate(ciphertext)
        except InvalidToken:
            return None


def cipher_from_keys(keys: SecretStr | str, *, setting: str) -> TokenCipher | None:
    """The cipher of a service's ``<PREFIX>_ENCRYPTION_KEYS`` setting; ``None`` when unset
    (routes that need it answer 503 then, see each service's README)."""
    raw = keys.get_secret_value() if isinstance(keys, SecretStr) else keys
    return TokenCipher(raw, setting=setting) if raw.strip() else None


def required_cipher(setting: str) -> Callable[[Request], TokenCipher]:
    """A dependency giving the app's cipher (``app.state.cipher``), or a 503 naming
    ``setting`` while no key is configured."""

    def dependency(request: Request) -> TokenCipher:
        cipher: TokenCipher | None = request.app.state.cipher
        if cipher is None:
            raise ServiceUnavailable(f"Token encryption is not configured ({setting})")
        return cipher

    return dependency

"""Platform tokens at rest: Fernet with key rotation (``AUDIENCE_SYNC_ENCRYPTION_KEYS``).

The first key encrypts; every key decrypts. To rotate, prepend a new key and restart:
tokens are re-encrypted under the new primary key when they are next used, and the worker
re-encrypts every stored token at start (:func:`audience_sync.platform.service.rotate_keys`),
after which the old key can be dropped.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class TokenCipher:
    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise ValueError(
                "AUDIENCE_SYNC_ENCRYPTION_KEYS is empty: at least one Fernet key is needed"
            )
        self._primary = Fernet(parts[0].encode())
        self._multi = MultiFernet([Fernet(k.encode()) for k in parts])

    def encrypt(self, plaintext: str) -> str:
        return self._multi.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        return self._multi.decrypt(ciphertext.encode()).decode()

    def is_current(self, ciphertext: str) -> bool:
        """Whether ``ciphertext`` is under the primary key."""
        try:
            self._primary.decrypt(ciphertext.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, ciphertext: str) -> str:
        return self._multi.rotate(ciphertext.encode()).decode()

    def decrypt_or_none(self, ciphertext: str) -> str | None:
        """The plaintext, or ``None`` when no configured key opens it (a key was dropped
        or the database came from another installation)."""
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

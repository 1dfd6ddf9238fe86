"""Access tokens at rest: Fernet with key rotation (``CAMPAIGNS_ENCRYPTION_KEYS``).

The first key encrypts; every key decrypts. To rotate, prepend a new key and
restart: the worker re-encrypts stored tokens with the new primary key
(:func:`reencrypt_tokens`), after which the old key can be dropped.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from campaigns.models import AdAccount

logger = logging.getLogger(__name__)


class TokenCipher:
    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise ValueError(
                "CAMPAIGNS_ENCRYPTION_KEYS is empty: at least one Fernet key is needed"
            )
        self._fernets = [Fernet(k.encode()) for k in parts]
        self._multi = MultiFernet(self._fernets)

    def encrypt(self, plaintext: str) -> str:
        return self._multi.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        return self._multi.decrypt(ciphertext.encode()).decode()

    def is_current(self, ciphertext: str) -> bool:
        try:
            self._fernets[0].decrypt(ciphertext.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, ciphertext: str) -> str:
        return self._multi.rotate(ciphertext.encode()).decode()


async def reencrypt_tokens(session: AsyncSession, cipher: TokenCipher) -> int:
    """Re-encrypt every stored token that is not under the primary key; returns how many."""
    rows = (
        await session.execute(
            sa.select(AdAccount.id, AdAccount.access_token_encrypted)  # type: ignore[call-overload]
            .where(col(AdAccount.access_token_encrypted).is_not(None))
            .with_for_update(skip_locked=True)
        )
    ).all()
    changed = 0
    for account_id, ciphertext in rows:
        if ciphertext is None or cipher.is_current(ciphertext):
            continue
        try:
            rotated = cipher.rotate(ciphertext)
        except InvalidToken:
            logger.error("stored access token cannot be decrypted with any configured key")
            continue
        await session.execute(
            sa.update(AdAccount)
            .where(col(AdAccount.id) == account_id)
            .values(access_token_encrypted=rotated)
        )
        changed += 1
    return changed

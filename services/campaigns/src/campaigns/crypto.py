"""Access tokens at rest (``CAMPAIGNS_ENCRYPTION_KEYS``, :mod:`adscale_common.crypto`).

To rotate, prepend a new key and restart: the worker re-encrypts stored tokens with the
new primary key (:func:`reencrypt_tokens`), after which the old key can be dropped.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adscale_common.crypto import TokenCipher
from campaigns.models import AdAccount

logger = logging.getLogger(__name__)


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
        rotated = cipher.rotate_or_none(ciphertext)
        if rotated is None:
            logger.error(
                "stored access token cannot be decrypted with any configured key",
                extra={"account_id": str(account_id)},
            )
            continue
        await session.execute(
            sa.update(AdAccount)
            .where(col(AdAccount.id) == account_id)
            .values(access_token_encrypted=rotated)
        )
        changed += 1
    return changed

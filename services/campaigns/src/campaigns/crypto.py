"""Access tokens at rest (``CAMPAIGNS_ENCRYPTION_KEYS``, :mod:`adscale_common.crypto`).

To rotate, prepend a new key and restart: the worker re-encrypts stored tokens with the
new primary key (:func:`reencrypt_tokens`), after which the old key can be dropped. An
active account whose token no configured key opens is disconnected there, with
:data:`UNREADABLE_TOKEN` as its reason: the user reconnects it with a new token.
"""

from __future__ import annotations

import logging
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adscale_common.crypto import TokenCipher
from campaigns.account import repository as accounts
from campaigns.models import AdAccount

logger = logging.getLogger(__name__)

UNREADABLE_TOKEN = (
    "The stored access token can't be decrypted with the configured keys "
    "(CAMPAIGNS_ENCRYPTION_KEYS); reconnect the account with a new token"
)


class StoredTokenUnreadable(Exception):
    """No configured key decrypts the account's stored access token."""

    def __init__(self, account_id: uuid.UUID) -> None:
        super().__init__(f"ad account {account_id}: {UNREADABLE_TOKEN}")
        self.account_id = account_id


def account_token(cipher: TokenCipher, account_id: uuid.UUID, ciphertext: str) -> str:
    """The account's access token; :class:`StoredTokenUnreadable` when no key opens it."""
    token = cipher.decrypt_or_none(ciphertext)
    if token is None:
        raise StoredTokenUnreadable(account_id)
    return token


async def disconnect_unreadable(session: AsyncSession, account_id: uuid.UUID) -> None:
    """Disconnect an account whose token no configured key opens (in ``session``'s
    transaction): the user reconnects it with a new token (``PATCH /accounts/{id}``)."""
    logger.error(
        "stored access token cannot be decrypted with any configured key; account disconnected",
        extra={"account_id": str(account_id)},
    )
    await accounts.mark_disconnected(session, account_id, UNREADABLE_TOKEN)


async def reencrypt_tokens(session: AsyncSession, cipher: TokenCipher) -> int:
    """Re-encrypt the token of every active account that is not under the primary key;
    returns how many. One no configured key opens disconnects its account (once: the next
    start-up passes over it, as over every disconnected account's token, which only a
    reconnect with a new token makes usable again)."""
    rows = (
        await session.execute(
            sa.select(AdAccount.id, AdAccount.access_token_encrypted)  # type: ignore[call-overload]
            .where(
                col(AdAccount.access_token_encrypted).is_not(None),
                col(AdAccount.status) == "active",
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    changed = 0
    for account_id, ciphertext in rows:
        if ciphertext is None or cipher.is_current(ciphertext):
            continue
        rotated = cipher.rotate_or_none(ciphertext)
        if rotated is None:
            await disconnect_unreadable(session, account_id)
            continue
        await session.execute(
            sa.update(AdAccount)
            .where(col(AdAccount.id) == account_id)
            .values(access_token_encrypted=rotated)
        )
        changed += 1
    return changed

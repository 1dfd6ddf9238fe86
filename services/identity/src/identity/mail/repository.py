"""Every query on the mailer's tables: password_reset_mail and account_notice_mail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, delete, select, update

from identity.models import AccountNoticeMail, PasswordReset, PasswordResetMail, User

MailTable = type[PasswordResetMail] | type[AccountNoticeMail]


@dataclass(frozen=True, slots=True)
class Claimed:
    """A pending mail held by this worker until ``locked_until``, with what sending needs."""

    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    sealed_token: str
    attempts: int
    expires_at: datetime
    used: bool
    requested_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimedNotice:
    """A pending security notice held by this worker until ``locked_until``."""

    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    kind: str
    occurred_at: datetime
    attempts: int


async def add(
    session: AsyncSession, mail: PasswordResetMail | AccountNoticeMail
) -> PasswordResetMail | AccountNoticeMail:
    session.add(mail)
    await session.flush()
    return mail


async def claim_due(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int
) -> list[Claimed]:
    """Lock up to ``limit`` due mails no other worker holds and lease them to the caller."""
    rows = (
        await session.execute(
            select(PasswordResetMail, PasswordReset, User.email)
            .join(PasswordReset, col(PasswordReset.id) == col(PasswordResetMail.password_reset_id))
            .join(User, col(User.id) == col(PasswordReset.user_id))
            .where(
                col(PasswordResetMail.next_attempt_at) <= now,
                (col(PasswordResetMail.locked_until).is_(None))
                | (col(PasswordResetMail.locked_until) < now),
            )
            .order_by(col(PasswordResetMail.next_attempt_at))
            .limit(limit)
            .with_for_update(of=PasswordResetMail, skip_locked=True)
        )
    ).all()
    claimed = [
        Claimed(
            id=mail.id,
            user_id=reset.user_id,
            email=email,
            sealed_token=mail.sealed_token,
            attempts=mail.attempts + 1,
            expires_at=reset.expires_at,
            used=reset.used_at is not None,
            requested_at=mail.created_at,
        )
        for mail, reset, email in rows
    ]
    if claimed:
        await session.execute(
            update(PasswordResetMail)
            .where(col(PasswordResetMail.id).in_([mail.id for mail in claimed]))
            .values(locked_until=now + lease, attempts=col(PasswordResetMail.attempts) + 1)
        )
    return claimed


async def claim_due_notices(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int
) -> list[ClaimedNotice]:
    """As :func:`claim_due`, for security notices."""
    rows = (
        await session.execute(
            select(AccountNoticeMail, User.email)
            .join(User, col(User.id) == col(AccountNoticeMail.user_id))
            .where(
                col(AccountNoticeMail.next_attempt_at) <= now,
                (col(AccountNoticeMail.locked_until).is_(None))
                | (col(AccountNoticeMail.locked_until) < now),
            )
            .order_by(col(AccountNoticeMail.next_attempt_at))
            .limit(limit)
            .with_for_update(of=AccountNoticeMail, skip_locked=True)
        )
    ).all()
    claimed = [
        ClaimedNotice(
            id=notice.id,
            user_id=notice.user_id,
            email=email,
            kind=notice.kind,
            occurred_at=notice.occurred_at,
            attempts=notice.attempts + 1,
        )
        for notice, email in rows
    ]
    if claimed:
        await session.execute(
            update(AccountNoticeMail)
            .where(col(AccountNoticeMail.id).in_([notice.id for notice in claimed]))
            .values(locked_until=now + lease, attempts=col(AccountNoticeMail.attempts) + 1)
        )
    return claimed


async def remove(session: AsyncSession, table: MailTable, mail_id: uuid.UUID) -> None:
    await session.execute(delete(table).where(col(table.id) == mail_id))


async def retry_later(
    session: AsyncSession, table: MailTable, mail_id: uuid.UUID, *, at: datetime, error: str
) -> None:
    await session.execute(
        update(table)
        .where(col(table.id) == mail_id)
        .values(next_attempt_at=at, locked_until=None, last_error=error)
    )

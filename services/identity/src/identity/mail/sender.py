"""The worker's mailer: sends pending reset links and security notices ("your password
was changed") by SMTP, within about a second.

Each pass leases due rows (so several workers never send one link twice while they
live), sends outside any transaction, then deletes the row: the sealed token is gone
once the mail is out. A failure is retried with backoff until ``MAIL_MAX_ATTEMPTS`` or
the link's expiry, then reported (error log) and dropped; a refused recipient is
dropped at once. Logs carry the user id, never the address or the link.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adscale_common.types import utcnow
from adscale_common.worker import WorkerContext
from identity.mail import repository, transport
from identity.mail.message import compose_password_changed_message, compose_reset_message
from identity.mail.repository import Claimed, ClaimedNotice
from identity.mail.sealing import TokenSeal
from identity.models import AccountNoticeMail, PasswordResetMail
from identity.settings import Settings

logger = logging.getLogger(__name__)

BATCH = 20
BACKOFF_CAP = timedelta(minutes=5)


def lease_for(settings: Settings) -> timedelta:
    """Long enough for one batch of sends that each run into the SMTP timeout."""
    return timedelta(seconds=max(60.0, settings.smtp_timeout_seconds * 3 * BATCH))


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(attempts, 10)), BACKOFF_CAP)


async def _finish(
    sessionmaker: async_sessionmaker[AsyncSession],
    table: repository.MailTable,
    mail_id: uuid.UUID,
    *,
    retry_at: datetime | None = None,
    error: str = "",
) -> None:
    async with sessionmaker() as session, session.begin():
        if retry_at is None:
            await repository.remove(session, table, mail_id)
        else:
            await repository.retry_later(session, table, mail_id, at=retry_at, error=error)


async def _send(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    table: repository.MailTable,
    mail_id: uuid.UUID,
    message: EmailMessage,
    *,
    attempts: int,
    expires_at: datetime | None,
    log: dict[str, object],
) -> bool:
    """Send ``message``; the row goes once sent, or is retried with backoff until
    ``MAIL_MAX_ATTEMPTS`` or ``expires_at``, then reported and dropped."""
    try:
        await transport.send(settings, message)
    except Exception as exc:  # every SMTP/network failure is retried or reported below
        error = transport.describe(exc)
        retry_at = utcnow() + backoff(attempts)
        if (
            transport.is_permanent(exc)
            or attempts >= settings.mail_max_attempts
            or (expires_at is not None and retry_at >= expires_at)
        ):
            await _finish(sessionmaker, table, mail_id)
            logger.error("mail undeliverable; dropped", extra={**log, "error": error})
        else:
            await _finish(sessionmaker, table, mail_id, retry_at=retry_at, error=error)
            logger.warning(
                "mail not sent; will retry",
                extra={**log, "error": error, "retry_at": retry_at.isoformat()},
            )
        return False
    await _finish(sessionmaker, table, mail_id)
    return True


async def _deliver(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    seal: TokenSeal,
    mail: Claimed,
) -> bool:
    log = {
        "mail": "password_reset",
        "user_id": str(mail.user_id),
        "mail_id": str(mail.id),
        "attempt": mail.attempts,
    }
    now = utcnow()
    if mail.used or mail.expires_at <= now:
        await _finish(sessionmaker, PasswordResetMail, mail.id)
        logger.info("reset mail dropped: the link is spent or expired", extra=log)
        return False
    token = seal.open_or_none(mail.sealed_token)
    if token is None:
        await _finish(sessionmaker, PasswordResetMail, mail.id)
        logger.error(
            "reset mail dropped: IDENTITY_RESET_TOKEN_SECRET changed since the request", extra=log
        )
        return False
    message = compose_reset_message(
        settings, to=mail.email, token=token, expires_at=mail.expires_at, now=now
    )
    sent = await _send(
        sessionmaker,
        settings,
        PasswordResetMail,
        mail.id,
        message,
        attempts=mail.attempts,
        expires_at=mail.expires_at,
        log=log,
    )
    if sent:
        waited = (utcnow() - mail.requested_at).total_seconds()
        logger.info(
            "password reset mail sent", extra={**log, "seconds_after_request": round(waited, 3)}
        )
    return sent


async def _deliver_notice(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, notice: ClaimedNotice
) -> bool:
    log = {
        "mail": notice.kind,
        "user_id": str(notice.user_id),
        "mail_id": str(notice.id),
        "attempt": notice.attempts,
    }
    message = compose_password_changed_message(
        settings, to=notice.email, occurred_at=notice.occurred_at, now=utcnow()
    )
    sent = await _send(
        sessionmaker,
        settings,
        AccountNoticeMail,
        notice.id,
        message,
        attempts=notice.attempts,
        expires_at=None,
        log=log,
    )
    if sent:
        logger.info("account notice sent", extra=log)
    return sent


async def deliver_due(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> tuple[int, int]:
    """One pass over reset links and security notices: (mails claimed, mails sent)."""
    problem = transport.smtp_problem(settings)
    if problem is not None:
        raise transport.MailNotConfigured(problem)
    now, lease = utcnow(), lease_for(settings)
    async with sessionmaker() as session, session.begin():
        claimed = await repository.claim_due(session, now=now, lease=lease, limit=BATCH)
        notices = await repository.claim_due_notices(session, now=now, lease=lease, limit=BATCH)
    seal = TokenSeal(settings.reset_token_secret)
    sent = 0
    for mail in claimed:
        sent += await _deliver(sessionmaker, settings, seal, mail)
    for notice in notices:
        sent += await _deliver_notice(sessionmaker, settings, notice)
    return len(claimed) + len(notices), sent


def mailer_task(settings: Settings) -> Callable[[WorkerContext], Awaitable[None]]:
    """The worker task; raises :class:`MailNotConfigured` before it starts when it may not run."""
    problem = transport.smtp_problem(settings)
    if problem is not None:
        raise transport.MailNotConfigured(problem)

    async def reset_mailer(ctx: WorkerContext) -> None:
        logger.info(
            "reset mailer started",
            extra={"smtp_host": settings.smtp_host, "smtp_port": settings.smtp_port},
        )
        while not ctx.stopping.is_set():
            claimed, _ = await deliver_due(ctx.sessionmaker, settings)
            if claimed:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ctx.stopping.wait(), timeout=settings.mail_poll_seconds)

    return reset_mailer

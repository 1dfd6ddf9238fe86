"""The worker's mailer: sends pending reset links by SMTP, within about a second.

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
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adscale_common.types import utcnow
from adscale_common.worker import WorkerContext
from identity.mail import repository, transport
from identity.mail.message import compose_reset_message
from identity.mail.repository import Claimed
from identity.mail.sealing import TokenSeal
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
    mail: Claimed,
    *,
    retry_at: datetime | None = None,
    error: str = "",
) -> None:
    async with sessionmaker() as session, session.begin():
        if retry_at is None:
            await repository.remove(session, mail.id)
        else:
            await repository.retry_later(session, mail.id, at=retry_at, error=error)


async def _deliver(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    seal: TokenSeal,
    mail: Claimed,
) -> bool:
    log = {"user_id": str(mail.user_id), "mail_id": str(mail.id), "attempt": mail.attempts}
    now = utcnow()
    if mail.used or mail.expires_at <= now:
        await _finish(sessionmaker, mail)
        logger.info("reset mail dropped: the link is spent or expired", extra=log)
        return False
    token = seal.open_or_none(mail.sealed_token)
    if token is None:
        await _finish(sessionmaker, mail)
        logger.error(
            "reset mail dropped: IDENTITY_RESET_TOKEN_SECRET changed since the request", extra=log
        )
        return False
    message = compose_reset_message(
        settings, to=mail.email, token=token, expires_at=mail.expires_at, now=now
    )
    try:
        await transport.send(settings, message)
    except Exception as exc:  # every SMTP/network failure is retried or reported below
        error = transport.describe(exc)
        retry_at = utcnow() + backoff(mail.attempts)
        if (
            transport.is_permanent(exc)
            or mail.attempts >= settings.mail_max_attempts
            or retry_at >= mail.expires_at
        ):
            await _finish(sessionmaker, mail)
            logger.error("reset mail undeliverable; dropped", extra={**log, "error": error})
        else:
            await _finish(sessionmaker, mail, retry_at=retry_at, error=error)
            logger.warning(
                "reset mail not sent; will retry",
                extra={**log, "error": error, "retry_at": retry_at.isoformat()},
            )
        return False
    await _finish(sessionmaker, mail)
    waited = (utcnow() - mail.requested_at).total_seconds()
    logger.info(
        "password reset mail sent", extra={**log, "seconds_after_request": round(waited, 3)}
    )
    return True


async def deliver_due(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> tuple[int, int]:
    """One pass: (mails claimed, mails sent)."""
    problem = transport.smtp_problem(settings)
    if problem is not None:
        raise transport.MailNotConfigured(problem)
    async with sessionmaker() as session, session.begin():
        claimed = await repository.claim_due(
            session, now=utcnow(), lease=lease_for(settings), limit=BATCH
        )
    seal = TokenSeal(settings.reset_token_secret)
    sent = 0
    for mail in claimed:
        sent += await _deliver(sessionmaker, settings, seal, mail)
    return len(claimed), sent


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

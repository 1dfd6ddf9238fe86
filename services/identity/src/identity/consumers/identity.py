"""``identity.events`` (our own): the mailer delivers password reset links."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.events import Envelope
from adscale_common.types import utcnow
from adscale_contracts.events import PasswordResetRequested, parse
from identity.mailer import deliver_reset_link
from identity.settings import Settings

logger = logging.getLogger(__name__)

GROUP = "identity-mailer"
TOPIC = "identity.events"

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


def handlers(settings: Settings) -> dict[str, Handler]:
    async def on_password_reset_requested(session: AsyncSession, envelope: Envelope) -> None:
        request = parse(envelope, PasswordResetRequested)
        if request.expires_at <= utcnow():
            # A replay (new consumer group, DLQ re-drive): the link would not work anyway.
            logger.info("expired reset link not delivered", extra={"user_id": str(request.user_id)})
            return
        await deliver_reset_link(
            settings,
            user_id=request.user_id,
            email=request.email,
            token=request.token,
            expires_at=request.expires_at,
        )

    return {PasswordResetRequested.TYPE: on_password_reset_requested}

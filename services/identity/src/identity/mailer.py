"""Delivery of password reset links: SMTP when configured, else the log (development).

The log line carries the user id and the link, never the address.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
import uuid
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import urlencode

from identity.settings import Settings

logger = logging.getLogger(__name__)


def reset_link(settings: Settings, token: str) -> str:
    separator = "&" if "?" in settings.reset_url else "?"
    return f"{settings.reset_url}{separator}{urlencode({'token': token})}"


def compose_reset_message(
    settings: Settings, *, to: str, link: str, expires_at: datetime
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "Reset your AdScale password"
    message["From"] = settings.mail_from
    message["To"] = to
    expiry = expires_at.strftime("%Y-%m-%d %H:%M UTC")
    message.set_content(
        "Someone asked to reset the password of your AdScale account.\n\n"
        f"Choose a new password here (the link works once, until {expiry}):\n{link}\n\n"
        "If it was not you, ignore this message: your password stays the same.\n"
    )
    return message


def _send_smtp(settings: Settings, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.smtp_ssl:
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=settings.smtp_timeout_seconds,
            context=context,
        )
    else:
        smtp = smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        )
    with smtp:
        if not settings.smtp_ssl and settings.smtp_starttls:
            smtp.starttls(context=context)
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


async def deliver_reset_link(
    settings: Settings, *, user_id: uuid.UUID, email: str, token: str, expires_at: datetime
) -> None:
    link = reset_link(settings, token)
    if not settings.smtp_host:
        logger.warning(
            "SMTP not configured; password reset link for development use",
            extra={"user_id": str(user_id), "reset_link": link},
        )
        return
    message = compose_reset_message(settings, to=email, link=link, expires_at=expires_at)
    await asyncio.to_thread(_send_smtp, settings, message)
    logger.info("password reset mail sent", extra={"user_id": str(user_id)})

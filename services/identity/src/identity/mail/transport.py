"""SMTP delivery, and whether the settings allow it at all.

There is no other way out: without a usable SMTP server a reset link is not sent
(and never logged).
"""

from __future__ import annotations

import asyncio
import ipaddress
import smtplib
import ssl
from email.message import EmailMessage

from identity.settings import Settings

LOOPBACK_NAMES = frozenset({"localhost"})


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def smtp_problem(settings: Settings) -> str | None:
    """Why these settings cannot mail reset links, or ``None`` when they can."""
    if settings.environment == "development":
        return None
    if not settings.smtp_host:
        return (
            f"IDENTITY_SMTP_HOST is not set (required when IDENTITY_ENVIRONMENT is "
            f"{settings.environment!r}); reset links are not sent"
        )
    if not (settings.smtp_ssl or settings.smtp_starttls) and not _is_loopback(settings.smtp_host):
        return (
            "SMTP to a remote host without TLS would expose reset links: "
            "set IDENTITY_SMTP_STARTTLS=true or IDENTITY_SMTP_SSL=true"
        )
    return None


class MailNotConfigured(RuntimeError):
    """The mailer refuses to run: sending would fail or leak, and logging links is never done."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_permanent(exc: Exception) -> bool:
    """An answer that will not change on retry (a refused recipient, a 5xx reply)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPAuthenticationError)
    return False


def describe(exc: Exception) -> str:
    """What went wrong, without the message body or the address."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__}: SMTP {exc.smtp_code}"
    return type(exc).__name__


def _send(settings: Settings, message: EmailMessage) -> None:
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


async def send(settings: Settings, message: EmailMessage) -> None:
    """One message over a fresh SMTP connection, off the event loop."""
    await asyncio.to_thread(_send, settings, message)

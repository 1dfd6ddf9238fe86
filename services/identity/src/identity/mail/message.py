"""The emails identity sends: the password-reset link and the notice of a password change,
text and HTML parts from the templates beside this module."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from identity.settings import Settings

SUBJECT = "Reset your AdScale password"
CHANGED_SUBJECT = "Your AdScale password was changed"
RESET_PATH = "/reset-password"
FORGOT_PATH = "/forgot-password"

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def reset_link(settings: Settings, token: str) -> str:
    """The dashboard's reset page on the gateway's public URL."""
    return f"{settings.public_url.rstrip('/')}{RESET_PATH}?{urlencode({'token': token})}"


def _sender_domain(mail_from: str) -> str:
    message = EmailMessage()
    message["From"] = mail_from
    addresses: tuple[Address, ...] = message["From"].addresses
    return addresses[0].domain if addresses and addresses[0].domain else "adscale.local"


def compose_reset_message(
    settings: Settings, *, to: str, token: str, expires_at: datetime, now: datetime
) -> EmailMessage:
    context = {
        "link": reset_link(settings, token),
        "expires_at": expires_at.strftime("%Y-%m-%d %H:%M UTC"),
        "valid_minutes": max(1, math.ceil((expires_at - now).total_seconds() / 60)),
    }
    return _message(settings, SUBJECT, "password_reset", context, to=to, now=now)


def compose_password_changed_message(
    settings: Settings, *, to: str, occurred_at: datetime, now: datetime
) -> EmailMessage:
    """The notice of a password change, with a way to take the account back: the
    dashboard's forgot-password page (a reset link goes to this address)."""
    context = {
        "link": f"{settings.public_url.rstrip('/')}{FORGOT_PATH}",
        "occurred_at": occurred_at.strftime("%Y-%m-%d %H:%M UTC"),
    }
    return _message(settings, CHANGED_SUBJECT, "password_changed", context, to=to, now=now)


def _message(
    settings: Settings,
    subject: str,
    template: str,
    context: Mapping[str, object],
    *,
    to: str,
    now: datetime,
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.mail_from
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=_sender_domain(settings.mail_from))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_templates.get_template(f"{template}.txt").render(context))
    message.add_alternative(
        _templates.get_template(f"{template}.html").render(context), subtype="html"
    )
    return message

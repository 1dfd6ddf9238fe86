"""The mailer consumer: SMTP when configured, else the link in the log (never the address)."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from email import message_from_bytes
from email.message import Message

import pytest

from adscale_common.types import utcnow
from adscale_contracts.events import PasswordResetRequested, build
from identity.consumers import identity as identity_consumer
from identity.settings import Settings


class FakeSmtpServer:
    """Just enough of RFC 5321 for smtplib: EHLO, MAIL, RCPT, DATA, QUIT."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        reply("220 fake ESMTP")
        sender, recipients = "", []
        while line := (await reader.readline()).decode().rstrip("\r\n"):
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                reply("250 fake")
            elif verb == "MAIL":
                sender = line.split(":", 1)[1].strip(" <>")
                reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].strip(" <>"))
                reply("250 OK")
            elif verb == "DATA":
                reply("354 go ahead")
                await writer.drain()
                data = await reader.readuntil(b"\r\n.\r\n")
                self.messages.append((sender, recipients, message_from_bytes(data[:-5])))
                reply("250 queued")
            elif verb == "QUIT":
                reply("221 bye")
                await writer.drain()
                break
            else:
                reply("250 OK")
            await writer.drain()
        writer.close()


@pytest.fixture
async def smtp() -> AsyncIterator[FakeSmtpServer]:
    server = FakeSmtpServer()
    await server.start()
    yield server
    await server.stop()


def reset_event(email: str) -> tuple[uuid.UUID, str, object]:
    user_id = uuid.uuid4()
    token = f"tok-{uuid.uuid4().hex}"
    envelope = build(
        PasswordResetRequested(
            user_id=user_id, email=email, token=token, expires_at=utcnow() + timedelta(hours=1)
        ),
        source="identity",
    )
    return user_id, token, envelope


async def test_reset_link_goes_out_by_smtp(
    smtp: FakeSmtpServer, make_settings: Callable[..., Settings]
):
    settings = make_settings(
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_starttls=False,
        reset_url="https://app.example.com/reset",
        mail_from="AdScale <no-reply@example.com>",
    )
    handler = identity_consumer.handlers(settings)["identity.password_reset_requested"]
    _, token, envelope = reset_event("someone@example.com")
    await handler(None, envelope)  # type: ignore[arg-type]
    assert len(smtp.messages) == 1
    sender, recipients, message = smtp.messages[0]
    assert sender == "no-reply@example.com"
    assert recipients == ["someone@example.com"]
    assert message["To"] == "someone@example.com"
    assert (
        f"https://app.example.com/reset?token={token}" in message.get_payload(decode=True).decode()
    )


async def test_without_smtp_the_link_is_logged_with_the_user_id_only(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
):
    settings = make_settings(smtp_host="")
    handler = identity_consumer.handlers(settings)["identity.password_reset_requested"]
    email = "secret-person@example.com"
    user_id, token, envelope = reset_event(email)
    with caplog.at_level(logging.INFO):
        await handler(None, envelope)  # type: ignore[arg-type]
    records = [r for r in caplog.records if r.name.startswith("identity")]
    assert any(
        getattr(r, "user_id", None) == str(user_id) and token in getattr(r, "reset_link", "")
        for r in records
    )
    everything = json.dumps([r.__dict__ for r in caplog.records], default=str)
    assert email not in everything


async def test_smtp_failure_raises_so_the_consumer_retries(
    make_settings: Callable[..., Settings],
):
    settings = make_settings(smtp_host="127.0.0.1", smtp_port=1, smtp_timeout_seconds=2)
    handler = identity_consumer.handlers(settings)["identity.password_reset_requested"]
    _, _, envelope = reset_event("someone@example.com")
    with pytest.raises(OSError):
        await handler(None, envelope)  # type: ignore[arg-type]


async def test_expired_requests_are_not_delivered(
    smtp: FakeSmtpServer, make_settings: Callable[..., Settings]
):
    settings = make_settings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_starttls=False)
    handler = identity_consumer.handlers(settings)["identity.password_reset_requested"]
    envelope = build(
        PasswordResetRequested(
            user_id=uuid.uuid4(),
            email="someone@example.com",
            token="old",
            expires_at=utcnow() - timedelta(seconds=1),
        ),
        source="identity",
    )
    await handler(None, envelope)  # type: ignore[arg-type]
    assert smtp.messages == []

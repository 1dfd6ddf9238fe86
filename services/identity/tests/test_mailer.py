"""The reset mailer: links go from identity's own table to Mailpit by SMTP, never to a log."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adscale_common.db import make_sessionmaker
from adscale_common.mailbox import Mail, Mailbox
from adscale_common.messaging import outbox_event
from adscale_common.types import utcnow
from adscale_common.worker import WorkerContext
from identity.mail.sender import deliver_due, mailer_task
from identity.main import create_app
from identity.models import PasswordReset, PasswordResetMail, User
from identity.settings import Settings
from services.identity.tests.conftest import (
    Registered,
    asgi_client,
    forgot,
    login,
    register,
    reset,
    unique_email,
)

LINK = re.compile(r"https://adscale\.example\.com/reset-password\?token=[A-Za-z0-9_\-%]+")


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def live_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with its own engine: every request commits, as in production."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def live_client(live_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(live_app) as c:
        yield c


@pytest.fixture
async def cleanup(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[list[str]]:
    """Addresses whose users (and, by cascade, resets and pending mails) and whose events
    go at the end: these tests commit, and other tests count the outbox."""
    emails: list[str] = []
    yield emails
    async with sessionmaker() as s, s.begin():
        deleted = await s.execute(
            sa.delete(User).where(User.email.in_(emails)).returning(User.id)  # type: ignore[attr-defined]
        )
        keys = [str(user_id) for user_id in deleted.scalars()]
        await s.execute(outbox_event.delete().where(outbox_event.c.key.in_(keys)))


@pytest.fixture
async def user(live_client: httpx.AsyncClient, cleanup: list[str]) -> Registered:
    """A registered (committed) user, removed with everything of theirs at the end."""
    registered = await register(live_client, unique_email("mail"))
    cleanup.append(registered.email)
    return registered


async def pending_mails(sessionmaker: async_sessionmaker[AsyncSession], user_id: uuid.UUID) -> list:  # type: ignore[type-arg]
    async with sessionmaker() as s:
        return list(
            (
                await s.execute(
                    sa.select(PasswordResetMail)
                    .join(PasswordReset, PasswordReset.id == PasswordResetMail.password_reset_id)
                    .where(PasswordReset.user_id == user_id)
                )
            )
            .scalars()
            .all()
        )


def token_of(mail: Mail) -> str:
    found = LINK.findall(mail.text)
    assert len(found) == 1, mail.text
    return parse_qs(urlsplit(found[0]).query)["token"][0]


async def test_reset_mail_arrives_with_text_html_headers_and_a_working_link(
    live_client: httpx.AsyncClient,
    user: Registered,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
):
    assert (await forgot(live_client, user.email)).status_code == 202
    claimed, sent = await deliver_due(sessionmaker, settings)
    assert (claimed, sent) == (1, 1)

    [mail] = await Mailbox().wait_for(user.email)
    assert mail.subject == "Reset your AdScale password"
    assert mail.sender == "no-reply@adscale.local"
    assert mail.to == [user.email]
    assert abs(parsedate_to_datetime(mail.headers["Date"][0]) - utcnow()) < timedelta(minutes=1)
    assert re.fullmatch(r"<[^@<>]+@adscale\.local>", mail.headers["Message-Id"][0])
    assert mail.headers["Content-Type"][0].startswith("multipart/alternative")
    token = token_of(mail)
    assert f'href="https://adscale.example.com/reset-password?token={token}"' in mail.html
    assert "expires in 60 minutes" in mail.text
    # Sent means gone: no sealed copy of the token is kept.
    assert await pending_mails(sessionmaker, user.id) == []

    assert (await reset(live_client, token, "mailed new password")).status_code == 204
    assert (await login(live_client, user.email, "mailed new password")).status_code == 200


async def test_a_changed_password_is_told_to_the_user_by_mail(
    live_client: httpx.AsyncClient,
    user: Registered,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
):
    changed = await live_client.post(
        "/api/v1/auth/change-password",
        json={"current_password": user.password, "new_password": "changed by someone"},
        headers=user.headers,
    )
    assert changed.status_code == 200, changed.text
    assert await deliver_due(sessionmaker, settings) == (1, 1)
    [mail] = await Mailbox().wait_for(user.email)
    assert mail.subject == "Your AdScale password was changed"
    assert mail.to == [user.email]
    assert re.search(r"was changed on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", mail.text)
    # The way back for a user who did not make the change: a reset link by mail.
    assert "https://adscale.example.com/forgot-password" in mail.text
    assert 'href="https://adscale.example.com/forgot-password"' in mail.html
    assert await deliver_due(sessionmaker, settings) == (0, 0)  # sent once, then gone

    # A reset by link changes the password too: told the same way.
    assert (await forgot(live_client, user.email)).status_code == 202
    assert await deliver_due(sessionmaker, settings) == (1, 1)
    mails = await Mailbox().wait_for(user.email, count=2)
    [reset_mail] = [m for m in mails if m.subject == "Reset your AdScale password"]
    link = token_of(reset_mail)
    assert (await reset(live_client, link, "reset by its owner")).status_code == 204
    assert await deliver_due(sessionmaker, settings) == (1, 1)
    notices = [
        m
        for m in await Mailbox().wait_for(user.email, count=3)
        if m.subject == "Your AdScale password was changed"
    ]
    assert len(notices) == 2


async def test_the_worker_task_mails_within_seconds(
    live_client: httpx.AsyncClient,
    user: Registered,
    engine: AsyncEngine,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
):
    ctx = WorkerContext(settings=settings, engine=engine, sessionmaker=sessionmaker)
    task = asyncio.create_task(mailer_task(settings)(ctx))
    try:
        started = time.monotonic()
        await forgot(live_client, user.email)
        mails = await Mailbox().wait_for(user.email, timeout=5)
        elapsed = time.monotonic() - started
    finally:
        ctx.stopping.set()
        await asyncio.wait_for(task, timeout=5)
    assert len(mails) == 1
    assert elapsed < 5


async def test_repeated_requests_are_capped_per_address_with_the_same_202(
    live_client: httpx.AsyncClient,
    user: Registered,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
):
    assert settings.reset_mail_limit == 3
    answers = [await forgot(live_client, user.email) for _ in range(5)]
    ghost = await forgot(live_client, unique_email("ghost"))
    assert {a.status_code for a in answers} == {ghost.status_code} == {202}
    assert {json.dumps(a.json()) for a in answers} == {json.dumps(ghost.json())}
    assert len(await pending_mails(sessionmaker, user.id)) == 3
    await deliver_due(sessionmaker, settings)
    assert len(await Mailbox().wait_for(user.email, count=3)) == 3


async def test_an_unreachable_smtp_server_is_retried_then_reported(
    live_client: httpx.AsyncClient,
    user: Registered,
    make_settings: Callable[..., Settings],
    sessionmaker: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
):
    down = make_settings(smtp_port=1, smtp_timeout_seconds=2, mail_max_attempts=2)
    await forgot(live_client, user.email)

    assert await deliver_due(sessionmaker, down) == (1, 0)
    [mail] = await pending_mails(sessionmaker, user.id)
    assert mail.attempts == 1 and mail.locked_until is None
    assert mail.last_error == "ConnectionRefusedError"
    assert mail.next_attempt_at > utcnow()
    # Not due yet: nothing claimed.
    assert await deliver_due(sessionmaker, down) == (0, 0)

    async with sessionmaker() as s, s.begin():
        await s.execute(sa.update(PasswordResetMail).values(next_attempt_at=utcnow()))
    with caplog.at_level(logging.WARNING):
        assert await deliver_due(sessionmaker, down) == (1, 0)
    assert await pending_mails(sessionmaker, user.id) == []
    reports = [r for r in caplog.records if r.getMessage() == "mail undeliverable; dropped"]
    assert len(reports) == 1, [r.getMessage() for r in caplog.records]
    report = reports[0]
    assert report.levelno == logging.ERROR
    assert getattr(report, "mail", None) == "password_reset"
    assert getattr(report, "user_id", None) == str(user.id)


async def test_spent_links_are_not_mailed(
    live_client: httpx.AsyncClient,
    user: Registered,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
):
    await forgot(live_client, user.email)
    async with sessionmaker() as s, s.begin():
        await s.execute(
            sa.update(PasswordReset)
            .where(PasswordReset.user_id == user.id)  # type: ignore[arg-type]
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert await deliver_due(sessionmaker, settings) == (1, 0)
    assert await pending_mails(sessionmaker, user.id) == []
    assert await Mailbox().messages_to(user.email) == []


async def test_the_whole_reset_logs_neither_token_nor_address(
    live_client: httpx.AsyncClient,
    user: Registered,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.DEBUG)
    await forgot(live_client, user.email)
    await deliver_due(sessionmaker, settings)
    [mail] = await Mailbox().wait_for(user.email)
    token = token_of(mail)
    await reset(live_client, token, "quiet new password")
    logged = json.dumps(
        [{"msg": r.getMessage(), **r.__dict__} for r in caplog.records], default=str
    )
    assert "password reset mail sent" in logged
    assert token not in logged
    assert user.email not in logged

"""Without a usable SMTP server outside development the mailer refuses to run, and says why."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adscale_common.db import make_sessionmaker
from identity.mail.sender import deliver_due, mailer_task
from identity.mail.transport import MailNotConfigured
from identity.settings import Settings
from identity.worker import worker_tasks
from services.identity.tests.conftest import app_for


@pytest.mark.parametrize("environment", ["production", "test"])
def test_the_mailer_refuses_to_start_without_smtp_outside_development(
    make_settings: Callable[..., Settings], environment: str, caplog: pytest.LogCaptureFixture
):
    settings = make_settings(environment=environment, smtp_host="")
    with pytest.raises(MailNotConfigured, match="IDENTITY_SMTP_HOST is not set"):
        mailer_task(settings)
    with caplog.at_level(logging.ERROR):
        tasks = worker_tasks(settings)
    # The rest of the worker runs (housekeeping); the refusal is logged once with its reason.
    assert [getattr(t, "__name__", "") for t in tasks] == ["purge_expired_tokens"]
    [refusal] = [r for r in caplog.records if r.getMessage() == "reset mailer refuses to run"]
    assert "IDENTITY_SMTP_HOST" in getattr(refusal, "reason", "")


async def test_a_pass_without_smtp_refuses_instead_of_logging_links(
    make_settings: Callable[..., Settings], engine: AsyncEngine
):
    with pytest.raises(MailNotConfigured):
        await deliver_due(make_sessionmaker(engine), make_settings(smtp_host=""))


def test_a_remote_smtp_host_needs_tls_outside_development(make_settings: Callable[..., Settings]):
    plain = make_settings(environment="production", smtp_host="smtp.example.com")
    with pytest.raises(MailNotConfigured, match="without TLS"):
        mailer_task(plain)
    mailer_task(
        make_settings(environment="production", smtp_host="smtp.example.com", smtp_starttls=True)
    )
    mailer_task(
        make_settings(environment="production", smtp_host="smtp.example.com", smtp_ssl=True)
    )


def test_development_defaults_to_the_local_mailpit():
    settings = Settings(environment="development")
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == (
        "127.0.0.1",
        1025,
        False,
    )
    mailer_task(settings)
    kept = Settings(environment="development", smtp_host="mail.internal", smtp_port=2525)
    assert (kept.smtp_host, kept.smtp_port, kept.smtp_starttls) == ("mail.internal", 2525, True)
    assert Settings().environment == "production"
    assert Settings().smtp_host == ""


async def test_health_is_degraded_with_the_reason_when_mail_cannot_go_out(
    make_settings: Callable[..., Settings], session: AsyncSession
):
    broken = app_for(make_settings(environment="production", smtp_host=""), session)
    working = app_for(make_settings(), session)
    async with broken.router.lifespan_context(broken), working.router.lifespan_context(working):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=broken), base_url="http://identity"
        ) as client:
            degraded = await client.get("/health")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=working), base_url="http://identity"
        ) as client:
            healthy = await client.get("/health")
    assert degraded.status_code == 503
    body = degraded.json()
    assert body["status"] == "degraded"
    assert body["checks"]["mail"].startswith("error: IDENTITY_SMTP_HOST is not set")
    assert body["checks"]["database"] == "ok"
    assert healthy.status_code == 200
    assert healthy.json()["checks"]["mail"] == "ok"

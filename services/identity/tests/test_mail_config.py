"""Without a usable SMTP server outside development the mailer refuses to run, and says why."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

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
async def test_the_mailer_refuses_to_start_without_smtp_outside_development(
    make_settings: Callable[..., Settings], environment: str, caplog: pytest.LogCaptureFixture
):
    settings = make_settings(environment=environment, smtp_host="")
    with pytest.raises(MailNotConfigured, match="IDENTITY_SMTP_HOST is not set"):
        mailer_task(settings)
    # The rest of the worker runs (housekeeping); in the mailer's place, its refusal.
    tasks = worker_tasks(settings)
    names = [getattr(t, "__name__", "") for t in tasks]
    assert names == ["purge_expired_tokens", "reset_mailer_refused"]
    with caplog.at_level(logging.ERROR):
        await tasks[1](None)  # type: ignore[arg-type]
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
    # Degraded, with the reason, but still serving: sign-in does not depend on mail.
    assert degraded.status_code == 200
    body = degraded.json()
    assert body["status"] == "degraded"
    assert body["checks"]["mail"].startswith("error: IDENTITY_SMTP_HOST is not set")
    assert body["checks"]["database"] == "ok"
    assert healthy.status_code == 200
    assert healthy.json()["checks"]["mail"] == "ok"


async def test_the_worker_process_runs_without_its_mailer_and_says_why(
    database_url: str, adscale_infra: Any
):
    """``python -m identity.worker`` in production without SMTP: the refusal is in its log,
    the rest of the worker starts."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("IDENTITY_", "ADSCALE_ENVIRONMENT"))
    }
    env.update(
        IDENTITY_DATABASE_URL=database_url,
        IDENTITY_KAFKA_BOOTSTRAP=adscale_infra.kafka_bootstrap,
        IDENTITY_ENVIRONMENT="production",
        IDENTITY_LOG_JSON="true",
    )
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "identity.worker",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert worker.stdout is not None
    lines: list[dict[str, Any]] = []
    try:
        wanted = {"worker started", "reset mailer refuses to run"}
        async with asyncio.timeout(60):
            while not wanted <= {line.get("msg") for line in lines}:
                raw = await worker.stdout.readline()
                assert raw, f"the worker exited: {lines}"
                if raw.startswith(b"{"):
                    lines.append(json.loads(raw))
    finally:
        worker.send_signal(signal.SIGTERM)
        await asyncio.wait_for(worker.wait(), timeout=30)
    messages = [line["msg"] for line in lines]
    refusal = lines[messages.index("reset mailer refuses to run")]
    assert refusal["level"] == "error"
    assert "IDENTITY_SMTP_HOST is not set" in refusal["reason"]
    assert "reset mailer started" not in messages

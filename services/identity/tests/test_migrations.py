"""The Alembic history: matches the models, and goes down to base and up again."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from adscale_common.messaging import metadata as messaging_metadata
from adscale_common.settings import async_database_url
from adscale_common.testing import schema_drift, scratch_database
from identity.models import metadata

SERVICE = Path(__file__).resolve().parents[1]
ALEMBIC = Path(sys.executable).with_name("alembic")


def alembic(url: str, *args: str) -> None:
    env = {**os.environ, "IDENTITY_DATABASE_URL": url}
    result = subprocess.run(
        [str(ALEMBIC), "-c", str(SERVICE / "alembic.ini"), *args],
        cwd=SERVICE,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def tables(url: str) -> set[str]:
    engine = create_async_engine(async_database_url(url))
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    return names


async def test_downgrade_to_base_and_upgrade_again(adscale_infra: Any):
    async with scratch_database(adscale_infra.database_url, prefix="identity_mig") as url:
        await asyncio.to_thread(alembic, url, "upgrade", "head")
        expected = {
            "user",
            "refresh_token",
            "api_key",
            "password_reset",
            "password_reset_mail",
            "outbox_event",
        }
        assert expected | {"inbox_event", "alembic_version"} <= await tables(url)
        assert await schema_drift(url, [metadata, messaging_metadata]) == []
        await asyncio.to_thread(alembic, url, "downgrade", "base")
        assert await tables(url) == {"alembic_version"}
        await asyncio.to_thread(alembic, url, "upgrade", "head")
        assert await schema_drift(url, [metadata, messaging_metadata]) == []
        await asyncio.to_thread(alembic, url, "downgrade", "0001")
        assert "user" not in await tables(url) and "outbox_event" in await tables(url)


async def test_0003_leaves_no_reset_token_or_address_in_the_outbox(adscale_infra: Any):
    token, email = "raw-reset-token-0123456789", "someone@example.com"
    async with scratch_database(adscale_infra.database_url, prefix="identity_mig") as url:
        await asyncio.to_thread(alembic, url, "upgrade", "0002")
        engine = create_async_engine(async_database_url(url))
        try:
            async with engine.begin() as conn:
                for sent in (True, False):
                    await conn.execute(
                        sa.text(
                            "INSERT INTO outbox_event"
                            " (id, topic, key, event_type, payload, sent_at) VALUES"
                            " (gen_random_uuid(), 'identity.events', 'u', :type,"
                            " CAST(:payload AS jsonb), CASE WHEN :sent THEN now() END)"
                        ),
                        {
                            "type": "identity.password_reset_requested",
                            "payload": json.dumps(
                                {
                                    "type": "identity.password_reset_requested",
                                    "data": {
                                        "user_id": "u",
                                        "email": email,
                                        "token": token,
                                        "expires_at": "2026-12-05T12:00:00Z",
                                    },
                                }
                            ),
                            "sent": sent,
                        },
                    )
                await conn.execute(
                    sa.text(
                        "INSERT INTO outbox_event (id, topic, key, event_type, payload)"
                        " VALUES (gen_random_uuid(), 'identity.events', 'u',"
                        " 'identity.password_changed', CAST(:payload AS jsonb))"
                    ),
                    {"payload": json.dumps({"data": {"user_id": "u", "token": "unrelated"}})},
                )
            await asyncio.to_thread(alembic, url, "upgrade", "head")
            async with engine.connect() as conn:
                rows = (
                    await conn.execute(sa.text("SELECT event_type, payload FROM outbox_event"))
                ).all()
        finally:
            await engine.dispose()
    resets = [payload for kind, payload in rows if kind == "identity.password_reset_requested"]
    assert len(resets) == 2
    for payload in resets:
        assert payload["data"] == {"user_id": "u", "expires_at": "2026-12-05T12:00:00Z"}
        assert token not in json.dumps(payload) and email not in json.dumps(payload)
    # Other events are left as they were.
    [other] = [payload for kind, payload in rows if kind == "identity.password_changed"]
    assert other["data"]["token"] == "unrelated"

"""No email, password or token in the logs, whatever the flow."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.tests.conftest import (
    anonymous,
    as_service,
    pending_token,
    register,
    unique_email,
)


async def test_flows_log_no_raw_identifiers_or_secrets(
    client: httpx.AsyncClient, session: AsyncSession, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    email = unique_email("private")
    user = await register(client, email, password="my secret password")
    await client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": "wrong guess 123"},
        headers=anonymous(),
    )
    await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": user.refresh_token}, headers=anonymous()
    )
    await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": user.refresh_token}, headers=anonymous()
    )
    key = (await client.post("/api/v1/api-keys", json={"name": "k"}, headers=user.headers)).json()
    await client.post("/internal/api-keys/verify", json={"key": key["key"]}, headers=as_service())
    await client.post("/api/v1/auth/forgot-password", json={"email": email}, headers=anonymous())
    token = await pending_token(session, user.id)
    await client.post(
        "/api/v1/auth/reset-password",
        json={"token": token, "new_password": "next secret password"},
        headers=anonymous(),
    )
    logged = json.dumps(
        [{"msg": r.getMessage(), **r.__dict__} for r in caplog.records], default=str
    )
    assert caplog.records  # the flows did log something
    for secret in (
        email,
        "my secret password",
        "wrong guess 123",
        "next secret password",
        user.refresh_token,
        user.access_token,
        key["key"],
        token,
    ):
        assert secret not in logged

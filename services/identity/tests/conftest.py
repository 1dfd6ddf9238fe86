"""Identity fixtures: real PostgreSQL migrated by Alembic, each test rolled back."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from adscale_common.db import read_connection, read_session, request_session
from adscale_common.mailbox import smtp_address
from adscale_common.messaging import outbox_event
from adscale_common.testing import ServiceDatabase, internal_headers
from identity.mail.sealing import TokenSeal
from identity.main import create_app
from identity.models import PasswordReset, PasswordResetMail
from identity.settings import Settings

KEY = "test-internal-key-0123456789abcdef"
API_KEY_SECRET = "test-api-key-hmac-secret"
RESET_SECRET = "test-reset-token-secret"
PASSWORD = "correct horse 1"
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


def new_signing_key() -> str:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return base64.b64encode(pem).decode()


SIGNING_KEY = new_signing_key()
PREVIOUS_KEY = new_signing_key()


@pytest.fixture(scope="session")
def service_database() -> ServiceDatabase:
    return ServiceDatabase(ALEMBIC_INI, prefix="identity")


@pytest.fixture(scope="session")
def make_settings(database_url: str, adscale_infra: Any) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "kafka_bootstrap": adscale_infra.kafka_bootstrap,
            "internal_token_key": KEY,
            "jwt_signing_key": SIGNING_KEY,
            "jwt_previous_keys": PREVIOUS_KEY,
            "api_key_hmac_secret": API_KEY_SECRET,
            "reset_token_secret": RESET_SECRET,
            # OWASP's second option (19 MiB, t=2): the floor the settings accept, and quick.
            "password_time_cost": 2,
            "password_memory_cost_kib": 19456,
            "password_parallelism": 1,
            # Mail goes to the Mailpit deploy/provision.sh runs (ADSCALE_MAILPIT_SMTP).
            "environment": "test",
            "smtp_host": smtp_address()[0],
            "smtp_port": smtp_address()[1],
            "smtp_starttls": False,
            "public_url": "https://adscale.example.com",
            "log_json": True,
        }
        values.update(overrides)
        return Settings(**values)

    return build


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


def app_for(settings: Settings, session: AsyncSession) -> FastAPI:
    app = create_app(settings)

    async def override() -> AsyncIterator[AsyncSession]:
        # Same contract as request_session: commit on success, roll back on error
        # (here to a savepoint inside the test's outer transaction).
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()

    async def read_override() -> AsyncIterator[AsyncSession]:
        yield session  # the test's own transaction: read-only routes see its rows

    app.dependency_overrides[request_session] = override

    async def read_connection_override() -> AsyncIterator[AsyncConnection]:
        yield await session.connection()  # the test's transaction, as read_override

    app.dependency_overrides[read_session] = read_override
    app.dependency_overrides[read_connection] = read_connection_override
    return app


@pytest.fixture
async def app(settings: Settings, session: AsyncSession) -> FastAPI:
    return app_for(settings, session)


def asgi_client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://identity")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as c:
        yield c


def anonymous() -> dict[str, str]:
    return internal_headers(KEY, user_id=None, plan=None, auth="anonymous")


NEW_PASSWORD = "a whole new password"


async def forgot(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/forgot-password", json={"email": email}, headers=anonymous()
    )


async def reset(
    client: httpx.AsyncClient, token: str, password: str = NEW_PASSWORD
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/reset-password",
        json={"token": token, "new_password": password},
        headers=anonymous(),
    )


async def login(
    client: httpx.AsyncClient, email: str, password: str, *, user_agent: str = "identity-tests"
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": password},
        headers=anonymous() | {"User-Agent": user_agent},
    )


def as_user(
    user_id: uuid.UUID | str,
    *,
    auth: str = "jwt",
    plan: str = "free",
    session_id: uuid.UUID | str | None = None,
) -> dict[str, str]:
    return internal_headers(KEY, user_id=user_id, plan=plan, auth=auth, session_id=session_id)  # type: ignore[arg-type]


def as_service() -> dict[str, str]:
    return internal_headers(KEY, user_id=None, plan=None, auth="service")


@dataclass
class Registered:
    id: uuid.UUID
    email: str
    password: str
    access_token: str
    refresh_token: str
    session_id: str

    @property
    def headers(self) -> dict[str, str]:
        """What the gateway would forward after verifying this user's JWT."""
        return as_user(self.id, session_id=self.session_id)


def unique_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


async def register(
    client: httpx.AsyncClient,
    email: str | None = None,
    password: str = PASSWORD,
    *,
    user_agent: str = "identity-tests",
) -> Registered:
    email = email or unique_email()
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": password},
        headers=anonymous() | {"User-Agent": user_agent},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    return Registered(
        id=uuid.UUID(claims["sub"]),
        email=email,
        password=password,
        access_token=body["access_token"],
        refresh_token=body["refresh_token"],
        session_id=claims["sid"],
    )


async def outbox(session: AsyncSession, event_type: str | None = None) -> list[dict[str, Any]]:
    """Outbox payloads written in this test's transaction, oldest first."""
    query = sa.select(outbox_event.c.payload).order_by(outbox_event.c.seq)
    if event_type is not None:
        query = query.where(outbox_event.c.event_type == event_type)
    return [row.payload for row in (await session.execute(query)).all()]


async def pending_token(session: AsyncSession, user_id: uuid.UUID) -> str:
    """The raw token of the user's newest reset link still waiting for the mailer."""
    sealed = (
        await session.execute(
            sa.select(PasswordResetMail.sealed_token)
            .join(PasswordReset, PasswordReset.id == PasswordResetMail.password_reset_id)
            .where(PasswordReset.user_id == user_id)
            .order_by(PasswordReset.created_at.desc())
            .limit(1)
        )
    ).scalar_one()
    token = TokenSeal(RESET_SECRET).open_or_none(sealed)
    assert token is not None
    return token

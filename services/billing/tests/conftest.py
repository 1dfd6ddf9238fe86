"""Billing tests: real PostgreSQL (migrated once), the real stripe-mock, real Kafka where marked.

stripe-mock comes from ``ADSCALE_TEST_STRIPE_API_BASE`` (``make test`` provisions
it and exports the address). Without it the suite fails loudly: Stripe calls
are never faked by patching stripe-python.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.testing import ServiceDatabase, internal_headers

sys.path.insert(0, str(Path(__file__).parent))

from billing.settings import Settings
from kit import KEY, StripeRecorder, app_client, make_settings

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def stripe_api_base() -> str:
    base = os.environ.get("ADSCALE_TEST_STRIPE_API_BASE", "").rstrip("/")
    if not base:
        pytest.fail(
            "ADSCALE_TEST_STRIPE_API_BASE is not set: billing tests run against stripe-mock "
            "(`make test` or `bash deploy/provision.sh up` starts it on 127.0.0.1:12111).",
            pytrace=False,
        )
    try:
        answer = httpx.get(
            f"{base}/v1/customers", headers={"Authorization": "Bearer sk_test_123"}, timeout=5
        )
    except httpx.HTTPError as exc:
        pytest.fail(f"stripe-mock at {base} does not answer: {exc!r}", pytrace=False)
    if answer.status_code != 200:
        pytest.fail(f"stripe-mock at {base} answered {answer.status_code}", pytrace=False)
    return base


@pytest.fixture(scope="session")
def service_database() -> ServiceDatabase:
    return ServiceDatabase(ALEMBIC_INI, prefix="billing", pool_size=5)


@pytest.fixture
def settings(database_url: str, stripe_api_base: str) -> Settings:
    return make_settings(database_url, stripe_api_base)


@pytest.fixture
def recorder() -> StripeRecorder:
    return StripeRecorder()


@pytest.fixture
async def client(
    settings: Settings, session: AsyncSession, recorder: StripeRecorder
) -> AsyncIterator[httpx.AsyncClient]:
    async for c in app_client(settings, session, recorder):
        yield c


@pytest.fixture
def user_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def user_headers(user_id: uuid.UUID) -> dict[str, str]:
    return internal_headers(KEY, user_id=user_id, plan="free", auth="jwt")


@pytest.fixture
def anonymous_headers() -> dict[str, str]:
    return internal_headers(KEY, user_id=None, plan=None, auth="anonymous")

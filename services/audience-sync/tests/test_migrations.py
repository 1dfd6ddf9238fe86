"""Every table the Alembic history creates is exactly its model (all of the service's
models, the messaging tables included)."""

from __future__ import annotations

from typing import Any

import audience_sync.export.models
import audience_sync.privacy.models
import audience_sync.webhook.models
from adscale_common.messaging import metadata as messaging_metadata
from adscale_common.testing import schema_drift
from audience_sync.models import metadata


async def test_the_migrations_match_every_model(database_url: str) -> None:
    assert audience_sync.export.models.SegmentExport.__table__.metadata is metadata
    assert audience_sync.webhook.models.WebhookSubscription.__table__.metadata is metadata
    assert audience_sync.privacy.models.Erasure.__table__.metadata is metadata
    drift: list[Any] = await schema_drift(database_url, [metadata, messaging_metadata])
    assert drift == []

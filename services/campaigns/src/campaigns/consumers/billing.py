"""``billing.events`` -> the local plan projection (thin: translate and call the service)."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.events import Envelope
from adscale_contracts.events import PlanChanged, parse
from campaigns.plan import service as plans

logger = logging.getLogger(__name__)

CONSUMER_GROUP = "campaigns.billing"
TOPIC = "billing.events"


async def on_plan_changed(session: AsyncSession, envelope: Envelope) -> None:
    event = parse(envelope, PlanChanged)
    changed_at = event.effective_at or envelope.occurred_at
    applied = await plans.apply_plan_change(session, event.user_id, event.new_plan, changed_at)
    logger.info(
        "plan projection updated" if applied else "stale plan change ignored",
        extra={"plan": event.new_plan, "event_type": envelope.type},
    )


HANDLERS = {PlanChanged.TYPE: on_plan_changed}

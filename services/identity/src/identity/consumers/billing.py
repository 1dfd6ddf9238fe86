"""``billing.events``: keep the user's plan projection in step with billing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.events import Envelope
from adscale_contracts.events import PlanChanged, parse
from identity.user import service as users

GROUP = "identity-plan-projection"
TOPIC = "billing.events"


async def on_plan_changed(session: AsyncSession, envelope: Envelope) -> None:
    await users.apply_plan_change(
        session, parse(envelope, PlanChanged), occurred_at=envelope.occurred_at
    )


HANDLERS = {PlanChanged.TYPE: on_plan_changed}

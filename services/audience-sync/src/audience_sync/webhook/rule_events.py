"""``campaigns.events`` → ``rule.executed`` deliveries.

Campaigns emits ``campaigns.rule_executed`` for every action an optimization rule applied
(and every undo restore). This consumer queues one delivery per enabled subscription of
the rule's owner that lists ``rule.executed``, through the same delivery rows, retries and
signing as the sync events. It runs under the shared ``ConsumerRunner``: the inbox makes a
redelivered event a no-op, an event that does not match the contract is retried then
dead-lettered to ``campaigns.events.dlq``, and the other campaigns events are ignored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.events import Envelope
from adscale_common.worker import ConsumerSpec
from adscale_contracts.events import RuleExecuted, parse
from audience_sync.webhook import payloads
from audience_sync.webhook.delivery import queue

CAMPAIGNS_TOPIC = "campaigns.events"


async def handle_rule_executed(session: AsyncSession, envelope: Envelope) -> None:
    event = parse(envelope, RuleExecuted)
    await queue(
        session,
        user_id=event.user_id,
        event=payloads.RULE_EXECUTED,
        envelope=envelope,
        data=payloads.rule_data(event, envelope.occurred_at),
    )


def consumer_spec(settings: Any) -> ConsumerSpec:
    group = getattr(settings, "rule_webhooks_consumer_group", None)
    return ConsumerSpec(
        name=str(group or "audience-sync-rule-webhooks"),
        topics=[CAMPAIGNS_TOPIC],
        handlers={RuleExecuted.TYPE: handle_rule_executed},
    )

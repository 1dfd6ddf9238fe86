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

from adscale_common.worker import ConsumerSpec
from adscale_contracts.events import RuleExecuted
from audience_sync.webhook import payloads
from audience_sync.webhook.queueing import delivering, delivery_consumer

CAMPAIGNS_TOPIC = "campaigns.events"


handle_rule_executed = delivering(
    RuleExecuted,
    payloads.RULE_EXECUTED,
    lambda event, envelope: payloads.rule_data(event, envelope.occurred_at),
)


def consumer_spec(settings: Any) -> ConsumerSpec:
    return delivery_consumer(
        settings,
        "rule_webhooks_consumer_group",
        "audience-sync-rule-webhooks",
        CAMPAIGNS_TOPIC,
        {RuleExecuted.TYPE: handle_rule_executed},
    )

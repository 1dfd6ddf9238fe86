"""Subscriptions: apply what Stripe's events say, under the rules of ``state``; read them back.

Every change is made with the subscription row locked; the user's plan is
then recomputed (``subscription.entitlement.sync_user_plan``), which emits
``billing.plan_changed`` in the same transaction when the plan moved.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from billing.customer import repository as customers
from billing.models import Subscription
from billing.plan.catalogue import PlanId
from billing.subscription import entitlement, repository
from billing.subscription.state import TERMINAL, accepts_status, effective_status, is_stale

logger = logging.getLogger(__name__)

Outcome = Literal["applied", "stale", "terminal", "unmatched", "ignored"]
Payment = Literal["paid", "failed"]


@dataclass(frozen=True, slots=True)
class EventRef:
    """The Stripe event a change comes from."""

    id: str
    type: str
    created: int  # Stripe epoch seconds


@dataclass(frozen=True, slots=True)
class SubscriptionFacts:
    """What one event says about one subscription; ``None`` means "not said"."""

    stripe_subscription_id: str
    user_id: uuid.UUID | None = None
    plan: PlanId | None = None
    customer_id: str | None = None
    price_id: str | None = None
    # A full subscription object (customer.subscription.*): status and dates as given.
    snapshot: bool = False
    status: str | None = None
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    cancel_at: datetime | None = None
    canceled_at: datetime | None = None
    # An invoice outcome (invoice.paid / invoice.payment_failed).
    payment: Payment | None = None
    first_invoice: bool = False


def status_after_payment(current: str | None, payment: Payment, *, first_invoice: bool) -> str:
    """Where an invoice outcome takes a subscription.

    A paid invoice recovers a subscription waiting for money (``past_due``,
    ``unpaid``, ``incomplete``); a failed one puts a live subscription in
    ``past_due`` (a failed first invoice leaves it ``incomplete``).
    """
    if payment == "paid":
        if current is None or current in ("past_due", "unpaid", "incomplete"):
            return "active"
        return current
    if current is None:
        return "incomplete" if first_invoice else "past_due"
    if current in ("active", "trialing"):
        return "past_due"
    return current


def _target_status(current: str | None, facts: SubscriptionFacts) -> str | None:
    if facts.payment is not None:
        return status_after_payment(current, facts.payment, first_invoice=facts.first_invoice)
    return facts.status


async def apply(
    session: AsyncSession,
    event: EventRef,
    facts: SubscriptionFacts,
    *,
    reason: str,
    now: datetime,
) -> Outcome:
    """Apply ``facts`` from ``event`` to the subscription and resync its user's plan."""
    row = await repository.lock_by_stripe_id(session, facts.stripe_subscription_id)
    if row is None:
        user_id = facts.user_id
        if user_id is None and facts.customer_id:
            user_id = await customers.user_for_customer(session, facts.customer_id)
        status = _target_status(None, facts)
        if user_id is None or facts.plan is None or status is None:
            logger.warning(
                "stripe event names an unknown subscription without user or plan",
                extra={"stripe_event_id": event.id, "type": event.type},
            )
            return "unmatched"
        row = await repository.insert_if_absent(
            session,
            stripe_subscription_id=facts.stripe_subscription_id,
            user_id=user_id,
            plan=facts.plan,
            status=status,
        )
    if is_stale(event.created, row.last_event_created):
        logger.info(
            "stale stripe event ignored",
            extra={"stripe_event_id": event.id, "type": event.type},
        )
        return "stale"
    if row.status in TERMINAL:
        # Stripe never revives an ended subscription: nothing a later event says applies.
        _mark(row, event)
        await session.flush()
        return "terminal"

    _apply_facts(row, facts)
    _mark(row, event)
    await session.flush()
    await entitlement.sync_user_plan(session, row.user_id, reason=reason, now=now)
    return "applied"


def _apply_facts(row: Subscription, facts: SubscriptionFacts) -> None:
    target = _target_status(row.status, facts)
    if target is not None and accepts_status(row.status, target):
        row.status = target
    if facts.plan is not None and facts.snapshot:
        # Only a subscription object says which price it is on now (a portal
        # upgrade changes the price, not the metadata written at checkout).
        row.plan = facts.plan
    if facts.customer_id:
        row.stripe_customer_id = facts.customer_id
    if facts.price_id:
        row.stripe_price_id = facts.price_id
    if facts.snapshot:
        if facts.current_period_end is not None:
            row.current_period_end = facts.current_period_end
        row.cancel_at_period_end = facts.cancel_at_period_end
        row.cancel_at = facts.cancel_at
        row.canceled_at = facts.canceled_at
    elif facts.current_period_end is not None and (
        row.current_period_end is None or facts.current_period_end > row.current_period_end
    ):
        # An invoice only ever extends the paid period.
        row.current_period_end = facts.current_period_end


def _mark(row: Subscription, event: EventRef) -> None:
    if event.created >= row.last_event_created:
        row.last_event_created = event.created
        row.last_event_id = event.id


async def expire_scheduled_cancellations(session: AsyncSession, now: datetime) -> int:
    """Downgrade users whose cancel-at-period-end date passed (Stripe's
    ``customer.subscription.deleted`` may come later, or never reach us).

    Returns how many users changed plan.
    """
    changed = 0
    for user_id in await repository.users_past_scheduled_end(session, now):
        if await entitlement.sync_user_plan(
            session, user_id, reason="subscription_period_ended", now=now
        ):
            changed += 1
    return changed


async def current_for(
    session: AsyncSession, user_id: uuid.UUID, now: datetime
) -> Subscription | None:
    """The user's subscription that has not ended (a scheduled cancellation whose date
    passed counts as ended), preferring one that grants a plan; ``None`` otherwise."""
    sub = await repository.latest_open(session, user_id)
    if sub is None or effective_status(sub, now) in TERMINAL:
        return None
    return sub

"""The subscription state machine, as pure functions (no I/O).

Statuses are Stripe's. Which ones grant the paid plan, and which moves are
allowed, is decided here:

* ``active``, ``trialing`` and ``past_due`` grant the plan (``past_due`` is
  Stripe's retry window: the customer keeps access while Stripe retries the
  card); every other status means Free.
* A subscription set to cancel at period end (``cancel_at_period_end`` or a
  ``cancel_at`` date) keeps its plan until that moment, then grants nothing.
* ``canceled`` and ``incomplete_expired`` are terminal: Stripe never revives
  such a subscription, so no later (or late) event moves it out of them.
* ``incomplete`` and ``trialing`` are entry states: once a subscription has
  left them it never goes back (a late ``customer.subscription.created`` with
  ``incomplete`` does not undo the ``active`` a paid invoice set).
* An event older (Stripe ``created``) than the newest one applied to the
  subscription changes nothing at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from billing.plan.catalogue import PlanId, as_plan_id, best_of

GRANTING = frozenset({"active", "trialing", "past_due"})
TERMINAL = frozenset({"canceled", "incomplete_expired"})
ENTRY = frozenset({"incomplete", "trialing"})


class SubscriptionState(Protocol):
    @property
    def plan(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def current_period_end(self) -> datetime | None: ...
    @property
    def cancel_at_period_end(self) -> bool: ...
    @property
    def cancel_at(self) -> datetime | None: ...


def is_stale(event_created: int, last_applied_created: int) -> bool:
    """An event older than the newest applied one must not roll the subscription back."""
    return event_created < last_applied_created


def accepts_status(current: str | None, new: str) -> bool:
    """May a subscription in ``current`` move to ``new``?"""
    if current is None or current == new:
        return True
    if current in TERMINAL:
        return False
    return new not in ENTRY


def ends_at(sub: SubscriptionState) -> datetime | None:
    """When a scheduled cancellation takes effect (``None``: renews)."""
    if sub.cancel_at is not None:
        return sub.cancel_at
    if sub.cancel_at_period_end:
        return sub.current_period_end
    return None


def grants_plan(sub: SubscriptionState, now: datetime) -> bool:
    if sub.status not in GRANTING:
        return False
    end = ends_at(sub)
    return end is None or end > now


def effective_status(sub: SubscriptionState, now: datetime) -> str:
    """The status to show: a cancellation whose date passed reads ``canceled``
    even before Stripe's ``customer.subscription.deleted`` arrives."""
    end = ends_at(sub)
    if sub.status in GRANTING and end is not None and end <= now:
        return "canceled"
    return sub.status


def entitled_plan(subs: list[SubscriptionState], now: datetime) -> PlanId:
    """The plan a user is on: the best plan among subscriptions that grant one, else Free."""
    return best_of([as_plan_id(s.plan) for s in subs if grants_plan(s, now)])

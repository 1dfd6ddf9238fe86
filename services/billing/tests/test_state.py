"""The subscription state machine's rules, as pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from billing.subscription.service import status_after_payment
from billing.subscription.state import (
    accepts_status,
    effective_status,
    entitled_plan,
    grants_plan,
    is_stale,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@dataclass
class Sub:
    plan: str = "pro"
    status: str = "active"
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    cancel_at: datetime | None = None


@pytest.mark.parametrize(
    ("status", "grants"),
    [
        ("active", True),
        ("trialing", True),
        ("past_due", True),
        ("incomplete", False),
        ("incomplete_expired", False),
        ("unpaid", False),
        ("paused", False),
        ("canceled", False),
    ],
)
def test_which_statuses_grant_the_plan(status: str, grants: bool):
    assert grants_plan(Sub(status=status), NOW) is grants


def test_a_scheduled_cancellation_grants_until_its_date():
    end = NOW + timedelta(days=3)
    sub = Sub(current_period_end=end, cancel_at_period_end=True)
    assert grants_plan(sub, NOW)
    assert not grants_plan(sub, end)
    assert effective_status(sub, NOW) == "active"
    assert effective_status(sub, end + timedelta(seconds=1)) == "canceled"
    renewing = Sub(current_period_end=NOW - timedelta(days=1))
    assert grants_plan(renewing, NOW), "a renewing subscription is not ended by a late invoice"
    dated = Sub(cancel_at=NOW + timedelta(hours=1))
    assert grants_plan(dated, NOW) and not grants_plan(dated, NOW + timedelta(hours=2))


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (None, "active", True),
        ("incomplete", "active", True),
        ("active", "past_due", True),
        ("past_due", "active", True),
        ("past_due", "unpaid", True),
        ("unpaid", "active", True),
        ("active", "canceled", True),
        ("trialing", "active", True),
        ("active", "incomplete", False),
        ("active", "trialing", False),
        ("canceled", "active", False),
        ("canceled", "past_due", False),
        ("incomplete_expired", "active", False),
        ("canceled", "canceled", True),
    ],
)
def test_allowed_transitions(current: str | None, new: str, allowed: bool):
    assert accepts_status(current, new) is allowed


def test_staleness_compares_stripe_created():
    assert is_stale(99, 100)
    assert not is_stale(100, 100)
    assert not is_stale(101, 100)


def test_payment_outcomes():
    assert status_after_payment(None, "paid", first_invoice=True) == "active"
    assert status_after_payment("past_due", "paid", first_invoice=False) == "active"
    assert status_after_payment("trialing", "paid", first_invoice=False) == "trialing"
    assert status_after_payment("active", "failed", first_invoice=False) == "past_due"
    assert status_after_payment(None, "failed", first_invoice=True) == "incomplete"
    assert status_after_payment(None, "failed", first_invoice=False) == "past_due"
    assert status_after_payment("incomplete", "failed", first_invoice=True) == "incomplete"
    assert status_after_payment("canceled", "failed", first_invoice=False) == "canceled"


def test_the_best_granting_plan_wins():
    assert entitled_plan([], NOW) == "free"
    assert entitled_plan([Sub(plan="pro"), Sub(plan="enterprise", status="canceled")], NOW) == "pro"
    assert (
        entitled_plan([Sub(plan="pro"), Sub(plan="enterprise", status="past_due")], NOW)
        == "enterprise"
    )

"""Every event type has a schema; samples round-trip through the envelope; drift fails loudly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from adscale_common.events import Envelope
from adscale_contracts.events import (
    EVENT_TYPES,
    PlanChanged,
    SyncCompleted,
    build,
    parse,
    parse_any,
)

U = uuid.uuid4


def samples() -> list:
    from adscale_contracts import events as e

    now = datetime(2026, 2, 14, 12, 34, 56, tzinfo=UTC)
    return [
        e.UserRegistered(user_id=U(), plan="free", external_user_id="crm-42"),
        e.ApiKeyCreated(user_id=U(), api_key_id=U(), prefix="adscale_live_AbC123"),
        e.ApiKeyRevoked(user_id=U(), api_key_id=U()),
        e.PasswordResetRequested(
            user_id=U(), email="a@example.com", token="t" * 43, expires_at=now
        ),
        e.PasswordChanged(user_id=U()),
        e.PlanChanged(
            user_id=U(), old_plan="free", new_plan="pro", reason="checkout.session.completed"
        ),
        e.CampaignCreated(
            campaign_id=U(),
            user_id=U(),
            ad_account_id=U(),
            platform="meta",
            name="Spring",
            status="draft",
        ),
        e.CampaignUpdated(
            campaign_id=U(),
            user_id=U(),
            changed=["status"],
            status="paused",
            budget_daily=Decimal("12.50"),
        ),
        e.CampaignDeleted(campaign_id=U(), user_id=U(), ad_groups_deleted=3),
        e.AdGroupCreated(ad_group_id=U(), campaign_id=U(), user_id=U()),
        e.AdGroupUpdated(ad_group_id=U(), campaign_id=U(), user_id=U(), changed=["name"]),
        e.AdGroupDeleted(ad_group_id=U(), campaign_id=U(), user_id=U()),
        e.SyncCompleted(
            job_id=U(),
            audience_id=U(),
            user_id=U(),
            platform="meta",
            operation="update",
            profiles_sent=68,
            profiles_added=68,
            match_rate=88.7,
            duration_ms=4200,
        ),
        e.SyncFailed(
            job_id=U(),
            audience_id=U(),
            user_id=U(),
            platform="google",
            error_code="PLATFORM_ERROR",
            error_message="Rate limit exceeded",
        ),
    ]


def test_there_is_a_sample_for_every_event_type():
    assert {s.TYPE for s in samples()} == set(EVENT_TYPES)


@pytest.mark.parametrize("data", samples(), ids=lambda d: d.TYPE)
def test_sample_round_trips_through_the_wire_format(data):
    envelope = build(data, source="test")
    wire = envelope.model_dump_json()
    decoded = Envelope.model_validate_json(wire)
    assert decoded.type == data.TYPE
    assert decoded.subject == str(getattr(data, data.SUBJECT_FIELD))
    assert decoded.topic == data.TYPE.split(".")[0] + ".events"
    assert parse_any(decoded) == data
    assert parse(decoded, type(data)) == data
    assert wire.count('"occurred_at"') == 1 and '"Z"' not in wire


def test_envelope_timestamps_are_utc_with_z():
    envelope = build(
        PlanChanged(user_id=U(), old_plan="free", new_plan="pro", reason="x"), source="billing"
    )
    assert envelope.model_dump(mode="json")["occurred_at"].endswith("Z")


def test_unknown_fields_and_wrong_types_are_refused():
    envelope = build(
        PlanChanged(user_id=U(), old_plan="free", new_plan="pro", reason="x"), source="billing"
    )
    tampered = envelope.model_copy(update={"data": {**envelope.data, "surprise": 1}})
    with pytest.raises(ValidationError):
        parse_any(tampered)
    with pytest.raises(ValidationError):
        PlanChanged(user_id=U(), old_plan="free", new_plan="platinum", reason="x")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        SyncCompleted(
            job_id=U(),
            audience_id=U(),
            user_id=U(),
            platform="meta",
            operation="update",
            profiles_sent=-1,
            profiles_added=0,
        )


def test_parse_rejects_the_wrong_type_and_unknown_types():
    envelope = build(
        PlanChanged(user_id=U(), old_plan="free", new_plan="pro", reason="x"), source="billing"
    )
    with pytest.raises(ValueError):
        parse(envelope, SyncCompleted)
    with pytest.raises(ValueError):
        parse_any(envelope.model_copy(update={"type": "billing.unknown"}))

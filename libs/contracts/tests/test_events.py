"""Every event type has a schema; samples round-trip through the envelope; drift fails loudly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

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
from adscale_contracts.samples import samples

U = uuid.uuid4


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


def test_a_reset_request_event_cannot_carry_the_token_or_the_address():
    from adscale_contracts.events import PasswordResetRequested

    event = build(
        PasswordResetRequested(user_id=U(), expires_at=datetime.now(UTC)), source="identity"
    )
    assert set(event.data) == {"user_id", "expires_at"}
    assert event.version == 2
    for leak in ({"token": "t" * 43}, {"email": "a@example.com"}):
        with pytest.raises(ValidationError):
            parse_any(event.model_copy(update={"data": {**event.data, **leak}}))

"""Work messages on ``audience_sync.jobs``: one builder for every kind of job."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from adscale_common.events import Envelope
from adscale_contracts.jobs import JOB_REQUESTED, JobRequested, job_envelope


def test_the_envelope_carries_the_request_keyed_by_the_job() -> None:
    job, user = uuid.uuid4(), uuid.uuid4()
    envelope = job_envelope("export", job, user)
    assert (envelope.type, envelope.source, envelope.subject) == (
        JOB_REQUESTED,
        "audience-sync",
        str(job),
    )
    wire = Envelope.model_validate_json(envelope.model_dump_json())
    assert JobRequested.model_validate(wire.data) == JobRequested(
        kind="export", job_id=job, user_id=user
    )


def test_a_key_replaces_the_job_as_subject() -> None:
    job, user, audience = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert job_envelope("sync", job, user, key=audience).subject == str(audience)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError):
        job_envelope("backup", uuid.uuid4(), uuid.uuid4())  # type: ignore[arg-type]

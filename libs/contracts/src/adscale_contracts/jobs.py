"""Work messages on ``audience_sync.jobs`` (not domain events: a work queue)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

from adscale_common.events import Envelope

JOBS_TOPIC = "audience_sync.jobs"
# The envelope type of every message on the topic; ``data`` is a JobRequested.
JOB_REQUESTED = "audience_sync.job_requested"
JobKind = Literal["sync", "export", "erasure"]


class JobRequested(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: JobKind
    job_id: uuid.UUID
    user_id: uuid.UUID


def job_envelope(
    kind: JobKind, job_id: uuid.UUID, user_id: uuid.UUID, *, key: uuid.UUID | None = None
) -> Envelope:
    """The message asking a worker to run a job. ``key`` (the envelope's subject, which the
    topic is partitioned by) is the job id unless given: a sync passes its audience, so one
    audience's jobs stay in order on one partition."""
    request = JobRequested(kind=kind, job_id=job_id, user_id=user_id)
    return Envelope(
        type=JOB_REQUESTED,
        source="audience-sync",
        subject=str(key or job_id),
        data=request.model_dump(mode="json"),
    )

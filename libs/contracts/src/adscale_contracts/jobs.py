"""Work messages on ``audience_sync.jobs`` (not domain events: a work queue)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

JOBS_TOPIC = "audience_sync.jobs"


class JobRequested(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["sync", "export", "erasure"]
    job_id: uuid.UUID
    user_id: uuid.UUID

from __future__ import annotations

from adscale_common.errors import Conflict, NotFound


class SyncInProgress(Conflict):
    code = "SYNC_IN_PROGRESS"
    message = "Sync already running"


class JobNotFound(NotFound):
    code = "JOB_NOT_FOUND"
    message = "Sync job not found"

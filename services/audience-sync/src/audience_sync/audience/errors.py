from __future__ import annotations

from adscale_common.errors import NotFound


class AudienceNotFound(
    NotFound, code="AUDIENCE_NOT_FOUND", message="Platform audience not found"
): ...

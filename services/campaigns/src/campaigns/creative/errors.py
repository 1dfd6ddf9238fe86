from __future__ import annotations

from adscale_common.errors import NotFound


class CreativeNotFound(NotFound, code="CREATIVE_NOT_FOUND", message="Creative not found"): ...

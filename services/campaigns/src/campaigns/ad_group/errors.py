from __future__ import annotations

from adscale_common.errors import NotFound


class AdGroupNotFound(NotFound, code="AD_GROUP_NOT_FOUND", message="Ad group not found"): ...

from __future__ import annotations

from adscale_common.errors import Conflict, NotFound


class CampaignNotFound(NotFound, code="CAMPAIGN_NOT_FOUND", message="Campaign not found"): ...


class DuplicateExternalCampaign(
    Conflict,
    code="EXTERNAL_CAMPAIGN_LINKED",
    message="Another campaign of this ad account is already linked to this external campaign id",
): ...

from __future__ import annotations

from adscale_common.repository import OwnedRepository
from campaigns.ad_group.errors import AdGroupNotFound
from campaigns.models import AdGroup

owned = OwnedRepository(AdGroup, not_found=AdGroupNotFound)

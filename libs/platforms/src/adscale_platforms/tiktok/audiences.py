"""TikTok audiences through the streaming segment API: ``segment/audience/`` (create),
``dmp/custom_audience/get/`` and ``/delete/``, and members added or removed with
``segment/mapping/`` (``id_schema`` + ``batch_data``, one record per profile)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from adscale_platforms.base import AudienceDraft, MemberCall
from adscale_platforms.errors import InvalidRequest, NotFound
from adscale_platforms.models import AudienceInfo, BatchReport
from adscale_platforms.protocol import TokenLike
from adscale_platforms.rows import as_fields, row_values
from adscale_platforms.tiktok.base import TikTokBase, split_audience_id
from adscale_platforms.tiktok.errors import PLATFORM

__all__ = ["MAPPING_ACTIONS", "TikTokAudiences"]

# Member operation -> segment/mapping action (replace uses customer files instead).
MAPPING_ACTIONS = {"add": "add", "remove": "delete"}


class TikTokAudiences(TikTokBase):
    """Segments (create, size, delete) and member add / remove."""

    async def _create_audience(self, token: TokenLike, draft: AudienceDraft) -> str:
        body = await self._request(
            "POST",
            f"{self.api}/segment/audience/",
            token=token,
            json_body={
                "advertiser_id": draft.ad_account_id,
                "custom_audience_name": draft.name,
                "id_type": self._schema(draft.schema_field or "email"),
                "action": "create",
            },
        )
        audience = self._data(body).get("audience_id")
        if audience is None:
            raise InvalidRequest(
                PLATFORM, None, "segment/audience answered no audience_id", raw=body
            )
        return f"{draft.ad_account_id}:{audience}"

    async def get_audience(self, token: TokenLike, audience_id: str) -> AudienceInfo:
        advertiser, audience = split_audience_id(audience_id)
        body = await self._request(
            "GET",
            f"{self.api}/dmp/custom_audience/get/",
            token=token,
            params={"advertiser_id": advertiser, "custom_audience_ids": json.dumps([audience])},
        )
        listed = self._data(body).get("list") or []
        entry = listed[0] if listed and isinstance(listed[0], dict) else {}
        details = entry.get("audience_details", entry)
        if not isinstance(details, dict) or not details:
            raise NotFound(PLATFORM, None, f"audience {audience} not found", raw=body)
        cover = details.get("cover_num")
        rate = details.get("match_rate")
        status = details.get("status")
        if status is None and "is_valid" in details:
            status = "VALID" if details.get("is_valid") else "PROCESSING"
        return AudienceInfo(
            id=audience_id,
            size=int(cover) if isinstance(cover, int | float) else None,
            match_rate=float(rate) if isinstance(rate, int | float) else None,
            status=str(status) if status is not None else None,
            raw=details,
        )

    async def delete_audience(self, token: TokenLike, audience_id: str) -> None:
        advertiser, audience = split_audience_id(audience_id)
        await self._request(
            "POST",
            f"{self.api}/dmp/custom_audience/delete/",
            token=token,
            json_body={"advertiser_id": advertiser, "custom_audience_ids": [audience]},
        )

    async def _stream_members(self, call: MemberCall) -> AsyncIterator[BatchReport]:
        operation, token, audience_id, fields, rows, _ = call
        advertiser, audience = split_audience_id(audience_id)
        names = as_fields(fields)
        schema = [self._schema(n) for n in names]
        width = len(names)
        envelope = {
            "advertiser_ids": [advertiser],
            "action": MAPPING_ACTIONS[operation],
            "id_schema": schema,
            "batch_data": [],
        }

        def prepare(row: Any) -> list[dict[str, Any]]:
            return [
                {"id": value, "audience_ids": [audience]} if value else {}
                for value in row_values(row, width)
            ]

        async for batch in self._json_batches(rows, prepare, envelope):
            body = await self._request(
                "POST",
                f"{self.api}/segment/mapping/",
                token=token,
                json_body={**envelope, "batch_data": batch.rows},
            )
            yield batch.report(operation, received=len(batch.rows), raw=body)

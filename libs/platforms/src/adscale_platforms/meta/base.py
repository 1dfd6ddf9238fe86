"""What every Meta Graph call shares: the versioned host, the error mapping, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from adscale_platforms.base import BaseClient
from adscale_platforms.meta.errors import PLATFORM, meta_error
from adscale_platforms.protocol import TokenLike

__all__ = ["MetaBase"]


class MetaBase(BaseClient):
    """The Graph host, error mapping, paging and ``act_`` account ids."""

    platform: ClassVar[str] = PLATFORM
    map_error = staticmethod(meta_error)

    @property
    def graph(self) -> str:
        return f"{self.settings.meta_graph_url.rstrip('/')}/{self.settings.meta_api_version}"

    async def _paged(
        self, token: TokenLike, url: str, params: dict[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        next_url: str | None = url
        next_params: dict[str, Any] | None = params
        while next_url:
            body = await self._request("GET", next_url, token=token, params=next_params)
            for item in (body or {}).get("data", []):
                if isinstance(item, dict):
                    yield item
            paging = (body or {}).get("paging") or {}
            next_url = paging.get("next") if isinstance(paging, dict) else None
            next_params = None

    @staticmethod
    def _act(ad_account_id: str) -> str:
        return ad_account_id if ad_account_id.startswith("act_") else f"act_{ad_account_id}"

"""What every TikTok call shares: the versioned host, the ``Access-Token`` header, the
``data`` envelope, the error mapping, audience ids and identifier schemas."""

from __future__ import annotations

from typing import Any, ClassVar

from adscale_platforms.base import BaseClient
from adscale_platforms.rows import field_schema
from adscale_platforms.tiktok.errors import PLATFORM, tiktok_error

__all__ = ["API", "ID_SCHEMA", "TikTokBase", "split_audience_id"]

API = "/open_api/v1.3"

ID_SCHEMA: dict[str, str] = {
    "email": "EMAIL_SHA256",
    "phone": "PHONE_SHA256",
    "madid": "IDFA_SHA256",
}
_RAW_SCHEMAS = frozenset({"EMAIL_SHA256", "PHONE_SHA256", "IDFA_SHA256", "AAID_SHA256"})


def split_audience_id(audience_id: str) -> tuple[str, str]:
    """``(advertiser_id, audience_id)`` from this client's ``"{advertiser}:{audience}"`` id."""
    advertiser, sep, audience = audience_id.partition(":")
    if not sep or not advertiser or not audience:
        raise ValueError("TikTok audience ids look like '{advertiser_id}:{audience_id}'")
    return advertiser, audience


class TikTokBase(BaseClient):
    """Host, headers, envelope, error mapping and identifier schemas."""

    platform: ClassVar[str] = PLATFORM
    map_error = staticmethod(tiktok_error)

    @property
    def api(self) -> str:
        return f"{self.settings.tiktok_business_url.rstrip('/')}{API}"

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {"Access-Token": token}

    @staticmethod
    def _data(body: Any) -> dict[str, Any]:
        data = body.get("data") if isinstance(body, dict) else None
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _schema(name: str) -> str:
        return field_schema(name, ID_SCHEMA, _RAW_SCHEMAS, "TikTok audiences take")

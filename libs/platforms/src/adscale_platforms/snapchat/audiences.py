"""Snap Audience Match segments (``POST /v1/adaccounts/{id}/segments``, ``GET`` / ``DELETE
/v1/segments/{id}``) and their users: ``POST`` / ``DELETE /v1/segments/{id}/users``, one
identifier type per request (profiles go out in lanes, reported once); replace is
``DELETE /v1/segments/{id}/all_users``, then add."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from adscale_platforms.base import AudienceDraft, MemberCall
from adscale_platforms.errors import (
    InvalidRequest,
)
from adscale_platforms.models import AudienceInfo, BatchReport
from adscale_platforms.protocol import TokenLike
from adscale_platforms.rows import as_fields, field_schema, row_values
from adscale_platforms.snapchat.base import SnapchatBase
from adscale_platforms.snapchat.errors import PLATFORM

__all__ = ["SCHEMA", "SnapchatAudiences"]

SCHEMA: dict[str, str] = {
    "email": "EMAIL_SHA256",
    "phone": "PHONE_SHA256",
    "madid": "MOBILE_AD_ID_SHA256",
}
_RAW_SCHEMAS = frozenset(SCHEMA.values())


class SnapchatAudiences(SnapchatBase):
    """Segments (create, size, delete) and member add / remove / replace."""

    @staticmethod
    def _first(body: Any, key: str, inner: str) -> dict[str, Any]:
        items = (body or {}).get(key) or [] if isinstance(body, dict) else []
        if not items or not isinstance(items[0], dict):
            raise InvalidRequest(PLATFORM, None, f"response without {key}", raw=body)
        item = items[0]
        if str(item.get("sub_request_status", "SUCCESS")).upper() == "ERROR":
            raise InvalidRequest(
                PLATFORM,
                item.get("error_code"),
                str(item.get("sub_request_error_reason") or "sub-request failed"),
                samples=[item],
                raw=body,
            )
        value = item.get(inner, item)
        return value if isinstance(value, dict) else {}

    async def _create_audience(self, token: TokenLike, draft: AudienceDraft) -> str:
        body = await self._request(
            "POST",
            f"{self.api}/adaccounts/{draft.ad_account_id}/segments",
            token=token,
            json_body={
                "segments": [
                    {
                        "name": draft.name,
                        "description": draft.description,
                        "source_type": "FIRST_PARTY",
                        "retention_in_days": self.settings.snapchat_retention_in_days,
                        "ad_account_id": draft.ad_account_id,
                    }
                ]
            },
        )
        return str(self._first(body, "segments", "segment")["id"])

    async def get_audience(self, token: TokenLike, audience_id: str) -> AudienceInfo:
        body = await self._request("GET", f"{self.api}/segments/{audience_id}", token=token)
        segment = self._first(body, "segments", "segment")
        size = segment.get("approximate_number_users")
        status = segment.get("targetable_status") or segment.get("upload_status")
        return AudienceInfo(
            id=str(segment.get("id", audience_id)),
            size=int(size) if isinstance(size, int | float) else None,
            match_rate=None,
            status=str(status) if status is not None else None,
            raw=segment,
        )

    async def delete_audience(self, token: TokenLike, audience_id: str) -> None:
        await self._request("DELETE", f"{self.api}/segments/{audience_id}", token=token)

    @staticmethod
    def _schema(name: str) -> str:
        return field_schema(name, SCHEMA, _RAW_SCHEMAS, "Snap Audience Match takes")

    async def _stream_members(self, call: MemberCall) -> AsyncIterator[BatchReport]:
        """Rows are profiles; each identifier type travels in its own request (a lane), so a
        batch of profiles is one request per type it holds, and one report once all of them
        were accepted: a profile is counted once whatever the number of its identifiers."""
        operation, token, audience_id, fields, rows, _ = call
        method = "DELETE" if operation == "remove" else "POST"
        names = as_fields(fields)
        schemas = [self._schema(n) for n in names]
        width = len(names)
        by_schema: dict[str, list[int]] = {}
        for i, schema in enumerate(schemas):
            by_schema.setdefault(schema, []).append(i)
        # The rows-free part of the largest request (the removal names the segment).
        envelope = {"users": [{"id": audience_id, "schema": [max(schemas, key=len)], "data": []}]}

        def prepare(row: Any) -> list[str]:
            return list(row_values(row, width))

        async for batch in self._json_batches(rows, prepare, envelope):
            uploaded: list[int] = []
            raw: dict[str, Any] = {}
            for schema, lanes in by_schema.items():
                # A field named again (a person's further emails) goes in its type's lane.
                data = [[row[i]] for row in batch.rows for i in lanes if row[i]]
                if not data:
                    continue
                received, raw = await self._send_lane(method, token, audience_id, schema, data)
                uploaded.append(received)
            present = sum(1 for row in batch.rows if any(row))
            if len(by_schema) == 1 and width == 1:
                received = uploaded[0] if uploaded else 0
                invalid = len(batch.rows) - received
            else:
                # Snapchat counts identifiers per lane, not people: a profile is received
                # when it had an identifier to send.
                received, invalid = present, len(batch.rows) - present
            yield batch.report(
                operation,
                received=received,
                invalid=max(0, invalid) if operation != "remove" else 0,
                raw=raw,
            )

    async def _send_lane(
        self, method: str, token: TokenLike, audience_id: str, schema: str, data: list[list[str]]
    ) -> tuple[int, dict[str, Any]]:
        """One request of one identifier type: ``(users Snapchat took, response)``."""
        entry: dict[str, Any] = {"schema": [schema], "data": data}
        if method == "DELETE":
            entry = {"id": audience_id, **entry}
        body = await self._request(
            method,
            f"{self.api}/segments/{audience_id}/users",
            token=token,
            json_body={"users": [entry]},
        )
        user = {}
        try:
            user = self._first(body, "users", "user")
        except InvalidRequest:
            if isinstance(body, dict) and body.get("users"):
                raise
        uploaded = user.get("number_uploaded_users")
        received = int(uploaded) if isinstance(uploaded, int | float) else len(data)
        return received, body if isinstance(body, dict) else {}

    async def remove_all_members(self, token: TokenLike, audience_id: str) -> None:
        """``DELETE /v1/segments/{id}/all_users``."""
        await self._request("DELETE", f"{self.api}/segments/{audience_id}/all_users", token=token)

    async def _stream_replace(self, call: MemberCall) -> AsyncIterator[BatchReport]:
        """Snapchat's primitive: remove every user, then add the new set."""
        _, token, audience_id, fields, _, _ = call
        for name in as_fields(fields):
            self._schema(name)
        await self.remove_all_members(token, audience_id)
        async for report in self._stream_members(call):
            yield report

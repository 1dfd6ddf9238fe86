"""TikTok replace through the customer-file API: ``dmp/custom_audience/file/upload/`` (one
hash per line, MD5 ``file_signature``) then ``dmp/custom_audience/update/`` with ``action:
REPLACE`` for the first update and ``APPEND`` after; profiles with several identifier types
are mapped with all of them once their file is in."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from adscale_platforms.base import MemberCall
from adscale_platforms.batching import limits_for
from adscale_platforms.errors import InvalidRequest
from adscale_platforms.models import BatchReport
from adscale_platforms.protocol import TokenLike
from adscale_platforms.rows import as_fields, map_rows, row_values
from adscale_platforms.tiktok.base import TikTokBase, split_audience_id
from adscale_platforms.tiktok.errors import PLATFORM

__all__ = ["FILES_PER_UPDATE", "TikTokFiles"]

# The customer-file API names the Android id GAID.
FILE_CALCULATE_TYPE = {"AAID_SHA256": "GAID_SHA256"}
FILES_PER_UPDATE = 50


class TikTokFiles(TikTokBase):
    """Customer-file upload and the replace built on it."""

    async def upload_file(
        self,
        token: TokenLike,
        advertiser_id: str,
        calculate_type: str,
        lines: Sequence[str],
        *,
        name: str = "audience.txt",
    ) -> str:
        """Upload one customer file (one identifier per line); returns its ``file_path``."""
        content = ("\n".join(lines) + "\n").encode("utf-8")
        body = await self._request(
            "POST",
            f"{self.api}/dmp/custom_audience/file/upload/",
            token=token,
            data={
                "advertiser_id": advertiser_id,
                "calculate_type": calculate_type,
                "file_signature": hashlib.md5(content, usedforsecurity=False).hexdigest(),
            },
            files={"file": (name, content, "text/plain")},
        )
        path = self._data(body).get("file_path")
        if not path:
            raise InvalidRequest(PLATFORM, None, "file upload answered no file_path", raw=body)
        return str(path)

    async def _update_files(
        self, token: TokenLike, advertiser: str, audience: str, action: str, paths: list[str]
    ) -> dict[str, Any]:
        body = await self._request(
            "POST",
            f"{self.api}/dmp/custom_audience/update/",
            token=token,
            json_body={
                "advertiser_id": advertiser,
                "custom_audience_id": audience,
                "action": action,
                "file_paths": paths,
            },
        )
        return body if isinstance(body, dict) else {}

    async def _stream_replace(self, call: MemberCall) -> AsyncIterator[BatchReport]:
        """Upload customer files and apply them with ``action: REPLACE`` (then ``APPEND``).

        A customer file holds one identifier type (the audience's, the first field). Rows
        with several fields are profiles: after each file is applied, the same profiles are
        added through ``segment/mapping`` with all their identifiers, so the replaced
        audience holds every key of every profile."""
        _, token, audience_id, fields, rows, _ = call
        advertiser, audience = split_audience_id(audience_id)
        names = as_fields(fields)
        schema = self._schema(names[0])
        for name in names[1:]:
            self._schema(name)
        calculate_type = FILE_CALCULATE_TYPE.get(schema, schema)
        limits = limits_for(PLATFORM, self.settings, kind="file")
        width = len(names)
        files_per_update = FILES_PER_UPDATE if width == 1 else 1

        def prepare(row: Any) -> tuple[str, ...]:
            return row_values(row, width)

        pending: list[str] = []
        pending_rows = 0
        waiting: list[tuple[str, ...]] = []  # profiles to map once REPLACE has been applied
        done = 0
        index = 0
        action = "REPLACE"
        file_number = 0
        async for profiles, last in self._batches(
            map_rows(rows, prepare),
            row_bytes=lambda row: sum(len(v.encode("utf-8")) + 1 for v in row),
            envelope_bytes=1,  # the trailing newline
            limits=limits,
        ):
            lines = [row[0] for row in profiles if row[0]]
            if lines:
                file_number += 1
                pending.append(
                    await self.upload_file(
                        token, advertiser, calculate_type, lines, name=f"audience-{file_number}.txt"
                    )
                )
            pending_rows += len(profiles)
            if width > 1:
                waiting.extend(profiles)
            if not (len(pending) == files_per_update or (last and pending)):
                continue
            response = await self._update_files(token, advertiser, audience, action, pending)
            action = "APPEND"
            if waiting:
                await self._map(token, advertiser, audience, names, waiting)
                waiting = []
            done += pending_rows
            yield BatchReport(
                operation="replace",
                batch_index=index,
                rows=pending_rows,
                rows_done=done,
                received=pending_rows,
                invalid=0,
                last=last,
                raw=response,
            )
            index += 1
            pending = []
            pending_rows = 0
        if file_number == 0:
            raise ValueError("a TikTok replace needs members (audiences keep at least 1,000)")

    async def _map(
        self,
        token: TokenLike,
        advertiser: str,
        audience: str,
        names: tuple[str, ...],
        profiles: list[tuple[str, ...]],
    ) -> None:
        """Add profiles with every identifier through ``segment/mapping``."""
        call = MemberCall("add", token, f"{advertiser}:{audience}", names, profiles, None)
        async for _ in self._stream_members(call):
            pass

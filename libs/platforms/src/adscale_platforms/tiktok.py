"""TikTok API for Business (v1.3) client.

Hosts: ``tiktok_business_url`` (API) and ``tiktok_auth_url`` (the advertiser authorization
page, ``/portal/auth`` on the same host by default).

* OAuth: ``{auth}/portal/auth?app_id&state&redirect_uri`` redirects back with ``auth_code``
  (also sent as ``code``); ``POST /open_api/v1.3/oauth2/access_token/`` with ``app_id``,
  ``secret``, ``auth_code``. No PKCE. Marketing API tokens are long-lived; when the token
  endpoint returns a ``refresh_token`` it is refreshed with
  ``POST /open_api/v1.3/oauth2/refresh_token/``.
* Every call carries the token in the ``Access-Token`` header. Responses are
  ``{"code", "message", "request_id", "data"}``; ``code != 0`` is an error even with
  HTTP 200 (see :func:`tiktok_error`).
* Ad accounts: ``GET /oauth2/advertiser/get/`` (``app_id``, ``secret``), currencies from
  ``GET /advertiser/info/``.
* Audiences: created with the streaming segment API ``POST /segment/audience/``
  (``action: create``), read with ``GET /dmp/custom_audience/get/`` (size ``cover_num``),
  deleted with ``POST /dmp/custom_audience/delete/``. These calls need the advertiser id,
  so the audience id this client hands out is ``"{advertiser_id}:{audience_id}"``.
* Members: add / remove with ``POST /segment/mapping/`` (``action: add | delete``,
  ``id_schema``, ``batch_data``); full replace with the customer-file API:
  ``POST /dmp/custom_audience/file/upload/`` (one hash per line, ``file_signature`` = MD5)
  then ``POST /dmp/custom_audience/update/`` with ``action: REPLACE`` (TikTok's default is
  REPLACE, so ``action`` is always set explicitly; files beyond the first 50 of a replace
  are appended with ``action: APPEND``). A file holds one identifier type; profiles with
  several are added through ``segment/mapping`` with all of them once their file is in.
  TikTok refuses file updates that leave fewer than
  1,000 members (:class:`AudienceTooSmall`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import urlencode

import httpx

from adscale_platforms.base import BaseClient, MemberCall
from adscale_platforms.batching import limits_for
from adscale_platforms.errors import (
    AudienceTooSmall,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    PlatformError,
    PlatformUnavailable,
    RateLimited,
    TokenExpired,
    parse_retry_after,
)
from adscale_platforms.models import AdAccount, AudienceInfo, BatchReport, TokenSet
from adscale_platforms.oauth import expires_at
from adscale_platforms.protocol import TokenLike
from adscale_platforms.rows import as_fields, map_rows, row_values

__all__ = ["TikTokClient", "split_audience_id", "tiktok_error"]

PLATFORM = "tiktok"
API = "/open_api/v1.3"

ID_SCHEMA: dict[str, str] = {
    "email": "EMAIL_SHA256",
    "phone": "PHONE_SHA256",
    "madid": "IDFA_SHA256",
}
_RAW_SCHEMAS = frozenset({"EMAIL_SHA256", "PHONE_SHA256", "IDFA_SHA256", "AAID_SHA256"})
# The customer-file API names the Android id GAID.
FILE_CALCULATE_TYPE = {"AAID_SHA256": "GAID_SHA256"}
FILES_PER_UPDATE = 50
# Member operation -> segment/mapping action (replace uses customer files instead).
MAPPING_ACTIONS = {"add": "add", "remove": "delete"}

# TikTok return codes (HTTP 200, ``code`` in the body).
RATE_LIMIT_CODES = frozenset({40100})
# 40102 expired, 40104 empty, 40105 incorrect or revoked, 40107 refresh token invalid.
TOKEN_CODES = frozenset({40102, 40104, 40105, 40107})
PERMISSION_CODES = frozenset({40001, 40007})
NOT_FOUND_CODES = frozenset({40300})
TOO_SMALL_HINTS = ("1,000", "1000", "too small", "less than")


def tiktok_error(status: int, headers: httpx.Headers, body: Any) -> PlatformError | None:
    """Map a TikTok response (``code != 0`` even on HTTP 200) to a typed error."""
    code = body.get("code") if isinstance(body, dict) else None
    if status < 400 and code in (0, None) and isinstance(body, dict):
        return None
    message = (
        str((body or {}).get("message") or f"HTTP {status}")
        if isinstance(body, dict)
        else f"HTTP {status}"
    )
    args: dict[str, Any] = {"http_status": status, "raw": body}
    retry_after = parse_retry_after(headers.get("retry-after"))
    if code in RATE_LIMIT_CODES or status == 429:
        return RateLimited(PLATFORM, code, message, retry_after=retry_after, **args)
    if code in TOKEN_CODES or status == 401:
        return TokenExpired(PLATFORM, code, message, **args)
    if code in PERMISSION_CODES or status == 403:
        return PermissionDenied(PLATFORM, code, message, **args)
    if (isinstance(code, int) and code >= 50000) or status >= 500:
        return PlatformUnavailable(PLATFORM, code, message, **args)
    if code in NOT_FOUND_CODES or status == 404:
        return NotFound(PLATFORM, code, message, **args)
    if any(hint in message.lower() for hint in TOO_SMALL_HINTS) and "audience" in message.lower():
        return AudienceTooSmall(PLATFORM, code, message, **args)
    return InvalidRequest(PLATFORM, code, message, **args)


def split_audience_id(audience_id: str) -> tuple[str, str]:
    """``(advertiser_id, audience_id)`` from this client's ``"{advertiser}:{audience}"`` id."""
    advertiser, sep, audience = audience_id.partition(":")
    if not sep or not advertiser or not audience:
        raise ValueError("TikTok audience ids look like '{advertiser_id}:{audience_id}'")
    return advertiser, audience


class TikTokClient(BaseClient):
    """TikTok API for Business client (see the module docstring for endpoints)."""

    platform = PLATFORM
    supports_pkce = False

    @property
    def api(self) -> str:
        return f"{self.settings.tiktok_business_url.rstrip('/')}{API}"

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {"Access-Token": token}

    def _error_from(self, response: httpx.Response, body: Any) -> PlatformError | None:
        return tiktok_error(response.status_code, response.headers, body)

    @staticmethod
    def _data(body: Any) -> dict[str, Any]:
        data = body.get("data") if isinstance(body, dict) else None
        return data if isinstance(data, dict) else {}

    # -- OAuth -------------------------------------------------------------------------

    def authorization_url(
        self, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str:
        params = {
            "app_id": self.settings.tiktok_app_id,
            "state": state,
            "redirect_uri": redirect_uri,
        }
        return f"{self.settings.tiktok_auth_url.rstrip('/')}/portal/auth?{urlencode(params)}"

    def _token_set(self, body: Any, refresh_token: str | None = None) -> TokenSet:
        data = self._data(body)
        if not data.get("access_token"):
            raise InvalidRequest(PLATFORM, None, "token response without access_token")
        scope = data.get("scope")
        scopes = tuple(str(s) for s in scope) if isinstance(scope, list) else ()
        lifetime = data.get("access_token_expire_in", data.get("expires_in"))
        return TokenSet(
            access_token=str(data["access_token"]),
            refresh_token=str(data.get("refresh_token") or refresh_token or "") or None,
            expires_at=expires_at(lifetime),
            scopes=scopes,
            raw={k: v for k, v in data.items() if "token" not in k or k.endswith("expire_in")},
        )

    async def _token_call(self, endpoint: str, **fields: str) -> Any:
        """``POST oauth2/{endpoint}/`` with the app credentials first."""
        return await self._request(
            "POST",
            f"{self.api}/oauth2/{endpoint}/",
            json_body={
                "app_id": self.settings.tiktok_app_id,
                "secret": self.settings.tiktok_secret.get_secret_value(),
                **fields,
            },
        )

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        return self._token_set(await self._token_call("access_token", auth_code=code))

    async def refresh(self, refresh_token: str) -> TokenSet:
        body = await self._token_call(
            "refresh_token", refresh_token=refresh_token, grant_type="refresh_token"
        )
        return self._token_set(body, refresh_token)

    # -- accounts ----------------------------------------------------------------------

    async def list_ad_accounts(self, token: TokenLike) -> list[AdAccount]:
        body = await self._request(
            "GET",
            f"{self.api}/oauth2/advertiser/get/",
            token=token,
            params={
                "app_id": self.settings.tiktok_app_id,
                "secret": self.settings.tiktok_secret.get_secret_value(),
            },
        )
        listed = [item for item in self._data(body).get("list", []) if isinstance(item, dict)]
        if not listed:
            return []
        ids = [str(item.get("advertiser_id")) for item in listed]
        currencies: dict[str, Any] = {}
        for start in range(0, len(ids), 100):
            info = await self._request(
                "GET",
                f"{self.api}/advertiser/info/",
                token=token,
                params={
                    "advertiser_ids": json.dumps(ids[start : start + 100]),
                    "fields": json.dumps(["advertiser_id", "name", "currency"]),
                },
            )
            for item in self._data(info).get("list", []):
                if isinstance(item, dict):
                    currencies[str(item.get("advertiser_id"))] = item.get("currency")
        return [
            AdAccount(
                id=str(item.get("advertiser_id")),
                name=str(item.get("advertiser_name") or item.get("name") or ""),
                currency=currencies.get(str(item.get("advertiser_id"))),
            )
            for item in listed
        ]

    # -- audiences ---------------------------------------------------------------------

    @staticmethod
    def _schema(name: str) -> str:
        if name in ID_SCHEMA:
            return ID_SCHEMA[name]
        if name in _RAW_SCHEMAS:
            return name
        raise ValueError(f"TikTok audiences take no {name!r} identifier")

    async def create_audience(
        self,
        token: TokenLike,
        ad_account_id: str,
        name: str,
        description: str,
        *,
        schema_field: str | None = None,
    ) -> str:
        body = await self._request(
            "POST",
            f"{self.api}/segment/audience/",
            token=token,
            json_body={
                "advertiser_id": ad_account_id,
                "custom_audience_name": name,
                "id_type": self._schema(schema_field or "email"),
                "action": "create",
            },
        )
        audience = self._data(body).get("audience_id")
        if audience is None:
            raise InvalidRequest(
                PLATFORM, None, "segment/audience answered no audience_id", raw=body
            )
        return f"{ad_account_id}:{audience}"

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

    # -- members: streaming segment API ------------------------------------------------

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

    # -- members: customer-file API (replace) ------------------------------------------

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

"""Snapchat Marketing API (v1) client.

Hosts: ``snapchat_adsapi_url`` (Ads API) and ``snapchat_accounts_url`` (OAuth).

* OAuth: ``{accounts}/login/oauth2/authorize`` (``client_id``, ``redirect_uri``,
  ``response_type=code``, ``scope=snapchat-marketing-api``, ``state``) and
  ``POST {accounts}/login/oauth2/access_token`` (form-encoded; ``grant_type``
  ``authorization_code`` or ``refresh_token``). Access tokens last about 30 minutes; a 401
  means refresh. No PKCE in the Marketing API's documented flow.
* Ad accounts: ``GET /v1/me/organizations?with_ad_accounts=true``.
* Audiences (Snap Audience Match "Customer Lists"): ``POST /v1/adaccounts/{id}/segments``
  with ``{"segments": [{name, description, source_type: FIRST_PARTY, retention_in_days,
  ad_account_id}]}``, ``GET`` / ``DELETE /v1/segments/{id}``; size is
  ``approximate_number_users``, status ``targetable_status`` (``upload_status`` while
  processing). Snapchat reports no match rate.
* Members: ``POST /v1/segments/{id}/users`` and ``DELETE /v1/segments/{id}/users`` with
  ``{"users": [{"schema": ["EMAIL_SHA256"], "data": [["<hash>"], ...]}]}`` (the removal
  also names the segment ``id``); one identifier type per request, at most 100,000
  identifiers per request. Rows are profiles with several identifier fields: each batch of
  profiles goes out as one request per type (lanes), reported once.
  Full replace: ``DELETE /v1/segments/{id}/all_users``, then add.
* Errors: ``{"request_status": "ERROR", "request_id", "debug_message", "display_message",
  "error_code"}`` with HTTP 400/401/403/404/429/5xx; see :func:`snapchat_error`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx

from adscale_platforms.base import BaseClient, MemberCall
from adscale_platforms.errors import (
    AudienceTooSmall,
    InvalidRequest,
    PlatformError,
    TokenExpired,
    parse_retry_after,
    status_error,
)
from adscale_platforms.models import AdAccount, AudienceInfo, BatchReport, TokenSet
from adscale_platforms.oauth import oauth_token_set
from adscale_platforms.protocol import TokenLike
from adscale_platforms.rows import as_fields, row_values

__all__ = ["SnapchatClient", "snapchat_error"]

PLATFORM = "snapchat"

SCHEMA: dict[str, str] = {
    "email": "EMAIL_SHA256",
    "phone": "PHONE_SHA256",
    "madid": "MOBILE_AD_ID_SHA256",
}
_RAW_SCHEMAS = frozenset(SCHEMA.values())


def snapchat_error(status: int, headers: httpx.Headers, body: Any) -> PlatformError | None:
    """Map a Snapchat response to a typed error (HTTP status first, then ``error_code``)."""
    request_status = str(body.get("request_status", "")).upper() if isinstance(body, dict) else ""
    if status < 400 and request_status != "ERROR":
        return None
    if isinstance(body, dict):
        code = body.get("error_code") or status
        message = str(
            body.get("display_message")
            or body.get("debug_message")
            or body.get("error")
            or body.get("error_description")
            or f"HTTP {status}"
        )
    else:
        code, message = status, f"HTTP {status}"
    args: dict[str, Any] = {"http_status": status, "raw": body}
    oauth_error = body.get("error") if isinstance(body, dict) else None
    if oauth_error == "invalid_grant":
        return TokenExpired(PLATFORM, code or oauth_error, message, **args)
    by_status = status_error(
        PLATFORM,
        status,
        code,
        message,
        retry_after=parse_retry_after(headers.get("retry-after")),
        raw=body,
    )
    if by_status is not None:
        return by_status
    if "too few" in message.lower() or "too small" in message.lower():
        return AudienceTooSmall(PLATFORM, code, message, **args)
    samples = (
        [
            entry
            for entry in (body.get("users") or body.get("segments") or [])
            if isinstance(entry, dict)
            and str(entry.get("sub_request_status", "")).upper() == "ERROR"
        ]
        if isinstance(body, dict)
        else []
    )
    return InvalidRequest(PLATFORM, code, message, samples=samples, **args)


class SnapchatClient(BaseClient):
    """Snapchat Marketing API client (see the module docstring for endpoints)."""

    platform = PLATFORM
    supports_pkce = False

    @property
    def api(self) -> str:
        return f"{self.settings.snapchat_adsapi_url.rstrip('/')}/v1"

    @property
    def _token_url(self) -> str:
        return f"{self.settings.snapchat_accounts_url.rstrip('/')}/login/oauth2/access_token"

    def _error_from(self, response: httpx.Response, body: Any) -> PlatformError | None:
        return snapchat_error(response.status_code, response.headers, body)

    # -- OAuth -------------------------------------------------------------------------

    def authorization_url(
        self, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str:
        params = {
            "client_id": self.settings.snapchat_client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": " ".join(self.settings.snapchat_scopes),
            "state": state,
        }
        accounts = self.settings.snapchat_accounts_url.rstrip("/")
        return f"{accounts}/login/oauth2/authorize?{urlencode(params)}"

    async def _token_grant(self, grant_type: str, **fields: str) -> Any:
        """``POST`` to the token endpoint (form-encoded, client credentials first)."""
        return await self._request(
            "POST",
            self._token_url,
            data={
                "grant_type": grant_type,
                "client_id": self.settings.snapchat_client_id,
                "client_secret": self.settings.snapchat_client_secret.get_secret_value(),
                **fields,
            },
        )

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        body = await self._token_grant("authorization_code", code=code, redirect_uri=redirect_uri)
        return oauth_token_set(PLATFORM, body)

    async def refresh(self, refresh_token: str) -> TokenSet:
        body = await self._token_grant("refresh_token", refresh_token=refresh_token)
        return oauth_token_set(PLATFORM, body, refresh_token)

    # -- accounts and audiences --------------------------------------------------------

    async def list_ad_accounts(self, token: TokenLike) -> list[AdAccount]:
        body = await self._request(
            "GET",
            f"{self.api}/me/organizations",
            token=token,
            params={"with_ad_accounts": "true"},
        )
        accounts: list[AdAccount] = []
        for wrapper in (body or {}).get("organizations", []) or []:
            organization = wrapper.get("organization", wrapper) if isinstance(wrapper, dict) else {}
            for account in organization.get("ad_accounts", []) or []:
                if isinstance(account, dict):
                    accounts.append(
                        AdAccount(
                            id=str(account.get("id")),
                            name=str(account.get("name", "")),
                            currency=account.get("currency"),
                        )
                    )
        return accounts

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
            f"{self.api}/adaccounts/{ad_account_id}/segments",
            token=token,
            json_body={
                "segments": [
                    {
                        "name": name,
                        "description": description,
                        "source_type": "FIRST_PARTY",
                        "retention_in_days": self.settings.snapchat_retention_in_days,
                        "ad_account_id": ad_account_id,
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

    # -- members -----------------------------------------------------------------------

    @staticmethod
    def _schema(name: str) -> str:
        if name in SCHEMA:
            return SCHEMA[name]
        if name in _RAW_SCHEMAS:
            return name
        raise ValueError(f"Snap Audience Match takes no {name!r} identifier")

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

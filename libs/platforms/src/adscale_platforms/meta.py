"""Meta Marketing API (Graph API) client.

Hosts: ``meta_graph_url`` (API) and ``meta_www_url`` (login dialog); version
``meta_api_version`` (``v25.0``).

* OAuth: login dialog ``{www}/{version}/dialog/oauth`` (``client_id``, ``redirect_uri``,
  ``state``, ``scope=ads_management,ads_read``, ``response_type=code``); the code is
  exchanged with ``GET {graph}/{version}/oauth/access_token``. No PKCE: Facebook Login's
  PKCE support belongs to its OIDC flow (still "in testing", it returns an ID token), so
  ``code_challenge`` is ignored. Meta issues no refresh token: the server-side token is
  long-lived, and :meth:`MetaClient.refresh` trades a still-valid one for a fresh one with
  ``grant_type=fb_exchange_token``. When the token endpoint does return a
  ``refresh_token``, it is kept and used instead.
* Ad accounts: ``GET /me/adaccounts?fields=account_id,name,currency`` (paged).
* Audiences: ``POST /act_{id}/customaudiences`` (``subtype=CUSTOM``,
  ``customer_file_source``), ``GET /{audience_id}?fields=approximate_count_lower_bound,
  approximate_count_upper_bound,operation_status,delivery_status``, ``DELETE /{id}``.
  Meta reports no match rate, so :attr:`AudienceInfo.match_rate` is ``None``.
* Members: ``POST`` / ``DELETE /{audience_id}/users`` and ``POST /{audience_id}/usersreplace``
  with ``payload{schema, data}`` and ``session{session_id, batch_seq, last_batch_flag,
  estimated_num_total}``; one session per operation, ``batch_seq`` counting from 1 and
  ``last_batch_flag`` true on the final request only. At most 10,000 rows per request.
  Adds and replaces send a JSON body; removals send ``payload`` and ``session`` as
  JSON-valued fields of a form-encoded DELETE body, Meta's documented removal form
  (never the query string, which Graph breaks on past a few hundred rows).
* Insights: ``GET /act_{id}/insights?level=campaign&time_increment=1&time_range=...``;
  campaign updates: ``POST /{campaign_id}`` with ``status`` / ``daily_budget`` (minor units).
* Errors: ``{"error": {"code", "error_subcode", "message", "type", "fbtrace_id"}}``; see
  :func:`meta_error` (:mod:`adscale_platforms.meta_errors`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx

from adscale_platforms.base import BaseClient
from adscale_platforms.batching import compact_json
from adscale_platforms.errors import (
    InvalidRequest,
    PlatformError,
)
from adscale_platforms.meta_errors import meta_error, meta_retry_after
from adscale_platforms.models import AdAccount, AudienceInfo, BatchReport, DailyInsight, TokenSet
from adscale_platforms.oauth import expires_at
from adscale_platforms.protocol import MemberOperation, TokenLike
from adscale_platforms.rows import Rows, as_fields, estimate_total, row_values
from adscale_platforms.values import as_int

__all__ = ["MetaClient", "meta_error", "meta_retry_after"]

PLATFORM = "meta"

# Generic field -> Meta multi-key schema name.
MULTI_KEY: dict[str, str] = {
    "email": "EMAIL",
    "phone": "PHONE",
    "first_name": "FN",
    "last_name": "LN",
    "city": "CT",
    "state": "ST",
    "zip": "ZIP",
    "country": "COUNTRY",
    "madid": "MADID",
    "external_id": "EXTERN_ID",
    # Limited Data Use ("Data Processing Options for US Users", customer list custom
    # audiences): ["LDU"] or [], then Meta's country and state codes.
    "data_processing_options": "DATA_PROCESSING_OPTIONS",
    "data_processing_options_country": "DATA_PROCESSING_OPTIONS_COUNTRY",
    "data_processing_options_state": "DATA_PROCESSING_OPTIONS_STATE",
}
LDU_SCHEMA = (
    "DATA_PROCESSING_OPTIONS",
    "DATA_PROCESSING_OPTIONS_COUNTRY",
    "DATA_PROCESSING_OPTIONS_STATE",
)
# Generic field -> single-key schema, where Meta has one.
SINGLE_KEY: dict[str, str] = {
    "email": "EMAIL_SHA256",
    "phone": "PHONE_SHA256",
    "madid": "MOBILE_ADVERTISER_ID",
}
_KNOWN_SCHEMAS = (
    frozenset(MULTI_KEY.values())
    | frozenset(SINGLE_KEY.values())
    | {
        "GEN",
        "DOBY",
        "DOBM",
        "DOBD",
        "FI",
        "LOOKALIKE_VALUE",
    }
)

# Member operation -> (HTTP method, edge of the audience).
MEMBER_EDGES: dict[str, tuple[str, str]] = {
    "add": ("POST", "users"),
    "remove": ("DELETE", "users"),
    "replace": ("POST", "usersreplace"),
}

# Currencies whose Meta "offset" is 1 (budgets are not multiplied by 100).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"CLP", "COP", "CRC", "HUF", "ISK", "IDR", "JPY", "KRW", "PYG", "TWD", "VND"}
)


def _decimal(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal(0)


def _samples(value: Any) -> tuple[str, ...]:
    """``invalid_entry_samples`` is a map (entry -> reason) or a list, depending on version."""
    if isinstance(value, dict):
        return tuple(f"{key}: {reason}" for key, reason in value.items())
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    return ()


def ldu_value(key: str, value: str) -> Any:
    """A Limited Data Use cell as Meta documents it: ``["LDU"]`` / ``[]``, integer codes
    (``""`` where a row does not use LDU)."""
    if key == "DATA_PROCESSING_OPTIONS":
        return [value] if value else []
    return int(value) if value else ""


class MetaClient(BaseClient):
    """Meta Graph API client (see the module docstring for endpoints)."""

    platform = PLATFORM
    supports_pkce = False

    # -- urls --------------------------------------------------------------------------

    @property
    def graph(self) -> str:
        return f"{self.settings.meta_graph_url.rstrip('/')}/{self.settings.meta_api_version}"

    def _error_from(self, response: httpx.Response, body: Any) -> PlatformError | None:
        return meta_error(response.status_code, response.headers, body)

    # -- OAuth -------------------------------------------------------------------------

    def authorization_url(
        self, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str:
        params = {
            "client_id": self.settings.meta_client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": ",".join(self.settings.meta_scopes),
            "response_type": "code",
        }
        www = self.settings.meta_www_url.rstrip("/")
        return f"{www}/{self.settings.meta_api_version}/dialog/oauth?{urlencode(params)}"

    def _token_set(self, body: Any) -> TokenSet:
        if not isinstance(body, dict) or not body.get("access_token"):
            raise InvalidRequest(PLATFORM, None, "token response without access_token")
        access = str(body["access_token"])
        refresh = body.get("refresh_token")
        scope = body.get("scope")
        scopes = tuple(s for s in str(scope).replace(",", " ").split() if s) if scope else ()
        return TokenSet(
            access_token=access,
            refresh_token=str(refresh) if refresh else access,
            expires_at=expires_at(body.get("expires_in")),
            scopes=scopes,
            raw={k: v for k, v in body.items() if "token" not in k},
        )

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        body = await self._request(
            "GET",
            f"{self.graph}/oauth/access_token",
            params={
                "client_id": self.settings.meta_client_id,
                "client_secret": self.settings.meta_client_secret.get_secret_value(),
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )
        return self._token_set(body)

    async def refresh(self, refresh_token: str) -> TokenSet:
        body = await self._request(
            "GET",
            f"{self.graph}/oauth/access_token",
            params={
                "grant_type": "fb_exchange_token",
                "client_id": self.settings.meta_client_id,
                "client_secret": self.settings.meta_client_secret.get_secret_value(),
                "fb_exchange_token": refresh_token,
            },
        )
        return self._token_set(body)

    # -- paging ------------------------------------------------------------------------

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

    # -- accounts and audiences --------------------------------------------------------

    async def list_ad_accounts(self, token: TokenLike) -> list[AdAccount]:
        accounts: list[AdAccount] = []
        async for item in self._paged(
            token,
            f"{self.graph}/me/adaccounts",
            {"fields": "account_id,name,currency", "limit": 100},
        ):
            account_id = str(item.get("account_id") or str(item.get("id", "")).removeprefix("act_"))
            accounts.append(
                AdAccount(
                    id=account_id, name=str(item.get("name", "")), currency=item.get("currency")
                )
            )
        return accounts

    @staticmethod
    def _act(ad_account_id: str) -> str:
        return ad_account_id if ad_account_id.startswith("act_") else f"act_{ad_account_id}"

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
            f"{self.graph}/{self._act(ad_account_id)}/customaudiences",
            token=token,
            json_body={
                "name": name,
                "subtype": "CUSTOM",
                "description": description,
                "customer_file_source": self.settings.meta_customer_file_source,
            },
        )
        return str(body["id"])

    async def get_audience(self, token: TokenLike, audience_id: str) -> AudienceInfo:
        body = await self._request(
            "GET",
            f"{self.graph}/{audience_id}",
            token=token,
            params={
                "fields": "id,name,approximate_count_lower_bound,approximate_count_upper_bound,"
                "operation_status,delivery_status"
            },
        )
        lower = body.get("approximate_count_lower_bound")
        size = int(lower) if isinstance(lower, int | float) and lower >= 0 else None
        operation = body.get("operation_status")
        status: str | None = None
        if isinstance(operation, dict):
            status = str(operation.get("description") or operation.get("code"))
        elif operation is not None:
            status = str(operation)
        return AudienceInfo(
            id=str(body.get("id", audience_id)), size=size, match_rate=None, status=status, raw=body
        )

    async def delete_audience(self, token: TokenLike, audience_id: str) -> None:
        await self._request("DELETE", f"{self.graph}/{audience_id}", token=token)

    # -- members -----------------------------------------------------------------------

    @staticmethod
    def schema_for(fields: Sequence[str]) -> str | list[str]:
        """``EMAIL_SHA256`` style single key when Meta has one, else a multi-key list."""
        if len(fields) == 1 and fields[0] in SINGLE_KEY:
            return SINGLE_KEY[fields[0]]
        if len(fields) == 1 and fields[0] in SINGLE_KEY.values():
            return fields[0]
        schema: list[str] = []
        for name in fields:
            if name in MULTI_KEY:
                schema.append(MULTI_KEY[name])
            elif name in _KNOWN_SCHEMAS:
                schema.append(name)
            else:
                raise ValueError(f"Meta has no schema key for field {name!r}")
        return schema

    async def _stream_members(
        self,
        operation: MemberOperation,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        estimated_total: int | None,
    ) -> AsyncIterator[BatchReport]:
        method, edge = MEMBER_EDGES[operation]
        names = as_fields(fields)
        schema = self.schema_for(names)
        single = isinstance(schema, str)
        width = len(names)
        total = estimate_total(rows, estimated_total)
        session_id = secrets.randbelow(2**53 - 2) + 1
        envelope = {
            "payload": {"schema": schema, "data": []},
            "session": {
                "session_id": session_id,
                "batch_seq": 10**9,
                "last_batch_flag": False,
                "estimated_num_total": 10**15,
            },
        }

        ldu_at = [i for i, key in enumerate(schema) if key in LDU_SCHEMA] if not single else []

        def prepare(row: Any) -> Any:
            values = row_values(row, width)
            if single:
                return values[0]
            out: list[Any] = list(values)
            for i in ldu_at:
                out[i] = ldu_value(schema[i], out[i])
            return out

        url = f"{self.graph}/{audience_id}/{edge}"
        sent = False
        async for batch in self._json_batches(rows, prepare, envelope):
            sent = True
            body = {
                "payload": {"schema": schema, "data": batch.rows},
                "session": {
                    "session_id": session_id,
                    "batch_seq": batch.index + 1,
                    "last_batch_flag": batch.last,
                    "estimated_num_total": total if total is not None else batch.rows_done,
                },
            }
            if operation == "remove":
                # Meta documents removals as DELETE with the parameters in a form-encoded
                # body: a query string breaks on long URLs, a JSON body on DELETE is not
                # documented. The byte budget counts JSON; the form adds ~10% for hashes.
                form = {name: compact_json(value).decode() for name, value in body.items()}
                response = await self._request(method, url, token=token, data=form)
            else:
                response = await self._request(method, url, token=token, json_body=body)
            response = response if isinstance(response, dict) else {}
            yield batch.report(
                operation,
                received=as_int(response.get("num_received", len(batch.rows))),
                invalid=as_int(response.get("num_invalid_entries", 0)),
                invalid_samples=_samples(response.get("invalid_entry_samples")),
                raw=response,
            )
        if not sent and operation == "replace":
            raise ValueError(
                "Meta usersreplace needs at least one member; delete the audience to empty it"
            )

    # -- campaigns ---------------------------------------------------------------------

    def _pick(self, entries: Any) -> Decimal:
        """The value of the first configured action type present (no double counting)."""
        if not isinstance(entries, list):
            return Decimal(0)
        by_type = {
            str(entry.get("action_type")): entry.get("value")
            for entry in entries
            if isinstance(entry, dict)
        }
        for action_type in self.settings.meta_conversion_action_types:
            if action_type in by_type:
                return _decimal(by_type[action_type])
        return Decimal(0)

    async def get_campaign_insights(
        self, token: TokenLike, ad_account_id: str, since: date, until: date
    ) -> list[DailyInsight]:
        params = {
            "level": "campaign",
            "time_increment": 1,
            "time_range": json.dumps(
                {"since": since.isoformat(), "until": until.isoformat()}, separators=(",", ":")
            ),
            "fields": "campaign_id,impressions,clicks,spend,actions,action_values",
            "limit": 500,
        }
        rows: list[DailyInsight] = []
        async for item in self._paged(
            token, f"{self.graph}/{self._act(ad_account_id)}/insights", params
        ):
            rows.append(
                DailyInsight(
                    campaign_external_id=str(item.get("campaign_id", "")),
                    date=date.fromisoformat(str(item["date_start"])),
                    impressions=as_int(item.get("impressions")),
                    clicks=as_int(item.get("clicks")),
                    conversions=self._pick(item.get("actions")),
                    spend=_decimal(item.get("spend")),
                    revenue=self._pick(item.get("action_values")),
                )
            )
        return rows

    async def update_campaign(
        self,
        token: TokenLike,
        ad_account_id: str,
        campaign_external_id: str,
        status: str | None = None,
        daily_budget: Decimal | None = None,
    ) -> None:
        body: dict[str, Any] = {}
        if status is not None:
            mapped = {"ENABLED": "ACTIVE"}.get(status.upper(), status.upper())
            if mapped not in {"ACTIVE", "PAUSED", "ARCHIVED", "DELETED"}:
                raise ValueError(f"unsupported Meta campaign status {status!r}")
            body["status"] = mapped
        if daily_budget is not None:
            account = await self._request(
                "GET",
                f"{self.graph}/{self._act(ad_account_id)}",
                token=token,
                params={"fields": "currency"},
            )
            currency = str((account or {}).get("currency") or "USD").upper()
            offset = 1 if currency in ZERO_DECIMAL_CURRENCIES else 100
            body["daily_budget"] = str(int((daily_budget * offset).to_integral_value()))
        if not body:
            return
        await self._request(
            "POST", f"{self.graph}/{campaign_external_id}", token=token, json_body=body
        )

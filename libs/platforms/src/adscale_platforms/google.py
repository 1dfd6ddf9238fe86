"""Google client: Data Manager API for audiences, Google Ads API for accounts and campaigns.

Hosts: ``google_accounts_url`` (OAuth consent page), ``google_oauth2_url`` (token
endpoint), ``google_datamanager_url`` (Data Manager API v1), ``google_ads_url`` (Google Ads
API, version ``google_ads_api_version``).

* OAuth 2.0 authorization code flow with PKCE S256: ``{accounts}/o/oauth2/v2/auth``
  (``access_type=offline``, ``prompt=consent``) and ``POST {oauth2}/token``; scopes
  ``.../auth/datamanager`` and ``.../auth/adwords``.
* Ad accounts: ``GET /{v}/customers:listAccessibleCustomers`` then a ``googleAds:searchStream``
  on ``customer`` for name and currency (``developer-token`` header on every Ads call,
  ``login-customer-id`` when a manager account is configured).
* Audiences: ``userLists.create`` (``POST /v1/accountTypes/GOOGLE_ADS/accounts/{id}/userLists``
  with ``displayName``, ``description``, ``membershipDuration``, ``ingestedUserListInfo``),
  ``get`` and ``delete`` on the user list resource name. The platform audience id returned
  by :meth:`GoogleClient.create_audience` is that resource name
  (``accountTypes/GOOGLE_ADS/accounts/{account}/userLists/{list}``): it carries the
  operating account the ingest destination needs. Size is
  ``sizeInfo.displayNetworkMembersCount``; match rate
  ``ingestedUserListInfo.contactIdInfo.matchRatePercentage``.
* Members: ``POST /v1/audienceMembers:ingest`` / ``:remove`` with ``destinations[]``
  (``operatingAccount``, ``productDestinationId`` = the user list id), ``audienceMembers[]``
  (``userData.userIdentifiers``: ``emailAddress``, ``phoneNumber`` or ``address``),
  ``consent``, ``encoding: HEX`` and ``termsOfService``; at most 10,000 members per request.
  Full replace without a gap: note time *T*, ingest everything, then
  ``POST /v1/audienceMembers:removeAll`` with ``removeAsOfTime = T`` (members last added
  before *T* are removed, the ones just ingested stay).
* Insights: ``googleAds:searchStream`` on ``campaign`` by ``segments.date``; updates:
  ``campaigns:mutate`` (status) and ``campaignBudgets:mutate`` (``amount_micros``).
* Errors: ``google.rpc.Status`` (``{"error": {"code", "message", "status", "details"}}``,
  a list of them from ``searchStream``) and OAuth ``{"error", "error_description"}``; see
  :func:`google_error`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx

from adscale_platforms.base import BaseClient
from adscale_platforms.errors import (
    InvalidRequest,
    NotFound,
    PermissionDenied,
    PlatformError,
    PlatformUnavailable,
    RateLimited,
    TokenExpired,
    parse_duration,
    parse_retry_after,
)
from adscale_platforms.models import AdAccount, AudienceInfo, BatchReport, DailyInsight, TokenSet
from adscale_platforms.oauth import oauth_token_set
from adscale_platforms.protocol import MemberOperation, TokenLike
from adscale_platforms.rows import Rows, as_fields, row_values
from adscale_platforms.values import as_int, rfc3339

__all__ = ["GoogleClient", "google_error", "parse_user_list_name"]

PLATFORM = "google"

_USER_LIST_NAME = re.compile(
    r"accountTypes/(?P<type>[A-Z_]+)/accounts/(?P<account>[^/]+)/userLists/(?P<list>[^/]+)"
)
_ADDRESS_FIELDS = {
    "first_name": "givenName",
    "last_name": "familyName",
    "country": "regionCode",
    "zip": "postalCode",
}
# AudienceMember.consent: a row may carry these two values after its identifiers
# (granted / denied / "" for unspecified, which leaves the request-level consent).
_MEMBER_CONSENT = ("adUserData", "adPersonalization")
_CONSENT_STATUS = {"granted": "CONSENT_GRANTED", "denied": "CONSENT_DENIED"}
_IDENTIFIER_FIELDS = {"email": "emailAddress", "phone": "phoneNumber"}
# userData.userIdentifiers of one member: "At most 10" (Data Manager API, UserData).
MAX_IDENTIFIERS = 10
_STATUS_MAP = {"ACTIVE": "ENABLED", "ENABLED": "ENABLED", "PAUSED": "PAUSED"}
# Member operation -> Data Manager method (replace ingests, then removes what is older).
_MEMBER_VERBS = {"add": "ingest", "remove": "remove", "replace": "ingest"}

TOKEN_STATUSES = frozenset({"UNAUTHENTICATED"})
PERMISSION_STATUSES = frozenset({"PERMISSION_DENIED"})
RATE_STATUSES = frozenset({"RESOURCE_EXHAUSTED"})
TRANSIENT_STATUSES = frozenset(
    {"UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "ABORTED", "UNKNOWN"}
)


def parse_user_list_name(name: str) -> tuple[str, str, str]:
    """``(account_type, account_id, user_list_id)`` from a user list resource name."""
    match = _USER_LIST_NAME.fullmatch(name.strip("/"))
    if match is None:
        raise ValueError(
            "Google audience ids are user list resource names: "
            "accountTypes/GOOGLE_ADS/accounts/{account}/userLists/{list}"
        )
    return match["type"], match["account"], match["list"]


def _customer(ad_account_id: str) -> str:
    return ad_account_id.removeprefix("customers/").replace("-", "")


def _retry_delay(details: list[Any]) -> float | None:
    for detail in details:
        if not isinstance(detail, dict):
            continue
        delay = parse_duration(detail.get("retryDelay"))
        if delay is not None:
            return delay
        for item in detail.get("errors", []) if isinstance(detail.get("errors"), list) else []:
            quota = (
                (item.get("details") or {}).get("quotaErrorDetails")
                if isinstance(item, dict)
                else None
            )
            if isinstance(quota, dict):
                delay = parse_duration(quota.get("retryDelay"))
                if delay is not None:
                    return delay
    return None


def _reason_and_samples(details: list[Any]) -> tuple[str | None, list[Any]]:
    reason: str | None = None
    samples: list[Any] = []
    for detail in details:
        if not isinstance(detail, dict):
            continue
        kind = str(detail.get("@type", ""))
        if kind.endswith("google.rpc.ErrorInfo") and reason is None:
            reason = detail.get("reason")
        elif kind.endswith("google.rpc.BadRequest"):
            for violation in detail.get("fieldViolations", []) or []:
                if isinstance(violation, dict):
                    samples.append(
                        {
                            "field": violation.get("field"),
                            "description": violation.get("description"),
                            "reason": violation.get("reason"),
                        }
                    )
        elif kind.endswith("GoogleAdsFailure"):
            for item in detail.get("errors", []) or []:
                if not isinstance(item, dict):
                    continue
                code = item.get("errorCode") or {}
                if reason is None and isinstance(code, dict) and code:
                    reason = str(next(iter(code.values())))
                samples.append(
                    {
                        "message": item.get("message"),
                        "errorCode": code,
                        "location": item.get("location"),
                    }
                )
    return reason, samples


def google_error(status: int, headers: httpx.Headers, body: Any) -> PlatformError | None:
    """Map a Google (rpc Status or OAuth) response to a typed error."""
    if isinstance(body, list):
        body = next((item for item in body if isinstance(item, dict) and "error" in item), None)
    error = body.get("error") if isinstance(body, dict) else None
    if status < 400 and error is None:
        return None
    retry_after = parse_retry_after(headers.get("retry-after"))
    # OAuth token endpoint: {"error": "invalid_grant", "error_description": "..."}
    if isinstance(error, str):
        description = (
            str(body.get("error_description") or error) if isinstance(body, dict) else error
        )
        if error == "invalid_grant":
            return TokenExpired(PLATFORM, error, description, http_status=status, raw=body)
        if error in {"unauthorized_client", "access_denied", "invalid_client"}:
            return PermissionDenied(PLATFORM, error, description, http_status=status, raw=body)
        if status == 429 or error == "rate_limit_exceeded":
            return RateLimited(
                PLATFORM, error, description, http_status=status, retry_after=retry_after, raw=body
            )
        if status >= 500:
            return PlatformUnavailable(PLATFORM, error, description, http_status=status, raw=body)
        return InvalidRequest(PLATFORM, error, description, http_status=status, raw=body)
    if not isinstance(error, dict):
        error = {}
    rpc_status = str(error.get("status") or "")
    message = str(error.get("message") or f"HTTP {status}")
    raw_details = error.get("details")
    details: list[Any] = raw_details if isinstance(raw_details, list) else []
    reason, samples = _reason_and_samples(details)
    code: str | int = rpc_status or status
    args: dict[str, Any] = {"http_status": status, "raw": body}
    if rpc_status in TOKEN_STATUSES or (not rpc_status and status == 401):
        return TokenExpired(PLATFORM, code, message, reason, **args)
    if rpc_status in RATE_STATUSES or status == 429:
        return RateLimited(
            PLATFORM,
            code,
            message,
            reason,
            retry_after=retry_after if retry_after is not None else _retry_delay(details),
            **args,
        )
    if rpc_status in PERMISSION_STATUSES or (not rpc_status and status == 403):
        return PermissionDenied(PLATFORM, code, message, reason, **args)
    if rpc_status in TRANSIENT_STATUSES or status >= 500:
        return PlatformUnavailable(PLATFORM, code, message, reason, **args)
    if rpc_status == "NOT_FOUND" or status == 404:
        return NotFound(PLATFORM, code, message, reason, samples=samples, **args)
    return InvalidRequest(PLATFORM, code, message, reason, samples=samples, **args)


def _decimal(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    return Decimal(str(value))


class GoogleClient(BaseClient):
    """Data Manager + Google Ads API client (see the module docstring for endpoints)."""

    platform = PLATFORM
    supports_pkce = True

    # -- urls and errors ---------------------------------------------------------------

    @property
    def datamanager(self) -> str:
        return f"{self.settings.google_datamanager_url.rstrip('/')}/v1"

    @property
    def ads(self) -> str:
        return f"{self.settings.google_ads_url.rstrip('/')}/{self.settings.google_ads_api_version}"

    def _error_from(self, response: httpx.Response, body: Any) -> PlatformError | None:
        return google_error(response.status_code, response.headers, body)

    def _ads_headers(self) -> dict[str, str]:
        headers = {"developer-token": self.settings.google_developer_token.get_secret_value()}
        if self.settings.google_login_customer_id:
            headers["login-customer-id"] = _customer(self.settings.google_login_customer_id)
        return headers

    def _login_account(self) -> dict[str, str] | None:
        if not self.settings.google_login_customer_id:
            return None
        return {
            "accountType": "GOOGLE_ADS",
            "accountId": _customer(self.settings.google_login_customer_id),
        }

    # -- OAuth -------------------------------------------------------------------------

    def authorization_url(
        self, state: str, redirect_uri: str, code_challenge: str | None = None
    ) -> str:
        params = {
            "client_id": self.settings.google_client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": " ".join(self.settings.google_scopes),
            "state": state,
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
        }
        if code_challenge:
            params["code_challenge"] = code_challenge
            params["code_challenge_method"] = "S256"
        accounts = self.settings.google_accounts_url.rstrip("/")
        return f"{accounts}/o/oauth2/v2/auth?{urlencode(params)}"

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        form = {
            "code": code,
            "client_id": self.settings.google_client_id,
            "client_secret": self.settings.google_client_secret.get_secret_value(),
            "redirect_uri": redirect_uri,
            "grant_type": "authorization_code",
        }
        if code_verifier:
            form["code_verifier"] = code_verifier
        body = await self._request(
            "POST", f"{self.settings.google_oauth2_url.rstrip('/')}/token", data=form
        )
        return oauth_token_set(PLATFORM, body)

    async def refresh(self, refresh_token: str) -> TokenSet:
        body = await self._request(
            "POST",
            f"{self.settings.google_oauth2_url.rstrip('/')}/token",
            data={
                "client_id": self.settings.google_client_id,
                "client_secret": self.settings.google_client_secret.get_secret_value(),
                "refresh_token": refresh_token,
                "grant_type": "refresh_token",
            },
        )
        return oauth_token_set(PLATFORM, body, refresh_token)

    # -- Google Ads --------------------------------------------------------------------

    async def search(self, token: TokenLike, customer_id: str, query: str) -> list[dict[str, Any]]:
        """Rows of a GAQL query (``googleAds:searchStream``)."""
        body = await self._request(
            "POST",
            f"{self.ads}/customers/{_customer(customer_id)}/googleAds:searchStream",
            token=token,
            json_body={"query": query},
            headers=self._ads_headers(),
        )
        chunks = body if isinstance(body, list) else [body] if isinstance(body, dict) else []
        rows: list[dict[str, Any]] = []
        for chunk in chunks:
            if isinstance(chunk, dict):
                rows.extend(r for r in chunk.get("results", []) or [] if isinstance(r, dict))
        return rows

    async def list_ad_accounts(self, token: TokenLike) -> list[AdAccount]:
        body = await self._request(
            "GET",
            f"{self.ads}/customers:listAccessibleCustomers",
            token=token,
            headers=self._ads_headers(),
        )
        accounts: list[AdAccount] = []
        for resource in (body or {}).get("resourceNames", []) or []:
            customer_id = _customer(str(resource))
            try:
                rows = await self.search(
                    token,
                    customer_id,
                    "SELECT customer.id, customer.descriptive_name, customer.currency_code "
                    "FROM customer",
                )
            except (PermissionDenied, NotFound):
                continue  # not enabled, or reachable only through a manager
            customer = rows[0].get("customer", {}) if rows else {}
            accounts.append(
                AdAccount(
                    id=customer_id,
                    name=str(customer.get("descriptiveName") or customer_id),
                    currency=customer.get("currencyCode"),
                )
            )
        return accounts

    async def get_campaign_insights(
        self, token: TokenLike, ad_account_id: str, since: date, until: date
    ) -> list[DailyInsight]:
        # GAQL, not SQL: the only interpolated values are two ``date`` objects.
        query = " ".join(
            (
                "SELECT campaign.id, segments.date, metrics.impressions, metrics.clicks,",
                "metrics.conversions, metrics.cost_micros, metrics.conversions_value",
                "FROM campaign",
                f"WHERE segments.date BETWEEN '{since.isoformat()}' AND '{until.isoformat()}'",
            )
        )
        insights: list[DailyInsight] = []
        for row in await self.search(token, ad_account_id, query):
            campaign = row.get("campaign", {})
            metrics = row.get("metrics", {})
            insights.append(
                DailyInsight(
                    campaign_external_id=str(campaign.get("id", "")),
                    date=date.fromisoformat(str(row.get("segments", {}).get("date"))),
                    impressions=as_int(metrics.get("impressions")),
                    clicks=as_int(metrics.get("clicks")),
                    conversions=_decimal(metrics.get("conversions")),
                    spend=_decimal(metrics.get("costMicros", 0)) / Decimal(1_000_000),
                    revenue=_decimal(metrics.get("conversionsValue")),
                )
            )
        return insights

    async def update_campaign(
        self,
        token: TokenLike,
        ad_account_id: str,
        campaign_external_id: str,
        status: str | None = None,
        daily_budget: Decimal | None = None,
    ) -> None:
        customer = _customer(ad_account_id)
        resource = f"customers/{customer}/campaigns/{campaign_external_id}"
        if status is not None:
            mapped = _STATUS_MAP.get(status.upper())
            if mapped is None:
                raise ValueError(f"unsupported Google campaign status {status!r}")
            await self._mutate(
                token, customer, "campaigns", {"resourceName": resource, "status": mapped}, "status"
            )
        if daily_budget is not None:
            rows = await self.search(
                token,
                customer,
                " ".join(
                    (
                        "SELECT campaign.id, campaign.campaign_budget FROM campaign",
                        f"WHERE campaign.id = {int(campaign_external_id)}",
                    )
                ),
            )
            budget = rows[0].get("campaign", {}).get("campaignBudget") if rows else None
            if not budget:
                raise NotFound(
                    PLATFORM, "NOT_FOUND", f"campaign {campaign_external_id} has no budget"
                )
            micros = int((daily_budget * 1_000_000).to_integral_value())
            await self._mutate(
                token,
                customer,
                "campaignBudgets",
                {"resourceName": budget, "amountMicros": str(micros)},
                "amount_micros",
            )

    async def _mutate(
        self, token: TokenLike, customer: str, service: str, update: dict[str, Any], mask: str
    ) -> None:
        """One ``update`` operation through ``customers/{customer}/{service}:mutate``."""
        await self._request(
            "POST",
            f"{self.ads}/customers/{customer}/{service}:mutate",
            token=token,
            headers=self._ads_headers(),
            json_body={"operations": [{"update": update, "updateMask": mask}]},
        )

    # -- audiences ---------------------------------------------------------------------

    def _dm_headers(self) -> dict[str, str] | None:
        login = self._login_account()
        if login is None:
            return None
        return {"login-account": f"accountTypes/GOOGLE_ADS/accounts/{login['accountId']}"}

    async def create_audience(
        self,
        token: TokenLike,
        ad_account_id: str,
        name: str,
        description: str,
        *,
        schema_field: str | None = None,
    ) -> str:
        days = self.settings.google_membership_duration_days
        body = await self._request(
            "POST",
            f"{self.datamanager}/accountTypes/GOOGLE_ADS/accounts/{_customer(ad_account_id)}/userLists",
            token=token,
            headers=self._dm_headers(),
            json_body={
                "displayName": name,
                "description": description,
                "membershipDuration": f"{days * 86400}s",
                "ingestedUserListInfo": {
                    "uploadKeyTypes": ["CONTACT_ID"],
                    "contactIdInfo": {"dataSourceType": "DATA_SOURCE_TYPE_FIRST_PARTY"},
                },
            },
        )
        name_out = (body or {}).get("name")
        if not name_out:
            list_id = (body or {}).get("id")
            name_out = (
                f"accountTypes/GOOGLE_ADS/accounts/{_customer(ad_account_id)}/userLists/{list_id}"
            )
        return str(name_out)

    async def get_audience(self, token: TokenLike, audience_id: str) -> AudienceInfo:
        parse_user_list_name(audience_id)
        body = await self._request(
            "GET", f"{self.datamanager}/{audience_id}", token=token, headers=self._dm_headers()
        )
        size_info = body.get("sizeInfo") or {}
        display = size_info.get("displayNetworkMembersCount")
        search = size_info.get("searchNetworkMembersCount")
        sizes = [int(v) for v in (display, search) if v is not None]
        contact = (body.get("ingestedUserListInfo") or {}).get("contactIdInfo") or {}
        rate = contact.get("matchRatePercentage")
        return AudienceInfo(
            id=audience_id,
            size=int(display) if display is not None else (max(sizes) if sizes else None),
            match_rate=float(rate) / 100 if isinstance(rate, int | float) else None,
            status=body.get("membershipStatus"),
            raw=body,
        )

    async def delete_audience(self, token: TokenLike, audience_id: str) -> None:
        parse_user_list_name(audience_id)
        await self._request(
            "DELETE", f"{self.datamanager}/{audience_id}", token=token, headers=self._dm_headers()
        )

    def _destination(self, audience_id: str) -> dict[str, Any]:
        account_type, account, list_id = parse_user_list_name(audience_id)
        destination: dict[str, Any] = {
            "operatingAccount": {"accountType": account_type, "accountId": account},
            "productDestinationId": list_id,
        }
        login = self._login_account()
        if login is not None:
            destination["loginAccount"] = login
        return destination

    @staticmethod
    def _member_builder(names: tuple[str, ...], dropped: list[int] | None = None) -> Any:
        """Rows -> members. A field named again is one more identifier of that type (a
        person's further emails and phones): the first of each field, then the address,
        then the repeats, up to :data:`MAX_IDENTIFIERS`; the rest is left out and added to
        ``dropped[0]``."""
        for name in names:
            if name not in _IDENTIFIER_FIELDS and name not in _ADDRESS_FIELDS:
                raise ValueError(f"the Data Manager API takes no {name!r} identifier")
        address = [n for n in names if n in _ADDRESS_FIELDS]
        if address and set(address) != set(_ADDRESS_FIELDS):
            raise ValueError(
                "an address identifier needs first_name, last_name, country and zip together"
            )
        width = len(names)
        repeat = [name in names[:i] for i, name in enumerate(names)]

        def build(row: Any) -> dict[str, Any]:
            consent: dict[str, str] = {}
            if not isinstance(row, str) and len(row) == width + len(_MEMBER_CONSENT):
                # A member's own consent, after its identifiers; "" keeps the request's.
                consent = {
                    key: _CONSENT_STATUS[value]
                    for key, value in zip(_MEMBER_CONSENT, row[width:], strict=True)
                    if value
                }
                row = row[:width]
            values = row_values(row, width)
            identifiers: list[dict[str, Any]] = []
            more: list[dict[str, Any]] = []
            address_info: dict[str, str] = {}
            for name, value, again in zip(names, values, repeat, strict=True):
                if not value:
                    continue
                if name in _IDENTIFIER_FIELDS:
                    (more if again else identifiers).append({_IDENTIFIER_FIELDS[name]: value})
                else:
                    address_info[_ADDRESS_FIELDS[name]] = value
            if address_info and len(address_info) == len(_ADDRESS_FIELDS):
                identifiers.append({"address": address_info})
            identifiers += more
            if len(identifiers) > MAX_IDENTIFIERS:
                if dropped is not None:
                    dropped[0] += len(identifiers) - MAX_IDENTIFIERS
                del identifiers[MAX_IDENTIFIERS:]
            member: dict[str, Any] = {"userData": {"userIdentifiers": identifiers}}
            if consent:
                member["consent"] = consent
            return member

        return build

    def _envelope(self, destination: dict[str, Any], *, with_consent: bool) -> dict[str, Any]:
        envelope: dict[str, Any] = {"destinations": [destination], "audienceMembers": []}
        if with_consent:
            envelope["consent"] = {
                "adUserData": self.settings.google_consent_ad_user_data,
                "adPersonalization": self.settings.google_consent_ad_personalization,
            }
        envelope["encoding"] = "HEX"
        if with_consent and self.settings.google_customer_match_terms_accepted:
            envelope["termsOfService"] = {"customerMatchTermsOfServiceStatus": "ACCEPTED"}
        return envelope

    async def _stream_members(
        self,
        operation: MemberOperation,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        estimated_total: int | None,
    ) -> AsyncIterator[BatchReport]:
        """``ingest`` or ``remove``; for a replace, its ingest half (``removeAll`` comes last)."""
        verb = _MEMBER_VERBS[operation]
        names = as_fields(fields)
        dropped = [0]
        build = self._member_builder(names, dropped)
        envelope = self._envelope(self._destination(audience_id), with_consent=verb == "ingest")
        url = f"{self.datamanager}/audienceMembers:{verb}"
        async for batch in self._json_batches(rows, build, envelope):
            members = [m for m in batch.rows if m["userData"]["userIdentifiers"]]
            first_row = batch.rows_done - len(batch.rows)
            response: Any = {}
            if members:
                response = await self._request(
                    "POST", url, token=token, json_body={**envelope, "audienceMembers": members}
                )
            yield batch.report(
                operation,
                received=len(members),
                invalid=len(batch.rows) - len(members),
                invalid_samples=tuple(
                    f"row {first_row + i}: no identifier"
                    for i, m in enumerate(batch.rows)
                    if not m["userData"]["userIdentifiers"]
                ),
                last=batch.last and operation != "replace",
                raw=response,
                dropped=dropped[0],
            )
            dropped[0] = 0

    async def _stream_replace(
        self,
        token: TokenLike,
        audience_id: str,
        fields: str | Sequence[str],
        rows: Rows,
        estimated_total: int | None,
    ) -> AsyncIterator[BatchReport]:
        """Ingest everything, then ``removeAll`` members last added before the start."""
        destination = self._destination(audience_id)
        started = datetime.now(UTC)
        index = 0
        done = 0
        async for report in self._stream_members(
            "replace", token, audience_id, fields, rows, estimated_total
        ):
            index = report.batch_index + 1
            done = report.rows_done
            yield report
        response = await self._request(
            "POST",
            f"{self.datamanager}/audienceMembers:removeAll",
            token=token,
            json_body={"destinations": [destination], "removeAsOfTime": rfc3339(started)},
        )
        yield BatchReport(
            operation="replace",
            batch_index=index,
            rows=0,
            rows_done=done,
            received=0,
            invalid=0,
            last=True,
            raw=response if isinstance(response, dict) else {},
        )

"""Google Ads API (googleads.googleapis.com): accessible customers, GAQL reports, mutates."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import (
    PlatformError,
    RateDecision,
    bearer_token,
    json_response,
    make_guard,
    now,
    read_json,
    sandbox_of,
)
from adscale_sandbox.metrics import DailyMetrics, active_days, daily_metrics, preset_range
from adscale_sandbox.oauth import Principal, TokenState
from adscale_sandbox.platforms.common import owned_account
from adscale_sandbox.platforms.google_errors import error_info, rpc_error, unauthenticated

PLATFORM = "google"
SERVICE = "googleads.googleapis.com"
CAMPAIGN_STATUSES = ("ENABLED", "PAUSED", "REMOVED")
VERSION = re.compile(r"/(v\d+)/")


def _version(request: Request) -> str:
    match = VERSION.search(request.url.path)
    return match.group(1) if match else "v21"


def ads_failure(
    request: Request,
    status: int,
    code_name: str,
    message: str,
    error_code: dict[str, str],
    *,
    location: list[dict[str, Any]] | None = None,
    details: dict[str, Any] | None = None,
    extra: list[dict[str, Any]] | None = None,
) -> PlatformError:
    error: dict[str, Any] = {"errorCode": error_code, "message": message}
    if location:
        error["location"] = {"fieldPathElements": location}
    if details:
        error["details"] = details
    failure = {
        "@type": (
            f"type.googleapis.com/google.ads.googleads.{_version(request)}.errors.GoogleAdsFailure"
        ),
        "errors": [error],
        "requestId": state.new_request_id(),
    }
    return rpc_error(status, code_name, message, [failure, *(extra or [])])


def query_error(request: Request, code: str, message: str) -> PlatformError:
    return ads_failure(request, 400, "INVALID_ARGUMENT", message, {"queryError": code})


class GoogleAdsAdapter:
    name = PLATFORM

    async def extract_token(self, request: Request) -> str | None:
        return bearer_token(request)

    def auth_error(self, token_state: TokenState, request: Request) -> PlatformError:
        if token_state is TokenState.MISSING:
            return unauthenticated(token_state, SERVICE)
        code = {
            TokenState.EXPIRED: "OAUTH_TOKEN_EXPIRED",
            TokenState.REVOKED: "OAUTH_TOKEN_REVOKED",
        }.get(token_state, "OAUTH_TOKEN_INVALID")
        base = unauthenticated(token_state, SERVICE)
        failure = ads_failure(
            request,
            401,
            "UNAUTHENTICATED",
            "Authentication of the request failed.",
            {"authenticationError": code},
        )
        base.body["error"]["details"] = failure.body["error"]["details"] + base.body["error"].get(
            "details", []
        )
        return base

    def rate_limit_error(self, decision: RateDecision, request: Request) -> PlatformError:
        return ads_failure(
            request,
            429,
            "RESOURCE_EXHAUSTED",
            f"Too many requests. Retry in {decision.retry_after} seconds.",
            {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"},
            details={
                "quotaErrorDetails": {
                    "rateScope": "DEVELOPER",
                    "rateName": "Number of operations for basic access",
                    "retryDelay": f"{decision.retry_after}s",
                }
            },
        )

    def fault_error(self, kind: str, request: Request) -> PlatformError:
        if kind == "permission":
            return ads_failure(
                request,
                403,
                "PERMISSION_DENIED",
                "User doesn't have permission to access customer.",
                {"authorizationError": "USER_PERMISSION_DENIED"},
            )
        if kind == "server_error":
            return ads_failure(
                request,
                500,
                "INTERNAL",
                "An internal error has occurred.",
                {"internalError": "INTERNAL_ERROR"},
            )
        return ads_failure(
            request,
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
            {"fieldError": "INVALID_VALUE"},
        )


adapter = GoogleAdsAdapter()
_guard = make_guard(adapter)


async def authorized(request: Request) -> Principal:
    principal = await _guard(request)
    ctx = sandbox_of(request)
    if ctx.settings.google_ads_require_developer_token and not request.headers.get(
        "developer-token"
    ):
        raise ads_failure(
            request,
            400,
            "INVALID_ARGUMENT",
            "The developer-token parameter is required for all requests.",
            {"requestError": "DEVELOPER_TOKEN_PARAMETER_MISSING"},
        )
    return principal


router = APIRouter()


@router.get("/{version}/customers:listAccessibleCustomers")
async def list_accessible_customers(
    version: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    accounts = await ctx.store.run(lambda c: state.list_accounts(c, PLATFORM, principal.user_id))
    return json_response({"resourceNames": [f"customers/{a.account_id}" for a in accounts]})


def _customer(
    conn: sqlite3.Connection, request: Request, customer_id: str, principal: Principal
) -> state.AdAccount:
    account = owned_account(conn, PLATFORM, customer_id, principal)
    if account is None:
        raise ads_failure(
            request,
            403,
            "PERMISSION_DENIED",
            "User doesn't have permission to access customer. Note: If you're accessing a "
            "client customer, the manager's customer id must be set in the 'login-customer-id' "
            "header.",
            {"authorizationError": "USER_PERMISSION_DENIED"},
        )
    return account


# --------------------------------------------------------------------------- GAQL

INT64 = {
    "campaign.id",
    "campaign_budget.id",
    "campaign_budget.amount_micros",
    "customer.id",
    "metrics.impressions",
    "metrics.clicks",
    "metrics.cost_micros",
}
DOUBLE = {"metrics.conversions", "metrics.conversions_value", "metrics.ctr", "metrics.average_cpc"}
METRICS = {
    "metrics.impressions",
    "metrics.clicks",
    "metrics.cost_micros",
    "metrics.conversions",
    "metrics.conversions_value",
    "metrics.ctr",
    "metrics.average_cpc",
}
CUSTOMER_FIELDS = {
    "customer.id",
    "customer.resource_name",
    "customer.descriptive_name",
    "customer.currency_code",
    "customer.time_zone",
    "customer.manager",
}
BUDGET_FIELDS = {
    "campaign_budget.id",
    "campaign_budget.resource_name",
    "campaign_budget.amount_micros",
    "campaign_budget.delivery_method",
}
CAMPAIGN_FIELDS = {
    "campaign.id",
    "campaign.resource_name",
    "campaign.name",
    "campaign.status",
    "campaign.campaign_budget",
    "campaign.advertising_channel_type",
    "campaign.start_date",
}
RESOURCES = {
    "campaign": CAMPAIGN_FIELDS | BUDGET_FIELDS | CUSTOMER_FIELDS | METRICS | {"segments.date"},
    "campaign_budget": BUDGET_FIELDS | CUSTOMER_FIELDS,
    "customer": CUSTOMER_FIELDS | METRICS | {"segments.date"},
}
QUERY = re.compile(
    r"^\s*SELECT\s+(?P<select>.+?)\s+FROM\s+(?P<resource>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?"
    r"(?:\s+ORDER\s+BY\s+(?P<order>.+?))?"
    r"(?:\s+LIMIT\s+(?P<limit>\d+))?"
    r"(?:\s+PARAMETERS\s+.+?)?\s*$",
    re.IGNORECASE | re.DOTALL,
)
VALUE = r"'[^']*'|\"[^\"]*\"|\([^)]*\)|[^\s()]+"
CONDITION = re.compile(
    r"\s*(?P<field>[a-z_.]+)\s+(?:"
    rf"(?P<between>BETWEEN)\s+(?P<low>{VALUE})\s+AND\s+(?P<high>{VALUE})"
    r"|(?P<during>DURING)\s+(?P<preset>\w+)"
    r"|(?P<isnull>IS\s+(?:NOT\s+)?NULL)"
    rf"|(?P<op>!=|>=|<=|=|>|<|NOT\s+IN|IN|NOT\s+LIKE|LIKE|CONTAINS\s+ANY)\s*(?P<value>{VALUE})"
    r")\s*(?:AND\b|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Query:
    select: list[str]
    resource: str
    conditions: list[Condition]
    order: list[tuple[str, bool]]
    limit: int | None


def _literal(raw: str) -> Any:
    raw = raw.strip()
    if raw[:1] in ("'", '"'):
        return raw[1:-1]
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if re.fullmatch(r"-?\d+\.\d*", raw):
        return float(raw)
    return raw.upper() if raw.isupper() or raw.replace("_", "").isalpha() else raw


def parse_query(request: Request, text: str) -> Query:
    match = QUERY.match(text or "")
    if not match:
        raise query_error(request, "UNEXPECTED_END_OF_QUERY", f"Error in query: {text!r}.")
    resource = match.group("resource").lower()
    if resource not in RESOURCES:
        raise query_error(
            request,
            "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE",
            f"Error in FROM clause: the sandbox does not serve '{resource}'.",
        )
    select = [f.strip().lower() for f in match.group("select").split(",") if f.strip()]
    for field in select:
        if field not in RESOURCES[resource]:
            raise query_error(
                request,
                "UNRECOGNIZED_FIELD",
                f"Error in SELECT clause: unrecognized field '{field}'.",
            )
    conditions: list[Condition] = []
    where = match.group("where")
    position = 0
    while where and position < len(where):
        cond = CONDITION.match(where, position)
        if not cond or cond.end() == position:
            raise query_error(
                request, "BAD_VALUE", f"Error in WHERE clause near '{where[position:]}'."
            )
        position = cond.end()
        field = cond.group("field").lower()
        if field not in RESOURCES[resource]:
            raise query_error(
                request,
                "UNRECOGNIZED_FIELD",
                f"Error in WHERE clause: unrecognized field '{field}'.",
            )
        if cond.group("between"):
            conditions.append(
                Condition(
                    field, "BETWEEN", (_literal(cond.group("low")), _literal(cond.group("high")))
                )
            )
        elif cond.group("during"):
            conditions.append(Condition(field, "DURING", (cond.group("preset").upper(),)))
        elif cond.group("isnull"):
            conditions.append(Condition(field, " ".join(cond.group("isnull").upper().split()), ()))
        else:
            op = " ".join(cond.group("op").upper().split())
            raw = cond.group("value")
            if raw.startswith("("):
                values = tuple(_literal(v) for v in re.findall(VALUE, raw[1:-1]) if v.strip(","))
            else:
                values = (_literal(raw),)
            conditions.append(Condition(field, op, values))
    order: list[tuple[str, bool]] = []
    if match.group("order"):
        for part in match.group("order").split(","):
            bits = part.split()
            order.append((bits[0].lower(), len(bits) > 1 and bits[1].upper() == "DESC"))
    limit = int(match.group("limit")) if match.group("limit") else None
    return Query(select, resource, conditions, order, limit)


def _preset(name: str, today: date) -> tuple[date, date]:
    match = re.fullmatch(r"LAST_(\d+)_DAYS", name)
    window = preset_range(name.lower(), today, last_days=int(match.group(1)) if match else None)
    if window is None:
        raise ValueError(name)
    return window


def _date_bounds(request: Request, query: Query, today: date) -> tuple[date | None, date | None]:
    low: date | None = None
    high: date | None = None
    for cond in query.conditions:
        if cond.field != "segments.date":
            continue
        try:
            if cond.op == "DURING":
                since, until = _preset(str(cond.values[0]), today)
            elif cond.op == "BETWEEN":
                since, until = (
                    date.fromisoformat(cond.values[0]),
                    date.fromisoformat(cond.values[1]),
                )
            elif cond.op == "=":
                since = until = date.fromisoformat(cond.values[0])
            elif cond.op in (">=", ">"):
                since = date.fromisoformat(cond.values[0]) + timedelta(days=cond.op == ">")
                until = date.max
            elif cond.op in ("<=", "<"):
                since = date.min
                until = date.fromisoformat(cond.values[0]) - timedelta(days=cond.op == "<")
            else:
                raise ValueError(cond.op)
        except (ValueError, TypeError, IndexError) as exc:
            raise query_error(
                request, "INVALID_DATE_FORMAT", "Error in WHERE clause: invalid date filter."
            ) from exc
        low = since if low is None else max(low, since)
        high = until if high is None else min(high, until)
    if low == date.min:
        low = None
    if high == date.max:
        high = None
    return low, high


def _compare(value: Any, cond: Condition) -> bool:
    if cond.op in ("IS NULL", "IS NOT NULL"):
        return (value is None) == (cond.op == "IS NULL")
    if value is None:
        return False
    left: Any = value
    values: list[Any] = list(cond.values)
    if isinstance(value, int | float) and not isinstance(value, bool):
        values = [float(v) if isinstance(v, int | float) or _numeric(v) else v for v in values]
        left = float(value)
    else:
        left = str(value)
        values = [str(v) for v in values]
    ops: dict[str, Callable[[], bool]] = {
        "=": lambda: left == values[0],
        "!=": lambda: left != values[0],
        ">": lambda: left > values[0],
        ">=": lambda: left >= values[0],
        "<": lambda: left < values[0],
        "<=": lambda: left <= values[0],
        "IN": lambda: left in values,
        "NOT IN": lambda: left not in values,
        "LIKE": lambda: _like(str(left), str(values[0])),
        "NOT LIKE": lambda: not _like(str(left), str(values[0])),
        "BETWEEN": lambda: values[0] <= left <= values[1],
    }
    check = ops.get(cond.op)
    return True if check is None else check()


def _numeric(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value) is not None


def _like(value: str, pattern: str) -> bool:
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL) is not None


def _metric_values(m: DailyMetrics | None) -> dict[str, Any]:
    if m is None:
        m = DailyMetrics(date.min, 0, 0, 0, 0, 0, 0)
    return {
        "metrics.impressions": m.impressions,
        "metrics.clicks": m.clicks,
        "metrics.cost_micros": m.spend_micros,
        "metrics.conversions": float(m.conversions),
        "metrics.conversions_value": m.revenue_micros / 1_000_000,
        "metrics.ctr": (m.clicks / m.impressions) if m.impressions else 0.0,
        "metrics.average_cpc": (m.spend_micros / m.clicks) if m.clicks else 0.0,
    }


def _account_values(account: state.AdAccount) -> dict[str, Any]:
    return {
        "customer.id": int(account.account_id),
        "customer.resource_name": f"customers/{account.account_id}",
        "customer.descriptive_name": account.name,
        "customer.currency_code": account.currency,
        "customer.time_zone": account.timezone,
        "customer.manager": False,
    }


def _campaign_values(account: state.AdAccount, campaign: state.Campaign) -> dict[str, Any]:
    budget = f"customers/{account.account_id}/campaignBudgets/{campaign.budget_id}"
    return {
        "campaign.id": int(campaign.campaign_id),
        "campaign.resource_name": (
            f"customers/{account.account_id}/campaigns/{campaign.campaign_id}"
        ),
        "campaign.name": campaign.name,
        "campaign.status": campaign.status,
        "campaign.campaign_budget": budget,
        "campaign.advertising_channel_type": campaign.objective,
        "campaign.start_date": campaign.start_date.isoformat(),
        "campaign_budget.id": int(campaign.budget_id),
        "campaign_budget.resource_name": budget,
        "campaign_budget.amount_micros": campaign.daily_budget_micros,
        "campaign_budget.delivery_method": "STANDARD",
    }


def _sum(items: list[DailyMetrics]) -> DailyMetrics | None:
    total: DailyMetrics | None = None
    for item in items:
        total = item if total is None else total + item
    return total


def run_query(
    request: Request,
    query: Query,
    account: state.AdAccount,
    campaigns: list[state.Campaign],
) -> list[dict[str, Any]]:
    today = datetime.now(UTC).date()
    by_date = "segments.date" in query.select
    wants_metrics = any(f in METRICS for f in query.select) or any(
        c.field in METRICS for c in query.conditions
    )
    low, high = _date_bounds(request, query, today)
    if by_date and (low is None or high is None):
        raise query_error(
            request,
            "EXPECTED_FILTERS_ON_DATE_RANGE",
            "Error in query: a finite date range is required when segments.date is selected.",
        )
    earliest = min((c.start_date for c in campaigns), default=today)
    since = low or earliest
    until = high or today
    rows: list[dict[str, Any]] = []
    base = _account_values(account)

    if query.resource == "campaign_budget":
        rows = [{**base, **_campaign_values(account, c)} for c in campaigns]
    elif query.resource == "customer":
        if by_date:
            for day in active_days(earliest, since, until, today):
                total = _sum(
                    [
                        daily_metrics(PLATFORM, c.campaign_id, day)
                        for c in campaigns
                        if c.start_date <= day
                    ]
                )
                if total is not None:
                    rows.append({**base, **_metric_values(total), "segments.date": day.isoformat()})
        else:
            total = None
            if wants_metrics:
                total = _sum(
                    [
                        daily_metrics(PLATFORM, c.campaign_id, d)
                        for c in campaigns
                        for d in active_days(c.start_date, since, until, today)
                    ]
                )
            rows.append({**base, **_metric_values(total)})
    else:
        for campaign in campaigns:
            values = {**base, **_campaign_values(account, campaign)}
            if by_date:
                for day in active_days(campaign.start_date, since, until, today):
                    metrics = daily_metrics(PLATFORM, campaign.campaign_id, day)
                    rows.append(
                        {**values, **_metric_values(metrics), "segments.date": day.isoformat()}
                    )
            elif wants_metrics:
                total = _sum(
                    [
                        daily_metrics(PLATFORM, campaign.campaign_id, d)
                        for d in active_days(campaign.start_date, since, until, today)
                    ]
                )
                rows.append({**values, **_metric_values(total)})
            else:
                rows.append(values)

    for cond in query.conditions:
        if cond.field == "segments.date":
            continue
        rows = [r for r in rows if _compare(r.get(cond.field), cond)]
    for field, descending in reversed(query.order):
        rows.sort(key=_sort_key(field), reverse=descending)
    if query.limit is not None:
        rows = rows[: query.limit]
    return rows


def _sort_key(field: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    def key(row: dict[str, Any]) -> tuple[bool, Any]:
        value = row.get(field)
        return (value is None, 0 if value is None else value)

    return key


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def render_row(row: dict[str, Any], select: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields = list(select)
    for prefix in ("customer", "campaign", "campaign_budget"):
        if (
            any(f.startswith(prefix + ".") for f in select)
            and f"{prefix}.resource_name" not in fields
        ):
            fields.append(f"{prefix}.resource_name")
    for field in fields:
        value = row.get(field)
        if value is None:
            continue
        if field in INT64:
            value = str(value)
        resource, attr = field.split(".", 1)
        out.setdefault(_camel(resource), {})[_camel(attr)] = value
    return out


def field_mask(select: list[str]) -> str:
    return ",".join(
        f"{resource}.{_camel(attr)}" for resource, attr in (f.split(".", 1) for f in select)
    )


async def _report(
    request: Request, customer_id: str, principal: Principal
) -> tuple[Query, list[dict[str, Any]]]:
    ctx = sandbox_of(request)
    try:
        body = await read_json(request)
    except ValueError as exc:
        raise rpc_error(400, "INVALID_ARGUMENT", f"Invalid JSON payload received. {exc}") from exc
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise query_error(request, "EXPECTED_SELECT", "Error in query: missing query.")
    query = parse_query(request, body["query"])

    def _work(conn: sqlite3.Connection) -> tuple[state.AdAccount, list[state.Campaign]]:
        account = _customer(conn, request, customer_id, principal)
        return account, state.list_campaigns(conn, PLATFORM, customer_id)

    account, campaigns = await ctx.store.run(_work)
    rows = run_query(request, query, account, campaigns)
    return query, [render_row(r, query.select) for r in rows]


@router.post("/{version}/customers/{customer_id}/googleAds:searchStream")
async def search_stream(
    version: str, customer_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    query, rows = await _report(request, customer_id, principal)
    mask = field_mask(query.select)
    request_id = state.new_request_id()
    batches: list[dict[str, Any]] = []
    for start in range(0, len(rows), 10_000):
        batches.append(
            {"results": rows[start : start + 10_000], "fieldMask": mask, "requestId": request_id}
        )
    if not batches:
        batches.append({"fieldMask": mask, "requestId": request_id})
    return json_response(batches)


@router.post("/{version}/customers/{customer_id}/googleAds:search")
async def search(
    version: str, customer_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    query, rows = await _report(request, customer_id, principal)
    body_raw = await read_json(request)
    token = str(body_raw.get("pageToken") or "0") if isinstance(body_raw, dict) else "0"
    start = int(token) if token.isdigit() else 0
    page = rows[start : start + 10_000]
    body: dict[str, Any] = {
        "fieldMask": field_mask(query.select),
        "requestId": state.new_request_id(),
    }
    if page:
        body["results"] = page
    if start + 10_000 < len(rows):
        body["nextPageToken"] = str(start + 10_000)
    if isinstance(body_raw, dict) and body_raw.get("returnTotalResultsCount"):
        body["totalResultsCount"] = str(len(rows))
    return json_response(body)


# --------------------------------------------------------------------------- mutates


def _location(index: int, *names: str) -> list[dict[str, Any]]:
    return [{"fieldName": "operations", "index": index}, *({"fieldName": n} for n in names)]


def _operation_error(
    request: Request, index: int, message: str, error_code: dict[str, str], *names: str
) -> PlatformError:
    """``INVALID_ARGUMENT`` for operation ``index`` (at the field path ``names``)."""
    return ads_failure(
        request,
        400,
        "INVALID_ARGUMENT",
        message,
        error_code,
        location=_location(index, *names),
    )


def _resource_campaign(
    request: Request,
    index: int,
    resource: str,
    prefix: str,
    campaign: state.Campaign | None,
    account: state.AdAccount,
) -> state.Campaign:
    """The campaign a mutate names by ``resource``, if it is one of this customer's."""
    if (
        not resource.startswith(prefix)
        or campaign is None
        or campaign.account_id != account.account_id
    ):
        raise _operation_error(
            request,
            index,
            "The requested resource was not found.",
            {"mutateError": "RESOURCE_NOT_FOUND"},
            "update",
            "resource_name",
        )
    return campaign


def _mask_fields(operation: dict[str, Any], update: dict[str, Any]) -> list[str]:
    mask = operation.get("updateMask")
    if isinstance(mask, str) and mask:
        return [_camel(f.strip()) for f in mask.split(",") if f.strip()]
    return [k for k in update if k != "resourceName"]


async def _operations(request: Request) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    try:
        body = await read_json(request)
    except ValueError as exc:
        raise rpc_error(400, "INVALID_ARGUMENT", f"Invalid JSON payload received. {exc}") from exc
    operations = body.get("operations") if isinstance(body, dict) else None
    if not isinstance(operations, list) or not operations:
        raise ads_failure(
            request,
            400,
            "INVALID_ARGUMENT",
            "The operations list is required and must not be empty.",
            {"fieldError": "REQUIRED_NONEMPTY_LIST"},
            location=[{"fieldName": "operations"}],
        )
    assert isinstance(body, dict)
    return operations, body


@router.post("/{version}/customers/{customer_id}/campaigns:mutate")
async def mutate_campaigns(
    version: str, customer_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    operations, body = await _operations(request)
    prefix = f"customers/{customer_id}/campaigns/"
    at = now()

    def _work(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        account = _customer(conn, request, customer_id, principal)
        changes: list[tuple[str, str | None, str | None]] = []
        for i, operation in enumerate(operations):
            if not isinstance(operation, dict):
                raise _operation_error(
                    request, i, "Invalid operation.", {"requestError": "INVALID_INPUT"}
                )
            if "remove" in operation:
                resource = str(operation["remove"])
                update: dict[str, Any] = {"resourceName": resource, "status": "REMOVED"}
                fields = ["status"]
            elif isinstance(operation.get("update"), dict):
                update = operation["update"]
                resource = str(update.get("resourceName", ""))
                fields = _mask_fields(operation, update)
            else:
                raise _operation_error(
                    request,
                    i,
                    "The sandbox supports update and remove operations on campaigns.",
                    {"mutateError": "MUTATE_NOT_ALLOWED"},
                )
            campaign_id = resource.removeprefix(prefix)
            campaign = state.get_campaign(conn, PLATFORM, campaign_id)
            _resource_campaign(request, i, resource, prefix, campaign, account)
            status = None
            name = None
            for field in fields:
                if field == "status":
                    status = update.get("status")
                    if status not in CAMPAIGN_STATUSES:
                        raise _operation_error(
                            request,
                            i,
                            "Enum value is not permitted.",
                            {"requestError": "INVALID_ENUM_VALUE"},
                            "update",
                            "status",
                        )
                elif field == "name":
                    name = str(update.get("name") or "")
                    if not name:
                        raise _operation_error(
                            request,
                            i,
                            "The field is required.",
                            {"fieldError": "REQUIRED"},
                            "update",
                            "name",
                        )
                else:
                    raise _operation_error(
                        request,
                        i,
                        f"The sandbox cannot update campaign field '{field}'.",
                        {"fieldError": "IMMUTABLE_FIELD"},
                        "update",
                        field,
                    )
            changes.append((campaign_id, status, name))
        if body.get("validateOnly"):
            return []
        results = []
        for campaign_id, status, name in changes:
            state.update_campaign(conn, PLATFORM, campaign_id, status=status, name=name, now=at)
            result: dict[str, Any] = {"resourceName": prefix + campaign_id}
            if body.get("responseContentType") == "MUTABLE_RESOURCE":
                updated = state.get_campaign(conn, PLATFORM, campaign_id)
                assert updated is not None
                result["campaign"] = render_row(
                    _campaign_values(account, updated),
                    ["campaign.id", "campaign.name", "campaign.status", "campaign.campaign_budget"],
                )["campaign"]
            results.append(result)
        return results

    results = await ctx.store.run(_work)
    return json_response({"results": results} if results else {})


@router.post("/{version}/customers/{customer_id}/campaignBudgets:mutate")
async def mutate_budgets(
    version: str, customer_id: str, request: Request, principal: Principal = Depends(authorized)
) -> Response:
    ctx = sandbox_of(request)
    operations, body = await _operations(request)
    prefix = f"customers/{customer_id}/campaignBudgets/"
    at = now()

    def _work(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        account = _customer(conn, request, customer_id, principal)
        changes: list[tuple[str, int]] = []
        for i, operation in enumerate(operations):
            update = operation.get("update") if isinstance(operation, dict) else None
            if not isinstance(update, dict):
                raise _operation_error(
                    request,
                    i,
                    "The sandbox supports update operations on campaign budgets.",
                    {"mutateError": "MUTATE_NOT_ALLOWED"},
                )
            resource = str(update.get("resourceName", ""))
            budget_id = resource.removeprefix(prefix)
            campaign = _resource_campaign(
                request,
                i,
                resource,
                prefix,
                state.get_campaign_by_budget(conn, PLATFORM, budget_id),
                account,
            )
            fields = _mask_fields(operation, update)
            if fields != ["amountMicros"]:
                raise _operation_error(
                    request,
                    i,
                    "The sandbox can update amount_micros only.",
                    {"fieldError": "IMMUTABLE_FIELD"},
                    "update",
                )
            try:
                amount = int(str(update.get("amountMicros")))
            except ValueError:
                amount = -1
            if amount <= 0 or amount % 10_000:
                raise _operation_error(
                    request,
                    i,
                    "Budget amount must be positive and a multiple of the minimum currency unit.",
                    {"campaignBudgetError": "NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT"},
                    "update",
                    "amount_micros",
                )
            changes.append((campaign.campaign_id, amount))
        if body.get("validateOnly"):
            return []
        results = []
        for campaign_id, amount in changes:
            state.update_campaign(conn, PLATFORM, campaign_id, daily_budget_micros=amount, now=at)
            updated = state.get_campaign(conn, PLATFORM, campaign_id)
            assert updated is not None
            results.append({"resourceName": prefix + updated.budget_id})
        return results

    results = await ctx.store.run(_work)
    return json_response({"results": results} if results else {})


__all__ = ["error_info", "router"]

"""GAQL as far as the sandbox serves it: the fields of each resource, and a query's text
parsed into a :class:`Query` (SELECT, FROM, WHERE conditions, ORDER BY, LIMIT).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from adscale_sandbox.platforms.google_ads import query_error

INT64 = {
    "campaign.id",
    "campaign_budget.id",
    "campaign_budget.amount_micros",
    "customer.id",
    "metrics.impressions",
    "metrics.clicks",
    "metrics.cost_micros",
}
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

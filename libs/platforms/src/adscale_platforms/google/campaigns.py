"""Google Ads API: accounts (``customers:listAccessibleCustomers`` + ``searchStream`` on
``customer``), insights (``searchStream`` on ``campaign`` by ``segments.date``) and updates
(``campaigns:mutate`` status, ``campaignBudgets:mutate`` ``amount_micros``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from adscale_platforms.campaigns import CampaignChange, CampaignClient
from adscale_platforms.errors import NotFound, PermissionDenied
from adscale_platforms.google.base import GoogleBase, customer_number
from adscale_platforms.google.errors import PLATFORM
from adscale_platforms.models import AdAccount, DailyInsight
from adscale_platforms.protocol import TokenLike
from adscale_platforms.values import as_int

__all__ = ["GoogleAds"]

_STATUS_MAP = {"ACTIVE": "ENABLED", "ENABLED": "ENABLED", "PAUSED": "PAUSED"}


def _decimal(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    return Decimal(str(value))


class GoogleAds(GoogleBase, CampaignClient):
    """Accounts, GAQL search, campaign insights and updates."""

    async def search(self, token: TokenLike, customer_id: str, query: str) -> list[dict[str, Any]]:
        """Rows of a GAQL query (``googleAds:searchStream``)."""
        body = await self._request(
            "POST",
            f"{self.ads}/customers/{customer_number(customer_id)}/googleAds:searchStream",
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
            customer_id = customer_number(str(resource))
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

    async def _update_campaign(self, token: TokenLike, change: CampaignChange) -> None:
        customer = customer_number(change.ad_account_id)
        resource = f"customers/{customer}/campaigns/{change.campaign_external_id}"
        if change.status is not None:
            mapped = _STATUS_MAP.get(change.status.upper())
            if mapped is None:
                raise ValueError(f"unsupported Google campaign status {change.status!r}")
            await self._mutate(
                token, customer, "campaigns", {"resourceName": resource, "status": mapped}, "status"
            )
        if change.daily_budget is not None:
            rows = await self.search(
                token,
                customer,
                " ".join(
                    (
                        "SELECT campaign.id, campaign.campaign_budget FROM campaign",
                        f"WHERE campaign.id = {int(change.campaign_external_id)}",
                    )
                ),
            )
            budget = rows[0].get("campaign", {}).get("campaignBudget") if rows else None
            if not budget:
                raise NotFound(
                    PLATFORM, "NOT_FOUND", f"campaign {change.campaign_external_id} has no budget"
                )
            micros = int((change.daily_budget * 1_000_000).to_integral_value())
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

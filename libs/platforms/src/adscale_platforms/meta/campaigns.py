"""Meta ad accounts (``GET /me/adaccounts``, paged), campaign insights (``GET
/act_{id}/insights``, daily, campaign level) and campaign updates (``POST /{campaign_id}``
with ``status`` / ``daily_budget`` in minor units)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from adscale_platforms.campaigns import CampaignChange, CampaignClient
from adscale_platforms.meta.base import MetaBase
from adscale_platforms.models import AdAccount, DailyInsight
from adscale_platforms.protocol import TokenLike
from adscale_platforms.values import as_int

__all__ = ["ZERO_DECIMAL_CURRENCIES", "MetaCampaigns"]

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


class MetaCampaigns(MetaBase, CampaignClient):
    """Ad accounts, daily campaign insights and campaign updates."""

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

    async def _update_campaign(self, token: TokenLike, change: CampaignChange) -> None:
        body: dict[str, Any] = {}
        if change.status is not None:
            mapped = {"ENABLED": "ACTIVE"}.get(change.status.upper(), change.status.upper())
            if mapped not in {"ACTIVE", "PAUSED", "ARCHIVED", "DELETED"}:
                raise ValueError(f"unsupported Meta campaign status {change.status!r}")
            body["status"] = mapped
        if change.daily_budget is not None:
            account = await self._request(
                "GET",
                f"{self.graph}/{self._act(change.ad_account_id)}",
                token=token,
                params={"fields": "currency"},
            )
            currency = str((account or {}).get("currency") or "USD").upper()
            offset = 1 if currency in ZERO_DECIMAL_CURRENCIES else 100
            body["daily_budget"] = str(int((change.daily_budget * offset).to_integral_value()))
        if not body:
            return
        await self._request(
            "POST", f"{self.graph}/{change.campaign_external_id}", token=token, json_body=body
        )

"""Sign in to the platform sandbox as a user would, for campaigns' contract tests.

``meta_login`` (contract_kit's) / ``google_login`` run the sandbox's OAuth flow and answer
a token, the ad account (Meta ``act_`` id without the prefix, Google customer id) and its
campaigns;
``meta_campaign`` / ``google_campaigns`` read a campaign back as the platform shows it;
``connect`` / ``linked_campaign`` make the AdScale account and campaign tied to them,
``new_rule`` a rule acting on them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit
from contract_kit import SANDBOX, meta_login

__all__ = ["meta_login"]  # re-exported: the one sandbox login of Meta is contract_kit's

META = f"{SANDBOX}/meta"
GOOGLE_ADS = f"{SANDBOX}/google/ads/v21"
REDIRECT = "http://localhost/cb"


async def meta_campaign(token: str, campaign_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as sandbox:
        r = await sandbox.get(
            f"{META}/graph/v25.0/{campaign_id}",
            params={"fields": "status,daily_budget"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert r.status_code == 200, r.text
    return dict(r.json())


def _google_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "developer-token": "contract"}


async def google_campaigns(token: str, customer_id: str) -> dict[str, dict[str, Any]]:
    """Campaign id -> its status and daily budget in micros, as Google Ads answers."""
    async with httpx.AsyncClient(timeout=30) as sandbox:
        r = await sandbox.post(
            f"{GOOGLE_ADS}/customers/{customer_id}/googleAds:search",
            json={
                "query": "SELECT campaign.id, campaign.status, campaign_budget.amount_micros "
                "FROM campaign"
            },
            headers=_google_headers(token),
        )
    assert r.status_code == 200, r.text
    return {
        str(row["campaign"]["id"]): {
            "status": row["campaign"]["status"],
            "micros": int(row["campaignBudget"]["amountMicros"]),
        }
        for row in r.json()["results"]
    }


async def google_login() -> tuple[str, str, dict[str, dict[str, Any]]]:
    """A Google token, customer id and its campaigns from the sandbox's OAuth flow."""
    async with httpx.AsyncClient(timeout=30) as sandbox:
        consent = await sandbox.get(
            f"{SANDBOX}/google/accounts/o/oauth2/v2/auth",
            params={"client_id": "contract", "redirect_uri": REDIRECT, "response_type": "code"},
        )
        code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
        token = (
            await sandbox.post(
                f"{SANDBOX}/google/oauth2/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": REDIRECT,
                    "client_id": "contract",
                    "client_secret": "s",
                },
            )
        ).json()["access_token"]
        listed = await sandbox.get(
            f"{GOOGLE_ADS}/customers:listAccessibleCustomers", headers=_google_headers(token)
        )
        customer = listed.json()["resourceNames"][0].split("/")[1]
    return token, customer, await google_campaigns(token, customer)


async def connect(api: httpx.AsyncClient, user: Any, **body: str) -> str:
    return str((await kit.connect_account(api, user, **body))["id"])


async def linked_campaign(
    api: httpx.AsyncClient, user: Any, account: str, name: str, budget: str, external: str
) -> str:
    r = await api.post(
        "/campaigns",
        json={
            "ad_account_id": account,
            "name": name,
            "objective": "sales",
            "status": "active",
            "budget_daily": budget,
            "external_campaign_id": external,
        },
        headers=user.headers,
    )
    assert r.status_code == 201, r.text
    cid = str(r.json()["id"])
    refreshed = await api.post(f"/metrics/campaign/{cid}/refresh", headers=user.headers)
    assert refreshed.status_code == 200, refreshed.text
    return cid


async def new_rule(
    api: httpx.AsyncClient,
    user: Any,
    name: str,
    rule_type: str,
    threshold: float,
    conditions: dict[str, Any],
    **extra: Any,
) -> str:
    """``POST /rules`` as ``user`` (answered 201): the new rule's id."""
    body = {"name": name, "rule_type": rule_type, "threshold": threshold, "conditions": conditions}
    r = await api.post("/rules", json=body | extra, headers=user.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])

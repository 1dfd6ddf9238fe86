"""Issue 17: a rule action reaches the rule owner's ``rule.executed`` webhook.

Through the gateway: a user subscribes a real local receiver to ``rule.executed`` (the
stack admits loopback receivers), executes a rule that pauses a campaign linked to the
sandbox's Meta account, and receives the signed delivery (campaigns' outbox ->
``campaigns.events`` -> audience-sync's rule-webhooks consumer -> the delivery loop),
checked with the ``standardwebhooks`` package. Subscriptions that do not list the event,
and another user's, receive nothing.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

sys.path.insert(0, str(Path(__file__).parent))
import xw_kit as xw

from .platform_login_kit import connect, linked_campaign, meta_login, new_rule

kit = xw.kit
HOOKS = f"{xw.AS}/webhooks"
RULE_EVENT = xw.RULE_EXECUTED


async def subscribe(
    api: httpx.AsyncClient, member: kit.Member, url: str, events: list[str]
) -> dict[str, Any]:
    response = await api.post(HOOKS, json={"url": url, "events": events}, headers=member.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = kit.conforms(response.json(), xw.WEBHOOK_CREATED)
    return created


async def test_a_rule_that_pauses_a_campaign_sends_a_signed_rule_executed_webhook(
    api: httpx.AsyncClient, receiver: xw.Receiver
):
    member = await kit.register(api, "rulehooks")
    stranger = await kit.register(api, "rulehooks-stranger")
    h = member.headers
    hook = await subscribe(api, member, receiver.url("/rules"), [RULE_EVENT])
    assert hook["events"] == [RULE_EVENT]
    await subscribe(api, member, receiver.url("/syncs"), [xw.COMPLETED])
    await subscribe(api, stranger, receiver.url("/stranger"), [RULE_EVENT])

    try:
        meta_token, meta_account, meta_ids = await meta_login()
    except httpx.HTTPError:
        pytest.fail("the platform sandbox is not reachable", pytrace=False)
    account = await connect(
        api, member, platform="meta", account_id_external=meta_account, access_token=meta_token
    )
    cid = await linked_campaign(api, member, account, "Loser", "30.00", meta_ids[0])
    # No sandbox campaign returns 1000x its spend: the rule pauses the campaign.
    rid = await new_rule(
        api, member, "Stop losers", "pause_low_roas", 1000, {"cooldown_hours": 0}, is_active=False
    )  # executed by hand only

    executed = await api.post(f"/rules/{rid}/execute", headers=h)
    assert executed.status_code == 200, executed.text
    assert executed.json()["campaigns_affected"] == 1
    run_id = executed.json()["execution_id"]
    assert (await api.get(f"/campaigns/{cid}", headers=h)).json()["status"] == "paused"

    hits = await receiver.wait_for(lambda hits: any(x.path == "/rules" for x in hits), 30)
    (hit,) = [x for x in hits if x.path == "/rules"]
    assert hit.headers["content-type"] == "application/json"
    payload = Webhook(hook["secret"]).verify(hit.body, hit.headers)
    assert list(payload) == ["event", "timestamp", "data"]
    assert payload["event"] == RULE_EVENT
    data = payload["data"]
    assert (data["rule_id"], data["rule_name"], data["run_id"]) == (rid, "Stop losers", run_id)
    assert (data["trigger"], data["action"]) == ("manual", "pause")
    assert data["object"] == {
        "type": "campaign",
        "campaign_id": cid,
        "ad_group_id": None,
        "name": "Loser",
    }
    assert (data["old_value"], data["new_value"]) == ("active", "paused")
    assert data["description"] == executed.json()["actions_taken"][0]
    assert data["occurred_at"] == payload["timestamp"]
    kit.utc(data["occurred_at"])

    listed = await api.get(f"{HOOKS}/{hook['id']}/deliveries", headers=h)
    assert listed.status_code == 200, listed.text
    (delivery,) = listed.json()["deliveries"]
    assert (delivery["event"], delivery["id"]) == (RULE_EVENT, hit.headers["webhook-id"])
    await asyncio.sleep(2)  # time for a wrong delivery to arrive, were one queued
    assert [x.path for x in receiver.hits] == ["/rules"]

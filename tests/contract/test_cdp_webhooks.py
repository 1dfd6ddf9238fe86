"""Outbound webhooks through the gateway (spec audience-sync-api.md "Webhooks", "Error
Responses"; house rules: services/audience-sync/docs/exports-and-webhooks.md).

Each test starts a real HTTP receiver on 127.0.0.1 (the stack runs with the development
setting that admits loopback receivers, and nothing else private). Signatures are checked
with the ``standardwebhooks`` package from PyPI, independently of the service's signing
code. Sync events come from real syncs: a segment, Meta connected through the sandbox's
OAuth dialog, an audience (its initial sync runs in the request) and update syncs run by
the worker; the events travel outbox -> Kafka -> the webhook consumer -> the delivery loop.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

sys.path.insert(0, str(Path(__file__).parent))
import cdp_kit as cdp

import xw_kit as xw

kit = xw.kit  # contract_kit: shape checks, users, tokens
AS = xw.AS
HOOKS = f"{AS}/webhooks"
COMPLETED, FAILED = xw.COMPLETED, xw.FAILED
NIL = str(uuid.UUID(int=0))


async def subscribe(
    api: httpx.AsyncClient, member: kit.Member, url: str, events: list[str], **extra: Any
) -> dict[str, Any]:
    response = await api.post(
        HOOKS, json={"url": url, "events": events, **extra}, headers=member.headers
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = kit.conforms(response.json(), xw.WEBHOOK_CREATED)
    return created


async def deliveries(
    api: httpx.AsyncClient, member: kit.Member, webhook_id: str, query: str = ""
) -> dict[str, Any]:
    response = await api.get(f"{HOOKS}/{webhook_id}/deliveries{query}", headers=member.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    kit.conforms(
        body,
        {
            "deliveries": kit.list_of(kit.shape(xw.DELIVERY)),
            "total": xw.NONNEG,
            "page": xw.INT,
            "page_size": xw.INT,
        },
    )
    return body


def verified(hit: xw.Hit, secret: str) -> Any:
    """The body, once ``standardwebhooks`` accepts its signature under ``secret``."""
    assert hit.headers["content-type"] == "application/json", hit.headers
    assert hit.headers["user-agent"] == "AdScale-Webhooks/1.0", hit.headers
    assert abs(int(hit.headers["webhook-timestamp"]) - time.time()) < 30, hit.headers
    return Webhook(secret).verify(hit.body, hit.headers)


def signatures(hit: xw.Hit) -> list[str]:
    parts = hit.headers["webhook-signature"].split(" ")
    for part in parts:
        version, _, mac = part.partition(",")
        assert version == "v1" and len(base64.b64decode(mac, validate=True)) == 32, part
    return parts


def refuses(secret: str, hit: xw.Hit) -> None:
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(hit.body, hit.headers)


def other_secret() -> str:
    return "whsec_" + base64.b64encode(uuid.uuid4().bytes * 2).decode()


async def meta_audience(
    api: httpx.AsyncClient, member: kit.Member, count: int
) -> tuple[str, str, str, dict[str, Any]]:
    """A segment of ``count`` profiles and a Meta audience of it (initial sync done).
    Returns (segment id, sandbox user, audience id, the initial sync)."""
    segment_id = await cdp.new_segment(api, member, cdp.profiles(0, count))
    sandbox_user = f"contract-{uuid.uuid4().hex[:8]}"
    meta = await cdp.connect(api, member.headers, "meta", sandbox_user)
    body = await cdp.created(api, member.headers, segment_id, "meta", meta.account)
    return segment_id, sandbox_user, body["audience"]["id"], body["initial_sync"]


async def update_sync(
    api: httpx.AsyncClient, member: kit.Member, segment_id: str, audience_id: str, start: int
) -> str:
    """Ten new profiles join, and an update sync is queued for the worker; its job id."""
    added = await api.post(
        f"/cdp/segments/{segment_id}/profiles",
        json={"profiles": cdp.profiles(start, 10)},
        headers=member.headers,
    )
    assert added.status_code == 200, added.text
    triggered = await api.post(
        f"{AS}/audiences/{audience_id}/sync", json={"operation": "update"}, headers=member.headers
    )
    assert triggered.status_code == 202, triggered.text
    job_id: str = triggered.json()["job_id"]
    return job_id


def event_for(job_id: str) -> Any:
    def condition(hits: list[xw.Hit]) -> bool:
        return any(h.json()["data"]["job_id"] == job_id for h in hits if h.status == 200)

    return condition


def assert_matches_job(body: dict[str, Any], job: dict[str, Any]) -> None:
    """The completed payload carries the job's own figures."""
    assert body["data"] == {
        "job_id": job["job_id"],
        "audience_id": job["audience_id"],
        "platform": "meta",
        "operation": job["operation"],
        "profiles_sent": job["profiles_sent"],
        "profiles_added": job["profiles_added"],
        "match_rate": job["match_rate"],
        "duration_ms": job["duration_ms"],
    }, (body, job)
    # the timestamp is when the sync finished
    assert abs(xw.iso_to_epoch(body["timestamp"]) - xw.iso_to_epoch(job["completed_at"])) < 5


# --- subscriptions -------------------------------------------------------------------


async def test_create_read_list_update_and_delete_subscriptions(
    api: httpx.AsyncClient, receiver: xw.Receiver
) -> None:
    member = await kit.register(api, "hooks")
    before = time.time()
    first = await subscribe(
        api,
        member,
        receiver.url("/first"),
        [COMPLETED, FAILED, COMPLETED],
        description="Ops channel",
    )
    assert first["url"] == receiver.url("/first")
    assert first["events"] == [COMPLETED, FAILED]  # duplicates dropped
    assert first["description"] == "Ops channel"
    assert first["enabled"] is True
    assert first["disabled_reason"] is None and first["disabled_at"] is None
    assert first["previous_secret_expires_at"] is None
    assert before - 2 <= xw.iso_to_epoch(first["created_at"]) <= time.time() + 2

    shown = await api.get(f"{HOOKS}/{first['id']}", headers=member.headers)
    assert shown.status_code == 200, shown.text
    # the secret is shown once, at creation
    read = kit.conforms(shown.json(), xw.WEBHOOK)
    assert read == {k: v for k, v in first.items() if k != "secret"}

    second = await subscribe(api, member, receiver.url("/second"), [FAILED])
    third = await subscribe(api, member, receiver.url("/third"), [COMPLETED])
    assert second["description"] is None
    assert len({first["secret"], second["secret"], third["secret"]}) == 3

    listed = await api.get(HOOKS, headers=member.headers)
    assert listed.status_code == 200, listed.text
    body = xw.page_of(listed.json(), "webhooks", xw.WEBHOOK, 1, 20)
    assert body["total"] == 3
    assert [w["id"] for w in body["webhooks"]] == [third["id"], second["id"], first["id"]]
    assert all("secret" not in w for w in body["webhooks"])
    seen = []
    for page in (1, 2, 3):
        response = await api.get(f"{HOOKS}?page={page}&page_size=2", headers=member.headers)
        seen += [
            w["id"]
            for w in xw.page_of(response.json(), "webhooks", xw.WEBHOOK, page, 2)["webhooks"]
        ]
    assert seen == [third["id"], second["id"], first["id"]]

    path = f"{HOOKS}/{first['id']}"
    changes: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"events": [FAILED]}, {"events": [FAILED]}),
        ({"url": receiver.url("/moved")}, {"url": receiver.url("/moved")}),
        ({"description": None}, {"description": None}),
        (
            {"events": [COMPLETED, FAILED], "description": "Back"},
            {"events": [COMPLETED, FAILED], "description": "Back"},
        ),
        ({}, {}),
    ]
    current = read
    for change, expected in changes:
        patched = await api.patch(path, json=change, headers=member.headers)
        assert patched.status_code == 200, patched.text
        now = kit.conforms(patched.json(), xw.WEBHOOK)
        assert {k: now[k] for k in expected} == expected, (change, now)
        unchanged = set(now) - set(expected) - {"updated_at"}
        assert {k: now[k] for k in unchanged} == {k: current[k] for k in unchanged}, change
        assert now["updated_at"] >= current["updated_at"]
        current = now

    disabled = await api.patch(path, json={"enabled": False}, headers=member.headers)
    assert disabled.status_code == 200, disabled.text
    off = disabled.json()
    assert (off["enabled"], off["disabled_reason"]) == (False, "manual")
    assert abs(xw.iso_to_epoch(off["disabled_at"]) - time.time()) < 5
    enabled = await api.patch(path, json={"enabled": True}, headers=member.headers)
    on = enabled.json()
    assert (on["enabled"], on["disabled_reason"], on["disabled_at"]) == (True, None, None)

    gone = await api.delete(path, headers=member.headers)
    assert gone.status_code == 204 and gone.content == b""
    xw.envelope(await api.get(path, headers=member.headers), 404, "WEBHOOK_NOT_FOUND")
    xw.envelope(await api.delete(path, headers=member.headers), 404, "WEBHOOK_NOT_FOUND")
    xw.envelope(
        await api.get(f"{path}/deliveries", headers=member.headers), 404, "WEBHOOK_NOT_FOUND"
    )
    left = (await api.get(HOOKS, headers=member.headers)).json()
    assert left["total"] == 2 and [w["id"] for w in left["webhooks"]] == [
        third["id"],
        second["id"],
    ]
    assert receiver.hits == []  # managing subscriptions sends nothing


async def test_malformed_bodies_and_paging_are_422(
    api: httpx.AsyncClient, receiver: xw.Receiver
) -> None:
    member = await kit.register(api, "hooks")
    url = receiver.url("/hook")
    bad_creates: list[tuple[dict[str, Any], list[str | int]]] = [
        ({"url": url, "events": []}, ["body", "events"]),
        ({"url": url, "events": ["audience_sync.started"]}, ["body", "events", 0]),
        ({"url": url}, ["body", "events"]),
        ({"events": [COMPLETED]}, ["body", "url"]),
        ({"url": "", "events": [COMPLETED]}, ["body", "url"]),
        ({"url": url, "events": [COMPLETED], "description": "x" * 501}, ["body", "description"]),
        ({"url": url, "events": [COMPLETED], "secret": "whsec_mine"}, ["body", "secret"]),
        ({"url": "http://example.com/" + "a" * 2048, "events": [COMPLETED]}, ["body", "url"]),
    ]
    for body, loc in bad_creates:
        xw.validation(await api.post(HOOKS, json=body, headers=member.headers), loc)
    xw.validation(
        await api.post(
            HOOKS, content=b"{", headers={**member.headers, "content-type": "application/json"}
        )
    )
    assert (await api.get(HOOKS, headers=member.headers)).json()["total"] == 0

    hook = await subscribe(api, member, url, [COMPLETED])
    path = f"{HOOKS}/{hook['id']}"
    bad_patches: list[tuple[dict[str, Any], list[str | int]]] = [
        ({"events": []}, ["body", "events"]),
        ({"events": ["audience_sync.deleted"]}, ["body", "events", 0]),
        ({"enabled": "sometimes"}, ["body", "enabled"]),
        ({"secret": "whsec_mine"}, ["body", "secret"]),
        ({"url": ""}, ["body", "url"]),
    ]
    for body, loc in bad_patches:
        xw.validation(await api.patch(path, json=body, headers=member.headers), loc)
    unchanged = await api.get(path, headers=member.headers)
    assert unchanged.json() == {k: v for k, v in hook.items() if k != "secret"}

    xw.validation(
        await api.post(
            f"{path}/test", json={"event": "audience_sync.started"}, headers=member.headers
        ),
        ["body", "event"],
    )
    for route in (HOOKS, f"{path}/deliveries"):
        for query, loc in (
            ("page=0", ["query", "page"]),
            ("page=-1", ["query", "page"]),
            ("page=abc", ["query", "page"]),
            ("page_size=0", ["query", "page_size"]),
            ("page_size=101", ["query", "page_size"]),
        ):
            xw.validation(await api.get(f"{route}?{query}", headers=member.headers), loc)
        largest = await api.get(f"{route}?page=3&page_size=100", headers=member.headers)
        assert largest.status_code == 200, largest.text
        assert (largest.json()["page"], largest.json()["page_size"]) == (3, 100)
    xw.validation(
        await api.get(f"{path}/deliveries?status=delivered", headers=member.headers),
        ["query", "status"],
    )
    assert receiver.hits == []


async def test_private_metadata_and_non_http_urls_are_refused(
    api: httpx.AsyncClient, receiver: xw.Receiver
) -> None:
    """The SSRF guard through the gateway. (Loopback is admitted by the dev stack's setting,
    and names resolving to private addresses need a DNS stand-in: both are proven by the
    service's tests, services/audience-sync/tests/test_webhook_ssrf.py.)"""
    member = await kit.register(api, "hooks")
    refused = {
        "ftp://example.com/hook": "only http and https URLs are allowed",
        "file:///etc/passwd": "only http and https URLs are allowed",
        "gopher://example.com:70/1": "only http and https URLs are allowed",
        "javascript:alert(1)": "only http and https URLs are allowed",
        "http://10.0.0.1/": "10.0.0.1 is a private address",
        "https://10.0.0.1:8443/hooks?x=1": "10.0.0.1 is a private address",
        "http://192.168.1.20/": "192.168.1.20 is a private address",
        "http://172.16.0.5/": "172.16.0.5 is a private address",
        "http://169.254.169.254/": "169.254.169.254 is a cloud metadata address",
        "http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a cloud metadata address",
        "http://[fd00:ec2::254]/": "fd00:ec2::254 is a cloud metadata address",
        "http://[::ffff:10.0.0.1]/": "embeds 10.0.0.1",
        "http://[::ffff:a9fe:a9fe]/": "embeds 169.254.169.254",
        "http://[2002:a9fe:a9fe::]/": "embeds 169.254.169.254",  # 6to4
        "http://[64:ff9b::a9fe:a9fe]/": "embeds 169.254.169.254",  # NAT64
        # numeric spellings of private and metadata addresses, read by the resolver
        "http://0xa9fea9fe/": "resolves to 169.254.169.254 is a cloud metadata address",
        "http://2852039166/": "resolves to 169.254.169.254 is a cloud metadata address",
        "http://10.1/": "resolves to 10.0.0.1 is a private address",
        "HTTP://10.0.0.1./": "10.0.0.1 is a private address",
        "http://169.254.1.1/": "169.254.1.1 is a link-local address",
        "http://100.64.0.1/": "100.64.0.1 is a shared (CGNAT) address",
        "http://0.0.0.0/": "0.0.0.0 is an unspecified address",
        "http://user:secret@example.com/": "credentials in the URL are not allowed",
        "http://example.com@10.0.0.1/": "credentials in the URL are not allowed",
        "http://[fe80::1%25eth0]/": "fe80::1 is a link-local address",
        "https://[::]/": ":: is an unspecified address",
        "http:///nohost": "URL has no host",
    }
    for url, reason in refused.items():
        response = await api.post(
            HOOKS, json={"url": url, "events": [COMPLETED]}, headers=member.headers
        )
        error = xw.envelope(response, 422, "WEBHOOK_URL_NOT_ALLOWED")
        assert error["details"]["field"] == "url", error
        assert reason in error["details"]["reason"], (url, error)
        assert reason in error["message"], (url, error)
    assert (await api.get(HOOKS, headers=member.headers)).json()["total"] == 0

    # Moving a subscription to such an address is refused too, and changes nothing.
    hook = await subscribe(api, member, receiver.url("/hook"), [COMPLETED])
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "ftp://example.com/"):
        moved = await api.patch(f"{HOOKS}/{hook['id']}", json={"url": url}, headers=member.headers)
        xw.envelope(moved, 422, "WEBHOOK_URL_NOT_ALLOWED")
    still = (await api.get(f"{HOOKS}/{hook['id']}", headers=member.headers)).json()
    assert still["url"] == receiver.url("/hook") and still["updated_at"] == hook["updated_at"]


async def test_other_users_unknown_and_malformed_ids_and_missing_credentials(
    api: httpx.AsyncClient, receiver: xw.Receiver
) -> None:
    owner, stranger = await kit.register(api, "hooks"), await kit.register(api, "hooks")
    hook = await subscribe(api, owner, receiver.url("/owner"), [COMPLETED])

    def routes(webhook_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
        path = f"{HOOKS}/{webhook_id}"
        return [
            ("GET", path, None),
            ("PATCH", path, {"enabled": False}),
            ("DELETE", path, None),
            ("POST", f"{path}/rotate-secret", None),
            ("POST", f"{path}/test", {}),
            ("GET", f"{path}/deliveries", None),
        ]

    for method, path, body in routes(hook["id"]) + routes(str(uuid.uuid4())):
        response = await api.request(method, path, json=body, headers=stranger.headers)
        xw.envelope(response, 404, "WEBHOOK_NOT_FOUND")
    for method, path, body in routes(str(uuid.uuid4())):
        response = await api.request(method, path, json=body, headers=owner.headers)
        xw.envelope(response, 404, "WEBHOOK_NOT_FOUND")
    for method, path, body in routes("not-a-uuid"):
        response = await api.request(method, path, json=body, headers=owner.headers)
        error = xw.envelope(response, 400, "INVALID_PATH_PARAMETER")
        assert error["details"]["errors"][0]["loc"] == ["path", "webhook_id"], error
    assert (await api.get(HOOKS, headers=stranger.headers)).json()["total"] == 0

    everything = [
        *routes(hook["id"]),
        ("GET", HOOKS, None),
        ("POST", HOOKS, {"url": receiver.url("/x"), "events": [COMPLETED]}),
    ]
    for credentials in (
        {},
        {"Authorization": "Bearer garbage"},
        {"Authorization": f"Bearer {kit.expired_token(owner.id)}"},
    ):
        for method, path, body in everything:
            response = await api.request(
                method, path, json=body, headers={**kit.anonymous(), **credentials}
            )
            xw.envelope(response, 401, "UNAUTHORIZED")

    # Nothing the others tried touched the subscription or sent anything.
    intact = await api.get(f"{HOOKS}/{hook['id']}", headers=owner.headers)
    assert intact.json() == {k: v for k, v in hook.items() if k != "secret"}
    assert (await api.get(HOOKS, headers=owner.headers)).json()["total"] == 1
    assert receiver.hits == []


# --- test sends and secrets ----------------------------------------------------------


async def test_test_sends_a_signed_sample_now_and_records_it(
    api: httpx.AsyncClient, receiver: xw.Receiver
) -> None:
    member = await kit.register(api, "hooks")
    hook = await subscribe(api, member, receiver.url("/hook?source=adscale"), [FAILED, COMPLETED])
    path = f"{HOOKS}/{hook['id']}"

    sent = await api.post(f"{path}/test", headers=member.headers)  # no body: the first event
    assert sent.status_code == 200, sent.text
    result = kit.conforms(sent.json(), xw.TEST_RESULT)
    assert (result["event"], result["success"], result["response_code"], result["error"]) == (
        FAILED,
        True,
        200,
        None,
    )
    (hit,) = receiver.hits
    assert (hit.path, hit.query) == ("/hook", "source=adscale")
    assert hit.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert hit.headers["webhook-id"] == result["delivery_id"]
    assert len(signatures(hit)) == 1
    body = xw.payload(verified(hit, hook["secret"]), FAILED)
    assert body["data"] == {
        "job_id": NIL,
        "audience_id": NIL,
        "platform": "meta",
        "error_code": "TEST",
        "error_message": body["data"]["error_message"],
    }
    refuses(other_secret(), hit)

    sent = await api.post(f"{path}/test", json={"event": COMPLETED}, headers=member.headers)
    completed = kit.conforms(sent.json(), xw.TEST_RESULT)
    assert (completed["event"], completed["success"]) == (COMPLETED, True)
    body = xw.payload(verified(receiver.hits[1], hook["secret"]), COMPLETED)
    assert body["data"]["job_id"] == NIL and body["data"]["operation"] == "update"

    receiver.answer("/hook", 500)
    sent = await api.post(f"{path}/test", json={"event": COMPLETED}, headers=member.headers)
    failed = kit.conforms(sent.json(), xw.TEST_RESULT)
    assert (failed["success"], failed["response_code"], failed["error"]) == (False, 500, "HTTP 500")
    assert len(receiver.hits) == 3

    # A receiver that is not there: a clear error, no response code.
    closed = await subscribe(api, member, "http://127.0.0.1:9/", [COMPLETED])
    sent = await api.post(f"{HOOKS}/{closed['id']}/test", headers=member.headers)
    down = kit.conforms(sent.json(), xw.TEST_RESULT)
    assert (down["success"], down["response_code"]) == (False, None)
    assert down["error"].startswith("connection failed"), down

    listed = await deliveries(api, member, hook["id"])
    assert listed["total"] == 3
    expected = [(failed, "failed", 500), (completed, "succeeded", 200), (result, "succeeded", 200)]
    for item, (outcome, status, code) in zip(listed["deliveries"], expected, strict=True):
        assert item["id"] == outcome["delivery_id"]
        assert (item["event"], item["test"], item["status"], item["attempt"]) == (
            outcome["event"],
            True,
            status,
            1,
        )
        assert (item["response_code"], item["event_id"], item["next_retry_at"]) == (
            code,
            None,
            None,
        )
        assert (item["delivered_at"] is not None) == (status == "succeeded")
        (attempt,) = item["attempts"]
        assert (attempt["attempt"], attempt["success"], attempt["response_code"]) == (
            1,
            status == "succeeded",
            code,
        )
        assert attempt["latency_ms"] == item["latency_ms"] and attempt["latency_ms"] is not None
    only_failed = await deliveries(api, member, hook["id"], "?status=failed")
    assert [d["id"] for d in only_failed["deliveries"]] == [failed["delivery_id"]]
    second_page = await deliveries(api, member, hook["id"], "?page=2&page_size=1")
    assert second_page["total"] == 3
    assert [d["id"] for d in second_page["deliveries"]] == [completed["delivery_id"]]

    # A disabled subscription can still be tried by hand (to check it before re-enabling).
    await api.patch(path, json={"enabled": False}, headers=member.headers)
    sent = await api.post(f"{path}/test", headers=member.headers)
    assert sent.json()["success"] is True and len(receiver.hits) == 4


async def test_rotated_secrets_both_sign_for_24_hours(
    api: httpx.AsyncClient, receiver: xw.Receiver
) -> None:
    member = await kit.register(api, "hooks")
    hook = await subscribe(api, member, receiver.url("/hook"), [COMPLETED])
    path = f"{HOOKS}/{hook['id']}"
    first_secret = hook["secret"]

    rotated = await api.post(f"{path}/rotate-secret", headers=member.headers)
    assert rotated.status_code == 200, rotated.text
    body = kit.conforms(rotated.json(), xw.SECRET_ROTATED)
    second_secret = body["secret"]
    assert body["id"] == hook["id"] and second_secret != first_secret
    overlap_until = xw.iso_to_epoch(body["previous_secret_expires_at"])
    assert abs(overlap_until - (time.time() + 24 * 3600)) < 10
    shown = (await api.get(path, headers=member.headers)).json()
    assert shown["previous_secret_expires_at"] == body["previous_secret_expires_at"]
    assert "secret" not in shown

    await api.post(f"{path}/test", headers=member.headers)
    hit = receiver.hits[-1]
    assert len(signatures(hit)) == 2
    # Receivers on either secret accept it: the new one and, for the overlap, the old one.
    for secret in (second_secret, first_secret):
        xw.payload(Webhook(secret).verify(hit.body, hit.headers), COMPLETED)
    first_signature = signatures(hit)[0]
    only_new = {**hit.headers, "webhook-signature": first_signature}
    Webhook(second_secret).verify(hit.body, only_new)  # the new secret signs first
    refuses(other_secret(), hit)

    # A second rotation within the window drops the oldest secret.
    again = await api.post(f"{path}/rotate-secret", headers=member.headers)
    third_secret = kit.conforms(again.json(), xw.SECRET_ROTATED)["secret"]
    await api.post(f"{path}/test", headers=member.headers)
    hit = receiver.hits[-1]
    assert len(signatures(hit)) == 2
    Webhook(third_secret).verify(hit.body, hit.headers)
    Webhook(second_secret).verify(hit.body, hit.headers)
    refuses(first_secret, hit)


# --- real sync events ----------------------------------------------------------------


async def test_syncs_send_signed_completed_events_to_the_subscriptions_that_want_them(
    api: httpx.AsyncClient, receiver: xw.Receiver
) -> None:
    """The initial sync (run in ``POST /audiences``) and an update sync (run by the worker)
    each reach the subscriptions that want ``audience_sync.completed`` at that moment:
    changes of events, URL and ``enabled`` apply to the events that follow."""
    member = await kit.register(api, "hooks")
    everything = await subscribe(api, member, receiver.url("/all"), [COMPLETED, FAILED])
    failures_only = await subscribe(api, member, receiver.url("/failures"), [FAILED])
    paused = await subscribe(api, member, receiver.url("/paused"), [COMPLETED])
    off = await api.patch(
        f"{HOOKS}/{paused['id']}", json={"enabled": False}, headers=member.headers
    )
    assert off.status_code == 200, off.text
    gone = await subscribe(api, member, receiver.url("/gone"), [COMPLETED])
    receiver.answer("/gone", *([410] * 10))
    stranger = await kit.register(api, "hooks")
    elsewhere = await subscribe(api, stranger, receiver.url("/stranger"), [COMPLETED, FAILED])

    segment_id, _, audience_id, initial = await meta_audience(api, member, 40)
    await receiver.wait_for(event_for(initial["job_id"]))
    await receiver.wait_for(lambda hits: any(h.path == "/gone" for h in hits))
    # 410 Gone disables the subscription at once.
    deadline = time.monotonic() + 10
    while True:
        gone_now = (await api.get(f"{HOOKS}/{gone['id']}", headers=member.headers)).json()
        if not gone_now["enabled"] or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert (gone_now["enabled"], gone_now["disabled_reason"]) == (False, "gone"), gone_now
    assert gone_now["disabled_at"] is not None

    # Before the next sync: one subscription now wants completions, one moves, one resumes.
    for hook, change in (
        (failures_only, {"events": [COMPLETED]}),
        (everything, {"url": receiver.url("/moved")}),
        (paused, {"enabled": True}),
    ):
        patched = await api.patch(f"{HOOKS}/{hook['id']}", json=change, headers=member.headers)
        assert patched.status_code == 200, patched.text
    job_id = await update_sync(api, member, segment_id, audience_id, 1_000)
    job = await cdp.finished(api, member.headers, job_id)
    assert job["status"] == "completed", job
    assert job["operation"] == "update" and job["profiles_added"] == 10  # ten profiles joined
    for path in ("/moved", "/failures", "/paused"):
        await receiver.wait_for(
            lambda hits, path=path: any(h.path == path and h.status == 200 for h in hits)
        )
    created_job = await cdp.finished(api, member.headers, initial["job_id"])
    assert created_job["operation"] == "create"

    expected = {
        "/all": (everything, created_job),
        "/moved": (everything, job),
        "/failures": (failures_only, job),
        "/paused": (paused, job),
    }
    for path, (hook, sync) in expected.items():
        (hit,) = receiver.at(path)
        body = xw.payload(verified(hit, hook["secret"]), COMPLETED)
        assert_matches_job(body, sync)
        refuses(gone["secret"], hit)
    (gone_hit,) = receiver.at("/gone")  # the first event only: then it was disabled
    assert_matches_job(xw.payload(verified(gone_hit, gone["secret"]), COMPLETED), created_job)
    assert {h.path for h in receiver.hits} == {*expected, "/gone"}  # not the stranger's

    # The receiver answers before the worker records the answer: wait for the record.
    deadline = time.monotonic() + 10
    listed = await deliveries(api, member, everything["id"])
    while any(d["status"] == "in_flight" for d in listed["deliveries"]):
        assert time.monotonic() < deadline, listed
        await asyncio.sleep(0.1)
        listed = await deliveries(api, member, everything["id"])
    assert listed["total"] == 2
    by_id = {d["id"]: d for d in listed["deliveries"]}
    for hit in receiver.at("/all") + receiver.at("/moved"):
        item = by_id[hit.headers["webhook-id"]]  # webhook-id is the delivery id
        assert (item["event"], item["test"], item["status"], item["attempt"]) == (
            COMPLETED,
            False,
            "succeeded",
            1,
        )
        assert item["response_code"] == 200 and item["error"] is None
        assert item["next_retry_at"] is None and item["delivered_at"] is not None
        assert item["event_id"] is not None and item["latency_ms"] is not None
        (attempt,) = item["attempts"]
        assert (attempt["success"], attempt["response_code"]) == (True, 200)
    assert len({d["event_id"] for d in listed["deliveries"]}) == 2
    for hook in (failures_only, paused):
        (one,) = (await deliveries(api, member, hook["id"]))["deliveries"]
        assert (one["status"], one["event"]) == ("succeeded", COMPLETED)
    (refused,) = (await deliveries(api, member, gone["id"]))["deliveries"]
    assert (refused["status"], refused["response_code"], refused["error"]) == (
        "failed",
        410,
        "HTTP 410",
    )
    assert refused["next_retry_at"] is None and refused["delivered_at"] is None
    assert (await deliveries(api, stranger, elsewhere["id"]))["total"] == 0

    # Re-enabling clears the reason.
    back = await api.patch(f"{HOOKS}/{gone['id']}", json={"enabled": True}, headers=member.headers)
    assert (back.json()["enabled"], back.json()["disabled_reason"]) == (True, None)


async def test_a_failed_sync_sends_audience_sync_failed(
    api: httpx.AsyncClient, receiver: xw.Receiver
) -> None:
    member = await kit.register(api, "hooks")
    hook = await subscribe(api, member, receiver.url("/failures"), [FAILED])
    segment_id, sandbox_user, audience_id, initial = await meta_audience(api, member, 20)

    # The user revokes AdScale's access at Meta: the worker's next sync cannot refresh.
    async with httpx.AsyncClient(base_url=kit.SANDBOX, timeout=30) as sandbox:
        revoked = await sandbox.post(
            "/_admin/tokens/revoke", json={"platform": "meta", "user_id": sandbox_user}
        )
    assert revoked.status_code == 200 and revoked.json()["revoked"] >= 1
    job_id = await update_sync(api, member, segment_id, audience_id, 500)
    job = await cdp.finished(api, member.headers, job_id)
    assert job["status"] == "failed", job

    def failed_event(hits: list[xw.Hit]) -> bool:
        return any(h.json()["data"]["job_id"] == job_id for h in hits)

    await receiver.wait_for(failed_event)
    (hit,) = receiver.hits  # the completed initial sync was not wanted
    body = xw.payload(verified(hit, hook["secret"]), FAILED)
    assert body["data"] == {
        "job_id": job_id,
        "audience_id": audience_id,
        "platform": "meta",
        "error_code": "CREDENTIALS_EXPIRED",
        "error_message": job["error_message"],
    }
    assert job["error_message"]
    assert abs(xw.iso_to_epoch(body["timestamp"]) - xw.iso_to_epoch(job["completed_at"])) < 5
    assert initial["job_id"] != job_id


async def test_a_refused_delivery_is_retried_about_5_seconds_later(
    api: httpx.AsyncClient, receiver: xw.Receiver
) -> None:
    """Standard Webhooks' schedule: 5 s, 5 min, 30 min ... (each +-10 %); only a 2xx counts.
    (The 5-minute step is proven by services/audience-sync/tests/test_webhook_delivery.py.)"""
    member = await kit.register(api, "hooks")
    hook = await subscribe(api, member, receiver.url("/flaky"), [COMPLETED])
    receiver.answer("/flaky", 500)
    _, _, _, initial = await meta_audience(api, member, 10)

    await receiver.wait_for(lambda hits: len(hits) == 1)
    # Between the attempts: pending, with the failure and the next retry on record.
    deadline = time.monotonic() + 3
    while True:
        (pending,) = (await deliveries(api, member, hook["id"]))["deliveries"]
        if pending["status"] == "pending" or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert (pending["status"], pending["attempt"], pending["response_code"]) == (
        "pending",
        1,
        500,
    ), pending
    assert pending["error"] == "HTTP 500" and pending["delivered_at"] is None
    failed_at = xw.iso_to_epoch(pending["last_attempt_at"])
    delay = xw.iso_to_epoch(pending["next_retry_at"]) - failed_at
    # 5 s +-10 %, between two timestamps shown to the second
    assert 4 <= delay <= 6, pending

    await receiver.wait_for(lambda hits: len(hits) == 2, seconds=15)
    first, second = receiver.hits
    assert (first.status, second.status) == (500, 200)
    assert 4.4 <= second.at - first.at <= 8, second.at - first.at
    # The same delivery (receivers deduplicate on webhook-id), signed afresh each time.
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == pending["id"]
    assert first.body == second.body
    assert int(second.headers["webhook-timestamp"]) > int(first.headers["webhook-timestamp"])
    for hit in (first, second):
        body = xw.payload(verified(hit, hook["secret"]), COMPLETED)
        assert body["data"]["job_id"] == initial["job_id"]

    deadline = time.monotonic() + 5
    while True:
        (done,) = (await deliveries(api, member, hook["id"]))["deliveries"]
        if done["status"] != "in_flight" or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert (done["status"], done["attempt"], done["response_code"], done["error"]) == (
        "succeeded",
        2,
        200,
        None,
    ), done
    assert done["next_retry_at"] is None and done["delivered_at"] is not None
    assert [
        (a["attempt"], a["success"], a["response_code"], a["error"]) for a in done["attempts"]
    ] == [
        (1, False, 500, "HTTP 500"),
        (2, True, 200, None),
    ]
    assert all(a["latency_ms"] is not None for a in done["attempts"])
    assert json.loads(second.body)["event"] == COMPLETED

"""Webhook subscription routes: create (secret shown once, encrypted at rest), list, get,
patch, delete, rotate-secret, test, deliveries; ownership and validation errors."""

from __future__ import annotations

import base64
import re
import sys
import uuid
from pathlib import Path

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

sys.path.insert(0, str(Path(__file__).parent))

from adscale_common.crypto import TokenCipher
from audience_sync.webhook.schemas import WebhookCreate
from kit import error_of
from xw_kit import AS, ENCRYPTION_KEY, KEY, Caller, stored_secret, update_row

HOOKS = f"{AS}/webhooks"
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
BOTH = ["audience_sync.completed", "audience_sync.failed"]


async def subscribe(
    api: Caller, url: str, events: list[str] | None = None, **extra: object
) -> dict:
    response = await api.post(HOOKS, json={"url": url, "events": events or BOTH, **extra})
    assert response.status_code == 201, response.text
    body: dict = response.json()
    return body


async def test_create_answers_a_whsec_secret_once_and_stores_it_encrypted(
    caller, receiver, xw_sessions
):
    response = await caller.post(
        HOOKS,
        json={
            "url": receiver.url,
            "events": ["audience_sync.completed"],
            "description": "CRM sync alerts",
        },
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 32
    assert created["url"] == receiver.url
    assert created["events"] == ["audience_sync.completed"]
    assert created["description"] == "CRM sync alerts"
    assert created["enabled"] is True
    assert created["disabled_reason"] is None
    assert ISO_Z.match(created["created_at"])

    shown = (await caller.get(f"{HOOKS}/{created['id']}")).json()
    assert "secret" not in shown
    assert created["secret"] not in str(shown)
    assert shown == {k: v for k, v in created.items() if k != "secret"}
    listed = (await caller.get(HOOKS)).json()
    assert created["secret"] not in str(listed)
    assert "secret" not in listed["webhooks"][0]

    stored = await stored_secret(xw_sessions, created["id"])
    assert created["secret"] not in stored
    assert TokenCipher(ENCRYPTION_KEY).decrypt(stored) == created["secret"]


def test_the_openapi_document_states_that_a_url_is_http():
    """The pattern the OpenAPI document shows for a webhook's URL."""
    field = WebhookCreate.model_json_schema()["properties"]["url"]
    pattern = re.compile(field["pattern"])
    assert pattern.search("https://hooks.example.com/adscale")
    assert not pattern.search("ftp://hooks.example.com") and not pattern.search("https://a b")


async def test_repeated_events_are_dropped_before_the_length_check(caller, receiver):
    completed, failed = BOTH
    created = await subscribe(caller, receiver.url, [completed, failed, completed])
    assert created["events"] == BOTH

    patched = await caller.patch(
        f"{HOOKS}/{created['id']}", json={"events": [failed, failed, failed]}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["events"] == [failed]
    for events in ([], [completed, "audience_sync.started"], [completed, {"x": 1}], "x"):
        refused = await caller.patch(f"{HOOKS}/{created['id']}", json={"events": events})
        assert refused.status_code == 422, (events, refused.text)
        assert error_of(refused)["code"] == "VALIDATION_ERROR"


async def test_list_pages_through_the_callers_subscriptions_only(caller, stranger, receiver):
    for i in range(3):
        await subscribe(caller, f"{receiver.url}/{i}")
    await subscribe(stranger, receiver.url)

    first = (await caller.get(HOOKS, params={"page": 1, "page_size": 2})).json()
    second = (await caller.get(HOOKS, params={"page": 2, "page_size": 2})).json()

    assert (first["total"], first["page"], first["page_size"]) == (3, 1, 2)
    assert len(first["webhooks"]) == 2 and len(second["webhooks"]) == 1
    urls = {w["url"] for w in first["webhooks"] + second["webhooks"]}
    assert urls == {f"{receiver.url}/{i}" for i in range(3)}
    bad = await caller.get(HOOKS, params={"page_size": 1000})
    assert bad.status_code == 422
    assert error_of(bad)["code"] == "VALIDATION_ERROR"


async def test_patch_changes_events_url_description_and_enabled(caller, receiver):
    created = await subscribe(caller, receiver.url, description="first")
    hook = f"{HOOKS}/{created['id']}"

    patched = await caller.patch(
        hook,
        json={"events": ["audience_sync.failed"], "url": f"{receiver.url}/v2", "description": None},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["events"] == ["audience_sync.failed"]
    assert body["url"] == f"{receiver.url}/v2"
    assert body["description"] is None

    disabled = (await caller.patch(hook, json={"enabled": False})).json()
    assert (disabled["enabled"], disabled["disabled_reason"]) == (False, "manual")
    assert ISO_Z.match(disabled["disabled_at"])
    enabled = (await caller.patch(hook, json={"enabled": True})).json()
    assert (enabled["enabled"], enabled["disabled_reason"], enabled["disabled_at"]) == (
        True,
        None,
        None,
    )


async def test_invalid_bodies_are_422_in_the_envelope(caller, receiver):
    created = await subscribe(caller, receiver.url)
    bad_creates = [
        {"url": receiver.url, "events": []},
        {"url": receiver.url, "events": ["audience_sync.started"]},
        {"url": receiver.url},
        {"events": BOTH},
        {"url": receiver.url, "events": BOTH, "description": "x" * 501},
        {"url": receiver.url, "events": BOTH, "secret": "whsec_mine"},
    ]
    for body in bad_creates:
        response = await caller.post(HOOKS, json=body)
        assert response.status_code == 422, (body, response.text)
        assert error_of(response)["code"] == "VALIDATION_ERROR"
    for body in ({"events": ["nope"]}, {"enabled": "sometimes"}, {"secret": "x"}):
        response = await caller.patch(f"{HOOKS}/{created['id']}", json=body)
        assert response.status_code == 422, (body, response.text)
        assert error_of(response)["code"] == "VALIDATION_ERROR"


async def test_delete_is_204_then_404(caller, receiver):
    created = await subscribe(caller, receiver.url)
    hook = f"{HOOKS}/{created['id']}"

    deleted = await caller.delete(hook)

    assert deleted.status_code == 204
    assert deleted.content == b""
    again = await caller.get(hook)
    assert again.status_code == 404
    assert error_of(again)["code"] == "WEBHOOK_NOT_FOUND"


async def test_other_users_subscriptions_are_404_on_every_route(caller, stranger, receiver):
    theirs = await subscribe(stranger, receiver.url)
    for target in (theirs["id"], str(uuid.uuid4())):
        hook = f"{HOOKS}/{target}"
        responses = [
            await caller.get(hook),
            await caller.patch(hook, json={"enabled": False}),
            await caller.delete(hook),
            await caller.post(f"{hook}/rotate-secret"),
            await caller.post(f"{hook}/test"),
            await caller.get(f"{hook}/deliveries"),
        ]
        for response in responses:
            assert response.status_code == 404, response.text
            assert error_of(response)["code"] == "WEBHOOK_NOT_FOUND"
    assert (await stranger.get(f"{HOOKS}/{theirs['id']}")).json()["enabled"] is True
    assert receiver.requests == []
    bad = await caller.get(f"{HOOKS}/not-a-uuid")
    assert bad.status_code == 400


async def test_every_route_needs_a_signed_in_user(xw_client):
    from adscale_common.testing import internal_headers

    anonymous = internal_headers(KEY, user_id=None, plan=None, auth="anonymous")
    for method, path in [
        ("POST", HOOKS),
        ("GET", HOOKS),
        ("GET", f"{HOOKS}/{uuid.uuid4()}"),
        ("POST", f"{HOOKS}/{uuid.uuid4()}/test"),
    ]:
        response = await xw_client.request(method, path, headers=anonymous, json={})
        assert response.status_code == 401, (method, path)
        assert error_of(response)["code"] == "UNAUTHORIZED"


async def test_test_sends_a_signed_sample_now_and_reports_the_outcome(
    caller, receiver, quiet_deliveries
):
    created = await subscribe(caller, receiver.url, events=["audience_sync.failed"])
    hook = f"{HOOKS}/{created['id']}"

    result = await caller.post(f"{hook}/test")

    assert result.status_code == 200, result.text
    outcome = result.json()
    assert outcome["success"] is True
    assert outcome["response_code"] == 200
    assert outcome["event"] == "audience_sync.failed"
    assert outcome["latency_ms"] >= 0
    (request,) = receiver.requests
    payload = Webhook(created["secret"]).verify(request.body, request.headers)
    assert payload["event"] == "audience_sync.failed"
    assert set(payload["data"]) == {
        "job_id",
        "audience_id",
        "platform",
        "error_code",
        "error_message",
    }
    assert request.headers["webhook-id"] == outcome["delivery_id"]

    receiver.default = 503
    failed = (await caller.post(f"{hook}/test", json={"event": "audience_sync.completed"})).json()
    assert (failed["success"], failed["response_code"], failed["error"]) == (
        False,
        503,
        "HTTP 503",
    )
    completed = Webhook(created["secret"]).verify(
        receiver.requests[1].body, receiver.requests[1].headers
    )
    assert completed["event"] == "audience_sync.completed"

    deliveries = (await caller.get(f"{hook}/deliveries")).json()
    assert deliveries["total"] == 2
    newest, oldest = deliveries["deliveries"]
    assert (newest["status"], newest["test"], newest["response_code"]) == ("failed", True, 503)
    assert newest["next_retry_at"] is None  # a test is not retried
    assert (oldest["status"], oldest["attempt"]) == ("succeeded", 1)
    assert oldest["attempts"][0]["success"] is True
    # A manual test never counts towards disabling the subscription.
    assert (await caller.get(hook)).json()["enabled"] is True


async def test_rotated_secrets_both_sign_for_the_overlap(caller, receiver, quiet_deliveries):
    created = await subscribe(caller, receiver.url)
    hook = f"{HOOKS}/{created['id']}"

    rotated = await caller.post(f"{hook}/rotate-secret")

    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != created["secret"]
    assert ISO_Z.match(body["previous_secret_expires_at"])
    shown = (await caller.get(hook)).json()
    assert shown["previous_secret_expires_at"] == body["previous_secret_expires_at"]

    assert (await caller.post(f"{hook}/test")).json()["success"] is True
    request = receiver.requests[-1]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    # Receivers holding either secret accept it.
    Webhook(body["secret"]).verify(request.body, request.headers)
    Webhook(created["secret"]).verify(request.body, request.headers)
    try:
        Webhook("whsec_" + base64.b64encode(b"x" * 32).decode()).verify(
            request.body, request.headers
        )
    except WebhookVerificationError:
        pass
    else:
        raise AssertionError("a stranger's secret verified the signature")

    # A second rotation: the first secret stops signing; the second is the previous one.
    again = (await caller.post(f"{hook}/rotate-secret")).json()
    await caller.post(f"{hook}/test")
    request = receiver.requests[-1]
    Webhook(again["secret"]).verify(request.body, request.headers)
    Webhook(body["secret"]).verify(request.body, request.headers)
    try:
        Webhook(created["secret"]).verify(request.body, request.headers)
    except WebhookVerificationError:
        pass
    else:
        raise AssertionError("a secret rotated out twice still signs")


async def test_after_the_overlap_only_the_new_secret_signs(caller, receiver, xw_sessions):
    created = await subscribe(caller, receiver.url)
    hook = f"{HOOKS}/{created['id']}"
    new = (await caller.post(f"{hook}/rotate-secret")).json()
    await update_row(
        xw_sessions,
        "webhook_subscription",
        created["id"],
        "previous_secret_expires_at = now() - interval '1 second'",
    )

    await caller.post(f"{hook}/test")

    request = receiver.requests[-1]
    assert len(request.headers["webhook-signature"].split(" ")) == 1
    Webhook(new["secret"]).verify(request.body, request.headers)


async def test_deliveries_filter_by_status_and_validate_it(caller, receiver):
    created = await subscribe(caller, receiver.url)
    hook = f"{HOOKS}/{created['id']}"
    await caller.post(f"{hook}/test")
    receiver.default = 500
    await caller.post(f"{hook}/test")

    failed = (await caller.get(f"{hook}/deliveries", params={"status": "failed"})).json()
    succeeded = (await caller.get(f"{hook}/deliveries", params={"status": "succeeded"})).json()

    assert [d["status"] for d in failed["deliveries"]] == ["failed"]
    assert [d["status"] for d in succeeded["deliveries"]] == ["succeeded"]
    bad = await caller.get(f"{hook}/deliveries", params={"status": "lost"})
    assert bad.status_code == 422
    assert error_of(bad)["code"] == "VALIDATION_ERROR"

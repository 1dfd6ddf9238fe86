"""Identity through the gateway: auth endpoints, password reset, API keys, plan projection."""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from adscale_common.mailbox import Mailbox
from adscale_contracts.events import PlanChanged, build
from tests.contract.conftest import ROOT, User, register, unique_email

KAFKA = os.environ.get(
    "ADSCALE_TEST_KAFKA", os.environ.get("ADSCALE_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
)
PASSWORD = "correct horse 1"
LOGS = Path(os.environ.get("ADSCALE_HOME", ROOT / ".adscale")) / "logs"
PUBLIC_URL = os.environ.get("ADSCALE_PUBLIC_URL", "http://localhost:8107")
RESET_LINK = re.compile(re.escape(PUBLIC_URL) + r"/reset-password\?token=[A-Za-z0-9_%-]+")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def user_id_of(api: httpx.AsyncClient, user: User) -> str:
    response = await api.get("/auth/me", headers=user.headers)
    assert response.status_code == 200, response.text
    user_id: str = response.json()["id"]
    return user_id


# --- register / login / refresh / me ----------------------------------------


async def test_register_201_duplicate_409_short_password_422(api: httpx.AsyncClient):
    email = unique_email("reg")
    first = await api.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert first.status_code == 201
    body = first.json()
    assert body["token_type"] == "bearer" and body["access_token"] and body["refresh_token"]
    again = await api.post("/auth/register", json={"email": email.upper(), "password": PASSWORD})
    assert again.status_code == 409
    assert isinstance(again.json()["detail"], str)
    short = await api.post("/auth/register", json={"email": unique_email(), "password": "short"})
    assert short.status_code == 422
    assert short.json()["detail"][0]["loc"] == ["body", "password"]


async def test_login_200_and_401_alike_for_wrong_password_and_unknown_email(
    api: httpx.AsyncClient, user: User
):
    ok = await api.post("/auth/login", json={"email": user.email.upper(), "password": PASSWORD})
    assert ok.status_code == 200
    assert set(ok.json()) >= {"access_token", "refresh_token", "token_type"}
    wrong = await api.post("/auth/login", json={"email": user.email, "password": "not it at all"})
    unknown = await api.post("/auth/login", json={"email": unique_email(), "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_me_with_the_jwt(api: httpx.AsyncClient, user: User):
    response = await api.get("/auth/me", headers=user.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == user.email.lower() and body["plan"] == "free"
    uuid.UUID(body["id"])
    assert (await api.get("/auth/me")).status_code == 401
    assert (await api.get("/auth/me", headers=bearer("garbage.token.here"))).status_code == 401


async def test_refresh_rotates_and_reuse_revokes_the_family(api: httpx.AsyncClient, user: User):
    rotated = await api.post("/auth/refresh", json={"refresh_token": user.refresh_token})
    assert rotated.status_code == 200
    fresh = rotated.json()["refresh_token"]
    assert fresh != user.refresh_token
    replay = await api.post("/auth/refresh", json={"refresh_token": user.refresh_token})
    assert replay.status_code == 401
    legit = await api.post("/auth/refresh", json={"refresh_token": fresh})
    assert legit.status_code == 401
    assert (await api.post("/auth/refresh", json={})).status_code == 422


# --- password reset -----------------------------------------------------------


@pytest.fixture
async def identity_events() -> AsyncIterator[AIOKafkaConsumer]:
    """Reads identity.events from now on (a mail catcher for reset tokens)."""
    consumer = AIOKafkaConsumer(
        "identity.events",
        bootstrap_servers=KAFKA,
        group_id=None,
        auto_offset_reset="latest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        for _ in range(300):  # up to 30 s for the partitions to be assigned
            if consumer.assignment():
                break
            await asyncio.sleep(0.1)
        await consumer.seek_to_end()
        for tp in consumer.assignment():
            await consumer.position(tp)
        yield consumer
    finally:
        await consumer.stop()


async def next_event(
    consumer: AIOKafkaConsumer,
    event_type: str,
    subject: str,
    timeout: float = 30,
    seen: list[bytes] | None = None,
) -> dict[str, Any]:
    """The next event of that type and subject; ``seen`` collects every record read. One
    record at a time: the records after a match stay for the next call (one transaction
    emits several events, and they arrive in one fetch)."""
    async with asyncio.timeout(timeout):
        while True:
            record = await consumer.getone()
            if seen is not None:
                seen.append(record.value or b"")
            event: dict[str, Any] = orjson.loads(record.value or b"{}")
            if event.get("type") == event_type and event.get("subject") == subject:
                return event


async def test_password_reset_end_to_end(
    api: httpx.AsyncClient, user: User, identity_events: AIOKafkaConsumer
):
    """The link comes by mail (Mailpit), never through a topic or a log, and works once."""
    user_id = await user_id_of(api, user)
    second_login = await api.post("/auth/login", json={"email": user.email, "password": PASSWORD})
    assert second_login.status_code == 200
    unknown = await api.post("/auth/forgot-password", json={"email": unique_email("ghost")})
    known = await api.post("/auth/forgot-password", json={"email": user.email})
    asked = time.monotonic()
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()

    mails = await Mailbox().wait_for(user.email, timeout=5)
    assert len(mails) == 1, "no reset mail in Mailpit within 5 s"
    assert time.monotonic() - asked < 5
    mail = mails[0]
    links = RESET_LINK.findall(mail.text)
    assert len(links) == 1 and links[0] in mail.html.replace("&amp;", "&")
    token = parse_qs(urlsplit(links[0]).query)["token"][0]

    short = await api.post("/auth/reset-password", json={"token": token, "new_password": "x"})
    assert short.status_code == 422
    bogus = await api.post(
        "/auth/reset-password", json={"token": "bogus", "new_password": "new password 1"}
    )
    assert bogus.status_code == 400
    done = await api.post(
        "/auth/reset-password", json={"token": token, "new_password": "new password 1"}
    )
    assert done.status_code == 204
    again = await api.post(
        "/auth/reset-password", json={"token": token, "new_password": "new password 2"}
    )
    assert again.status_code == 400
    # Every session ended; the new password works, the old one does not.
    for refresh_token in (user.refresh_token, second_login.json()["refresh_token"]):
        stale = await api.post("/auth/refresh", json={"refresh_token": refresh_token})
        assert stale.status_code == 401
    login = await api.post("/auth/login", json={"email": user.email, "password": "new password 1"})
    assert login.status_code == 200
    old = await api.post("/auth/login", json={"email": user.email, "password": PASSWORD})
    assert old.status_code == 401

    # identity.events, read up to the password change: the request is there, the token is not.
    seen: list[bytes] = []
    requested = await next_event(
        identity_events, "identity.password_reset_requested", user_id, seen=seen
    )
    assert set(requested["data"]) == {"user_id", "expires_at"}
    await next_event(identity_events, "identity.password_changed", user_id, seen=seen)
    assert not [record for record in seen if token.encode() in record]
    # No process wrote the token in its log; none but Mailpit (the inbox) wrote the address.
    logs = sorted(LOGS.glob("*.log"))
    assert any(path.name == "identity-worker.log" for path in logs)
    for path in logs:
        text = path.read_bytes()
        assert token.encode() not in text, path.name
        if path.name != "mailpit.log":
            assert user.email.encode() not in text, path.name


# --- API keys -------------------------------------------------------------------


async def make_pro(api: httpx.AsyncClient, user: User, user_id: str) -> None:
    """What billing does after a payment: publish billing.plan_changed; wait for the projection."""
    envelope = build(
        PlanChanged(
            user_id=uuid.UUID(user_id), old_plan="free", new_plan="pro", reason="contract_test"
        ),
        source="billing",
    )
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            "billing.events",
            value=orjson.dumps(envelope.model_dump(mode="json")),
            key=envelope.subject.encode(),
        )
    finally:
        await producer.stop()
    for _ in range(150):  # up to 30 s for the worker to project the plan
        me = await api.get("/auth/me", headers=user.headers)
        if me.json()["plan"] == "pro":
            return
        await asyncio.sleep(0.2)
    pytest.fail("the plan change did not reach identity within 30 s")


async def test_api_key_lifecycle_with_plan_upgrade(api: httpx.AsyncClient, user: User):
    user_id = await user_id_of(api, user)
    created = await api.post("/api-keys", json={"name": "platform sync"}, headers=user.headers)
    assert created.status_code == 201
    key = created.json()
    raw = key["key"]
    assert raw.startswith("adscale_live_") and raw.startswith(key["prefix"])

    listed = await api.get("/api-keys", headers=user.headers)
    assert listed.status_code == 200
    page = listed.json()
    assert page["total"] == 1 and [k["id"] for k in page["items"]] == [key["id"]]
    assert raw not in listed.text and "key" not in page["items"][0]

    ext = f"ext-{uuid.uuid4().hex}"
    provision_body = {"email": unique_email("provisioned"), "external_user_id": ext}
    key_headers = {"X-API-Key": raw}
    # Free plan: no API access.
    free = await api.post("/auth/provision", json=provision_body, headers=key_headers)
    assert free.status_code == 403

    await make_pro(api, user, user_id)
    first = await api.post("/auth/provision", json=provision_body, headers=key_headers)
    assert first.status_code == 201, first.text
    assert set(first.json()) == {"user_id", "email", "plan"}
    repeat = await api.post("/auth/provision", json=provision_body, headers=key_headers)
    assert repeat.status_code == 200
    assert repeat.json() == first.json()
    clash = await api.post(
        "/auth/provision",
        json={"email": user.email, "external_user_id": f"ext-{uuid.uuid4().hex}"},
        headers=key_headers,
    )
    assert clash.status_code == 409
    assert (await api.post("/auth/provision", json={}, headers=key_headers)).status_code == 422

    used = (await api.get("/api-keys", headers=user.headers)).json()["items"][0]
    assert used["last_used_at"] is not None

    deleted = await api.delete(f"/api-keys/{key['id']}", headers=user.headers)
    assert deleted.status_code == 204
    revoked_at = time.monotonic()
    # The gateway evicts its cache on identity.api_key_revoked: refused within 2 seconds.
    while True:
        refused = await api.post("/auth/provision", json=provision_body, headers=key_headers)
        if refused.status_code == 401:
            break
        assert time.monotonic() - revoked_at < 2.0, "revoked key still accepted after 2 s"
        await asyncio.sleep(0.1)
    gone = await api.delete(f"/api-keys/{key['id']}", headers=user.headers)
    assert gone.status_code == 404


async def test_provision_with_a_jwt(api: httpx.AsyncClient, user: User):
    body = {"email": unique_email("viajwt"), "external_user_id": f"ext-{uuid.uuid4().hex}"}
    first = await api.post("/auth/provision", json=body, headers=user.headers)
    assert first.status_code == 201
    assert first.json()["email"] == body["email"] and first.json()["plan"] == "free"
    assert (await api.post("/auth/provision", json=body)).status_code == 401


async def test_other_users_keys_are_404_and_bad_ids_400(api: httpx.AsyncClient, user: User):
    key = (await api.post("/api-keys", json={"name": "mine"}, headers=user.headers)).json()
    mallory = await register(api)
    assert (await api.delete(f"/api-keys/{key['id']}", headers=mallory.headers)).status_code == 404
    assert (await api.get("/api-keys", headers=mallory.headers)).json()["total"] == 0
    assert (await api.delete("/api-keys/not-a-uuid", headers=user.headers)).status_code == 400
    assert (await api.post("/api-keys", json={"name": ""}, headers=user.headers)).status_code == 422
    assert (await api.post("/api-keys", json={"name": "x"})).status_code == 401
    # The owner's key survived Mallory's attempt.
    assert (await api.get("/api-keys", headers=user.headers)).json()["total"] == 1

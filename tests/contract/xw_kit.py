"""Shared pieces of the export and webhook contract tests (``test_cdp_exports.py``,
``test_cdp_webhooks.py``; spec: audience-sync-api.md, "Export Endpoints", "Webhooks",
"Error Responses", "Rate Limits"; house rules: services/audience-sync/docs/
exports-and-webhooks.md).

Import after ``sys.path.insert(0, str(Path(__file__).parent))``, like ``contract_kit``.

* ``envelope``: the audience-sync error body ``{"error": {"code", "message", "details"}}``.
* Shapes for ``contract_kit.conforms``: every documented key, each field checked.
* ``Receiver``: a real HTTP server on 127.0.0.1 (an ephemeral port) that records what it
  is sent and answers the statuses a test queues for a path (then 200). The stack's
  development setting ``AUDIENCE_SYNC_WEBHOOKS_ALLOW_LOOPBACK`` lets webhooks reach it.
* ``sign_link``: the test plays the signer of export download links, as it plays Stripe:
  HMAC-SHA256 of ``"<export id>.<expires>"`` under the stack's
  ``AUDIENCE_SYNC_EXPORT_SIGNING_KEY``, written here independently of the service's code.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from aiohttp import web

import contract_kit as kit

AS = "/cdp/audience-sync"
COMPLETED = "audience_sync.completed"
RULE_EXECUTED = "rule.executed"  # AdScale's addition: optimization rule actions
FAILED = "audience_sync.failed"


envelope = kit.envelope_error
validation = kit.envelope_validation
iso_to_epoch = kit.epoch


# --- shapes ----------------------------------------------------------------------------

STR = kit.STR
INT = kit.INT


def NONNEG(value: Any) -> None:
    INT(value)
    assert value >= 0, f"{value} is negative"


EVENTS = kit.list_of(kit.one_of(COMPLETED, FAILED, RULE_EXECUTED))

EXPORT_ACCEPTED = {
    "export_id": kit.UUID4,
    "status": kit.equals("processing"),
    "segment_id": kit.UUID4,
    "profile_count": NONNEG,
}
EXPORT = {
    "export_id": kit.UUID4,
    "status": kit.one_of("processing", "completed", "failed"),
    "segment_id": kit.nullable(kit.UUID4),
    "format": kit.one_of("csv", "jsonl"),
    "download_url": kit.nullable(STR),
    "expires_at": kit.nullable(kit.TIMESTAMP),
    "profile_count": NONNEG,
    "file_size_bytes": kit.nullable(NONNEG),
    "created_at": kit.TIMESTAMP,
    "completed_at": kit.nullable(kit.TIMESTAMP),
    "error": kit.nullable(kit.shape({"code": STR, "message": STR})),
}
WEBHOOK = {
    "id": kit.UUID4,
    "url": STR,
    "events": EVENTS,
    "description": kit.nullable(STR),
    "enabled": kit.BOOL,
    "disabled_reason": kit.one_of(None, "manual", "gone", "failing"),
    "disabled_at": kit.nullable(kit.TIMESTAMP),
    "previous_secret_expires_at": kit.nullable(kit.TIMESTAMP),
    "created_at": kit.TIMESTAMP,
    "updated_at": kit.TIMESTAMP,
}


def SECRET(value: Any) -> None:
    """``whsec_`` + base64 of 32 random bytes (Standard Webhooks' secret format)."""
    assert isinstance(value, str) and value.startswith("whsec_"), value
    assert len(base64.b64decode(value.removeprefix("whsec_"), validate=True)) == 32, value


WEBHOOK_CREATED = {**WEBHOOK, "secret": SECRET}
SECRET_ROTATED = {
    "id": kit.UUID4,
    "secret": SECRET,
    "previous_secret_expires_at": kit.TIMESTAMP,
}
ATTEMPT = {
    "attempt": INT,
    "attempted_at": kit.TIMESTAMP,
    "success": kit.BOOL,
    "response_code": kit.nullable(INT),
    "latency_ms": kit.nullable(NONNEG),
    "error": kit.nullable(STR),
}
DELIVERY = {
    "id": kit.UUID4,
    "event": kit.one_of(COMPLETED, FAILED, RULE_EXECUTED),
    "event_id": kit.nullable(kit.UUID4),
    "test": kit.BOOL,
    "status": kit.one_of("pending", "in_flight", "succeeded", "failed", "cancelled"),
    "attempt": NONNEG,
    "response_code": kit.nullable(INT),
    "latency_ms": kit.nullable(NONNEG),
    "error": kit.nullable(STR),
    "next_retry_at": kit.nullable(kit.TIMESTAMP),
    "last_attempt_at": kit.nullable(kit.TIMESTAMP),
    "delivered_at": kit.nullable(kit.TIMESTAMP),
    "created_at": kit.TIMESTAMP,
    "attempts": kit.list_of(kit.shape(ATTEMPT)),
}
TEST_RESULT = {
    "delivery_id": kit.UUID4,
    "event": kit.one_of(COMPLETED, FAILED, RULE_EXECUTED),
    "success": kit.BOOL,
    "response_code": kit.nullable(INT),
    "latency_ms": kit.nullable(NONNEG),
    "error": kit.nullable(STR),
    "attempted_at": kit.TIMESTAMP,
}


def _uuid(value: Any) -> None:
    assert isinstance(value, str) and str(uuid.UUID(value)) == value, value


# The spec's "Webhooks" payloads, exactly (``match_rate`` and ``duration_ms`` may be null).
COMPLETED_DATA = {
    "job_id": _uuid,
    "audience_id": _uuid,
    "platform": kit.one_of("meta", "google", "tiktok", "snapchat"),
    "operation": kit.one_of("create", "update", "replace", "delete"),
    "profiles_sent": NONNEG,
    "profiles_added": NONNEG,
    "match_rate": kit.nullable(kit.NUMBER),
    "duration_ms": kit.nullable(NONNEG),
}
FAILED_DATA = {
    "job_id": _uuid,
    "audience_id": _uuid,
    "platform": kit.one_of("meta", "google", "tiktok", "snapchat"),
    "error_code": STR,
    "error_message": STR,
}


def payload(body: Any, event: str) -> dict[str, Any]:
    """A webhook body of the spec: ``{event, timestamp, data}`` with exactly its fields."""
    data = COMPLETED_DATA if event == COMPLETED else FAILED_DATA
    checked: dict[str, Any] = kit.conforms(
        body, {"event": kit.equals(event), "timestamp": kit.TIMESTAMP, "data": kit.shape(data)}
    )
    return checked


def page_of(body: Any, name: str, item: dict[str, kit.Check], page: int, size: int) -> Any:
    """``{<name>: [...], total, page, page_size}`` echoing the page asked for."""
    kit.conforms(
        body,
        {name: kit.list_of(kit.shape(item)), "total": NONNEG, "page": INT, "page_size": INT},
    )
    assert (body["page"], body["page_size"]) == (page, size), body
    assert len(body[name]) == max(0, min(size, body["total"] - (page - 1) * size)), body
    return body


# --- export links ------------------------------------------------------------------------


def sign_link(export_id: str, expires: int, key: str | None = None) -> str:
    """A download path signed like the service signs it (see the module docstring)."""
    secret = key or kit.stack_setting("AUDIENCE_SYNC_EXPORT_SIGNING_KEY")
    mac = hmac.new(secret.encode(), f"{export_id}.{expires}".encode(), hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    query = urlencode({"expires": expires, "signature": signature})
    return f"{AS}/exports/{export_id}/download?{query}"


async def wait_export(
    api: httpx.AsyncClient, headers: dict[str, str], export_id: str, seconds: float = 60
) -> dict[str, Any]:
    """Poll ``GET /exports/{id}`` until it is no longer processing."""
    deadline = time.monotonic() + seconds
    while True:
        response = await api.get(f"{AS}/exports/{export_id}", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = kit.conforms(response.json(), EXPORT)
        if body["status"] != "processing":
            return body
        # no file yet: no link, size, expiry or completion time
        unfinished = ("download_url", "expires_at", "file_size_bytes", "completed_at", "error")
        assert all(body[name] is None for name in unfinished), body
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.2)


# --- a webhook receiver ------------------------------------------------------------------


@dataclass
class Hit:
    path: str
    query: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    at: float  # time.monotonic() on arrival
    status: int  # what the receiver answered

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An HTTP server of the test's own: records every request, answers queued statuses."""

    port: int = 0
    hits: list[Hit] = field(default_factory=list)
    plans: dict[str, list[int]] = field(default_factory=dict)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, *statuses: int) -> None:
        """The next requests to ``path`` get these statuses, in order; later ones 200."""
        self.plans[path] = list(statuses)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        plan = self.plans.get(request.path) or []
        status = plan.pop(0) if plan else 200
        self.hits.append(
            Hit(
                request.path,
                request.query_string,
                {name.lower(): value for name, value in request.headers.items()},
                body,
                time.monotonic(),
                status,
            )
        )
        self._changed.set()
        return web.Response(status=status, text="ok")

    def at(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    async def wait_for(
        self, condition: Callable[[list[Hit]], bool], seconds: float = 30
    ) -> list[Hit]:
        """Wait until ``condition(hits)`` holds; returns the hits."""
        deadline = time.monotonic() + seconds
        while not condition(self.hits):
            left = deadline - time.monotonic()
            assert left > 0, [(h.path, h.body[:300]) for h in self.hits]
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=min(left, 1.0))
            except TimeoutError:
                pass
        return self.hits

    @classmethod
    @asynccontextmanager
    async def running(cls) -> AsyncIterator[Receiver]:
        receiver = cls()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", receiver._handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        receiver.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            yield receiver
        finally:
            await runner.cleanup()

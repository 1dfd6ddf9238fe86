"""Every operation of the gateway's merged OpenAPI document says which credentials it takes
(``security``), and does what it says: the spec's routes and the house extensions alike,
so a new route is checked without being named here.

- no ``security`` of its own: refused (the document's default would claim both schemes
  for a route nobody looked at);
- ``[]``: answers a caller with no credentials;
- anything else: a caller with no credentials is 401 in the route's error format whatever
  its query and body (the caller is checked before the input is read);
- ``BearerAuth`` only: a paid member's API key is 401;
- ``ApiKeyAuth`` too: that key is let in (no 401, no 403)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit

JWT_ONLY = [{"BearerAuth": []}]
JWT_OR_KEY = [{"BearerAuth": []}, {"ApiKeyAuth": []}]
# Path parameters that are no id, and a well-formed value of each.
VALUES = {"platform": "meta", "hash": "a" * 64}

# The browser session's routes ask for their CSRF proof before anything else (403).
CSRF_FIRST = "/api/v1/session/"


@pytest.fixture(scope="module")
async def operations(stack: str) -> list[kit.Operation]:
    return await kit.openapi_operations(stack)


@pytest.fixture(scope="module")
async def paid_key(stack: str) -> str:
    async with httpx.AsyncClient(base_url=stack, timeout=30) as client:
        member = await kit.register(client, "auth-of-every-operation")
        await kit.upgrade(client, member, "pro")
        return await kit.api_key(client, member)


def _url(path: str) -> str:
    """Each parameter a well-formed value of nothing."""
    return kit.filled_path(path, lambda name: VALUES.get(name, str(uuid.uuid4())))


def _garbage_query(operation: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: "!" for p in operation.get("parameters", []) if p.get("in") == "query"}


def _unauthorized(response: httpx.Response, path: str) -> None:
    if path.startswith(CSRF_FIRST):
        assert kit.detail_error(response, 403) == "Missing or invalid CSRF token"
        return
    inner = kit.family_error(response, path, 401)
    assert inner.get("code", "UNAUTHORIZED") == "UNAUTHORIZED", inner


async def test_every_operation_says_which_credentials_it_takes(operations):
    assert len(operations) >= 100, len(operations)
    unsaid = [(m, p) for m, p, op in operations if "security" not in op]
    assert unsaid == []
    public = {(m, p) for m, p, op in operations if op["security"] == []}
    assert ("post", "/api/v1/auth/login") in public
    assert ("get", "/api/v1/billing/plans") in public
    assert ("get", "/api/v1/cdp/audience-sync/exports/{export_id}/download") in public
    for _, path, operation in operations:  # and documents the 401 it answers
        if operation["security"]:
            kit.documented_error(operation, path, "401")
    by_path = {(m, p): op["security"] for m, p, op in operations}
    assert by_path[("get", "/api/v1/campaigns")] == JWT_ONLY
    assert by_path[("get", "/api/v1/cdp/segments")] == JWT_OR_KEY


async def test_no_credentials_is_401_before_the_input_is_read(api: httpx.AsyncClient, operations):
    checked = 0
    for method, path, operation in operations:
        if operation.get("security") == []:
            continue
        response = await api.request(
            method.upper(),
            _url(path),
            params=_garbage_query(operation),
            json={"unexpected": True},
            headers=kit.anonymous(),
        )
        try:
            _unauthorized(response, path)
        except AssertionError as exc:
            raise AssertionError(f"{method.upper()} {path}") from exc
        checked += 1
    assert checked >= 85, checked


async def test_public_operations_answer_without_credentials(api: httpx.AsyncClient, operations):
    for method, path, operation in operations:
        if operation.get("security") != []:
            continue
        response = await api.request(method.upper(), _url(path), headers=kit.anonymous())
        assert response.status_code != 401, (method, path, response.text)


async def test_an_api_key_opens_what_the_document_says(
    api: httpx.AsyncClient, operations, paid_key: str
):
    """With empty bodies and ids of nothing, so nothing is created or changed."""
    opened = refused = 0
    for method, path, operation in operations:
        security = operation.get("security")
        if security not in (JWT_ONLY, JWT_OR_KEY):
            continue
        response = await api.request(
            method.upper(), _url(path), json={}, headers={"X-API-Key": paid_key}
        )
        where = f"{method.upper()} {path}: {response.status_code} {response.text[:200]}"
        if security == JWT_ONLY:
            _unauthorized(response, path)
            refused += 1
        else:
            assert response.status_code not in (401, 403), where
            opened += 1
    assert (opened >= 30, refused >= 45) == (True, True), (opened, refused)

"""Every operation that takes an id in its path, as the gateway's merged OpenAPI document
lists them (the spec's and the house extensions alike, so a new route is checked without
being named here): a malformed id is 400 in its API family's error format, whatever the
body, and an unknown id is 404. The spec's own lists (test_adscale_conventions,
test_cdp_conventions) stay; this one cannot fall behind the routes."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit

MALFORMED = ("not-a-uuid", "123", "00000000-0000-4000-8000-00000000000g")
# Routes that answer an unknown id with something other than 404, and why.
NOT_404 = {
    # A download is authorized by its signed link before the export is looked up.
    ("get", "/api/v1/cdp/audience-sync/exports/{export_id}/download"),
}


def _takes_uuid_in_path(item: dict[str, Any]) -> bool:
    params = [p for p in item.get("parameters", []) if p.get("in") == "path"]
    return any(p.get("schema", {}).get("format") == "uuid" for p in params)


@pytest.fixture(scope="module")
async def operations(stack: str) -> list[kit.Operation]:
    """Every operation with a UUID path parameter."""
    return [op for op in await kit.openapi_operations(stack) if _takes_uuid_in_path(op[2])]


def _filled(path: str, value: str) -> str:
    return kit.filled_path(path, lambda _: value)


def _refused(response: httpx.Response, path: str, status: int) -> None:
    """``status`` in the error format of the path's family: 400 ``INVALID_PATH_PARAMETER``
    naming path parameters only, 404 a ``…_NOT_FOUND`` code (audience-sync); a bare
    ``detail`` (AdScale)."""
    inner = kit.family_error(response, path, status)
    if not kit.is_envelope_path(path):
        return
    if status == 400:
        assert inner["code"] == "INVALID_PATH_PARAMETER", inner
        assert {e["loc"][0] for e in inner["details"]["errors"]} == {"path"}, inner
    else:
        assert inner["code"].endswith("NOT_FOUND"), inner


async def test_the_document_lists_the_id_routes_of_both_families(operations):
    """The discovery itself: both families and the house extensions are in it (a document
    that lost its paths would otherwise pass every check below)."""
    routes = {(m, p) for m, p, _ in operations}
    assert len(routes) >= 45, sorted(routes)
    for _, path, operation in operations:  # each documents the two answers below
        for status in ("400", "404"):
            kit.documented_error(operation, path, status)
    for route in [
        ("get", "/api/v1/campaigns/{campaign_id}"),
        ("post", "/api/v1/rules/{rule_id}/backtest"),
        ("get", "/api/v1/rule-runs/{run_id}"),
        ("get", "/api/v1/cdp/segments/{segment_id}/profiles"),
        ("delete", "/api/v1/cdp/segments/{segment_id}/profiles"),
        ("get", "/api/v1/cdp/erasures/{erasure_id}"),
        ("delete", "/api/v1/auth/sessions/{session_id}"),
    ]:
        assert route in routes, route


async def test_a_malformed_id_is_400_whatever_the_body(api: httpx.AsyncClient, user, operations):
    """With no body, an empty one and one of the wrong type: the id is refused first."""
    for method, path, _ in operations:
        for bad in MALFORMED:
            for body in (None, {}, []):
                response = await api.request(
                    method.upper(), _filled(path, bad), headers=user.headers, json=body
                )
                try:
                    _refused(response, path, 400)
                except AssertionError as exc:
                    raise AssertionError(f"{method.upper()} {path} {bad!r} {body!r}") from exc


async def test_an_unknown_id_is_404(api: httpx.AsyncClient, user, operations):
    """Every operation that needs no body and no query parameter: a well-formed id of
    nothing (or of nothing of this user's) is 404."""
    checked = 0
    for method, path, operation in operations:
        body = operation.get("requestBody", {}).get("required", False)
        query = any(
            p.get("in") == "query" and p.get("required") for p in operation.get("parameters", [])
        )
        if body or query or (method, path) in NOT_404:
            continue
        response = await api.request(
            method.upper(), _filled(path, str(uuid.uuid4())), headers=user.headers
        )
        try:
            _refused(response, path, 404)
        except AssertionError as exc:
            raise AssertionError(f"{method.upper()} {path}") from exc
        checked += 1
    assert checked >= 30, checked

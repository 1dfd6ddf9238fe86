"""The dashboard's build served at /: caching, deep links, CSP, and the API left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from adscale_common.testing import InfraUrls
from web_kit import ASSET, AuthState, build_dist, web_gateway


@pytest.fixture
async def gateway(upstreams, redis_clean: str, adscale_infra: InfraUrls, tmp_path: Path):
    dist = build_dist(tmp_path)
    async with web_gateway(
        upstreams, redis_clean, adscale_infra.kafka_bootstrap, dist, AuthState()
    ) as client:
        client.dist = dist  # type: ignore[attr-defined]
        yield client


def _csp(response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


async def test_index_is_served_at_root_revalidated_with_a_strict_csp(gateway):
    response = await gateway.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<div id="root">' in response.text
    assert response.headers["cache-control"] == "no-cache"
    csp = _csp(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_hashed_assets_are_cached_for_a_year(gateway):
    response = await gateway.get("/" + ASSET)
    assert response.status_code == 200
    assert response.text == "console.log('app')"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in response.headers["content-type"]
    assert "content-security-policy" in response.headers


async def test_unhashed_root_files_are_revalidated(gateway):
    response = await gateway.get("/favicon.svg")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path", ["/campaigns/5b1f5f3c-2d2a-4c47-9a43-8f7b0c1d2e3f", "/reset-password", "/overview"]
)
async def test_deep_links_load_the_app(gateway, path: str):
    response = await gateway.get(path, params={"token": "abc"} if "reset" in path else None)
    assert response.status_code == 200
    assert '<div id="root">' in response.text
    assert response.headers["cache-control"] == "no-cache"


async def test_a_missing_asset_is_404_not_the_app(gateway):
    response = await gateway.get("/assets/index-00000000.js")
    assert response.status_code == 404
    assert "<div" not in response.text


async def test_path_traversal_stays_inside_the_build(gateway):
    response = await gateway.get("/assets/..%2f..%2f..%2fetc/passwd")
    assert response.status_code == 404
    assert "root:" not in response.text


async def test_api_and_docs_are_unchanged(gateway):
    unknown = await gateway.get("/api/v1/nothing-here")
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "Not Found"}
    routed = await gateway.get("/api/v1/campaigns")
    assert routed.status_code == 200  # proxied to the (echo) service as before, not the app
    assert routed.json()["path"] == "/api/v1/campaigns"
    docs = await gateway.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    spec = await gateway.get("/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/session/refresh" in spec.json()["paths"]


async def test_no_build_answers_503_with_how_to_build(gateway):
    (gateway.dist / "index.html").unlink()
    response = await gateway.get("/campaigns")
    assert response.status_code == 503
    assert "npm run build" in response.text

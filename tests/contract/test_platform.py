"""Foundation contract: health, docs, routing, and the internal-token wall."""

from __future__ import annotations

import re
import uuid

import httpx

SERVICE_PORTS = {"identity": 8101, "campaigns": 8102, "audience-sync": 8103, "billing": 8104}
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


async def test_health_lists_every_service_ok(api: httpx.AsyncClient):
    response = await api.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["service"] == "gateway"
    assert ISO_Z.match(body["timestamp"])
    assert {name: s["status"] for name, s in body["services"].items()} == {
        name: "ok" for name in SERVICE_PORTS
    }


async def test_swagger_ui_and_merged_openapi(api: httpx.AsyncClient, stack: str):
    base = stack.removesuffix("/api/v1")
    async with httpx.AsyncClient(base_url=base) as root:
        docs = await root.get("/docs")
        assert docs.status_code == 200 and "swagger-ui" in docs.text
        asset = await root.get("/docs/static/swagger-ui-bundle.js")
        assert asset.status_code == 200 and len(asset.content) > 100_000
        spec = (await root.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/health" in spec["paths"]
    assert {"BearerAuth", "ApiKeyAuth"} <= set(spec["components"]["securitySchemes"])


async def test_service_ports_refuse_requests_without_a_valid_internal_token():
    async with httpx.AsyncClient(timeout=5) as client:
        for name, port in SERVICE_PORTS.items():
            base = f"http://127.0.0.1:{port}"
            plain = await client.get(f"{base}/api/v1/anything")
            assert plain.status_code == 401, name
            forged = await client.get(
                f"{base}/api/v1/anything",
                headers={"X-Internal-Token": "eyJhbGciOiJIUzI1NiJ9.e30.x"},
            )
            assert forged.status_code == 401, name
            spoofed = await client.get(
                f"{base}/api/v1/anything",
                headers={"X-User-Id": str(uuid.uuid4()), "X-Plan": "enterprise"},
            )
            assert spoofed.status_code == 401, name


async def test_unknown_route_is_404_in_the_right_family(api: httpx.AsyncClient):
    detail = await api.get("/no-such-thing")
    assert detail.status_code == 404 and "detail" in detail.json()
    request_id = detail.headers.get("x-request-id")
    assert request_id and len(request_id) >= 8

"""Creatives: CRUD, URL and per-platform text limits; copy generation and its providers."""

from __future__ import annotations

import re

import httpx
import pytest
import respx

from campaigns.creative.copy import (
    BuiltinCopyProvider,
    ChatCompletionsCopyProvider,
    CopyGenerator,
    CopyRequest,
)
from campaigns.creative.limits import LIMITS
from campaigns.creative.schemas import CreativeCreate
from kit import Api


async def _group(api: Api, platform: str = "google") -> dict[str, object]:
    account = await api.account(platform)
    return await api.ad_group((await api.campaign(account["id"]))["id"])


async def test_crud(api: Api, other: Api):
    group = await _group(api)
    creative = await api.creative(group["id"], call_to_action="Shop Now")
    assert creative["status"] == "active" and creative["call_to_action"] == "Shop Now"
    url = f"/api/v1/creatives/{creative['id']}"
    assert (await api.client.get(url, headers=api.h)).json() == creative
    r = await api.client.patch(
        url, json={"headline": "New headline", "status": "paused"}, headers=api.h
    )
    assert r.status_code == 200 and r.json()["headline"] == "New headline"
    listed = await api.get(f"/api/v1/creatives?ad_group_id={group['id']}")
    assert listed.json()["total"] == 1
    assert (await other.client.get(url, headers=other.h)).status_code == 404
    assert (await other.client.delete(url, headers=other.h)).status_code == 404
    assert (await other.get("/api/v1/creatives")).json()["total"] == 0
    assert (await api.client.delete(url, headers=api.h)).status_code == 204
    assert (await api.client.get(url, headers=api.h)).status_code == 404
    assert (await api.get("/api/v1/creatives/xyz")).status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "javascript:alert(1)",
        "example.com",
        "https://",
        "http://exa mple.com",
    ],
)
async def test_destination_url_must_be_http(api: Api, url: str):
    group = await _group(api)
    r = await api.client.post(
        "/api/v1/creatives",
        json={
            "ad_group_id": group["id"],
            "headline": "H",
            "description": "D",
            "destination_url": url,
        },
        headers=api.h,
    )
    assert r.status_code == 422, url


def test_the_openapi_document_states_the_url_rule_the_api_checks():
    """The schema's pattern (what the OpenAPI document shows) refuses what the API refuses
    here and takes what it takes."""
    field = CreativeCreate.model_json_schema()["properties"]["destination_url"]
    assert field["format"] == "uri"
    pattern = re.compile(field["pattern"])
    for refused in ("ftp://example.com/x", "javascript:alert(1)", "example.com", "http://a b"):
        assert not pattern.search(refused), refused
    for taken in ("https://shop.example.com/beans?utm_source=adscale", "HTTP://example.com"):
        assert pattern.search(taken), taken


async def test_text_limits_follow_the_campaign_platform(api: Api):
    google = await _group(api, "google")
    meta = await _group(api, "meta")
    headline_35 = "A" * 35
    body = {"headline": headline_35, "description": "D", "destination_url": "https://example.com"}
    r = await api.client.post(
        "/api/v1/creatives", json={**body, "ad_group_id": google["id"]}, headers=api.h
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "headline"]
    r = await api.client.post(
        "/api/v1/creatives", json={**body, "ad_group_id": meta["id"]}, headers=api.h
    )
    assert r.status_code == 201
    long_description = {**body, "headline": "ok", "description": "x" * 100}
    r = await api.client.post(
        "/api/v1/creatives", json={**long_description, "ad_group_id": google["id"]}, headers=api.h
    )
    assert r.status_code == 422
    creative = await api.creative(google["id"])
    r = await api.client.patch(
        f"/api/v1/creatives/{creative['id']}", json={"headline": "B" * 31}, headers=api.h
    )
    assert r.status_code == 422
    theirs_missing = await api.client.post(
        "/api/v1/creatives",
        json={**body, "headline": "ok", "ad_group_id": "00000000-0000-4000-8000-000000000000"},
        headers=api.h,
    )
    assert theirs_missing.status_code == 404


async def test_generate_copy_builtin_is_deterministic_and_within_limits(api: Api):
    body = {
        "product_name": "AeroPress Go Travel Coffee Maker Deluxe Edition",
        "product_description": "A compact brewer for great coffee anywhere. Packs into a mug.",
        "target_audience": "travelers and campers",
        "tone": "energetic",
    }
    first = await api.client.post("/api/v1/creatives/generate-copy", json=body, headers=api.h)
    assert first.status_code == 200, first.text
    second = await api.client.post("/api/v1/creatives/generate-copy", json=body, headers=api.h)
    assert first.json() == second.json()
    copy = first.json()
    assert copy["provider"] == "builtin" and copy["platform"] == "google"
    assert 0 < len(copy["headline"]) <= 30 and 0 < len(copy["description"]) <= 90
    assert copy["call_to_action"]
    meta = await api.client.post(
        "/api/v1/creatives/generate-copy", json={**body, "platform": "meta"}, headers=api.h
    )
    assert len(meta.json()["headline"]) <= 40 and len(meta.json()["description"]) <= 125
    assert (
        await api.client.post(
            "/api/v1/creatives/generate-copy", json={"product_name": "x"}, headers=api.h
        )
    ).status_code == 422
    assert (await api.client.post("/api/v1/creatives/generate-copy", json=body)).status_code == 401


def test_builtin_uses_inputs():
    builtin = BuiltinCopyProvider()
    limits = LIMITS["meta"]
    a = builtin.compose(
        CopyRequest("Brewly", "Cold brew kits. Easy.", "students", "casual"), limits
    )
    b = builtin.compose(
        CopyRequest("Brewly", "Cold brew kits. Easy.", "students", "luxury"), limits
    )
    c = builtin.compose(CopyRequest("Zestly", "A mobile app for recipes.", None, None), limits)
    assert "Brewly" in a.headline and "students" in a.description
    assert a != b
    assert c.call_to_action == "Download" and "Zestly" in c.headline


LLM = "http://llm.test/v1"


@respx.mock
async def test_chat_completions_provider_and_limits():
    route = respx.post(f"{LLM}/chat/completions").mock(
        return_value=httpx.Response(
            200,
            json={
                "choices": [
                    {
                        "message": {
                            "content": 'Sure! {"headline": '
                            '"Brew anywhere with AeroPress Go today", '
                            '"description": "Great coffee on every trip.", '
                            '"call_to_action": "Shop Now"}'
                        }
                    }
                ]
            },
        )
    )
    provider = ChatCompletionsCopyProvider(url=LLM, model="m", api_key="k", timeout=1)
    generator = CopyGenerator([provider])
    copy = await generator.generate(
        CopyRequest("AeroPress", "Coffee", None, "casual"), LIMITS["google"]
    )
    await generator.aclose()
    assert copy.provider == "chat_completions"
    assert len(copy.headline) <= 30 and copy.headline.startswith("Brew anywhere")
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Bearer k"


@respx.mock
@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500, json={"error": "boom"}),
        httpx.Response(200, json={"choices": [{"message": {"content": "no json here"}}]}),
        httpx.TimeoutException("slow"),
    ],
)
async def test_chat_completions_failures_fall_back_to_builtin(answer: object):
    route = respx.post(f"{LLM}/chat/completions")
    if isinstance(answer, Exception):
        route.mock(side_effect=answer)
    else:
        route.mock(return_value=answer)
    generator = CopyGenerator([ChatCompletionsCopyProvider(url=LLM, model="m", timeout=0.5)])
    request = CopyRequest("AeroPress", "Coffee anywhere.", None, None)
    copy = await generator.generate(request, LIMITS["google"])
    await generator.aclose()
    assert copy.provider == "builtin"
    assert copy == BuiltinCopyProvider().compose(request, LIMITS["google"])

"""adscale-api.md "Health": public, `status`, `service`, `timestamp`.

(test_platform.py checks that every service reports ok.)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import contract_kit as kit


async def test_health_is_public_and_answers_status_service_timestamp(api: httpx.AsyncClient):
    for headers in ({}, {"Authorization": "Bearer not.a.jwt"}, {"X-API-Key": "nope"}):
        response = await api.get("/health", headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert (body["status"], body["service"]) == ("ok", "gateway")
        assert abs(kit.utc(body["timestamp"]).timestamp() - time.time()) < 60
        assert {"status", "service", "timestamp"} <= set(body)

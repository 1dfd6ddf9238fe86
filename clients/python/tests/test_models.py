"""The committed models and sync client are what their generators make today."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

PACKAGE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PACKAGE / "scripts"))
import generate_models  # noqa: E402


def test_models_match_the_running_gateways_openapi(stack: str):
    document = httpx.get(stack.removesuffix("/api/v1") + "/openapi.json", timeout=30).json()
    assert set(document["paths"]) >= {"/api/v1/campaigns", "/api/v1/cdp/audience-sync/audiences"}
    fresh = generate_models.render_models(document)
    committed = generate_models.MODELS.read_text()
    assert fresh == committed, (
        "clients/python/src/adscale/models.py is stale against the running API: run "
        "uv run python clients/python/scripts/generate_models.py"
    )


def test_sync_client_matches_its_async_source():
    script = PACKAGE / "scripts" / "unasync.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr

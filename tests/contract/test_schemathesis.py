"""Property-based runs of the whole public OpenAPI document (schemathesis), authenticated.

Runs through an extra gateway process whose house rate limits are raised, so the
generated requests reach the services instead of mostly answering 429 (the
limits themselves are covered by the rate-limit tests). Every other part of the
path is the real one: JWT verification, internal token, the services, their
databases. Fails on any 5xx and on any response that breaks the documented schema.

Three runs, because a sign-out now ends the caller's access token at once:

1. every operation but those that end the caller's session, with generated ids;
2. the same with the ids of real objects of the caller (an ad account, a campaign, an
   ad group, a creative, a rule and its run, a segment, an audience and its sync job, an
   export, a webhook, an erasure, an API key), so the fuzzing reaches past the 404s; no
   DELETE here, so every object lives to the end of the run;
3. the session-ending operations alone, with a token of their own.

A run also fails when its token stopped working: only the operations in
``REFUSED_WITH_A_TOKEN`` may answer nothing but 401/403.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import cdp_kit as cdp
import httpx
import pytest

import contract_kit as kit
import xw_kit as xw

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

from stack import spawn_gateway  # noqa: E402

PORT = 8118
RAISED = {
    "GATEWAY_RATE_LIMIT_USER_PER_MINUTE": "1000000000",
    "GATEWAY_RATE_LIMIT_ANONYMOUS_PER_MINUTE": "1000000000",
    "GATEWAY_RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE": "1000000000",
    "GATEWAY_RATE_LIMIT_LOGIN_PER_EMAIL_PER_5_MINUTES": "1000000000",
    "GATEWAY_LOG_LEVEL": "WARNING",
}
# Operations that end the caller's session (and so its access token), by name ("METHOD /path").
ENDS_SESSIONS = (
    r"/api/v1/(auth|session)/(logout|logout-all|change-password|sessions/\{session_id\})"
)
SESSION_ENDING = rf"^\S+ {ENDS_SESSIONS}$"
# The seeded run keeps its objects: no DELETE either (one regex: schemathesis ANDs filters).
SESSION_ENDING_OR_DELETE = rf"^(DELETE \S+|\S+ {ENDS_SESSIONS})$"
# Refused whatever the bearer token: a download needs its signed link, the browser session's
# refresh its cookie and CSRF header.
REFUSED_WITH_A_TOKEN = {
    "GET /api/v1/cdp/audience-sync/exports/{export_id}/download",
    "POST /api/v1/session/refresh",
}


@pytest.fixture(scope="module")
def fuzz_gateway(stack: str):
    child = spawn_gateway(PORT, RAISED)
    yield f"http://127.0.0.1:{PORT}"
    child.terminate()
    child.wait(10)


def refused_operations(output: str) -> set[str]:
    """The operations schemathesis reports as answering only 401/403 (its "Authentication
    failed" warning), as ``METHOD /path``."""
    section = output.split("Authentication failed", 1)
    if len(section) == 1:
        return set()
    listed = section[1].split("💡", 1)[0]
    return set(re.findall(r"^\s+- ([A-Z]+ \S+)$", listed, flags=re.MULTILINE))


def test_the_refused_operations_are_read_from_schemathesis_output() -> None:
    output = (
        "Authentication failed: 2 operations returned only 401/403 responses\n\n"
        "401 Unauthorized (1 operation):\n  - GET /api/v1/auth/me\n\n"
        "403 Forbidden (1 operation):\n  - POST /api/v1/session/refresh\n\n"
        "💡 Ensure valid authentication credentials\n\nOther warning:\n  - GET /api/v1/rules\n"
    )
    assert refused_operations(output) == {"GET /api/v1/auth/me", "POST /api/v1/session/refresh"}
    assert refused_operations("no warnings") == set()


async def schemathesis(
    base: str,
    token: str,
    tmp_path: Path,
    name: str,
    *options: str,
    config: Path | None = None,
    token_holds: bool = True,
) -> str:
    """One schemathesis run against ``base`` as the bearer of ``token``; fails on a failed
    check, and (``token_holds``) on a token that stopped working. Returns the run's output."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        *(["--config-file", str(config)] if config else []),
        "run",
        f"{base}/openapi.json",
        "-H",
        f"Authorization: Bearer {token}",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--max-examples",
        "15",
        "--generation-deterministic",
        "--request-timeout",
        "30",
        "--report",
        "junit",
        "--report-junit-path",
        str(tmp_path / f"{name}.xml"),
        *options,
    ]
    result = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, timeout=900
    )
    (tmp_path / f"{name}.out").write_text(result.stdout)
    failures = result.stdout.split("FAILURES", 1)[-1][:12000] + result.stderr[-3000:]
    assert result.returncode == 0, failures
    if token_holds:
        assert refused_operations(result.stdout) <= REFUSED_WITH_A_TOKEN, result.stdout[-6000:]
    return result.stdout


async def seeded_ids(api: httpx.AsyncClient, member: kit.Member, hook_url: str) -> dict[str, str]:
    """Real objects of ``member``, one of each kind the API's paths name: their ids by the
    path parameter's name."""
    h = member.headers

    async def created(path: str, body: dict[str, Any], field: str = "id") -> str:
        response = await api.post(path, json=body, headers=h)
        assert response.status_code in (200, 201, 202), (path, response.text)
        value: Any = response.json()
        for key in field.split("."):
            value = value[key]
        return str(value)

    account = await created("/accounts", {"platform": "meta", "account_id_external": "act77"})
    campaign = await created(
        "/campaigns",
        {"ad_account_id": account, "name": "Fuzzed", "objective": "sales", "budget_daily": "20"},
    )
    ad_group = await created("/ad-groups", {"campaign_id": campaign, "name": "Fuzzed group"})
    creative = await created(
        "/creatives",
        {
            "ad_group_id": ad_group,
            "headline": "Fresh beans weekly",
            "description": "Roasted to order.",
            "destination_url": "https://shop.example.com/beans",
            "call_to_action": "Shop Now",
        },
    )
    rule = await created(
        "/rules", {"name": "Fuzzed rule", "rule_type": "pause_low_roas", "threshold": 1.5}
    )
    run = await created(f"/rules/{rule}/execute", {}, "execution_id")
    segment = await cdp.new_segment(api, member, cdp.profiles(0, 5))
    connection = await cdp.connect(api, h, "meta")
    audience = await cdp.created(api, h, segment, "meta", connection.account)
    export = await created(f"{cdp.AS}/audiences/export", {"segment_id": segment}, "export_id")
    webhook = await created(
        f"{cdp.AS}/webhooks", {"url": hook_url, "events": ["audience_sync.completed"]}
    )
    erasure = await created("/cdp/erasures", {"external_id": "fuzzed-nobody"}, "erasure_id")
    api_key = await created("/api-keys", {"name": "fuzzed"})
    return {
        "account_id": account,
        "campaign_id": campaign,
        "ad_group_id": ad_group,
        "creative_id": creative,
        "rule_id": rule,
        "run_id": run,
        "segment_id": segment,
        "audience_id": audience["audience"]["id"],
        "job_id": audience["initial_sync"]["job_id"],
        "export_id": export,
        "webhook_id": webhook,
        "erasure_id": erasure,
        "api_key_id": api_key,
    }


async def test_no_server_errors_and_responses_match_the_schema(
    fuzz_gateway: str, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=f"{fuzz_gateway}/api/v1", timeout=30) as api:
        # A member per run: the runs' deletions and per-user rate limits stay apart.
        member = await kit.register(api, "schemathesis")
        owner = await kit.register(api, "schemathesis-seeded")
        ender = await kit.register(api, "schemathesis-sessions")
        async with xw.Receiver.running() as receiver:
            ids = await seeded_ids(api, owner, receiver.url("/fuzzed"))
            await schemathesis(
                fuzz_gateway,
                member.access_token,
                tmp_path,
                "generated-ids",
                "--exclude-name-regex",
                SESSION_ENDING,
            )
            config = tmp_path / "seeded.toml"
            config.write_text(
                "[parameters]\n" + "".join(f'{name} = "{value}"\n' for name, value in ids.items())
            )
            seeded = await schemathesis(
                fuzz_gateway,
                owner.access_token,
                tmp_path,
                "seeded-ids",
                "--exclude-name-regex",
                SESSION_ENDING_OR_DELETE,
                config=config,
            )
            # The seeded run reached the objects: no warning names their detail pages (which
            # answer 404 to generated ids).
            warnings = seeded.split("WARNINGS", 1)[-1].split("SUMMARY", 1)[0]
            assert "- GET /api/v1/campaigns/{campaign_id}\n" not in warnings, seeded[-6000:]
        await schemathesis(
            fuzz_gateway,
            ender.access_token,
            tmp_path,
            "session-ending",
            "--include-name-regex",
            SESSION_ENDING,
            token_holds=False,  # the first sign-out ends it, by design
        )

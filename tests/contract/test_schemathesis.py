"""Property-based run of the whole public OpenAPI document (schemathesis), authenticated.

Runs through an extra gateway process whose house rate limits are raised, so the
generated requests reach the services instead of mostly answering 429 (the
limits themselves are covered by the rate-limit tests). Every other part of the
path is the real one: JWT verification, internal token, the services, their
databases. Fails on any 5xx and on any response that breaks the documented schema.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

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


@pytest.fixture(scope="module")
def fuzz_gateway(stack: str):
    child = spawn_gateway(PORT, RAISED)
    yield f"http://127.0.0.1:{PORT}"
    child.terminate()
    child.wait(10)


def test_no_server_errors_and_responses_match_the_schema(fuzz_gateway: str, tmp_path: Path):
    email = f"schemathesis-{uuid.uuid4().hex[:12]}@example.com"
    register = httpx.post(
        f"{fuzz_gateway}/api/v1/auth/register", json={"email": email, "password": "schemathesis 1"}
    )
    assert register.status_code == 201, register.text
    token = register.json()["access_token"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{fuzz_gateway}/openapi.json",
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
            str(tmp_path / "schemathesis.xml"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    (tmp_path / "schemathesis.out").write_text(result.stdout)
    failures = result.stdout.split("FAILURES", 1)[-1][:12000]
    assert result.returncode == 0, failures

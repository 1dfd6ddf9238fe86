"""The error of each command whose error the flow tests do not already produce: the
exit code from the README's table and the API's code on stderr."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_kit import Cli

NIL = "00000000-0000-4000-8000-000000000000"
BAD_KEY = {"ADSCALE_API_KEY": "adscale_live_not_a_key"}

CASES = [
    (("ad-groups", "list"), BAD_KEY, 3, "HTTP_401"),
    (("ad-groups", "update", NIL, "-s", "name=x"), {}, 4, "HTTP_404"),
    (("ad-groups", "delete", NIL), {}, 4, "HTTP_404"),
    (("creatives", "list"), BAD_KEY, 3, "HTTP_401"),
    (("creatives", "get", NIL), {}, 4, "HTTP_404"),
    (
        (
            "creatives",
            "create",
            "-s",
            f"ad_group_id={NIL}",
            "-s",
            "headline=Hi",
            "-s",
            "description=x",
            "-s",
            "destination_url=https://example.com",
        ),
        {},
        4,
        "HTTP_404",
    ),
    (("campaigns", "create", "-s", "name=x"), {}, 6, "VALIDATION_ERROR"),
    (("campaigns", "get", "not-a-uuid"), {}, 6, "HTTP_400"),
    (("rules", "list"), BAD_KEY, 3, "HTTP_401"),
    (("rules", "update", NIL, "-s", "threshold=2"), {}, 4, "HTTP_404"),
    (("rules", "delete", NIL), {}, 4, "HTTP_404"),
    (("segments", "get", NIL), {}, 4, "SEGMENT_NOT_FOUND"),
    (("audiences", "delete", NIL), {}, 4, "AUDIENCE_NOT_FOUND"),
]


@pytest.mark.parametrize(
    ("args", "env", "exit_code", "code"), CASES, ids=[" ".join(c[0][:2]) for c in CASES]
)
async def test_command_errors(signed_in: Cli, args, env, exit_code, code):
    signed_in.fails(exit_code, code, *args, **env)


async def test_usage_errors_exit_2(signed_in: Cli):
    missing = signed_in("campaigns", "get")
    assert missing.exit_code == 2 and "Missing argument" in missing.stderr
    wrong = signed_in("campaigns", "list", "-o", "yaml")
    assert wrong.exit_code == 2
    assert signed_in("campaigns", "frobnicate").exit_code == 2

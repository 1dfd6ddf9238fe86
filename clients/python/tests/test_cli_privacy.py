"""`adscale privacy` on the stack: a person imported, looked up, erased with the receipt
waited for, a file of people erased through the batch route, the suppression lifted; and
the SDK's ``privacy`` resource on the same routes."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from adscale import models as m
from cli_kit import Cli


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def test_privacy_commands(signed_in: Cli, tmp_path: Path):
    cli = signed_in
    segment = cli.ok("segments", "create", "Privacy", "-o", "json").json()
    source = tmp_path / "people.csv"
    source.write_text(
        "external_id,email\nk-1,keep@example.com\ng-1,gone.one@example.com\n"
        "g-2,gone.two@example.com\ng-3,gone.three@example.com\n"
    )
    cli.ok("segments", "import", segment["id"], str(source), "-q")

    held = m.PersonRead.model_validate(
        cli.ok("privacy", "person", "--email", "Gone.One@example.com").json()
    )
    assert [p.external_id for p in held.profiles] == ["g-1"]
    cli.fails(2, "exactly one", "privacy", "person", "--email", "a@b.co", "--external-id", "x")
    cli.fails(6, "VALIDATION_ERROR", "privacy", "erase", "--email", "not-an-email")

    receipt = m.ErasureRead.model_validate(
        cli.ok("privacy", "erase", "--email", "gone.one@example.com", "--wait", "-o", "json").json()
    )
    assert receipt.status.value == "completed" and receipt.matched.profiles == 1
    cli.fails(4, "PERSON_NOT_FOUND", "privacy", "person", "--email", "gone.one@example.com")

    queue = tmp_path / "queue.txt"
    queue.write_text("# deletion queue\ng-2\n\ng-3\ng-2\n")
    cli.fails(2, "--batch-size", "privacy", "erase-file", str(queue), "--batch-size", "10001")
    # two people a request: the file goes in two batch requests, and the second one finds
    # the erasure the first created for g-2
    summary = cli.ok(
        "privacy",
        "erase-file",
        str(queue),
        "--kind",
        "external_id",
        "--batch-size",
        "2",
        "-o",
        "json",
    )
    body = summary.json()
    assert (body["people"], body["requests"], body["created"], body["existing"]) == (3, 2, 2, 1)
    assert len(body["erasure_ids"]) == 3 and body["erasure_ids"][0] == body["erasure_ids"][2]
    again = cli.ok("privacy", "erase-file", str(queue), "--kind", "external_id", "-q", "-o", "json")
    assert (again.json()["requests"], again.json()["existing"]) == (1, 3)
    for erasure_id in set(body["erasure_ids"]):
        done = cli.ok("privacy", "receipt", erasure_id, "--wait", "-o", "json").json()
        assert done["status"] == "completed" and done["matched"]["profiles"] == 1
    listed = cli.ok("privacy", "list", "-o", "json").json()
    assert len(listed) == 3
    assert cli.ok("segments", "get", segment["id"], "-o", "json").json()["profile_count"] == 1

    lifted = cli.ok("privacy", "unsuppress", sha("gone.one@example.com"), "-o", "json").json()
    assert lifted == {"lifted": True, "hash": sha("gone.one@example.com"), "kind": "email"}
    cli.fails(4, "SUPPRESSION_NOT_FOUND", "privacy", "unsuppress", sha("gone.one@example.com"))

"""`adscale` on the audience-sync API: segments (100,000-row import with its progress),
platforms (connect through the sandbox's consent page), audiences, a sync watched to its
end, exports downloaded, webhooks. Happy path and one error per command."""

from __future__ import annotations

import csv
import io
import sys
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from adscale import models as m
from cli_kit import Cli, cdp_kit, kit

NIL = "00000000-0000-4000-8000-000000000000"
CONSENT = Path(__file__).with_name("browser_consent.py")


def write_csv(path: Path, rows: int, invalid: int = 0) -> Path:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["external_id", "email", "phone", "tier"])
        for i in range(rows):
            writer.writerow(
                [
                    f"p{i}",
                    f"person.{i}@example.com",
                    f"+1 415 {i // 10000 % 800 + 200:03d} {i % 10000:04d}",
                    "gold",
                ]
            )
        for i in range(invalid):
            writer.writerow([f"bad{i}", f"not-an-email-{i}", "", ""])
    return path


async def test_segments_import_dry_run_and_column_mapping(signed_in: Cli, tmp_path: Path):
    cli = signed_in
    segment = m.SegmentRead.model_validate(
        cli.ok("segments", "create", "Shop export", "-o", "json").json()
    )
    # a European spreadsheet: ';' between fields, CRLF, no id column, an unknown column
    source = tmp_path / "shop.csv"
    source.write_bytes(
        b"Email;Phone;Tier\r\nana@example.com;+14155550101;gold\r\nbo@example.com;;silver\r\n"
        b"not-an-email;;\r\n"
    )
    preview = m.ImportPreview.model_validate(
        cli.ok(
            "segments", "import", str(segment.id), str(source), "--dry-run", "-q", "-o", "json"
        ).json()
    )
    assert (preview.dialect.delimiter, preview.people, preview.invalid) == (";", 2, 1)
    targets = {c.header: (c.target, c.decided_by.value) for c in preview.columns}
    assert targets["Email"][0] == "email" and targets["Tier"] == ("trait:tier", "unknown")
    table = cli.ok("segments", "import", str(segment.id), str(source), "--dry-run").stdout
    assert "nothing was written" in table and "decided_by" in table
    assert (
        m.SegmentRead.model_validate(
            cli.ok("segments", "get", str(segment.id), "-o", "json").json()
        ).profile_count
        == 0
    )
    mapped = cli.ok(
        "segments",
        "import",
        str(segment.id),
        str(source),
        "--map",
        "Tier=ignore",
        "--dry-run",
        "-q",
        "-o",
        "json",
    ).json()
    assert {c["header"]: c["decided_by"] for c in mapped["columns"]}["Tier"] == "mapping"
    done = m.ImportResult.model_validate(
        cli.ok("segments", "import", str(segment.id), str(source), "-q", "-o", "json").json()
    )
    assert (done.inserted, done.invalid, done.profile_count) == (2, 1, 2)
    people = cli.ok("segments", "profiles", str(segment.id), "-o", "json").json()
    assert sorted(p["fields"]["email"] for p in people) == ["ana@example.com", "bo@example.com"]
    found = cli.ok(
        "segments", "profiles", str(segment.id), "--search", " ANA@example.com", "-o", "csv"
    ).stdout
    rows = list(csv.DictReader(io.StringIO(found)))
    assert [(r["email"], r["phone"], r["trait:tier"]) for r in rows] == [
        ("ana@example.com", "+14155550101", "gold")
    ]
    table = cli.ok("segments", "profiles", str(segment.id), "--search", "+1 (415) 555-0101")
    assert "ana@example.com" in table.stdout and "bo@example.com" not in table.stdout
    cli.fails(4, "SEGMENT_NOT_FOUND", "segments", "profiles", NIL)
    cli.fails(
        6,
        "MAPPING_COLUMN_NOT_FOUND",
        "segments",
        "import",
        str(segment.id),
        str(source),
        "--map",
        "Nope=email",
        "-q",
    )
    bad = cli("segments", "import", str(segment.id), str(source), "--map", "no-equals-sign")
    assert bad.exit_code == 2 and "COLUMN=FIELD" in bad.stderr


def connect(cli: Cli, platform: str = "meta") -> dict:
    browser = f"{sys.executable} {CONSENT} %s"
    run = cli(
        "platforms",
        "connect",
        platform,
        "--timeout",
        "60",
        "-o",
        "json",
        BROWSER=browser,
        SANDBOX_USER=f"cli-{uuid.uuid4().hex[:10]}",
    )
    assert run.exit_code == 0, (run.stdout, run.stderr)
    assert "Approve the connection" in run.stderr
    return m.PlatformRead.model_validate(run.json()).model_dump(mode="json")


async def test_segments_import_100k_rows_with_byte_progress_and_invalid_rows(
    signed_in: Cli, tmp_path: Path
):
    cli = signed_in
    segment = m.SegmentRead.model_validate(
        cli.ok("segments", "create", "VIPs", "-o", "json").json()
    )
    cli.fails(6, "VALIDATION_ERROR", "segments", "create", "")
    source = write_csv(tmp_path / "people.csv", 100_000, invalid=3)
    size = source.stat().st_size
    run = cli.ok("segments", "import", str(segment.id), str(source))
    # the bar by bytes ended at the file's size, then the counts and the invalid-row samples
    mb = f"{size / 1e6:.1f}/{size / 1e6:.1f} MB"
    assert "import people.csv" in run.stderr and mb in run.stderr, run.stderr
    assert "100003" in run.stdout and "invalid rows (first 3)" in run.stdout
    assert "email is not a valid address" in run.stdout
    again = m.ImportResult.model_validate(
        cli.ok("segments", "import", str(segment.id), str(source), "-q", "-o", "json").json()
    )
    assert (again.received, again.unchanged, again.invalid, again.profile_count) == (
        100_003,
        100_000,
        3,
        100_000,
    )
    cli.fails(4, "SEGMENT_NOT_FOUND", "segments", "import", NIL, str(source), "-q")
    listed = cli.ok("segments", "list", "-o", "json").json()
    assert [m.SegmentRead.model_validate(s).profile_count for s in listed] == [100_000]
    found = cli.ok("segments", "list", "--name-contains", "VIP", "-o", "json").json()
    assert [s["id"] for s in found] == [s["id"] for s in listed]
    assert cli.ok("segments", "list", "--name-contains", "lapsed", "-o", "json").json() == []
    cli.fails(3, "UNAUTHORIZED", "segments", "list", ADSCALE_API_KEY="adscale_live_nope")
    detail = m.SegmentDetail.model_validate(
        cli.ok("segments", "get", str(segment.id), "-o", "json").json()
    )
    assert detail.profile_count == 100_000
    cli.fails(6, "INVALID_PATH_PARAMETER", "segments", "get", "not-a-uuid")
    cli.ok("segments", "delete", str(segment.id))
    cli.fails(4, "SEGMENT_NOT_FOUND", "segments", "delete", str(segment.id))


async def test_connect_create_audience_sync_watch_export_download(
    signed_in: Cli, api: httpx.AsyncClient, member: kit.Member, tmp_path: Path
):
    cli = signed_in
    cli.fails(6, "INVALID_PATH_PARAMETER", "platforms", "connect", "myspace")
    platform = connect(cli)
    assert platform["connected"] is True
    account = platform["ad_accounts"][0]["id"]
    platforms = cli.ok("platforms", "list", "-o", "json").json()
    assert [p["platform"] for p in platforms if p["connected"]] == ["meta"]
    cli.fails(3, "UNAUTHORIZED", "platforms", "list", ADSCALE_API_KEY="adscale_live_nope")

    segment_id = await cdp_kit.new_segment(api, member, cdp_kit.profiles(0, 300))
    cli.fails(
        6,
        "PLATFORM_NOT_CONNECTED",
        "audiences",
        "create",
        "-s",
        f"segment_id={segment_id}",
        "-s",
        "platform=tiktok",
        "-s",
        "ad_account_id=act_123",
        "-s",
        "audience_name=VIPs",
    )
    created = m.AudienceCreated.model_validate(
        cli.ok(
            "audiences",
            "create",
            "-s",
            f"segment_id={segment_id}",
            "-s",
            "platform=meta",
            "-s",
            f"ad_account_id={account}",
            "-s",
            "audience_name=VIPs",
            "-o",
            "json",
        ).json()
    )
    audience_id = str(created.audience.id)
    listed = cli.ok("audiences", "list", "--platform", "meta", "-o", "json").json()
    assert [m.AudienceRead.model_validate(a).id for a in listed] == [created.audience.id]
    found = cli.ok("audiences", "list", "--name-contains", "vip", "-o", "json").json()
    assert [a["id"] for a in found] == [audience_id]
    assert cli.ok("audiences", "list", "--name-contains", "nobody", "-o", "json").json() == []
    cli.fails(6, "VALIDATION_ERROR", "audiences", "list", "--platform", "myspace")
    cli.ok("audiences", "update", audience_id, "-s", "auto_sync=false")
    detail = m.AudienceDetail.model_validate(
        cli.ok("audiences", "get", audience_id, "-o", "json").json()
    )
    assert detail.auto_sync is False
    cli.fails(4, "AUDIENCE_NOT_FOUND", "audiences", "update", NIL, "-s", "auto_sync=false")

    # more people, then a sync followed to its end
    await cdp_kit.new_segment(api, member, [])  # another segment does not count
    added = await api.post(
        f"/cdp/segments/{segment_id}/profiles",
        json={"profiles": cdp_kit.profiles(300, 200)},
        headers=member.headers,
    )
    assert added.status_code == 200, added.text
    run = cli.ok("audiences", "sync", audience_id, "--watch")
    # 200 new people (email and phone each): counts are people, not identifiers.
    assert "sync completed" in run.stderr and "200/200" in run.stderr, run.stderr
    assert "completed" in run.stdout and "profiles_added" in run.stdout
    history = m.HistoryRead.model_validate(
        cli.ok("audiences", "history", audience_id, "-o", "json").json()
    )
    assert [h.status for h in history.history][:2] == ["completed", "completed"]
    cli.fails(4, "AUDIENCE_NOT_FOUND", "audiences", "history", NIL)
    job_id = str(history.history[0].job_id)
    job = m.SyncJobRead.model_validate(cli.ok("syncs", "get", job_id, "-o", "json").json())
    assert job.profiles_added == 200
    cli.fails(4, "JOB_NOT_FOUND", "syncs", "get", NIL)
    started = cli.ok("audiences", "sync", audience_id, "-o", "json").json()
    cli.ok("syncs", "get", started["job_id"], "--watch", "-q")
    cli.fails(4, "AUDIENCE_NOT_FOUND", "audiences", "sync", NIL, "--watch")

    # a sync the platform fails: exit 9 with the job's error code
    sandbox = cdp_kit.Sandbox(httpx.AsyncClient(base_url=cdp_kit.SANDBOX, timeout=30))
    await sandbox.fault(
        "meta",
        "server_error",
        str(created.audience.platform_audience_id),
        method="POST",
        count=50,
    )
    more = await api.post(
        f"/cdp/segments/{segment_id}/profiles",
        json={"profiles": cdp_kit.profiles(500, 10)},
        headers=member.headers,
    )
    assert more.status_code == 200, more.text
    failed = cli("audiences", "sync", audience_id, "--watch")
    assert failed.exit_code == 9, (failed.stdout, failed.stderr)
    assert "PLATFORM_ERROR" in failed.stderr and "sync failed" in failed.stderr
    await sandbox.client.aclose()

    # an export waited for, downloaded with a bar and checked against its size
    target = tmp_path / "vips.csv"
    export = m.ExportRead.model_validate(
        cli.ok("exports", "create", segment_id, "--download", str(target), "-o", "json").json()
    )
    assert target.stat().st_size == export.file_size_bytes
    assert len(target.read_text().splitlines()) == 511  # header + 510 profiles
    cli.fails(4, "SEGMENT_NOT_FOUND", "exports", "create", NIL)
    got = cli.ok("exports", "get", str(export.export_id), "-o", "json").json()
    assert got["status"] == "completed"
    cli.fails(4, "EXPORT_NOT_FOUND", "exports", "get", NIL)
    again = tmp_path / "again.csv"
    cli.ok("exports", "download", str(export.export_id), str(again))
    assert again.read_bytes() == target.read_bytes()
    cli.fails(4, "EXPORT_NOT_FOUND", "exports", "download", NIL, str(again))

    deleted = cli.ok("audiences", "delete", audience_id, "-o", "json").json()
    assert m.AudienceDeleted.model_validate(deleted).deleted is True
    cli.fails(4, "AUDIENCE_NOT_FOUND", "audiences", "get", audience_id)
    cli.fails(4, "AUDIENCE_NOT_FOUND", "audiences", "delete", audience_id)
    assert cli.ok("platforms", "disconnect", "meta", "-o", "json").json()["disconnected"] is True
    cli.fails(6, "PLATFORM_NOT_CONNECTED", "platforms", "disconnect", "meta")


async def test_webhooks(signed_in: Cli):
    cli = signed_in
    hook = m.WebhookCreated.model_validate(
        cli.ok(
            "webhooks",
            "create",
            "http://127.0.0.1:9/hooks",
            "-e",
            "audience_sync.completed",
            "-o",
            "json",
        ).json()
    )
    assert hook.secret
    cli.fails(6, "VALIDATION_ERROR", "webhooks", "create", "http://127.0.0.1:9/h", "-e", "nope")
    assert [w["id"] for w in cli.ok("webhooks", "list", "-o", "json").json()] == [str(hook.id)]
    cli.fails(3, "UNAUTHORIZED", "webhooks", "list", ADSCALE_API_KEY="adscale_live_nope")
    cli.ok("webhooks", "get", str(hook.id))
    cli.fails(4, "WEBHOOK_NOT_FOUND", "webhooks", "get", NIL)
    patched = cli.ok(
        "webhooks", "update", str(hook.id), "-s", "description=ops", "-o", "json"
    ).json()
    assert patched["description"] == "ops"
    cli.fails(6, "VALIDATION_ERROR", "webhooks", "update", str(hook.id), "-s", "events=[]")
    rotated = m.SecretRotated.model_validate(
        cli.ok("webhooks", "rotate-secret", str(hook.id), "-o", "json").json()
    )
    assert rotated.secret != hook.secret
    cli.fails(4, "WEBHOOK_NOT_FOUND", "webhooks", "rotate-secret", NIL)
    tested = cli.ok("webhooks", "test", str(hook.id), "-o", "json").json()
    m.WebhookTestResult.model_validate(tested)
    cli.fails(4, "WEBHOOK_NOT_FOUND", "webhooks", "test", NIL)
    deliveries = cli.ok("webhooks", "deliveries", str(hook.id), "-o", "json").json()
    assert [m.DeliveryRead.model_validate(d).test for d in deliveries] == [True]
    cli.fails(4, "WEBHOOK_NOT_FOUND", "webhooks", "deliveries", NIL)
    cli.ok("webhooks", "delete", str(hook.id))
    cli.fails(4, "WEBHOOK_NOT_FOUND", "webhooks", "delete", str(hook.id))

"""``make logs``: warnings and errors by kind, and one id followed through every process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

import logs  # noqa: E402

NOW = datetime.now(UTC)


def ts(minutes_ago: float) -> str:
    return logs.iso(NOW - timedelta(minutes=minutes_ago))


def line(minutes_ago: float, level: str, logger: str, msg: str, **fields: object) -> str:
    # The field order of adscale_common.observability's JSON formatter: ts first.
    record = {"ts": ts(minutes_ago), "level": level, "service": "x", "logger": logger, "msg": msg}
    return json.dumps({**record, **fields}, separators=(",", ":"))


def write(folder: Path, name: str, *lines: str) -> None:
    (folder / name).write_text("".join(f"{text}\n" for text in lines))


def stack_logs(folder: Path) -> Path:
    write(
        folder,
        "campaigns-worker.log",
        line(90, "error", "campaigns.metrics", "sync failed for 3 accounts"),  # too old
        line(20, "info", "campaigns.metrics", "synced 12 accounts"),
        line(10, "error", "campaigns.metrics", "sync failed for 4 accounts"),
        line(5, "error", "campaigns.metrics", "sync failed for 7 accounts"),
        line(4, "error", "aiokafka", "Unable to update metadata from [1]", repeated=499),
    )
    write(
        folder,
        "campaigns-worker.2.log",
        line(3, "warning", "campaigns.rule", "rule push retried", request_id="r-1"),
    )
    write(
        folder,
        "audience-sync.log",
        "INFO:     Started server process [42]",
        line(8, "info", "adscale.request", "request", request_id="r-1", status=200),
        "ERROR:    Exception in ASGI application",
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in <module>',
        "ValueError: boom",
    )
    write(
        folder,
        "gateway.log",
        line(9, "info", "adscale.request", "request", request_id="r-1", path="/api/v1/x"),
        line(2, "error", "gateway.proxy", "upstream failed", request_id="r-2", exc="Trace\nboom"),
    )
    # Not a process of the stack: the broker's own log is left to its own tools.
    write(folder, "kafka.log", "ERROR: broker trouble", "java.lang.IllegalStateException: x")
    return folder


def test_the_summary_groups_warnings_and_errors_of_the_window_by_kind(tmp_path: Path) -> None:
    kinds = logs.summarize(stack_logs(tmp_path), ts(60))
    counted = {(k[0], k[2], k[3]): v.count for k, v in kinds.items()}
    assert counted == {
        # Numbers in a message count as one kind; the line an hour and a half old is out.
        ("campaigns-worker", "campaigns.metrics", "sync failed for N accounts"): 2,
        # A line that stands for the complaints the repeat filter held back counts them.
        ("campaigns-worker", "aiokafka", "Unable to update metadata from [N]"): 500,
        ("campaigns-worker.2", "campaigns.rule", "rule push retried"): 1,
        ("gateway", "gateway.proxy", "upstream failed"): 1,
        # Plain text outside the JSON logging, dated by the JSON line before it.
        ("audience-sync", "(stderr)", "ERROR:    Exception in ASGI application"): 1,
        ("audience-sync", "(stderr)", "ValueError: boom"): 1,
    }
    worker = kinds[("campaigns-worker", "error", "campaigns.metrics", "sync failed for N accounts")]
    assert worker.last_seen == ts(5)


def test_a_level_and_a_process_narrow_the_summary(tmp_path: Path) -> None:
    stack_logs(tmp_path)
    errors = logs.summarize(tmp_path, ts(60), min_level="error", process="campaigns-worker")
    assert {k[0] for k in errors} == {"campaigns-worker"}  # not the .2 instance's warning
    assert {k[1] for k in errors} == {"error"}
    assert logs.summarize(tmp_path, ts(1)) == {}


def test_an_id_is_followed_through_every_process_in_time_order(tmp_path: Path) -> None:
    rows = list(logs.follow(stack_logs(tmp_path), "r-1"))
    assert [(process, record["logger"]) for _, process, record in rows] == [
        ("gateway", "adscale.request"),
        ("audience-sync", "adscale.request"),
        ("campaigns-worker.2", "campaigns.rule"),
    ]
    assert list(logs.follow(tmp_path, "r-")) == []  # whole ids only


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": ""}
    return subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "logs.py"), "--logs", str(folder), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )


def test_the_command_prints_the_table_and_the_followed_lines(tmp_path: Path) -> None:
    stack_logs(tmp_path)
    summary = run(tmp_path)  # `make logs`: the summary of the last hour
    assert summary.returncode == 0, summary.stderr
    out = summary.stdout.splitlines()
    assert out[0].startswith("506 warnings/errors of 6 kinds since ")
    assert out[2].split()[:4] == ["500", out[2].split()[1], "campaigns-worker", "error"]
    assert "broker trouble" not in summary.stdout  # kafka.log is not read

    short = run(tmp_path, "summary", "--top", "2")
    assert short.stdout.splitlines()[-1] == "(+4 more kinds: --top 0 lists them all)"

    followed = run(tmp_path, "follow-id", "r-2")
    assert followed.returncode == 0, followed.stderr
    first, *trace = followed.stdout.splitlines()
    assert "gateway" in first and "gateway.proxy: upstream failed" in first
    assert trace == ["    Trace", "    boom"]  # the exception under its line

    missing = run(tmp_path, "follow-id", "nobody")
    assert missing.stdout == "no log line names nobody\n"
    nowhere = run(tmp_path / "absent")
    assert nowhere.returncode == 1 and "make up" in nowhere.stderr

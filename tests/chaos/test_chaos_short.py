"""The short chaos run (``deploy/chaos.py --short``) as a suite of ``make test``.

It restarts Kafka and PostgreSQL and stops Redis, so it runs where nothing else shares
them (``make test`` on a machine of its own; here: inside /work/stackrun.sh)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_fault_is_survived_with_the_goals_met():
    run = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "chaos.py"), "--short"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    print(run.stdout[-6000:], run.stderr[-3000:])
    faults = [
        "SIGKILL audience-sync-worker",
        "restart Kafka",
        "restart PostgreSQL",
        "Redis down 10s",
        "Meta rate limits",
        "Meta 5xx",
    ]
    for fault in faults:
        assert any(line.startswith(fault) for line in run.stdout.splitlines()), fault
    assert run.returncode == 0, run.stdout[-3000:]
    assert "chaos: every goal met" in run.stdout

"""The short chaos run (``deploy/chaos.py --short``) as a suite of ``make test``.

It restarts Kafka and PostgreSQL and stops Redis, so it runs where nothing else shares
them (``make test`` on a machine of its own). Whatever
happens (a failed goal, the time limit), the infrastructure is started again and the
stack chaos.py started is stopped, so the suites after this one find everything up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIME_LIMIT = 420  # seconds; the run itself takes about four minutes
FAULTS = [
    "SIGKILL audience-sync-worker",
    "restart Kafka",
    "restart PostgreSQL",
    "Redis down 10s",
    "Meta rate limits",
    "Meta 5xx",
]


def infra_env() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("ADSCALE_DATABASE_URL", "ADSCALE_REDIS_URL", "ADSCALE_KAFKA_BOOTSTRAP"):
        env.pop(key, None)
    return env


def test_every_fault_is_survived_with_the_goals_met():
    run = subprocess.Popen(
        [sys.executable, str(ROOT / "deploy" / "chaos.py"), "--short"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out, _ = run.communicate(timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        run.send_signal(signal.SIGTERM)  # chaos.py restores the infrastructure on SIGTERM
        out, _ = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
        subprocess.run(
            ["bash", str(ROOT / "deploy" / "provision.sh"), "up"],
            cwd=ROOT,
            env=infra_env(),
            stdout=subprocess.DEVNULL,
            check=False,
        )
        subprocess.run(
            [sys.executable, str(ROOT / "deploy" / "stack.py"), "down"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            check=False,
        )
    print(out[-8000:])
    lines = out.splitlines()
    for fault in FAULTS:
        assert any(line.startswith(fault) for line in lines), f"no table row for {fault}"
    assert run.returncode == 0, out[-3000:]
    assert "chaos: every goal met" in out

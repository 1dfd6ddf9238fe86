"""A worker SIGKILLed with its process pools started leaves no process behind: the hashing
processes, their fork server, the export process and the resource tracker end with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

CHILD = Path(__file__).with_name("pool_child.py")


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_pool_processes_end_with_a_killed_worker() -> None:
    worker = subprocess.Popen(
        [sys.executable, str(CHILD)], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        assert worker.stdout is not None
        pool = [int(pid) for pid in worker.stdout.readline().split()]
        # resource tracker, fork server, two hashing processes, one export process
        assert len(pool) >= 5, pool
        assert all(_alive(pid) for pid in pool)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in pool):
            time.sleep(0.1)
        left = [pid for pid in pool if _alive(pid)]
        assert left == [], [psutil.Process(pid).cmdline()[-1][:80] for pid in left]
    finally:
        worker.kill()
        worker.wait()

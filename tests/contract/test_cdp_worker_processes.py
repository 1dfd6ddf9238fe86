"""The audience-sync worker of the running stack, as deployed: its hashing processes
(``AUDIENCE_SYNC_HASH_PROCESSES``, 2) run ``AUDIENCE_SYNC_HASH_NICE`` (10) steps below
the worker's priority, so an initial sync's sends come first; the fork server they come
from keeps the worker's priority."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
import stack as native  # noqa: E402

HASH_PROCESSES = 2  # AUDIENCE_SYNC_HASH_PROCESSES's default
HASH_NICE = 10  # AUDIENCE_SYNC_HASH_NICE's default


def _fork_servers(worker: psutil.Process) -> list[psutil.Process]:
    """The worker's fork servers (``multiprocessing.forkserver``)."""
    return [c for c in worker.children() if "forkserver" in " ".join(c.cmdline())]


def _hashing_processes(worker: psutil.Process) -> list[psutil.Process]:
    """The children of the worker's fork server."""
    return [p for server in _fork_servers(worker) for p in server.children()]


def test_the_worker_hashes_below_its_own_priority(stack: str) -> None:
    pid = native.pid_of("audience-sync-worker")
    assert pid is not None, "the audience-sync worker is not running"
    worker = psutil.Process(pid)
    own = os.getpriority(os.PRIO_PROCESS, pid)
    # The worker starts its pool as it starts; each process takes its niceness in its
    # initializer, a moment after it exists.
    deadline = time.monotonic() + 30
    while True:
        hashing = _hashing_processes(worker)
        niceness = {os.getpriority(os.PRIO_PROCESS, p.pid) for p in hashing}
        if len(hashing) == HASH_PROCESSES and niceness == {min(own + HASH_NICE, 19)}:
            break
        assert time.monotonic() < deadline, (len(hashing), niceness, own)
        time.sleep(0.2)
    servers = _fork_servers(worker)
    assert {os.getpriority(os.PRIO_PROCESS, s.pid) for s in servers} == {own}

"""The CPU a benchmark charges to groups of processes: fixed roots with their
descendants, and the PostgreSQL backends serving one database.

CPU time comes from /proc (utime + stime of a process and its descendants), read before
and after a run, so the figure is the processes' own work whatever else runs on the
cores. PostgreSQL's share is the CPU of the backends connected to one database (their
process title names it), so other databases on a shared server do not count.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kit import procfs


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (uvicorn --workers forks its workers)."""
    return [root, *procfs.descendants(root)]


def _ticks(pids: Sequence[int]) -> dict[int, int]:
    return {pid: t for pid in pids if (t := procfs.ticks(pid)) is not None}


def database_backends(database: str) -> list[int]:
    """PostgreSQL backends connected to ``database`` (``postgres: ... <user> <db> ...``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {database} " in title:
            found.append(int(entry.name))
    return found


def _reaped_ticks(pid: int) -> int:
    """CPU of ``pid``'s children that exited and were reaped (cutime + cstime)."""
    fields = procfs.stat(pid)
    return int(fields[13]) + int(fields[14]) if fields else 0


@dataclass
class Processes:
    """The processes a run is charged to: fixed roots (with their children) and, for
    ``database``, the PostgreSQL backends serving it. A backend that exits during the run
    (a pooled connection closed past the pool's size) is counted through its parent's
    reaped-children CPU, less what it had spent before the run; the server's other
    databases' backends exiting in those seconds count too (an upper bound)."""

    roots: dict[str, list[int]]
    database: str | None = None
    _before: dict[str, dict[int, int]] = field(default_factory=dict)
    _postmaster: int | None = None
    _reaped_before: int = 0
    # Of the last ``seconds()``'s "postgres": the CPU of backends (any database's) and
    # autovacuum workers that exited during the run, the upper-bound part.
    exited_seconds: float = 0.0

    def _current(self) -> dict[str, list[int]]:
        groups = {name: [p for r in pids for p in _tree(r)] for name, pids in self.roots.items()}
        if self.database:
            groups["postgres"] = database_backends(self.database)
        return groups

    def start(self) -> None:
        groups = self._current()
        self._before = {name: _ticks(pids) for name, pids in groups.items()}
        backends = groups.get("postgres", [])
        if backends and (fields := procfs.stat(backends[0])) is not None:
            self._postmaster = int(fields[1])
        if self._postmaster is not None:
            self._reaped_before = _reaped_ticks(self._postmaster)

    def seconds(self) -> dict[str, float]:
        """CPU seconds of each group since ``start``."""
        hz = os.sysconf("SC_CLK_TCK")
        out = {}
        for name, pids in self._current().items():
            before = self._before.get(name, {})
            after = _ticks(pids)
            ticks = sum(t - before.get(pid, 0) for pid, t in after.items())
            if name == "postgres" and self._postmaster is not None:
                gone = sum(t for pid, t in before.items() if pid not in after)
                exited = _reaped_ticks(self._postmaster) - self._reaped_before - gone
                self.exited_seconds = exited / hz
                ticks += exited
            out[name] = ticks / hz
        return out

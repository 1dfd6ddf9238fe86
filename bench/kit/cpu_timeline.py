"""Where the cores went, second by second: a sampler of process groups' CPU and the
machine's idle time, drawn as one bar per second.

The totals of a run (CPU seconds per process) say how much work there was; the timeline
says when, which is what a pipeline's wall time depends on: whether a stage ran on alone
at the end (a tail) while the cores had room, or the cores were full throughout.

    timeline = CpuTimeline({"W": [worker], "S": [sandbox]}, subtrees={"H": worker})
    timeline.start(); ...; timeline.stop()
    print(timeline.chart(legend))
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from kit import procfs

HZ = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
WIDTH_PER_CORE = 20  # characters per core in a bar


def _idle_ticks() -> int:
    with open("/proc/stat", "rb") as f:
        values = f.readline().split()[1:]
    return int(values[3]) + int(values[4])  # idle + iowait


@dataclass
class CpuTimeline:
    """CPU of named groups of processes per ``interval`` seconds. ``groups``: fixed pids;
    ``subtrees``: every descendant of a pid (not the pid itself); ``commands``: every
    process of that command name. A process that exits is counted up to its last reading."""

    groups: dict[str, Sequence[int]]
    subtrees: dict[str, int] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)
    interval: float = 0.5
    samples: list[dict[str, float]] = field(default_factory=list)  # cores per group
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _members(self) -> dict[str, set[int]]:
        members = {name: set(pids) for name, pids in self.groups.items()}
        if self.subtrees or self.commands:
            table = procfs.processes()
            for name, root in self.subtrees.items():
                members[name] = set(procfs.descendants(root, table))
            for name, command in self.commands.items():
                members[name] = {pid for pid, _, comm in table if comm == command}
        return members

    def _run(self) -> None:
        last: dict[int, int] = {}  # pid -> ticks at its last reading
        owner: dict[int, str] = {}
        idle = _idle_ticks()
        while not self._stop.wait(self.interval):
            for name, pids in self._members().items():
                for pid in pids:
                    owner.setdefault(pid, name)
            spent = dict.fromkeys([*self.groups, *self.subtrees, *self.commands], 0)
            for pid, name in owner.items():
                now = procfs.ticks(pid)
                if now is None:
                    continue
                spent[name] += now - last.get(pid, 0)  # a process new to the run: all of it
                last[pid] = now
            idle_now = _idle_ticks()
            sample = {name: ticks / HZ / self.interval for name, ticks in spent.items()}
            sample["."] = (idle_now - idle) / HZ / self.interval
            idle = idle_now
            self.samples.append(sample)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.samples:
            self.samples.pop(0)  # the first interval counts what each process held before

    def seconds(self) -> list[dict[str, float]]:
        """Cores used by each group (and ``.``: idle) in each whole second."""
        per = max(1, round(1 / self.interval))
        out = []
        for start in range(0, len(self.samples), per):
            part = self.samples[start : start + per]
            out.append({k: sum(s[k] for s in part) / len(part) for k in part[0]})
        return out

    def last_busy(self, name: str, cores: float = 0.1) -> float | None:
        """The end (seconds from the start) of the last interval in which ``name`` used
        more than ``cores``."""
        busy = [i for i, s in enumerate(self.samples) if s.get(name, 0.0) > cores]
        return (busy[-1] + 1) * self.interval if busy else None

    def chart(self, legend: dict[str, str]) -> str:
        """One bar per second, ``WIDTH_PER_CORE`` characters per core; a letter per
        group (in ``legend``'s order), ``.`` for idle, a space for what no group accounts
        for (other processes)."""
        width = WIDTH_PER_CORE * CORES
        lines = [
            "  ".join(f"{k} {v}" for k, v in legend.items())
            + f"  . idle  (one character = {1 / WIDTH_PER_CORE:.2f} core, {CORES} cores)"
        ]
        for second, sample in enumerate(self.seconds()):
            bar = ""
            for key in [*legend, "."]:
                bar += key * round(sample.get(key, 0.0) * WIDTH_PER_CORE)
            bar = bar[:width].ljust(width)
            lines.append(f"{second:4d} s |{bar}|")
        return "\n".join(lines)

"""Reading processes from ``/proc``: what the benchmarks charge CPU and memory to.

Linux only (the machine the benchmarks run on); a process gone meanwhile reads as
``None`` / absent, never as an error.
"""

from __future__ import annotations

from pathlib import Path


def stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (``[0]`` is the state,
    ``[1]`` the parent, ``[11]``/``[12]`` utime/stime, ``[13]``/``[14]`` the reaped
    children's), ``None`` once the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def ticks(pid: int) -> int | None:
    """utime + stime of a process, in clock ticks (``None`` once it is gone)."""
    fields = stat(pid)
    return int(fields[11]) + int(fields[12]) if fields is not None else None


def processes() -> list[tuple[int, int, str]]:
    """``(pid, parent pid, command name)`` of every process, in one pass over ``/proc``."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, _, rest = (entry / "stat").read_text().rpartition(")")
        except OSError:
            continue
        out.append((int(entry.name), int(rest.split()[1]), head.split("(", 1)[1]))
    return out


def descendants(root: int, table: list[tuple[int, int, str]] | None = None) -> list[int]:
    """Every descendant of ``root`` (not ``root`` itself), from ``table`` (one
    :func:`processes` pass, taken now when not given)."""
    children: dict[int, list[int]] = {}
    for pid, parent, _ in processes() if table is None else table:
        children.setdefault(parent, []).append(pid)
    found, todo = [], list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def peak_rss(pid: int) -> int:
    """A process's peak RSS in bytes since it started or since :func:`reset_peak_rss`
    (``VmHWM``; 0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def reset_peak_rss(pid: int) -> None:
    """Start a process's peak RSS afresh from its current RSS (``clear_refs`` 5)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass

"""Read the stack's logs as an operator would ask of them (``make logs``).

Every process of ``make up`` writes JSON lines to ``$ADSCALE_HOME/logs/<process>.log``
(``ts``, ``level``, ``service``, ``logger``, ``msg``, the request and trace ids, the
record's own fields). Two questions come up again and again, and both span every file:

* ``summary`` (``make logs``): what went wrong lately. Warnings and errors of the last
  ``--since`` (default 1h), grouped by process, level, logger and message (numbers in a
  message count as one kind), most frequent first, with when each was last seen. Plain
  text a process printed outside its JSON logging (uvicorn's "Exception in ASGI
  application" and its traceback, a crash on stderr) is counted too, dated by the JSON
  line before it.
* ``follow-id ID`` (``make logs ID=...``): one request, trace, event, job or delivery
  through every process: each line whose ``request_id``, ``trace_id``, ``event_id``,
  ``job_id``, ``delivery_id`` or ``execution_id`` is ID, in time order, with the fields
  that are not the line's frame.

Lines are filtered on their raw text (the timestamp prefix, the level, the id) before any
is parsed, so a summary of the last hour reads a few hundred MB of logs in seconds.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

from stack import LOGS, SERVICES  # noqa: E402

# The processes `make up` starts (each instance ``<name>.<i>`` beyond the first); the
# other files in the folder are the servers' own logs (Kafka, PostgreSQL, Redis …).
PROCESSES = {"sandbox", "gateway", *SERVICES, *(f"{s}-worker" for s in SERVICES)}

LEVELS = ("debug", "info", "warning", "error", "critical")
ID_FIELDS = ("request_id", "trace_id", "event_id", "job_id", "delivery_id", "execution_id")
# A line's frame: shown in its own columns, not again among its fields.
FRAME = {"ts", "level", "service", "logger", "msg", "span_id", *ID_FIELDS}
# Plain-text lines worth counting: uvicorn's own ERROR lines, a traceback's last line.
PLAIN_PROBLEM = re.compile(r"^(ERROR|CRITICAL|WARNING):|^[A-Za-z_.]*(Error|Exception)\b.*")
NUMBERS = re.compile(r"\d+")
MESSAGE_WIDTH = 140
TS_PREFIX = '{"ts":"'


def parse_since(text: str) -> timedelta:
    """``90s``, ``15m``, ``2h``, ``1d`` as a duration."""
    match = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number and s, m, h or d (e.g. 30m)")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
    return timedelta(**{unit: int(match.group(1))})


def iso(moment: datetime) -> str:
    """The form the log lines' ``ts`` has, so timestamps compare as text."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def process_of(path: Path) -> str:
    """``campaigns-worker.2.log`` → ``campaigns-worker.2``; ``kafka.log.1`` → ``kafka``."""
    name = path.name
    return name[: name.index(".log")]


def log_files(folder: Path, process: str = "") -> list[Path]:
    """The logs of the stack's processes (``campaigns.log``, ``campaigns.2.log`` …), those
    whose name starts with ``process`` when it is given."""
    return sorted(
        p
        for p in folder.glob("*.log*")
        if p.is_file()
        and process_of(p).split(".")[0] in PROCESSES
        and process_of(p).startswith(process)
    )


@dataclass
class Kind:
    count: int
    last_seen: str


def _line_ts(line: str) -> str | None:
    if line.startswith(TS_PREFIX):
        end = line.find('"', len(TS_PREFIX))
        if end > 0:
            return line[len(TS_PREFIX) : end]
    return None


def summarize(
    folder: Path, since: str, *, min_level: str = "warning", process: str = ""
) -> dict[tuple[str, str, str, str], Kind]:
    """Warnings (or ``min_level`` and above) and plain-text problems since ``since``
    (an ISO timestamp), by (process, level, logger, message with its numbers as N).
    A line that stands for others (``repeated``: complaints the log's repeat filter held
    back) counts them too."""
    wanted = LEVELS[LEVELS.index(min_level) :]
    markers = tuple(f'"level":"{level}"' for level in wanted)
    kinds: dict[tuple[str, str, str, str], Kind] = {}
    for path in log_files(folder, process):
        name = process_of(path)
        last_ts = ""  # a plain-text line is dated by the JSON line before it
        with path.open(encoding="utf-8", errors="replace") as lines:
            for raw in lines:
                ts = _line_ts(raw)
                if ts is not None:
                    last_ts = ts
                    if ts < since or not any(m in raw for m in markers):
                        continue
                    try:
                        record = json.loads(raw)
                    except ValueError:
                        continue
                    key = (
                        name,
                        str(record.get("level", "")),
                        str(record.get("logger", "")),
                        NUMBERS.sub("N", str(record.get("msg", ""))),
                    )
                    repeated = record.get("repeated", 0)
                    times = 1 + (repeated if isinstance(repeated, int) else 0)
                elif last_ts >= since and PLAIN_PROBLEM.match(raw):
                    key = (name, "text", "(stderr)", NUMBERS.sub("N", raw.strip()))
                    times = 1
                else:
                    continue
                kind = kinds.get(key)
                if kind is None:
                    kinds[key] = Kind(times, ts or last_ts)
                else:
                    kind.count += times
                    kind.last_seen = max(kind.last_seen, ts or last_ts)
    return kinds


def follow(folder: Path, wanted: str) -> Iterator[tuple[str, str, dict[str, object]]]:
    """(ts, process, record) of every JSON line that names ``wanted`` in one of its id
    fields, across every log, oldest first."""
    found: list[tuple[str, str, dict[str, object]]] = []
    for path in log_files(folder):
        process = process_of(path)
        with path.open(encoding="utf-8", errors="replace") as lines:
            for raw in lines:
                if wanted not in raw or not raw.startswith("{"):
                    continue
                try:
                    record = json.loads(raw)
                except ValueError:
                    continue
                if any(str(record.get(f)) == wanted for f in ID_FIELDS):
                    found.append((str(record.get("ts", "")), process, record))
    found.sort(key=lambda item: item[0])
    yield from found


def fields_text(record: dict[str, object]) -> str:
    """The record's own fields as ``key=value``, the exception last on lines of its own."""
    parts = []
    for key, value in record.items():
        if key in FRAME or key == "exc":
            continue
        shown = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        parts.append(f"{key}={shown}")
    text = " ".join(parts)
    if "exc" in record:
        text += "\n    " + str(record["exc"]).replace("\n", "\n    ")
    return text


def print_summary(
    kinds: dict[tuple[str, str, str, str], Kind], since: str, out: TextIO, *, top: int = 40
) -> None:
    if not kinds:
        out.write(f"no warnings or errors since {since}\n")
        return
    total = sum(k.count for k in kinds.values())
    out.write(f"{total} warnings/errors of {len(kinds)} kinds since {since}, most first\n")
    rows = sorted(kinds.items(), key=lambda item: (-item[1].count, item[0]))
    shown = rows[:top] if top > 0 else rows
    width = max(len(key[0]) for key, _ in shown)
    out.write(f"{'count':>7}  {'last':<8}  {'process':<{width}}  level    logger: message\n")
    for (process, level, logger, message), kind in shown:
        seen = kind.last_seen[11:19] if len(kind.last_seen) >= 19 else "?"
        text = f"{logger}: {message}"
        if len(text) > MESSAGE_WIDTH:
            text = text[: MESSAGE_WIDTH - 1] + "…"
        out.write(f"{kind.count:>7}  {seen:<8}  {process:<{width}}  {level:<7}  {text}\n")
    if len(shown) < len(rows):
        out.write(f"(+{len(rows) - len(shown)} more kinds: --top 0 lists them all)\n")


def print_follow(rows: list[tuple[str, str, dict[str, object]]], wanted: str, out: TextIO) -> None:
    if not rows:
        out.write(f"no log line names {wanted}\n")
        return
    width = max(len(process) for _, process, _ in rows)
    for ts, process, record in rows:
        level = str(record.get("level", ""))
        head = f"{ts[11:23] or '?':<12}  {process:<{width}}  {level:<7}"
        what = f"{record.get('logger', '')}: {record.get('msg', '')}"
        out.write(f"{head}  {what}  {fields_text(record)}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logs", type=Path, default=LOGS, help="the log folder")
    commands = parser.add_subparsers(dest="command")
    summary = commands.add_parser("summary", help="warnings and errors by kind (the default)")
    summary.add_argument("--since", type=parse_since, default=timedelta(hours=1))
    summary.add_argument("--level", choices=LEVELS[2:], default="warning")
    summary.add_argument("--process", default="", help="only processes named so (a prefix)")
    summary.add_argument("--top", type=int, default=40, help="rows shown; 0 for all")
    one = commands.add_parser("follow-id", help="one request/trace/event/job id everywhere")
    one.add_argument("id")
    # No command (`make logs`): the summary with its defaults.
    parser.set_defaults(since=timedelta(hours=1), level="warning", process="", top=40)
    args = parser.parse_args(argv)
    if not args.logs.is_dir():
        print(f"no logs at {args.logs}: `make up` writes them", file=sys.stderr)
        return 1
    try:
        if args.command == "follow-id":
            print_follow(list(follow(args.logs, args.id)), args.id, sys.stdout)
            return 0
        since = iso(datetime.now(UTC) - args.since)
        kinds = summarize(args.logs, since, min_level=args.level, process=args.process)
        print_summary(kinds, since, sys.stdout, top=args.top)
    except BrokenPipeError:  # `| head`: the reader has seen enough
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

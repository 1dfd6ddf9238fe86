"""How results and errors reach the terminal.

``--output json`` prints exactly the API's objects (a list prints as a JSON array),
``csv`` one row per object with every field (nested values as JSON), ``table`` a rich
table of the noun's main columns (a single object as field/value rows).
"""

from __future__ import annotations

import csv
import enum
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from adscale.errors import AdScaleError, ApiError, JobFailedError, TransportError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class Output(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ExitCode(enum.IntEnum):
    """The exit codes the README documents."""

    OK = 0
    API_ERROR = 1
    USAGE = 2
    AUTH = 3
    NOT_FOUND = 4
    CONFLICT = 5
    INVALID = 6
    RATE_LIMITED = 7
    UNAVAILABLE = 8
    JOB_FAILED = 9
    SIZE_MISMATCH = 10


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def emit(data: Any, output: Output, columns: Sequence[str] = ()) -> None:
    """Print one object or a list of objects."""
    if output is Output.json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    rows = data if isinstance(data, list) else None
    if output is Output.csv:
        items = rows if rows is not None else [data]
        fields: list[str] = []
        for item in items:
            fields.extend(k for k in item if k not in fields)
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(fields)
        for item in items:
            writer.writerow([_cell(item.get(f)) for f in fields])
        return
    if rows is None:
        single = Table(show_header=False, box=None)
        for key, value in (data or {}).items():
            single.add_row(f"[bold]{key}[/]", _cell(value))
        out.print(single)
        return
    table_of(rows, columns)


def table_of(rows: Iterable[dict[str, Any]], columns: Sequence[str], title: str = "") -> None:
    rows = list(rows)
    cols = list(columns) or (list(rows[0]) if rows else [])
    table = Table(title=title or None)
    for col in cols:
        table.add_column(col)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in cols))
    out.print(table)
    if not rows:
        err.print("[dim]no items[/]")


def exit_code_for(exc: AdScaleError) -> ExitCode:
    if isinstance(exc, JobFailedError):
        return ExitCode.JOB_FAILED
    if isinstance(exc, TransportError):
        return ExitCode.UNAVAILABLE
    if not isinstance(exc, ApiError):
        return ExitCode.API_ERROR
    status = exc.status_code
    if status in (401, 403):
        return ExitCode.AUTH
    if status == 404:
        return ExitCode.NOT_FOUND
    if status == 409:
        return ExitCode.CONFLICT
    if status in (400, 413, 415, 422):
        return ExitCode.INVALID
    if status == 429:
        return ExitCode.RATE_LIMITED
    if status >= 500:
        return ExitCode.UNAVAILABLE
    return ExitCode.API_ERROR


def report(exc: AdScaleError) -> ExitCode:
    """Print the error on stderr (the API's code and message) and pick the exit code."""
    if isinstance(exc, ApiError):
        err.print(f"[red]error[/] {exc.code} ({exc.status_code}): {escape(exc.message)}")
        if exc.details:
            err.print(f"details: {json.dumps(exc.details)}", markup=False, highlight=False)
        if exc.retry_after is not None:
            err.print(f"retry after: {exc.retry_after:g}s")
    elif isinstance(exc, JobFailedError):
        err.print(f"[red]error[/] {exc.code}: {escape(str(exc))}")
    else:
        err.print(f"[red]error[/] {escape(str(exc))}")
    return exit_code_for(exc)

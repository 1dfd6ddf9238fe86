"""Long jobs with live progress: CSV imports, watched syncs, exports downloaded, files of
people erased."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from adscale._sync_client import Client
from adscale._sync_resources import import_params
from adscale.cli.output import ExitCode, Output, emit, err, out, table_of
from adscale.errors import JobFailedError

FINISHED = ("completed", "failed", "cancelled")


@contextmanager
def people_bar(quiet: bool, description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A bar of people handled for a job the CLI drives request by request; yields the
    function that advances it (a no-op when ``quiet``)."""
    if quiet:
        yield lambda _n: None
        return
    progress = _count_bar("{task.description}")
    with progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


def _count_bar(label: str) -> Progress:
    """A bar of things counted (people, profiles): ``label``, the bar, done/total, time."""
    return Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    )


def _bytes_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


def import_csv(
    client: Client,
    segment_id: str,
    path: Path,
    *,
    quiet: bool,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Stream ``path`` into the segment (or its dry run) with a bar by bytes sent; returns
    the API's result."""
    url = f"/cdp/segments/{segment_id}/profiles/import"
    params = import_params(mapping, dry_run)
    if quiet:
        result: dict[str, Any] = client.upload(url, path, params=params)
        return result
    with _bytes_bar() as bar:
        verb = "preview" if dry_run else "import"
        task = bar.add_task(f"{verb} {path.name}", total=path.stat().st_size)
        result = client.upload(url, path, params=params, on_progress=lambda n: bar.advance(task, n))
    return result


def show_import(result: dict[str, Any]) -> None:
    counts = {k: result.get(k) for k in ("received", "inserted", "updated", "unchanged")}
    counts.update({k: result.get(k) for k in ("duplicates", "invalid", "profile_count")})
    if result.get("suppressed"):
        counts["suppressed"] = result["suppressed"]
    table_of([counts], list(counts), title="import")
    _show_invalid(result)


def show_preview(result: dict[str, Any]) -> None:
    """The dry run: how the file was read, what each column becomes, who is in it."""
    dialect = result["dialect"]
    read = {k: dialect.get(k) for k in ("encoding", "delimiter_name", "line_ending", "bom")}
    read["compression"] = dialect.get("compression") or "none"
    table_of([read], list(read), title="dry run: nothing was written")
    table_of(result["columns"], ("position", "header", "target", "decided_by"), title="columns")
    people = ("received", "people", "new_people", "existing_people", "duplicates", "invalid")
    table_of([{k: result.get(k) for k in people}], people, title="people")
    coverage = result.get("identifier_coverage") or {}
    if coverage:
        table_of([coverage], list(coverage), title="identifier coverage")
    _show_invalid(result)


def _show_invalid(result: dict[str, Any]) -> None:
    samples = result.get("invalid_samples") or []
    if samples:
        table_of(samples, list(samples[0]), title=f"invalid rows (first {len(samples)})")


def _done_of(job: dict[str, Any]) -> int:
    return int(job["profiles_added"]) + int(job["profiles_removed"]) + int(job["profiles_failed"])


def _total_of(job: dict[str, Any]) -> int | None:
    estimate = job.get("estimated_changes") or {}
    if estimate:
        return int(estimate.get("to_add", 0)) + int(estimate.get("to_remove", 0))
    return job.get("segment_size")


def watch_sync(client: Client, job_id: str, *, quiet: bool) -> dict[str, Any]:
    """Follow a sync job to its end with a bar of identifiers applied; raises when it fails."""
    url = f"/cdp/audience-sync/sync-jobs/{job_id}"

    def finished(job: dict[str, Any]) -> bool:
        return job["status"] in FINISHED

    if quiet:
        job = client.poll(url, done=finished)
    else:
        progress = _count_bar("sync {task.fields[status]:<9}")
        with progress:
            task = progress.add_task("sync", total=None, status="pending")

            def update(job: dict[str, Any]) -> None:
                total = _total_of(job)
                done = _done_of(job)
                if job["status"] == "completed":
                    total = max(total or 0, done)
                    done = total
                progress.update(task, total=total, completed=done, status=job["status"])

            job = client.poll(url, done=finished, on_update=update)
    counts = {k: job.get(k) for k in ("status", "profiles_sent", "profiles_added")}
    counts.update({k: job.get(k) for k in ("profiles_removed", "profiles_failed", "match_rate")})
    counts["duration_ms"] = job.get("duration_ms")
    out.print(f"sync {job_id}")
    emit(counts, Output.table)
    if job["status"] != "completed":
        raise JobFailedError("sync", job)
    return job


def wait_export(client: Client, export_id: str, *, quiet: bool) -> dict[str, Any]:
    url = f"/cdp/audience-sync/exports/{export_id}"

    def ready(export: dict[str, Any]) -> bool:
        return export["status"] not in ("pending", "processing")

    if quiet:
        export = client.poll(url, done=ready)
    else:
        with err.status("export processing...") as status:
            export = client.poll(
                url, done=ready, on_update=lambda e: status.update(f"export {e['status']}...")
            )
    if export["status"] != "completed":
        raise JobFailedError("export", export)
    return export


def download_export(
    client: Client, export: dict[str, Any], dest: Path, *, quiet: bool
) -> tuple[int, ExitCode]:
    """Download a completed export with a bar; checks the size the API announced."""
    expected = export.get("file_size_bytes")
    if quiet:
        written = client.download(export["download_url"], dest)
    else:
        with _bytes_bar() as bar:
            task = bar.add_task(f"download {dest.name}", total=expected)
            written = client.download(
                export["download_url"], dest, on_progress=lambda n: bar.advance(task, n)
            )
    if expected is not None and written != expected:
        err.print(
            f"[red]error[/] SIZE_MISMATCH: wrote {written} bytes, the API announced {expected}"
        )
        return written, ExitCode.SIZE_MISMATCH
    return written, ExitCode.OK

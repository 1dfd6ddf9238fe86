"""Nouns of the audience-sync API: segments, platforms, audiences, syncs, exports, webhooks."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import typer

from adscale.cli import jobs
from adscale.cli.app import OutputOpt, SetOpt, body_from, fail, state, sub
from adscale.cli.crud import Noun, add_delete, add_get, add_list, add_update, crud, list_items
from adscale.cli.oauth import CallbackServer
from adscale.cli.output import ExitCode, Output, emit, err
from adscale.pagination import pages

AS = "/cdp/audience-sync"
SEGMENTS = Noun(
    "/cdp/segments",
    pages("segments"),
    ("id", "name", "profile_count", "created_at"),
    filters=("name_contains",),
    id_name="SEGMENT",
)
AUDIENCES = Noun(
    f"{AS}/audiences",
    pages("audiences"),
    (
        "id",
        "platform",
        "platform_audience_name",
        "segment_name",
        "last_sync_status",
        "platform_size",
    ),
    filters=("platform", "segment_id", "status", "name_contains"),
)
WEBHOOKS = Noun(f"{AS}/webhooks", pages("webhooks"), ("id", "url", "events", "enabled"))
DELIVERY_COLUMNS = ("id", "event", "status", "attempt", "response_code", "created_at")
PLATFORM_COLUMNS = ("platform", "connected", "status", "ad_accounts", "expires_at")
PROFILE_COLUMNS = ("external_id", "email", "phone", "country", "updated_at")
Quiet = typer.Option(False, "--quiet", "-q", help="no progress bars")


def segments_app() -> typer.Typer:
    app = sub("segments", "CDP segments and their profiles (CSV import).")
    add_list(app, SEGMENTS, "List segments.")
    add_get(app, SEGMENTS, "Show a segment with its identifier coverage.")

    @app.command("create")
    def create(
        ctx: typer.Context,
        name: str = typer.Argument(...),
        description: str | None = typer.Option(None, "--description"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Create an empty segment."""
        body = body_from(None, None, name=name, description=description)
        emit(state(ctx).client().call("POST", "/cdp/segments", json=body), output)

    add_delete(app, SEGMENTS, "Delete a segment and its profiles.")

    @app.command("import")
    def import_csv(
        ctx: typer.Context,
        segment_id: str = typer.Argument(..., metavar="SEGMENT"),
        file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="Show the dialect, the columns and the people; write nothing."
        ),
        maps: list[str] = typer.Option(
            [],
            "--map",
            metavar="COLUMN=FIELD",
            help="Override a column's detected field (a profile field, trait:<name> or ignore).",
        ),
        output: OutputOpt = Output.table,
        quiet: bool = Quiet,
    ) -> None:
        """Stream a CSV of profiles into a segment (bar by bytes), then the invalid rows."""
        mapping = dict(parse_map(m) for m in maps)
        result = jobs.import_csv(
            state(ctx).client(), segment_id, file, quiet=quiet, mapping=mapping, dry_run=dry_run
        )
        if output is not Output.table:
            emit(result, output)
        elif dry_run:
            jobs.show_preview(result)
        else:
            jobs.show_import(result)

    @app.command("profiles")
    def profiles(
        ctx: typer.Context,
        segment_id: str = typer.Argument(..., metavar="SEGMENT"),
        search: str | None = typer.Option(
            None, "--search", "-s", help="An external id's start, an email or a phone."
        ),
        limit: int | None = typer.Option(None, "--limit", help="stop after this many"),
        output: OutputOpt = Output.table,
    ) -> None:
        """The people of a segment, last updated first; --search finds one. The table and CSV
        show each profile's fields as columns, JSON the API's objects."""
        noun = Noun(SEGMENTS.url(segment_id) + "/profiles", pages("profiles"), ())
        rows = list_items(ctx, noun, {"q": search}, limit)
        if output is Output.json:
            emit(rows, output)
            return
        emit([flat_profile(row) for row in rows], output, PROFILE_COLUMNS)

    return app


def flat_profile(profile: dict[str, object]) -> dict[str, object]:
    """A profile as one flat row: its id, each field, its traits (``trait:<name>``), consent
    and dates."""
    fields = profile.get("fields") or {}
    traits = profile.get("traits") or {}
    consent = profile.get("consent") or {}
    assert isinstance(fields, dict) and isinstance(traits, dict) and isinstance(consent, dict)
    return {
        "external_id": profile.get("external_id"),
        **fields,
        **{f"trait:{name}": value for name, value in traits.items()},
        **{f"consent:{name}": value for name, value in consent.items()},
        "updated_at": profile.get("updated_at"),
    }


def parse_map(option: str) -> tuple[str, str]:
    """``COLUMN=FIELD`` (the column is everything before the last ``=``)."""
    column, sep, field = option.rpartition("=")
    if not sep or not column or not field:
        raise typer.BadParameter(f"{option!r}: expected COLUMN=FIELD", param_hint="--map")
    return column, field


def platforms_app() -> typer.Typer:
    app = sub("platforms", "Ad platform connections (OAuth).")

    @app.command("list")
    def list_platforms(ctx: typer.Context, output: OutputOpt = Output.table) -> None:
        """The four platforms and their connections."""
        body = state(ctx).client().call("GET", f"{AS}/platforms")
        emit(body["platforms"], output, PLATFORM_COLUMNS)

    @app.command("connect")
    def connect(
        ctx: typer.Context,
        platform: str = typer.Argument(..., help="meta, google, tiktok or snapchat"),
        browser: bool = typer.Option(True, "--browser/--no-browser", help="open the page"),
        port: int = typer.Option(0, "--port", help="local callback port (0: any free one)"),
        timeout: float = typer.Option(300, "--timeout", help="seconds to wait for consent"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Open the platform's consent page and wait for its redirect back."""
        client = state(ctx).client()
        with CallbackServer(port) as server:
            started = client.call(
                "POST",
                f"{AS}/platforms/{platform}/connect",
                json={"redirect_uri": server.redirect_uri},
            )
            url = started["authorization_url"]
            err.print(f"Approve the connection in your browser:\n{url}", markup=False)
            if browser:
                webbrowser.open(url)
            answer = server.wait(timeout)
        if answer is None:
            raise fail(f"no answer from the consent page within {timeout:g}s", ExitCode.AUTH)
        if "code" not in answer:
            reason = answer.get("error_description") or answer.get("error") or "no code"
            raise fail(f"the platform refused the connection: {reason}", ExitCode.AUTH)
        if answer.get("state") != started["state"]:
            raise fail("the consent page answered with another state", ExitCode.AUTH)
        body = {"code": answer["code"], "state": answer["state"]}
        emit(client.call("POST", f"{AS}/platforms/{platform}/callback", json=body), output)

    @app.command("disconnect")
    def disconnect(
        ctx: typer.Context, platform: str = typer.Argument(...), output: OutputOpt = Output.table
    ) -> None:
        """Disconnect a platform (its audiences pause)."""
        emit(state(ctx).client().call("DELETE", f"{AS}/platforms/{platform}"), output)

    return app


def audiences_app() -> typer.Typer:
    app = sub("audiences", "Platform audiences fed by segments; sync them.")
    crud(app, AUDIENCES, "audiences")

    @app.command("sync")
    def sync(
        ctx: typer.Context,
        audience_id: str = typer.Argument(..., metavar="ID"),
        operation: str = typer.Option("update", "--operation", help="update or replace"),
        watch: bool = typer.Option(False, "--watch", "-w", help="follow the job to its end"),
        output: OutputOpt = Output.table,
        quiet: bool = Quiet,
    ) -> None:
        """Start a sync; with --watch, a progress bar until it ends (exit 9 when it fails)."""
        client = state(ctx).client()
        url = f"{AS}/audiences/{audience_id}/sync"
        started = client.call("POST", url, json={"operation": operation})
        if not watch:
            emit(started, output)
            return
        job = jobs.watch_sync(client, started["job_id"], quiet=quiet or output is not Output.table)
        if output is not Output.table:
            emit(job, output)

    @app.command("history")
    def history(
        ctx: typer.Context,
        audience_id: str = typer.Argument(..., metavar="ID"),
        days: int | None = typer.Option(None, "--days"),
        status: str | None = typer.Option(None, "--status"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Sync history of an audience."""
        params = {"days": days, "status": status}
        body = (
            state(ctx).client().call("GET", f"{AS}/audiences/{audience_id}/history", params=params)
        )
        if output is Output.json:
            emit(body, output)
            return
        columns = (
            "job_id",
            "operation",
            "status",
            "profiles_sent",
            "profiles_added",
            "completed_at",
        )
        emit(body["history"], output, columns)

    return app


def syncs_app() -> typer.Typer:
    app = sub("syncs", "Sync jobs.")

    @app.command("get")
    def get(
        ctx: typer.Context,
        job_id: str = typer.Argument(..., metavar="JOB"),
        watch: bool = typer.Option(False, "--watch", "-w"),
        output: OutputOpt = Output.table,
        quiet: bool = Quiet,
    ) -> None:
        """Show a sync job; with --watch, follow it to its end."""
        client = state(ctx).client()
        if watch:
            job = jobs.watch_sync(client, job_id, quiet=quiet or output is not Output.table)
        else:
            job = client.call("GET", f"{AS}/sync-jobs/{job_id}")
        if output is not Output.table or not watch:
            emit(job, output)

    return app


def exports_app() -> typer.Typer:
    app = sub("exports", "Segment exports (CSV) and their download.")

    @app.command("create")
    def create(
        ctx: typer.Context,
        segment_id: str = typer.Argument(..., metavar="SEGMENT"),
        format: str = typer.Option("csv", "--format"),
        sets: SetOpt = None,
        download: Path | None = typer.Option(None, "--download", help="wait, then save here"),
        output: OutputOpt = Output.table,
        quiet: bool = Quiet,
    ) -> None:
        """Export a segment; with --download PATH wait for it and save the file (size checked)."""
        options = body_from(None, sets)
        body = {
            "segment_id": segment_id,
            "format": format,
            **({"options": options} if options else {}),
        }
        client = state(ctx).client()
        accepted = client.call("POST", f"{AS}/audiences/export", json=body)
        if download is None:
            emit(accepted, output)
            return
        export = jobs.wait_export(client, accepted["export_id"], quiet=quiet)
        _, code = jobs.download_export(client, export, download, quiet=quiet)
        emit(export, output)
        if code is not ExitCode.OK:
            raise typer.Exit(int(code))

    @app.command("get")
    def get(
        ctx: typer.Context,
        export_id: str = typer.Argument(..., metavar="ID"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Show an export (status, link, size)."""
        emit(state(ctx).client().call("GET", f"{AS}/exports/{export_id}"), output)

    @app.command("download")
    def download(
        ctx: typer.Context,
        export_id: str = typer.Argument(..., metavar="ID"),
        dest: Path = typer.Argument(...),
        quiet: bool = Quiet,
    ) -> None:
        """Wait for an export and save its file to DEST."""
        client = state(ctx).client()
        export = jobs.wait_export(client, export_id, quiet=quiet)
        _, code = jobs.download_export(client, export, dest, quiet=quiet)
        if code is not ExitCode.OK:
            raise typer.Exit(int(code))

    return app


def webhooks_app() -> typer.Typer:
    app = sub("webhooks", "Outbound webhooks for sync events.")
    crud(app, WEBHOOKS, "webhooks", create=False)

    @app.command("create")
    def create(
        ctx: typer.Context,
        url: str = typer.Argument(...),
        events: list[str] = typer.Option(..., "--event", "-e", help="repeat for each event"),
        description: str | None = typer.Option(None, "--description"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Subscribe URL to events; the signing secret is shown once."""
        body = body_from(None, None, url=url, events=events, description=description)
        emit(state(ctx).client().call("POST", WEBHOOKS.path, json=body), output)

    @app.command("deliveries")
    def deliveries(
        ctx: typer.Context,
        webhook_id: str = typer.Argument(..., metavar="ID"),
        status: str | None = typer.Option(None, "--status"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Deliveries of a webhook."""
        noun = Noun(WEBHOOKS.url(webhook_id) + "/deliveries", pages("deliveries"), ())
        emit(list_items(ctx, noun, {"status": status}, None), output, DELIVERY_COLUMNS)

    @app.command("rotate-secret")
    def rotate_secret(
        ctx: typer.Context,
        webhook_id: str = typer.Argument(..., metavar="ID"),
        output: OutputOpt = Output.table,
    ) -> None:
        """A new signing secret (the old one keeps signing for a while)."""
        emit(state(ctx).client().call("POST", WEBHOOKS.url(webhook_id) + "/rotate-secret"), output)

    @app.command("test")
    def test(
        ctx: typer.Context,
        webhook_id: str = typer.Argument(..., metavar="ID"),
        event: str | None = typer.Option(None, "--event"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Send a test delivery now."""
        body = {"event": event} if event else None
        emit(
            state(ctx).client().call("POST", WEBHOOKS.url(webhook_id) + "/test", json=body), output
        )

    return app


def register(app: typer.Typer) -> None:
    for group in (segments_app(), platforms_app(), audiences_app(), syncs_app(), exports_app()):
        app.add_typer(group)
    app.add_typer(webhooks_app())


__all__ = ["add_update", "register"]

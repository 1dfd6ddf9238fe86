"""``adscale privacy``: erase people (one, or a file of them), read receipts, look a person
up (subject access), lift a suppression."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from adscale.cli.app import OutputOpt, fail, state, sub
from adscale.cli.crud import Noun, add_list
from adscale.cli.jobs import people_bar
from adscale.cli.output import ExitCode, Output, emit, err
from adscale.pagination import pages

ERASURES = Noun(
    "/cdp/erasures",
    pages("erasures"),
    ("erasure_id", "status", "requested_at", "completed_at", "nothing_matched"),
    id_name="ERASURE",
)
BATCH = 10_000  # people per request of the batch route
KINDS = ("email", "phone", "external_id")
Email = typer.Option(None, "--email")
Phone = typer.Option(None, "--phone")
ExternalId = typer.Option(None, "--external-id")


def one_key(email: str | None, phone: str | None, external_id: str | None) -> dict[str, str]:
    given = {"email": email, "phone": phone, "external_id": external_id}
    key = {k: v for k, v in given.items() if v is not None}
    if len(key) != 1:
        raise fail("give exactly one of --email, --phone, --external-id", ExitCode.USAGE)
    return key


def read_people(path: Path, kind: str) -> list[dict[str, str]]:
    """One identifier a line (blank lines and ``#`` comments skipped)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [{kind: v} for line in lines if (v := line.strip()) and not v.startswith("#")]


def privacy_app() -> typer.Typer:
    app = sub("privacy", "Erasure with receipts, subject access, the suppression list.")

    @app.command("erase")
    def erase(
        ctx: typer.Context,
        email: str | None = Email,
        phone: str | None = Phone,
        external_id: str | None = ExternalId,
        reason: str | None = typer.Option(None, "--reason"),
        wait: bool = typer.Option(False, "--wait", help="wait for the receipt"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Erase a person from every segment, platform audience and export."""
        body: dict[str, Any] = one_key(email, phone, external_id)
        if reason:
            body["reason"] = reason
        client = state(ctx).client()
        accepted = client.call("POST", "/cdp/erasures", json=body)
        if not wait:
            emit(accepted, output)
            return
        emit(_wait(client, accepted["erasure_id"]), output)

    @app.command("erase-file")
    def erase_file(
        ctx: typer.Context,
        path: Path = typer.Argument(..., exists=True, dir_okay=False),
        kind: str = typer.Option("email", "--kind", help="email, phone or external_id"),
        reason: str | None = typer.Option(None, "--reason"),
        batch_size: int = typer.Option(
            BATCH, "--batch-size", min=1, max=BATCH, help="people a request (at most 10,000)"
        ),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Erase everyone in a file (one identifier a line), up to 10,000 people a request."""
        if kind not in KINDS:
            raise fail(f"--kind must be one of {', '.join(KINDS)}", ExitCode.USAGE)
        people = read_people(path, kind)
        if not people:
            raise fail(f"{path} names nobody", ExitCode.USAGE)
        client = state(ctx).client()
        totals = {"people": len(people), "requests": 0, "created": 0, "existing": 0}
        ids: list[str] = []
        with people_bar(quiet, f"erase {path.name}", len(people)) as advance:
            for start in range(0, len(people), batch_size):
                body: dict[str, Any] = {"people": people[start : start + batch_size]}
                if reason:
                    body["reason"] = reason
                answer = client.call("POST", "/cdp/erasures/batch", json=body)
                totals["requests"] += 1
                totals["created"] += answer["created"]
                totals["existing"] += answer["existing"]
                ids.extend(e["erasure_id"] for e in answer["erasures"])
                advance(len(body["people"]))
        emit({**totals, "erasure_ids": ids} if output is Output.json else totals, output)

    add_list(app, ERASURES, "List erasures, newest first.")

    @app.command("receipt")
    def receipt(
        ctx: typer.Context,
        erasure_id: str = typer.Argument(..., metavar="ERASURE"),
        wait: bool = typer.Option(False, "--wait", help="until completed or failed"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Show an erasure's receipt: what matched (hashes only), per audience the result."""
        client = state(ctx).client()
        if wait:
            emit(_wait(client, erasure_id), output)
        else:
            emit(client.call("GET", f"/cdp/erasures/{erasure_id}"), output)

    @app.command("person")
    def person(
        ctx: typer.Context,
        email: str | None = Email,
        phone: str | None = Phone,
        external_id: str | None = ExternalId,
        output: OutputOpt = Output.json,
    ) -> None:
        """Everything AdScale holds about a person (subject access), as JSON by default."""
        key = one_key(email, phone, external_id)
        emit(state(ctx).client().call("GET", "/cdp/people", params=key), output)

    @app.command("unsuppress")
    def unsuppress(
        ctx: typer.Context,
        sha256: str = typer.Argument(..., metavar="HASH"),
        output: OutputOpt = Output.table,
    ) -> None:
        """Lift a suppression (the receipt lists the hashes); the lift is logged."""
        emit(state(ctx).client().call("DELETE", f"/cdp/suppressions/{sha256}"), output)

    return app


def _wait(client: Any, erasure_id: str) -> Any:
    url = f"/cdp/erasures/{erasure_id}"

    def done(receipt: dict[str, Any]) -> bool:
        return receipt["status"] in ("completed", "failed")

    with err.status("erasure pending...") as status:
        return client.poll(
            url, done=done, on_update=lambda r: status.update(f"erasure {r['status']}...")
        )


def register(app: typer.Typer) -> None:
    app.add_typer(privacy_app())

"""The `adscale` command: every noun of both APIs, on the SDK."""

from __future__ import annotations

import typer

from adscale.cli import adscale_api, cdp, identity, privacy
from adscale.cli.app import Group, State
from adscale.cli.config import Store
from adscale.settings import VERSION

app = typer.Typer(
    name="adscale",
    cls=Group,
    no_args_is_help=True,
    help="AdScale from the command line. Exit codes: 0 ok, 1 other API error, 2 usage, "
    "3 credentials/permission, 4 not found, 5 conflict, 6 invalid input, 7 rate limited, "
    "8 API unavailable, 9 job failed, 10 download size mismatch.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"adscale {VERSION}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    profile: str = typer.Option("default", "--profile", "-p", envvar="ADSCALE_PROFILE"),
    base_url: str | None = typer.Option(
        None, "--base-url", envvar="ADSCALE_BASE_URL", help="e.g. http://localhost:8107/api/v1"
    ),
    api_key: str | None = typer.Option(None, "--api-key", envvar="ADSCALE_API_KEY"),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    ctx.obj = State(profile, base_url, api_key, Store())
    ctx.call_on_close(ctx.obj.close)


identity.register(app)
adscale_api.register(app)
cdp.register(app)
privacy.register(app)


def run() -> None:
    app()

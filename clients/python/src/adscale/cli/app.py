"""What every command shares: the profile, the client, the body and output options."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core

from adscale._sync_client import Client
from adscale.auth import Tokens
from adscale.cli.config import Store
from adscale.cli.output import ExitCode, Output, err, report
from adscale.errors import AdScaleError, AuthenticationError
from adscale.settings import DEFAULT_BASE_URL

OutputOpt = Annotated[
    Output, typer.Option("--output", "-o", help="table, json (the API's objects) or csv")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", "-s", help="field=value (value read as JSON when it is JSON)"),
]
DataOpt = Annotated[str | None, typer.Option("--data", "-d", help="the JSON body, or @file.json")]


class Group(typer.core.TyperGroup):
    """Turns an SDK error anywhere below into its message on stderr and its exit code."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except AdScaleError as exc:
            code = report(exc)
            found = ctx.find_object(State)
            if isinstance(exc, AuthenticationError) and found and not found.has_credentials:
                err.print("not logged in: run `adscale login` or pass --api-key")
            raise typer.Exit(int(code)) from None


def sub(name: str, help: str) -> typer.Typer:
    """A command group (``adscale <name> <verb>``) whose SDK errors become exit codes."""
    return typer.Typer(name=name, help=help, cls=Group, no_args_is_help=True)


@dataclass
class State:
    profile: str
    base_url_option: str | None
    api_key_option: str | None
    store: Store = field(default_factory=Store)
    _client: Client | None = None

    @property
    def settings(self) -> dict[str, Any]:
        return self.store.profile(self.profile)

    @property
    def base_url(self) -> str:
        return self.base_url_option or self.settings.get("base_url") or DEFAULT_BASE_URL

    @property
    def has_credentials(self) -> bool:
        s = self.settings
        return bool(self.api_key_option or s.get("api_key") or s.get("access_token"))

    def client(self) -> Client:
        if self._client is None:
            self._client = self.new_client()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def new_client(self) -> Client:
        settings = self.settings
        api_key = self.api_key_option or settings.get("api_key")
        if api_key:
            return Client(self.base_url, api_key=api_key)
        tokens = None
        if settings.get("access_token") and settings.get("refresh_token"):
            tokens = Tokens(settings["access_token"], settings["refresh_token"])
        return Client(self.base_url, tokens=tokens, on_tokens=self.remember)

    def remember(self, tokens: Tokens) -> None:
        """Keep a rotated pair (each refresh token works once)."""
        self.store.save(
            self.profile, access_token=tokens.access_token, refresh_token=tokens.refresh_token
        )


def state(ctx: typer.Context) -> State:
    found = ctx.find_object(State)
    assert found is not None, "the root callback sets the state"
    return found


def parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def body_from(data: str | None, sets: list[str] | None, **named: Any) -> dict[str, Any]:
    """A request body from ``--data`` (JSON or @file), ``--set k=v`` and named options."""
    body: dict[str, Any] = {}
    if data:
        text = Path(data[1:]).read_text() if data.startswith("@") else data
        loaded = json.loads(text)
        if not isinstance(loaded, dict):
            raise typer.BadParameter("--data must be a JSON object")
        body.update(loaded)
    for item in sets or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"--set wants field=value, got {item!r}")
        body[key] = parse_value(value)
    body.update({k: v for k, v in named.items() if v is not None})
    return body


def fail(message: str, code: ExitCode) -> typer.Exit:
    err.print(f"[red]error[/] {message}")
    return typer.Exit(int(code))

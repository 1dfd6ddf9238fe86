"""`<noun> list|get|create|update|delete` for any collection of either API."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, get_type_hints

import typer

from adscale.cli.app import DataOpt, OutputOpt, SetOpt, body_from, state
from adscale.cli.output import Output, emit, out
from adscale.pagination import Style


@dataclass(frozen=True)
class Noun:
    path: str
    style: Style
    columns: Sequence[str]
    filters: Sequence[str] = ()
    id_name: str = "ID"

    def url(self, item_id: str) -> str:
        return f"{self.path}/{item_id}"


def list_items(ctx: typer.Context, noun: Noun, query: dict[str, Any], limit: int | None) -> Any:
    items = state(ctx).client().paginate(noun.path, noun.style, query)
    return list(itertools.islice(items, limit)) if limit else list(items)


def _with_filters(command: Callable[..., None], filters: Sequence[str]) -> Callable[..., None]:
    """Give ``command`` one ``--<filter>`` option per query filter (typer reads signatures)."""
    signature = inspect.signature(command)
    hints = get_type_hints(command, include_extras=True)
    params = [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in signature.parameters.values()
        if p.kind is not p.VAR_KEYWORD
    ]
    for name in filters:
        option = typer.Option(None, f"--{name.replace('_', '-')}", help=f"filter by {name}")
        params.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=str | None
            )
        )
    command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return command


def add_list(app: typer.Typer, noun: Noun, help: str) -> None:
    def list_command(
        ctx: typer.Context,
        output: OutputOpt = Output.table,
        limit: int | None = typer.Option(None, "--limit", help="stop after this many"),
        **filters: Any,
    ) -> None:
        emit(list_items(ctx, noun, filters, limit), output, noun.columns)

    list_command.__doc__ = help
    app.command("list")(_with_filters(list_command, noun.filters))


def add_get(app: typer.Typer, noun: Noun, help: str) -> None:
    def get(
        ctx: typer.Context,
        item_id: str = typer.Argument(..., metavar=noun.id_name),
        output: OutputOpt = Output.table,
    ) -> None:
        emit(state(ctx).client().call("GET", noun.url(item_id)), output)

    get.__doc__ = help
    app.command("get")(get)


def add_create(app: typer.Typer, noun: Noun, help: str) -> None:
    def create(
        ctx: typer.Context,
        data: DataOpt = None,
        sets: SetOpt = None,
        output: OutputOpt = Output.table,
    ) -> None:
        body = body_from(data, sets)
        emit(state(ctx).client().call("POST", noun.path, json=body), output)

    create.__doc__ = help
    app.command("create")(create)


def add_update(app: typer.Typer, noun: Noun, help: str) -> None:
    def update(
        ctx: typer.Context,
        item_id: str = typer.Argument(..., metavar=noun.id_name),
        data: DataOpt = None,
        sets: SetOpt = None,
        output: OutputOpt = Output.table,
    ) -> None:
        body = body_from(data, sets)
        emit(state(ctx).client().call("PATCH", noun.url(item_id), json=body), output)

    update.__doc__ = help
    app.command("update")(update)


def add_delete(app: typer.Typer, noun: Noun, help: str, name: str = "delete") -> None:
    def delete(
        ctx: typer.Context,
        item_id: str = typer.Argument(..., metavar=noun.id_name),
        output: OutputOpt = Output.table,
    ) -> None:
        answer = state(ctx).client().call("DELETE", noun.url(item_id))
        if answer is None:
            out.print(f"{name}d {item_id}")
        else:
            emit(answer, output)

    delete.__doc__ = help
    app.command(name)(delete)


def crud(app: typer.Typer, noun: Noun, what: str, *, create: bool = True) -> None:
    """The five commands of a collection; ``what`` names its items in the help."""
    add_list(app, noun, f"List {what} (every page; --limit to stop early).")
    add_get(app, noun, f"Show one of the {what}.")
    if create:
        add_create(
            app, noun, f"Create one of the {what} from --data JSON and/or --set field=value."
        )
    add_update(app, noun, f"Change fields of one of the {what} (--data / --set).")
    add_delete(app, noun, f"Delete one of the {what}.")

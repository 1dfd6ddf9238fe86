"""The routes every owned aggregate has, written once: ``POST`` and ``GET`` on the
collection (:func:`collection_routes`, the list with its equality and name filters) and ``GET`` /
``PATCH`` / ``DELETE /{id}`` (:func:`item_routes`).

Each aggregate's ``endpoints.py`` hands them its service module, whose ``create`` /
``list_owned`` / ``get_owned`` / ``update`` / ``delete`` take ``(session, user_id, ...)``,
and keeps what is its own (extra actions, a create that needs more than a body). The
routes keep the names, parameters and order of hand-written ones, so the OpenAPI
document (and the clients generated from it) does not change.

No ``from __future__ import annotations`` here: FastAPI reads the signatures built below
as objects, not strings.
"""

import inspect
import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping
from types import ModuleType
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from adscale_common.pagination import Offset, OffsetPage, OffsetParams
from adscale_common.repository import Contains
from campaigns.dependencies import Session, UserId

_KW = inspect.Parameter.KEYWORD_ONLY
SEARCH_MAX = 255  # characters of a search, as a rule's scope.name_contains
_CALLER = [
    inspect.Parameter("session", _KW, annotation=Session),
    inspect.Parameter("user_id", _KW, annotation=UserId),
]


def _param(name: str, annotation: Any, **default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, _KW, annotation=annotation, **default)


def _endpoint(
    call: Callable[..., Awaitable[Any]], parameters: list[inspect.Parameter]
) -> Callable[..., Awaitable[Any]]:
    """``call(**values)`` as an endpoint whose signature FastAPI reads as ``parameters``."""

    async def endpoint(**values: Any) -> Any:
        return await call(**values)

    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return endpoint


def collection_routes(
    router: APIRouter,
    noun: str,
    plural: str,
    service: ModuleType,
    read_model: type[BaseModel],
    create_model: type[BaseModel] | None = None,
    *,
    read: Callable[[Any], BaseModel] | None = None,
    filters: Mapping[str, Any] | None = None,
    searches: Mapping[str, str] | None = None,
) -> None:
    """Add ``create_<noun>`` (with a ``create_model``: ``service.create``, 201) and
    ``list_<plural>`` (``service.list_owned``: a page of the caller's rows, narrowed by
    each of ``filters``, name -> type, given as a query parameter, and by each of
    ``searches``, query parameter -> column: rows whose column holds that text, whatever
    the case)."""
    render = read or read_model.model_validate
    if create_model is not None:

        async def create(session: Any, user_id: uuid.UUID, body: BaseModel) -> BaseModel:
            return render(await service.create(session, user_id, body))

        router.add_api_route(
            "",
            _endpoint(create, [_param("body", create_model), *_CALLER]),
            methods=["POST"],
            status_code=status.HTTP_201_CREATED,
            response_model=read_model,
            name=f"create_{noun}",
        )

    searched = dict(searches or {})

    async def listing(
        session: Any, user_id: uuid.UUID, page: OffsetParams, **query: Any
    ) -> OffsetPage[Any]:
        narrow = {name: value for name, value in query.items() if name not in searched}
        for name, column in searched.items():
            if query[name]:  # an empty box searches for nothing
                narrow[column] = Contains(query[name])
        rows, total = await service.list_owned(session, user_id, page.offset, page.limit, **narrow)
        return OffsetPage.of([render(row) for row in rows], total, page)

    query = [
        _param(name, Annotated[kind, Query()], default=None)
        for name, kind in (filters or {}).items()
    ]
    things = plural.replace("_", " ")
    query += [
        _param(
            name,
            Annotated[
                str | None,
                Query(
                    max_length=SEARCH_MAX,
                    description=f"Only {things} whose {column} holds this text, whatever the case",
                ),
            ],
            default=None,
        )
        for name, column in searched.items()
    ]
    router.add_api_route(
        "",
        _endpoint(listing, [*_CALLER, _param("page", Offset), *query]),
        methods=["GET"],
        response_model=OffsetPage[read_model],  # type: ignore[valid-type]
        name=f"list_{plural}",
    )


def item_routes(
    router: APIRouter,
    noun: str,
    service: ModuleType,
    read_model: type[BaseModel],
    update_model: type[BaseModel] | None = None,
    *,
    read: Callable[[Any], BaseModel] | None = None,
    only: Collection[str] = ("get", "update", "delete"),
    delete_name: str | None = None,
) -> None:
    """Add ``get_<noun>``, ``update_<noun>`` and ``delete_<noun>`` (or ``delete_name``) to
    ``router``, those named in ``only``: ``service.get_owned``, ``service.update`` (with an
    ``update_model`` body) and ``service.delete``, each scoped to the caller; a row is
    rendered by ``read`` (default ``read_model.model_validate``). The path parameter is
    ``<noun>_id``."""
    render = read or read_model.model_validate
    id_name = f"{noun}_id"
    path = f"/{{{id_name}}}"
    item = _param(id_name, uuid.UUID)

    def by_id(values: dict[str, Any]) -> tuple[Any, uuid.UUID, uuid.UUID]:
        return values["session"], values["user_id"], values[id_name]

    if "get" in only:

        async def get(**values: Any) -> BaseModel:
            return render(await service.get_owned(*by_id(values)))

        router.add_api_route(
            path,
            _endpoint(get, [item, *_CALLER]),
            methods=["GET"],
            response_model=read_model,
            name=f"get_{noun}",
        )
    if "update" in only and update_model is not None:

        async def update(**values: Any) -> BaseModel:
            return render(await service.update(*by_id(values), values["body"]))

        router.add_api_route(
            path,
            _endpoint(update, [item, _param("body", update_model), *_CALLER]),
            methods=["PATCH"],
            response_model=read_model,
            name=f"update_{noun}",
        )
    if "delete" in only:

        async def delete(**values: Any) -> Response:
            await service.delete(*by_id(values))
            return Response(status_code=status.HTTP_204_NO_CONTENT)

        router.add_api_route(
            path,
            _endpoint(delete, [item, *_CALLER]),
            methods=["DELETE"],
            status_code=status.HTTP_204_NO_CONTENT,
            name=delete_name or f"delete_{noun}",
        )

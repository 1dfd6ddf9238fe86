"""The item routes every owned aggregate has (``GET`` / ``PATCH`` / ``DELETE /{id}``), written once.

Each aggregate's ``endpoints.py`` keeps what is its own (create, the list and its filters,
extra actions) and hands the three item routes to :func:`item_routes` with its service's
functions. The routes keep the names, path parameters and order of hand-written ones, so
the OpenAPI document (and the clients generated from it) does not change.

No ``from __future__ import annotations`` here: FastAPI reads the signatures built below
as objects, not strings.
"""

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from campaigns.dependencies import Session, UserId

Load = Callable[[Any, uuid.UUID, uuid.UUID], Awaitable[Any]]
Change = Callable[[Any, uuid.UUID, uuid.UUID, Any], Awaitable[Any]]
Remove = Callable[[Any, uuid.UUID, uuid.UUID], Awaitable[None]]


def _route(
    call: Callable[..., Awaitable[Any]], id_name: str, body: type[BaseModel] | None = None
) -> Callable[..., Awaitable[Any]]:
    """``call(session, user_id, item_id[, body])`` as an endpoint whose path parameter is
    named ``id_name`` (``campaign_id``, ...)."""

    async def endpoint(**values: Any) -> Any:
        args = [values["session"], values["user_id"], values[id_name]]
        return await call(*args, *([values["body"]] if body is not None else []))

    kw = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter(id_name, kw, annotation=uuid.UUID)]
    if body is not None:
        parameters.append(inspect.Parameter("body", kw, annotation=body))
    parameters += [
        inspect.Parameter("session", kw, annotation=Session),
        inspect.Parameter("user_id", kw, annotation=UserId),
    ]
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return endpoint


def item_routes(
    router: APIRouter,
    *,
    noun: str,
    read: Callable[[Any], BaseModel],
    read_model: type[BaseModel],
    get: Load | None = None,
    update: tuple[Change, type[BaseModel]] | None = None,
    delete: Remove | None = None,
    delete_name: str | None = None,
) -> None:
    """Add ``get_<noun>``, ``update_<noun>`` (``update`` = the service function and its
    body model) and ``delete_<noun>`` (or ``delete_name``) to ``router``, each scoped to
    the caller; a service function left out adds no route."""
    id_name = f"{noun}_id"
    path = f"/{{{id_name}}}"
    if get is not None:
        load = get

        async def render_get(session: Any, user_id: uuid.UUID, item_id: uuid.UUID) -> BaseModel:
            return read(await load(session, user_id, item_id))

        router.add_api_route(
            path,
            _route(render_get, id_name),
            methods=["GET"],
            response_model=read_model,
            name=f"get_{noun}",
        )
    if update is not None:
        change, body = update

        async def render_update(
            session: Any, user_id: uuid.UUID, item_id: uuid.UUID, data: BaseModel
        ) -> BaseModel:
            return read(await change(session, user_id, item_id, data))

        router.add_api_route(
            path,
            _route(render_update, id_name, body),
            methods=["PATCH"],
            response_model=read_model,
            name=f"update_{noun}",
        )
    if delete is not None:
        remove = delete

        async def no_content(session: Any, user_id: uuid.UUID, item_id: uuid.UUID) -> Response:
            await remove(session, user_id, item_id)
            return Response(status_code=status.HTTP_204_NO_CONTENT)

        router.add_api_route(
            path,
            _route(no_content, id_name),
            methods=["DELETE"],
            status_code=status.HTTP_204_NO_CONTENT,
            name=delete_name or f"delete_{noun}",
        )

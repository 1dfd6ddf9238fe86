"""The item routes every owned aggregate has (``GET`` / ``PATCH`` / ``DELETE /{id}``), once.

Each aggregate's ``endpoints.py`` keeps what is its own (create, the list and its
filters, extra actions) and hands the three item routes to :func:`item_routes` with its
service module, whose ``get_owned`` / ``update`` / ``delete`` take
``(session, user_id, id[, body])``. The routes keep the names, path parameters and order
of hand-written ones, so the OpenAPI document (and the clients generated from it) does
not change.

No ``from __future__ import annotations`` here: FastAPI reads the signatures built below
as objects, not strings.
"""

import inspect
import uuid
from collections.abc import Awaitable, Callable, Collection
from types import ModuleType
from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from campaigns.dependencies import Session, UserId


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
    rendered by ``read`` (default ``read_model.model_validate``)."""
    render = read or read_model.model_validate
    id_name = f"{noun}_id"
    path = f"/{{{id_name}}}"
    if "get" in only:

        async def get(session: Any, user_id: uuid.UUID, item_id: uuid.UUID) -> BaseModel:
            return render(await service.get_owned(session, user_id, item_id))

        router.add_api_route(
            path,
            _route(get, id_name),
            methods=["GET"],
            response_model=read_model,
            name=f"get_{noun}",
        )
    if "update" in only and update_model is not None:

        async def update(
            session: Any, user_id: uuid.UUID, item_id: uuid.UUID, data: BaseModel
        ) -> BaseModel:
            return render(await service.update(session, user_id, item_id, data))

        router.add_api_route(
            path,
            _route(update, id_name, update_model),
            methods=["PATCH"],
            response_model=read_model,
            name=f"update_{noun}",
        )
    if "delete" in only:

        async def delete(session: Any, user_id: uuid.UUID, item_id: uuid.UUID) -> Response:
            await service.delete(session, user_id, item_id)
            return Response(status_code=status.HTTP_204_NO_CONTENT)

        router.add_api_route(
            path,
            _route(delete, id_name),
            methods=["DELETE"],
            status_code=status.HTTP_204_NO_CONTENT,
            name=delete_name or f"delete_{noun}",
        )

"""``GET /api/v1/auth/me`` answered before FastAPI's own stack.

The route is still declared in ``endpoints.py`` (OpenAPI, the route label of metrics and
spans, other methods' 405); this pure-ASGI layer, placed inside ``ServiceMiddleware``
(which has checked the internal token and put the principal in the scope), answers a
``GET`` of that path itself. What it skips: FastAPI's exception, body-limit and exit-stack
layers, the router's matching, dependency solving and the response model's validation
(about a quarter of identity's CPU per request, README "What `GET /auth/me` costs"). The
checks are the dependency's (a JWT end user), errors are rendered by the app's own
handlers, so the answers are byte for byte those of the FastAPI route.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import cast

from fastapi import FastAPI, Request, Response
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from adscale_common.db import read_connection
from adscale_common.errors import AppError
from adscale_common.internal_auth import require_jwt_user_id
from identity.auth import service

ME_PATH = "/api/v1/auth/me"
ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]
_JSON_HEADERS = (b"content-type", b"application/json")


@asynccontextmanager
async def _pooled(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A pooled connection, no transaction begun (the read runs in autocommit)."""
    async with engine.connect() as connection:
        yield connection


class MeRoute:
    """Answers ``GET /api/v1/auth/me``; anything else goes on to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != ME_PATH or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        fastapi_app: FastAPI = scope["app"]
        request = Request(scope, receive)
        try:
            user_id = require_jwt_user_id(request)
            async with self._connection(fastapi_app, request) as connection:
                body = await service.me_json(connection, user_id)
        except AppError as exc:
            handler = cast(ErrorHandler, fastapi_app.exception_handlers[AppError])
            response = await handler(request, exc)
            await response(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [_JSON_HEADERS, (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _connection(app: FastAPI, request: Request) -> AbstractAsyncContextManager[AsyncConnection]:
        """The connection the FastAPI route's ``ReadConnection`` would get: an override of
        that dependency when the app has one (the tests' rolled-back transaction), else a
        pooled connection of the app's engine."""
        override: Callable[..., AsyncGenerator[AsyncConnection]] | None = (
            app.dependency_overrides.get(read_connection)
        )
        if override is not None:
            return _from_generator(override())
        return _pooled(app.state.engine)


@asynccontextmanager
async def _from_generator(
    generator: AsyncGenerator[AsyncConnection],
) -> AsyncIterator[AsyncConnection]:
    connection = await anext(generator)
    try:
        yield connection
    finally:
        await generator.aclose()

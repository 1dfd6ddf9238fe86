"""Error classes and one renderer per API family.

Two public API families exist (DESIGN.md, "Requests" 4):

* AdScale routes answer ``{"detail": "..."}`` (422: FastAPI's field list).
* Audience-sync routes (``/api/v1/cdp/...``) answer
  ``{"error": {"code", "message", "details"}}``.

Services raise :class:`AppError` subclasses; the handlers installed by
:func:`install_error_handlers` render them, framework 404/405/422 and
unexpected exceptions in the family of the request's path.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from adscale_common.routing import allowed_methods

logger = logging.getLogger(__name__)

ENVELOPE_PREFIXES = ("/api/v1/cdp/",)


class ErrorFamily(enum.StrEnum):
    DETAIL = "detail"
    ENVELOPE = "envelope"


def family_for_path(path: str) -> ErrorFamily:
    if path.startswith(ENVELOPE_PREFIXES) or path == "/api/v1/cdp":
        return ErrorFamily.ENVELOPE
    return ErrorFamily.DETAIL


class AppError(Exception):
    """An error with an HTTP status, a stable code and a human message.

    A subclass declares what differs as class keywords, each one optional (what it
    leaves out comes from its base)::

        class RunNotFound(NotFound, code="RULE_RUN_NOT_FOUND", message="Rule run not found"): ...
    """

    status_code: int = 400
    code: str = "BAD_REQUEST"
    message: str = "Bad request"

    def __init_subclass__(
        cls,
        *,
        status_code: int | None = None,
        code: str | None = None,
        message: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if status_code is not None:
            cls.status_code = status_code
        if code is not None:
            cls.code = code
        if message is not None:
            cls.message = message

    def __init__(
        self,
        message: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.details = details or {}
        self.headers = headers
        super().__init__(self.message)


class BadRequest(AppError): ...


class Unauthorized(AppError, status_code=401, code="UNAUTHORIZED", message="Not authenticated"): ...


class Forbidden(AppError, status_code=403, code="FORBIDDEN", message="Forbidden"): ...


class NotFound(AppError, status_code=404, code="NOT_FOUND", message="Not found"): ...


class Conflict(AppError, status_code=409, code="CONFLICT", message="Conflict"): ...


class RateLimited(
    AppError, status_code=429, code="RATE_LIMIT_EXCEEDED", message="Too many requests"
): ...


class BadGateway(AppError, status_code=502, code="BAD_GATEWAY", message="Upstream error"): ...


class ServiceUnavailable(
    AppError, status_code=503, code="SERVICE_UNAVAILABLE", message="Service unavailable"
): ...


class GatewayTimeout(
    AppError, status_code=504, code="GATEWAY_TIMEOUT", message="Upstream timed out"
): ...


_STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    410: "GONE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


def error_body(
    family: ErrorFamily,
    status_code: int,
    message: Any,
    *,
    code: str | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON body of an error in the given family."""
    if family is ErrorFamily.ENVELOPE:
        return {
            "error": {
                "code": code or _STATUS_CODES.get(status_code, "ERROR"),
                "message": message if isinstance(message, str) else str(message),
                "details": details or {},
            }
        }
    return {"detail": message}


def error_response(
    request_path: str,
    status_code: int,
    message: Any,
    *,
    code: str | None = None,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    family = family_for_path(request_path)
    body = error_body(family, status_code, message, code=code, details=details)
    return JSONResponse(body, status_code=status_code, headers=headers)


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    headers = dict(exc.headers or {})
    if exc.status_code == 401 and exc.code == Unauthorized.code:
        # No caller behind the request: name the scheme (RFC 9110), as the gateway does.
        # Other 401 codes (a platform's expired token) are not a challenge to the caller.
        headers.setdefault("WWW-Authenticate", "Bearer")
    return error_response(
        request.url.path,
        exc.status_code,
        exc.message,
        code=exc.code,
        details=exc.details,
        headers=headers or None,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        methods = allowed_methods(request.app, request.url.path)
        if methods:
            headers["Allow"] = ", ".join(methods)
    return error_response(request.url.path, exc.status_code, exc.detail, headers=headers or None)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # loc/msg/type as the spec says; the submitted input is not echoed back
    # (it may hold a password or an identifier).
    errors = [
        {k: v for k, v in err.items() if k in ("loc", "msg", "type", "ctx")}
        for err in jsonable_encoder(exc.errors(), custom_encoder={Exception: str})
    ]
    # A malformed path parameter (e.g. a non-UUID id) is a bad request, not a
    # payload validation error (spec: "400 invalid UUID"), whatever else is wrong: a
    # request that names no resource gets the same answer with any body or query. The
    # other errors wait for a request that does.
    in_path = [e for e in errors if e.get("loc", [None])[0] == "path"]
    if in_path:
        names = ", ".join(str(e["loc"][-1]) for e in in_path)
        return error_response(
            request.url.path,
            400,
            f"Invalid path parameter: {names}",
            code="INVALID_PATH_PARAMETER",
            details={"errors": in_path},
        )
    family = family_for_path(request.url.path)
    if family is ErrorFamily.ENVELOPE:
        body = error_body(
            family,
            422,
            "Request validation failed",
            code="VALIDATION_ERROR",
            details={"errors": errors},
        )
    else:
        body = {"detail": errors}
    return JSONResponse(body, status_code=422)


def dependency_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says a dependency could not be reached: a
    refused or dropped connection, a timeout, PostgreSQL shutting down or starting up
    (SQLSTATE class 57, 08) or a pooled connection SQLAlchemy had to invalidate."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (ConnectionError, TimeoutError)):
            return True
        if getattr(current, "connection_invalidated", False):  # sqlalchemy DBAPIError
            return True
        sqlstate = str(getattr(current, "sqlstate", "") or "")
        if sqlstate.startswith(("08", "57")):  # connection exception, operator intervention
            return True
        if type(current).__module__.startswith("asyncpg") and type(current).__name__ in (
            "ConnectionDoesNotExistError",
            "InterfaceError",
        ):
            return True
        current = current.__cause__ or current.__context__
    return False


def unavailable_response(path: str, exc: BaseException) -> JSONResponse:
    """The 503 for a dependency that could not be reached, in ``path``'s API family.

    Reported, not swallowed: the caller may retry (``Retry-After``); the log names the
    cause."""
    logger.warning("dependency unavailable", extra={"path": path, "error": repr(exc)})
    return error_response(
        path,
        503,
        "A dependency is unavailable; retry later",
        code="SERVICE_UNAVAILABLE",
        headers={"Retry-After": "1"},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    if dependency_unavailable(exc):
        return unavailable_response(request.url.path, exc)
    logger.exception("unhandled error", extra={"path": request.url.path})
    return error_response(request.url.path, 500, "Internal server error", code="INTERNAL_ERROR")


def invalid(
    loc: Sequence[str | int], msg: str, type_: str = "value_error", *, where: str = "body"
) -> RequestValidationError:
    """A 422 in FastAPI's own shape, for rules a schema alone can't check (merged PATCH
    state, limits that depend on stored rows); each API family's handler renders it."""
    error: dict[str, Any] = {"loc": (where, *loc), "msg": msg, "type": type_}
    return RequestValidationError([error])


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)

"""Browser sessions for the dashboard: the refresh token lives in a cookie script cannot read.

``POST /api/v1/session/{login,register}`` pass the credentials to identity's
``/auth/login`` / ``/auth/register`` *through the gateway itself* (same rate
limits, internal token and error bodies as a direct call), then keep the refresh
token in an ``httpOnly``, ``SameSite=Strict`` cookie scoped to ``/api/v1/session``
(``Secure`` when the request came over TLS) and answer only the access token,
which the app keeps in memory. ``POST /api/v1/session/refresh`` rotates the
cookie's token through identity's ``/auth/refresh`` (rotation and reuse
detection stay identity's); ``POST /api/v1/session/logout`` has identity revoke
the token's family (``/auth/logout``) and clears the cookies;
``POST /api/v1/session/change-password`` passes the signed-in user's change to
``/auth/change-password`` and keeps the new session's refresh token in the
cookie, as a sign-in does. The three need CSRF proof: the ``X-CSRF-Token``
header must equal the readable ``adscale_csrf`` cookie (double submit), which
another site can neither read nor set.
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.types import ASGIApp, Message

from adscale_common.errors import AppError
from gateway.bodies import replay

PREFIX = "/api/v1/session"
REFRESH_COOKIE = "adscale_refresh"
CSRF_COOKIE = "adscale_csrf"
CSRF_HEADER = "X-CSRF-Token"
# Headers identity answers that the browser may see (rate limits, request id).
_PASSED_HEADERS = ("retry-after", "ratelimit", "ratelimit-policy", "x-request-id")
_DROPPED_REQUEST_HEADERS = (b"content-length", b"content-type", b"cookie", b"authorization")


class SessionCredentials(BaseModel):
    email: str
    password: str


class SessionPasswordChange(BaseModel):
    current_password: str
    new_password: str


class SessionTokens(BaseModel):
    access_token: str
    token_type: str = "bearer"
    csrf_token: str


class CsrfRefused(
    AppError, status_code=403, code="CSRF_REFUSED", message="Missing or invalid CSRF token"
): ...


class NoSession(
    AppError, status_code=401, code="UNAUTHORIZED", message="No session: sign in again"
): ...


class Upstream:
    """One POST to a gateway path, answered in-process by the gateway's own ASGI app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def post(
        self, request: Request, path: str, payload: bytes, *, as_caller: bool = False
    ) -> tuple[int, dict[str, str], bytes]:
        """``as_caller``: with the request's ``Authorization`` (a signed-in user's route)."""
        dropped: tuple[bytes, ...] = _DROPPED_REQUEST_HEADERS
        if as_caller:
            dropped = tuple(h for h in dropped if h != b"authorization")
        headers = [(k, v) for k, v in request.scope["headers"] if k.lower() not in dropped] + [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
        ]
        scope = {
            key: request.scope[key]
            for key in ("type", "asgi", "http_version", "scheme", "server", "client", "root_path")
            if key in request.scope
        } | {
            "method": "POST",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": headers,
        }
        answer: dict[str, Any] = {"status": 502, "headers": [], "body": []}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                answer["body"].append(message.get("body", b""))

        await self.app(scope, replay(payload), send)
        kept = {
            k.decode().lower(): v.decode()
            for k, v in answer["headers"]
            if k.decode().lower() in _PASSED_HEADERS
        }
        return answer["status"], kept, b"".join(answer["body"])


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _set_session_cookies(
    response: Response, request: Request, refresh_token: str, csrf: str, max_age: int
) -> None:
    secure = _secure(request)
    response.set_cookie(
        REFRESH_COOKIE,
        refresh_token,
        max_age=max_age,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=secure,
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=max_age,
        path="/",
        httponly=False,
        samesite="strict",
        secure=secure,
    )


def _clear_session_cookies(response: Response, request: Request) -> None:
    secure = _secure(request)
    response.delete_cookie(
        REFRESH_COOKIE, path=PREFIX, httponly=True, samesite="strict", secure=secure
    )
    response.delete_cookie(CSRF_COOKIE, path="/", samesite="strict", secure=secure)


async def _require_csrf(request: Request) -> None:
    """A dependency of the three routes, so a request without the proof is refused before
    its body is read (403, not a 422 about the body)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not header or not hmac.compare_digest(cookie.encode(), header.encode()):
        raise CsrfRefused()


NEEDS_CSRF = Depends(_require_csrf)


def _passthrough(status_code: int, headers: dict[str, str], body: bytes) -> Response:
    return Response(body, status_code=status_code, headers=headers, media_type="application/json")


def _tokens(body: bytes) -> tuple[str, str] | None:
    try:
        parsed = json.loads(body)
        return str(parsed["access_token"]), str(parsed["refresh_token"])
    except (ValueError, KeyError, TypeError):
        return None


def session_router(app: ASGIApp, *, cookie_max_age_seconds: int) -> APIRouter:
    upstream = Upstream(app)
    router = APIRouter(prefix=PREFIX, tags=["session"])
    refused: dict[int | str, dict[str, Any]] = {
        401: {"description": "No session or the refresh token was refused"},
        403: {"description": "Missing or invalid CSRF token"},
    }

    async def start(
        request: Request, path: str, body: BaseModel, *, as_caller: bool = False
    ) -> Response:
        """Identity's answer at ``path``; a token pair becomes the browser's session (the
        refresh token in the cookie, the access token in the body)."""
        payload = body.model_dump_json().encode()
        code, headers, answer = await upstream.post(request, path, payload, as_caller=as_caller)
        tokens = _tokens(answer) if code in (200, 201) else None
        if tokens is None:
            return _passthrough(code, headers, answer)
        csrf = secrets.token_urlsafe(32)
        response = JSONResponse(
            SessionTokens(access_token=tokens[0], csrf_token=csrf).model_dump(),
            status_code=code,
            headers=headers | {"Cache-Control": "no-store"},
        )
        _set_session_cookies(response, request, tokens[1], csrf, cookie_max_age_seconds)
        return response

    @router.post(
        "/login",
        response_model=SessionTokens,
        summary="Sign in: access token in the body, refresh token in an httpOnly cookie",
        responses={401: {"description": "Invalid credentials"}, 429: {"description": "Too many"}},
        openapi_extra={"security": []},
    )
    async def login(request: Request, body: SessionCredentials) -> Response:
        return await start(request, "/api/v1/auth/login", body)

    @router.post(
        "/register",
        status_code=status.HTTP_201_CREATED,
        response_model=SessionTokens,
        summary="Create an account and sign in (refresh token in an httpOnly cookie)",
        responses={409: {"description": "Email already registered"}},
        openapi_extra={"security": []},
    )
    async def register(request: Request, body: SessionCredentials) -> Response:
        return await start(request, "/api/v1/auth/register", body)

    @router.post(
        "/change-password",
        response_model=SessionTokens,
        summary="Change the password; the new session's refresh token replaces the cookie's",
        description="The signed-in user's `POST /auth/change-password` (with the access token "
        "and the X-CSRF-Token header): every session of the user ends, and this browser goes "
        "on with the new one, its refresh token kept in the httpOnly cookie.",
        responses={
            401: {"description": "Not signed in"},
            403: refused[403],
            422: {"description": "Current password wrong, or new password refused"},
            429: {"description": "Too many attempts"},
        },
        dependencies=[NEEDS_CSRF],
        openapi_extra={"security": [{"BearerAuth": []}]},
    )
    async def change_password(request: Request, body: SessionPasswordChange) -> Response:
        return await start(request, "/api/v1/auth/change-password", body, as_caller=True)

    @router.post(
        "/refresh",
        response_model=SessionTokens,
        summary="Rotate the cookie's refresh token; needs the X-CSRF-Token header",
        responses=refused,
        dependencies=[NEEDS_CSRF],
        openapi_extra={"security": []},
    )
    async def refresh(request: Request) -> Response:
        token = request.cookies.get(REFRESH_COOKIE)
        if not token:
            raise NoSession()
        payload = json.dumps({"refresh_token": token}).encode()
        code, headers, answer = await upstream.post(request, "/api/v1/auth/refresh", payload)
        tokens = _tokens(answer) if code == 200 else None
        if tokens is None:
            response = _passthrough(code, headers, answer)
            if code == 401:
                _clear_session_cookies(response, request)
            return response
        csrf = request.cookies[CSRF_COOKIE]
        response = JSONResponse(
            SessionTokens(access_token=tokens[0], csrf_token=csrf).model_dump(),
            headers=headers | {"Cache-Control": "no-store"},
        )
        _set_session_cookies(response, request, tokens[1], csrf, cookie_max_age_seconds)
        return response

    @router.post(
        "/logout",
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
        summary="Sign out: identity revokes the cookie's refresh token family, cookies cleared",
        responses={403: refused[403], 502: {"description": "Identity could not revoke the token"}},
        dependencies=[NEEDS_CSRF],
        openapi_extra={"security": []},
    )
    async def logout(request: Request) -> Response:
        token = request.cookies.get(REFRESH_COOKIE)
        if token:
            payload = json.dumps({"refresh_token": token}).encode()
            code, headers, answer = await upstream.post(request, "/api/v1/auth/logout", payload)
            # 401: identity no longer knows the token (expired, purged): nothing to revoke.
            # Anything else is reported and the cookies kept, so signing out can be retried.
            if code not in (204, 401):
                return _passthrough(code, headers, answer)
        response = Response(status_code=status.HTTP_204_NO_CONTENT)
        _clear_session_cookies(response, request)
        return response

    return router


def session_openapi_paths(router: APIRouter) -> dict[str, Any]:
    """The session routes' OpenAPI paths with every schema inlined, for the merged document."""
    probe = FastAPI()
    probe.include_router(router)
    document = probe.openapi()
    schemas = document.get("components", {}).get("schemas", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                return inline(schemas[ref.rsplit("/", 1)[1]])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    paths: dict[str, Any] = inline(document["paths"])
    return paths

"""The internal token the gateway mints for every forwarded request.

Services accept no request without one (DESIGN.md, "Requests" 2): reaching a
service port directly gives nothing. The token is a short-lived JWT (HS256
with the shared internal key, audience ``adscale-internal``) carrying who the
caller is, their plan and how they authenticated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeGuard, TypeVar

import orjson
from fastapi import Depends, Request
from fastapi.routing import APIRoute

from adscale_common.errors import Unauthorized

if TYPE_CHECKING:
    from fastapi.dependencies.models import Dependant
    from starlette.routing import BaseRoute

INTERNAL_TOKEN_HEADER = "X-Internal-Token"
INTERNAL_AUDIENCE = "adscale-internal"
INTERNAL_ISSUER = "adscale-gateway"
DEFAULT_TTL_SECONDS = 60
_ALGORITHM = "HS256"
LEEWAY_SECONDS = 5  # clock skew tolerated between the gateway and a service
_HEADER_SEGMENT = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."  # {"alg":"HS256","typ":"JWT"}

AuthMethod = Literal["jwt", "api_key", "anonymous", "service"]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the one caller type end to end. The gateway builds it from a bearer
    token or an API key (``api_key_id`` set) and carries it to the services in the
    internal token, which give it back to routes (``CurrentUser``, or ``CurrentUserId``
    when a route needs only the id)."""

    user_id: uuid.UUID | None
    plan: str | None
    auth: AuthMethod
    request_id: str | None = None
    api_key_id: uuid.UUID | None = None
    # The sign-in session (refresh-token family) a bearer token belongs to: its ``sid``.
    session_id: uuid.UUID | None = None

    @property
    def is_user(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Principal(user_id=None, plan=None, auth="anonymous")


def mint_internal_token(
    key: str,
    *,
    user_id: uuid.UUID | str | None,
    plan: str | None,
    auth: AuthMethod,
    request_id: str | None = None,
    session_id: uuid.UUID | str | None = None,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    now: float | None = None,
) -> str:
    if not key:
        raise ValueError("internal token key is not configured")
    issued = int(now if now is not None else time.time())
    claims: dict[str, object] = {
        "iss": INTERNAL_ISSUER,
        "aud": INTERNAL_AUDIENCE,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "auth": auth,
    }
    if user_id is not None:
        claims["sub"] = str(user_id)
    if plan is not None:
        claims["plan"] = plan
    if request_id is not None:
        claims["rid"] = request_id
    if session_id is not None:
        claims["sid"] = str(session_id)
    # The same compact HS256 JWS PyJWT would produce, without its per-call key preparation
    # and header handling: the gateway mints one per forwarded request.
    signing_input = _HEADER_SEGMENT + _b64(orjson.dumps(claims))
    signature = hmac.new(key.encode(), signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + _b64(signature)).decode("ascii")


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _unb64(segment: bytes) -> bytes:
    return base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))


def _is_time(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _verified_claims(key: str, token: str) -> dict[str, Any]:
    """The claims of an HS256 compact JWS signed with ``key``, addressed to the services by
    the gateway and current (``LEEWAY_SECONDS`` either side); else :class:`Unauthorized`.

    The checks PyJWT's ``decode`` made here (signature, algorithm, ``exp``, ``iat``,
    ``nbf``, ``aud``, ``iss``, required claims) without its per-call key preparation and
    option handling: every service request verifies one."""
    try:
        header_segment, payload_segment, signature_segment = token.encode("ascii").split(b".")
        header = orjson.loads(_unb64(header_segment))
        signature = _unb64(signature_segment)
        claims = orjson.loads(_unb64(payload_segment))
    except ValueError as exc:  # base64, JSON, non-ASCII and segment count errors alike
        raise Unauthorized("Invalid internal token") from exc
    if not isinstance(header, dict) or header.get("alg") != _ALGORITHM:
        raise Unauthorized("Invalid internal token")
    signing_input = header_segment + b"." + payload_segment
    expected = hmac.new(key.encode(), signing_input, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature) or not isinstance(claims, dict):
        raise Unauthorized("Invalid internal token")
    now = time.time()
    exp, iat, nbf = claims.get("exp"), claims.get("iat"), claims.get("nbf", 0)
    current = (
        _is_time(exp)
        and _is_time(iat)
        and _is_time(nbf)
        and exp > now - LEEWAY_SECONDS
        and iat <= now + LEEWAY_SECONDS
        and nbf <= now + LEEWAY_SECONDS
    )
    audience = claims.get("aud")
    addressed = audience == INTERNAL_AUDIENCE or (
        isinstance(audience, list) and INTERNAL_AUDIENCE in audience
    )
    if not current or not addressed or claims.get("iss") != INTERNAL_ISSUER:
        raise Unauthorized("Invalid internal token")
    return claims


def verify_internal_token(key: str, token: str) -> Principal:
    """Decode and check an internal token; raise :class:`Unauthorized` if anything is off."""
    if not key:
        raise Unauthorized("Internal authentication is not configured")
    claims = _verified_claims(key, token)
    auth = claims.get("auth")
    if auth not in ("jwt", "api_key", "anonymous", "service"):
        raise Unauthorized("Invalid internal token")
    sub, sid = claims.get("sub"), claims.get("sid")
    try:
        user_id = uuid.UUID(sub) if sub else None
        session_id = uuid.UUID(str(sid)) if sid else None
    except (TypeError, ValueError) as exc:
        raise Unauthorized("Invalid internal token") from exc
    if auth in ("jwt", "api_key") and user_id is None:
        raise Unauthorized("Invalid internal token")
    return Principal(
        user_id=user_id,
        plan=claims.get("plan"),
        auth=auth,
        request_id=claims.get("rid"),
        session_id=session_id,
    )


def principal_from_request(request: Request) -> Principal:
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    token = request.headers.get(INTERNAL_TOKEN_HEADER)
    if not token:
        raise Unauthorized("Missing internal token")
    key: str = request.app.state.settings.internal_token_key
    principal = verify_internal_token(key, token)
    request.state.principal = principal
    return principal


def require_user(request: Request) -> Principal:
    """The route needs an authenticated end user (JWT or API key)."""
    principal = principal_from_request(request)
    if principal.user_id is None or principal.auth not in ("jwt", "api_key"):
        raise Unauthorized("Not authenticated")
    return principal


def require_jwt_user(request: Request) -> Principal:
    """The route is JWT-only (spec); an API key is not enough."""
    principal = require_user(request)
    if principal.auth != "jwt":
        raise Unauthorized("This endpoint requires a bearer token")
    return principal


def require_service(request: Request) -> Principal:
    principal = principal_from_request(request)
    if principal.auth != "service":
        raise Unauthorized("Internal endpoint")
    return principal


def _user_id(principal: Principal) -> uuid.UUID:
    if principal.user_id is None:  # require_user refuses these already; typed, not asserted
        raise Unauthorized("Not authenticated")
    return principal.user_id


def require_user_id(request: Request) -> uuid.UUID:
    """The calling end user's id (JWT or API key)."""
    return _user_id(require_user(request))


def require_jwt_user_id(request: Request) -> uuid.UUID:
    """The calling end user's id, for JWT-only routes."""
    return _user_id(require_jwt_user(request))


T = TypeVar("T")


def _on_the_loop(check: Callable[[Request], T]) -> Callable[[Request], Awaitable[T]]:
    """The check as an ``async def`` dependency. FastAPI runs a plain ``def`` dependency in
    its thread pool (a thread hand-off per request and per dependency); these checks do no
    I/O, so they run on the event loop. The plain functions stay callable directly."""

    async def dependency(request: Request) -> T:
        return check(request)

    dependency.__name__ = check.__name__
    dependency.__doc__ = check.__doc__
    return dependency


_user = _on_the_loop(require_user)
_jwt_user = _on_the_loop(require_jwt_user)
_user_id_check = _on_the_loop(require_user_id)
_jwt_user_id_check = _on_the_loop(require_jwt_user_id)

CurrentPrincipal = Annotated[Principal, Depends(_on_the_loop(principal_from_request))]
CurrentUser = Annotated[Principal, Depends(_user)]
CurrentJwtUser = Annotated[Principal, Depends(_jwt_user)]
ServiceCaller = Annotated[Principal, Depends(_on_the_loop(require_service))]
# The caller as most routes need it: a user id that is never None.
CurrentUserId = Annotated[uuid.UUID, Depends(_user_id_check)]
CurrentJwtUserId = Annotated[uuid.UUID, Depends(_jwt_user_id_check)]

# The OpenAPI ``security`` of a route, from the check it depends on (the gateway's
# scheme names): JWT only, or a JWT or an API key.
JWT_ONLY: list[dict[str, list[str]]] = [{"BearerAuth": []}]
JWT_OR_KEY: list[dict[str, list[str]]] = [{"BearerAuth": []}, {"ApiKeyAuth": []}]


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def declared_security(route: APIRoute) -> list[dict[str, list[str]]] | None:
    """What the route's dependencies demand of the caller, as OpenAPI ``security``; None
    when it depends on no user check (public, signed or internal: said elsewhere)."""
    calls = set(_calls(route.dependant))
    if calls & {_jwt_user, _jwt_user_id_check}:
        return JWT_ONLY
    if calls & {_user, _user_id_check}:
        return JWT_OR_KEY
    return None


def document_security(routes: Iterable[BaseRoute]) -> None:
    """Give every route that names no ``security`` of its own the one its user check
    demands, so the OpenAPI document says which credentials each operation takes."""
    for route in routes:
        included = getattr(route, "original_router", None)  # an included router (FastAPI 0.16x)
        if included is not None:
            document_security(included.routes)
        if not isinstance(route, APIRoute) or "security" in (route.openapi_extra or {}):
            continue
        security = declared_security(route)
        if security is not None:
            route.openapi_extra = {**(route.openapi_extra or {}), "security": security}

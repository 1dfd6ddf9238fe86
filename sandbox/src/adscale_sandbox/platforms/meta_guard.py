"""Who may call Meta's Graph API: the adapter the shared guard uses (the token from the
header or the parameters; Graph's errors for a missing, expired or revoked token, a rate
limit or an injected fault) and the ``authorized`` dependency.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request

from adscale_sandbox.core import PlatformError, RateDecision, bearer_token, make_guard, now
from adscale_sandbox.oauth import Principal, TokenState
from adscale_sandbox.platforms.meta_errors import invalid_parameter, meta_error
from adscale_sandbox.platforms.meta_params import (
    PLATFORM,
    meta_params,
    usage_header,
    usage_key,
    usage_kind,
)


def _http_date(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%A, %d-%b-%y %H:%M:%S UTC")


class MetaAdapter:
    name = PLATFORM

    async def extract_token(self, request: Request) -> str | None:
        header_token = bearer_token(request, ("bearer", "oauth"))
        if header_token:
            return header_token
        params = await meta_params(request)
        token = params.get("access_token")
        return str(token) if token else None

    def auth_error(self, token_state: TokenState, request: Request) -> PlatformError:
        if token_state is TokenState.MISSING:
            return meta_error(400, 104, "An access token is required to request this resource.")
        if token_state is TokenState.EXPIRED:
            at = now()
            return expired_token_error(at - 1, at)
        if token_state is TokenState.REVOKED:
            return meta_error(
                400,
                190,
                "Error validating access token: The session has been invalidated because the "
                "user changed their password or Facebook has changed the session for security "
                "reasons.",
                subcode=460,
                headers=_www_authenticate("The session has been invalidated"),
            )
        return meta_error(
            400,
            190,
            "Invalid OAuth access token - Cannot parse access token",
            headers=_www_authenticate("Invalid OAuth access token"),
        )

    def rate_limit_error(self, decision: RateDecision, request: Request) -> PlatformError:
        kind = usage_kind(request.url.path)
        headers = usage_header(decision, usage_key(request), kind)
        if kind == "custom_audience":
            return meta_error(
                400,
                80003,
                "There have been too many calls to this ad-account. Wait a bit and try again.",
                transient=True,
                headers=headers,
            )
        return meta_error(
            400,
            17,
            "User request limit reached",
            subcode=2446079,
            transient=True,
            headers=headers,
        )

    def fault_error(self, kind: str, request: Request) -> PlatformError:
        if kind == "permission":
            return meta_error(403, 200, "(#200) Permissions error")
        if kind == "server_error":
            return meta_error(
                500,
                2,
                "An unexpected error has occurred. Please retry your request later.",
                transient=True,
            )
        return invalid_parameter("(#100) Invalid parameter")


def expired_token_error(expired_at: float, current: float) -> PlatformError:
    return meta_error(
        400,
        190,
        f"Error validating access token: Session has expired on {_http_date(expired_at)}. "
        f"The current time is {_http_date(current)}.",
        subcode=463,
        headers=_www_authenticate("Session has expired"),
    )


def _www_authenticate(reason: str) -> dict[str, str]:
    return {"WWW-Authenticate": f'OAuth "Facebook Platform" "invalid_token" "{reason}"'}


adapter = MetaAdapter()
_guard = make_guard(adapter)


async def authorized(request: Request) -> Principal:
    principal = await _guard(request)
    request.state.principal = principal
    return principal

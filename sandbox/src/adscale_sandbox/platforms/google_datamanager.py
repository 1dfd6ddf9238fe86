"""What every Data Manager route shares: the guard (the bearer token; Google's errors for a
refused token, a rate limit or an injected fault), the request body read as canonical
proto3 JSON, and the answer with enums as numbers when the call asks for them.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import (
    PlatformError,
    RateDecision,
    bearer_token,
    json_response,
    make_guard,
    read_json_object,
)
from adscale_sandbox.oauth import TokenState
from adscale_sandbox.platforms.google_errors import (
    PLATFORM,
    SERVICE,
    bad_request,
    duplicate_field,
    error_info,
    invalid_format,
    permission_denied,
    request_error,
    rpc_error,
    unauthenticated,
    violation,
)
from adscale_sandbox.platforms.google_json import (
    DuplicateField,
    canonical,
    wants_enum_numbers,
    with_enum_numbers,
)


def answer(request: Request, body: dict[str, Any]) -> Response:
    """A Data Manager answer, enums as numbers when the call asked ``enum-encoding=int``."""
    return json_response(with_enum_numbers(body) if wants_enum_numbers(request) else body)


class DataManagerAdapter:
    name = PLATFORM

    async def extract_token(self, request: Request) -> str | None:
        return bearer_token(request)

    def auth_error(self, token_state: TokenState, request: Request) -> PlatformError:
        return unauthenticated(token_state, SERVICE)

    def rate_limit_error(self, decision: RateDecision, request: Request) -> PlatformError:
        return rpc_error(
            429,
            "RESOURCE_EXHAUSTED",
            "Too many requests.",
            [
                error_info("RESOURCE_EXHAUSTED", requestId=state.new_request_id()),
                {
                    "@type": "type.googleapis.com/google.rpc.RetryInfo",
                    "retryDelay": f"{decision.retry_after}s",
                },
            ],
        )

    def fault_error(self, kind: str, request: Request) -> PlatformError:
        if kind == "permission":
            return permission_denied(state.new_request_id())
        if kind == "server_error":
            return request_error(
                500, "INTERNAL", "An internal error has occurred.", "INTERNAL_ERROR"
            )
        return bad_request(
            [violation("", "INVALID_ARGUMENT", "There was a problem with the request.")],
            state.new_request_id(),
        )


adapter = DataManagerAdapter()
authorized = make_guard(adapter)


async def json_body(request: Request) -> dict[str, Any]:
    body = await read_json_object(
        request,
        invalid_format,
        "Invalid JSON payload received. ",
        "The request body must be a JSON object.",
    )
    try:
        result: dict[str, Any] = canonical(body)
    except DuplicateField as exc:
        raise duplicate_field(exc) from exc
    return result

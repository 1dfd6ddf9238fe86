"""Google's API errors, shared by the Data Manager and Google Ads imitations: google.rpc.Status
bodies with ErrorInfo and BadRequest details, permission denied, and the 401 for a missing
or bad token (with the platform name both APIs use).
"""

from __future__ import annotations

from typing import Any

from adscale_sandbox import state
from adscale_sandbox.core import PlatformError
from adscale_sandbox.oauth import TokenState
from adscale_sandbox.platforms.google_json import DuplicateField

PLATFORM = "google"
SERVICE = "datamanager.googleapis.com"


def rpc_error(
    status: int,
    code_name: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> PlatformError:
    error: dict[str, Any] = {"code": status, "message": message, "status": code_name}
    if details:
        error["details"] = details
    return PlatformError(status, {"error": error}, headers)


def error_info(reason: str, domain: str = SERVICE, **metadata: str) -> dict[str, Any]:
    info: dict[str, Any] = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": domain,
    }
    if metadata:
        info["metadata"] = metadata
    return info


def request_error(status: int, code_name: str, message: str, reason: str) -> PlatformError:
    """A google.rpc.Status whose one detail is an ErrorInfo: ``reason`` and a new request id."""
    return rpc_error(
        status, code_name, message, [error_info(reason, requestId=state.new_request_id())]
    )


def bad_request(violations: list[dict[str, str]], request_id: str) -> PlatformError:
    return rpc_error(
        400,
        "INVALID_ARGUMENT",
        "There was a problem with the request.",
        [
            error_info("INVALID_ARGUMENT", requestId=request_id),
            {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": violations},
        ],
    )


def violation(field: str, reason: str, description: str) -> dict[str, str]:
    return {"field": field, "description": description, "reason": reason}


def invalid_format(description: str) -> PlatformError:
    """A body Google could not parse at all."""
    return bad_request([violation("", "INVALID_FORMAT", description)], state.new_request_id())


def duplicate_field(exc: DuplicateField) -> PlatformError:
    return invalid_format(f'Invalid JSON payload received. Field "{exc}" is given twice.')


def permission_denied(request_id: str) -> PlatformError:
    return rpc_error(
        403,
        "PERMISSION_DENIED",
        "The user does not have permission or the resource is not found.",
        [error_info("PERMISSION_DENIED", requestId=request_id)],
    )


def unauthenticated(token_state: TokenState, service: str) -> PlatformError:
    headers = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
    if token_state is TokenState.MISSING:
        return rpc_error(
            401,
            "UNAUTHENTICATED",
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential.",
            [error_info("CREDENTIALS_MISSING", "googleapis.com", service=service)],
            headers,
        )
    headers["WWW-Authenticate"] += ', error="invalid_token"'
    reason = (
        "ACCESS_TOKEN_EXPIRED"
        if token_state is TokenState.EXPIRED
        else "ACCESS_TOKEN_TYPE_UNSUPPORTED"
    )
    return rpc_error(
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential.",
        [error_info(reason, "googleapis.com", service=service)],
        headers,
    )

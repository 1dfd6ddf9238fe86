"""Meta Graph API errors: the ``{"error": {...}}`` body Graph answers with, and its
invalid-parameter (code 100) and unsupported-object (subcode 33) cases.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from adscale_sandbox.core import PlatformError


def meta_error(
    status: int,
    code: int,
    message: str,
    *,
    error_type: str = "OAuthException",
    subcode: int | None = None,
    user_title: str | None = None,
    user_msg: str | None = None,
    transient: bool | None = None,
    headers: dict[str, str] | None = None,
) -> PlatformError:
    error: dict[str, Any] = {"message": message, "type": error_type, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient is not None:
        error["is_transient"] = transient
    if user_title is not None:
        error["error_user_title"] = user_title
    if user_msg is not None:
        error["error_user_msg"] = user_msg
    error["fbtrace_id"] = base64.b64encode(secrets.token_bytes(15)).decode().rstrip("=")
    return PlatformError(status, {"error": error}, headers)


def invalid_parameter(message: str, subcode: int | None = None) -> PlatformError:
    return meta_error(400, 100, message, subcode=subcode)


def unsupported_object(object_id: str, method: str) -> PlatformError:
    return meta_error(
        400,
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation.",
        error_type="GraphMethodException",
        subcode=33,
    )

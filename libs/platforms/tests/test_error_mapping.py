"""Each platform's real error bodies, codes and headers mapped to typed errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from adscale_platforms.errors import (
    AudienceTooSmall,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    PlatformError,
    PlatformUnavailable,
    RateLimited,
    TokenExpired,
    parse_duration,
    parse_retry_after,
)
from adscale_platforms.google import google_error
from adscale_platforms.meta import meta_error, meta_retry_after
from adscale_platforms.snapchat import snapchat_error
from adscale_platforms.tiktok import tiktok_error


def headers(**values: str) -> httpx.Headers:
    return httpx.Headers({k.replace("_", "-"): v for k, v in values.items()})


def graph_error(
    code: int, message: str, subcode: int | None = None, **extra: Any
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEfGhIjK",
        **extra,
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


# --------------------------------------------------------------------------- Meta


def test_meta_success_is_not_an_error() -> None:
    assert meta_error(200, headers(), {"id": "123"}) is None
    assert meta_error(200, headers(), {"success": True}) is None


def test_meta_expired_token_190() -> None:
    body = graph_error(
        190,
        "Error validating access token: Session has expired on Tuesday, 10-Feb-26 10:00:00 "
        "PST. The current time is Tuesday, 10-Feb-26 11:00:00 PST.",
        463,
    )
    error = meta_error(400, headers(), body)
    assert isinstance(error, TokenExpired)
    assert (error.platform, error.code, error.subcode, error.http_status) == ("meta", 190, 463, 400)
    assert not error.retryable


def test_meta_user_rate_limit_17_uses_business_use_case_header() -> None:
    usage = {
        "1234567890": [
            {
                "type": "ads_management",
                "call_count": 100,
                "total_cputime": 40,
                "total_time": 45,
                "estimated_time_to_regain_access": 7,
            }
        ]
    }
    body = graph_error(17, "User request limit reached", 2446079, is_transient=True)
    error = meta_error(400, headers(x_business_use_case_usage=json.dumps(usage)), body)
    assert isinstance(error, RateLimited)
    assert error.code == 17
    assert error.retry_after == 7 * 60
    assert error.retryable


def test_meta_custom_audience_throttle_80003() -> None:
    usage = {"99": [{"type": "custom_audience", "estimated_time_to_regain_access": 0}]}
    body = graph_error(
        80003, "There have been too many calls to this ad-account. Wait a bit and try again."
    )
    error = meta_error(400, headers(x_business_use_case_usage=json.dumps(usage)), body)
    assert isinstance(error, RateLimited)
    assert error.code == 80003
    assert error.retry_after is None  # no positive signal: the client backs off


def test_meta_retry_after_takes_the_longest_signal() -> None:
    hdrs = headers(
        x_business_use_case_usage=json.dumps(
            {
                "1": [{"estimated_time_to_regain_access": 2}],
                "2": [{"estimated_time_to_regain_access": 1}],
            }
        ),
        x_ad_account_usage=json.dumps({"acc_id_util_pct": 100, "reset_time_duration": 300}),
    )
    assert meta_retry_after(hdrs) == 300
    assert meta_retry_after(headers(x_business_use_case_usage="not json")) is None


def test_meta_permission_200_and_2654() -> None:
    error = meta_error(403, headers(), graph_error(200, "(#200) Permissions error"))
    assert isinstance(error, PermissionDenied)
    assert error.code == 200
    terms = graph_error(
        2654,
        "Failed to create custom audience",
        1870090,
        error_user_title="Custom Audience Terms Not Accepted",
    )
    assert isinstance(meta_error(400, headers(), terms), PermissionDenied)


def test_meta_flagged_audience_100_1713230() -> None:
    body = graph_error(100, "Invalid parameter", 1713230)
    error = meta_error(400, headers(), body)
    assert isinstance(error, InvalidRequest)
    assert (error.code, error.subcode) == (100, 1713230)


def test_meta_2650_update_failed() -> None:
    body = graph_error(
        2650,
        "Failed to update the custom audience",
        error_user_msg="Another replace session is still uploading to this audience.",
    )
    error = meta_error(400, headers(), body)
    assert type(error) is InvalidRequest
    assert error.code == 2650
    small = graph_error(
        2650,
        "Failed to update the custom audience",
        error_user_msg="The audience would be too small after removing these people.",
    )
    assert isinstance(meta_error(400, headers(), small), AudienceTooSmall)


def test_meta_unknown_object_is_not_found() -> None:
    body = graph_error(
        100,
        "Unsupported get request. Object with ID '42' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation.",
        33,
    )
    assert isinstance(meta_error(400, headers(), body), NotFound)


def test_meta_transient_and_5xx() -> None:
    body = graph_error(2, "An unexpected error has occurred. Please retry your request later.")
    assert isinstance(meta_error(500, headers(), body), PlatformUnavailable)
    assert isinstance(meta_error(503, headers(), None), PlatformUnavailable)
    assert isinstance(meta_error(502, headers(), "<html>bad gateway</html>"), PlatformUnavailable)


# --------------------------------------------------------------------------- Google


def rpc(code: int, status: str, message: str, *details: dict[str, Any]) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = list(details)
    return {"error": error}


def test_google_unauthenticated() -> None:
    body = rpc(
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials.",
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "ACCESS_TOKEN_EXPIRED",
            "domain": "googleapis.com",
        },
    )
    error = google_error(401, headers(), body)
    assert isinstance(error, TokenExpired)
    assert (error.code, error.subcode) == ("UNAUTHENTICATED", "ACCESS_TOKEN_EXPIRED")


def test_google_resource_exhausted_retry_info() -> None:
    body = rpc(
        429,
        "RESOURCE_EXHAUSTED",
        "Too many requests.",
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "30s"},
    )
    error = google_error(429, headers(), body)
    assert isinstance(error, RateLimited)
    assert error.retry_after == 30
    # the Retry-After header wins when both are present
    with_header = google_error(429, headers(retry_after="12"), body)
    assert isinstance(with_header, RateLimited)
    assert with_header.retry_after == 12


def test_google_ads_quota_error_details() -> None:
    body = rpc(
        429,
        "RESOURCE_EXHAUSTED",
        "Too many requests. Retry in 23 seconds.",
        {
            "@type": "type.googleapis.com/google.ads.googleads.v22.errors.GoogleAdsFailure",
            "errors": [
                {
                    "errorCode": {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"},
                    "message": "Too many requests.",
                    "details": {
                        "quotaErrorDetails": {"rateScope": "DEVELOPER", "retryDelay": "23s"}
                    },
                }
            ],
        },
    )
    error = google_error(429, headers(), [body])  # searchStream answers a JSON array
    assert isinstance(error, RateLimited)
    assert error.retry_after == 23
    assert error.subcode == "RESOURCE_TEMPORARILY_EXHAUSTED"


def test_google_permission_denied() -> None:
    body = rpc(
        403,
        "PERMISSION_DENIED",
        "The caller does not have permission",
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "PERMISSION_DENIED"},
    )
    error = google_error(403, headers(), body)
    assert isinstance(error, PermissionDenied)
    assert error.code == "PERMISSION_DENIED"


def test_google_invalid_argument_samples() -> None:
    body = rpc(
        400,
        "INVALID_ARGUMENT",
        "There was a problem with the request.",
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "INVALID_ARGUMENT"},
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [
                {
                    "field": "audience_members.audience_members[3].user_data.user_identifiers[0]",
                    "description": "The SHA256 hash is not a valid hex string.",
                    "reason": "INVALID_HEX_ENCODING",
                }
            ],
        },
    )
    error = google_error(400, headers(), body)
    assert type(error) is InvalidRequest
    assert error.samples == [
        {
            "field": "audience_members.audience_members[3].user_data.user_identifiers[0]",
            "description": "The SHA256 hash is not a valid hex string.",
            "reason": "INVALID_HEX_ENCODING",
        }
    ]


def test_google_not_found_unavailable_and_oauth() -> None:
    assert isinstance(google_error(404, headers(), rpc(404, "NOT_FOUND", "no list")), NotFound)
    assert isinstance(
        google_error(503, headers(), rpc(503, "UNAVAILABLE", "The service is unavailable.")),
        PlatformUnavailable,
    )
    assert isinstance(google_error(500, headers(), rpc(500, "INTERNAL", "x")), PlatformUnavailable)
    grant = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    error = google_error(400, headers(), grant)
    assert isinstance(error, TokenExpired)
    assert error.message == "Token has been expired or revoked."
    assert google_error(200, headers(), {"requestId": "abc"}) is None
    assert google_error(200, headers(), [{"results": []}]) is None


# --------------------------------------------------------------------------- TikTok


def tiktok(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": "2026021412345600AB", "data": {}}


@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        (40100, "Too many requests. Request QPM exceeded.", RateLimited),
        (40102, "Access token has expired. Please refresh it.", TokenExpired),
        (40105, "Access token is incorrect or has been revoked.", TokenExpired),
        (40001, "No permission to operate this advertiser.", PermissionDenied),
        (50000, "System error. Please retry later.", PlatformUnavailable),
        (40002, "batch_data: Missing data for required field.", InvalidRequest),
        (
            40002,
            "The REPLACE operation would leave the audience with 12 users; an audience must "
            "keep at least 1000 users after an update.",
            AudienceTooSmall,
        ),
    ],
)
def test_tiktok_codes_on_http_200(code: int, message: str, kind: type[PlatformError]) -> None:
    error = tiktok_error(200, headers(), tiktok(code, message))
    assert type(error) is kind
    assert error.code == code
    assert error.http_status == 200


def test_tiktok_success_and_http_errors() -> None:
    assert tiktok_error(200, headers(), {"code": 0, "message": "OK", "data": {}}) is None
    limited = tiktok_error(429, headers(retry_after="9"), None)
    assert isinstance(limited, RateLimited)
    assert limited.retry_after == 9
    assert isinstance(tiktok_error(502, headers(), None), PlatformUnavailable)


# --------------------------------------------------------------------------- Snapchat


def snap(message: str, **extra: Any) -> dict[str, Any]:
    return {
        "request_status": "ERROR",
        "request_id": "5f0c3e2a00ff0d1f6f9c",
        "debug_message": message,
        "display_message": message,
        **extra,
    }


def test_snapchat_statuses() -> None:
    expired = snapchat_error(401, headers(), snap("The access token has expired."))
    assert isinstance(expired, TokenExpired)
    denied = snapchat_error(403, headers(), snap("Forbidden", error_code="E3002"))
    assert isinstance(denied, PermissionDenied)
    assert denied.code == "E3002"
    assert snapchat_error(403, headers(), snap("Forbidden")).code == 403  # type: ignore[union-attr]
    limited = snapchat_error(429, headers(retry_after="17"), snap("Too many requests."))
    assert isinstance(limited, RateLimited)
    assert limited.retry_after == 17
    assert isinstance(snapchat_error(500, headers(), snap("Internal")), PlatformUnavailable)
    assert isinstance(snapchat_error(404, headers(), snap("Segment not found")), NotFound)
    bad = snapchat_error(400, headers(), snap("users[0].data[3] is not a SHA-256 hex digest."))
    assert type(bad) is InvalidRequest
    assert snapchat_error(200, headers(), {"request_status": "SUCCESS"}) is None
    assert isinstance(snapchat_error(200, headers(), {"request_status": "ERROR"}), InvalidRequest)


# --------------------------------------------------------------------------- helpers


def test_retry_after_parsing() -> None:
    assert parse_retry_after("120") == 120
    assert parse_retry_after("  1.5 ") == 1.5
    later = datetime.now(UTC) + timedelta(seconds=90)
    value = parse_retry_after(format_datetime(later, usegmt=True))
    assert value is not None and 85 <= value <= 91
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_duration("30s") == 30
    assert parse_duration("0.25s") == 0.25
    assert parse_duration("never") is None


def test_error_str_and_repr_carry_codes() -> None:
    error = RateLimited("meta", 17, "User request limit reached", 2446079, 400, retry_after=60)
    assert str(error) == "[meta code=17 subcode=2446079 http=400] User request limit reached"
    assert repr(error).startswith("RateLimited(platform='meta', code=17, subcode=2446079")
    assert error.retry_after == 60

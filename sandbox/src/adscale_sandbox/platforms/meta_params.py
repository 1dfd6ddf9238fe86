"""A Meta Graph call in and out: its parameters (query string and body merged, JSON-valued
parameters, ``fields``, cursor paging) and its JSON answer with the
X-Business-Use-Case-Usage header.
"""

from __future__ import annotations

import base64
import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import Request
from fastapi.responses import Response

from adscale_sandbox import state
from adscale_sandbox.core import RateDecision, json_response
from adscale_sandbox.oauth import Principal
from adscale_sandbox.platforms.meta_errors import invalid_parameter

PLATFORM = "meta"
AUDIENCE_PATH = re.compile(r"/(customaudiences|users|usersreplace)$")


def usage_header(decision: RateDecision | None, key: str, kind: str) -> dict[str, str]:
    if decision is None:
        return {}
    pct = decision.usage_percent
    regain = 0 if decision.allowed else max(1, math.ceil(decision.retry_after / 60))
    value = {
        key: [
            {
                "type": kind,
                "call_count": pct,
                "total_cputime": pct // 2,
                "total_time": pct // 2,
                "estimated_time_to_regain_access": regain,
                "ads_api_access_tier": "standard_access",
            }
        ]
    }
    return {"X-Business-Use-Case-Usage": json.dumps(value, separators=(",", ":"))}


def usage_kind(path: str) -> str:
    return "custom_audience" if AUDIENCE_PATH.search(path) else "ads_management"


def usage_key(request: Request) -> str:
    match = re.search(r"/act_(\d+)", request.url.path)
    if match:
        return match.group(1)
    principal: Principal | None = getattr(request.state, "principal", None)
    return state.user_numeric_id(PLATFORM, principal.user_id) if principal else "0"


async def meta_params(request: Request) -> dict[str, Any]:
    """Query string merged with a form-encoded, multipart or JSON body (the body wins)."""
    cached: dict[str, Any] | None = getattr(request.state, "meta_params", None)
    if cached is not None:
        return cached
    params: dict[str, Any] = dict(request.query_params)
    if request.method in ("POST", "DELETE", "PUT"):
        content_type = request.headers.get("content-type", "")
        raw = await request.body()
        if raw.strip():
            if "application/json" in content_type:
                try:
                    body = orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    raise invalid_parameter("(#100) Request body is not valid JSON") from exc
                if isinstance(body, dict):
                    params.update(body)
            elif "multipart/form-data" in content_type:
                form = await request.form()
                params.update({k: v for k, v in form.items() if isinstance(v, str)})
            else:
                params.update(dict(parse_qsl(raw.decode("utf-8", "replace"))))
    request.state.meta_params = params
    return params


def respond(request: Request, body: Any, status: int = 200) -> Response:
    decision: RateDecision | None = getattr(request.state, "rate", None)
    headers = usage_header(decision, usage_key(request), usage_kind(request.url.path))
    return json_response(body, status, headers)


def json_param(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise invalid_parameter(f"(#100) Param {name} must be a JSON object") from exc
    return value


def requested_fields(params: dict[str, Any], default: tuple[str, ...]) -> list[str]:
    raw = params.get("fields")
    if not raw:
        return list(default)
    if isinstance(raw, list):
        return [str(f) for f in raw]
    return [f.strip() for f in re.sub(r"\{[^}]*\}", "", str(raw)).split(",") if f.strip()]


def selected(full: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The fields of an object's ``full`` body that a call asked for, ``id`` always first."""
    return {k: full[k] for k in ["id", *fields] if k in full}


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def _offset(params: dict[str, Any]) -> int:
    after = params.get("after")
    if not after:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(str(after).encode()).decode()
        return max(0, int(decoded.removeprefix("o:")))
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid_parameter("(#100) Invalid cursor") from exc


def paged(request: Request, params: dict[str, Any], rows: list[Any], default: int = 25) -> Any:
    try:
        limit = int(params.get("limit", default))
    except ValueError as exc:
        raise invalid_parameter("(#100) Param limit must be an integer") from exc
    limit = max(1, min(limit, 5000))
    start = _offset(params)
    page = rows[start : start + limit]
    body: dict[str, Any] = {"data": page}
    if rows:
        paging: dict[str, Any] = {
            "cursors": {"before": _cursor(start), "after": _cursor(start + len(page))}
        }
        if start + limit < len(rows):
            paging["next"] = str(request.url.include_query_params(after=_cursor(start + limit)))
        if start > 0:
            paging["previous"] = str(
                request.url.include_query_params(after=_cursor(max(0, start - limit)))
            )
        body["paging"] = paging
    return body

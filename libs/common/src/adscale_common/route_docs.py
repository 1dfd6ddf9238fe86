"""The errors an OpenAPI operation can answer, each in the body its API family writes.

The error handlers (``errors.py``) and the gateway answer the same statuses on every
operation of a kind: 401 without credentials where the operation takes some, 400 for a
path id that is no UUID and 404 for one of nothing, 422 for input it refuses, 429 from
the gateway's rate limits and 503 while a dependency is down. FastAPI documents none of
them but 422, and that one in the AdScale body even on ``/api/v1/cdp`` routes, which
answer ``{"error": {code, message, details}}``. :func:`add_error_responses` writes them
into a generated document from each operation's own shape (its ``security``, its path
parameters); an operation that names one of them (``responses={404: {...}}``) keeps its
description and gets the body's schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import (
    validation_error_definition,
    validation_error_response_definition,
)
from pydantic import BaseModel, Field

from adscale_common.errors import ErrorFamily, family_for_path

METHODS = ("get", "put", "post", "patch", "delete")
REF = "#/components/schemas/{model}"


class ErrorDetail(BaseModel):
    """An AdScale operation's error."""

    detail: str = Field(description="What went wrong, for a person")


class ErrorBody(BaseModel):
    code: str = Field(description="Stable and machine-readable, e.g. `SEGMENT_NOT_FOUND`")
    message: str = Field(description="What went wrong, for a person")
    details: dict[str, Any] = Field(description="More about it (`errors` for a 422), or {}")


class ErrorEnvelope(BaseModel):
    """An audience-sync (`/api/v1/cdp`) operation's error."""

    error: ErrorBody


_UNAUTHORIZED = "No valid credentials, or not a kind this operation takes"
_MALFORMED_ID = "A path id that is not a UUID (`INVALID_PATH_PARAMETER`)"
_NOT_FOUND = "Nothing with that id, or another user's"
_INVALID = "The input was refused: each error's `loc`, `msg` and `type` (`VALIDATION_ERROR`)"
_RATE_LIMITED = "Rate limited (the gateway); `Retry-After` says when to try again"
_UNAVAILABLE = "A dependency (database, broker) is unavailable; retry"


def _schemas(doc: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = doc.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorDetail, ErrorEnvelope):
        schema = model.model_json_schema(ref_template=REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    # An AdScale 422 is FastAPI's field list, under the names FastAPI gives it.
    schemas.setdefault("ValidationError", validation_error_definition)
    schemas.setdefault("HTTPValidationError", validation_error_response_definition)
    return schemas


def _takes_uuid_in_path(operation: dict[str, Any]) -> bool:
    return any(
        p.get("in") == "path" and p.get("schema", {}).get("format") == "uuid"
        for p in operation.get("parameters", [])
    )


def _errors_of(operation: dict[str, Any], envelope: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if operation.get("security", True):  # absent: the document's default, credentials
        errors["401"] = _UNAUTHORIZED
    if _takes_uuid_in_path(operation):
        errors["400"] = _MALFORMED_ID
        errors["404"] = _NOT_FOUND
    if envelope and (operation.get("parameters") or operation.get("requestBody")):
        errors["422"] = _INVALID
    errors["429"] = _RATE_LIMITED
    errors["503"] = _UNAVAILABLE
    return errors


def add_error_responses(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (an OpenAPI document, changed in place) with every operation's errors."""
    _schemas(doc)
    for path, item in doc.get("paths", {}).items():
        envelope = family_for_path(path) is ErrorFamily.ENVELOPE
        body = {"$ref": REF.format(model="ErrorEnvelope" if envelope else "ErrorDetail")}
        invalid = body if envelope else {"$ref": REF.format(model="HTTPValidationError")}
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            if envelope and "HTTPValidationError" in str(responses.get("422", "")):
                del responses["422"]  # FastAPI's, in the other family's body
            for status, description in _errors_of(operation, envelope).items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if not status.isdigit() or int(status) < 400 or "content" in response:
                    continue
                schema = invalid if status == "422" else body
                response["content"] = {"application/json": {"schema": schema}}
    return doc


def install_error_docs(app: FastAPI) -> None:
    """``app``'s OpenAPI document with :func:`add_error_responses` applied (once, cached)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_error_responses(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

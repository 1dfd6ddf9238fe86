"""One OpenAPI document for the whole public API, merged from every service."""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from adscale_common.internal_auth import JWT_OR_KEY
from adscale_common.route_docs import METHODS, add_error_responses

logger = logging.getLogger(__name__)

Fetch = Callable[[str], Awaitable[dict[str, Any] | None]]

SECURITY_SCHEMES = {
    "BearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if (
                key == "$ref"
                and isinstance(value, str)
                and value.startswith("#/components/schemas/")
            ):
                name = value.rsplit("/", 1)[1]
                out[key] = f"#/components/schemas/{renames.get(name, name)}"
            else:
                out[key] = _rename_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def merge_documents(
    documents: dict[str, dict[str, Any]],
    *,
    title: str,
    version: str,
    own_paths: dict[str, Any],
    public: Callable[[str], bool] = lambda _: False,
) -> dict[str, Any]:
    """Union of paths and component schemas; clashing schema names get a service prefix.
    An operation of a ``public`` path (the gateway asks no credentials for it) that says
    nothing of its security is marked ``security: []``; the others keep the document's
    default (a JWT or an API key) or the one their service gave them."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "AdScale public API: every service behind the gateway, under /api/v1.",
        },
        "paths": dict(own_paths),
        "components": {"schemas": {}, "securitySchemes": copy.deepcopy(SECURITY_SCHEMES)},
        "security": copy.deepcopy(JWT_OR_KEY),  # an operation that says nothing of its own
    }
    schemas: dict[str, Any] = merged["components"]["schemas"]
    for service, doc in sorted(documents.items()):
        own = doc.get("components", {}).get("schemas", {})
        renames: dict[str, str] = {}
        for name, schema in own.items():
            if name in schemas and schemas[name] != schema:
                renames[name] = f"{service.replace('-', '_')}__{name}"
        doc = _rename_refs(doc, renames)
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            schemas[renames.get(name, name)] = schema
        for path, item in doc.get("paths", {}).items():
            if path in merged["paths"]:
                logger.warning(
                    "duplicate path in OpenAPI merge", extra={"path": path, "service": service}
                )
                continue
            merged["paths"][path] = item
    for path, item in merged["paths"].items():
        if public(path):
            for method in set(METHODS) & set(item):
                item[method].setdefault("security", [])
    # The services' documents name their errors already; this adds the gateway's own routes'.
    return add_error_responses(merged)


class OpenApiCache:
    def __init__(
        self,
        services: list[str],
        fetch: Fetch,
        *,
        ttl_seconds: float,
        own_paths: dict[str, Any],
        public: Callable[[str], bool] = lambda _: False,
    ) -> None:
        self.public = public
        self.services = services
        self.fetch = fetch
        self.ttl = ttl_seconds
        self.own_paths = own_paths
        self._doc: dict[str, Any] | None = None
        self._complete = False
        self._at = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> dict[str, Any]:
        async with self._lock:
            fresh = time.monotonic() - self._at < self.ttl
            if self._doc is not None and self._complete and fresh:
                return self._doc
            results = await asyncio.gather(*(self.fetch(s) for s in self.services))
            documents = {s: d for s, d in zip(self.services, results, strict=True) if d is not None}
            self._complete = len(documents) == len(self.services)
            self._doc = merge_documents(
                documents,
                title="AdScale API",
                version="1.0.0",
                own_paths=self.own_paths,
                public=self.public,
            )
            self._at = time.monotonic()
            return self._doc

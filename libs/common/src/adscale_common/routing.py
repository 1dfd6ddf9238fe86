"""HTTP details every service shares, beyond the error bodies:

* A 405 lists in ``Allow`` every method the path takes. Starlette answers with the methods
  of the first route whose path matches, and FastAPI registers one route per method, so a
  ``PUT /things/{id}`` would say ``Allow: GET`` although PATCH and DELETE exist.
* A trailing slash names the same resource (``/things/`` is ``/things``, as the gateway's
  rate limits count it) instead of Starlette's 307 to the service's own address
  (``http://127.0.0.1:8103/...``), which no client behind the gateway can reach
  (``adscale_common.app.ServiceMiddleware`` strips it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from starlette.routing import compile_path

RouteTable = list[tuple[re.Pattern[str], frozenset[str], str]]


def _route_table(app: FastAPI) -> RouteTable:
    """(path regex, methods, path template) of every route, nested routers included (recent
    FastAPI keeps included routers as lazy entries that ``iter_route_contexts`` flattens)."""
    cached: RouteTable | None = getattr(app.state, "route_table", None)
    if cached is not None:
        return cached
    try:
        from fastapi.routing import iter_route_contexts  # type: ignore[attr-defined]
    except ImportError:  # older FastAPI: the routes are flat already
        contexts: Iterable[Any] = app.router.routes
    else:
        contexts = iter_route_contexts(app.router.routes)
    table: RouteTable = []
    for route in contexts:
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if isinstance(path, str) and methods:
            table.append((compile_path(path)[0], frozenset(methods), path))
    app.state.route_table = table
    return table


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method of the routes whose path template matches ``path``, sorted."""
    methods: set[str] = set()
    for regex, route_methods, _ in _route_table(app):
        if regex.match(path):
            methods.update(route_methods)
    return sorted(methods)


def route_template(app: FastAPI, path: str, method: str) -> str | None:
    """The template (``/things/{thing_id}``) of the route serving ``method path``, else the
    first template the path matches (a 405), else None. A bounded label for metrics."""
    path = path.rstrip("/") or "/"
    fallback = None
    for regex, route_methods, template in _route_table(app):
        if regex.match(path):
            if method in route_methods:
                return template
            fallback = fallback or template
    return fallback

"""A service app's ``/metrics`` route and the route labels of its request metrics
(counted by ``adscale_common.request_middleware``).

Requests are labelled by route template (``/api/v1/campaigns/{campaign_id}``), never
the raw path; a path no route knows is ``<unmatched>``. ``/metrics`` is open on the
service's internal port (like ``/health``); the gateway forwards only its routed
``/api/v1/...`` prefixes, so it is not reachable from outside.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Response

from adscale_common.metrics import exposition
from adscale_common.request_middleware import UNMATCHED, RouteOf
from adscale_common.routing import route_template

METRICS_PATH = "/metrics"


def metrics_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(METRICS_PATH)
    async def metrics() -> Response:
        body, content_type = exposition()
        return Response(body, media_type=content_type)

    return router


def templates_of(app: FastAPI) -> RouteOf:
    """Route labels from ``app``'s route templates; ``<unmatched>`` for unknown paths."""
    return lambda path, method: route_template(app, path, method) or UNMATCHED

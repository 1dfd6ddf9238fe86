"""The sandbox app: every platform's hosts mounted under ``/{platform}/{host_alias}``."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from adscale_sandbox import admin
from adscale_sandbox.core import PlatformError, Sandbox, platform_error_handler
from adscale_sandbox.platforms import (
    google_ads,
    google_ads_mutates,
    google_ads_search,
    google_members,
    google_oauth,
    google_status,
    google_user_lists,
    meta_accounts,
    meta_audiences,
    meta_campaigns,
    meta_graph,
    meta_insights,
    meta_members,
    meta_oauth,
    meta_objects,
    snapchat,
    tiktok_files,
    tiktok_oauth,
    tiktok_segments,
)
from adscale_sandbox.settings import Settings

# FastAPI matches routes in the order they are included: routers that share a prefix keep
# the order their routes had in one router (a named path before the path parameter that
# would also take it).
MOUNTS = (
    ("/meta/www", meta_oauth.www_router),
    ("/meta/graph", meta_oauth.router),
    ("/meta/graph", meta_accounts.router),  # /me and /act_{id} before /{object_id}
    ("/meta/graph", meta_audiences.router),
    ("/meta/graph", meta_members.router),
    ("/meta/graph", meta_campaigns.router),
    ("/meta/graph", meta_insights.router),  # /act_{id}/insights before /{object_id}/insights
    ("/meta/graph", meta_objects.router),  # /{version}/{object_id}: after every named path
    ("/meta/graph", meta_graph.fallback_router),  # last: batch, unknown paths
    ("/google/accounts", google_oauth.accounts_router),
    ("/google/oauth2", google_oauth.oauth2_router),
    ("/google/datamanager", google_user_lists.router),
    ("/google/datamanager", google_members.router),
    ("/google/datamanager", google_status.router),
    ("/google/ads", google_ads.router),
    ("/google/ads", google_ads_search.router),
    ("/google/ads", google_ads_mutates.router),
    ("/tiktok/business", tiktok_oauth.router),
    ("/tiktok/business", tiktok_segments.router),
    ("/tiktok/business", tiktok_files.router),
    ("/snapchat/accounts", snapchat.accounts_router),
    ("/snapchat/adsapi", snapchat.router),
)


# How uvicorn serves the sandbox (``python -m adscale_sandbox``, deploy/stack.py, the
# conformance tests): h11 with room for 16 MiB request heads, so a Graph URL too long for
# Graph still reaches the app and gets Graph's error, not the HTTP server's plain-text 400
# (httptools stops near 64 KiB, which the Meta SDK takes for a success).
MAX_REQUEST_HEAD_BYTES = 16 * 1024 * 1024
SERVER_OPTIONS: dict[str, Any] = {
    "http": "h11",
    "h11_max_incomplete_event_size": MAX_REQUEST_HEAD_BYTES,
}

# Older generations are collected after this many younger collections (Python: 10, 10);
# with fewer, larger young collections, 50 and 100 keep full collections rare.
GC_OLDER_THRESHOLDS = (50, 100)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    sandbox = Sandbox(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        previous = gc.get_threshold()
        if settings.gc_young_threshold:
            gc.set_threshold(settings.gc_young_threshold, *GC_OLDER_THRESHOLDS)
        try:
            yield
        finally:
            gc.set_threshold(*previous)
            sandbox.store.close()

    app = FastAPI(
        title="AdScale ad-platform sandbox",
        description="Meta, Google, TikTok and Snapchat APIs imitated for development and tests.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    app.add_exception_handler(PlatformError, platform_error_handler)
    app.add_middleware(meta_graph.GraphPathMiddleware)
    for prefix, router in MOUNTS:
        app.include_router(router, prefix=prefix, include_in_schema=False)
    app.include_router(admin.router)

    @app.get("/health", tags=["admin"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def __getattr__(name: str) -> FastAPI:
    # ``adscale_sandbox.main:app`` is built on first access, so importing this module
    # (as tests do) opens no database under the working directory.
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)

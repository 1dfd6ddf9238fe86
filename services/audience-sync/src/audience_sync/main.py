"""Audience Sync service: app factory.

Routes: ``/api/v1/cdp/segments`` (CDP source) and ``/api/v1/cdp/audience-sync/...``
(platforms, audiences, syncs). The request path runs small initial syncs itself (see
``POST /audiences``); everything else runs in ``python -m audience_sync.worker``.
"""

from __future__ import annotations

import os
import socket

from fastapi import FastAPI

from adscale_common.app import create_service_app
from adscale_platforms.settings import PlatformSettings
from audience_sync.audience.endpoints import router as audiences_router
from audience_sync.audience.sync_endpoints import router as syncs_router
from audience_sync.export.endpoints import download_router as export_download_router
from audience_sync.export.endpoints import router as exports_router
from audience_sync.platform.endpoints import router as platforms_router
from audience_sync.platforms import PlatformRegistry, with_fallbacks
from audience_sync.privacy.endpoints import router as privacy_router
from audience_sync.segment.endpoints import router as segments_router
from audience_sync.settings import Settings, get_settings
from audience_sync.sync.engine import SyncEngine
from audience_sync.sync.hashing import Hasher
from audience_sync.webhook.endpoints import router as webhooks_router


def make_registry(
    settings: Settings, platform_settings: PlatformSettings | None = None
) -> PlatformRegistry:
    return PlatformRegistry(
        with_fallbacks(platform_settings or PlatformSettings(), settings.default_client_id),
        timeout=settings.platform_timeout_seconds,
    )


def instance_name(role: str) -> str:
    return f"{role}:{socket.gethostname()}:{os.getpid()}"


def create_app(
    settings: Settings | None = None,
    *,
    platforms: PlatformRegistry | None = None,
) -> FastAPI:
    settings = settings or get_settings()

    async def startup(app: FastAPI) -> None:
        registry = platforms or make_registry(settings)
        app.state.platforms = registry
        app.state.cipher = settings.cipher()
        # Requests hash in a thread: estimates and inline initial syncs are small.
        app.state.hasher = Hasher(0)
        app.state.sync_engine = SyncEngine(
            engine=app.state.engine,
            sessionmaker=app.state.sessionmaker,
            registry=registry,
            cipher=app.state.cipher,
            settings=settings,
            hasher=app.state.hasher,
            owner=instance_name("api"),
        )

    async def shutdown(app: FastAPI) -> None:
        if platforms is None:
            await app.state.platforms.aclose()

    return create_service_app(
        settings,
        service="audience-sync",
        title="AdScale Audience Sync",
        routers=[
            segments_router,
            platforms_router,
            exports_router,  # before audiences: /audiences/export is not /audiences/{id}
            audiences_router,
            syncs_router,
            export_download_router,
            webhooks_router,
            privacy_router,
        ],
        on_startup=[startup],
        on_shutdown=[shutdown],
    )


def __getattr__(name: str) -> FastAPI:
    # ``audience_sync.main:app`` is built on first access (uvicorn), so importing this
    # module in tests reads no environment.
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)

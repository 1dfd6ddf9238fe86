"""Audience Sync service: app factory."""

from __future__ import annotations

from fastapi import FastAPI

from adscale_common.app import create_service_app
from audience_sync.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    return create_service_app(
        settings,
        service="audience-sync",
        title="AdScale Audience Sync",
        routers=[],
    )


app = create_app()

"""Campaigns service: app factory."""

from __future__ import annotations

from fastapi import FastAPI

from adscale_common.app import create_service_app
from campaigns.account.endpoints import router as accounts
from campaigns.ad_group.endpoints import router as ad_groups
from campaigns.campaign.endpoints import router as campaigns
from campaigns.creative.copy import ChatCompletionsCopyProvider, CopyGenerator, CopyProvider
from campaigns.creative.endpoints import router as creatives
from campaigns.metrics.endpoints import router as metrics
from campaigns.platforms import PlatformGateway
from campaigns.rule.endpoints import router as rules
from campaigns.rule_run.endpoints import router as rule_runs
from campaigns.settings import Settings, get_settings


def make_copy_generator(settings: Settings) -> CopyGenerator:
    providers: list[CopyProvider] = []
    if settings.copy_llm_url and settings.copy_llm_model:
        providers.append(
            ChatCompletionsCopyProvider(
                url=settings.copy_llm_url,
                model=settings.copy_llm_model,
                api_key=settings.copy_llm_api_key.get_secret_value(),
                timeout=settings.copy_llm_timeout_seconds,
            )
        )
    return CopyGenerator(providers)


def create_app(
    settings: Settings | None = None,
    *,
    platforms: PlatformGateway | None = None,
    copy_generator: CopyGenerator | None = None,
) -> FastAPI:
    settings = settings or get_settings()

    async def close(app: FastAPI) -> None:
        await app.state.platforms.aclose()
        await app.state.copy_generator.aclose()

    app = create_service_app(
        settings,
        service="campaigns",
        title="AdScale Campaigns",
        routers=[accounts, campaigns, ad_groups, creatives, metrics, rules, rule_runs],
        on_shutdown=[close],
    )
    app.state.cipher = settings.cipher()
    app.state.platforms = platforms or PlatformGateway(
        timeout=settings.platform_http_timeout_seconds
    )
    app.state.copy_generator = copy_generator or make_copy_generator(settings)
    return app


app = create_app()

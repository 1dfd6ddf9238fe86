"""Identity service: app factory."""

from __future__ import annotations

from fastapi import FastAPI, Request

from adscale_common.app import create_service_app
from identity.api_key.endpoints import router as api_key_router
from identity.auth.endpoints import router as auth_router
from identity.dependencies import security_of
from identity.internal import router as internal_router
from identity.mail.transport import smtp_problem
from identity.settings import Settings, get_settings


async def _check_keys(app: FastAPI) -> None:
    """Fail at startup, not at the first login, when the signing keys are unusable."""
    security_of(app)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    async def mail(_: Request) -> str:
        """Whether reset links can go out (the worker's mailer refuses to run otherwise)."""
        problem = smtp_problem(settings)
        return "ok" if problem is None else f"error: {problem}"

    return create_service_app(
        settings,
        service="identity",
        title="AdScale Identity",
        routers=[auth_router, api_key_router, internal_router],
        on_startup=[_check_keys],
        # Mail is advisory: without it resets cannot go out, but sign-in must keep working
        # and no probe may restart identity for it (see the README).
        advisory_checks={"mail": mail},
    )


app = create_app()

"""``/api/v1/auth``: register, login, refresh, logout, me, provision, forgot/reset password,
change password, sign out everywhere, the list of sign-in sessions."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from adscale_common.db import DbSession, ReadConnection
from adscale_common.errors import error_response
from adscale_common.internal_auth import CurrentJwtUser, CurrentJwtUserId, CurrentUserId
from adscale_common.pagination import Offset, OffsetPage
from identity.auth import service
from identity.auth.errors import PasswordRefused
from identity.auth.schemas import (
    Accepted,
    ChangePasswordRequest,
    ForgotPasswordRequest,
    LoginRequest,
    RefreshRequest,
    RegisterCreate,
    ResetPasswordRequest,
    SessionRead,
    TokenPair,
)
from identity.dependencies import AppSecurity
from identity.user import service as user_service
from identity.user.schemas import ProvisionCreate, ProvisionRead, UserRead

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

PUBLIC: dict[str, Any] = {"security": []}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Bad request",
        401: "Not authenticated",
        404: "No such open session of yours",
        409: "Conflict",
        422: "Validation error",
    }
    return {code: {"description": descriptions[code]} for code in codes}


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenPair,
    openapi_extra=PUBLIC,
    responses=_errors(409, 422),
    summary="Create an account",
)
async def register(
    body: RegisterCreate, request: Request, session: DbSession, security: AppSecurity
) -> TokenPair:
    user = await user_service.register(
        session, security.passwords, email=body.email, password=body.password
    )
    return await service.issue_tokens(session, security, user, user_agent=_device(request))


def _device(request: Request) -> str | None:
    """The User-Agent a session signs in with (the sessions list names the device by it)."""
    return request.headers.get("user-agent") or None


@router.post(
    "/login",
    response_model=TokenPair,
    openapi_extra=PUBLIC,
    responses=_errors(401, 422),
    summary="Exchange email and password for tokens",
)
async def login(
    body: LoginRequest, request: Request, session: DbSession, security: AppSecurity
) -> TokenPair:
    return await service.login(
        session,
        security,
        email=body.email,
        password=body.password,
        user_agent=_device(request),
    )


@router.post(
    "/refresh",
    response_model=TokenPair,
    openapi_extra=PUBLIC,
    responses=_errors(401, 422),
    summary="Rotate a refresh token into a new token pair",
)
async def refresh(
    body: RefreshRequest, request: Request, session: DbSession, security: AppSecurity
) -> TokenPair | JSONResponse:
    outcome = await service.refresh(session, security, body.refresh_token)
    if isinstance(outcome, service.RefreshRefused):
        # Answered, not raised: a family revocation must commit with the 401.
        error = outcome.error()
        return error_response(request.url.path, error.status_code, error.message, code=error.code)
    return outcome


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    openapi_extra=PUBLIC,
    responses=_errors(401, 422),
    summary="Revoke a refresh token's family (log out that session everywhere it went)",
)
async def logout(body: RefreshRequest, session: DbSession) -> Response:
    await service.logout(session, body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/me",
    response_model=UserRead,
    responses=_errors(401),
    summary="The current user's profile",
)
async def me(user_id: CurrentJwtUserId, connection: ReadConnection) -> UserRead:
    return await service.me(connection, user_id)


@router.post(
    "/provision",
    status_code=status.HTTP_201_CREATED,
    response_model=ProvisionRead,
    responses={
        200: {"description": "Already provisioned: the same user", "model": ProvisionRead},
        403: {"description": "API key of a Free-plan user (refused by the gateway)"},
        **_errors(401, 409, 422),
    },
    summary="Provision a user for a platform (idempotent on external_user_id)",
)
async def provision(
    body: ProvisionCreate, user_id: CurrentUserId, session: DbSession, response: Response
) -> ProvisionRead:
    outcome = await user_service.provision(
        session,
        caller_id=user_id,
        email=body.email,
        external_user_id=body.external_user_id,
    )
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
    user = outcome.user
    return ProvisionRead(user_id=user.id, email=user.email, plan=user.plan)


@router.post(
    "/forgot-password",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    openapi_extra=PUBLIC,
    responses=_errors(422),
    summary="Send a password reset link (same answer for any address)",
)
async def forgot_password(
    body: ForgotPasswordRequest, session: DbSession, security: AppSecurity
) -> Accepted:
    await service.request_password_reset(session, security, email=body.email)
    return Accepted(message="If an account exists for this address, a reset link is on its way.")


@router.post(
    "/reset-password",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    openapi_extra=PUBLIC,
    responses=_errors(400, 422),
    summary="Set a new password with a reset token (ends every session)",
)
async def reset_password(
    body: ResetPasswordRequest, session: DbSession, security: AppSecurity
) -> Response:
    await service.reset_password(
        session, security, token=body.token, new_password=body.new_password
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/change-password",
    response_model=TokenPair,
    responses={
        **_errors(401, 422),
        429: {"description": "Too many attempts (10 per user in 5 minutes)"},
    },
    summary="Change the password (ends every other session; answers a new one)",
    description="Every session of the user ends, this one's included: the answer is a new "
    "token pair. The ended sessions' access tokens are refused from then on. A wrong current "
    "password is a 422 on `current_password`.",
)
async def change_password(
    body: ChangePasswordRequest,
    request: Request,
    user_id: CurrentJwtUserId,
    session: DbSession,
    security: AppSecurity,
) -> TokenPair:
    try:
        return await service.change_password(
            session,
            security,
            user_id,
            current_password=body.current_password,
            new_password=body.new_password,
            user_agent=_device(request),
        )
    except PasswordRefused as refused:
        problem = {"loc": ("body", refused.field), "msg": refused.msg, "type": refused.kind}
        raise RequestValidationError([problem]) from None


@router.post(
    "/logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_errors(401),
    summary="Sign out everywhere: end every session of the user, this one's included",
)
async def logout_all(user_id: CurrentJwtUserId, session: DbSession) -> Response:
    await service.logout_everywhere(session, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/sessions",
    response_model=OffsetPage[SessionRead],
    responses=_errors(401),
    summary="List the open sign-in sessions (devices), the one active last first",
    description="A session is one sign-in (login, registration or password change) and its "
    "refreshes on one device; `current` marks the calling token's.",
)
async def list_sessions(
    user_id: CurrentJwtUserId, caller: CurrentJwtUser, session: DbSession, page: Offset
) -> OffsetPage[SessionRead]:
    items, total = await service.list_sessions(session, user_id, page, current=caller.session_id)
    return OffsetPage.of(items, total, page)


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=_errors(401, 404),
    summary="End one sign-in session (sign a device out)",
    description="Its refresh token stops working and the gateway refuses its access tokens "
    "from then on. Ending the calling token's own session signs this client out too.",
)
async def end_session(
    session_id: uuid.UUID, user_id: CurrentJwtUserId, session: DbSession
) -> Response:
    await service.end_session(session, user_id, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

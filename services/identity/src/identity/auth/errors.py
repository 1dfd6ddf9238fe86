"""Authentication errors. Messages never say which part of a credential was wrong."""

from __future__ import annotations

from adscale_common.errors import BadRequest, NotFound, Unauthorized


class InvalidCredentials(
    Unauthorized, code="INVALID_CREDENTIALS", message="Invalid email or password"
): ...


class InvalidRefreshToken(
    Unauthorized, code="INVALID_REFRESH_TOKEN", message="Invalid or expired refresh token"
): ...


class InvalidResetToken(
    BadRequest, code="INVALID_RESET_TOKEN", message="Invalid or expired password reset token"
): ...


class SessionNotFound(NotFound, code="SESSION_NOT_FOUND", message="Session not found"): ...


class PasswordRefused(Exception):
    """A signed-in user's password change refused on one field of the request (answered
    as the 422 of that field: ``loc`` ``["body", field]``, ``msg``, ``type``)."""

    def __init__(self, field: str, msg: str, kind: str) -> None:
        super().__init__(msg)
        self.field = field
        self.msg = msg
        self.kind = kind

"""Authentication errors. Messages never say which part of a credential was wrong."""

from __future__ import annotations

from adscale_common.errors import BadRequest, Unauthorized


class InvalidCredentials(
    Unauthorized, code="INVALID_CREDENTIALS", message="Invalid email or password"
): ...


class InvalidRefreshToken(
    Unauthorized, code="INVALID_REFRESH_TOKEN", message="Invalid or expired refresh token"
): ...


class InvalidResetToken(
    BadRequest, code="INVALID_RESET_TOKEN", message="Invalid or expired password reset token"
): ...

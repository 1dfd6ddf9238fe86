"""User errors."""

from __future__ import annotations

from adscale_common.errors import Conflict, Unauthorized


class EmailTaken(
    Conflict, code="EMAIL_TAKEN", message="An account with this email already exists"
): ...


class ExternalIdTaken(
    Conflict,
    code="EXTERNAL_USER_ID_TAKEN",
    message="This external_user_id is already provisioned with different details",
): ...


class UserGone(
    Unauthorized, code="UNAUTHORIZED", message="The account of this token no longer exists"
): ...

from __future__ import annotations

from adscale_common.errors import Conflict, NotFound


class AccountNotFound(NotFound, code="AD_ACCOUNT_NOT_FOUND", message="Ad account not found"): ...


class DuplicateAccount(
    Conflict,
    code="AD_ACCOUNT_EXISTS",
    message="This ad account is already connected (same platform and external id)",
): ...

from __future__ import annotations

from adscale_common.errors import AppError, Forbidden, NotFound, ServiceUnavailable


class ExportNotFound(NotFound, code="EXPORT_NOT_FOUND", message="Export not found"): ...


class InvalidDownloadLink(
    Forbidden, code="INVALID_SIGNATURE", message="The download link is not valid"
): ...


class DownloadExpired(
    AppError, status_code=410, code="EXPORT_EXPIRED", message="The download link has expired"
): ...


class SigningNotConfigured(
    ServiceUnavailable,
    code="SERVICE_UNAVAILABLE",
    message="Export links are not configured (AUDIENCE_SYNC_EXPORT_SIGNING_KEY)",
): ...

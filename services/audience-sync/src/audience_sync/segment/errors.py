from __future__ import annotations

from adscale_common.errors import AppError, Conflict, NotFound


class SegmentNotFound(NotFound, code="SEGMENT_NOT_FOUND", message="Source segment not found"): ...


class SegmentInUse(
    Conflict,
    code="SEGMENT_IN_USE",
    message="The segment feeds platform audiences; delete them first",
): ...


class UnsupportedMediaType(
    AppError,
    status_code=415,
    code="UNSUPPORTED_MEDIA_TYPE",
    message="The import body must be text/csv",
): ...


class InvalidImport(
    AppError, status_code=422, code="VALIDATION_ERROR", message="The CSV cannot be imported"
): ...


class UnsupportedEncoding(
    AppError, status_code=415, code="UNSUPPORTED_ENCODING", message="The CSV must be UTF-8 encoded"
): ...


class InvalidCompression(
    AppError,
    status_code=422,
    code="INVALID_COMPRESSION",
    message="The body is declared gzip-compressed but cannot be inflated",
): ...


class MappingInvalid(
    AppError, status_code=422, code="INVALID_MAPPING", message="The column mapping cannot be used"
): ...


class MappingColumnNotFound(
    AppError,
    status_code=422,
    code="MAPPING_COLUMN_NOT_FOUND",
    message="The mapping names columns the header does not have",
): ...


class NoIdentifierColumn(
    AppError,
    status_code=422,
    code="NO_IDENTIFIER_COLUMN",
    message="No column holds an external id, an email, a phone or a mobile ad id; "
    "name one in the header or in the mapping",
): ...

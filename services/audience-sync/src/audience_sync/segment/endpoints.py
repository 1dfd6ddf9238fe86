"""``/api/v1/cdp/segments``: the CDP source segments and their profiles."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from adscale_common.db import DbSession
from adscale_common.internal_auth import CurrentUserId
from adscale_common.pagination import Page
from adscale_common.repository import Contains
from audience_sync.dependencies import AppSettings
from audience_sync.models import Segment
from audience_sync.segment import repository, service
from audience_sync.segment.csv_import import CsvUpload
from audience_sync.segment.dialect import check_charset
from audience_sync.segment.errors import UnsupportedMediaType
from audience_sync.segment.mapping import parse_mapping
from audience_sync.segment.schemas import (
    ImportPreview,
    ImportResult,
    ProfileList,
    ProfilesDelete,
    ProfilesDeleted,
    ProfilesUpsert,
    SegmentCreate,
    SegmentDeleted,
    SegmentDetail,
    SegmentList,
    SegmentRead,
    UpsertResult,
)

router = APIRouter(prefix="/api/v1/cdp/segments", tags=["cdp: segments"])

CSV_TYPES = frozenset({"text/csv", "application/csv", "text/plain"})


async def _owned_segment(
    segment_id: uuid.UUID, session: DbSession, user_id: CurrentUserId
) -> Segment:
    return await service.get_owned(session, user_id, segment_id)


OwnedSegment = Annotated[Segment, Depends(_owned_segment)]


@router.post("", response_model=SegmentRead, status_code=status.HTTP_201_CREATED)
async def create_segment(
    body: SegmentCreate, session: DbSession, user_id: CurrentUserId
) -> SegmentRead:
    return service.read(await service.create(session, user_id, body))


@router.get("", response_model=SegmentList)
async def list_segments(
    session: DbSession,
    user_id: CurrentUserId,
    page: Page,
    name_contains: Annotated[
        str | None,
        Query(max_length=255, description="Only segments whose name holds this text, any case"),
    ] = None,
) -> SegmentList:
    named = Contains(name_contains) if name_contains else None
    rows, total = await repository.owned.page(session, user_id, page.offset, page.limit, name=named)
    return SegmentList(
        segments=[service.read(s) for s in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.get("/{segment_id}", response_model=SegmentDetail)
async def get_segment(segment: OwnedSegment, session: DbSession) -> SegmentDetail:
    """The segment with its identifier coverage: how many profiles have an email, a phone,
    first name + last name + zip, a mobile ad id."""
    return await service.detail(session, segment)


@router.delete("/{segment_id}", response_model=SegmentDeleted)
async def delete_segment(segment: OwnedSegment, session: DbSession) -> SegmentDeleted:
    """Deletes the segment and its profiles; refused (409 ``SEGMENT_IN_USE``) while platform
    audiences are fed by it."""
    profiles = await service.delete(session, segment)
    return SegmentDeleted(deleted=True, segment_id=segment.id, profiles_deleted=profiles)


@router.get(
    "/{segment_id}/profiles",
    response_model=ProfileList,
    summary="List Profiles",
    responses={404: {"description": "SEGMENT_NOT_FOUND (also another user's segment)"}},
)
async def list_profiles(
    segment: OwnedSegment,
    session: DbSession,
    page: Page,
    q: Annotated[
        str | None,
        Query(
            max_length=255,
            description="Find a person: profiles whose `external_id` starts with this text "
            "(exact case), whose email (first or further) is it trimmed and lower-cased, or "
            "whose phone is it as a number (E.164; without a country code, the default "
            "region's). A text that is no email or no number skips that part.",
            examples=["cust-10", "jane.doe@example.com", "+1 415 555 0100"],
        ),
    ] = None,
) -> ProfileList:
    """The segment's profiles, most recently updated first (then by ``external_id``), each
    as subject access shows it: its fields and further emails and phones as stored, traits,
    consent and dates. ``total`` counts the profiles matching ``q`` (without it, the
    segment's ``profile_count``)."""
    return await service.list_profiles(session, segment, page, q)


@router.post("/{segment_id}/profiles", response_model=UpsertResult)
async def upsert_profiles(
    body: ProfilesUpsert, segment: OwnedSegment, session: DbSession
) -> UpsertResult:
    """Upsert up to 10,000 profiles by ``external_id`` (422 above)."""
    return await service.upsert_profiles(session, segment, body.profiles)


@router.delete("/{segment_id}/profiles", response_model=ProfilesDeleted)
async def delete_profiles(
    body: ProfilesDelete, segment: OwnedSegment, session: DbSession
) -> ProfilesDeleted:
    """Remove up to 10,000 profiles by ``external_id``."""
    return await service.delete_profiles(session, segment, body.external_ids)


IMPORT_EXAMPLE = (
    "\ufeffEmail Address;First Name;Last Name;Phone;Zip;Tier\r\n"
    'ann@example.com;Ann;Lee;\'+1 415 555 0100;="02134";gold\r\n'
)


@router.post(
    "/{segment_id}/profiles/import",
    response_model=ImportResult | ImportPreview,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A CSV file as a spreadsheet or an export wrote it: UTF-8 with or "
            "without a byte-order mark; `,` `;` tab or `|` between fields (sniffed from the "
            "header); LF, CRLF or CR line ends; `Content-Encoding: gzip` accepted.",
            "content": {
                "text/csv": {
                    "schema": {"type": "string", "format": "binary"},
                    "example": IMPORT_EXAMPLE,
                }
            },
        },
        "responses": {
            "415": {
                "description": "Not `text/csv`, an unknown `Content-Encoding`, or not "
                "UTF-8 (`UNSUPPORTED_ENCODING`, `details.encoding` names what it looks like)"
            },
            "422": {
                "description": "`INVALID_MAPPING`, `MAPPING_COLUMN_NOT_FOUND`, "
                "`NO_IDENTIFIER_COLUMN`, `INVALID_COMPRESSION`, or a CSV that cannot be "
                "read (`VALIDATION_ERROR`)"
            },
        },
    },
)
async def import_profiles(
    request: Request,
    segment: OwnedSegment,
    session: DbSession,
    settings: AppSettings,
    mapping: Annotated[
        str | None,
        Query(
            description="A JSON object: column header → profile field, `trait:<name>` or "
            "`ignore`; overrides what the header names suggest.",
            examples=[
                '{"Customer ID": "external_id", "Loyalty tier": "trait:tier", "Notes": "ignore"}'
            ],
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        Query(
            description="Read and check the whole file and answer what the import would do "
            "(an `ImportPreview`), writing nothing."
        ),
    ] = False,
) -> ImportResult | ImportPreview:
    """Import a CSV body of any size. Each header column is matched to a profile field
    (``external_id``, ``email``, ``phone``, ``first_name``, ``last_name``, ``city``,
    ``state``, ``zip``, ``country``, ``madid``; ``traits`` as a JSON object) by its name or
    the names common exports use, case, spacing and punctuation aside; ``mapping`` overrides
    that, and any other column becomes a string trait. Without an id column each person is
    keyed on their first email, else phone, else mobile ad id. The body is streamed and
    upserted in chunks; invalid rows are counted and sampled (line number and reason,
    never the value). ``dry_run=true`` changes nothing and shows the dialect, the mapping
    and what would happen."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in CSV_TYPES:
        raise UnsupportedMediaType(details={"content_type": content_type or None})
    check_charset(request.headers.get("content-type", ""))
    upload = CsvUpload(
        request.stream(),
        content_encoding=request.headers.get("content-encoding", ""),
        mapping=parse_mapping(mapping),
    )
    if dry_run:
        return await service.preview_csv(
            session, segment, upload, chunk_rows=settings.import_chunk_rows
        )
    return await service.import_csv(session, segment, upload, chunk_rows=settings.import_chunk_rows)

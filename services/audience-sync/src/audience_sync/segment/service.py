"""CDP segments and their profiles: CRUD, bulk upsert/remove, streaming CSV import."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from audience_sync.db import driver
from audience_sync.models import Segment
from audience_sync.safeguards import suppression
from audience_sync.segment import repository
from audience_sync.segment.csv_import import CsvUpload, RowBuilder
from audience_sync.segment.errors import SegmentInUse
from audience_sync.segment.repository import PreviewStage, ProfileStage, UpsertCounts
from audience_sync.segment.rows import (
    EXTRA_COLUMNS,
    FIELDS,
    InvalidValue,
    stage_record,
    traits_json,
)
from audience_sync.segment.schemas import (
    ColumnDecision,
    DialectRead,
    IdentifierCounts,
    IdentifierCoverage,
    ImportPreview,
    ImportResult,
    InvalidRow,
    ProfileIn,
    ProfilesDeleted,
    SegmentCoverage,
    SegmentCreate,
    SegmentDetail,
    SegmentRead,
    UpsertResult,
)
from audience_sync.sync import digest

MAX_SAMPLES = 20


def read(segment: Segment) -> SegmentRead:
    return SegmentRead.model_validate(segment, from_attributes=True)


async def create(session: AsyncSession, user_id: uuid.UUID, body: SegmentCreate) -> Segment:
    segment = Segment(user_id=user_id, name=body.name, description=body.description)
    session.add(segment)
    await session.flush()
    await session.refresh(segment)
    return segment


async def get_owned(session: AsyncSession, user_id: uuid.UUID, segment_id: uuid.UUID) -> Segment:
    return await repository.owned.require(session, user_id, segment_id)


async def detail(session: AsyncSession, segment: Segment) -> SegmentDetail:
    coverage = await repository.coverage(session, segment.id)
    audiences = await repository.audience_ids(session, segment.id)
    return SegmentDetail(
        **read(segment).model_dump(),
        identifier_coverage=SegmentCoverage(**coverage),
        audience_count=len(audiences),
    )


async def delete(session: AsyncSession, segment: Segment) -> int:
    audiences = await repository.audience_ids(session, segment.id)
    if audiences:
        raise SegmentInUse(details={"audience_ids": [str(a) for a in audiences]})
    count = segment.profile_count
    conn = await driver(session)
    await digest.lock_segment_profiles(conn, segment.id)
    await digest.delete_digests(conn, segment.id)
    await repository.delete(session, segment)
    return count


# --------------------------------------------------------------------------- profiles


async def upsert_profiles(
    session: AsyncSession, segment: Segment, profiles: Sequence[ProfileIn]
) -> UpsertResult:
    """Bulk upsert. Profiles are grouped by the set of fields they carry, so a field left
    out keeps its stored value while ``null`` clears it."""
    invalid: list[InvalidRow] = []
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for index, profile in enumerate(profiles):
        present = profile.model_fields_set
        columns = tuple(f for f in (*FIELDS, "traits") if f in present) + tuple(
            EXTRA_COLUMNS[f] for f in EXTRA_COLUMNS if f in present
        )
        values = {f: getattr(profile, f) for f in FIELDS}
        try:
            record = stage_record(index, profile.external_id, values, traits_json(profile.traits))
        except InvalidValue as exc:
            invalid.append(
                InvalidRow(index=index, external_id=profile.external_id, reason=str(exc))
            )
            continue
        groups.setdefault(columns, []).append(record)
    totals = UpsertCounts()
    if groups:
        stage = ProfileStage(await driver(session), segment.id)
        for columns, records in groups.items():
            totals.add(await stage.upsert(records, columns))
    count = await repository.add_to_count(session, segment.id, totals.inserted)
    return UpsertResult(
        received=len(profiles),
        inserted=totals.inserted,
        updated=totals.updated,
        unchanged=totals.unchanged + totals.duplicates,
        invalid=len(invalid),
        invalid_samples=invalid[:MAX_SAMPLES],
        profile_count=count,
        **suppression.report(totals.suppressed, "index"),
    )


async def delete_profiles(
    session: AsyncSession, segment: Segment, external_ids: Sequence[str]
) -> ProfilesDeleted:
    conn = await driver(session)
    await digest.lock_segment_profiles(conn, segment.id)
    deleted = await repository.delete_profiles(session, segment.id, external_ids)
    await digest.delete_digests(conn, segment.id, deleted)
    count = await repository.add_to_count(session, segment.id, -len(deleted))
    return ProfilesDeleted(
        deleted=len(deleted), not_found=len(set(external_ids)) - len(deleted), profile_count=count
    )


def accept_row(builder: RowBuilder, line: int, values: list[str]) -> tuple[Any, ...] | None:
    """The one place an imported row is accepted or refused: the stage record to write, or
    ``None`` with the reason counted and sampled on ``builder`` (``builder.reject``). Any
    further rule on which rows may enter a segment belongs here."""
    return builder.build(line, values)


async def import_csv(
    session: AsyncSession, segment: Segment, upload: CsvUpload, *, chunk_rows: int
) -> ImportResult:
    """Stream a CSV body into the segment: parsed as it arrives, COPYed into a staging table
    and upserted every ``chunk_rows`` rows, all in the request's transaction (an import
    that fails leaves the segment as it was)."""
    stage = ProfileStage(await driver(session), segment.id)
    totals = UpsertCounts()
    async for records in upload.chunks(accept_row, chunk_rows):
        totals.add(await stage.upsert(records, upload.profile_columns))
    count = await repository.add_to_count(session, segment.id, totals.inserted)
    return ImportResult(
        received=upload.received,
        inserted=totals.inserted,
        updated=totals.updated,
        unchanged=totals.unchanged,
        duplicates=totals.duplicates,
        invalid=upload.invalid,
        invalid_samples=upload.samples,
        profile_count=count,
        **suppression.report(totals.suppressed, "line"),
    )


async def preview_csv(
    session: AsyncSession, segment: Segment, upload: CsvUpload, *, chunk_rows: int
) -> ImportPreview:
    """What :func:`import_csv` would do with the same body, changing nothing: the rows are
    read and checked the same way and COPYed into a temporary table only (dropped at the
    end of the transaction), which tells the people found and how many the segment has."""
    stage = PreviewStage(await driver(session), segment.id)
    async for records in upload.chunks(accept_row, chunk_rows):
        await stage.add(records)
    found = await stage.summary()
    builder = upload.builder
    return ImportPreview(
        dialect=DialectRead(**upload.dialect.describe()),
        columns=[
            ColumnDecision(
                position=c.position + 1, header=c.header, target=c.target, decided_by=c.decided_by
            )
            for c in (builder.columns if builder else [])
        ],
        received=upload.received,
        people=found.people,
        new_people=found.people - found.existing,
        existing_people=found.existing,
        duplicates=found.staged - found.people,
        identifier_coverage=IdentifierCoverage(**found.coverage),
        identifier_counts=IdentifierCounts(**found.identifiers),
        invalid=upload.invalid,
        invalid_samples=upload.samples,
    )

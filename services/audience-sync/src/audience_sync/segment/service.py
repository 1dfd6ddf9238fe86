"""CDP segments and their profiles: CRUD, listing and search, bulk upsert/remove, streaming
CSV import."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adscale_common.pagination import PageParams
from audience_sync.db import driver
from audience_sync.models import Segment
from audience_sync.safeguards import suppression
from audience_sync.safeguards.identity import normalize_email, normalize_phone
from audience_sync.segment import repository
from audience_sync.segment.csv_import import CsvUpload, RowBuilder
from audience_sync.segment.errors import SegmentInUse
from audience_sync.segment.repository import (
    PreviewStage,
    ProfileSearch,
    ProfileStage,
    UpsertCounts,
)
from audience_sync.segment.rows import (
    CONSENT_FIELDS,
    EXTRA_COLUMNS,
    FIELDS,
    InvalidValue,
    stage_record,
    traits_json,
)
from audience_sync.segment.schemas import (
    ColumnDecision,
    Consent,
    DialectRead,
    IdentifierCounts,
    IdentifierCoverage,
    ImportPreview,
    ImportResult,
    InvalidRow,
    ProfileIn,
    ProfileList,
    ProfileRead,
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

# What a profile shows in ``fields``: its columns but the key, the traits and the consent.
PROFILE_FIELDS = tuple(f for f in FIELDS if f not in CONSENT_FIELDS)


def profile_read(row: Mapping[Any, Any]) -> ProfileRead:
    """A stored profile (a ``profile`` row, ``traits`` decoded) as the API shows it."""
    return ProfileRead(
        external_id=row["external_id"],
        fields={f: row[f] for f in PROFILE_FIELDS if row[f] is not None},
        extra_emails=list(row["extra_emails"] or ()),
        extra_phones=list(row["extra_phones"] or ()),
        traits=row["traits"],
        consent=Consent(
            ad_user_data=row["consent_ad_user_data"] or "unspecified",
            ad_personalization=row["consent_ad_personalization"] or "unspecified",
        ),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def list_profiles(
    session: AsyncSession, segment: Segment, page: PageParams, q: str | None
) -> ProfileList:
    """A page of the segment's profiles, most recently updated first; ``q`` keeps those of
    one person (:func:`_search`). Without ``q`` the total is the segment's count."""
    search = await _search(session, segment.id, q) if q else None
    if search is None:
        total = segment.profile_count
    else:
        total = await repository.count_matching(session, segment.id, search)
    rows = (
        await repository.profiles_page(session, segment.id, page.offset, page.limit, search)
        if search is None or page.offset < total  # a search counted first: no page past it
        else []
    )
    return ProfileList(
        profiles=[profile_read(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


async def _search(session: AsyncSession, segment_id: uuid.UUID, q: str) -> ProfileSearch:
    """``q`` as an ``external_id`` prefix (as written), an email (normalized as imports and
    subject access do: trimmed, lower case) and a phone number (E.164, the default region
    for a number without a country code); a ``q`` that is no email or no number skips that
    reading. The email's and the phone's profiles are found first, through their indexes,
    as subject access finds them: the phone's by its last seven digits, then compared
    normalized."""
    found: set[str] = set()
    email = normalize_email(q)
    if email is not None:
        found.update(await repository.email_holders(session, segment_id, email))
    number = normalize_phone(q)
    if number is not None:
        candidates = await repository.phone_candidates(session, segment_id, number)
        found.update(key for key, phone in candidates if normalize_phone(phone) == number)
    return ProfileSearch(prefix=q, external_ids=sorted(found))


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

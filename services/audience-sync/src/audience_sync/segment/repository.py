from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from audience_sync.models import Audience, Profile, Segment, table
from audience_sync.owned import OwnedById
from audience_sync.safeguards import identity, suppression
from audience_sync.segment.errors import SegmentNotFound
from audience_sync.segment.rows import EXTRA_COLUMNS, FIELDS, STAGE_COLUMNS
from audience_sync.sync.digest import lock_profile_writes
from audience_sync.sync.fields import DIGEST_FIELDS

owned = OwnedById(Segment, not_found=SegmentNotFound, id_field="segment_id")


def _extras(column: Any) -> Any:
    """How many values a text-array column holds over the rows (0 for none)."""
    return sa.func.coalesce(sa.func.sum(sa.func.cardinality(column)), 0)


async def coverage(session: AsyncSession, segment_id: uuid.UUID) -> dict[str, int]:
    p = table(Profile).c
    row = (
        await session.execute(
            sa.select(
                sa.func.count(p.email).label("email"),
                sa.func.count(p.phone).label("phone"),
                sa.func.count()
                .filter(
                    sa.and_(p.first_name.is_not(None), p.last_name.is_not(None), p.zip.is_not(None))
                )
                .label("name_zip"),
                sa.func.count(p.madid).label("madid"),
                _extras(p.extra_emails).label("extra_emails"),
                _extras(p.extra_phones).label("extra_phones"),
            ).where(p.segment_id == segment_id)
        )
    ).one()
    return {k: int(v) for k, v in row._mapping.items()}


async def field_coverage(session: AsyncSession, segment_id: uuid.UUID) -> dict[str, int]:
    """Profiles of the segment holding each identifier field a platform may take, and the
    further emails / phones they hold (``extra_emails`` / ``extra_phones``)."""
    p = table(Profile).c
    row = (
        await session.execute(
            sa.select(
                *(sa.func.count(p[name]).label(name) for name in DIGEST_FIELDS),
                _extras(p.extra_emails).label("extra_emails"),
                _extras(p.extra_phones).label("extra_phones"),
            ).where(p.segment_id == segment_id)
        )
    ).one()
    return {k: int(v) for k, v in row._mapping.items()}


async def audience_ids(session: AsyncSession, segment_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = sa.select(col(Audience.id)).where(col(Audience.segment_id) == segment_id)
    return list((await session.execute(stmt)).scalars())


async def delete(session: AsyncSession, segment: Segment) -> None:
    await session.execute(sa.delete(Segment).where(col(Segment.id) == segment.id))


async def add_to_count(session: AsyncSession, segment_id: uuid.UUID, delta: int) -> int:
    """Adjust ``profile_count`` and return the new value."""
    new = (
        await session.execute(
            sa.update(Segment)
            .where(col(Segment.id) == segment_id)
            .values(profile_count=col(Segment.profile_count) + delta, updated_at=sa.func.now())
            .returning(col(Segment.profile_count))
        )
    ).scalar_one()
    return int(new)


async def delete_profiles(
    session: AsyncSession, segment_id: uuid.UUID, external_ids: Sequence[str]
) -> list[str]:
    """Delete profiles and their cached digests; returns the external ids deleted."""
    p = table(Profile).c
    result = await session.execute(
        sa.delete(table(Profile))
        .where(p.segment_id == segment_id, p.external_id.in_(sorted(set(external_ids))))
        .returning(p.external_id)
    )
    return [str(v) for v in result.scalars()]


# --------------------------------------------------------------------------- profiles list


@dataclass(frozen=True)
class ProfileSearch:
    """What ``q`` of the profiles list matches: an ``external_id`` starting with ``prefix``
    (exact case), or one of ``external_ids`` (the profiles holding ``q`` as an email or a
    phone number, found first through their indexes: :func:`email_holders`,
    :func:`phone_candidates`)."""

    prefix: str
    external_ids: Sequence[str] = ()


def _matching(search: ProfileSearch) -> ColumnElement[bool]:
    """The prefix and the ids found, both read from ``ix_profile_external_id_prefix`` (in
    ``text_pattern_ops``, the prefix is a range of it; the primary key serves ``LIKE`` only
    under ``C`` collation)."""
    p = table(Profile).c
    branches = [p.external_id.startswith(search.prefix, autoescape=True)]
    if search.external_ids:
        ids = sa.literal(list(search.external_ids), pg.ARRAY(sa.Text))
        branches.append(p.external_id == sa.any_(ids))
    return sa.or_(*branches)


def page_query(
    segment_id: uuid.UUID, offset: int, limit: int, search: ProfileSearch | None = None
) -> sa.Select[Any]:
    """The segment's profiles most recently updated first, then by ``external_id`` (pages
    never overlap): read in that order from ``ix_profile_updated``, no sort. With a search,
    the few profiles it matches are read from their index and sorted (or, when the prefix
    matches many, the segment is read in order until the page is full)."""
    p = table(Profile).c
    stmt = (
        sa.select(table(Profile))
        .where(p.segment_id == segment_id)
        .order_by(p.updated_at.desc(), p.external_id)
        .offset(offset)
        .limit(limit)
    )
    return stmt if search is None else stmt.where(_matching(search))


async def profiles_page(
    session: AsyncSession,
    segment_id: uuid.UUID,
    offset: int,
    limit: int,
    search: ProfileSearch | None = None,
) -> list[sa.RowMapping]:
    stmt = page_query(segment_id, offset, limit, search)
    return list((await session.execute(stmt)).mappings())


def count_query(segment_id: uuid.UUID, search: ProfileSearch) -> sa.Select[Any]:
    p = table(Profile).c
    return sa.select(sa.func.count()).where(p.segment_id == segment_id, _matching(search))


async def count_matching(
    session: AsyncSession, segment_id: uuid.UUID, search: ProfileSearch
) -> int:
    return int((await session.execute(count_query(segment_id, search))).scalar_one())


def email_holders_query(segment_id: uuid.UUID, email: str) -> sa.Select[Any]:
    """``external_id`` of the segment's profiles whose first or further email, normalized,
    is ``email`` (normalized): ``ix_profile_email`` and ``ix_profile_extra_emails``."""
    p = table(Profile).c
    holds = sa.text(identity.email_is_sql("profile", ":email")).bindparams(email=email)
    return sa.select(p.external_id).where(p.segment_id == segment_id, holds)


async def email_holders(session: AsyncSession, segment_id: uuid.UUID, email: str) -> list[str]:
    rows = await session.execute(email_holders_query(segment_id, email))
    return [str(v) for v in rows.scalars()]


def phone_candidates_query(segment_id: uuid.UUID, number: str) -> sa.Select[Any]:
    """``(external_id, phone)`` of the segment's profiles whose phone's digits end like
    ``number`` (E.164), as subject access finds them: ``ix_profile_phone_tail``."""
    p = table(Profile).c
    tail = sa.literal_column(identity.phone_tail_sql("profile"), sa.Text)
    return sa.select(p.external_id, p.phone).where(
        p.segment_id == segment_id, tail == identity.phone_tail(number)
    )


async def phone_candidates(
    session: AsyncSession, segment_id: uuid.UUID, number: str
) -> list[tuple[str, str]]:
    """The candidates of :func:`phone_candidates_query`; the caller compares the numbers
    normalized."""
    rows = await session.execute(phone_candidates_query(segment_id, number))
    return [(str(r[0]), str(r[1])) for r in rows.all()]


# --------------------------------------------------------------------------- bulk upsert


@dataclass
class UpsertCounts:
    staged: int = 0
    distinct: int = 0
    inserted: int = 0
    updated: int = 0
    # Rows refused because the person is on the suppression list: (line, external_id).
    suppressed: list[tuple[int, str]] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        return self.distinct - self.inserted - self.updated

    @property
    def duplicates(self) -> int:
        return self.staged - self.distinct

    def add(self, other: UpsertCounts) -> None:
        self.staged += other.staged
        self.distinct += other.distinct
        self.inserted += other.inserted
        self.updated += other.updated
        self.suppressed.extend(other.suppressed)


class ProfileStage:
    """A temporary table in the caller's transaction: COPY a chunk of rows in, upsert them.

    ``columns`` are the profile fields the source carries (plus ``traits`` when present);
    fields it does not carry keep their stored values. Rows repeating an ``external_id`` keep
    the last one. A profile whose content does not change keeps its ``version`` (its cached
    hashes stay valid).
    """

    def __init__(self, conn: asyncpg.Connection[Any], segment_id: uuid.UUID) -> None:
        self.conn = conn
        self.segment_id = segment_id
        self.table = f"profile_stage_{uuid.uuid4().hex[:16]}"
        self._created = False

    async def _create(self) -> None:
        # Before any version is drawn: the digest mark waits for this transaction.
        await lock_profile_writes(self.conn, self.segment_id)
        await self.conn.execute(
            f"CREATE TEMP TABLE {self.table} ({_stage_columns()}) ON COMMIT DROP"
        )
        self._created = True

    async def upsert(
        self, records: Sequence[tuple[Any, ...]], columns: Sequence[str]
    ) -> UpsertCounts:
        if not records:
            return UpsertCounts()
        if not self._created:
            await self._create()
        else:
            await self.conn.execute(f"TRUNCATE {self.table}")
        await self.conn.copy_records_to_table(
            self.table, records=records, columns=list(STAGE_COLUMNS)
        )
        refused = await suppression.screen(self.conn, self.segment_id, self.table)
        cols = [c for c in (*FIELDS, *EXTRA_COLUMNS.values(), "traits") if c in columns]
        segment = str(uuid.UUID(str(self.segment_id)))  # a literal UUID, never user text
        insert_cols = "".join(f", {c}" for c in cols)
        if cols:
            assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols)
            old = ", ".join(f"p.{c}" for c in cols)
            new = ", ".join(f"EXCLUDED.{c}" for c in cols)
            conflict = (
                f"DO UPDATE SET {assignments}, version = nextval('profile_version_seq'), "
                f"updated_at = now() WHERE ROW({old}) IS DISTINCT FROM ROW({new})"
            )
        else:
            conflict = "DO NOTHING"
        sql = f"""
            WITH src AS (
                SELECT DISTINCT ON (external_id) * FROM {self.table}
                ORDER BY external_id, line DESC
            ), up AS (
                INSERT INTO profile AS p (segment_id, external_id{insert_cols})
                SELECT '{segment}'::uuid, external_id{insert_cols} FROM src
                ON CONFLICT (segment_id, external_id) {conflict}
                RETURNING (xmax = 0) AS inserted
            )
            SELECT (SELECT count(*) FROM src) AS distinct_rows,
                   count(*) FILTER (WHERE inserted) AS inserted,
                   count(*) FILTER (WHERE NOT inserted) AS updated
            FROM up
        """  # noqa: S608 - table and column names come from constants, never from input
        row = await self.conn.fetchrow(sql)
        assert row is not None
        return UpsertCounts(
            staged=len(records) - len(refused),
            suppressed=refused,
            distinct=int(row["distinct_rows"]),
            inserted=int(row["inserted"]),
            updated=int(row["updated"]),
        )


@dataclass
class PreviewCounts:
    staged: int
    people: int
    existing: int
    coverage: dict[str, int]
    identifiers: dict[str, int]


class PreviewStage:
    """A dry run's temporary table: every accepted row is COPYed in (nothing else is
    written); :meth:`summary` counts the people (the last row of a key wins, as in an
    import), those the segment already has, and their identifier coverage."""

    def __init__(self, conn: asyncpg.Connection[Any], segment_id: uuid.UUID) -> None:
        self.conn = conn
        self.segment_id = segment_id
        self.table = f"profile_preview_{uuid.uuid4().hex[:16]}"
        self.staged = 0

    async def add(self, records: Sequence[tuple[Any, ...]]) -> None:
        if not self.staged:
            await self.conn.execute(
                f"CREATE TEMP TABLE {self.table} ({_stage_columns()}) ON COMMIT DROP"
            )
        await self.conn.copy_records_to_table(
            self.table, records=records, columns=list(STAGE_COLUMNS)
        )
        self.staged += len(records)

    async def summary(self) -> PreviewCounts:
        if not self.staged:
            zero = {"email": 0, "phone": 0, "name_zip": 0, "madid": 0}
            return PreviewCounts(
                staged=0,
                people=0,
                existing=0,
                coverage=zero,
                identifiers={"emails": 0, "phones": 0},
            )
        sql = f"""
            WITH src AS (
                SELECT DISTINCT ON (external_id) * FROM {self.table}
                ORDER BY external_id, line DESC
            )
            SELECT count(*) AS people,
                   count(p.external_id) AS existing,
                   count(src.email) AS email,
                   count(src.phone) AS phone,
                   count(*) FILTER (WHERE src.first_name IS NOT NULL
                       AND src.last_name IS NOT NULL AND src.zip IS NOT NULL) AS name_zip,
                   count(src.madid) AS madid,
                   count(src.email) + coalesce(sum(cardinality(src.extra_emails)), 0) AS emails,
                   count(src.phone) + coalesce(sum(cardinality(src.extra_phones)), 0) AS phones
            FROM src LEFT JOIN profile p
              ON p.segment_id = $1 AND p.external_id = src.external_id
        """  # noqa: S608 - the table name is generated here, never from input
        row = await self.conn.fetchrow(sql, self.segment_id)
        assert row is not None
        return PreviewCounts(
            staged=self.staged,
            people=int(row["people"]),
            existing=int(row["existing"]),
            coverage={k: int(row[k]) for k in ("email", "phone", "name_zip", "madid")},
            identifiers={"emails": int(row["emails"]), "phones": int(row["phones"])},
        )


_STAGE_TYPES = {
    "line": "bigint",
    "traits": "jsonb",
    **dict.fromkeys(EXTRA_COLUMNS.values(), "text[]"),
}


def _stage_columns() -> str:
    return ", ".join(f"{name} {_STAGE_TYPES.get(name, 'text')}" for name in STAGE_COLUMNS)

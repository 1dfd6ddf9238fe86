"""OwnedRepository: ownership-scoped loads, pages and counts, and the shared writes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import Field, SQLModel

from adscale_common.db import make_engine
from adscale_common.errors import NotFound
from adscale_common.repository import OwnedRepository
from adscale_common.testing import InfraUrls, rollback_session, scratch_database


class WidgetNotFound(NotFound):
    code = "WIDGET_NOT_FOUND"
    message = "Widget not found"


class Widget(SQLModel, table=True):
    __tablename__ = "owned_widget"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID
    colour: str
    size: int = 1
    created_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class Note(SQLModel, table=True):
    """Owned by nobody: no ``user_id``."""

    __tablename__ = "owned_note"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)


widgets = OwnedRepository(Widget, not_found=WidgetNotFound)


@pytest.fixture(scope="module")
async def widget_engine(adscale_infra: InfraUrls) -> AsyncIterator[AsyncEngine]:
    async with scratch_database(adscale_infra.database_url, prefix="common_repo") as url:
        engine = make_engine(url, pool_size=2)
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: Widget.__table__.create(c))  # type: ignore[attr-defined]
        try:
            yield engine
        finally:
            await engine.dispose()


@pytest.fixture
async def session(widget_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with rollback_session(widget_engine) as s:
        yield s


async def test_a_table_without_owner_column_is_refused():
    with pytest.raises(TypeError, match="user_id"):
        OwnedRepository(Note, not_found=WidgetNotFound)


async def test_insert_stamps_both_times_and_the_owner_reads_it_back(session: AsyncSession):
    owner = uuid.uuid4()
    row = await widgets.insert(session, Widget(user_id=owner, colour="red"))
    assert row.created_at is not None and row.created_at == row.updated_at
    assert row.created_at.tzinfo is not None
    assert await widgets.get(session, owner, row.id) is row
    assert await widgets.require(session, owner, row.id, for_update=True) is row


async def test_owned_ids_names_only_the_callers_rows(session: AsyncSession):
    owner, other = uuid.uuid4(), uuid.uuid4()
    mine = await widgets.insert(session, Widget(user_id=owner, colour="red"))
    theirs = await widgets.insert(session, Widget(user_id=other, colour="red"))
    missing = uuid.uuid4()
    assert await widgets.owned_ids(session, owner, [mine.id, theirs.id, missing]) == {mine.id}
    assert await widgets.owned_ids(session, other, [mine.id, theirs.id]) == {theirs.id}
    assert await widgets.owned_ids(session, owner, []) == set()


async def test_someone_elses_row_is_missing_and_require_raises_not_found(session: AsyncSession):
    row = await widgets.insert(session, Widget(user_id=uuid.uuid4(), colour="red"))
    stranger = uuid.uuid4()
    assert await widgets.get(session, stranger, row.id) is None
    with pytest.raises(WidgetNotFound) as caught:
        await widgets.require(session, stranger, row.id)
    assert caught.value.status_code == 404 and caught.value.code == "WIDGET_NOT_FOUND"
    with pytest.raises(WidgetNotFound):
        await widgets.require(session, row.user_id, uuid.uuid4())


async def test_page_is_the_owners_rows_newest_first_with_filters(session: AsyncSession):
    owner, other = uuid.uuid4(), uuid.uuid4()
    made = []
    for colour in ["red", "blue", "red", "red"]:
        row = await widgets.insert(session, Widget(user_id=owner, colour=colour))
        made.append(row)
    await widgets.insert(session, Widget(user_id=other, colour="red"))
    # Distinct creation times, oldest first, so the order is the test's, not the clock's.
    for i, row in enumerate(made):
        row.created_at = datetime(2026, 1, 1 + i, tzinfo=row.created_at.tzinfo)  # type: ignore[union-attr]
    await session.flush()

    rows, total = await widgets.page(session, owner, 0, 2)
    assert total == 4 and [r.id for r in rows] == [made[3].id, made[2].id]
    rows, total = await widgets.page(session, owner, 2, 10)
    assert total == 4 and [r.id for r in rows] == [made[1].id, made[0].id]
    reds, total = await widgets.page(session, owner, 0, 10, colour="red")
    assert total == 3 and {r.colour for r in reds} == {"red"}
    everything, total = await widgets.page(session, owner, 0, 10, colour=None)
    assert total == 4 and len(everything) == 4
    assert await widgets.count(session, owner) == 4
    assert await widgets.count(session, owner, colour="blue") == 1
    assert await widgets.count(session, uuid.uuid4()) == 0


async def test_apply_sets_what_differs_stamps_and_names_it(session: AsyncSession):
    row = await widgets.insert(session, Widget(user_id=uuid.uuid4(), colour="red", size=2))
    created = row.created_at
    assert await widgets.apply(session, row, {"colour": "red", "size": 2}) == []
    assert row.updated_at == created
    assert await widgets.apply(session, row, {"colour": "green", "size": 2}) == ["colour"]
    assert row.colour == "green" and row.updated_at is not None and row.updated_at >= created
    stored = await session.scalar(sa.select(Widget.colour).where(Widget.id == row.id))  # type: ignore[arg-type]
    assert stored == "green"


async def test_delete_removes_the_row(session: AsyncSession):
    row = await widgets.insert(session, Widget(user_id=uuid.uuid4(), colour="red"))
    await widgets.delete(session, row)
    assert await widgets.get(session, row.user_id, row.id) is None


async def test_where_narrows_every_query_to_the_rows_that_count(session: AsyncSession):
    small = OwnedRepository(Widget, not_found=WidgetNotFound, where=[Widget.size < 3])  # type: ignore[list-item,operator]
    owner = uuid.uuid4()
    kept = await small.insert(session, Widget(user_id=owner, colour="red", size=1))
    hidden = await small.insert(session, Widget(user_id=owner, colour="red", size=5))
    assert await small.get(session, owner, kept.id) is kept
    assert await small.get(session, owner, hidden.id) is None
    with pytest.raises(WidgetNotFound):
        await small.require(session, owner, hidden.id, for_update=True)
    rows, total = await small.page(session, owner, 0, 10)
    assert total == 1 and [r.id for r in rows] == [kept.id]
    assert await small.count(session, owner) == 1 and await widgets.count(session, owner) == 2

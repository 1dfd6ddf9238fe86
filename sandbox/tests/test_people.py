"""The column-wise insert of new people answers as the key-by-key path does."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adscale_sandbox.key_index import IndexedConnection, span
from adscale_sandbox.people import APPEND_ROWS, Person, add_members, is_match
from adscale_sandbox.state import create_audience
from adscale_sandbox.store import SCHEMA

MemberTables = Callable[[sqlite3.Connection, int], tuple[Any, ...]]  # conftest fixture

_KEY = st.binary(min_size=32, max_size=32) | st.binary(min_size=1, max_size=40)
_PERSON = st.builds(
    Person,
    st.lists(_KEY, min_size=1, max_size=4, unique=True).map(tuple),
    st.lists(_KEY, max_size=2).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(_PERSON, max_size=8), min_size=1, max_size=3),
    st.integers(min_value=0, max_value=1000),
)
def test_new_people_insert_as_the_general_path(
    member_tables: MemberTables, batches: list[list[Person]], permille: int
) -> None:
    """Uploads of people (new ones take the column-wise insert; a batch repeating a key or a
    person falls back) leave the same members, people and counters as the same uploads
    diffed key by key (``refresh_existing`` always takes that path)."""
    conn = sqlite3.connect(":memory:", isolation_level=None, factory=IndexedConnection)
    conn.row_factory = sqlite3.Row
    conn.executescript(SCHEMA)
    fast = create_audience(conn, "meta", "1", "fast", now=1.0)
    general = create_audience(conn, "meta", "1", "general", now=1.0)
    for batch in batches:
        for audience, refresh in ((fast, False), (general, True)):
            result = add_members(
                conn,
                audience,
                batch,
                invalid=0,
                permille=permille,
                now=2.0,
                refresh_existing=refresh,
            )
            assert result.received == len(batch)
    assert member_tables(conn, fast.pk) == member_tables(conn, general.pk)
    assert fast.member_count == general.member_count


@pytest.mark.parametrize("size", [APPEND_ROWS - 1, APPEND_ROWS, 2 * APPEND_ROWS + 37])
def test_a_bulk_upload_keeps_every_row_across_insert_statements(
    member_tables: MemberTables, size: int
) -> None:
    """Rows are appended several to an INSERT: batches just under, at and past a
    statement's worth of rows keep every member, person and counter."""
    conn = sqlite3.connect(":memory:", isolation_level=None, factory=IndexedConnection)
    conn.row_factory = sqlite3.Row
    conn.executescript(SCHEMA)
    audience = create_audience(conn, "meta", "1", "bulk", now=1.0)

    def digest(text: str) -> bytes:
        return hashlib.sha256(text.encode()).digest()

    people = [
        Person((digest(f"email{i}"), digest(f"phone{i}")), (digest(f"name{i}"),))
        for i in range(size)
    ]
    add_members(conn, audience, people, invalid=0, permille=500, now=2.0)

    members, persons, counts = member_tables(conn, audience.pk)
    expected_members = sorted(
        (key, p.id, int(is_match(key, 500))) for p in people for key in p.keys
    )
    assert members == expected_members
    expected_people = sorted(
        (
            p.id,
            2,
            sum(is_match(k, 500) for k in p.keys),
            int(is_match(p.extra[0], 500)),
        )
        for p in people
    )
    assert persons == expected_people
    matched = sum(p.matched(500) for p in people)
    assert counts[:2] == (size, matched)
    ids = [
        r[0]
        for r in conn.execute("SELECT id FROM member WHERE id BETWEEN ? AND ?", span(audience.pk))
    ]
    assert len(set(ids)) == 2 * size

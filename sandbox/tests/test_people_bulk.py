"""Whole-audience changes in SQL (a replace session's swap, remove-all before a time) keep
each member on its own person's row: people of several keys, checked row by row."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from adscale_sandbox.key_index import IndexedConnection
from adscale_sandbox.people import Person, add_members, is_match, remove_members
from adscale_sandbox.people_bulk import remove_all_members, stage_people, swap_in_staged
from adscale_sandbox.state import create_audience
from adscale_sandbox.store import SCHEMA

MemberTables = Callable[[sqlite3.Connection, int], tuple[Any, ...]]  # conftest fixture

PERMILLE = 500


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def _connection() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None, factory=IndexedConnection)
    conn.row_factory = sqlite3.Row
    conn.executescript(SCHEMA)
    return conn


def _expected(people: Sequence[Person]) -> tuple[list[Any], list[Any], tuple[int, int]]:
    """The member and person rows and the sizes ``member_tables`` reads for ``people``."""
    members = sorted((k, p.id, int(is_match(k, PERMILLE))) for p in people for k in p.keys)
    persons = sorted(
        (
            p.id,
            len(p.keys),
            sum(is_match(k, PERMILLE) for k in p.keys),
            int(any(is_match(k, PERMILLE) for k in p.extra)),
        )
        for p in people
    )
    return members, persons, (len(people), sum(p.matched(PERMILLE) for p in people))


def _held(tables: tuple[Any, ...]) -> tuple[list[Any], list[Any], tuple[int, int]]:
    members, persons, counts = tables
    return members, persons, counts[:2]


def test_a_swapped_in_replace_names_each_members_person(member_tables: MemberTables) -> None:
    """A replace of an audience that is not the first (its rowids start past 1 << 40):
    people of two or three keys, some already members with other keys, staged in two
    batches; afterwards repeated uploads are duplicates and removals find whole people."""
    conn = _connection()
    create_audience(conn, "meta", "1", "first", now=1.0)
    audience = create_audience(conn, "meta", "1", "replaced", now=1.0)
    old = [Person((_digest(f"e{i}"), _digest(f"old-p{i}"))) for i in range(12)]
    add_members(conn, audience, old, invalid=0, permille=PERMILLE, now=2.0)
    staged = [
        Person(
            tuple(_digest(f"{kind}{i}") for kind in ("e", "p", "m")[: 2 + i % 2]),
            (_digest(f"zip{i}"),) if i % 4 else (),
        )
        for i in range(6, 40)
    ]
    for batch in (staged[:15], staged[15:]):
        stage_people(conn, audience.pk, "s1", batch, permille=PERMILLE)

    removed = swap_in_staged(conn, audience, "s1", now=3.0)

    assert removed == 6  # old people 0..5; 6..11 are staged again (same id)
    assert _held(member_tables(conn, audience.pk)) == _expected(staged)
    again = add_members(conn, audience, staged, invalid=0, permille=PERMILLE, now=4.0)
    assert (again.changed, again.duplicates) == (0, len(staged))
    gone = remove_members(conn, audience, staged[:5], invalid=0, permille=PERMILLE, now=5.0)
    assert gone.changed == 5
    assert _held(member_tables(conn, audience.pk)) == _expected(staged[5:])


def test_removing_members_added_before_a_time_recounts_their_people(
    member_tables: MemberTables,
) -> None:
    """People whose keys were all added before the time leave; people that kept a key
    re-stamped or added since stay, with their counters rebuilt from the keys left."""
    conn = _connection()
    audience = create_audience(conn, "google", "1", "a", now=1.0)
    people = [
        Person((_digest(f"a{i}"), _digest(f"b{i}")), (_digest(f"zip{i}"),)) for i in range(20)
    ]
    add_members(conn, audience, people, invalid=0, permille=PERMILLE, now=2.0)
    # the first ten again at 5.0 with their first key and a new one (same person id)
    renewed = [Person((_digest(f"a{i}"), _digest(f"c{i}")), p.extra) for i, p in enumerate(people)]
    add_members(
        conn, audience, renewed[:10], invalid=0, permille=PERMILLE, now=5.0, refresh_existing=True
    )

    left = remove_all_members(conn, audience, before=4.0, now=6.0)

    assert left == 10
    assert _held(member_tables(conn, audience.pk)) == _expected(renewed[:10])
    kept = remove_members(
        conn, audience, [Person((_digest("a0"),))], invalid=0, permille=PERMILLE, now=7.0
    )
    assert kept.changed == 0  # the person keeps c0
    gone = remove_members(
        conn, audience, [Person((_digest("c0"),))], invalid=0, permille=PERMILLE, now=8.0
    )
    assert gone.changed == 1
    tail = renewed[1:10]
    assert _held(member_tables(conn, audience.pk)) == _expected(tail)

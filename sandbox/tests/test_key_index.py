"""Member and person rows found through the in-memory key index: exact answers (keys that
share their first eight bytes, keys of any length), kept up to date by adds and removes,
rebuilt from the table after a restart or a rolled-back unit of work."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adscale_sandbox import key_index
from adscale_sandbox.key_index import IndexedConnection, span
from adscale_sandbox.people import Person, add_members, is_match, remove_members
from adscale_sandbox.state import count_existing, create_audience, get_audience, member_hashes
from adscale_sandbox.store import SCHEMA, Store

MemberTables = Callable[[sqlite3.Connection, int], tuple[Any, ...]]  # conftest fixture

# A small pool, so that steps keep meeting the same keys, in which different keys often
# share the first eight bytes the index sorts by (and short keys pad to the same prefix).
_HEADS = (b"\x00" * 8, b"\xff" * 8, b"abcdefgh")
_POOL = (
    [head + bytes([i]) * 24 for head in _HEADS for i in range(4)]
    + [b"a", b"ab", b"abcdefgh", b"abcdefgh\x00", b"abcdefgh\x01", b"\x00"]
    + [bytes([i]) * 32 for i in range(1, 8)]
)
_KEY = st.sampled_from(_POOL)
_PERSON = st.builds(
    Person,
    st.lists(_KEY, min_size=1, max_size=3, unique=True).map(tuple),
    st.lists(_KEY, max_size=1).map(tuple),
)
_STEP = st.tuples(st.booleans(), st.lists(_PERSON, max_size=6))


def _connection() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None, factory=IndexedConnection)
    conn.row_factory = sqlite3.Row
    conn.executescript(SCHEMA)
    return conn


def _assert_consistent(tables: MemberTables, conn: sqlite3.Connection, pk: int) -> None:
    """One row per key and per person, each person's counters its members', sizes its people."""
    members, people, counts = tables(conn, pk)
    hashes = [m[0] for m in members]
    assert len(hashes) == len(set(hashes))
    assert len(people) == len({p[0] for p in people})
    per_person: dict[bytes, list[int]] = {}
    for _, person, matched in members:
        held = per_person.setdefault(person, [0, 0])
        held[0] += 1
        held[1] += matched
    assert {p[0]: [p[1], p[2]] for p in people} == per_person
    assert counts[0] == len(people)
    assert counts[1] == sum(1 for p in people if p[2] > 0 or p[3] > 0)


@settings(max_examples=120, deadline=None)
@given(st.lists(_STEP, min_size=1, max_size=6), st.integers(min_value=0, max_value=1000))
def test_index_kept_up_to_date_answers_as_one_rebuilt_each_time(
    member_tables: MemberTables, steps: list[tuple[bool, list[Person]]], permille: int
) -> None:
    """Adds and removes through the index kept up to date leave the same rows as the same
    steps with the index thrown away before each one (rebuilt from the table), and both
    keep one row per key and person."""
    conn = _connection()
    kept = create_audience(conn, "meta", "1", "kept", now=1.0)
    rebuilt = create_audience(conn, "meta", "1", "rebuilt", now=1.0)
    for remove, batch in steps:
        for audience, forget in ((kept, False), (rebuilt, True)):
            if forget:
                key_index.forget(conn, audience.pk)
            change = remove_members if remove else add_members
            change(conn, audience, batch, invalid=0, permille=permille, now=2.0)
            _assert_consistent(member_tables, conn, audience.pk)
    assert member_tables(conn, kept.pk) == member_tables(conn, rebuilt.pk)
    keys = [k for _, batch in steps for p in batch for k in p.keys]
    assert count_existing(conn, kept, keys) == len(member_tables(conn, kept.pk)[0])


def test_keys_sharing_a_prefix_are_told_apart() -> None:
    conn = _connection()
    audience = create_audience(conn, "meta", "1", "a", now=1.0)
    head = b"samehead"
    first, second = head + b"\x01" * 24, head + b"\x02" * 24
    add_members(conn, audience, [Person((first,))], invalid=0, permille=1000, now=2.0)
    assert count_existing(conn, audience, [second]) == 0
    result = add_members(conn, audience, [Person((second,))], invalid=0, permille=1000, now=3.0)
    assert (result.changed, result.duplicates) == (1, 0)
    result = remove_members(conn, audience, [Person((first,))], invalid=0, permille=1000, now=4.0)
    assert result.changed == 1  # people that left
    assert member_hashes(conn, audience, None) == [second.hex()]


def _adds_a_newcomer(store: Store, audience: Any, key: bytes, member_tables: Any) -> None:
    """A person new to the audience joins it, and the tables stay consistent."""
    added = store.run_sync(
        lambda c: add_members(c, audience, [Person((key,))], invalid=0, permille=500, now=5.0)
    )
    assert added.changed == 1
    store.run_sync(lambda c: _assert_consistent(member_tables, c, audience.pk))


def _still_held(store: Store, audience: Any, people: list[Person], *, removing: int) -> Any:
    """After a reopen: the audience is found again, a repeated upload of ``people`` is all
    duplicates, and removing the first ``removing`` of them finds every one."""
    again = store.run_sync(
        lambda c: get_audience(c, "meta", audience.audience_id, now=9.0, delay=0.0)
    )
    assert again is not None
    repeat = store.run_sync(
        lambda c: add_members(c, again, people, invalid=0, permille=500, now=3.0)
    )
    assert (repeat.changed, repeat.duplicates) == (0, len(people))
    removed = store.run_sync(
        lambda c: remove_members(c, again, people[:removing], invalid=0, permille=500, now=4.0)
    )
    assert removed.changed == removing
    return again


def test_members_survive_a_restart(member_tables: MemberTables, tmp_path: Path) -> None:
    """A new store on the same file rebuilds the index from the rows: a repeated upload is
    all duplicates, a removal finds its keys, new rows follow the old ones."""
    people = [Person((bytes([i]) * 32, bytes([i + 100]) * 32)) for i in range(1, 40)]
    store = Store(tmp_path / "s.db")
    audience = store.run_sync(lambda c: create_audience(c, "meta", "1", "a", now=1.0))
    store.run_sync(lambda c: add_members(c, audience, people, invalid=0, permille=500, now=2.0))
    store.close()

    store = Store(tmp_path / "s.db")
    again = _still_held(store, audience, people, removing=10)
    _adds_a_newcomer(store, again, b"\xee" * 32, member_tables)
    count = store.run_sync(lambda c: count_existing(c, again, [k for p in people for k in p.keys]))
    assert count == 2 * (len(people) - 10)
    store.close()


def test_a_rolled_back_unit_leaves_no_trace_in_the_index(
    member_tables: MemberTables, tmp_path: Path
) -> None:
    """A unit of work that fails after adding people is undone in the table and in the
    index: the same people are new to the next unit."""
    store = Store(tmp_path / "s.db", commit_seconds=5.0)
    audience = store.run_sync(lambda c: create_audience(c, "meta", "1", "a", now=1.0))
    people = [Person((bytes([i]) * 32,)) for i in range(1, 20)]

    def add_then_fail(conn: sqlite3.Connection) -> None:
        add_members(conn, audience, people, invalid=0, permille=500, now=2.0)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.run_sync(add_then_fail)
    fresh = store.run_sync(
        lambda c: get_audience(c, "meta", audience.audience_id, now=9.0, delay=0.0)
    )
    assert fresh is not None
    result = store.run_sync(
        lambda c: add_members(c, fresh, people, invalid=0, permille=500, now=3.0)
    )
    assert (result.changed, result.duplicates) == (len(people), 0)
    store.run_sync(lambda c: _assert_consistent(member_tables, c, fresh.pk))
    store.close()


def test_a_plain_connection_is_refused() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.executescript(SCHEMA)
    audience = create_audience(conn, "meta", "1", "a", now=1.0)
    with pytest.raises(TypeError, match="IndexedConnection"):
        add_members(conn, audience, [Person((b"k" * 32,))], invalid=0, permille=500, now=2.0)


_KEYED = """
CREATE TABLE member (
    audience_pk INTEGER NOT NULL, hash BLOB NOT NULL, person BLOB NOT NULL,
    matched INTEGER NOT NULL, added_at REAL NOT NULL, PRIMARY KEY (audience_pk, hash)
) WITHOUT ROWID;
CREATE TABLE person (
    audience_pk INTEGER NOT NULL, person BLOB NOT NULL, keys INTEGER NOT NULL,
    matched_keys INTEGER NOT NULL, extra INTEGER NOT NULL, PRIMARY KEY (audience_pk, person)
) WITHOUT ROWID;
"""


def _to_keyed_layout(path: Path) -> None:
    """Rewrite a store's member and person tables in the layout before rows were appended
    (keyed ``WITHOUT ROWID`` tables, no ``id``), keeping their rows."""
    conn = sqlite3.connect(path)
    with conn:
        for table in ("member", "person"):
            conn.execute(f"ALTER TABLE {table} RENAME TO appended_{table}")
        conn.executescript(_KEYED)
        conn.execute(
            "INSERT INTO member SELECT m.id >> 40, m.hash, p.person, m.matched, m.added_at "
            "FROM appended_member m JOIN appended_person p ON p.id = m.person_id"
        )
        conn.execute(
            "INSERT INTO person SELECT id >> 40, person, keys, matched_keys, extra "
            "FROM appended_person"
        )
        for table in ("member", "person"):
            conn.execute(f"DROP TABLE appended_{table}")
    conn.close()


def test_a_keyed_layout_database_keeps_its_members(
    member_tables: MemberTables, tmp_path: Path
) -> None:
    """A sandbox file from before rows were appended opens with its members and people
    carried over, in each audience's rowid range: repeated uploads are duplicates,
    removals find their keys."""
    store = Store(tmp_path / "s.db")
    first, second = (
        store.run_sync(lambda c, n=name: create_audience(c, "meta", "1", n, now=1.0))
        for name in ("a", "b")
    )
    people = [Person((bytes([i]) * 32, bytes([i + 100]) * 32)) for i in range(1, 30)]
    for audience, group in ((first, people), (second, people[:7])):
        store.run_sync(
            lambda c, a=audience, g=group: add_members(c, a, g, invalid=0, permille=500, now=2.0)
        )
    before = {a.pk: store.run_sync(lambda c, a=a: member_tables(c, a.pk)) for a in (first, second)}
    hashes = store.run_sync(lambda c: member_hashes(c, first, None))
    store.close()
    _to_keyed_layout(tmp_path / "s.db")

    store = Store(tmp_path / "s.db")
    for audience in (first, second):
        assert store.run_sync(lambda c, a=audience: member_tables(c, a.pk)) == before[audience.pk]
    total = store.run_sync(lambda c: c.execute("SELECT count(*) FROM member").fetchone()[0])
    assert total == sum(len(b[0]) for b in before.values())  # each in its audience's range
    assert store.run_sync(lambda c: member_hashes(c, first, None)) == hashes
    again = _still_held(store, first, people, removing=5)
    store.run_sync(lambda c: _assert_consistent(member_tables, c, again.pk))
    store.close()


_WIDE = """
CREATE TABLE member (
    id INTEGER PRIMARY KEY, audience_pk INTEGER NOT NULL, hash BLOB NOT NULL,
    person BLOB NOT NULL, matched INTEGER NOT NULL, added_at REAL NOT NULL
);
CREATE TABLE person (
    id INTEGER PRIMARY KEY, audience_pk INTEGER NOT NULL, person BLOB NOT NULL,
    keys INTEGER NOT NULL, matched_keys INTEGER NOT NULL, extra INTEGER NOT NULL
);
"""


def _write_wide_layout(path: Path, audiences: dict[int, list[Person]]) -> dict[int, Any]:
    """Replace a store's member and person tables by the layout before this one (appended
    rows with ``audience_pk``, a member naming its person by the person's 32-byte id),
    holding ``audiences``' people with the gaps removals leave: members at every other
    rowid of the audience's range, people at every third, in reverse order. Returns each
    audience's expected member and person rows (as the ``member_tables`` fixture reads
    them) and ``{hash: rowid}``, ``{person: rowid}``."""
    conn = sqlite3.connect(path)
    expected: dict[int, Any] = {}
    with conn:
        conn.execute("DROP TABLE member")
        conn.execute("DROP TABLE person")
        conn.executescript(_WIDE)
        for pk, people in audiences.items():
            first, _ = key_index.span(pk)
            members = [(k, p.id, int(is_match(k, 500))) for p in people for k in p.keys]
            member_ids = {m[0]: first + 2 * i for i, m in enumerate(members)}
            conn.executemany(
                "INSERT INTO member VALUES (?, ?, ?, ?, ?, 2.0)",
                [(member_ids[k], pk, k, p, hit) for k, p, hit in members],
            )
            persons = [
                (p.id, len(p.keys), sum(is_match(k, 500) for k in p.keys), int(p.matched(500)))
                for p in people
            ]
            person_ids = {p[0]: first + 3 * i for i, p in enumerate(reversed(persons))}
            conn.executemany(
                "INSERT INTO person VALUES (?, ?, ?, ?, ?, ?)",
                [(person_ids[p[0]], pk, *p) for p in persons],
            )
            conn.execute(
                "UPDATE audience SET member_count = ?, matched_count = ? WHERE pk = ?",
                (len(people), sum(p.matched(500) for p in people), pk),
            )
            expected[pk] = (sorted(members), sorted(persons), member_ids, person_ids)
    conn.close()
    return expected


def test_a_wide_layout_database_keeps_its_members(
    member_tables: MemberTables, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A sandbox file whose member rows still carry ``audience_pk`` and their person's
    32-byte id opens with every member and person kept at its rowid, each member naming
    its own audience's person row (two audiences share people): counts hold, repeated
    uploads are duplicates, removals find their keys, new rows follow the old ones."""
    store = Store(tmp_path / "s.db")
    first, second = (
        store.run_sync(lambda c, n=name: create_audience(c, "meta", "1", n, now=1.0))
        for name in ("a", "b")
    )
    store.close()
    people = [
        Person((bytes([i]) * 32, bytes([i + 100]) * 32), (bytes([i + 50]) * 32,) if i % 3 else ())
        for i in range(1, 30)
    ]
    audiences = {first.pk: people, second.pk: [*people[:5], Person((b"\xee" * 32,))]}
    expected = _write_wide_layout(tmp_path / "s.db", audiences)

    with caplog.at_level("WARNING", logger="adscale_sandbox.store"):
        store = Store(tmp_path / "s.db")
    assert any("wide layout" in r.getMessage() for r in caplog.records)
    assert any("carried over in" in r.getMessage() for r in caplog.records)
    columns = store.run_sync(lambda c: [r[1] for r in c.execute("PRAGMA table_info(member)")])
    assert columns == ["id", "hash", "person_id", "matched", "added_at"]
    for pk, held in audiences.items():
        members, persons, member_ids, person_ids = expected[pk]
        tables = store.run_sync(lambda c, pk=pk: member_tables(c, pk))
        assert tables[:2] == (members, persons)
        assert tables[2][:2] == (len(held), sum(p.matched(500) for p in held))
        rowids = store.run_sync(
            lambda c, pk=pk: (
                dict(c.execute("SELECT hash, id FROM member WHERE id BETWEEN ? AND ?", span(pk))),
                dict(c.execute("SELECT person, id FROM person WHERE id BETWEEN ? AND ?", span(pk))),
            )
        )
        assert rowids == (member_ids, person_ids)
        store.run_sync(lambda c, pk=pk: _assert_consistent(member_tables, c, pk))

    again = _still_held(store, first, people, removing=4)
    _adds_a_newcomer(store, again, b"\xdd" * 32, member_tables)
    assert store.run_sync(lambda c: count_existing(c, again, [b"\xdd" * 32])) == 1
    other = _still_held(store, second, audiences[second.pk], removing=6)
    assert store.run_sync(lambda c: member_tables(c, other.pk))[0] == []
    store.close()

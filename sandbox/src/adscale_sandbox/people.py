"""Audience members as people: the sandbox's model of how a platform resolves uploaded rows.

An uploaded row (a Meta multi-key row, a Google member, a TikTok user, one Snapchat
identifier) is a :class:`Person`. Its identity keys (hashed email, phone, mobile ad id...)
are stored as ``member`` rows, each naming its person's row (``person_id``, the rowid of
the ``person`` row that holds the person's id, its first key); keys that only help
matching (name + zip, an address) are kept as a flag. A key matches deterministically
(:func:`is_match`); a person matches when any of its keys does, so a row with more keys
has a higher chance. Audience sizes count people.

``person`` keeps, per person, how many identity keys it holds and how many of them match,
so adding and removing keys updates sizes incrementally (no per-person scan).

Both tables are appended to, in the audience's rowid range; which keys and people an
audience holds is answered by :mod:`adscale_sandbox.key_index`, and rows are updated and
deleted by rowid. A new person's rowid is taken before its member rows are appended.
Changes made in bulk SQL forget the audience's index.
"""

from __future__ import annotations

import sqlite3
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, repeat
from typing import Any

from adscale_sandbox import key_index
from adscale_sandbox.audience import Audience


def is_match(hash_bytes: bytes, permille: int) -> bool:
    """Same as ``int(hex_hash[:8], 16) % 1000 < permille``."""
    return int.from_bytes(hash_bytes[:4], "big") % 1000 < permille


@dataclass(frozen=True)
class ChangeResult:
    received: int
    changed: int
    duplicates: int


@dataclass(frozen=True, slots=True)
class Person:
    """One uploaded row: ``keys`` are its identity keys (the first one names the person),
    ``extra`` keys that only help matching."""

    keys: tuple[bytes, ...]
    extra: tuple[bytes, ...] = ()

    @property
    def id(self) -> bytes:
        return self.keys[0]

    def matched(self, permille: int) -> bool:
        return any(is_match(k, permille) for k in (*self.keys, *self.extra))


Row = bytes | Person


def as_people(rows: Iterable[Row]) -> list[Person]:
    """Rows as people, one per person id (a bare key is a one-key person)."""
    rows = rows if isinstance(rows, list) else list(rows)
    if all(type(row) is Person for row in rows):
        ids = {row.keys[0] for row in rows}  # type: ignore[union-attr]
        if len(ids) == len(rows):  # the common case: nothing to merge
            return rows  # type: ignore[return-value]
    people: dict[bytes, Person] = {}
    for row in rows:
        person = row if isinstance(row, Person) else Person((row,))
        known = people.get(person.id)
        if known is not None:
            person = Person(
                tuple(dict.fromkeys((*known.keys, *person.keys))),
                tuple(dict.fromkeys((*known.extra, *person.extra))),
            )
        people[person.id] = person
    return list(people.values())


def match_flags(keys: Sequence[bytes], permille: int) -> list[int]:
    """:func:`is_match` of each key as 1 / 0. 32-byte keys (SHA-256 digests) are read
    in one pass: their first four bytes as big-endian words of one buffer."""
    blob = b"".join(keys)
    if len(blob) != 32 * len(keys) or not keys:
        return [1 if is_match(k, permille) else 0 for k in keys]
    words = array("I", memoryview(blob).cast("I")[::8])
    if sys.byteorder == "little":
        words.byteswap()
    return [1 if w % 1000 < permille else 0 for w in words]


# person id -> (identity keys held, matching keys held, extra evidence matched)
State = dict[bytes, tuple[int, int, int]]


def _state(
    conn: sqlite3.Connection, audience: Audience, ids: Sequence[bytes]
) -> tuple[State, dict[bytes, int]]:
    """The people ``ids`` the audience holds, and their rowids."""
    found = key_index.find(conn, "person", audience.pk, ids, "keys, matched_keys, extra")
    state = {p: (int(r[1]), int(r[2]), int(r[3])) for p, r in found.items()}
    return state, {p: r[0] for p, r in found.items()}


def _state_at(conn: sqlite3.Connection, rowids: Sequence[int]) -> tuple[State, dict[bytes, int]]:
    """The people of the person rows ``rowids``, and their rowids."""
    found = key_index.by_rowid(conn, "person", rowids, "keys, matched_keys, extra")
    state = {r[1]: (int(r[2]), int(r[3]), int(r[4])) for r in found.values()}
    return state, {r[1]: r[0] for r in found.values()}


def _matches(entry: tuple[int, int, int] | None) -> bool:
    return entry is not None and (entry[1] > 0 or entry[2] > 0)


# key -> (rowid, person's rowid, matched)
Held = dict[bytes, tuple[int, int, int]]


def _keys_held(conn: sqlite3.Connection, audience: Audience, keys: Sequence[bytes]) -> Held:
    """``key -> (rowid, person's rowid, matched)`` for the keys the audience holds."""
    found = key_index.find(conn, "member", audience.pk, keys, "person_id, matched")
    return {k: (r[0], int(r[1]), int(r[2])) for k, r in found.items()}


def _take_rowids(conn: sqlite3.Connection, audience: Audience, table: str, count: int) -> range:
    """Rowids for ``count`` rows of ``table`` appended later in this unit of work."""
    return key_index.audience_index(conn, audience.pk).take_rowids(table, count)


def _append(
    conn: sqlite3.Connection,
    audience: Audience,
    table: str,
    keys: Sequence[bytes],
    *columns: Iterable[Any],
    rowids: Sequence[int] | None = None,
) -> None:
    """Append rows (``keys``, then ``columns`` in the table's order) to the audience's rows
    of ``table`` and to its index, at ``rowids`` (taken earlier by :func:`_take_rowids`) or
    the next ones. Rows go ``APPEND_ROWS`` to a statement: one ``step`` of SQLite's
    statement per row was a fifth of an upload's insert time."""
    if not keys:
        return
    index = key_index.audience_index(conn, audience.pk)
    if rowids is None:
        rowids = index.take_rowids(table, len(keys))
    width = len(columns) + 2
    # a column may be endless (`repeat(now)`): the rows end with the keys
    values = list(chain.from_iterable(zip(rowids, keys, *columns, strict=False)))
    step = APPEND_ROWS * width
    whole = len(values) // step * step
    if whole:
        statements = [values[i : i + step] for i in range(0, whole, step)]
        conn.executemany(_insert(table, width, APPEND_ROWS), statements)
    if whole < len(values):
        conn.execute(_insert(table, width, (len(values) - whole) // width), values[whole:])
    index.added(table, keys, rowids)


APPEND_ROWS = 200
_COLUMNS = {
    "member": "member (id, hash, person_id, matched, added_at)",
    "person": "person (id, person, keys, matched_keys, extra)",
}


def _insert(table: str, width: int, rows: int) -> str:
    row = "(" + ", ".join("?" * width) + ")"
    return f"INSERT INTO {_COLUMNS[table]} VALUES " + ", ".join([row] * rows)  # noqa: S608


def _delete(
    conn: sqlite3.Connection, audience: Audience, table: str, rows: dict[bytes, int]
) -> None:
    """Delete rows by ``key -> rowid``, from the table and from the audience's index."""
    conn.executemany(
        f"DELETE FROM {table} WHERE id = ?",  # noqa: S608 - constant tables
        [(rowid,) for rowid in rows.values()],
    )
    index = key_index.audience_index(conn, audience.pk)
    index.discarded(table, list(rows), list(rows.values()))


def _save(
    conn: sqlite3.Connection,
    audience: Audience,
    before: State,
    after: State,
    rowids: dict[bytes, int],
) -> None:
    """Write the people's new state: people new to the audience are appended at the rowids
    taken for them (``rowids``), people left without keys deleted."""
    new = [(p, *v) for p, v in after.items() if p not in before and v[0] > 0]
    kept = [(*v, rowids[p]) for p, v in after.items() if p in before and v[0] > 0]
    gone = {p: rowids[p] for p, v in after.items() if v[0] <= 0}
    if new:
        ids, *columns = map(list, zip(*new, strict=True))
        _append(conn, audience, "person", ids, *columns, rowids=[rowids[p] for p in ids])
    conn.executemany("UPDATE person SET keys = ?, matched_keys = ?, extra = ? WHERE id = ?", kept)
    _delete(conn, audience, "person", gone)


def _sizes(before: State, after: State) -> tuple[int, int]:
    """Change in people and in matched people."""
    people = sum(1 for p, v in after.items() if v[0] > 0) - sum(
        1 for p in after if p in before and before[p][0] > 0
    )
    matched = sum(1 for p, v in after.items() if v[0] > 0 and _matches(v)) - sum(
        1 for p in after if _matches(before.get(p))
    )
    return people, matched


def _extra_flags(extras: list[tuple[bytes, ...]], permille: int) -> list[int]:
    """Per person, 1 when one of its evidence keys matches."""
    if all(len(e) <= 1 for e in extras):
        flags = iter(match_flags([e[0] for e in extras if e], permille))
        return [next(flags) if e else 0 for e in extras]
    return [1 if any(is_match(k, permille) for k in e) else 0 for e in extras]


def _add_new_people(
    conn: sqlite3.Connection, audience: Audience, people: list[Person], permille: int, now: float
) -> int | None:
    """The common case of a bulk upload, people the audience has never seen: append their
    keys and themselves and return how many of them match. ``None``, with nothing written,
    when a key or a person was already there or two people share a key (the in-memory
    index answers for the whole batch at once): the general path handles that. Built
    column-wise (a C map or one comprehension per column, not a loop per person)."""
    pk = audience.pk
    key_lists = [p.keys for p in people]
    ids = [keys[0] for keys in key_lists]
    flat = list(chain.from_iterable(key_lists))
    if (
        len(set(flat)) != len(flat)
        or key_index.any_held(conn, "member", pk, flat)
        or key_index.any_held(conn, "person", pk, ids)
    ):
        return None
    counts = list(map(len, key_lists))
    hits = match_flags(flat, permille)
    width = counts[0] if counts else 0
    if width and all(c == width for c in counts):  # as many keys each: per-key columns
        matched_keys = list(map(sum, zip(*(hits[i::width] for i in range(width)), strict=True)))
    else:
        ends = list(accumulate(counts))
        matched_keys = [sum(hits[end - n : end]) for end, n in zip(ends, counts, strict=True)]
    extra = _extra_flags([p.extra for p in people], permille)
    rowids = _take_rowids(conn, audience, "person", len(ids))
    owners = chain.from_iterable(map(repeat, rowids, counts))
    _append(conn, audience, "member", flat, owners, hits, repeat(now))
    _append(conn, audience, "person", ids, counts, matched_keys, extra, rowids=rowids)
    return sum(1 for m, e in zip(matched_keys, extra, strict=True) if m or e)


def _add_people(
    conn: sqlite3.Connection,
    audience: Audience,
    people: list[Person],
    permille: int,
    now: float,
    refresh_existing: bool,
) -> tuple[int, int, int]:
    """The general path of an add: keys the audience lacks are appended, people's counts
    updated. Answers the change in people and in matched people, and how many people
    brought no new key. ``refresh_existing`` re-stamps members already present."""
    keys = [k for p in people for k in p.keys]
    held = _keys_held(conn, audience, keys)
    before, rowids = _state(conn, audience, [p.id for p in people])
    after: State = {}
    rows: list[tuple[bytes, bytes, int]] = []  # key, person, matched
    duplicates = 0
    for person in people:
        count, matching, extra = after.get(person.id) or before.get(person.id) or (0, 0, 0)
        fresh = [k for k in person.keys if k not in held]
        for key in fresh:
            hit = 1 if is_match(key, permille) else 0
            rows.append((key, person.id, hit))
            held[key] = (-1, -1, hit)
            count += 1
            matching += hit
        if any(is_match(k, permille) for k in person.extra):
            extra = 1
        if not fresh and person.id in before:
            duplicates += 1
        if count:
            after[person.id] = (count, matching, extra)
    joined = [p for p in after if p not in before]
    rowids.update(zip(joined, _take_rowids(conn, audience, "person", len(joined)), strict=True))
    if rows:
        fresh_keys, owners, hits = map(list, zip(*rows, strict=True))
        owner_rowids = [rowids[p] for p in owners]
        _append(conn, audience, "member", fresh_keys, owner_rowids, hits, repeat(now))
    if refresh_existing:
        conn.executemany(
            "UPDATE member SET added_at = ? WHERE id = ? AND added_at < ?",
            [(now, rowid, now) for rowid, _, _ in held.values() if rowid >= 0],
        )
    _save(conn, audience, before, after, rowids)
    inserted, matched = _sizes(before, after)
    return inserted, matched, duplicates


def add_members(
    conn: sqlite3.Connection,
    audience: Audience,
    hashes: Sequence[Row],
    *,
    invalid: int,
    permille: int,
    now: float,
    refresh_existing: bool = False,
) -> ChangeResult:
    """Add people (idempotent): their keys become members, each person counted once.
    ``refresh_existing`` re-stamps members already present."""
    people = as_people(hashes)
    duplicates = len(hashes) - len(people)
    matched = None if refresh_existing else _add_new_people(conn, audience, people, permille, now)
    if matched is not None:
        added = len(people)
    else:
        added, matched, known = _add_people(conn, audience, people, permille, now, refresh_existing)
        duplicates += known
    _note(conn, audience, added, matched, now=now, received=len(hashes) + invalid)
    conn.execute(
        "UPDATE audience SET duplicate_rows = duplicate_rows + ?, invalid_rows = invalid_rows + ? "
        "WHERE pk = ?",
        (duplicates, invalid, audience.pk),
    )
    audience.member_count += added
    return ChangeResult(received=len(hashes) + invalid, changed=added, duplicates=duplicates)


def remove_members(
    conn: sqlite3.Connection,
    audience: Audience,
    hashes: Sequence[Row],
    *,
    invalid: int,
    permille: int,
    now: float,
) -> ChangeResult:
    """Remove every key of the rows; a person without keys left leaves the audience, one
    that keeps some matches on what it kept."""
    keys = list(dict.fromkeys(k for p in as_people(hashes) for k in p.keys))
    held = _keys_held(conn, audience, keys)
    before, rowids = _state_at(conn, list(dict.fromkeys(o for _, o, _ in held.values())))
    person_at = {rowid: person for person, rowid in rowids.items()}
    after = dict(before)
    for _, owner, hit in held.values():
        person = person_at[owner]
        count, matching, extra = after[person]
        after[person] = (count - 1, matching - hit, extra)
    _delete(conn, audience, "member", {k: v[0] for k, v in held.items()})
    _save(conn, audience, before, after, rowids)
    people, matched = _sizes(before, after)
    _note(conn, audience, people, matched, now=now, received=len(hashes) + invalid)
    conn.execute(
        "UPDATE audience SET invalid_rows = invalid_rows + ?, removed_rows = removed_rows + ? "
        "WHERE pk = ?",
        (invalid, -people, audience.pk),
    )
    audience.member_count += people
    return ChangeResult(received=len(hashes) + invalid, changed=-people, duplicates=0)


def _note(
    conn: sqlite3.Connection,
    audience: Audience,
    people: int,
    matched: int,
    *,
    now: float,
    received: int,
) -> None:
    conn.execute(
        "UPDATE audience SET member_count = member_count + ?, matched_count = matched_count + ?, "
        "uploads = uploads + 1, last_change_at = ?, updated_at = ?, "
        "accepted_batches = accepted_batches + 1, received_rows = received_rows + ? "
        "WHERE pk = ?",
        (people, matched, now, now, received, audience.pk),
    )


def change_members(
    conn: sqlite3.Connection,
    audience: Audience,
    hashes: Sequence[Row],
    *,
    remove: bool,
    invalid: int,
    permille: int,
    now: float,
    refresh_existing: bool = False,
) -> ChangeResult:
    """:func:`remove_members` or :func:`add_members` (``refresh_existing`` is for adds)."""
    if remove:
        return remove_members(conn, audience, hashes, invalid=invalid, permille=permille, now=now)
    return add_members(
        conn,
        audience,
        hashes,
        invalid=invalid,
        permille=permille,
        now=now,
        refresh_existing=refresh_existing,
    )

"""Exact "which rows hold these keys?" answers for ``member`` and ``person`` rows, kept in
memory instead of a key index in SQLite.

Member and person rows are plain rowid tables: an audience's rows are the rowid range
``audience_pk << 40`` .. (:func:`span`), and new rows are appended at the end of that range
in the order they arrive. Keys are SHA-256 digests, random, so a B-tree keyed by them
(the earlier ``WITHOUT ROWID`` layout) touched pages all over the tree on every upload;
appending touches the last pages only.

What the B-tree answered is answered here: per audience and table, a sorted ``uint64``
array of the keys' first eight bytes (shorter keys padded with zeros) beside the rowids.
``searchsorted`` looks up a whole request's keys at once; a prefix hit is only a candidate,
confirmed against the row's full key (:func:`find`), so the answer is exact for keys of any
length. The arrays are built from the table on an audience's first use after the sandbox
starts (or after a bulk change or a rolled-back unit of work, which forget them) and kept
up to date by the code that writes the rows.

The indexes live on the connection (:class:`IndexedConnection`): the sandbox has one, and
only that connection writes the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

ROWS_PER_AUDIENCE = 1 << 40
TABLES = {"member": "hash", "person": "person"}  # table -> its key column

UInt64s = npt.NDArray[np.uint64]
Int64s = npt.NDArray[np.int64]


def span(audience_pk: int) -> tuple[int, int]:
    """The first and last rowid of an audience's member and person rows."""
    first = audience_pk * ROWS_PER_AUDIENCE
    return first, first + ROWS_PER_AUDIENCE - 1


def prefixes(keys: Sequence[bytes]) -> UInt64s:
    """Each key's first eight bytes as a big-endian ``uint64`` (shorter keys zero-padded).
    32-byte keys (SHA-256 digests) are read from one buffer."""
    if not keys:
        return np.empty(0, np.uint64)
    blob = b"".join(keys)
    if len(blob) != 32 * len(keys) or set(map(len, keys)) != {32}:
        blob = b"".join(k[:8].ljust(8, b"\0") for k in keys)
        return np.frombuffer(blob, ">u8").astype(np.uint64)
    return np.frombuffer(blob, ">u8")[::4].astype(np.uint64)


def _sorted(keys: UInt64s, rowids: Int64s) -> tuple[UInt64s, Int64s]:
    # Not a stable sort: rows sharing a prefix are read as a whole run, in any order, and
    # numpy's default sort of uint64 is about 6 times faster (0.37 vs 2.2 ms for 20,000).
    order = np.argsort(keys)
    return keys[order], rowids[order]


class KeyIndex:
    """Sorted key prefixes of one audience's rows of one table, beside their rowids.

    Two levels: the bulk, and the rows added since it was last merged (at most an eighth of
    it, and up to 65,536), so taking a request's rows copies the small level, and the bulk
    is copied only every few requests."""

    __slots__ = ("levels",)

    def __init__(self, keys: UInt64s, rowids: Int64s) -> None:
        self.levels: list[tuple[UInt64s, Int64s]] = [
            _sorted(keys, rowids),
            (np.empty(0, np.uint64), np.empty(0, np.int64)),
        ]

    def __len__(self) -> int:
        return sum(len(keys) for keys, _ in self.levels)

    def candidates(self, wanted: UInt64s) -> tuple[Int64s, Int64s]:
        """``(which, rowids)``: the rows whose prefix equals ``wanted[which]``. The wanted
        prefixes are looked up in sorted order (several times faster than in request
        order: each search starts where the last one ended)."""
        order = np.argsort(wanted)
        ordered = wanted[order]
        which_parts: list[Int64s] = []
        rowid_parts: list[Int64s] = []
        for keys, rowids in self.levels:
            if not len(keys):
                continue
            low = np.searchsorted(keys, ordered, "left")
            hit = np.nonzero(keys[np.minimum(low, len(keys) - 1)] == ordered)[0]
            if not hit.size:
                continue
            starts = low[hit]
            counts = np.searchsorted(keys, ordered[hit], "right") - starts
            # 0, 1, .. within each run of equal prefixes (almost always one row each)
            steps = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            which_parts.append(np.repeat(order[hit], counts).astype(np.int64))
            rowid_parts.append(rowids[np.repeat(starts, counts) + steps])
        if not which_parts:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        return np.concatenate(which_parts), np.concatenate(rowid_parts)

    def add(self, keys: UInt64s, rowids: Int64s) -> None:
        """Take new rows: a sorted merge into the small level (an O(n) copy, no sort of
        what is held), which joins the bulk once it has grown past its share."""
        keys, rowids = _sorted(keys, rowids)
        (bulk, bulk_ids), (recent, recent_ids) = self.levels
        at = np.searchsorted(recent, keys, "right")
        recent, recent_ids = np.insert(recent, at, keys), np.insert(recent_ids, at, rowids)
        if len(recent) > max(1 << 16, len(bulk) >> 3):
            at = np.searchsorted(bulk, recent, "right")
            bulk, bulk_ids = np.insert(bulk, at, recent), np.insert(bulk_ids, at, recent_ids)
            recent, recent_ids = recent[:0], recent_ids[:0]
        self.levels = [(bulk, bulk_ids), (recent, recent_ids)]

    def discard(self, keys: UInt64s, rowids: Int64s) -> None:
        """Drop the rows ``rowids`` (whose prefixes are ``keys``)."""
        gone = set(rowids.tolist())
        levels: list[tuple[UInt64s, Int64s]] = []
        for held, held_ids in self.levels:
            low = np.searchsorted(held, keys, "left").tolist()
            high = np.searchsorted(held, keys, "right").tolist()
            drop = [
                start + i
                for start, end in zip(low, high, strict=True)
                for i, rowid in enumerate(held_ids[start:end].tolist())
                if rowid in gone
            ]
            if drop:
                keep = np.ones(len(held), bool)
                keep[drop] = False
                held, held_ids = held[keep], held_ids[keep]
            levels.append((held, held_ids))
        self.levels = levels


@dataclass(slots=True)
class AudienceIndex:
    """One audience's member and person indexes and the next rowid of each table."""

    indexes: dict[str, KeyIndex]
    next_rowid: dict[str, int]

    def take_rowids(self, table: str, count: int) -> range:
        """The next ``count`` rowids of ``table`` (for rows appended now or later in the
        same unit of work)."""
        first = self.next_rowid[table]
        self.next_rowid[table] = first + count
        return range(first, first + count)

    def added(self, table: str, keys: Sequence[bytes], rowids: Sequence[int]) -> None:
        ids = (
            np.arange(rowids.start, rowids.stop)
            if isinstance(rowids, range)
            else np.array(rowids, np.int64)
        )
        self.indexes[table].add(prefixes(keys), ids)

    def discarded(self, table: str, keys: Sequence[bytes], rowids: Sequence[int]) -> None:
        if keys:
            self.indexes[table].discard(prefixes(keys), np.array(rowids, np.int64))


class IndexedConnection(sqlite3.Connection):
    """A connection that carries the in-memory indexes of the rows it wrote
    (``sqlite3.connect(..., factory=IndexedConnection)``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audience_indexes: dict[int, AudienceIndex] = {}


def _registry(conn: sqlite3.Connection) -> dict[int, AudienceIndex]:
    if not isinstance(conn, IndexedConnection):
        raise TypeError("member rows need a connection made with factory=IndexedConnection")
    return conn.audience_indexes


def _build(conn: sqlite3.Connection, table: str, audience_pk: int) -> tuple[KeyIndex, int]:
    """The index of an audience's rows in ``table``, read from the table, and its next
    rowid. SQLite hands the rowids and zero-padded key prefixes over as two hex strings
    (one row, no Python object per row): 2,000,000 keys in about a second."""
    first, last = span(audience_pk)
    column = TABLES[table]
    ids, heads = conn.execute(
        f"SELECT group_concat(printf('%016x', id), ''), "  # noqa: S608 - fixed names
        f"group_concat(substr(hex(substr({column}, 1, 8)) || '0000000000000000', 1, 16), '') "
        f"FROM (SELECT id, {column} FROM {table} WHERE id BETWEEN ? AND ? ORDER BY id)",
        (first, last),
    ).fetchone()
    rowids = np.frombuffer(bytes.fromhex(ids or ""), ">i8").astype(np.int64)
    keys = np.frombuffer(bytes.fromhex(heads or ""), ">u8").astype(np.uint64)
    return KeyIndex(keys, rowids), int(rowids[-1]) + 1 if rowids.size else first


def audience_index(conn: sqlite3.Connection, audience_pk: int) -> AudienceIndex:
    """The audience's indexes, built from its rows on first use."""
    registry = _registry(conn)
    found = registry.get(audience_pk)
    if found is None:
        built = {table: _build(conn, table, audience_pk) for table in TABLES}
        found = AudienceIndex(
            indexes={t: b[0] for t, b in built.items()},
            next_rowid={t: b[1] for t, b in built.items()},
        )
        registry[audience_pk] = found
    return found


def forget(conn: sqlite3.Connection, audience_pk: int | None = None) -> None:
    """Drop an audience's indexes (all when ``None``) after a change made in bulk SQL or
    rolled back; the next use rebuilds them from the table."""
    if not isinstance(conn, IndexedConnection):
        return
    if audience_pk is None:
        conn.audience_indexes.clear()
    else:
        conn.audience_indexes.pop(audience_pk, None)


def _chunks(values: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def by_rowid(
    conn: sqlite3.Connection, table: str, rowids: Sequence[int], columns: str
) -> dict[int, tuple[Any, ...]]:
    """``rowid -> (rowid, key, *columns)`` for the rows of ``table`` that exist."""
    column = TABLES[table]
    found: dict[int, tuple[Any, ...]] = {}
    for chunk in _chunks(rowids):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT id, {column}, {columns} FROM {table} WHERE id IN ({marks})",  # noqa: S608
            chunk,
        ):
            found[int(row[0])] = (int(row[0]), bytes(row[1]), *tuple(row)[2:])
    return found


def find(
    conn: sqlite3.Connection, table: str, audience_pk: int, keys: Sequence[bytes], columns: str
) -> dict[bytes, tuple[Any, ...]]:
    """``key -> (rowid, *columns)`` for the keys the audience's ``table`` holds (a prefix hit
    confirmed against the row's full key)."""
    if not keys:
        return {}
    index = audience_index(conn, audience_pk).indexes[table]
    which, rowids = index.candidates(prefixes(keys))
    if not which.size:
        return {}
    held = by_rowid(conn, table, rowids.tolist(), columns)
    found: dict[bytes, tuple[Any, ...]] = {}
    for i, rowid in zip(which.tolist(), rowids.tolist(), strict=True):
        key, row = keys[i], held[rowid]
        if row[1] == key:
            found[key] = (rowid, *row[2:])
    return found


def any_held(conn: sqlite3.Connection, table: str, audience_pk: int, keys: Sequence[bytes]) -> bool:
    """Whether the audience's ``table`` holds any of ``keys``."""
    return bool(find(conn, table, audience_pk, keys, "1"))

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


class KeyIndex:
    """Sorted key prefixes of one audience's rows of one table, beside their rowids."""

    __slots__ = ("prefixes", "rowids")

    def __init__(self, keys: UInt64s, rowids: Int64s) -> None:
        order = np.argsort(keys, kind="stable")
        self.prefixes: UInt64s = keys[order]
        self.rowids: Int64s = rowids[order]

    def __len__(self) -> int:
        return len(self.prefixes)

    def candidates(self, wanted: UInt64s) -> tuple[Int64s, Int64s]:
        """``(which, rowids)``: the rows whose prefix equals ``wanted[which]``."""
        low = np.searchsorted(self.prefixes, wanted, "left")
        high = np.searchsorted(self.prefixes, wanted, "right")
        counts = high - low
        which = np.nonzero(counts)[0]
        if not which.size:
            return which.astype(np.int64), np.empty(0, np.int64)
        counts = counts[which]
        starts = np.repeat(low[which], counts)
        # 0, 1, .. within each run of equal prefixes (almost always one row each)
        steps = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return np.repeat(which, counts).astype(np.int64), self.rowids[starts + steps]

    def add(self, keys: UInt64s, rowids: Int64s) -> None:
        """Take new rows: one sorted merge (an O(n) copy, no sort of what is held)."""
        order = np.argsort(keys, kind="stable")
        keys, rowids = keys[order], rowids[order]
        at = np.searchsorted(self.prefixes, keys, "right")
        self.prefixes = np.insert(self.prefixes, at, keys)
        self.rowids = np.insert(self.rowids, at, rowids)

    def discard(self, keys: UInt64s, rowids: Int64s) -> None:
        """Drop the rows ``rowids`` (whose prefixes are ``keys``)."""
        low = np.searchsorted(self.prefixes, keys, "left")
        high = np.searchsorted(self.prefixes, keys, "right")
        positions: list[int] = []
        for start, end, rowid in zip(low.tolist(), high.tolist(), rowids.tolist(), strict=True):
            if end - start == 1:  # the usual case: no other row shares the prefix
                positions.append(start)
                continue
            found = np.nonzero(self.rowids[start:end] == rowid)[0]
            positions.extend((start + found).tolist())
        keep = np.ones(len(self.prefixes), bool)
        keep[positions] = False
        self.prefixes, self.rowids = self.prefixes[keep], self.rowids[keep]


@dataclass(slots=True)
class AudienceIndex:
    """One audience's member and person indexes and the next rowid of each table."""

    indexes: dict[str, KeyIndex]
    next_rowid: dict[str, int]

    def take_rowids(self, table: str, count: int) -> range:
        first = self.next_rowid[table]
        self.next_rowid[table] = first + count
        return range(first, first + count)

    def added(self, table: str, keys: Sequence[bytes], rowids: range) -> None:
        self.indexes[table].add(prefixes(keys), np.arange(rowids.start, rowids.stop))

    def added_rows(self, table: str, keys: Sequence[bytes], rowids: Sequence[int]) -> None:
        self.indexes[table].add(prefixes(keys), np.array(rowids, np.int64))

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
    rowid."""
    first, last = span(audience_pk)
    column = TABLES[table]
    rowid_parts: list[Int64s] = []
    key_parts: list[bytes] = []
    cursor = conn.execute(
        f"SELECT id, substr({column}, 1, 8) FROM {table} "  # noqa: S608 - fixed names
        "WHERE id BETWEEN ? AND ? ORDER BY id",
        (first, last),
    )
    while rows := cursor.fetchmany(100_000):
        ids, heads = zip(*rows, strict=True)
        rowid_parts.append(np.array(ids, np.int64))
        key_parts.append(b"".join(h if len(h) == 8 else bytes(h).ljust(8, b"\0") for h in heads))
    rowids = np.concatenate(rowid_parts) if rowid_parts else np.empty(0, np.int64)
    keys = np.frombuffer(b"".join(key_parts), ">u8").astype(np.uint64)
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
    column = TABLES[table]
    rows: dict[int, tuple[Any, ...]] = {}
    for chunk in _chunks(rowids.tolist()):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT id, {column}, {columns} FROM {table} WHERE id IN ({marks})",  # noqa: S608
            chunk,
        ):
            rows[int(row[0])] = (int(row[0]), bytes(row[1]), *tuple(row)[2:])
    found: dict[bytes, tuple[Any, ...]] = {}
    for i, rowid in zip(which.tolist(), rowids.tolist(), strict=True):
        key, row = keys[i], rows[rowid]
        if row[1] == key:
            found[key] = (rowid, *row[2:])
    return found


def any_held(conn: sqlite3.Connection, table: str, audience_pk: int, keys: Sequence[bytes]) -> bool:
    """Whether the audience's ``table`` holds any of ``keys``."""
    return bool(find(conn, table, audience_pk, keys, "1"))

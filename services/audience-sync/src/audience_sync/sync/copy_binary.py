"""PostgreSQL's binary COPY format, built a column at a time.

A chunk of digests leaves the hashing process as one buffer that ``COPY … FROM STDIN
(FORMAT binary)`` takes as it is: the event loop's process neither rebuilds row tuples nor
encodes their values (the format: a signature and two zero words, per row a 16-bit field
count and per field a 32-bit length, ``-1`` for NULL, then the value's bytes; a ``-1``
16-bit word ends it). Every column is encoded by C-level maps over the whole column (no
bytecode per value) and the rows are interleaved by one ``zip``. A column holding the same
value on every row (the segment, the platform, a field nobody has) is encoded once: such
columns are listed first, so their values join the row's fixed prefix.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from itertools import chain, repeat

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, header extension length
TRAILER = b"\xff\xff"
NULL = b"\xff\xff\xff\xff"
BYTEA_OID = 17

_LENGTH = struct.Struct(">i").pack
_INT8 = struct.Struct(">iq").pack
_INT2 = struct.Struct(">ih").pack
_ARRAY_HEAD = struct.Struct(">iiiiii").pack  # length, ndim, flags, element type, size, lbound

# A column: every row's encoded field, or (``bytes``) one encoded field shared by all rows.
Column = Iterable[bytes] | bytes


def value(data: bytes | None) -> bytes:
    """One encoded field (a shared column's value)."""
    return NULL if data is None else _LENGTH(len(data)) + data


def varlen(values: Sequence[bytes | None]) -> Column:
    """Byte strings of any length (``None`` is NULL)."""
    if not any(values) and values.count(None) in (0, len(values)):
        return value(values[0]) if values else NULL  # all NULL, or all empty
    if None in values:
        return [_LENGTH(len(v)) + v if v is not None else NULL for v in values]
    return map(bytes.__add__, map(_LENGTH, map(len, values)), values)  # type: ignore[arg-type]


def fixed(values: Sequence[bytes | None], width: int) -> Column:
    """Byte strings all ``width`` long (a SHA-256 is 32; ``None`` is NULL)."""
    if not any(values):
        return NULL
    prefix = _LENGTH(width)
    if None in values:
        return [prefix + v if v is not None else NULL for v in values]
    return map(prefix.__add__, values)  # type: ignore[arg-type]


def int8(values: Sequence[int]) -> Column:
    return map(_INT8, repeat(8, len(values)), values)


def int2(values: Sequence[int]) -> Column:
    if not any(values):
        return _INT2(2, 0)
    return map(_INT2, repeat(2, len(values)), values)


def _bytea_array(keys: Sequence[bytes]) -> bytes:
    body = b"".join(_LENGTH(len(k)) + k for k in keys)
    return _ARRAY_HEAD(20 + len(body), 1, 0, BYTEA_OID, len(keys), 1) + body


def bytea_arrays(values: Sequence[Sequence[bytes] | None]) -> Column:
    """``bytea[]`` values (``None`` is NULL; most rows have none)."""
    if values.count(None) == len(values):
        return NULL
    return [_bytea_array(v) if v is not None else NULL for v in values]


def buffer(columns: Sequence[tuple[str, Column]]) -> tuple[list[str], bytes]:
    """The whole COPY stream of ``(name, column)`` pairs, and the column names in the
    order the stream holds them (shared columns first, in the row prefix)."""
    shared = [(name, c) for name, c in columns if isinstance(c, bytes)]
    varying = [(name, c) for name, c in columns if not isinstance(c, bytes)]
    if not varying:
        raise ValueError("a COPY buffer needs one column that varies (it sets the row count)")
    prefix = struct.pack(">h", len(columns)) + b"".join(c for _, c in shared)  # type: ignore[misc]
    rows = zip(repeat(prefix), *(c for _, c in varying))
    data = b"".join(chain((SIGNATURE,), chain.from_iterable(rows), (TRAILER,)))
    return [name for name, _ in (*shared, *varying)], data

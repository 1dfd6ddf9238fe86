"""PostgreSQL's binary COPY format, built a column at a time.

A chunk of digests leaves the hashing process as one buffer that ``COPY … FROM STDIN
(FORMAT binary)`` takes as it is: the event loop's process neither rebuilds row tuples nor
encodes their values (the format: a signature and two zero words, per row a 16-bit field
count and per field a 32-bit length, ``-1`` for NULL, then the value's bytes; a ``-1``
16-bit word ends it). Every column is encoded by C-level maps over the whole column (no
bytecode per value) and the rows are interleaved by one ``zip``.
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

Column = Iterable[bytes]


def row_prefix(count: int, *constants: bytes) -> bytes:
    """What every row starts with: its field count, then the leading fields that hold the
    same value on every row."""
    return struct.pack(">h", count) + b"".join(_LENGTH(len(v)) + v for v in constants)


def nulls(size: int) -> Column:
    return repeat(NULL, size)


def varlen(values: Sequence[bytes | None]) -> Column:
    """Byte strings of any length (``None`` is NULL)."""
    if None in values:
        return [_LENGTH(len(v)) + v if v is not None else NULL for v in values]
    return map(bytes.__add__, map(_LENGTH, map(len, values)), values)  # type: ignore[arg-type]


def fixed(values: Sequence[bytes | None], width: int) -> Column:
    """Byte strings all ``width`` long (a SHA-256 is 32; ``None`` is NULL)."""
    prefix = _LENGTH(width)
    if None in values:
        return [prefix + v if v is not None else NULL for v in values]
    return map(prefix.__add__, values)  # type: ignore[arg-type]


def int8(values: Sequence[int]) -> Column:
    return map(_INT8, repeat(8, len(values)), values)


def int2(values: Sequence[int]) -> Column:
    if not any(values):
        return repeat(_INT2(2, 0), len(values))
    return map(_INT2, repeat(2, len(values)), values)


def _bytea_array(keys: Sequence[bytes]) -> bytes:
    body = b"".join(_LENGTH(len(k)) + k for k in keys)
    return _ARRAY_HEAD(20 + len(body), 1, 0, BYTEA_OID, len(keys), 1) + body


def bytea_arrays(values: Sequence[Sequence[bytes] | None]) -> Column:
    """``bytea[]`` values (``None`` is NULL; most rows have none)."""
    if not any(values):
        return repeat(NULL, len(values))
    return [_bytea_array(v) if v is not None else NULL for v in values]


def buffer(prefix: bytes, columns: Sequence[Column]) -> bytes:
    """The whole COPY stream: per row ``prefix`` (its field count and any constant leading
    fields) then one value of each column, in order."""
    rows = zip(repeat(prefix), *columns)
    return b"".join(chain((SIGNATURE,), chain.from_iterable(rows), (TRAILER,)))

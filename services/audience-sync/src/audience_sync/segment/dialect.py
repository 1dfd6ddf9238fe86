"""What kind of CSV a file is: compression, text encoding, delimiter, line ends.

Everything here streams: a gzip body is inflated chunk by chunk (never more than
``MAX_INFLATE`` bytes of output per step), UTF-8 is decoded incrementally (a byte-order mark
is dropped), and the delimiter is decided from the header record alone.

A body that is not UTF-8 is refused with the encoding it most likely is, so the user knows
what to re-export: spreadsheets offer "CSV UTF-8" next to the legacy choices.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from audience_sync.segment.errors import (
    InvalidCompression,
    UnsupportedEncoding,
    UnsupportedMediaType,
)

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
MAX_INFLATE = 1 << 20
UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
GZIP_NAMES = frozenset({"gzip", "x-gzip"})

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "UTF-32 LE"),
    (b"\x00\x00\xfe\xff", "UTF-32 BE"),
    (b"\xff\xfe", "UTF-16 LE"),
    (b"\xfe\xff", "UTF-16 BE"),
)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_NUMERIC_TEXT = re.compile(r"[0-9+()\s.\-]+")


@dataclass
class Dialect:
    """What the reader found; ``delimiter`` and ``line_ending`` come from the header."""

    compression: str | None = None
    bom: bool = False
    delimiter: str = ","
    line_ending: str = "LF"
    skipped_lines: int = 0  # comment lines above the header

    def describe(self) -> dict[str, object]:
        return {
            "encoding": "UTF-8",
            "bom": self.bom,
            "compression": self.compression,
            "delimiter": self.delimiter,
            "delimiter_name": DELIMITER_NAMES[self.delimiter],
            "line_ending": self.line_ending,
            "skipped_lines": self.skipped_lines,
        }


def check_charset(content_type: str) -> None:
    """Refuse a declared ``charset`` other than UTF-8 (or its ASCII subset)."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
            if charset not in UTF8_NAMES:
                raise UnsupportedEncoding(
                    f"The CSV is declared as {charset}; only UTF-8 is read. "
                    "Save it as 'CSV UTF-8' and upload it again",
                    details={"encoding": charset},
                )


def guess_encoding(head: bytes, bad: bytes) -> str:
    """The likely encoding of a body that is not UTF-8, from its first bytes and the
    first byte sequence that failed to decode."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if head.count(0) > len(head) // 4:
        return "UTF-16 LE" if head[1:2] == b"\x00" else "UTF-16 BE"
    try:
        bad.decode("cp1252")
    except UnicodeDecodeError:
        return "a legacy single-byte encoding (ISO-8859-1 or similar)"
    return "Windows-1252 (or ISO-8859-1)"


def compression_of(content_encoding: str) -> str | None:
    return "gzip" if content_encoding.strip().lower() in GZIP_NAMES else None


async def inflate(chunks: AsyncIterator[bytes], content_encoding: str) -> AsyncIterator[bytes]:
    """The body with its ``Content-Encoding`` undone (gzip or none)."""
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        async for chunk in chunks:
            yield chunk
        return
    if encoding not in GZIP_NAMES:
        raise UnsupportedMediaType(
            "The import body may be gzip-compressed or plain",
            details={"content_encoding": encoding},
        )
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        async for chunk in chunks:
            data = chunk
            while data:
                out = inflater.decompress(data, MAX_INFLATE)
                data = inflater.unconsumed_tail
                if out:
                    yield out
                if inflater.eof:
                    data = b""
        tail = inflater.flush()
    except zlib.error as exc:
        raise InvalidCompression(details={"content_encoding": encoding}) from exc
    if tail:
        yield tail
    if not inflater.eof:
        raise InvalidCompression(
            "The gzip stream ends before its end marker (a truncated upload?)",
            details={"content_encoding": encoding},
        )


async def decode(chunks: AsyncIterator[bytes], dialect: Dialect) -> AsyncIterator[str]:
    """UTF-8 text of the body, a leading byte-order mark removed (and noted in ``dialect``)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    head = b""
    first = True
    try:
        async for chunk in chunks:
            if not chunk:
                continue
            if len(head) < 64:
                head += chunk[: 64 - len(head)]
            text = decoder.decode(chunk)
            if first and text:
                first = False
                if text.startswith("\ufeff"):
                    dialect.bom = True
                    text = text[1:]
            if text:
                yield text
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        name = guess_encoding(head, exc.object[exc.start : exc.end + 1])
        raise UnsupportedEncoding(
            f"The CSV is not UTF-8; it looks like {name}. "
            "Save it as 'CSV UTF-8' and upload it again",
            details={"encoding": name},
        ) from exc
    if tail:
        yield tail


def sniff(header: str, dialect: Dialect) -> None:
    """Set the delimiter (the candidate appearing most often outside quotes in the header
    record; comma on a tie or a single column) and the line ending the header uses."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    dialect.delimiter = best if counts[best] else ","
    if header.endswith("\r\n"):
        dialect.line_ending = "CRLF"
    elif header.endswith("\r"):
        dialect.line_ending = "CR"
    else:
        dialect.line_ending = "LF"


def strip_excel(value: str) -> str:
    """A cell without the marks spreadsheets add to keep text as text: the ``="…"``
    formula wrapper, and a leading ``'`` before something number-like (``'0123``,
    ``'+1 415…``). A leading apostrophe before letters (``'t Hooft``) is kept."""
    if value[:2] == '="' and value[-1:] == '"' and len(value) >= 3:
        return value[2:-1]
    if value[:1] == "'" and _NUMERIC_TEXT.fullmatch(value, 1) is not None:
        return value[1:]
    return value


def is_scientific(value: str) -> bool:
    """``4.47712E+11``: a spreadsheet showed a long number in scientific notation and the
    export kept that (the digits past the precision are gone)."""
    return _SCIENTIFIC.fullmatch(value.strip()) is not None

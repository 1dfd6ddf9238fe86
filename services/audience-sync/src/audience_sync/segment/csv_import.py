"""Streaming CSV: complete records out of arbitrary text chunks, then rows for COPY.

:class:`RecordSplitter` cuts the text into records without ever holding more than the
current chunk and one partial record: a line ending closes a record only when the record so
far holds an even number of quote characters (RFC 4180 escapes a quote by doubling it, so
a line break inside a quoted field leaves the count odd). Each complete record is parsed
with :mod:`csv`, with its line number kept for error reports.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from audience_sync.segment.dialect import (
    Dialect,
    compression_of,
    decode,
    inflate,
    sniff,
    strip_excel,
)
from audience_sync.segment.errors import InvalidImport, NoIdentifierColumn
from audience_sync.segment.mapping import KEY, TRAITS, Column, map_header
from audience_sync.segment.rows import (
    EXTRA_COLUMNS,
    FIELDS,
    KEY_FIELDS,
    InvalidValue,
    stage_record,
)
from audience_sync.segment.schemas import InvalidRow

MAX_SAMPLES = 20
MAX_RECORD_CHARS = 1_000_000
EXCEL_MARKS = ("'", '="')


class RecordSplitter:
    def __init__(self) -> None:
        self._pending: list[str] = []
        self._pending_len = 0
        self._quotes = 0
        self._line = 1  # the line the pending record starts on
        self._carry = ""  # a trailing CR waits: the next chunk may start with its LF

    def feed(self, text: str, *, final: bool = False) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        text = self._carry + text
        self._carry = ""
        if text.endswith("\r") and not final:
            text, self._carry = text[:-1], "\r"
        for piece in text.splitlines(keepends=True):
            if not piece.endswith(("\n", "\r")):
                self._append(piece)  # a partial line: wait for the rest
                continue
            self._append(piece)
            if self._quotes % 2 == 0:
                record = "".join(self._pending)
                out.append((self._line, record))
                self._line += record.count("\n") or 1
                self._pending = []
                self._pending_len = 0
                self._quotes = 0
        return out

    def _append(self, piece: str) -> None:
        self._pending.append(piece)
        self._pending_len += len(piece)
        self._quotes += piece.count('"')
        if self._pending_len > MAX_RECORD_CHARS:
            raise InvalidImport(
                f"Line {self._line}: a record longer than {MAX_RECORD_CHARS} characters "
                "(an unterminated quote?)"
            )

    def close(self) -> list[tuple[int, str]]:
        out = self.feed("", final=True)
        if not self._pending:
            return out
        if self._quotes % 2:
            raise InvalidImport(f"Line {self._line}: unterminated quoted field")
        record = "".join(self._pending)
        self._pending = []
        return [*out, (self._line, record)]


def parse_records(
    records: Iterable[tuple[int, str]], delimiter: str
) -> Iterator[tuple[int, list[str]]]:
    lines = [line for line, _ in records]
    texts = [text for _, text in records]
    yield from zip(lines, csv.reader(texts, delimiter=delimiter, strict=True), strict=True)


async def parsed_rows(
    text: AsyncIterator[str], dialect: Dialect
) -> AsyncIterator[list[tuple[int, list[str]]]]:
    """Batches of ``(line, fields)`` as the text arrives, the header record first; blank
    lines are skipped, and so are ``#`` comment lines above the header (Google's template
    starts with instructions). The delimiter is sniffed from the header record."""
    splitter = RecordSplitter()
    sniffed = False

    def handle(records: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
        nonlocal sniffed
        if not sniffed:
            while records and (not records[0][1].strip() or records[0][1].lstrip().startswith("#")):
                dialect.skipped_lines += 1 if records[0][1].strip() else 0
                records = records[1:]
            if not records:
                return []
            sniff(records[0][1], dialect)
            sniffed = True
        try:
            return [
                (line, values)
                for line, values in parse_records(records, dialect.delimiter)
                if values
            ]
        except csv.Error as exc:
            raise InvalidImport(f"Malformed CSV: {exc}") from exc

    async for piece in text:
        records = splitter.feed(piece)
        if records:
            rows = handle(records)
            if rows:
                yield rows
    rows = handle(splitter.close())
    if rows:
        yield rows


@dataclass
class RowBuilder:
    """Turns parsed CSV rows into stage records, collecting invalid-row samples."""

    columns: list[Column]
    invalid: int = 0
    samples: list[InvalidRow] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.width = len(self.columns)
        self.key_index = [c.position for c in self.columns if c.target == KEY]
        indexes: dict[str, list[int]] = {}
        for c in self.columns:
            if c.target in FIELDS:
                indexes.setdefault(c.target, []).append(c.position)
        self.field_index = indexes
        # The common case, one column per field, read without a helper call per cell.
        self.single = [(f, idx[0]) for f, idx in indexes.items() if len(idx) == 1]
        self.repeated = [(f, idx) for f, idx in indexes.items() if len(idx) > 1]
        self.key_single = self.key_index[0] if len(self.key_index) == 1 else None
        # Fields given by several columns that a person may have several of (Meta's
        # template: three email and three phone columns).
        self.multi_index = {
            f: idx for f, idx in indexes.items() if f in EXTRA_COLUMNS and len(idx) > 1
        }
        self.traits_index = [c.position for c in self.columns if c.target == TRAITS]
        self.extra = [(c.position, c.trait) for c in self.columns if c.trait is not None]
        if not self.key_index and not any(f in indexes for f in KEY_FIELDS):
            raise NoIdentifierColumn(details={"header": [c.header for c in self.columns][:200]})

    @property
    def profile_columns(self) -> list[str]:
        """Profile columns this file sets (absent ones keep their stored values)."""
        present = [f for f in FIELDS if f in self.field_index]
        present += [EXTRA_COLUMNS[f] for f in EXTRA_COLUMNS if f in self.field_index]
        if self.traits_index or self.extra:
            present.append("traits")
        return present

    def reject(self, line: int, external_id: str | None, reason: str) -> None:
        self.invalid += 1
        if len(self.samples) < MAX_SAMPLES:
            key = external_id.strip()[:255] if external_id else None
            self.samples.append(InvalidRow(line=line, external_id=key or None, reason=reason))

    def build(self, line: int, values: list[str]) -> tuple[Any, ...] | None:
        """The stage record of one data row, or ``None`` (counted and sampled) when the row
        cannot be stored."""
        if len(values) > self.width:
            self.reject(line, None, f"{len(values)} fields, the header has {self.width}")
            return None
        if len(values) < self.width:
            values = values + [""] * (self.width - len(values))
        joined = "\x00".join(values)  # one C-speed scan instead of a test per cell
        if "'" in joined or '="' in joined:
            values = [strip_excel(v) if v.startswith(EXCEL_MARKS) else v for v in values]
        key = (
            values[self.key_single]
            if self.key_single is not None
            else _first(values, self.key_index)
        )
        traits: dict[str, Any] | None = None
        for index in self.traits_index:
            if not values[index].strip():
                continue
            try:
                parsed = orjson.loads(values[index])
            except orjson.JSONDecodeError:
                parsed = None
            if not isinstance(parsed, dict):
                self.reject(line, key, "traits is not a JSON object")
                return None
            traits = {**(traits or {}), **parsed}
        for index, name in self.extra:
            if values[index] != "":
                if traits is None:
                    traits = {}
                traits.setdefault(name, values[index])
        fields: dict[str, str | None] = {name: values[i] for name, i in self.single}
        for name, idx in self.repeated:
            fields[name] = _first(values, idx)
        more: dict[str, list[str]] | None = None
        for name, idx in self.multi_index.items():
            found = [values[i] for i in idx if values[i].strip()]
            if len(found) > 1:
                more = more or {}
                more[name] = found[1:]
        try:
            return stage_record(
                line,
                key,
                fields,
                orjson.dumps(traits).decode() if traits is not None else None,
                more,
            )
        except InvalidValue as exc:
            self.reject(line, key, str(exc))
            return None


def _first(values: list[str], indexes: list[int]) -> str | None:
    """The first non-blank value among ``indexes`` (repeated columns: Google's template
    names ``Zip`` twice)."""
    for index in indexes:
        if values[index].strip():
            return values[index]
    return None


async def csv_rows(
    text: AsyncIterator[str], dialect: Dialect, mapping: dict[str, str]
) -> AsyncIterator[tuple[RowBuilder, list[tuple[int, list[str]]]]]:
    """``(builder, data rows)`` for every batch of the body; the header makes the builder."""
    builder: RowBuilder | None = None
    async for rows in parsed_rows(text, dialect):
        if builder is None:
            builder = RowBuilder(map_header(rows[0][1], mapping))
            rows = rows[1:]
        if rows:
            yield builder, rows
    if builder is None:
        raise InvalidImport("The CSV is empty: a header row naming the fields is required")


Accept = Callable[[RowBuilder, int, list[str]], "tuple[Any, ...] | None"]


class CsvUpload:
    """One upload being read: the body undone (gzip, UTF-8), cut into rows, mapped, and
    handed out as chunks of accepted stage records. ``dialect``, ``builder`` (mapping,
    invalid rows) and ``received`` are complete once :meth:`chunks` is exhausted."""

    def __init__(
        self, body: AsyncIterator[bytes], *, content_encoding: str, mapping: dict[str, str]
    ) -> None:
        self.dialect = Dialect(compression=compression_of(content_encoding))
        self.builder: RowBuilder | None = None
        self.received = 0
        self._text = decode(inflate(body, content_encoding), self.dialect)
        self._mapping = mapping

    async def chunks(self, accept: Accept, chunk_rows: int) -> AsyncIterator[list[tuple[Any, ...]]]:
        """Lists of accepted records, ``chunk_rows`` at a time; each list is valid until the
        next one is asked for (it is reused)."""
        pending: list[tuple[Any, ...]] = []
        async for builder, rows in csv_rows(self._text, self.dialect, self._mapping):
            self.builder = builder
            for line, values in rows:
                self.received += 1
                record = accept(builder, line, values)
                if record is not None:
                    pending.append(record)
                if len(pending) >= chunk_rows:
                    yield pending
                    pending.clear()  # in place: the caller's reference must not keep it
        if pending:
            yield pending

    @property
    def profile_columns(self) -> list[str]:
        return self.builder.profile_columns if self.builder else []

    @property
    def invalid(self) -> int:
        return self.builder.invalid if self.builder else 0

    @property
    def samples(self) -> list[InvalidRow]:
        return self.builder.samples if self.builder else []

"""CSV dialects of the import: BOM, delimiters, quoting, line ends, spreadsheet artefacts,
gzip bodies, and the refusal of other encodings."""

from __future__ import annotations

import asyncio
import csv
import gzip
import io
from collections.abc import AsyncIterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audience_sync.segment.csv_import import parsed_rows
from audience_sync.segment.dialect import Dialect, decode
from kit import SEGMENTS, Api, error_of

# --------------------------------------------------------------------------- property


async def _chunks(data: bytes, cuts: list[int]) -> AsyncIterator[bytes]:
    start = 0
    for cut in sorted({c % (len(data) + 1) for c in cuts}):
        yield data[start:cut]
        start = cut
    yield data[start:]


async def _read(data: bytes, cuts: list[int]) -> tuple[Dialect, list[list[str]]]:
    dialect = Dialect()
    rows: list[list[str]] = []
    async for batch in parsed_rows(decode(_chunks(data, cuts), dialect), dialect):
        rows.extend(values for _, values in batch)
    return dialect, rows


# A header names its columns: a header line of spaces and tabs alone is a blank line, which
# the reader skips above the header like any other.
_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 _", min_size=1, max_size=12).filter(
    str.strip
)
# A lone CR in a cell is left out: Python's writer does not quote it, so such a file is
# ambiguous for any reader; cells carry LF or CRLF line breaks instead.
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\ufeff"),
    max_size=20,
)
_cell = st.one_of(_text, _text.map(lambda s: s.replace("\n", "\r\n")))


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, list[list[str]], str, bool, str]:
    width = draw(st.integers(min_value=2, max_value=6))
    header = draw(st.lists(_names, min_size=width, max_size=width))
    body = draw(st.lists(st.lists(_cell, min_size=width, max_size=width), max_size=15))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    bom = draw(st.booleans())
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=ending, quoting=quoting)
    writer.writerow(header)
    writer.writerows(body)
    data = ("\ufeff" if bom else "") + out.getvalue()
    return data.encode(), [header, *body], delimiter, bom, ending


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_files(), st.lists(st.integers(min_value=0), max_size=8))
def test_generated_files_read_back_exactly(
    file: tuple[bytes, list[list[str]], str, bool, str], cuts: list[int]
) -> None:
    data, rows, delimiter, bom, ending = file
    dialect, read = asyncio.run(_read(data, cuts))
    assert read == rows
    assert dialect.delimiter == delimiter
    assert dialect.bom is bom
    assert dialect.line_ending == ("CRLF" if ending == "\r\n" else "LF")


# --------------------------------------------------------------------------- through HTTP


async def test_excel_european_export_with_bom_semicolons_crlf_and_artefacts(api: Api) -> None:
    segment = await api.segment()
    text = (
        "\ufeffexternal_id;email;phone;zip;note\r\n"
        '\'00123;a@example.com;\'+1 415 555 0100;="02134";"semi; colon\r\nand newline"\r\n'
        '00124;b@example.com;="+14155550101";02135;plain\r\n'
        "00125;c@example.com;4.15556E+11;02136;\r\n"
    )
    response = await api.import_csv(segment["id"], text.encode())
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["received"], body["inserted"], body["invalid"]) == (3, 2, 1)
    assert body["invalid_samples"] == [
        {
            "line": 5,
            "index": None,
            "external_id": "00125",
            "reason": "phone is in scientific notation (a spreadsheet rounded it; "
            "export the column as text)",
        }
    ]
    # The leading apostrophe was a spreadsheet mark: the same key without it is the same person.
    again = await api.import_csv(segment["id"], b"external_id,email\n00123,a@example.com\n")
    assert (again.json()["inserted"], again.json()["unchanged"]) == (0, 1)
    detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
    assert detail["identifier_coverage"]["phone"] == 2


async def test_tab_and_pipe_delimiters(api: Api) -> None:
    segment = await api.segment()
    tab = b'external_id\temail\tcity\nt1\tt1@example.com\t"Paris, 75"\n'
    pipe = b"external_id|email|city\np1|p1@example.com|Lyon, 69\n"
    for content in (tab, pipe):
        response = await api.import_csv(segment["id"], content)
        assert response.status_code == 200, response.text
        assert (response.json()["inserted"], response.json()["invalid"]) == (1, 0)
    detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
    assert detail["identifier_coverage"]["email"] == 2


async def test_gzip_body(api: Api) -> None:
    segment = await api.segment()
    rows = "".join(f"g{i},g{i}@example.com\n" for i in range(2000))
    content = gzip.compress(f"external_id,email\n{rows}".encode())
    response = await api.import_csv(segment["id"], content, headers={"content-encoding": "gzip"})
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 2000


async def test_bad_gzip_and_unknown_content_encoding(api: Api) -> None:
    segment = await api.segment()
    truncated = gzip.compress(b"external_id,email\nx,x@example.com\n" * 50)[:-12]
    for content in (b"not gzip at all", truncated):
        response = await api.import_csv(
            segment["id"], content, headers={"content-encoding": "gzip"}
        )
        assert response.status_code == 422, response.text
        assert error_of(response)["code"] == "INVALID_COMPRESSION"
    response = await api.import_csv(
        segment["id"], b"external_id\nx\n", headers={"content-encoding": "br"}
    )
    assert response.status_code == 415
    assert error_of(response)["details"] == {"content_encoding": "br"}
    assert (await api.get(f"{SEGMENTS}/{segment['id']}")).json()["profile_count"] == 0


async def test_other_encodings_are_refused_by_name(api: Api) -> None:
    segment = await api.segment()
    text = "external_id,email,city\nx1,x1@example.com,Köln\n"
    cases = [
        (text.encode("utf-16"), "text/csv", "UTF-16 LE"),
        (text.encode("cp1252"), "text/csv", "Windows-1252 (or ISO-8859-1)"),
        (text.encode("utf-8"), "text/csv; charset=ISO-8859-1", "iso-8859-1"),
    ]
    for content, content_type, name in cases:
        response = await api.import_csv(
            segment["id"], content, headers={"content-type": content_type}
        )
        assert response.status_code == 415, response.text
        error = error_of(response)
        assert error["code"] == "UNSUPPORTED_ENCODING"
        assert error["details"] == {"encoding": name}
        assert name in error["message"]
    assert (await api.get(f"{SEGMENTS}/{segment['id']}")).json()["profile_count"] == 0

"""Dry run of the import (``?dry_run=true``): the dialect, the mapping and what would happen,
with nothing written."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from kit import SEGMENTS, Api, error_of

FIXTURES = Path(__file__).parent / "fixtures" / "customer_lists"
PREVIEW_KEYS = {
    "dry_run",
    "dialect",
    "columns",
    "received",
    "people",
    "new_people",
    "existing_people",
    "duplicates",
    "identifier_coverage",
    "identifier_counts",
    "invalid",
    "invalid_samples",
}


async def test_dry_run_shows_everything_and_changes_nothing(api: Api) -> None:
    segment = await api.segment()
    sid = segment["id"]
    content = (FIXTURES / "hubspot_contacts.csv").read_bytes()
    # One of the three people is already in the segment.
    first = b"Record ID,Email\n5100001,priya.nair@example.com\n"
    assert (await api.import_csv(sid, first)).json()["inserted"] == 1
    before = (await api.get(f"{SEGMENTS}/{sid}")).json()

    mapping = {"Lifecycle Stage": "trait:stage", "Create Date": "ignore"}
    response = await api.import_csv(sid, content, dry_run="true", mapping=json.dumps(mapping))
    assert response.status_code == 200, response.text
    preview = response.json()
    assert set(preview) == PREVIEW_KEYS
    assert preview["dry_run"] is True
    assert preview["dialect"] == {
        "encoding": "UTF-8",
        "bom": False,
        "compression": None,
        "delimiter": ",",
        "delimiter_name": "comma",
        "line_ending": "LF",
        "skipped_lines": 0,
    }
    decided = {c["header"]: (c["target"], c["decided_by"]) for c in preview["columns"]}
    assert decided == {
        "Record ID": ("external_id", "alias"),
        "First Name": ("first_name", "exact"),
        "Last Name": ("last_name", "exact"),
        "Email": ("email", "exact"),
        "Phone Number": ("phone", "alias"),
        "Mobile Phone Number": ("phone", "alias"),
        "City": ("city", "exact"),
        "State/Region": ("state", "alias"),
        "Postal Code": ("zip", "alias"),
        "Country/Region": ("country", "alias"),
        "Lifecycle Stage": ("trait:stage", "mapping"),
        "Contact owner": ("trait:contact_owner", "unknown"),
        "Create Date": ("ignore", "mapping"),
    }
    assert [c["position"] for c in preview["columns"]] == list(range(1, 14))
    assert (preview["received"], preview["people"]) == (3, 3)
    assert (preview["new_people"], preview["existing_people"], preview["duplicates"]) == (2, 1, 0)
    assert preview["identifier_coverage"] == {"email": 2, "phone": 3, "name_zip": 3, "madid": 0}
    assert preview["identifier_counts"] == {"emails": 2, "phones": 3}
    assert (preview["invalid"], preview["invalid_samples"]) == (0, [])

    # Nothing changed: same count, same coverage, same updated_at; the real import then
    # inserts exactly what the preview announced.
    after = (await api.get(f"{SEGMENTS}/{sid}")).json()
    assert after == before
    done = (await api.import_csv(sid, content, mapping=json.dumps(mapping))).json()
    assert (done["inserted"], done["updated"]) == (2, 1)


async def test_dry_run_of_a_european_excel_file(api: Api) -> None:
    segment = await api.segment()
    content = (FIXTURES / "excel_european.csv").read_bytes()
    preview = (await api.import_csv(segment["id"], content, dry_run="true")).json()
    assert preview["dialect"]["bom"] is True
    assert preview["dialect"]["delimiter_name"] == "semicolon"
    assert preview["dialect"]["line_ending"] == "CRLF"
    assert {c["header"]: c["target"] for c in preview["columns"]} == {
        "E-Mail": "email",
        "First name": "first_name",
        "Last name": "last_name",
        "Phone": "phone",
        "Postcode": "zip",
        "City": "city",
        "Loyalty": "trait:loyalty",
    }
    assert (preview["received"], preview["people"], preview["invalid"]) == (3, 2, 1)
    sample = preview["invalid_samples"][0]
    assert sample["line"] == 4 and sample["reason"].startswith("phone is in scientific notation")
    assert (await api.get(f"{SEGMENTS}/{segment['id']}")).json()["profile_count"] == 0


async def test_dry_run_of_gzip_and_commented_template(api: Api) -> None:
    segment = await api.segment()
    content = gzip.compress((FIXTURES / "google_customer_match.csv").read_bytes())
    preview = (
        await api.import_csv(
            segment["id"], content, dry_run="true", headers={"content-encoding": "gzip"}
        )
    ).json()
    assert preview["dialect"]["compression"] == "gzip"
    assert preview["dialect"]["skipped_lines"] == 2
    assert [c["target"] for c in preview["columns"]] == [
        "email",
        "first_name",
        "last_name",
        "country",
        "zip",
        "email",
        "zip",
        "phone",
        "phone",
    ]
    assert preview["people"] == 3 and preview["new_people"] == 3
    assert (await api.get(f"{SEGMENTS}/{segment['id']}")).json()["profile_count"] == 0


async def test_dry_run_refuses_what_the_import_refuses(api: Api) -> None:
    segment = await api.segment()
    response = await api.import_csv(
        segment["id"], b"Name\nAnn\n", dry_run="true", mapping='{"Name": "first_name"}'
    )
    assert response.status_code == 422
    assert error_of(response)["code"] == "NO_IDENTIFIER_COLUMN"

"""Column mapping of the import: the exports of common tools import as they are, an explicit
``mapping`` wins, and a file without an id column keys each person on their identifiers.

The files under ``fixtures/customer_lists`` are written here from each source's documented
export headers (made-up people, example.com addresses)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kit import SEGMENTS, Api, error_of

FIXTURES = Path(__file__).parent / "fixtures" / "customer_lists"

# file -> (rows read, inserted, invalid, coverage {email, phone, name_zip, madid})
SOURCES: dict[str, tuple[int, int, int, dict[str, int]]] = {
    "shopify_customers.csv": (3, 3, 0, {"email": 2, "phone": 3, "name_zip": 2, "madid": 0}),
    "mailchimp_audience.csv": (3, 3, 0, {"email": 3, "phone": 2, "name_zip": 0, "madid": 0}),
    "hubspot_contacts.csv": (3, 3, 0, {"email": 2, "phone": 3, "name_zip": 3, "madid": 0}),
    "klaviyo_profiles.csv": (3, 3, 0, {"email": 3, "phone": 2, "name_zip": 3, "madid": 0}),
    "salesforce_contacts.csv": (3, 3, 0, {"email": 3, "phone": 2, "name_zip": 2, "madid": 0}),
    "meta_customer_list.csv": (3, 3, 0, {"email": 2, "phone": 2, "name_zip": 3, "madid": 1}),
    "google_customer_match.csv": (3, 3, 0, {"email": 2, "phone": 3, "name_zip": 3, "madid": 0}),
    "excel_european.csv": (3, 2, 1, {"email": 2, "phone": 2, "name_zip": 2, "madid": 0}),
}


@pytest.mark.parametrize("name", sorted(SOURCES))
async def test_exports_import_as_exported_and_again_without_change(api: Api, name: str) -> None:
    received, inserted, invalid, coverage = SOURCES[name]
    segment = await api.segment()
    content = (FIXTURES / name).read_bytes()
    response = await api.import_csv(segment["id"], content)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["received"], body["inserted"], body["invalid"]) == (received, inserted, invalid)
    detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
    assert {k: detail["identifier_coverage"][k] for k in coverage} == coverage
    # The same file again: every person is found again (ids or derived keys), nothing changes.
    again = (await api.import_csv(segment["id"], content)).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, inserted)
    assert (await api.get(f"{SEGMENTS}/{segment['id']}")).json()["profile_count"] == inserted


async def test_headers_match_whatever_their_case_spacing_and_punctuation(api: Api) -> None:
    segment = await api.segment()
    content = b"EXTERNAL-ID,e_mail address,Phone  Number,first.name,LAST_NAME,Zip/Code\n"
    content += b"k1,k1@example.com,+1 415 555 0100,Kim,Lee,94107\n"
    response = await api.import_csv(segment["id"], content)
    assert response.status_code == 200, response.text
    detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
    assert detail["identifier_coverage"] == {
        "email": 1,
        "phone": 1,
        "name_zip": 1,
        "madid": 0,
        "extra_emails": 0,
        "extra_phones": 0,
    }


async def test_explicit_mapping_overrides_detection(api: Api) -> None:
    segment = await api.segment()
    content = (FIXTURES / "hubspot_contacts.csv").read_bytes()
    mapping = {"Email": "ignore", "Record ID": "trait:hubspot_id", "Lifecycle Stage": "ignore"}
    response = await api.import_csv(segment["id"], content, mapping=json.dumps(mapping))
    assert response.status_code == 200, response.text
    detail = (await api.get(f"{SEGMENTS}/{segment['id']}")).json()
    # No email column any more, and no id column: every person is keyed on their phone.
    assert detail["identifier_coverage"]["email"] == 0
    assert detail["profile_count"] == 3
    # Keyed on phones, not on the HubSpot ids: the same file without the mapping is three
    # other people.
    plain = (await api.import_csv(segment["id"], content)).json()
    assert plain["inserted"] == 3


async def test_mapping_a_column_to_a_field_and_by_normalized_header(api: Api) -> None:
    segment = await api.segment()
    content = b"Code,Contact,Notes\nc-1,c1@example.com,hello\nc-2,+44 7700 900123,\n"
    mapping = {"code": "external_id", "Contact": "email"}
    response = await api.import_csv(segment["id"], content, mapping=json.dumps(mapping))
    body = response.json()
    # "+44 7700 900123" mapped as an email is refused as one (the reason names the field).
    assert (body["inserted"], body["invalid"]) == (1, 1), body
    assert body["invalid_samples"][0]["reason"] == "email is not a valid address"
    assert body["invalid_samples"][0]["external_id"] == "c-2"


@pytest.mark.parametrize(
    ("mapping", "code", "detail_key"),
    [
        ("{not json", "INVALID_MAPPING", "reason"),
        ('["email"]', "INVALID_MAPPING", None),
        ('{"Email": "emial"}', "INVALID_MAPPING", "allowed"),
        ('{"Email": "trait:"}', "INVALID_MAPPING", "column"),
        ('{"E-mail address 2": "email"}', "MAPPING_COLUMN_NOT_FOUND", "columns"),
        (
            '{"Record ID": "ignore", "Email": "ignore", "Phone Number": "ignore", '
            '"Mobile Phone Number": "ignore"}',
            "NO_IDENTIFIER_COLUMN",
            "header",
        ),
    ],
)
async def test_bad_mappings_are_refused_before_anything_is_written(
    api: Api, mapping: str, code: str, detail_key: str | None
) -> None:
    segment = await api.segment()
    content = (FIXTURES / "hubspot_contacts.csv").read_bytes()
    response = await api.import_csv(segment["id"], content, mapping=mapping)
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == code
    if detail_key is not None:
        assert detail_key in error["details"], error
    assert (await api.get(f"{SEGMENTS}/{segment['id']}")).json()["profile_count"] == 0


async def test_derived_keys_follow_the_rule(api: Api) -> None:
    """First email (case and spaces do not matter), else phone digits, else mobile ad id;
    a row with none of them and no id is refused with its reason."""
    segment = await api.segment()
    content = (
        b"email,phone,madid,first_name\n"
        b"Pat@Example.com,+1 415 555 0100,,Pat\n"
        b",+1 (415) 555-0101,,Sam\n"
        b",,6D92078A-8246-4BA4-AE5B-76104861E7DC,Max\n"
        b",,,Nobody\n"
    )
    body = (await api.import_csv(segment["id"], content)).json()
    assert (body["inserted"], body["invalid"]) == (3, 1)
    assert body["invalid_samples"] == [
        {
            "line": 5,
            "index": None,
            "external_id": None,
            "reason": "no external_id and no email, phone or mobile ad id to key the row on",
        }
    ]
    # The same people written differently are the same people.
    content = (
        b"Phone,Email,First Name\n+1 415 555 0199, pat@example.com ,Patricia\n14155550101,,Sam\n"
    )
    body = (await api.import_csv(segment["id"], content)).json()
    assert (body["inserted"], body["updated"], body["unchanged"]) == (0, 2, 0), body

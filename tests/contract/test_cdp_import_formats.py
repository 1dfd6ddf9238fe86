"""Customer lists as marketers export them (issue 24), through the gateway: each named
source's export imports as it is, a dry run shows what would happen and changes nothing,
an explicit mapping wins over detection, the same file twice changes nothing, and a person
with three emails is one person.

The files are written by the project from each source's documented export headers (made-up
people), in services/audience-sync/tests/fixtures/customer_lists."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import cdp_kit as cdp

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "services" / "audience-sync" / "tests" / "fixtures" / "customer_lists"
# source -> (file, people imported, rows refused)
SOURCES: dict[str, tuple[str, int, int]] = {
    "shopify": ("shopify_customers.csv", 3, 0),
    "mailchimp": ("mailchimp_audience.csv", 3, 0),
    "hubspot": ("hubspot_contacts.csv", 3, 0),
    "klaviyo": ("klaviyo_profiles.csv", 3, 0),
    "salesforce": ("salesforce_contacts.csv", 3, 0),
    "meta template": ("meta_customer_list.csv", 3, 0),
    "google template": ("google_customer_match.csv", 3, 0),
    "excel european": ("excel_european.csv", 2, 1),
}


async def segment_of(api: httpx.AsyncClient, user: Any) -> str:
    created = await api.post(cdp.SEGMENTS, json={"name": "Imported"}, headers=user.headers)
    assert created.status_code == 201, created.text
    segment_id: str = created.json()["id"]
    return segment_id


async def upload(
    api: httpx.AsyncClient, user: Any, segment_id: str, content: bytes, **extra: Any
) -> httpx.Response:
    headers = {**user.headers, "content-type": "text/csv", **extra.pop("headers", {})}
    return await api.post(
        f"{cdp.SEGMENTS}/{segment_id}/profiles/import",
        content=content,
        params=extra,
        headers=headers,
    )


@pytest.mark.parametrize("source", sorted(SOURCES))
async def test_each_source_imports_as_exported_and_again_without_change(
    api: httpx.AsyncClient, user: Any, source: str
) -> None:
    name, people, refused = SOURCES[source]
    content = (FIXTURES / name).read_bytes()
    segment_id = await segment_of(api, user)
    first = await upload(api, user, segment_id, content)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["inserted"], body["invalid"]) == (people, refused), body
    again = (await upload(api, user, segment_id, content)).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, people)
    detail = (await api.get(f"{cdp.SEGMENTS}/{segment_id}", headers=user.headers)).json()
    assert detail["profile_count"] == people


async def test_dry_run_changes_nothing(api: httpx.AsyncClient, user: Any) -> None:
    segment_id = await segment_of(api, user)
    content = (FIXTURES / "shopify_customers.csv").read_bytes()
    before = (await api.get(f"{cdp.SEGMENTS}/{segment_id}", headers=user.headers)).json()
    response = await upload(api, user, segment_id, content, dry_run="true")
    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["dry_run"] is True
    assert (preview["received"], preview["people"], preview["new_people"]) == (3, 3, 3)
    decided = {c["header"]: (c["target"], c["decided_by"]) for c in preview["columns"]}
    assert decided["Customer ID"] == ("external_id", "alias")
    assert decided["Default Address Zip"] == ("zip", "alias")
    assert decided["Tags"] == ("trait:tags", "unknown")
    after = (await api.get(f"{cdp.SEGMENTS}/{segment_id}", headers=user.headers)).json()
    assert after == before and after["profile_count"] == 0


async def test_explicit_mapping_overrides_detection(api: httpx.AsyncClient, user: Any) -> None:
    segment_id = await segment_of(api, user)
    content = (FIXTURES / "salesforce_contacts.csv").read_bytes()
    mapping = json.dumps({"Email": "ignore", "Account Name": "trait:company"})
    preview = (await upload(api, user, segment_id, content, dry_run="true", mapping=mapping)).json()
    decided = {c["header"]: (c["target"], c["decided_by"]) for c in preview["columns"]}
    assert decided["Email"] == ("ignore", "mapping")
    assert decided["Account Name"] == ("trait:company", "mapping")
    assert preview["identifier_coverage"]["email"] == 0
    done = (await upload(api, user, segment_id, content, mapping=mapping)).json()
    assert done["inserted"] == 3
    detail = (await api.get(f"{cdp.SEGMENTS}/{segment_id}", headers=user.headers)).json()
    assert detail["identifier_coverage"]["email"] == 0
    bad = await upload(api, user, segment_id, content, mapping='{"Emial": "email"}')
    assert cdp.error(bad, 422, "MAPPING_COLUMN_NOT_FOUND")["details"]["columns"] == ["Emial"]


async def test_gzip_upload_and_other_encodings_through_the_gateway(
    api: httpx.AsyncClient, user: Any
) -> None:
    segment_id = await segment_of(api, user)
    content = (FIXTURES / "google_customer_match.csv").read_bytes()
    zipped = await upload(
        api, user, segment_id, gzip.compress(content), headers={"content-encoding": "gzip"}
    )
    assert zipped.status_code == 200, zipped.text
    assert zipped.json()["inserted"] == 3
    latin = "email,city\nk@example.com,Köln\n".encode("cp1252")
    refused = cdp.error(await upload(api, user, segment_id, latin), 415, "UNSUPPORTED_ENCODING")
    assert refused["details"] == {"encoding": "Windows-1252 (or ISO-8859-1)"}


async def test_a_person_with_three_emails_is_counted_once(
    api: httpx.AsyncClient, user: Any
) -> None:
    segment_id = await segment_of(api, user)
    content = (FIXTURES / "meta_customer_list.csv").read_bytes()
    preview = (await upload(api, user, segment_id, content, dry_run="true")).json()
    assert preview["people"] == 3
    assert preview["identifier_counts"] == {"emails": 4, "phones": 3}
    body = (await upload(api, user, segment_id, content)).json()
    assert body["inserted"] == 3
    detail = (await api.get(f"{cdp.SEGMENTS}/{segment_id}", headers=user.headers)).json()
    assert detail["profile_count"] == 3
    assert detail["identifier_coverage"]["email"] == 2

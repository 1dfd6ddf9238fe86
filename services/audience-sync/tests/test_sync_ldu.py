"""Meta Limited Data Use: a profile that asks for it (upsert, CSV columns) has the LDU
columns on its row only; an audience with ``limited_data_use`` has them on every row;
malformed values are refused with their reason."""

from __future__ import annotations

from typing import Any

from adscale_platforms.identifiers import hash_many
from kit import AS, Api

LDU_SCHEMA = [
    "DATA_PROCESSING_OPTIONS",
    "DATA_PROCESSING_OPTIONS_COUNTRY",
    "DATA_PROCESSING_OPTIONS_STATE",
]


async def rows_by_email(api: Api, audience: dict[str, Any]) -> dict[str, list[Any]]:
    """The last Meta upload of the audience: its LDU cells, by the row's email hash."""
    upload = next(
        r
        for r in await api.sandbox.requests("meta")
        if r["audience_id"] == audience["platform_audience_id"]
    )
    at = [upload["schema"].index(k) for k in LDU_SCHEMA]
    email = upload["schema"].index("EMAIL")
    return {row[email]: [row[i] for i in at] for row in upload["rows"]}


def sha(email: str) -> str:
    return str(hash_many("meta", "email", [email])[0])


async def test_ldu_profile_row_only_then_audience_wide(api: Api) -> None:
    segment = await api.segment()
    sid = segment["id"]
    await api.upsert(
        sid,
        [
            {
                "external_id": "p1",
                "email": "ca@example.com",
                "data_processing_options": ["LDU"],
                "data_processing_options_country": 1,
                "data_processing_options_state": 1000,
            },
            {"external_id": "p2", "email": "other@example.com"},
        ],
    )
    # A CSV names the same columns; "LDU" alone lets Meta geolocate the person.
    body = await api.imported(
        sid, b"id,email,data_processing_options\np3,geo@example.com,LDU\np4,no@example.com,\n"
    )
    assert body["inserted"] == 2 and body["invalid"] == 0, body
    await api.connect("meta")
    created = await api.audience(sid, "meta")
    assert created["audience"]["limited_data_use"] is False
    cells = await rows_by_email(api, created["audience"])
    assert cells[sha("ca@example.com")] == [["LDU"], 1, 1000]
    assert cells[sha("geo@example.com")] == [["LDU"], 0, 0]
    assert cells[sha("other@example.com")] == [[], "", ""]
    assert cells[sha("no@example.com")] == [[], "", ""]

    # The audience asks for it: every row carries it.
    wide = await api.audience(sid, "meta", limited_data_use=True)
    assert wide["audience"]["limited_data_use"] is True
    cells = await rows_by_email(api, wide["audience"])
    assert cells[sha("other@example.com")] == [["LDU"], 0, 0]
    assert cells[sha("ca@example.com")] == [["LDU"], 1, 1000]  # the profile's own codes
    # It can be switched off again.
    patched = await api.patch(
        f"{AS}/audiences/{wide['audience']['id']}", json={"limited_data_use": False}
    )
    assert patched.status_code == 200 and patched.json()["limited_data_use"] is False


async def test_malformed_ldu_values_are_refused_with_their_reason(api: Api) -> None:
    segment = await api.segment()
    result = await api.upsert(
        segment["id"],
        [
            {"external_id": "b1", "email": "b1@example.com", "data_processing_options": "GDPR"},
            {
                "external_id": "b2",
                "email": "b2@example.com",
                "data_processing_options": "LDU",
                "data_processing_options_state": "7",
            },
        ],
    )
    assert result["invalid"] == 2
    reasons = [s["reason"] for s in result["invalid_samples"]]
    assert reasons == [
        'data_processing_options must be "LDU" (or empty)',
        "data_processing_options_state must be a Meta US state code (1000...) or 0",
    ]
    body = await api.imported(
        segment["id"], b"id,email,data_processing_options_country\nb3,b3@example.com,44\n"
    )
    assert body["invalid"] == 1
    assert body["invalid_samples"][0]["reason"] == (
        "data_processing_options_country must be 1 (US) or 0"
    )

"""Meta Marketing API imitation: accounts, custom audiences and their members, sessions."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

GRAPH = "/meta/graph/v25.0"


def payload(hashes: list[Any], schema: Any = "EMAIL_SHA256") -> str:
    return json.dumps({"schema": schema, "data": hashes})


async def upload(
    client: httpx.AsyncClient,
    token: str,
    audience_id: str,
    rows: list[Any],
    schema: Any = "EMAIL_SHA256",
    *,
    edge: str = "users",
    session: dict[str, Any] | None = None,
) -> httpx.Response:
    """A form-encoded ``POST /{audience_id}/{edge}`` with ``payload`` (and ``session``)."""
    data = {"payload": payload(rows, schema)}
    if session is not None:
        data["session"] = json.dumps(session)
    data["access_token"] = token
    return await client.post(f"{GRAPH}/{audience_id}/{edge}", data=data)


async def read(client: httpx.AsyncClient, token: str, audience_id: str) -> dict[str, Any]:
    r = await client.get(
        f"{GRAPH}/{audience_id}",
        params={
            "access_token": token,
            "fields": "name,approximate_count_lower_bound,approximate_count_upper_bound,"
            "operation_status,delivery_status",
        },
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_me_and_ad_accounts(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    r = await client.get(
        f"{GRAPH}/me/adaccounts",
        params={"access_token": token, "fields": "name,account_id,currency"},
    )
    assert r.status_code == 200
    data = r.json()["data"]
    assert len(data) == 3
    assert all(a["id"] == f"act_{a['account_id']}" and a["currency"] == "USD" for a in data)
    again = await client.get(f"{GRAPH}/me/adaccounts", params={"access_token": await kit.meta()})
    assert [a["id"] for a in again.json()["data"]] == [a["id"] for a in data]
    assert "X-Business-Use-Case-Usage" in r.headers


async def test_audience_lifecycle_add_remove_read_delete(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token = await kit.meta()
    account = await kit.meta_account(token)
    audience_id = await kit.meta_audience(token, account)

    fresh = await read(client, token, audience_id)
    assert fresh["operation_status"]["code"] == 410
    assert fresh["approximate_count_lower_bound"] == 0

    members = kit.hashes(2500)
    r = await upload(client, token, audience_id, members)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "audience_id": audience_id,
        "num_received": 2500,
        "num_invalid_entries": 0,
        "invalid_entry_samples": {},
    }
    removed = members[:500]
    r = await client.request(
        "DELETE",
        f"{GRAPH}/{audience_id}/users",
        params={"access_token": token},
        json={"payload": {"schema": "EMAIL_SHA256", "data": removed}},
    )
    assert r.status_code == 200, r.text

    remaining = members[500:]
    body = await read(client, token, audience_id)
    matched = kit.matched(remaining)
    assert body["approximate_count_lower_bound"] == matched * 95 // 100
    assert body["approximate_count_upper_bound"] == -(-matched * 105 // 100)
    assert body["operation_status"] == {"code": 200, "description": "Normal"}
    assert body["delivery_status"]["code"] == 200

    admin = await kit.members("meta", audience_id, hashes=True)
    assert admin["count"] == 2000
    assert sorted(admin["hashes"]) == sorted(remaining)

    r = await client.delete(f"{GRAPH}/{audience_id}", params={"access_token": token})
    assert r.json() == {"success": True}
    r = await client.get(f"{GRAPH}/{audience_id}", params={"access_token": token})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == 100
    assert r.json()["error"]["error_subcode"] == 33


async def test_create_requires_customer_file_source(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    account = await kit.meta_account(token)
    r = await client.post(
        f"{GRAPH}/act_{account}/customaudiences",
        data={"name": "x", "subtype": "CUSTOM", "access_token": token},
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == 100
    assert "customer_file_source" in r.json()["error"]["message"]


async def test_other_users_account_is_invisible(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    r = await client.post(
        f"{GRAPH}/act_999/customaudiences",
        data={"name": "x", "customer_file_source": "USER_PROVIDED_ONLY", "access_token": token},
    )
    assert r.status_code == 400
    assert r.json()["error"]["error_subcode"] == 33


async def test_more_than_10000_users_is_refused(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    audience_id = await kit.meta_audience(token)
    r = await upload(client, token, audience_id, kit.hashes(10_001))
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == 100
    assert error["type"] == "OAuthException"
    assert "10000" in error["message"]
    assert (await kit.members("meta", audience_id))["count"] == 0

    ok = await upload(client, token, audience_id, kit.hashes(10_000))
    assert ok.status_code == 200
    assert (await kit.members("meta", audience_id))["count"] == 10_000


async def test_bad_hashes_are_counted_with_samples(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    audience_id = await kit.meta_audience(token)
    good = kit.hashes(3)
    bad = ["abc", good[0].upper(), good[1][:63], "plain@example.com"]
    r = await upload(client, token, audience_id, good + bad)
    assert r.status_code == 200
    body = r.json()
    assert body["num_received"] == 7
    assert body["num_invalid_entries"] == 4
    assert set(body["invalid_entry_samples"]) == set(bad)
    admin = await kit.members("meta", audience_id)
    assert admin["count"] == 3
    assert admin["stats"]["invalid_rows"] == 4


async def test_unknown_schema_is_refused(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    audience_id = await kit.meta_audience(token)
    r = await upload(client, token, audience_id, kit.hashes(2), "SHOE_SIZE")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == 100
    multi = await upload(client, token, audience_id, [[kit.sha("a")]], ["EMAIL", "HAT"])
    assert multi.status_code == 400


async def test_multi_key_rows_use_email_as_identity(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    audience_id = await kit.meta_audience(token)
    email, fn = kit.sha("ann@example.com"), kit.sha("ann")
    rows = [[email, "", fn], ["", kit.sha("15551234567"), fn], ["", "", "not-a-hash"]]
    r = await upload(client, token, audience_id, rows, ["EMAIL", "PHONE", "FN"])
    assert r.json()["num_invalid_entries"] == 1
    admin = await kit.members("meta", audience_id, hashes=True)
    assert sorted(admin["hashes"]) == sorted([email, kit.sha("15551234567")])


async def test_usersreplace_swaps_members_only_after_last_batch(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token = await kit.meta()
    audience_id = await kit.meta_audience(token)
    old = kit.hashes(1500, "old")
    await upload(client, token, audience_id, old)
    new = kit.hashes(3000, "new")
    session_id = 9_876_543_210

    async def batch(seq: int, rows: list[str], last: bool) -> httpx.Response:
        session = {
            "session_id": session_id,
            "batch_seq": seq,
            "last_batch_flag": last,
            "estimated_num_total": len(new),
        }
        return await upload(client, token, audience_id, rows, edge="usersreplace", session=session)

    r = await batch(1, new[:1000], False)
    assert r.status_code == 200, r.text
    assert r.json()["session_id"] == session_id
    await batch(2, new[1000:2000], False)
    mid = await kit.members("meta", audience_id, hashes=True)
    assert sorted(mid["hashes"]) == sorted(old), "members must not change before the last batch"

    r = await batch(3, new[2000:], True)
    assert r.status_code == 200
    after = await kit.members("meta", audience_id, hashes=True)
    assert sorted(after["hashes"]) == sorted(new)
    assert after["stats"]["removed_rows"] == 1500

    late = await batch(4, kit.hashes(5, "late"), False)
    assert late.status_code == 400
    assert late.json()["error"]["code"] == 100


async def test_usersreplace_needs_session_and_first_batch(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token = await kit.meta()
    audience_id = await kit.meta_audience(token)
    no_session = await upload(client, token, audience_id, kit.hashes(2), edge="usersreplace")
    assert no_session.status_code == 400
    skipped = await upload(
        client,
        token,
        audience_id,
        kit.hashes(2),
        edge="usersreplace",
        session={"session_id": 5, "batch_seq": 2, "last_batch_flag": True},
    )
    assert skipped.status_code == 400
    assert (await kit.members("meta", audience_id))["count"] == 0


async def test_concurrent_replace_session_is_refused(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    audience_id = await kit.meta_audience(token)

    async def open_session(session_id: int) -> httpx.Response:
        session = {"session_id": session_id, "batch_seq": 1, "last_batch_flag": False}
        return await upload(
            client, token, audience_id, kit.hashes(3), edge="usersreplace", session=session
        )

    first = await open_session(1)
    assert first.status_code == 200
    second = await open_session(2)
    assert second.status_code == 400
    assert second.json()["error"]["code"] == 2650


async def test_match_rate_is_deterministic(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    account = await kit.meta_account(token)
    members = kit.hashes(5000, "det")
    bounds = []
    for _ in range(2):
        audience_id = await kit.meta_audience(token, account)
        await upload(client, token, audience_id, members)
        body = await read(client, token, audience_id)
        bounds.append(
            (body["approximate_count_lower_bound"], body["approximate_count_upper_bound"])
        )
    matched = kit.matched(members)
    assert bounds[0] == bounds[1] == (matched * 95 // 100, -(-matched * 105 // 100))
    assert 0.85 < matched / 5000 < 0.92


async def test_sizes_appear_after_processing_delay(make_sandbox: Any) -> None:
    client, kit = await make_sandbox(processing_delay_seconds=0.3)
    token = await kit.meta()
    audience_id = await kit.meta_audience(token)
    members = kit.hashes(2000)
    await upload(client, token, audience_id, members)
    during = await read(client, token, audience_id)
    assert during["operation_status"]["code"] == 300
    assert during["approximate_count_lower_bound"] == 0
    await asyncio.sleep(0.35)
    after = await read(client, token, audience_id)
    assert after["operation_status"]["code"] == 200
    assert after["approximate_count_lower_bound"] == kit.matched(members) * 95 // 100


async def test_multi_key_rows_match_more_people_than_single_key_lanes(
    kit: Any, client: httpx.AsyncClient
) -> None:
    """A person matches when any of its keys does (deterministically, per key): the same
    profiles as one multi-key row each match more often than as single-key lanes."""
    token = await kit.meta()
    account = await kit.meta_account(token)
    emails, phones = kit.hashes(2_000, "e"), kit.hashes(2_000, "p")
    names = [[kit.sha(f"ann{i}"), kit.sha("lee"), kit.sha("94105")] for i in range(2_000)]
    rows = [[e, p, *n] for e, p, n in zip(emails, phones, names, strict=True)]
    multi = await kit.meta_audience(token, account)
    r = await upload(client, token, multi, rows, ["EMAIL", "PHONE", "FN", "LN", "ZIP"])
    assert r.status_code == 200, r.text
    rates: dict[str, float] = {}
    for lane, keys, schema in (
        ("email", emails, "EMAIL_SHA256"),
        ("phone", phones, "PHONE_SHA256"),
    ):
        audience = await kit.meta_audience(token, account)
        assert (await upload(client, token, audience, keys, schema)).status_code == 200
        admin = await kit.members("meta", audience)
        assert admin["count"] == 2_000
        rates[lane] = admin["matched_count"] / admin["count"]
    admin = await kit.members("meta", multi, hashes=True)
    assert admin["count"] == 2_000  # people, not identifiers
    assert sorted(admin["hashes"]) == sorted(emails + phones)
    rates["multi"] = admin["matched_count"] / admin["count"]
    assert rates["multi"] > max(rates["email"], rates["phone"]) + 0.05, rates
    # Deterministic: the same rows score the same again.
    again = await kit.meta_audience(token, account)
    await upload(client, token, again, rows, ["EMAIL", "PHONE", "FN", "LN", "ZIP"])
    assert (await kit.members("meta", again))["matched_count"] == admin["matched_count"]


async def test_repeated_email_keys_are_one_person(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    audience_id = await kit.meta_audience(token)
    one, two, three = (kit.sha(f"{n}@example.com") for n in ("one", "two", "three"))
    r = await upload(client, token, audience_id, [[one, two, three]], ["EMAIL", "EMAIL", "EMAIL"])
    assert r.status_code == 200 and r.json()["num_invalid_entries"] == 0
    admin = await kit.members("meta", audience_id, hashes=True)
    assert admin["count"] == 1 and sorted(admin["hashes"]) == sorted([one, two, three])
    logged = (await client.get("/_admin/requests/meta")).json()["requests"][0]
    assert logged["schema"] == ["EMAIL", "EMAIL", "EMAIL"] and logged["rows"] == [[one, two, three]]


async def test_limited_data_use_is_logged_and_a_malformed_one_refused(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token = await kit.meta()
    audience_id = await kit.meta_audience(token)
    schema = [
        "EMAIL",
        "DATA_PROCESSING_OPTIONS",
        "DATA_PROCESSING_OPTIONS_COUNTRY",
        "DATA_PROCESSING_OPTIONS_STATE",
    ]
    rows = [[kit.sha("a@example.com"), ["LDU"], 1, 1000], [kit.sha("b@example.com"), [], "", ""]]
    r = await upload(client, token, audience_id, rows, schema)
    assert r.status_code == 200 and r.json()["num_invalid_entries"] == 0, r.text
    logged = (await client.get("/_admin/requests/meta")).json()["requests"][0]
    assert logged["schema"] == schema and logged["rows"] == rows
    assert (await kit.members("meta", audience_id))["count"] == 2
    for bad in (["XYZ"], "LDU"):
        refused = await upload(client, token, audience_id, [[kit.sha("c"), bad, 1, 1000]], schema)
        assert refused.status_code == 400 and refused.json()["error"]["code"] == 100
    wrong_state = await upload(client, token, audience_id, [[kit.sha("c"), ["LDU"], 1, 7]], schema)
    assert wrong_state.status_code == 400
    assert "state" in wrong_state.json()["error"]["message"]


async def _twice(
    client: httpx.AsyncClient, token: str, audience_id: str, rows: list[str], session: Any
) -> tuple[httpx.Response, httpx.Response]:
    """The same batch sent twice under the same session (a sender that lost the answer)."""
    first = await upload(client, token, audience_id, rows, session=session)
    return first, await upload(client, token, audience_id, rows, session=session)


async def test_a_repeat_of_an_accepted_batch_is_answered_but_not_applied_again(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token = await kit.meta()
    rows, audience_id = kit.hashes(400, "repeat"), await kit.meta_audience(token)
    one_batch = {"session_id": 4_242, "batch_seq": 1, "last_batch_flag": True}
    first, again = await _twice(client, token, audience_id, rows, one_batch)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()  # answered as the first time
    held = await kit.members("meta", audience_id)
    assert held["count"] == 400
    assert held["stats"]["received_rows"] == 400  # the repeat reached no member
    assert held["stats"]["duplicates"] == 0
    log = (await kit.client.get("/_admin/requests/meta")).json()["requests"]
    assert [r["repeat_of"] for r in log if "repeat_of" in r] == ["4242/1"]

    # Another session with the same rows is another batch: applied (rows counted twice).
    other = {"session_id": 4_243, "batch_seq": 1, "last_batch_flag": True}
    assert (await upload(client, token, audience_id, rows, session=other)).status_code == 200
    held = await kit.members("meta", audience_id)
    assert held["stats"]["received_rows"] == 800
    assert held["stats"]["duplicates"] == 400


async def test_a_repeated_batch_of_an_open_session_is_not_applied_again(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token = await kit.meta()
    first, second = kit.hashes(300, "first"), kit.hashes(200, "second")
    audience_id = await kit.meta_audience(token)
    opening = {"session_id": 77, "batch_seq": 1, "last_batch_flag": False}
    await _twice(client, token, audience_id, first, opening)
    closing = {**opening, "batch_seq": 2, "last_batch_flag": True}
    await upload(client, token, audience_id, second, session=closing)
    held = await kit.members("meta", audience_id)
    assert held["count"] == 500
    assert held["stats"]["received_rows"] == 500

"""Meta's Graph HTTP surface: trailing slashes, unknown paths, the batch call, long URLs."""

from __future__ import annotations

import json
from typing import Any

import httpx

GRAPH = "/meta/graph/v25.0"


async def signed_in(kit: Any) -> tuple[str, str]:
    """A Meta token and a new custom audience of its first ad account."""
    token: str = await kit.meta()
    return token, await kit.meta_audience(token)


def graph_error(r: httpx.Response) -> dict[str, Any]:
    """The Graph error object of ``r`` (asserting every field the SDKs read is there)."""
    error: dict[str, Any] = r.json()["error"]
    assert {"message", "type", "code", "fbtrace_id"} <= set(error), error
    return error


async def test_trailing_slash_node_paths_are_served_directly(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token, audience = await signed_in(kit)
    r = await client.get(f"{GRAPH}/{audience}/", params={"access_token": token, "fields": "name"})
    assert r.status_code == 200, r.text
    assert r.json() == {"id": audience, "name": "Buyers"}
    r = await client.post(f"{GRAPH}/{audience}/", data={"access_token": token, "name": "Renamed"})
    assert r.status_code == 200 and r.json() == {"success": True}
    r = await client.get(f"{GRAPH}/me/adaccounts/", params={"access_token": token})
    assert r.status_code == 200 and len(r.json()["data"]) == 3
    r = await client.delete(f"{GRAPH}/{audience}/", params={"access_token": token})
    assert r.status_code == 200 and r.json() == {"success": True}
    gone = await client.get(f"{GRAPH}/{audience}", params={"access_token": token})
    assert graph_error(gone)["error_subcode"] == 33


async def test_unknown_paths_and_edges_answer_graph_errors(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token, audience = await signed_in(kit)
    for method, path in (
        ("GET", f"{GRAPH}/{audience}/nosuchedge"),
        ("POST", f"{GRAPH}/{audience}/adsets"),
        ("GET", f"{GRAPH}/{audience}/users"),  # Graph cannot read members back
        ("PUT", f"{GRAPH}/{audience}"),
    ):
        r = await client.request(method, path, params={"access_token": token})
        assert r.status_code == 400, (method, path, r.text)
        error = graph_error(r)
        assert (error["type"], error["code"], error["error_subcode"]) == (
            "GraphMethodException",
            100,
            33,
        )
        assert f"Unsupported {method.lower()} request" in error["message"]
    r = await client.get(f"{GRAPH}/{audience}/users/extra/parts", params={"access_token": token})
    error = graph_error(r)
    assert (r.status_code, error["type"], error["code"]) == (400, "OAuthException", 2500)
    assert error["message"] == "Unknown path components: /users/extra/parts"


async def test_batch_runs_each_request_and_answers_in_order(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token, audience = await signed_in(kit)
    hashes = kit.hashes(3)
    batch = [
        {"method": "GET", "relative_url": f"v25.0/{audience}/?fields=name"},
        {"method": "POST", "relative_url": f"{audience}", "body": "name=Batched"},
        {
            "method": "POST",
            "relative_url": f"{audience}/users",
            "body": "payload=" + json.dumps({"schema": "EMAIL_SHA256", "data": hashes}),
        },
        {"method": "GET", "relative_url": f"{audience}/nosuchedge"},
        {"method": "GET", "relative_url": "me?access_token=not-a-token"},
    ]
    r = await client.post(f"{GRAPH}/", data={"access_token": token, "batch": json.dumps(batch)})
    assert r.status_code == 200, r.text
    answers = r.json()
    assert [a["code"] for a in answers] == [200, 200, 200, 400, 400]
    assert json.loads(answers[0]["body"]) == {"id": audience, "name": "Buyers"}
    assert json.loads(answers[1]["body"]) == {"success": True}
    assert json.loads(answers[2]["body"])["num_received"] == 3
    assert json.loads(answers[3]["body"])["error"]["error_subcode"] == 33
    assert json.loads(answers[4]["body"])["error"]["code"] == 190
    assert {"name": "Content-Type", "value": "application/json"} in answers[0]["headers"]
    assert (await kit.members("meta", audience))["count"] == 3


async def test_batch_refusals(kit: Any, client: httpx.AsyncClient) -> None:
    token = await kit.meta()
    missing = await client.post(f"{GRAPH}/", data={"access_token": token})
    assert missing.status_code == 400
    assert graph_error(missing)["message"] == "(#100) The parameter batch is required"
    too_many = [{"method": "GET", "relative_url": "me"}] * 51
    r = await client.post(f"{GRAPH}", data={"access_token": token, "batch": json.dumps(too_many)})
    assert r.status_code == 400 and graph_error(r)["code"] == 100
    assert "Maximum batch size is 50" in graph_error(r)["message"]
    r = await client.post(f"{GRAPH}/", data={"access_token": token, "batch": "[not json"})
    assert graph_error(r)["code"] == 100
    r = await client.post(f"{GRAPH}/", data={"batch": json.dumps([{"relative_url": "me"}])})
    assert graph_error(r)["code"] == 104  # the batch call itself needs a token


async def test_long_urls_get_a_graph_refusal_and_bodies_carry_large_removals(
    kit: Any, client: httpx.AsyncClient
) -> None:
    token, audience = await signed_in(kit)
    hashes = kit.hashes(10_000)
    payload = json.dumps({"schema": "EMAIL_SHA256", "data": hashes})
    r = await client.post(
        f"{GRAPH}/{audience}/users", data={"access_token": token, "payload": payload}
    )
    assert r.json()["num_received"] == 10_000

    # What the SDK's remove_users sends: the payload in the query string.
    few = json.dumps({"schema": "EMAIL_SHA256", "data": hashes[:300]})
    r = await client.delete(
        f"{GRAPH}/{audience}/users", params={"access_token": token, "payload": few}
    )
    assert r.status_code == 414
    error = graph_error(r)
    assert error["code"] == 100 and "URL is" in error["message"]
    assert (await kit.members("meta", audience))["count"] == 10_000

    # Meta's documented form: DELETE with a form-encoded body, 10,000 rows.
    r = await client.request(
        "DELETE",
        f"{GRAPH}/{audience}/users",
        data={"access_token": token, "payload": payload},
    )
    assert r.status_code == 200, r.text
    assert r.json()["num_received"] == 10_000
    assert (await kit.members("meta", audience))["count"] == 0

    # POST with method=delete works the same.
    await client.post(f"{GRAPH}/{audience}/users", data={"access_token": token, "payload": payload})
    r = await client.post(
        f"{GRAPH}/{audience}/users",
        data={"access_token": token, "payload": payload, "method": "delete"},
    )
    assert r.status_code == 200 and r.json()["num_received"] == 10_000
    assert (await kit.members("meta", audience))["count"] == 0

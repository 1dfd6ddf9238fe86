"""Meta's own Business SDK (``facebook-business``) against the sandbox, changed in nothing but
the Graph URL (``FacebookSession.GRAPH``).

The SDK requests node paths with a trailing slash (``/{id}/``), sends ``remove_users`` as a
DELETE with the payload in the query string, batches with a POST to ``/{version}/``, and
parses nothing but Graph error objects; every call below goes through it unmodified.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.customaudience import CustomAudience
from facebook_business.adobjects.user import User
from facebook_business.api import FacebookAdsApi, FacebookResponse, FacebookSession
from facebook_business.exceptions import FacebookRequestError
from sdk_kit import REDIRECT, Live

VERSION = "v25.0"
Schema = CustomAudience.Schema
Multi = CustomAudience.Schema.MultiKeySchema


def sdk_api(live: Live, token: str | None) -> FacebookAdsApi:
    """The SDK's API object for ``token``, its Graph URL pointed at the sandbox."""
    # appsecret_proof signs a token: no secret on a session that has none yet
    secret = "secret" if token else None
    session = FacebookSession(app_id="app-1", app_secret=secret, access_token=token)
    session.GRAPH = f"{live.base}/meta/graph"
    return FacebookAdsApi(session, api_version=VERSION)


class Meta:
    def __init__(self, live: Live) -> None:
        # The code exchange through the SDK itself, before it has a token.
        exchanged = sdk_api(live, None).call(
            "GET",
            ("oauth", "access_token"),
            params={
                "client_id": "app-1",
                "client_secret": "secret",
                "redirect_uri": REDIRECT,
                "code": live.meta_code(),
            },
        )
        self.token: str = exchanged.json()["access_token"]
        self.api = sdk_api(live, self.token)
        accounts = list(User(fbid="me", api=self.api).get_ad_accounts(fields=["account_id"]))
        self.account = AdAccount(accounts[0]["id"], api=self.api)

    def audience(self, name: str) -> CustomAudience:
        created = self.account.create_custom_audience(
            params={
                "name": name,
                "subtype": "CUSTOM",
                "description": "from the Business SDK",
                "customer_file_source": "USER_PROVIDED_ONLY",
            }
        )
        return CustomAudience(created["id"], api=self.api)


def emails(count: int, prefix: str = "person") -> list[str]:
    return [f"{prefix}.{i}@example.com" for i in range(count)]


@pytest.fixture(scope="module")
def meta(live: Live) -> Iterator[Meta]:
    yield Meta(live)


def test_oauth_exchange_and_ad_accounts(meta: Meta, live: Live) -> None:
    response = meta.api.call(
        "GET",
        ("oauth", "access_token"),
        params={
            "grant_type": "fb_exchange_token",
            "client_id": "app-1",
            "client_secret": "secret",
            "fb_exchange_token": meta.token,
        },
    )
    long_lived = response.json()
    assert long_lived["token_type"] == "bearer" and long_lived["access_token"]
    other = sdk_api(live, long_lived["access_token"])
    accounts = list(User(fbid="me", api=other).get_ad_accounts(fields=["account_id", "name"]))
    assert len(accounts) == 3
    assert all(a["id"] == f"act_{a['account_id']}" for a in accounts)
    account = AdAccount(accounts[1]["id"], api=other).api_get(fields=["name", "currency"])
    assert account["currency"] == "USD"


def test_audience_create_read_update_delete(meta: Meta) -> None:
    audience = meta.audience("SDK CRUD")
    read = audience.api_get(fields=["name", "description", "subtype", "operation_status"])
    assert (read["name"], read["subtype"]) == ("SDK CRUD", "CUSTOM")
    audience.api_update(params={"name": "Renamed", "description": "updated"})
    again = CustomAudience(audience["id"], api=meta.api).api_get(fields=["name", "description"])
    assert (again["name"], again["description"]) == ("Renamed", "updated")
    listed = list(meta.account.get_custom_audiences(fields=["name"]))
    assert audience["id"] in [a["id"] for a in listed]
    audience.api_delete()
    with pytest.raises(FacebookRequestError) as gone:
        CustomAudience(audience["id"], api=meta.api).api_get(fields=["name"])
    assert (gone.value.api_error_code(), gone.value.api_error_subcode()) == (100, 33)


def test_add_single_key_multi_key_session_and_limit(meta: Meta, live: Live) -> None:
    audience = meta.audience("SDK adds")
    response = audience.add_users(Schema.email_hash, emails(10_000))
    assert response.json()["num_received"] == 10_000
    assert live.members("meta", audience["id"])["count"] == 10_000

    rows = [
        [f"Multi.{i}@Example.com", f"+1 (415) 555-{i:04d}", "Ada", "Lovelace"] for i in range(50)
    ]
    response = audience.add_users(
        [Multi.email, Multi.phone, Multi.fn, Multi.ln],
        rows,
        is_raw=True,
        session={"session_id": 77, "batch_seq": 1, "last_batch_flag": True},
    )
    body = response.json()
    assert (body["num_received"], body["num_invalid_entries"]) == (50, 0)
    assert body["session_id"] == 77
    stored = live.members("meta", audience["id"])
    assert stored["count"] == 10_050

    with pytest.raises(FacebookRequestError) as too_many:
        audience.add_users(Schema.email_hash, emails(10_001, "over"))
    assert too_many.value.api_error_code() == 100
    assert live.members("meta", audience["id"])["count"] == 10_050


def test_remove_one_ten_thousand_and_the_long_url_refusal(meta: Meta, live: Live) -> None:
    audience = meta.audience("SDK removals")
    everyone = emails(10_001)
    audience.add_users(Schema.email_hash, everyone[:10_000])
    audience.add_users(Schema.email_hash, everyone[10_000:])

    response = audience.remove_users(Schema.email_hash, everyone[:1])
    assert response.json()["num_received"] == 1
    assert live.members("meta", audience["id"])["count"] == 10_000

    # The SDK's remove_users puts 1,000 hashes in the URL: Graph refuses, Graph-shaped, so
    # the SDK raises instead of taking an HTTP server's error page for a success.
    with pytest.raises(FacebookRequestError) as long_url:
        audience.remove_users(Schema.email_hash, everyone[1:1_001])
    assert (long_url.value.http_status(), long_url.value.api_error_code()) == (414, 100)
    assert live.members("meta", audience["id"])["count"] == 10_000

    # 10,000 rows in one call: the parameters in the body, POST with method=delete.
    params = CustomAudience.format_params(Schema.email_hash, everyone[1:])
    response = meta.api.call("POST", (audience["id"], "users"), {**params, "method": "delete"})
    assert response.json()["num_received"] == 10_000
    assert live.members("meta", audience["id"])["count"] == 0


def test_usersreplace_session(meta: Meta, live: Live) -> None:
    audience = meta.audience("SDK replace")
    audience.add_users(Schema.email_hash, emails(300, "old"))
    new = emails(250, "new")
    for seq, chunk in enumerate((new[:200], new[200:]), start=1):
        params = CustomAudience.format_params(
            Schema.email_hash,
            chunk,
            session={
                "session_id": 9001,
                "batch_seq": seq,
                "last_batch_flag": seq == 2,
                "estimated_num_total": len(new),
            },
        )
        response = audience.create_users_replace(params=params)
        assert response["num_received"] == len(chunk)
        expected = 300 if seq == 1 else 250  # swapped in when the last batch arrives
        assert live.members("meta", audience["id"])["count"] == expected
    hashes = live.http.get(
        f"/_admin/audiences/meta/{audience['id']}/members", params={"include_hashes": "true"}
    ).json()["hashes"]
    assert sorted(hashes) == sorted(hashlib.sha256(e.encode()).hexdigest() for e in new)


def test_batch_call(meta: Meta) -> None:
    first, second = meta.audience("Batch one"), meta.audience("Batch two")
    batch = meta.api.new_batch()
    answers: list[Any] = []
    failures: list[FacebookRequestError] = []

    def failed(response: FacebookResponse) -> None:
        failures.append(response.error())

    for audience in (first, second):
        audience.api_get(fields=["name"], batch=batch, success=answers.append, failure=failed)
    bogus = CustomAudience("1", api=meta.api)
    bogus.api_get(fields=["name"], batch=batch, success=answers.append, failure=failed)
    assert batch.execute() is None  # nothing left to retry
    assert sorted(a.json()["name"] for a in answers) == ["Batch one", "Batch two"]
    [error] = failures
    assert (error.api_error_code(), error.api_error_subcode()) == (100, 33)


def test_errors_the_sdk_parses(meta: Meta, live: Live) -> None:
    audience = meta.audience("SDK errors")
    with pytest.raises(FacebookRequestError) as edge:
        meta.api.call("GET", (audience["id"], "nosuchedge"))
    error = edge.value
    assert (error.api_error_type(), error.api_error_code(), error.api_error_subcode()) == (
        "GraphMethodException",
        100,
        33,
    )
    assert error.body()["error"]["fbtrace_id"]
    with pytest.raises(FacebookRequestError) as deep:
        meta.api.call("GET", (audience["id"], "users", "and", "more"))
    assert deep.value.api_error_code() == 2500
    with pytest.raises(FacebookRequestError) as bad_token:
        User(fbid="me", api=sdk_api(live, "not-a-token")).api_get(fields=["name"])
    assert bad_token.value.api_error_code() == 190

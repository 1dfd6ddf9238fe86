"""Rate limits in the real Redis (spec table, login guard, default), with draft-IETF headers."""

from __future__ import annotations

import re
import uuid

import pytest

AS = "/api/v1/cdp/audience-sync"


def bearer(upstreams, sub=None):
    return {"Authorization": f"Bearer {upstreams.keys[0].token(**({'sub': sub} if sub else {}))}"}


@pytest.mark.parametrize(
    ("method", "path", "limit"),
    [
        ("GET", f"{AS}/audiences", 60),
        ("POST", f"{AS}/audiences", 10),
        ("POST", f"{AS}/audiences/export", 5),
    ],
)
async def test_spec_limits_per_user(gateway, upstreams, method, path, limit):
    headers = bearer(upstreams)
    for i in range(limit):
        response = await gateway.request(
            method, path, headers=headers, json={} if method == "POST" else None
        )
        assert response.status_code in (200, 201), i
    refused = await gateway.request(
        method, path, headers=headers, json={} if method == "POST" else None
    )
    assert refused.status_code == 429
    body = refused.json()["error"]
    assert body["code"] == "RATE_LIMIT_EXCEEDED"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert re.fullmatch(rf'"[a-z-]+";q={limit};w=60', refused.headers["ratelimit-policy"])
    assert re.fullmatch(r'"[a-z-]+";r=0;t=\d+', refused.headers["ratelimit"])
    # Another user has their own budget.
    other = await gateway.request(
        method, path, headers=bearer(upstreams), json={} if method == "POST" else None
    )
    assert other.status_code in (200, 201)


async def test_sync_limit_is_per_audience(gateway, upstreams):
    headers = bearer(upstreams)
    for _ in range(10):
        assert (
            await gateway.post(f"{AS}/audiences/a1/sync", headers=headers, json={})
        ).status_code == 201
    assert (
        await gateway.post(f"{AS}/audiences/a1/sync", headers=headers, json={})
    ).status_code == 429
    assert (
        await gateway.post(f"{AS}/audiences/a2/sync", headers=headers, json={})
    ).status_code == 201


async def test_every_spelling_of_an_audience_id_shares_its_sync_budget(gateway, upstreams):
    headers = bearer(upstreams)
    audience = uuid.uuid4()
    spellings = [
        str(audience),
        str(audience).upper(),
        audience.hex,
        f"{{{audience}}}",
        f"urn:uuid:{audience}",
    ]
    statuses = [
        (
            await gateway.post(f"{AS}/audiences/{spellings[i % 5]}/sync", headers=headers, json={})
        ).status_code
        for i in range(11)
    ]
    assert statuses == [201] * 10 + [429]


async def test_eleven_rapid_logins_for_one_email_are_throttled(gateway, upstreams):
    # The login route belongs to identity; here it reaches the stand-in, which is enough
    # to count attempts at the edge.
    gateway.gateway.forwarder.upstreams["identity"] = gateway.echo_url
    statuses = []
    for i in range(11):
        response = await gateway.post(
            "/api/v1/auth/login",
            json={
                "email": "Victim@Example.com" if i % 2 else "victim@example.com",
                "password": f"guess{i}",
            },
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [201] * 10
    assert statuses[10] == 429
    assert upstreams.seen[-1]["body_len"] > 0  # the body still reached the service intact


async def test_eleven_password_changes_of_one_user_are_throttled(gateway, upstreams):
    # A stolen access token must not buy a quick search for the password behind it.
    victim, other = bearer(upstreams), bearer(upstreams)
    # (The stand-in of identity serves its keys, read here once; its routes are echoed.)
    assert (await gateway.get(f"{AS}/audiences", headers=victim)).status_code == 200
    gateway.gateway.forwarder.upstreams["identity"] = gateway.echo_url
    body = {"current_password": "guess", "new_password": "something-new"}
    statuses = [
        (await gateway.post("/api/v1/auth/change-password", headers=victim, json=body)).status_code
        for _ in range(11)
    ]
    assert statuses == [201] * 10 + [429]
    refused = await gateway.post("/api/v1/auth/change-password", headers=victim, json=body)
    assert refused.headers["ratelimit-policy"] == '"password-change";q=10;w=300'
    assert 1 <= int(refused.headers["retry-after"]) <= 300
    # Another user has a budget of their own, and the victim's other calls are not held up.
    assert (
        await gateway.post("/api/v1/auth/change-password", headers=other, json=body)
    ).status_code == 201
    assert (await gateway.get(f"{AS}/audiences", headers=victim)).status_code == 200


async def test_successful_responses_carry_ratelimit_headers(gateway, upstreams):
    response = await gateway.get(f"{AS}/audiences", headers=bearer(upstreams))
    assert response.headers["ratelimit-policy"] == '"audiences-list";q=60;w=60'
    assert response.headers["ratelimit"].startswith('"audiences-list";r=59;t=')


def test_stripe_webhooks_have_their_own_budget_not_the_anonymous_one():
    from gateway.ratelimit import STRIPE_WEBHOOKS, checks_for

    checks = checks_for(
        "POST",
        "/api/v1/billing/webhooks/stripe",
        principal=None,
        client_ip="3.18.12.63",
        email=None,
    )
    assert [c.policy for c in checks] == [STRIPE_WEBHOOKS]
    other = checks_for(
        "POST", "/api/v1/billing/checkout", principal=None, client_ip="1.2.3.4", email=None
    )
    assert [c.policy.name for c in other] == ["default-anonymous"]


async def test_every_policy_is_counted_in_one_call_up_to_the_first_refusal(adscale_infra):
    from redis.asyncio import Redis

    from gateway.ratelimit import Check, Policy, RateLimiter

    redis = Redis.from_url(adscale_infra.redis_url)
    limiter = RateLimiter(redis, namespace=f"rl-test-{uuid.uuid4().hex}")
    tight, loose = Policy("tight", 1, 60), Policy("loose", 5, 60)
    checks = [Check(tight, "me"), Check(loose, "me")]
    try:
        refusal, tightest = await limiter.evaluate(checks)
        assert refusal is None and tightest is not None
        assert (tightest.policy, tightest.remaining) == (tight, 0)
        refusal, tightest = await limiter.evaluate(checks)
        assert refusal is not None and refusal.policy == tight and tightest is None
        # The refused request did not spend the later policy's budget.
        _, loose_now = await limiter.evaluate([Check(loose, "me")])
        assert loose_now is not None and loose_now.remaining == 3
    finally:
        async for key in redis.scan_iter(f"{limiter.namespace}:*"):
            await redis.delete(key)
        await redis.aclose()


async def test_concurrent_requests_counted_together_get_exact_budgets(adscale_infra):
    import asyncio

    from redis.asyncio import Redis

    from gateway.ratelimit import Check, Policy, RateLimiter

    redis = Redis.from_url(adscale_infra.redis_url)
    limiter = RateLimiter(redis, namespace=f"rl-test-{uuid.uuid4().hex}")
    shared, own = Policy("shared", 10, 60), Policy("own", 100, 60)
    try:
        results = await asyncio.gather(
            *(limiter.evaluate([Check(shared, "all"), Check(own, str(i))]) for i in range(25))
        )
        allowed = [tightest for refusal, tightest in results if refusal is None]
        refused = [refusal for refusal, _ in results if refusal is not None]
        assert len(allowed) == 10 and len(refused) == 15
        assert sorted(t.remaining for t in allowed if t is not None) == list(range(10))
        assert {r.policy for r in refused if r is not None} == {shared}
        # Only the allowed requests reached their own policy.
        for i in range(25):
            _, mine = await limiter.evaluate([Check(own, str(i))])
            assert mine is not None and mine.remaining in (98, 99)
        counted = [await redis.get(f"{limiter.namespace}:own:{i}") for i in range(25)]
        assert sum(int(c) - 1 for c in counted) == 10
    finally:
        async for key in redis.scan_iter(f"{limiter.namespace}:*"):
            await redis.delete(key)
        await redis.aclose()


async def test_redis_unreachable_lets_every_waiting_request_through():
    import asyncio

    from redis.asyncio import Redis

    from gateway.ratelimit import Check, Policy, RateLimiter

    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    limiter = RateLimiter(redis)
    check = Check(Policy("any", 1, 60), "me")
    results = await asyncio.gather(*(limiter.evaluate([check]) for _ in range(5)))
    assert results == [(None, None)] * 5
    assert limiter.healthy is False
    await redis.aclose()

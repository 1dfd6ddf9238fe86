"""The SDK's clients against the stack: typed resources, both pagination styles as
iterators, both error formats as exceptions, refresh rotation, retries on 429."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import adscale
from adscale import models as m
from cli_kit import API, kit

NIL = "00000000-0000-4000-8000-000000000000"


async def test_sync_client_pages_through_both_styles(api: httpx.AsyncClient, member: kit.Member):
    rotated: list[adscale.Tokens] = []
    with adscale.Client(API, on_tokens=rotated.append) as client:
        tokens = client.login(member.email, member.password)
        assert rotated == [tokens]
        assert client.auth.me().email == member.email
        account = client.accounts.create(
            m.AccountCreate(
                platform=m.Platform.META, account_id_external=f"act_{uuid.uuid4().hex[:8]}"
            )
        )
        made = [
            client.campaigns.create(
                {"ad_account_id": str(account.id), "name": f"C{i}", "objective": "sales"}
            ).id
            for i in range(2)
        ]
        # offset/limit pages of one item each
        assert sorted(c.id for c in client.campaigns.iter(page_size=1)) == sorted(made)
        for i in range(3):
            client.segments.create(m.SegmentCreate(name=f"S{i}"))
        # page/page_size pages of two items
        names = [s.name for s in client.segments.iter(page_size=2)]
        assert sorted(names) == ["S0", "S1", "S2"]
        with pytest.raises(adscale.NotFoundError) as missing:
            client.campaigns.get(NIL)
        assert (missing.value.status_code, missing.value.family) == (404, "adscale")
        assert missing.value.code == "HTTP_404" and missing.value.message == "Campaign not found"
        with pytest.raises(adscale.NotFoundError) as gone:
            client.audiences.detail(NIL)
        assert (gone.value.code, gone.value.family) == ("AUDIENCE_NOT_FOUND", "audience-sync")
        assert gone.value.details == {"audience_id": NIL}
        with pytest.raises(adscale.ValidationError) as invalid:
            client.campaigns.create(
                {"ad_account_id": str(account.id), "name": "x", "objective": "fame"}
            )
        assert invalid.value.details[0]["loc"] == ["body", "objective"]


async def test_rule_runs_undo_and_backtest_in_both_clients(member: kit.Member):
    body = {"name": "Cut losers", "rule_type": "pause_low_roas", "threshold": 1.2}
    with adscale.Client(API) as client:
        client.login(member.email, member.password)
        rule = client.rules.create(body)
        done = client.rules.execute(rule.id)
        assert [r.id for r in client.rules.runs(rule.id)] == [done.execution_id]
        assert client.rules.run(done.execution_id).objects.total == 0
        with pytest.raises(adscale.ConflictError):
            client.rules.undo(done.execution_id)
        week = client.rules.backtest(rule.id, start_date="2026-11-01", end_date="2026-11-07")
        assert len(week.days) == 7 and week.actions_total == 0
    async with adscale.AsyncClient(API) as aclient:
        await aclient.login(member.email, member.password)
        assert [r.id async for r in aclient.rules.runs(rule.id)] == [done.execution_id]
        assert (await aclient.rules.run(done.execution_id)).id == done.execution_id
        with pytest.raises(adscale.NotFoundError):
            await aclient.rules.undo(NIL)
        with pytest.raises(adscale.ValidationError):
            await aclient.rules.backtest(rule.id, start_date="2026-11-07", end_date="2026-11-01")


async def test_privacy_erasure_receipts_and_access_in_both_clients(member: kit.Member):
    with adscale.Client(API) as client:
        client.login(member.email, member.password)
        segment = client.segments.create(m.SegmentCreate(name="Privacy SDK"))
        client.segments.upsert_profiles(
            segment.id,
            [
                {"external_id": "s-1", "email": "sdk.one@example.com"},
                {"external_id": "s-2", "email": "sdk.two@example.com"},
            ],
        )
        held = client.privacy.person(email="SDK.one@example.com")
        assert [p.external_id for p in held.profiles] == ["s-1"]
        accepted = client.privacy.erase(external_id="s-1", reason="sdk test")
        receipt = client.privacy.wait(accepted.erasure_id, timeout=90)
        assert receipt.status.value == "completed" and receipt.reason == "sdk test"
        with pytest.raises(adscale.ValidationError):
            client.privacy.erase(email="not-an-email")
    async with adscale.AsyncClient(API) as aclient:
        await aclient.login(member.email, member.password)
        batch = await aclient.privacy.erase_many(
            [{"email": "sdk.two@example.com"}, {"external_id": "s-1"}]
        )
        assert (batch.created, batch.existing) == (1, 1)
        assert batch.erasures[1].erasure_id == accepted.erasure_id
        done = await aclient.privacy.wait(batch.erasures[0].erasure_id, timeout=90)
        assert done.matched.profiles == 1
        ids = {e.erasure_id async for e in aclient.privacy.erasures(page_size=1)}
        assert ids == {accepted.erasure_id, done.erasure_id}
        with pytest.raises(adscale.NotFoundError):
            await aclient.privacy.person(external_id="s-2")
        with pytest.raises(adscale.NotFoundError):
            await aclient.privacy.erasure(NIL)


async def test_async_client_refreshes_and_stores_the_rotated_pair(member: kit.Member):
    seen: list[adscale.Tokens] = []
    stale = adscale.Tokens(kit.expired_token(member.id), member.refresh_token)
    async with adscale.AsyncClient(API, tokens=stale, on_tokens=seen.append) as client:
        me = await client.auth.me()
        assert str(me.id) == member.id
        assert len(seen) == 1 and seen[0].refresh_token != member.refresh_token
        assert client.tokens == seen[0]
        segment = await client.segments.create({"name": "async"})
        rows = [{"external_id": f"p{i}", "email": f"p{i}@example.com"} for i in range(5)]
        result = await client.segments.upsert_profiles(segment.id, rows)
        assert result.inserted == 5
        assert [s.id async for s in client.segments.iter()] == [segment.id]
        listed = [p.external_id async for p in client.segments.profiles(segment.id, page_size=2)]
        assert sorted(listed) == [f"p{i}" for i in range(5)]  # three pages of two
        found = [p async for p in client.segments.profiles(segment.id, q=" P3@Example.com")]
        assert [(p.external_id, p.fields["email"]) for p in found] == [("p3", "p3@example.com")]
    # the first refresh token was used once: reusing it fails (rotation)
    async with adscale.AsyncClient(API, tokens=stale) as reused:
        with pytest.raises(adscale.AuthenticationError):
            await reused.auth.me()


async def test_a_client_lists_its_users_sessions_and_signs_another_out(member: kit.Member):
    async with (
        adscale.AsyncClient(API) as desk,
        adscale.AsyncClient(API) as laptop,
    ):
        await desk.login(member.email, member.password)
        await laptop.login(member.email, member.password)
        (mine,) = [s for s in await desk.auth.sessions() if s.current]
        (theirs,) = [s for s in await laptop.auth.sessions() if s.current]
        assert mine.id != theirs.id and mine.user_agent == f"adscale-python/{adscale.__version__}"
        await desk.auth.end_session(theirs.id)
        deadline = time.monotonic() + 10
        with pytest.raises(adscale.AuthenticationError):
            while time.monotonic() < deadline:  # refused once the gateway hears of it
                await laptop.auth.me()
                await asyncio.sleep(0.2)
        assert theirs.id not in {s.id for s in await desk.auth.sessions()}
        with pytest.raises(adscale.NotFoundError):
            await desk.auth.end_session(theirs.id)


async def test_concurrent_requests_with_an_expired_token_share_one_refresh(member: kit.Member):
    """Each refresh token works once: eight requests that all find the access token
    expired must not refresh eight times (identity would see a reuse and end the session)."""
    seen: list[adscale.Tokens] = []
    stale = adscale.Tokens(kit.expired_token(member.id), member.refresh_token)
    async with adscale.AsyncClient(API, tokens=stale, on_tokens=seen.append) as client:
        answers = await asyncio.gather(*(client.auth.me() for _ in range(8)))
        assert {str(me.id) for me in answers} == {member.id}
        assert len(seen) == 1
        assert (await client.auth.me()).id == answers[0].id  # the session is still alive
    threaded: list[adscale.Tokens] = []
    again = adscale.Tokens(kit.expired_token(member.id), seen[0].refresh_token)
    with adscale.Client(API, tokens=again, on_tokens=threaded.append) as sync_client:
        with ThreadPoolExecutor(max_workers=4) as pool:
            ids = list(pool.map(lambda _: sync_client.auth.me().id, range(4)))
        assert len(set(ids)) == 1 and len(threaded) == 1


async def test_429_carries_retry_after_and_retries_wait_for_it(member: kit.Member):
    """POST /audiences/export allows 5 a minute (spec "Rate Limits")."""
    body = {"segment_id": NIL, "format": "csv"}
    with adscale.Client(API, tokens=adscale.Tokens(member.access_token, ""), max_retries=0) as c:
        for _ in range(5):
            with pytest.raises(adscale.NotFoundError):
                c.exports.create(body)
        with pytest.raises(adscale.RateLimitError) as limited:
            c.exports.create(body)
    assert limited.value.code == "RATE_LIMIT_EXCEEDED" and limited.value.family == "audience-sync"
    wait = limited.value.retry_after
    assert wait is not None and 0 < wait <= 60
    tokens = adscale.Tokens(member.access_token, "")
    with adscale.Client(API, tokens=tokens, max_retries=2, max_retry_wait=65) as patient:
        started = time.monotonic()
        with pytest.raises(adscale.NotFoundError):  # the window passed: the export is tried
            patient.exports.create(body)
        assert time.monotonic() - started >= wait - 1.5


async def test_sdk_imports_syncs_and_downloads(
    api: httpx.AsyncClient, member: kit.Member, tmp_path: Path
):
    client = adscale.Client(API, tokens=adscale.Tokens(member.access_token, member.refresh_token))
    with client:
        segment = client.segments.create({"name": "sdk"})
        source = tmp_path / "people.csv"
        source.write_text(
            "external_id,email\n" + "".join(f"p{i},p{i}@example.com\n" for i in range(50))
        )
        sent: list[int] = []
        imported = client.segments.import_csv(segment.id, source, on_progress=sent.append)
        assert imported.inserted == 50 and sum(sent) == source.stat().st_size
        accepted = client.exports.create({"segment_id": str(segment.id)})
        export = client.exports.wait(accepted.export_id, timeout=60)
        target = tmp_path / "out.csv"
        assert client.exports.download(export, target) == export.file_size_bytes
        with pytest.raises(adscale.NotFoundError) as job:
            client.sync_jobs.get(NIL)
        assert job.value.code == "JOB_NOT_FOUND"

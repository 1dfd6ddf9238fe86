"""The rate limiter's Redis call (``gateway.lua_script``) on the real Redis."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from gateway.lua_script import LuaScript


def fresh_source() -> str:
    """A script Redis has never seen (a unique comment): the first EVALSHA is NOSCRIPT."""
    return f"-- {uuid.uuid4().hex}\nreturn {{redis.call('INCRBY', KEYS[1], ARGV[1]), 7}}"


async def test_runs_loads_when_missing_and_keeps_its_connection(redis_clean: str) -> None:
    redis = Redis.from_url(redis_clean)
    key = f"lua-test-{uuid.uuid4().hex}"
    script = LuaScript.on(redis, fresh_source())
    try:
        assert await script([key], [5]) == [5, 7]  # NOSCRIPT, then EVAL
        assert await script([key], [2]) == [7, 7]  # EVALSHA
        assert int(await redis.get(key) or 0) == 7
        # The database of the URL is the one written to.
        assert redis.connection_pool.connection_kwargs.get("db", 0) == script.db
    finally:
        script.close()
        await redis.delete(key)
        await redis.aclose()


async def test_a_connection_redis_closed_is_replaced_without_double_counting(
    redis_clean: str,
) -> None:
    redis = Redis.from_url(redis_clean)
    key = f"lua-test-{uuid.uuid4().hex}"
    script = LuaScript.on(redis, fresh_source())
    try:
        await script([key], [1])
        assert script._stream is not None
        port = script._stream[1].get_extra_info("sockname")[1]
        mine = [c for c in await redis.client_list() if c["addr"].endswith(f":{port}")]
        assert len(mine) == 1
        assert await redis.client_kill_filter(_id=mine[0]["id"]) == 1
        assert await script([key], [1]) == [2, 7]
        assert int(await redis.get(key) or 0) == 2
    finally:
        script.close()
        await redis.delete(key)
        await redis.aclose()


async def test_errors_are_raised_and_an_unreachable_redis_is_a_connection_error() -> None:
    down = LuaScript("return 1", host="127.0.0.1", port=1, connect_timeout=0.5)
    with pytest.raises(RedisConnectionError):
        await down([], [])


async def test_an_error_reply_is_raised(redis_clean: str) -> None:
    redis = Redis.from_url(redis_clean)
    script = LuaScript.on(redis, "return redis.error_reply('NOPE refused')")
    try:
        with pytest.raises(ResponseError, match="NOPE refused"):
            await script([], [])
    finally:
        script.close()
        await redis.aclose()

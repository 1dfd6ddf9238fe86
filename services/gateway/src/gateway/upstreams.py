"""Health-checked upstream pools: which instance of a service the next request goes to.

Each service has a list of base URLs (``GATEWAY_<SERVICE>_URLS``, comma-separated; one
URL when the stack runs one instance). Requests go round-robin over the instances that
are healthy. An instance leaves the rotation

* actively: a background check calls ``GET <url>/health`` every
  ``health_interval_seconds``; no answer, or 5xx, ejects it; a 2xx/4xx answer puts it back;
* passively: a request that cannot connect to it ejects it at once (the forwarder calls
  :meth:`UpstreamPools.eject`); the next active check that gets an answer brings it back.

The request that found an instance gone is not lost: the forwarder (and the gateway's own
calls to identity) send it to the instance :meth:`UpstreamPools.failover` names when that
is safe (a connection refused: nothing was
sent; a connection dropped before the answer: only idempotent methods with a body it can
send again), as Kong's retries and nginx's ``proxy_next_upstream`` do.

When no instance of a service is healthy the pool still hands out its instances in turn,
so a request gets the forwarder's own 503 (nothing reachable) and a service that comes
back is used at once, before its next check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator, Mapping, MutableMapping

import aiohttp

from gateway.metrics import UPSTREAM_IN_ROTATION, UPSTREAM_RETRIES

logger = logging.getLogger(__name__)


class Pool:
    """The instances of one service and which of them are in rotation."""

    def __init__(self, service: str, urls: list[str]) -> None:
        if not urls:
            raise ValueError(f"no upstream URL for {service}")
        self.service = service
        self.urls = [u.rstrip("/") for u in urls]
        self.healthy = dict.fromkeys(self.urls, True)
        self.ejected_at: dict[str, float] = {}
        self._next = 0
        self._gauges = {u: UPSTREAM_IN_ROTATION.labels(service, _instance(u)) for u in self.urls}
        for gauge in self._gauges.values():
            gauge.set(1)

    def pick(self) -> str:
        """The next healthy instance; with none healthy, the next of them all."""
        return self.another(set()) or self._turn(self.urls)

    def another(self, tried: set[str]) -> str | None:
        """The next healthy instance not in ``tried``; None when none is left."""
        live = [u for u in self.urls if self.healthy[u] and u not in tried]
        return self._turn(live) if live else None

    def _turn(self, urls: list[str]) -> str:
        url = urls[self._next % len(urls)]
        self._next += 1
        return url

    def mark(self, url: str, healthy: bool, reason: str = "") -> None:
        if url not in self.healthy or self.healthy[url] == healthy:
            return
        self.healthy[url] = healthy
        self._gauges[url].set(1 if healthy else 0)
        if healthy:
            since = self.ejected_at.pop(url, None)
            out = None if since is None else round(time.monotonic() - since, 1)
            logger.info(
                "upstream back in rotation",
                extra={"upstream": self.service, "url": url, "out_of_rotation_seconds": out},
            )
        else:
            self.ejected_at[url] = time.monotonic()
            logger.warning(
                "upstream ejected",
                extra={"upstream": self.service, "url": url, "reason": reason},
            )

    def report(self) -> dict[str, str]:
        return {u: ("up" if ok else "ejected") for u, ok in self.healthy.items()}

    def forget(self) -> None:
        """Drop this pool's rotation gauges (the service is pointed elsewhere)."""
        for url in self.urls:
            with contextlib.suppress(KeyError):
                UPSTREAM_IN_ROTATION.remove(self.service, _instance(url))


def _instance(url: str) -> str:
    """An instance's label: ``host:port`` of its base URL."""
    return url.split("://", 1)[-1].split("/", 1)[0]


class UpstreamPools(MutableMapping[str, str]):
    """``pools[service]`` is the base URL for the next request to that service;
    ``pools[service] = url`` points the service at that one URL."""

    def __init__(
        self,
        urls: Mapping[str, list[str]],
        *,
        health_interval_seconds: float = 1.0,
        health_timeout_seconds: float = 1.0,
    ) -> None:
        self.pools = {service: Pool(service, list(u)) for service, u in urls.items()}
        self.interval = health_interval_seconds
        self.timeout = aiohttp.ClientTimeout(total=health_timeout_seconds)
        self._task: asyncio.Task[None] | None = None

    def __getitem__(self, service: str) -> str:
        return self.pools[service].pick()

    def __setitem__(self, service: str, url: str) -> None:
        if service in self.pools:
            self.pools[service].forget()
        self.pools[service] = Pool(service, [url])

    def __delitem__(self, service: str) -> None:
        self.pools.pop(service).forget()

    def __iter__(self) -> Iterator[str]:
        return iter(self.pools)

    def __len__(self) -> int:
        return len(self.pools)

    def eject(self, service: str, url: str, reason: str) -> None:
        """Passive ejection: a request could not connect to ``url``."""
        pool = self.pools.get(service)
        if pool is not None and len(pool.urls) > 1:  # one instance: nothing to route to
            pool.mark(url, False, reason)

    def failover(
        self, service: str, failed: str, tried: set[str], reason: str, *, retry: bool = True
    ) -> str | None:
        """``failed`` failed a request (``reason``): it leaves the rotation and joins
        ``tried``. With ``retry``, the healthy instance not tried yet that the request goes to
        next (counted in ``adscale_gateway_upstream_retries_total``); else, or with none
        left, None."""
        tried.add(failed)
        self.eject(service, failed, reason)
        pool = self.pools.get(service)
        following = pool.another(tried) if retry and pool is not None else None
        if following is not None:
            UPSTREAM_RETRIES.labels(service, reason).inc()
        return following

    def report(self) -> dict[str, dict[str, str]]:
        return {service: pool.report() for service, pool in self.pools.items()}

    async def check_once(self, session: aiohttp.ClientSession) -> None:
        async def probe(pool: Pool, url: str) -> None:
            try:
                async with session.get(url + "/health", timeout=self.timeout) as response:
                    await response.read()
                    ok = response.status < 500
                    pool.mark(url, ok, f"health answered {response.status}")
            except (aiohttp.ClientError, TimeoutError) as exc:
                pool.mark(url, False, f"health check failed: {type(exc).__name__}")

        await asyncio.gather(*(probe(p, u) for p in self.pools.values() for u in p.urls))

    def start(self, session: aiohttp.ClientSession) -> None:
        """Start the active checks (only worth it when some service has two instances)."""
        if all(len(p.urls) == 1 for p in self.pools.values()):
            return

        async def loop() -> None:
            while True:
                try:
                    await self.check_once(session)
                except Exception:  # never let one bad round end the checks
                    logger.exception("upstream health round failed")
                await asyncio.sleep(self.interval)

        self._task = asyncio.create_task(loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
            self._task = None


__all__ = ["Pool", "UpstreamPools"]

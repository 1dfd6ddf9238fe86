"""Whether the revocation listener is live, i.e. whether cached API-key answers can be trusted.

The listener is *live* when it holds every partition of every topic it follows, has
heard from the broker about each of them within ``stale_after_seconds``, and caught up
with them when it last became live. Each time it becomes live again the *epoch* grows:
an API-key answer is trusted (kept for the long TTL) only while the epoch it was cached
in is still current, because events published while the listener was not live (broker
down, partitions moving, a topic that did not exist yet) may never reach it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from aiokafka import TopicPartition

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Observation:
    """One look at the listener's consumer (see ``revocations.observe``)."""

    assignment: frozenset[TopicPartition]
    problem: str | None  # why it cannot be live now; None: complete and fresh
    caught_up: bool
    oldest_fetch: float  # monotonic time of the least recent fetch response


class ListenerHealth:
    def __init__(self, *, stale_after_seconds: float = 1.5) -> None:
        self.stale_after = stale_after_seconds
        self.epoch = 0
        self._live = False
        self._reason = "starting"
        self._since = time.time()
        self._assignment: frozenset[TopicPartition] = frozenset()
        self._oldest_fetch = 0.0

    def trusted_epoch(self) -> int | None:
        """The epoch cached answers may carry, or None while nothing can be trusted."""
        if not self._live or time.monotonic() - self._oldest_fetch > self.stale_after:
            return None
        return self.epoch

    @property
    def live(self) -> bool:
        return self.trusted_epoch() is not None

    async def wait_live(self, poll_seconds: float = 0.05) -> None:
        # Liveness also lapses with time (no fetch response lately): polled, not signalled.
        while not self.live:  # noqa: ASYNC110
            await asyncio.sleep(poll_seconds)

    def observe(self, seen: Observation) -> None:
        moved = seen.assignment != self._assignment
        self._assignment = seen.assignment
        self._oldest_fetch = seen.oldest_fetch
        problem = seen.problem
        if problem is None and time.monotonic() - seen.oldest_fetch > self.stale_after:
            problem = "no fetch response from the broker lately"
        if self._live:
            if moved:
                self._lose("partitions reassigned")
            elif problem is not None:
                self._lose(problem)
        elif problem is not None:
            self._reason = problem
        elif not seen.caught_up:
            self._reason = "catching up"
        else:
            self.epoch += 1
            self._live = True
            self._reason = "live"
            self._since = time.time()
            logger.info(
                "revocation listener live",
                extra={"partitions": len(seen.assignment), "epoch": self.epoch},
            )

    def lost(self, reason: str) -> None:
        """The consumer is gone (error, restart): nothing it held is followed any more."""
        self._assignment = frozenset()
        if self._live:
            self._lose(reason)
        else:
            self._reason = reason

    def _lose(self, reason: str) -> None:
        self._live = False
        self._reason = reason
        self._since = time.time()
        logger.warning(
            "revocation listener not live; API-key answers are cached briefly until it is",
            extra={"reason": reason},
        )

    def report(self) -> dict[str, object]:
        """For the gateway's /health."""
        live = self.live
        reason = self._reason
        if self._live and not live:
            reason = "no fetch response from the broker lately"
        return {
            "status": "live" if live else "not_live",
            "reason": reason,
            "since": _iso(self._since),
            "partitions": len(self._assignment),
        }


def _iso(epoch_seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_seconds))

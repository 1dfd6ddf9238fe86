"""A gateway process's share of a busy caller's window: counts reserved from Redis in
blocks and handed out here, one per request, without a round trip each.

Only for a request with a single check whose limit is large (the default budgets per user
and per anonymous address, Stripe's webhooks); the small limits (login guards, the spec's
audience-sync limits) and any request with several checks are counted one by one in Redis
as before.

How a share works: Redis keeps one counter per (policy, subject) and window, as for every
check. Instead of ``INCR`` a process sends ``INCRBY k n`` and owns the counts
``total-n+1 .. total``: it gives them out in order, one per request, and a request is
allowed when its count is within the limit. Every count belongs to exactly one request,
whichever process holds it, so:

* **a caller is never allowed more than the limit** in a window, with any number of
  gateway instances (no overshoot at all);
* the price is the other way round: counts a process reserved and did not give out before
  the window ended are lost, so with N instances a caller can be refused while up to
  ``(N - 1) * (max_share - 1)`` counts still sit unspent in the other instances (a share is
  at most ``max_share``, and at most ``limit // 20``: 5% of the budget);
* with one instance the answers are exactly those of one ``INCR`` per request
  (``RateLimit`` remaining counts down by one per request, the first request of a window
  reserves a single count).

A share's size follows how fast the caller's requests reach this process: the first
request of a window reserves one count; each next reservation aims at about
``target_seconds`` of the caller's requests, judged by how long the previous share lasted
(at most twice the previous size). A caller sending one request now and then therefore
still costs one round trip per request and sees the exact counter; only a caller sending
many requests a second is counted in blocks. A share ends with the window Redis gave it
(its TTL, measured from before the call, so it ends no later than the key).
"""

from __future__ import annotations

from dataclasses import dataclass

LEASE_MIN_LIMIT = 100  # below this a policy is always counted one request at a time
LEASE_FRACTION = 20  # a share is at most this fraction of the limit (5%)
MAX_SHARE = 64
TARGET_SECONDS = 0.25
MAX_KEYS = 100_000


@dataclass(slots=True)
class Share:
    next: int  # the next count to give out
    last: int  # the last count reserved
    size: int  # how many counts were reserved
    reserved_at: float  # monotonic, before the call
    expires: float  # monotonic: the window's end as Redis said, measured from reserved_at


class Shares:
    """The shares of one process, by Redis key."""

    def __init__(
        self,
        *,
        min_limit: int = LEASE_MIN_LIMIT,
        max_share: int = MAX_SHARE,
        target_seconds: float = TARGET_SECONDS,
    ) -> None:
        self.min_limit = min_limit
        self.max_share = max_share
        self.target_seconds = target_seconds
        self._by_key: dict[str, Share] = {}

    def applies(self, limit: int) -> bool:
        """Whether a request's one check, of this limit, is counted in shares (a request
        with several checks never is)."""
        return limit >= self.min_limit

    def cap(self, limit: int) -> int:
        return max(1, min(self.max_share, limit // LEASE_FRACTION))

    def take(self, key: str, now: float) -> tuple[int, float] | None:
        """The next count of this process's share and the ms left in its window, or None
        when there is no share left (none yet, spent, or its window ended)."""
        share = self._by_key.get(key)
        if share is None or share.next > share.last or now >= share.expires:
            return None
        count = share.next
        share.next += 1
        return count, (share.expires - now) * 1000

    def size_for(self, key: str, limit: int, now: float) -> int:
        """How many counts to reserve now."""
        share = self._by_key.get(key)
        if share is None or now >= share.expires:
            return 1  # the first request of a window: the exact counter
        lasted = max(now - share.reserved_at, 1e-3)
        wanted = int(share.size * self.target_seconds / lasted)
        return max(1, min(self.cap(limit), 2 * share.size, wanted))

    def reserved(
        self, key: str, *, total: int, size: int, ttl_ms: int, reserved_at: float
    ) -> tuple[int, float]:
        """Redis counted ``size`` more up to ``total``: the first count is the caller's,
        the rest is kept. Returns (count, ms left in the window)."""
        if len(self._by_key) >= MAX_KEYS:
            self._prune(reserved_at)
        first = total - size + 1
        expires = reserved_at + ttl_ms / 1000
        self._by_key[key] = Share(first + 1, total, size, reserved_at, expires)
        return first, float(ttl_ms)

    def _prune(self, now: float) -> None:
        """Forget ended shares; if that is not enough, every share (counts given up are
        only ever refused early, never allowed twice)."""
        self._by_key = {k: s for k, s in self._by_key.items() if now < s.expires}
        if len(self._by_key) >= MAX_KEYS:
            self._by_key.clear()

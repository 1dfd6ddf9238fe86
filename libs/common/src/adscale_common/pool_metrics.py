"""Database pool use as gauges, read from the SQLAlchemy pool when Prometheus scrapes."""

from __future__ import annotations

import weakref
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import Pool, QueuePool

from adscale_common.metrics import DB_POOL_CONNECTIONS, DB_POOL_MAX


def _reader(ref: weakref.ref[Pool], read: Callable[[QueuePool], int]) -> Callable[[], float]:
    def value() -> float:
        pool = ref()
        return float(read(pool)) if isinstance(pool, QueuePool) else 0.0

    return value


def track_pool(process: str, engine: AsyncEngine) -> None:
    """Export ``engine``'s pool under ``service=process`` (the latest engine of a name wins)."""
    ref: weakref.ref[Pool] = weakref.ref(engine.sync_engine.pool)
    readers: dict[str, Callable[[QueuePool], int]] = {
        "checked_out": lambda p: p.checkedout(),
        "idle": lambda p: p.checkedin(),
        "overflow": lambda p: max(p.overflow(), 0),
    }
    for state, read in readers.items():
        DB_POOL_CONNECTIONS.labels(process, state).set_function(_reader(ref, read))
    DB_POOL_MAX.labels(process).set_function(
        _reader(ref, lambda p: p.size() + max(p._max_overflow, 0))
    )

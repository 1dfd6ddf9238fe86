"""Batch ids that stay the same when a job sends the same batch again.

A worker killed after the platform accepted a batch but before it checkpointed it sends
that batch again when the job resumes (the resumed lane reads the same profiles in the
same order: the first batch it cuts is the one in flight at the kill). With a job key in
the context (``batch_key(...)``, set by the worker around a job), a client names each batch
by the key, the operation, the audience and the batch's own rows, so the repeat carries the
id the platform already accepted and the platform can answer it without applying it twice.
Without a key (one-off calls, tests), clients keep their per-call ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_KEY: ContextVar[str | None] = ContextVar("adscale_platforms_batch_key", default=None)
# Meta's session_id is an int64 that JSON clients read as a double: stay below 2**53.
_ID_SPACE = 2**53 - 2


@contextmanager
def batch_key(key: str) -> Iterator[None]:
    """Batches sent inside this block are named after ``key`` (one job's id)."""
    token = _KEY.set(key)
    try:
        yield
    finally:
        _KEY.reset(token)


def stable_batch_id(operation: str, audience_id: str, body: bytes) -> int | None:
    """A positive integer below 2**53 naming this batch of the current job, or ``None``
    outside ``batch_key``."""
    key = _KEY.get()
    if key is None:
        return None
    digest = hashlib.blake2b(digest_size=8)
    for part in (key.encode(), operation.encode(), audience_id.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return int.from_bytes(digest.digest(), "big") % _ID_SPACE + 1


__all__ = ["batch_key", "stable_batch_id"]

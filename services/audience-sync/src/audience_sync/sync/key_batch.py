"""An accepted batch's profiles and keys, COPYed into a session temp table.

Checkpoints write up to 10,000 profiles at a time. New members are COPYed straight into
``audience_member`` (:func:`records` builds their rows); a batch that must upsert (resent
profiles, or members another run already recorded) goes through this temp table: binary
COPY and one ``INSERT … SELECT … ON CONFLICT`` from it is about a quarter cheaper than
binding six arrays to ``unnest`` (measured with 10,000-row batches on the stack's
PostgreSQL). The table belongs to the connection's session (created on first use, no
migration) and empties itself at commit, so it holds one batch per transaction: the
checkpoint's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import asyncpg

TABLE = "profile_key_batch"
COLUMNS = (
    "external_id",
    "email",
    "phone",
    "madid",
    "extra",
    "extra_email_keys",
    "extra_phone_keys",
)

_CREATE = (
    f"CREATE TEMP TABLE IF NOT EXISTS {TABLE} (external_id text NOT NULL, email bytea, "
    "phone bytea, madid bytea, extra bytea, extra_email_keys bytea[], "
    "extra_phone_keys bytea[]) ON COMMIT DELETE ROWS"
)


async def copy_keys(
    apg: asyncpg.Connection[Any],
    ids: list[str],
    keys: tuple[list[Any], ...],
) -> None:
    """Load ``(external_id, email, phone, madid, extra, extra email keys, extra phone
    keys)`` rows into :data:`TABLE` (empty before: one batch per transaction). A key column
    shorter than ``ids`` (removals carry no ``extra``) counts as all ``None``."""
    await apg.execute(_CREATE)
    await apg.copy_records_to_table(TABLE, records=records(ids, keys), columns=COLUMNS)


def records(
    ids: list[str], keys: tuple[list[Any], ...], lead: tuple[Iterable[Any], ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """:data:`COLUMNS` rows of ``ids`` and their ``keys`` (a key column shorter than
    ``ids`` counts as all ``None``), after the ``lead`` columns if any."""
    columns = [column if len(column) == len(ids) else [None] * len(ids) for column in keys]
    return zip(*lead, ids, *columns, strict=True)

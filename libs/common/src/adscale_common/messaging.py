"""Tables of the transactional outbox and the consumer inbox.

Every service database has both. Migrations create them with
:func:`create_messaging_tables` so the definition lives in one place.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from adscale_common.db import new_metadata

metadata = new_metadata()

OUTBOX_CHANNEL = "adscale_outbox"
TRACE_COLUMN = "traceparent"


def _outbox_table(target: sa.MetaData, *, traced: bool) -> sa.Table:
    """The outbox table; ``traced=False`` is its first shape (revision 0001 of every
    service), ``traced=True`` adds the W3C ``traceparent`` of the emitting request."""
    table = sa.Table(
        "outbox_event",
        target,
        sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("id", pg.UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("payload", pg.JSONB, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        *([sa.Column(TRACE_COLUMN, sa.Text, nullable=True)] if traced else []),
    )
    sa.Index("ix_outbox_event_pending", table.c.seq, postgresql_where=table.c.sent_at.is_(None))
    return table


outbox_event = _outbox_table(metadata, traced=True)

inbox_event = sa.Table(
    "inbox_event",
    metadata,
    sa.Column("consumer", sa.Text, primary_key=True),
    sa.Column("event_id", pg.UUID(as_uuid=True), primary_key=True),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("event_type", sa.Text, nullable=True),
    sa.Column(
        "processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)


def create_messaging_tables() -> None:
    """Alembic ``upgrade`` step (revision 0001): outbox and inbox tables, first shape."""
    from alembic import op

    first = new_metadata()
    bind = op.get_bind()
    first.create_all(
        bind, tables=[_outbox_table(first, traced=False), inbox_event.to_metadata(first)]
    )


def add_trace_context() -> None:
    """Alembic ``upgrade`` step: the outbox keeps each event's ``traceparent``."""
    from alembic import op

    op.add_column("outbox_event", sa.Column(TRACE_COLUMN, sa.Text, nullable=True))


def drop_trace_context() -> None:
    from alembic import op

    op.drop_column("outbox_event", TRACE_COLUMN)


def drop_messaging_tables() -> None:
    from alembic import op

    bind = op.get_bind()
    metadata.drop_all(bind, tables=[inbox_event, outbox_event])

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

outbox_event = sa.Table(
    "outbox_event",
    metadata,
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
)
sa.Index(
    "ix_outbox_event_pending",
    outbox_event.c.seq,
    postgresql_where=outbox_event.c.sent_at.is_(None),
)

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
    """Alembic ``upgrade`` step: create outbox and inbox tables."""
    from alembic import op

    bind = op.get_bind()
    metadata.create_all(bind, tables=[outbox_event, inbox_event])


def drop_messaging_tables() -> None:
    from alembic import op

    bind = op.get_bind()
    metadata.drop_all(bind, tables=[inbox_event, outbox_event])

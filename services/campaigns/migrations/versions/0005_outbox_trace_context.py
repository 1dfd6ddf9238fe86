"""The outbox keeps the W3C traceparent of the request that emitted each event.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from adscale_common.messaging import add_trace_context, drop_trace_context

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_trace_context()


def downgrade() -> None:
    drop_trace_context()

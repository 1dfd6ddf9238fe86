"""The identity service's outbox keeps each event's traceparent (adscale_common.messaging).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from adscale_common.messaging import add_trace_context as upgrade  # noqa: F401
from adscale_common.messaging import drop_trace_context as downgrade  # noqa: F401

revision = "0004"
down_revision = "0003"

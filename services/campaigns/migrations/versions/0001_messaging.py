"""The campaigns service's transactional outbox and idempotent inbox (adscale_common.messaging).

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from adscale_common.messaging import create_messaging_tables as upgrade  # noqa: F401
from adscale_common.messaging import drop_messaging_tables as downgrade  # noqa: F401

revision = "0001"
down_revision = None

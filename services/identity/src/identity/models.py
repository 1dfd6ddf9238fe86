"""Identity tables. Outbox and inbox tables come from ``adscale_common.messaging``."""

from __future__ import annotations

from sqlmodel import SQLModel

from adscale_common.db import NAMING_CONVENTION

SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata

"""Column helpers for SQLModel tables, so every service spells its columns one way.

Each helper returns a ``Field`` with an explicit ``sa_column``: PostgreSQL types, server
defaults that match the Python defaults (rows written by raw SQL or a migration get the
same values), and UTC timestamps.

    class Thing(SQLModel, table=True):
        id: uuid.UUID = uuid_pk()
        owner_id: uuid.UUID = foreign_key("owner.id")
        status: str = text(default="active")
        created_at: datetime = timestamp()
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field

from adscale_common.types import utcnow

__all__ = [
    "boolean",
    "foreign_key",
    "integer",
    "jsonb",
    "text",
    "timestamp",
    "uuid_column",
    "uuid_pk",
]


def uuid_pk() -> Any:
    """A UUID primary key generated in Python (v4)."""
    return Field(
        default_factory=uuid.uuid4, sa_column=sa.Column(pg.UUID(as_uuid=True), primary_key=True)
    )


def uuid_column(*, nullable: bool = False, index: bool = False, primary_key: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=sa.Column(
            pg.UUID(as_uuid=True), primary_key=primary_key, nullable=nullable, index=index
        ),
    )


def foreign_key(
    target: str,
    *,
    ondelete: str = "CASCADE",
    nullable: bool = False,
    index: bool = True,
    primary_key: bool = False,
) -> Any:
    """A UUID referencing ``target`` (``"table.column"``), indexed and cascading by default;
    ``primary_key=True`` makes it part of the table's key (which indexes it already)."""
    return Field(
        default=None if nullable else ...,
        sa_column=sa.Column(
            pg.UUID(as_uuid=True),
            sa.ForeignKey(target, ondelete=ondelete),
            primary_key=primary_key,
            nullable=nullable,
            index=index and not primary_key,
        ),
    )


def timestamp(*, nullable: bool = False) -> Any:
    """``timestamptz``; when not nullable it defaults to now (in Python and on the server)."""
    if nullable:
        return Field(default=None, sa_column=sa.Column(sa.DateTime(timezone=True), nullable=True))
    return Field(
        default_factory=utcnow,
        sa_column=sa.Column(
            sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )


def text(*, nullable: bool = False, default: str | None = None, primary_key: bool = False) -> Any:
    column = sa.Column(
        sa.Text,
        primary_key=primary_key,
        nullable=nullable,
        server_default=sa.text(f"'{default}'") if default else None,
    )
    if default is not None:
        return Field(default=default, sa_column=column)
    if nullable:
        return Field(default=None, sa_column=column)
    return Field(sa_column=column)


def integer(*, big: bool = True, default: int | None = 0) -> Any:
    """``bigint`` (or ``integer``); ``default=None`` makes it nullable."""
    kind = sa.BigInteger if big else sa.Integer
    if default is None:
        return Field(default=None, sa_column=sa.Column(kind, nullable=True))
    return Field(
        default=default,
        sa_column=sa.Column(kind, nullable=False, server_default=sa.text(str(default))),
    )


def boolean(default: bool) -> Any:
    return Field(
        default=default,
        sa_column=sa.Column(
            sa.Boolean, nullable=False, server_default=sa.text("true" if default else "false")
        ),
    )


def jsonb(*, nullable: bool = True, default: str | None = None) -> Any:
    """``jsonb``; ``default`` is a JSON literal used as the server default (``"{}"``)."""
    column = sa.Column(
        pg.JSONB,
        nullable=nullable,
        server_default=sa.text(f"'{default}'::jsonb") if default else None,
    )
    return Field(default=None, sa_column=column)

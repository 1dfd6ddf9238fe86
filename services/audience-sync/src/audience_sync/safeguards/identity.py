"""Who a privacy request is about: one identifier, normalized, and its SHA-256; and how
a person is looked up among the profiles.

A person is, within one user's workspace, the profiles (in any segment) that share an
``external_id``, or a normalized email (trimmed, lower case) or phone (E.164, with the
default region for numbers written without a country code). Only the SHA-256 hex of the
normalized value is ever stored outside the profile rows (receipts, suppression list).

Looking one up (the profiles list's ``q``, subject access, erasure) compares SQL
expressions of the stored values, written here once: the email trimmed and lower-cased,
the further emails likewise, the phone's last seven digits (the candidates are then
compared in E.164). Migration 0013 indexes exactly these expressions (it writes them out
itself, as migrations never import the application; ``tests/test_migration_0013.py``
checks that each query built from them is served by its index). The planner matches an
index expression whatever alias a query gives the table, so the functions take one
(``"p"`` gives ``p.email``; none gives the bare column).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from adscale_platforms.identifiers import normalize

Kind = Literal["external_id", "email", "phone"]
KINDS: tuple[Kind, ...] = ("external_id", "email", "phone")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class NotAnIdentifier(ValueError):
    """The value cannot be one of its kind; ``args[0]`` is the reason (never the value)."""


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_email(value: str) -> str | None:
    text = value.strip().lower()
    return text if _EMAIL.fullmatch(text) else None


def normalize_phone(value: str) -> str | None:
    """E.164 (``+`` and digits), as Google's rules write it, or ``None``."""
    return normalize("google", "phone", value)


def normalized(kind: Kind, value: str) -> str | None:
    if kind == "email":
        return normalize_email(value)
    if kind == "phone":
        return normalize_phone(value)
    text = value.strip()
    return text or None


@dataclass(frozen=True)
class Identifier:
    kind: Kind
    value: str  # normalized; never logged nor stored

    @property
    def sha256(self) -> str:
        return sha256_hex(self.value)

    @classmethod
    def parse(cls, kind: Kind, raw: str) -> Identifier:
        value = normalized(kind, raw)
        if value is None:
            raise NotAnIdentifier(f"{kind} is not a valid {kind.replace('_', ' ')}")
        return cls(kind, value)


def hashes_of(kind: Kind, values: list[str | None]) -> set[str]:
    """SHA-256 of each value that normalizes (the rest are skipped)."""
    out: set[str] = set()
    for raw in values:
        if raw:
            value = normalized(kind, raw)
            if value is not None:
                out.add(sha256_hex(value))
    return out


# --------------------------------------------------------------------------- lookups in SQL

TAIL_DIGITS = 7
# An IMMUTABLE SQL function of migration 0013: a person's further emails, each trimmed and
# lower-cased (``extra_emails`` are stored as imported: trimmed, case kept; an index
# expression cannot hold the subquery that normalizes them).
NORMALIZED_EMAILS = "normalized_emails"


def _column(alias: str, name: str) -> str:
    return f"{alias}.{name}" if alias else name


def email_sql(alias: str = "") -> str:
    """A profile's first email as a person is matched on it (``ix_profile_email``)."""
    return f"lower(btrim({_column(alias, 'email')}))"


def phone_tail_sql(alias: str = "") -> str:
    """The last ``TAIL_DIGITS`` digits of a profile's phone (``ix_profile_phone_tail``)."""
    return f"right(regexp_replace({_column(alias, 'phone')}, '\\D', '', 'g'), {TAIL_DIGITS})"


def extra_emails_sql(alias: str = "") -> str:
    """A profile's further emails, normalized (``ix_profile_extra_emails``, a GIN index)."""
    return f"{NORMALIZED_EMAILS}({_column(alias, 'extra_emails')})"


def holds_extra_emails_sql(alias: str = "") -> str:
    """The predicate of ``ix_profile_extra_emails`` (partial: most profiles have none),
    which a query repeats for the planner to use it."""
    return f"{_column(alias, 'extra_emails')} IS NOT NULL"


def email_is_sql(alias: str, value: str) -> str:
    """A profile whose first or one of its further emails is ``value`` (a placeholder such
    as ``$2`` or ``:email``, bound to a normalized email)."""
    extra = (
        f"{holds_extra_emails_sql(alias)} AND {extra_emails_sql(alias)} @> ARRAY[{value}]::text[]"
    )
    return f"({email_sql(alias)} = {value} OR ({extra}))"


def phone_tail(number: str) -> str:
    """What :func:`phone_tail_sql` is compared with for ``number`` (E.164)."""
    return number[-TAIL_DIGITS:]

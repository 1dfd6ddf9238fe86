"""Who a privacy request is about: one identifier, normalized, and its SHA-256.

A person is, within one user's workspace, the profiles (in any segment) that share an
``external_id``, or a normalized email (trimmed, lower case) or phone (E.164, with the
default region for numbers written without a country code). Only the SHA-256 hex of the
normalized value is ever stored outside the profile rows (receipts, suppression list).
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

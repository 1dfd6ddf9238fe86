"""Which profile field each CSV column holds.

A header is compared by its *letters and digits only*, lower-cased (``E-mail Address``,
``email_address`` and ``EMAIL ADDRESS`` are all ``emailaddress``), against the field names
and the headers the common exports use. An explicit mapping in the request wins over that;
a column nothing claims becomes a string trait named after its header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson

from audience_sync.segment.errors import MappingColumnNotFound, MappingInvalid
from audience_sync.segment.rows import FIELDS

KEY = "external_id"
TRAITS = "traits"
IGNORE = "ignore"
TRAIT_PREFIX = "trait:"
TARGETS: tuple[str, ...] = (KEY, *FIELDS, TRAITS, IGNORE)
MAX_TRAIT_NAME = 64

# Headers as the sources write them, each with the field it holds. The sources: Shopify's
# customers export, Mailchimp's audience export, HubSpot's and Klaviyo's contact/profile
# exports, Salesforce contact reports, Meta's customer-list template (short keys) and
# Google Ads' Customer Match template. Compared after ``normalize``.
SOURCE_HEADERS: dict[str, tuple[str, ...]] = {
    KEY: (
        "External ID", "ID", "Customer ID", "Customer Id", "User ID", "uid",
        "Record ID", "Contact ID", "Klaviyo ID",
    ),
    "email": (
        "Email", "E-mail", "Email Address", "E-mail Address", "Emails", "Primary Email",
    ),
    "phone": (
        "Phone", "Phone Number", "Mobile", "Mobile Phone", "Mobile Phone Number",
        "Mobile Number", "Cell Phone", "Home Phone", "Default Address Phone",
        "SMS Phone Number",
    ),
    "first_name": ("First Name", "FirstName", "fn", "Given Name"),
    "last_name": ("Last Name", "LastName", "ln", "Surname", "Family Name"),
    "city": ("City", "ct", "Default Address City", "Mailing City", "Town"),
    "state": (
        "State", "st", "Province", "Province Code", "Region", "State/Region",
        "State / Region", "State/Province", "Default Address Province Code",
        "Mailing State/Province", "Mailing State",
    ),
    "zip": (
        "Zip", "Zip Code", "ZIP/Postal Code", "Postal Code", "Postcode",
        "Default Address Zip", "Mailing Zip/Postal Code", "Mailing Postal Code",
    ),
    "country": (
        "Country", "Country Code", "Country/Region", "Default Address Country Code",
        "Mailing Country", "Mailing Country Code",
    ),
    "madid": (
        "madid", "MAID", "Mobile Ad ID", "Mobile Advertising ID", "Mobile Device ID",
        "IDFA", "AAID", "GAID", "Advertising ID",
    ),
    TRAITS: ("traits",),
}  # fmt: skip

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize(header: str) -> str:
    return _NOT_ALNUM.sub("", header.lower())


ALIASES: dict[str, str] = {
    normalize(header): target for target, headers in SOURCE_HEADERS.items() for header in headers
}
EXACT: dict[str, str] = {normalize(target): target for target in (KEY, *FIELDS, TRAITS)}


@dataclass(frozen=True)
class Column:
    """One header column: what it holds and how that was decided (``mapping``: the
    request said so; ``exact``: the header is the field's name; ``alias``: a known export
    header; ``unknown``: nothing claimed it, kept as a string trait)."""

    position: int
    header: str
    target: str  # a TARGETS entry or "trait:<name>"
    decided_by: str

    @property
    def trait(self) -> str | None:
        return self.target[len(TRAIT_PREFIX) :] if self.target.startswith(TRAIT_PREFIX) else None


def trait_name(header: str) -> str:
    """A trait key from a header: trimmed, lower-case, spaces as underscores."""
    return "_".join(header.strip().lower().split())[:MAX_TRAIT_NAME]


def parse_mapping(raw: str | None) -> dict[str, str]:
    """The request's ``mapping`` (a JSON object: column header → target), checked."""
    if raw is None or not raw.strip():
        return {}
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MappingInvalid("mapping is not valid JSON", details={"reason": str(exc)}) from exc
    if not isinstance(parsed, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
    ):
        raise MappingInvalid("mapping must be a JSON object of column → target strings")
    mapping: dict[str, str] = {}
    for column, target in parsed.items():
        wanted = target.strip()
        if wanted.startswith(TRAIT_PREFIX):
            name = wanted[len(TRAIT_PREFIX) :].strip()
            if not name or len(name) > MAX_TRAIT_NAME:
                raise MappingInvalid(
                    f"mapping for {column!r}: a trait name must have 1 to "
                    f"{MAX_TRAIT_NAME} characters",
                    details={"column": column, "target": target},
                )
            wanted = TRAIT_PREFIX + name
        elif wanted.lower() not in TARGETS:
            raise MappingInvalid(
                f"mapping for {column!r}: {target!r} is not a profile field",
                details={
                    "column": column,
                    "target": target,
                    "allowed": [*TARGETS, "trait:<name>"],
                },
            )
        else:
            wanted = wanted.lower()
        mapping[column] = wanted
    return mapping


def map_header(header: list[str], mapping: dict[str, str]) -> list[Column]:
    """Decide every column. A mapping key matches a header exactly, else after
    ``normalize``; a key matching no column is refused (a typo would otherwise silently
    import the column as something else)."""
    by_normal: dict[str, str] = {}
    for key, target in mapping.items():
        by_normal.setdefault(normalize(key), target)
    exact_headers = set(header)
    normal_headers = {normalize(h) for h in header}
    missing = [
        key for key in mapping if key not in exact_headers and normalize(key) not in normal_headers
    ]
    if missing:
        raise MappingColumnNotFound(
            details={"columns": missing, "header": header[:200]},
        )
    columns: list[Column] = []
    for position, raw in enumerate(header):
        norm = normalize(raw)
        if raw in mapping:
            columns.append(Column(position, raw, mapping[raw], "mapping"))
        elif norm in by_normal:
            columns.append(Column(position, raw, by_normal[norm], "mapping"))
        elif norm in EXACT:
            columns.append(Column(position, raw, EXACT[norm], "exact"))
        elif norm in ALIASES:
            columns.append(Column(position, raw, ALIASES[norm], "alias"))
        else:
            name = trait_name(raw)
            if name:
                columns.append(Column(position, raw, TRAIT_PREFIX + name, "unknown"))
            else:  # spreadsheets leave unnamed (usually empty) columns at the edge
                columns.append(Column(position, raw, IGNORE, "empty header"))
    return columns

"""Identifier normalization and hashing, one normalizer per platform.

Public API::

    normalize(platform, field, value) -> str | None
    hash_identifier(platform, field, value) -> str | None
    normalize_many(platform, field, values) -> list[str | None]
    hash_many(platform, field, values) -> list[str | None]

``platform`` is one of ``meta``, ``google``, ``tiktok``, ``snapchat``; ``field`` one of
``email``, ``phone``, ``first_name``, ``last_name``, ``city``, ``state``, ``zip``,
``country``, ``madid``, ``external_id``. A value that cannot be normalized, and a field
the platform does not take, give ``None``. An unknown platform or field name raises
``ValueError`` (a programming error, not bad data).

``hash_identifier`` returns the lowercase hex SHA-256 of the UTF-8 normalized value, except
for the fields a platform takes *unhashed*, for which it returns the normalized value:
Meta ``madid`` (``MADID``) and ``external_id`` (``EXTERN_ID``), Google ``zip``
(``postal_code``) and ``country`` (``region_code``).

Rules, checked against each platform's own documentation (where it differs from
``PLATFORMS.md`` the documentation wins; each difference is marked **doc**):

Meta (Customer File Custom Audiences, "Hashing and Normalizing Data")
    email: trim, lowercase. phone: digits only with country code, no ``+``, no leading
    zeros. first/last name and city: lowercase, letters only (punctuation and spaces
    removed), non-Latin letters kept in UTF-8 (Meta's example keeps ``정`` and
    ``valéry``). state: lowercase, letters only. zip: lowercase, no whitespace, US ZIP+4
    cut to the first 5 digits, UK postcodes cut to area/district/sector. country:
    ISO-3166 alpha-2, lowercase, hashed. madid: lowercase, hyphens kept, *not hashed*.
    external_id: trimmed, *not hashed* (**doc**: ``EXTERN_ID`` needs no hashing; it is
    absent from PLATFORMS.md).
Google (Data Manager API, "Format user data")
    email: lowercase, all whitespace removed; for ``gmail.com`` / ``googlemail.com`` only,
    dots and a ``+tag`` removed from the local part. phone: E.164 *with* ``+``.
    first/last name: lowercase, trimmed, prefixes (``Mrs.``) and suffixes (``Jr.``)
    removed (**doc**: the Data Manager guide asks for no other punctuation removal, so
    apostrophes and hyphens are kept, unlike PLATFORMS.md's "no punctuation"). zip:
    trimmed, *not hashed* (US: 5 digits or ZIP+4). country: alpha-2, *not hashed*,
    upper case as ISO writes it. city, state, madid, external_id: not taken.
TikTok (customer file "supported IDs and formats")
    email: trim, lowercase, ``+tag`` removed (**doc**: older revisions of the page also
    removed dots; the current one does not). phone: digits with country code, no ``+``
    (TikTok's worked example hashes ``37493828222``). madid: trimmed, lowercase, hashed
    (``IDFA_SHA256`` / ``AAID_SHA256``). Other fields: not taken.
Snapchat (Snap Audience Match / Conversions API "normalize identifiers")
    email: trim, lowercase. phone: digits with country code, no ``+``, leading ``00`` and
    the national leading ``0`` removed. madid: lowercase, hyphens kept, hashed.
    first/last name: lowercase, trimmed (as PLATFORMS.md; Audience Match segments only
    accept email, phone and mobile ad id). Other fields: not taken.

Phone numbers (all platforms) are parsed with ``phonenumbers``. A number written with
``+`` or ``00`` is international. Otherwise it is first read as a national number of the
default region (``PLATFORMS_DEFAULT_PHONE_REGION``, ``US`` unless configured; the national
leading ``0`` is handled by the region's own rules), then as digits that already start
with a country code. A number valid for neither is accepted when its length is possible
for the region, else refused (``None``). With no default region (``default_region=None``)
the digits are taken as already carrying their country code, which is Meta's documented
rule (its example keeps ``4792813113`` as is).
"""

from __future__ import annotations

import enum
import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import phonenumbers

from adscale_contracts.platforms import IDENTIFIER_FIELDS as FIELDS
from adscale_contracts.platforms import PLATFORMS
from adscale_platforms.phones import e164_many, phone_digits, phone_plus
from adscale_platforms.settings import get_settings

__all__ = [
    "FIELDS",
    "PLATFORMS",
    "UNHASHED_FIELDS",
    "hash_identifier",
    "hash_many",
    "is_hashed_field",
    "normalize",
    "normalize_many",
    "supported_fields",
]


class _Unset(enum.Enum):
    TOKEN = 0


_UNSET = _Unset.TOKEN

# --------------------------------------------------------------------------- helpers

# A normalized address: no whitespace, exactly one "@", a dot in the domain.
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]")
_ASCII_NOT_LOWER_LETTER = re.compile(r"[^a-z]+")
_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ZERO_UUID = "00000000-0000-0000-0000-000000000000"
_US_ZIP = re.compile(r"(\d{5})(?:-?\d{4})?")
_UK_POSTCODE = re.compile(r"([a-z]{1,2}\d[a-z\d]?)(\d)[a-z]{2}")
_POSTAL_ALLOWED = re.compile(r"[0-9A-Za-z][0-9A-Za-z \-]*")
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS) - {"001"}
_NAME_PREFIXES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam", "rev", "fr"}
)
_NAME_SUFFIXES = frozenset(
    {"jr", "sr", "ii", "iii", "iv", "phd", "md", "dds", "dvm", "esq", "cpa", "mba"}
)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _letters_only(value: str) -> str | None:
    """Lowercase, NFC, letters (and their combining marks) only; ``None`` when empty."""
    lowered = value.lower()
    if lowered.isascii():
        cleaned = _ASCII_NOT_LOWER_LETTER.sub("", lowered)
    else:
        composed = unicodedata.normalize("NFC", lowered)
        cleaned = "".join(ch for ch in composed if unicodedata.category(ch)[0] in ("L", "M"))
    return cleaned or None


def _lower_trim(value: str) -> str | None:
    text = value.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    text = " ".join(text.lower().split())
    return text or None


# --------------------------------------------------------------------------- email


def _email_plain(value: str) -> str | None:
    """Trim and lowercase (Meta, Snapchat)."""
    text = value.strip().lower()
    return text if _EMAIL_RE.fullmatch(text) else None


def _email_google(value: str) -> str | None:
    """Lowercase, no whitespace at all; gmail/googlemail lose dots and ``+tag``."""
    text = "".join(value.split()).lower()
    if not _EMAIL_RE.fullmatch(text):
        return None
    local, _, domain = text.rpartition("@")
    if domain in _GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        if not local:
            return None
        return f"{local}@{domain}"
    return text


def _email_tiktok(value: str) -> str | None:
    """Trim, lowercase, ``+tag`` removed from the local part (every domain)."""
    text = value.strip().lower()
    if not _EMAIL_RE.fullmatch(text):
        return None
    local, _, domain = text.rpartition("@")
    if "+" in local:
        local = local.split("+", 1)[0]
        if not local:
            return None
        return f"{local}@{domain}"
    return text


# --------------------------------------------------------------------------- names


def _strip_titles(words: list[str]) -> list[str]:
    def bare(word: str) -> str:
        return word.strip(".,")

    while len(words) > 1 and bare(words[0]) in _NAME_PREFIXES:
        words = words[1:]
    while len(words) > 1 and bare(words[-1]) in _NAME_SUFFIXES:
        words = words[:-1]
    return words


def _name_google(value: str) -> str | None:
    """Lowercase, trimmed, without prefixes such as ``Mrs.`` or suffixes such as ``Jr.``."""
    text = _lower_trim(value)
    if text is None:
        return None
    words = _strip_titles(text.split(" "))
    result = " ".join(words).strip(" ,")
    return result or None


# --------------------------------------------------------------------------- address


def _zip_meta(value: str) -> str | None:
    text = "".join(value.split()).lower()
    if not text:
        return None
    us = _US_ZIP.fullmatch(text)
    if us:
        return us.group(1)
    uk = _UK_POSTCODE.fullmatch(text)
    if uk:
        return uk.group(1) + uk.group(2)
    return text if _POSTAL_ALLOWED.fullmatch(text) else None


def _zip_google(value: str) -> str | None:
    text = " ".join(value.split())
    if not text or not _POSTAL_ALLOWED.fullmatch(text):
        return None
    return text


def _country_lower(value: str) -> str | None:
    text = value.strip().upper()
    return text.lower() if text in _REGIONS else None


def _country_upper(value: str) -> str | None:
    text = value.strip().upper()
    return text if text in _REGIONS else None


# --------------------------------------------------------------------------- device / ids


def _madid(value: str) -> str | None:
    text = value.strip().lower()
    if text == _ZERO_UUID or not _UUID_RE.fullmatch(text):
        return None
    return text


def _external_id(value: str) -> str | None:
    text = value.strip()
    return text or None


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True, slots=True)
class _Rule:
    normalize: Callable[[str], str | None] | None
    normalize_phone: Callable[[str, str | None], str | None] | None
    hashed: bool


def _rule(fn: Callable[[str], str | None], *, hashed: bool = True) -> _Rule:
    return _Rule(fn, None, hashed)


def _phone_rule(fn: Callable[[str, str | None], str | None]) -> _Rule:
    return _Rule(None, fn, True)


_RULES: dict[tuple[str, str], _Rule] = {
    # Meta
    ("meta", "email"): _rule(_email_plain),
    ("meta", "phone"): _phone_rule(phone_digits),
    ("meta", "first_name"): _rule(_letters_only),
    ("meta", "last_name"): _rule(_letters_only),
    ("meta", "city"): _rule(_letters_only),
    ("meta", "state"): _rule(_letters_only),
    ("meta", "zip"): _rule(_zip_meta),
    ("meta", "country"): _rule(_country_lower),
    ("meta", "madid"): _rule(_madid, hashed=False),
    ("meta", "external_id"): _rule(_external_id, hashed=False),
    # Google (Data Manager)
    ("google", "email"): _rule(_email_google),
    ("google", "phone"): _phone_rule(phone_plus),
    ("google", "first_name"): _rule(_name_google),
    ("google", "last_name"): _rule(_name_google),
    ("google", "zip"): _rule(_zip_google, hashed=False),
    ("google", "country"): _rule(_country_upper, hashed=False),
    # TikTok
    ("tiktok", "email"): _rule(_email_tiktok),
    ("tiktok", "phone"): _phone_rule(phone_digits),
    ("tiktok", "madid"): _rule(_madid),
    # Snapchat
    ("snapchat", "email"): _rule(_email_plain),
    ("snapchat", "phone"): _phone_rule(phone_digits),
    ("snapchat", "first_name"): _rule(_lower_trim),
    ("snapchat", "last_name"): _rule(_lower_trim),
    ("snapchat", "madid"): _rule(_madid),
}

UNHASHED_FIELDS: frozenset[tuple[str, str]] = frozenset(
    key for key, rule in _RULES.items() if not rule.hashed
)


def _lookup(platform: str, field: str) -> _Rule | None:
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {PLATFORMS}")
    if field not in FIELDS:
        raise ValueError(f"unknown identifier field {field!r}; expected one of {FIELDS}")
    return _RULES.get((platform, field))


def _region(default_region: str | _Unset | None) -> str | None:
    region = get_settings().default_phone_region if default_region is _UNSET else default_region
    return region.upper() if region else None


def supported_fields(platform: str) -> tuple[str, ...]:
    """The identifier fields ``platform`` takes, in ``FIELDS`` order."""
    _lookup(platform, "email")
    return tuple(f for f in FIELDS if (platform, f) in _RULES)


def is_hashed_field(platform: str, field: str) -> bool:
    """Whether the platform takes this field as SHA-256 (``False`` when not taken at all)."""
    rule = _lookup(platform, field)
    return rule is not None and rule.hashed


def _normalizer(
    platform: str, field: str, default_region: str | _Unset | None
) -> Callable[[str], str | None] | None:
    rule = _lookup(platform, field)
    if rule is None:
        return None
    if rule.normalize is not None:
        return rule.normalize
    phone = rule.normalize_phone
    assert phone is not None
    region = _region(default_region)

    def with_region(value: str) -> str | None:
        return phone(value, region)

    return with_region


def normalize(
    platform: str,
    field: str,
    value: str,
    *,
    default_region: str | _Unset | None = _UNSET,
) -> str | None:
    """The value normalized by ``platform``'s rules for ``field``, or ``None``.

    ``default_region`` overrides ``PLATFORMS_DEFAULT_PHONE_REGION`` for phone numbers
    written without a country code; ``None`` means "digits already carry one".
    """
    fn = _normalizer(platform, field, default_region)
    if fn is None or not isinstance(value, str):
        return None
    return fn(value)


def hash_identifier(
    platform: str,
    field: str,
    value: str,
    *,
    default_region: str | _Unset | None = _UNSET,
) -> str | None:
    """Lowercase hex SHA-256 of the normalized value (the value itself for unhashed fields)."""
    rule = _lookup(platform, field)
    normalized = normalize(platform, field, value, default_region=default_region)
    if normalized is None or rule is None:
        return None
    return _sha256(normalized) if rule.hashed else normalized


# --------------------------------------------------------------------------- whole columns
# The same answers as the scalar normalizers, a column at a time: the common shapes run as
# C-level maps over the column (no Python frame per value), anything else per value.

_FIVE_ASCII_DIGITS = re.compile(r"[0-9]{5}")
_strip_non_letters = functools.partial(_ASCII_NOT_LOWER_LETTER.sub, "")


def _emails_plain(values: Sequence[str]) -> list[str | None]:
    texts: list[str | None] = list(map(str.lower, map(str.strip, values)))
    match = _EMAIL_RE.fullmatch
    if all(map(match, texts)):  # type: ignore[arg-type]
        return texts
    return [t if match(t) else None for t in texts]  # type: ignore[arg-type]


def _letters_column(values: Sequence[str]) -> list[str | None]:
    lowered = list(map(str.lower, values))
    if not all(map(str.isascii, lowered)):
        return [_letters_only(v) for v in values]
    cleaned: list[str | None] = list(map(_strip_non_letters, lowered))
    return cleaned if all(cleaned) else [c or None for c in cleaned]


def _zips_meta(values: Sequence[str]) -> list[str | None]:
    if all(map(_FIVE_ASCII_DIGITS.fullmatch, values)):  # a US ZIP is its own answer
        return list(values)
    return [_zip_meta(v) for v in values]


_COLUMNS: dict[Callable[[str], str | None], Callable[[Sequence[str]], list[str | None]]] = {
    _email_plain: _emails_plain,
    _letters_only: _letters_column,
    _zip_meta: _zips_meta,
}


def _column(
    rule: _Rule, fn: Callable[[str], str | None]
) -> Callable[[Sequence[str]], list[str | None]] | None:
    if rule.normalize is not None:
        return _COLUMNS.get(rule.normalize)
    if rule.normalize_phone in (phone_plus, phone_digits):
        plus = rule.normalize_phone is phone_plus
        return lambda values: e164_many(values, fn, plus=plus)
    return None


def normalize_many(
    platform: str,
    field: str,
    values: Sequence[str],
    *,
    default_region: str | _Unset | None = _UNSET,
) -> list[str | None]:
    """``[normalize(platform, field, v) for v in values]``, without the per-call overhead
    (a column of strings takes its field's whole-column path when it has one)."""
    fn = _normalizer(platform, field, default_region)
    if fn is None:
        return [None] * len(values)
    rule = _lookup(platform, field)
    assert rule is not None
    column = _column(rule, fn)
    if column is not None and values and all(type(v) is str for v in values):
        return column(values)
    return [fn(v) if isinstance(v, str) else None for v in values]


def hash_many(
    platform: str,
    field: str,
    values: Sequence[str],
    *,
    default_region: str | _Unset | None = _UNSET,
) -> list[str | None]:
    """``[hash_identifier(platform, field, v) for v in values]``, fast.

    Plain emails for Meta and Snapchat take a fast path: one ``strip().lower()`` and one
    compiled-regex check per value before hashing.
    """
    rule = _lookup(platform, field)
    fn = _normalizer(platform, field, default_region)
    if fn is None or rule is None:
        return [None] * len(values)
    sha = hashlib.sha256
    out: list[str | None] = []
    append = out.append
    if not rule.hashed:
        for v in values:
            append(fn(v) if isinstance(v, str) else None)
        return out
    if fn is _email_plain:
        match = _EMAIL_RE.fullmatch
        for v in values:
            if isinstance(v, str):
                text = v.strip().lower()
                append(sha(text.encode()).hexdigest() if match(text) else None)
            else:
                append(None)
        return out
    for v in values:
        normalized = fn(v) if isinstance(v, str) else None
        append(sha(normalized.encode()).hexdigest() if normalized is not None else None)
    return out

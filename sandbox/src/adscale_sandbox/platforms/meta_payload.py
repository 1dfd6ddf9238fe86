"""The ``payload`` of a Meta member upload: schema and data checked (key types, Limited
Data Use columns, the row limit) and rows read into people (the general reader;
``meta_rows`` is its fast path for all-hashed batches).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from adscale_sandbox import state
from adscale_sandbox.core import parse_sha256_hex
from adscale_sandbox.platforms.meta_errors import invalid_parameter, meta_error
from adscale_sandbox.platforms.meta_ldu import LDU_KEYS, ldu_problem
from adscale_sandbox.platforms.meta_params import json_param
from adscale_sandbox.platforms.meta_rows import hashed_people

MAX_USERS_PER_REQUEST = 10_000


# Multi-key schema fields; all but MADID and EXTERN_ID arrive SHA-256 hashed.
HASHED_KEYS = {
    "EMAIL",
    "PHONE",
    "FN",
    "LN",
    "FI",
    "CT",
    "ST",
    "ZIP",
    "COUNTRY",
    "DOBY",
    "DOBM",
    "DOBD",
    "DOB",
    "GEN",
}
RAW_KEYS = {"MADID", "EXTERN_ID", "LOOKALIKE_VALUE", *LDU_KEYS}
SINGLE_KEYS = {
    "EMAIL_SHA256": "EMAIL",
    "PHONE_SHA256": "PHONE",
    "EMAIL": "EMAIL",
    "PHONE": "PHONE",
    "MOBILE_ADVERTISER_ID": "MADID",
    "MADID": "MADID",
    "EXTERN_ID": "EXTERN_ID",
}
IDENTITY_ORDER = ("EMAIL", "PHONE", "MADID", "EXTERN_ID")


def parse_payload(params: dict[str, Any]) -> tuple[list[str], list[Any]]:
    payload = json_param(params, "payload")
    if not isinstance(payload, dict):
        raise invalid_parameter("(#100) The parameter payload is required")
    schema = payload.get("schema")
    if isinstance(schema, str):
        schema_keys = [schema.upper()]
    elif isinstance(schema, list) and schema and all(isinstance(k, str) for k in schema):
        schema_keys = [k.upper() for k in schema]
    else:
        raise invalid_parameter("(#100) Param payload[schema] must be a string or an array")
    if len(schema_keys) == 1 and schema_keys[0] not in SINGLE_KEYS:
        raise invalid_parameter(
            f"(#100) Invalid schema: {schema_keys[0]} is not a supported key type",
            subcode=1870024,
        )
    if len(schema_keys) > 1:
        unknown = [k for k in schema_keys if k not in HASHED_KEYS and k not in RAW_KEYS]
        if unknown:
            raise invalid_parameter(
                f"(#100) Invalid schema: {', '.join(unknown)} is not a supported key type",
                subcode=1870024,
            )
    data = payload.get("data")
    if not isinstance(data, list):
        raise invalid_parameter("(#100) Param payload[data] must be an array")
    problem = ldu_problem(schema_keys, data)
    if problem is not None:
        raise invalid_parameter(f"(#100) Invalid data processing options: {problem}")
    if len(data) > MAX_USERS_PER_REQUEST:
        raise meta_error(
            400,
            100,
            f"(#100) Too many users in the payload: {len(data)} received, at most "
            f"{MAX_USERS_PER_REQUEST} are allowed per request",
            user_title="Too Many Users",
            user_msg="Split the upload into requests of at most 10000 users each.",
        )
    return schema_keys, data


def _identity(key: str, text: str) -> bytes:
    if key in HASHED_KEYS:
        return bytes.fromhex(text)
    return hashlib.sha256(text.strip().lower().encode()).digest()


def row_person(schema: list[str], row: Any) -> tuple[state.Person | None, str]:
    """The person a row stands for (its identity keys, and its other keys as match-only
    evidence), or ``None`` and the reason the row is invalid."""
    if len(schema) == 1:
        key = SINGLE_KEYS[schema[0]]
        value = row[0] if isinstance(row, list) and len(row) == 1 else row
        if key in HASHED_KEYS:
            digest = parse_sha256_hex(value)
            if digest is None:
                return None, f"{schema[0]} is not a 64-character lowercase SHA-256 hex digest"
            return state.Person((digest,)), ""
        if not isinstance(value, str | int) or not str(value).strip():
            return None, f"{schema[0]} is empty"
        return state.Person((_identity(key, str(value)),)), ""
    if not isinstance(row, list) or len(row) != len(schema):
        return (
            None,
            f"Row has {len(row) if isinstance(row, list) else 1} values, schema has {len(schema)}",
        )
    values: dict[str, str] = {}
    # A key named again in the schema (Meta's customer file takes up to three email and
    # three phone columns) is one more identity key of the same person.
    identities: dict[str, list[str]] = {}
    for key, value in zip(schema, row, strict=True):
        if key in ("LOOKALIKE_VALUE", *LDU_KEYS):
            continue
        text = "" if value is None else str(value)
        if not text:
            continue
        if key in HASHED_KEYS and parse_sha256_hex(text) is None:
            return None, f"{key} is not a 64-character lowercase SHA-256 hex digest"
        values[key] = text
        if key in IDENTITY_ORDER:
            identities.setdefault(key, []).append(text)
    if not values:
        return None, "Row has no identifier"
    # Not deduplicated: the fast reader (meta_rows) keeps a key repeated across columns too.
    keys = tuple(_identity(k, v) for k in IDENTITY_ORDER for v in identities.get(k, ()))
    rest = sorted(k for k in values if k not in IDENTITY_ORDER)
    joined = hashlib.sha256("|".join(f"{k}={values[k]}" for k in rest).encode()).digest()
    if not keys:
        return state.Person((joined,)), ""
    return state.Person(keys, (joined,) if rest else ()), ""


def parse_rows(schema: list[str], data: list[Any]) -> tuple[list[state.Person], dict[str, str]]:
    fast = hashed_people(
        schema, data, hashed=HASHED_KEYS, identity_order=IDENTITY_ORDER, general=row_person
    )
    if fast is not None:
        return fast, {}
    people: list[state.Person] = []
    samples: dict[str, str] = {}
    invalid = 0
    for row in data:
        person, reason = row_person(schema, row)
        if person is None:
            invalid += 1
            if len(samples) < 10:
                samples[json.dumps(row) if not isinstance(row, str) else row] = reason
            continue
        people.append(person)
    if invalid and not samples:  # pragma: no cover - defensive
        samples["?"] = "invalid"
    return people, samples

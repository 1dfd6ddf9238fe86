"""Meta's Limited Data Use columns of a customer-list upload, checked as Meta documents them.

"Data Processing Options for US Users" (developers.facebook.com/docs/marketing-apis/
data-processing-options), customer list custom audiences: the payload's ``schema`` names
``DATA_PROCESSING_OPTIONS`` (and optionally ``DATA_PROCESSING_OPTIONS_COUNTRY`` and
``DATA_PROCESSING_OPTIONS_STATE``); each row then holds ``["LDU"]`` (or ``[]`` for no
Limited Data Use), the country (``1`` = US, ``0`` = let Meta geolocate) and the state
(``1000`` California ... , ``0`` = let Meta geolocate). Anything else is refused with
error 100, as Meta refuses an unknown processing option.
"""

from __future__ import annotations

from typing import Any

LDU_KEYS = (
    "DATA_PROCESSING_OPTIONS",
    "DATA_PROCESSING_OPTIONS_COUNTRY",
    "DATA_PROCESSING_OPTIONS_STATE",
)
COUNTRIES = frozenset({0, 1})
# 0 (geolocate) and the US state codes Meta lists for Limited Data Use (1000 California on).
STATES = frozenset({0, *range(1000, 1051)})
# Rows of a member request kept in the request log (the first ones: enough for tests).
LOGGED_ROWS = 100


def _code(value: Any, allowed: frozenset[int]) -> bool:
    if value in ("", None):
        return True
    try:
        return int(value) in allowed and str(int(value)) == str(value).strip()
    except (TypeError, ValueError):
        return False


def ldu_problem(schema: list[str], data: list[Any]) -> str | None:
    """Why the upload's Limited Data Use columns are malformed, or ``None``."""
    present = [k for k in LDU_KEYS if k in schema]
    if not present:
        return None
    if "DATA_PROCESSING_OPTIONS" not in present:
        return "DATA_PROCESSING_OPTIONS_COUNTRY/STATE need DATA_PROCESSING_OPTIONS in the schema"
    where = {k: schema.index(k) for k in present}
    for n, row in enumerate(data):
        if not isinstance(row, list) or len(row) != len(schema):
            continue  # the row reader reports it
        options = row[where["DATA_PROCESSING_OPTIONS"]]
        if not isinstance(options, list) or any(o != "LDU" for o in options):
            return f'data[{n}]: data_processing_options must be [] or ["LDU"]'
        country = row[where["DATA_PROCESSING_OPTIONS_COUNTRY"]] if len(where) > 1 else None
        state = row[where["DATA_PROCESSING_OPTIONS_STATE"]] if len(where) > 2 else None
        if not _code(country, COUNTRIES):
            return f"data[{n}]: data_processing_options_country must be 1 (US) or 0"
        if not _code(state, STATES):
            return f"data[{n}]: data_processing_options_state must be a US state code or 0"
    return None


def request_detail(kind: str, schema: list[str], data: list[Any], invalid: int) -> dict[str, Any]:
    """What the request log keeps of a member upload: its schema, counts and first rows."""
    return {
        "kind": kind,
        "schema": schema,
        "record_count": len(data),
        "invalid": invalid,
        "rows": data[:LOGGED_ROWS],
    }

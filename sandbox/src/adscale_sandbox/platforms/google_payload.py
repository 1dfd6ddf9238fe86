"""The body of a Data Manager members call checked: its destinations, and its audience
members read into people (hashed identifiers decoded; each problem a field violation).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any

from adscale_sandbox import state
from adscale_sandbox.platforms.google_errors import violation

MAX_MEMBERS = 10_000
MAX_IDENTIFIERS = 10
MAX_DESTINATIONS = 10
HEX = re.compile(r"[0-9a-fA-F]{64}")
_SNAKE = {"emailAddress": "email_address", "phoneNumber": "phone_number"}


def _decode(value: Any, encoding: str) -> bytes | None:
    if not isinstance(value, str):
        return None
    if encoding == "HEX":
        return bytes.fromhex(value) if HEX.fullmatch(value) else None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None


def parse_destinations(
    body: dict[str, Any], violations: list[dict[str, str]]
) -> list[tuple[str, str, dict[str, Any]]]:
    destinations = body.get("destinations")
    if not isinstance(destinations, list) or not destinations:
        violations.append(
            violation("destinations", "REQUIRED_FIELD_MISSING", "Required field is missing.")
        )
        return []
    if len(destinations) > MAX_DESTINATIONS:
        violations.append(
            violation(
                "destinations",
                "TOO_MANY_DESTINATIONS",
                "Maximum number of destinations allowed per request is 10.",
            )
        )
        return []
    result = []
    for i, destination in enumerate(destinations):
        account = destination.get("operatingAccount") if isinstance(destination, dict) else None
        list_id = destination.get("productDestinationId") if isinstance(destination, dict) else None
        if not isinstance(account, dict) or not account.get("accountId") or not list_id:
            violations.append(
                violation(
                    f"destinations[{i}]",
                    "INVALID_DESTINATION",
                    "This Destination is not valid.",
                )
            )
            continue
        account_type = str(account.get("accountType") or account.get("product") or "")
        if account_type not in ("GOOGLE_ADS", "GOOGLE_ADS_ACCOUNT"):
            violations.append(
                violation(
                    f"destinations[{i}].operating_account.account_type",
                    "INVALID_ENUM_VALUE",
                    "The sandbox only serves GOOGLE_ADS destinations.",
                )
            )
            continue
        result.append((str(account["accountId"]).replace("-", ""), str(list_id), destination))
    return result


def parse_member_keys(
    body: dict[str, Any], violations: list[dict[str, str]]
) -> tuple[list[state.Person], int]:
    members = body.get("audienceMembers")
    if not isinstance(members, list) or not members:
        violations.append(
            violation("audience_members", "REQUIRED_FIELD_MISSING", "Required field is missing.")
        )
        return [], 0
    if len(members) > MAX_MEMBERS:
        violations.append(
            violation(
                "audience_members",
                "TOO_MANY_AUDIENCE_MEMBERS",
                "Maximum number of audience members allowed per request is 10,000.",
            )
        )
        return [], 0
    encoding = str(body.get("encoding", ""))
    if encoding not in ("HEX", "BASE64"):
        violations.append(
            violation(
                "encoding",
                "INVALID_ENUM_VALUE" if encoding else "REQUIRED_FIELD_MISSING",
                "encoding must be HEX or BASE64 for hashed user data.",
            )
        )
        return [], 0
    keys: list[state.Person] = []
    bad_format = "INVALID_HEX_ENCODING" if encoding == "HEX" else "INVALID_BASE64_ENCODING"
    for i, member in enumerate(members):
        identity: list[bytes] = []  # this member's email/phone keys
        evidence: list[bytes] = []  # its address: a key that only helps matching
        identifiers = (
            member.get("userData", {}).get("userIdentifiers")
            if isinstance(member, dict) and isinstance(member.get("userData"), dict)
            else None
        )
        prefix = f"audience_members[{i}].user_data.user_identifiers"
        if not isinstance(identifiers, list) or not identifiers:
            violations.append(
                violation(prefix, "INVALID_AUDIENCE_MEMBER", "This audience member is not valid.")
            )
            continue
        if len(identifiers) > MAX_IDENTIFIERS:
            violations.append(
                violation(
                    prefix,
                    "TOO_MANY_USER_IDENTIFIERS",
                    "Maximum number of user identifiers allowed per audience member is 10.",
                )
            )
            continue
        for j, identifier in enumerate(identifiers):
            field = f"{prefix}[{j}]"
            if not isinstance(identifier, dict):
                violations.append(violation(field, "INVALID_FORMAT", "Format is invalid."))
                continue
            if "emailAddress" in identifier or "phoneNumber" in identifier:
                name = "emailAddress" if "emailAddress" in identifier else "phoneNumber"
                decoded = _decode(identifier[name], encoding)
                if decoded is None:
                    violations.append(
                        violation(
                            f"{field}.{_SNAKE[name]}",
                            bad_format
                            if _malformed(identifier[name], encoding)
                            else "INVALID_SHA256_FORMAT",
                            "The SHA256 encoded value is malformed.",
                        )
                    )
                    continue
                identity.append(decoded)
                continue
            address = identifier.get("address") or identifier.get("addressInfo")
            if isinstance(address, dict):
                given = _decode(address.get("givenName"), encoding)
                family = _decode(address.get("familyName"), encoding)
                region = str(address.get("regionCode", ""))
                postal = str(address.get("postalCode", ""))
                if given is None or family is None:
                    violations.append(
                        violation(
                            f"{field}.address",
                            "INVALID_SHA256_FORMAT",
                            "The SHA256 encoded value is malformed.",
                        )
                    )
                    continue
                if not re.fullmatch(r"[A-Z]{2}", region) or not postal:
                    violations.append(
                        violation(
                            f"{field}.address",
                            "INVALID_POSTAL_CODE" if region else "INVALID_COUNTRY_CODE",
                            "regionCode (ISO alpha-2) and postalCode are required, unhashed.",
                        )
                    )
                    continue
                joined = given + family + region.encode() + postal.encode()
                evidence.append(hashlib.sha256(joined).digest())
                continue
            violations.append(
                violation(field, "INVALID_AUDIENCE_MEMBER", "This audience member is not valid.")
            )
        if identity:
            keys.append(state.Person(tuple(identity), tuple(evidence)))
        elif evidence:
            keys.append(state.Person(tuple(evidence)))
    return keys, len(members)


def _malformed(value: Any, encoding: str) -> bool:
    """True when the value is not even valid HEX/BASE64 (as opposed to a wrong length)."""
    if not isinstance(value, str):
        return True
    if encoding == "HEX":
        return re.fullmatch(r"[0-9a-fA-F]*", value) is None or len(value) % 2 == 1
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return True
    return False

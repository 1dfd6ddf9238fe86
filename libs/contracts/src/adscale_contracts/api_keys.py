"""The API key format, shared by identity (which issues keys) and the gateway.

``adscale_live_`` + 32 random base62 characters (~190 bits) + 6 base62
characters of checksum (CRC32 of the random part). A mistyped key fails the
checksum and is refused without any lookup, and secret scanners can recognise
the prefix.
"""

from __future__ import annotations

import secrets
import zlib

API_KEY_PREFIX = "adscale_live_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_RANDOM_LEN = 32
_CHECK_LEN = 6
API_KEY_LENGTH = len(API_KEY_PREFIX) + _RANDOM_LEN + _CHECK_LEN


def _base62(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        value, digit = divmod(value, 62)
        out.append(_ALPHABET[digit])
    return "".join(reversed(out))


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), _CHECK_LEN)


def generate_api_key() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LEN))
    return f"{API_KEY_PREFIX}{body}{_checksum(body)}"


def is_well_formed_api_key(raw: str) -> bool:
    """Prefix, length, alphabet and checksum: no database needed."""
    if len(raw) != API_KEY_LENGTH or not raw.startswith(API_KEY_PREFIX):
        return False
    rest = raw[len(API_KEY_PREFIX) :]
    if any(c not in _ALPHABET for c in rest):
        return False
    body, check = rest[:_RANDOM_LEN], rest[_RANDOM_LEN:]
    return secrets.compare_digest(_checksum(body), check)


def display_prefix(raw: str) -> str:
    """What lists show: the fixed prefix and the first 6 random characters."""
    return raw[: len(API_KEY_PREFIX) + 6]

"""Phone numbers as the platforms take them: E.164 (Google) or its digits (Meta, TikTok,
Snapchat), read with phonenumbers; see :mod:`adscale_platforms.identifiers` for the rules
of each platform and field."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import phonenumbers

_NON_DIGIT = re.compile(r"\D+")
# "+1" and a ten-digit NANP number (area code 2-9xx) with common separators: phonenumbers
# parses it to country code 1 and those ten digits, which are always a possible number, so
# its E.164 form is known without parsing (about 20x faster; equal to the parsed answer,
# see test_identifiers.py's property test over many numbers).
_NANP_PLUS = re.compile(r"\+1[ .()-]*([2-9]\d\d)[ .)-]*(\d{3})[ .-]*(\d{4})")
_E164 = phonenumbers.PhoneNumberFormat.E164


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _stable(number: phonenumbers.PhoneNumber) -> str | None:
    """The E.164 form of a number guessed from one written without ``+``, when it reads back
    as itself. phonenumbers keeps a national number as an integer, so some degenerate
    inputs (runs of zeros after a country code) format to a string that parses as another
    number: such a guess identifies no one. (A number written with ``+`` keeps exactly
    phonenumbers' answer.)"""
    e164 = phonenumbers.format_number(number, _E164)
    again = _parse(e164, None)
    if again is None or phonenumbers.format_number(again, _E164) != e164:
        return None
    return e164


def e164(value: str, region: str | None) -> str | None:
    """The number as E.164 (``+`` and digits), or ``None``; see the module docstring."""
    text = value.strip()
    nanp = _NANP_PLUS.fullmatch(text)
    if nanp is not None:
        return "+1" + "".join(nanp.groups())
    digits = _NON_DIGIT.sub("", text)
    if not 6 <= len(digits) <= 18:
        return None
    # Read as a country code and number, the digits are those after the leading zeros, and
    # they too must be a number's length (``043000`` or ``0043000`` is no +43 number).
    stripped = digits.lstrip("0")
    if len(stripped) < 6:
        return None
    international = text.startswith("+") or text.lstrip("( ").startswith("00")
    if international:
        if text.startswith("+"):
            number = _parse(text, None)
            if number is not None and phonenumbers.is_possible_number(number):
                return phonenumbers.format_number(number, _E164)
        number = _parse("+" + stripped, None)
        if number is not None and phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, _E164)
        return None
    national = _parse(text, region) if region else None
    if national is not None and phonenumbers.is_valid_number(national):
        return _stable(national)
    with_code = _parse("+" + stripped, None)
    if with_code is not None and phonenumbers.is_valid_number(with_code):
        return _stable(with_code)
    if national is not None and phonenumbers.is_possible_number(national):
        return _stable(national)
    if with_code is not None and phonenumbers.is_possible_number(with_code):
        return _stable(with_code)
    return None


def e164_many(
    values: Sequence[str], fallback: Callable[[str], str | None], *, plus: bool = True
) -> list[str | None]:
    """``[fallback(v) for v in values]`` where ``fallback`` is :func:`phone_plus` (``plus``)
    or :func:`phone_digits` with the caller's region, except that the ``+1`` NANP numbers
    written plainly are read all at once (one C-level pass of the pattern over the column).
    Values must be strings."""
    prefix = "+1" if plus else "1"
    matches = list(map(_NANP_PLUS.fullmatch, map(str.strip, values)))
    return [
        prefix + "".join(m.groups()) if m is not None else fallback(v)
        for m, v in zip(matches, values, strict=True)
    ]


def phone_digits(value: str, region: str | None) -> str | None:
    """Country code and number, digits only (Meta, TikTok, Snapchat)."""
    number = e164(value, region)
    return number[1:] if number is not None else None


def phone_plus(value: str, region: str | None) -> str | None:
    """E.164 with the leading ``+`` (Google)."""
    return e164(value, region)

"""Differential properties: ``adscale_platforms.identifiers`` against the platforms' own code.

Google: ``google-ads-datamanager-util``'s ``Formatter`` (email, phone, given/family name,
postal code, region code). Meta: the Business SDK's ``CustomAudience.format_params`` (the
normalization and hashing ``add_users`` applies: ``EMAIL_SHA256``, multi-key ``PHONE`` and
``FN``). Each property runs 1,000 generated inputs; on the inputs both sides are meant to
read the same way the answers must be equal, and every place they differ is pinned by a
property of its own. The deliberate differences, and where each comes from:

Google, ``Formatter`` vs AdScale
  1. Whitespace inside an email: the Formatter refuses it, AdScale removes it (the Data
     Manager "Format user data" guide: remove all whitespace).
  2. Phones written without ``+``: the Formatter only prefixes ``+`` to the digits, so a
     national number loses its country code (``415 555 0100`` -> ``+4155550100``) and a
     ``00`` international prefix stays (``+0044...``); AdScale writes E.164 as the guide
     requires (country code from ``PLATFORMS_DEFAULT_PHONE_REGION``; ``00`` read as ``+``).
     A national trunk prefix written as ``(0)`` is dropped by AdScale, kept by the Formatter.
  3. Names: AdScale removes prefixes and suffixes (``Mrs.``, ``Jr.``; the guide's "remove
     prefixes such as Mrs.") and collapses runs of inner whitespace; the Formatter only
     trims and lowercases.
  4. Region codes: the Formatter takes any two letters (``ZZ``); AdScale only ISO 3166
     alpha-2 codes. Postal codes: AdScale collapses inner whitespace and refuses characters
     other than letters, digits, spaces and hyphens.
  5. Emails whose domain has no dot, or starts or ends with one: the Formatter accepts
     them, AdScale refuses them (no hash for an address that cannot exist).
Meta, Business SDK vs AdScale
  6. Non-Latin names: the SDK keeps only ``[a-zA-Z]``; Meta's hashing guide keeps UTF-8
     letters (its examples hash ``정`` and ``valéry``), and so does AdScale.
  7. Phones: the SDK keeps every digit; Meta's guide asks for the country code without
     leading zeros, so AdScale drops a ``00`` prefix (and reads national numbers in the
     default region unless ``default_region=None``).
  8. The SDK hashes whatever it gets (``""``, ``not-an-email``) and strips ``.`` from both
     ends of an email; AdScale refuses values that are not identifiers (``None``).
Snapchat, ``snap-business-sdk`` (Conversions API normalization) vs AdScale
  9. Phones written ``+`` and the digits with no separator after the country code: the SDK
     takes the whole number for a national one and prefixes ``1``
     (``+447946095800`` -> ``1447946095800``); AdScale parses E.164.
 10. A ``0`` right after the country code: the SDK drops one even where it belongs to the
     number (Italy's ``+39 06 ...``); AdScale keeps what E.164 keeps. The SDK also keeps
     ``.`` inside numbers (``415.555.0100`` -> ``1415.555.0100``).
 11. Whitespace around a phone: the SDK does not trim it, so a leading space hides the
     country code and a line break cuts the number; AdScale trims.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable
from typing import Any

import phonenumbers
from facebook_business.adobjects.customaudience import CustomAudience
from google.ads.datamanager_util import Formatter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from snap_business_sdk.capi_utils import norm_and_hash_phone_number, norm_and_hash_string

from adscale_platforms.identifiers import hash_identifier, normalize

MANY = settings(max_examples=1_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMATTER = Formatter()
Schema = CustomAudience.Schema


def google_sdk(method: Callable[[str], str], value: str) -> str | None:
    """The Formatter's answer, ``None`` where it raises ``ValueError`` (its refusal)."""
    try:
        return method(value)
    except ValueError:
        return None


def meta_sdk_email(value: str) -> str:
    data: list[str] = CustomAudience.format_params(Schema.email_hash, [value])["payload"]["data"]
    return data[0]


def meta_sdk_multi_key(key: str, value: str) -> str:
    params: dict[str, Any] = CustomAudience.format_params([key], [[value]], is_raw=True)
    hashed: str = params["payload"]["data"][0][0]
    return hashed


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --------------------------------------------------------------------------- strategies

PAD = st.sampled_from(["", " ", "  ", "\t", "\n", " \r\n"])
LOCAL = st.text(string.ascii_letters + string.digits + "._+-", min_size=1, max_size=24)
DOMAINS = st.sampled_from(
    ["gmail.com", "GMail.com", "googlemail.com", "example.com", "Mail.Example.ORG", "b.co"]
)
EMAILS = st.builds(lambda a, local, d, b: f"{a}{local}@{d}{b}", PAD, LOCAL, DOMAINS, PAD)
# The SDK strips "." from both ends of an address (difference 8): kept out of the local part.
META_EMAILS = st.builds(
    lambda a, local, d, b: f"{a}{local}@{d}{b}",
    PAD,
    LOCAL.filter(lambda local: not local.startswith(".")),
    DOMAINS,
    PAD,
)

REGIONS = sorted(
    r
    for r in phonenumbers.SUPPORTED_REGIONS
    if phonenumbers.example_number_for_type(r, phonenumbers.PhoneNumberType.MOBILE)
)
SEPARATORS = st.sampled_from([" ", "-", ".", "", " - "])


@st.composite
def international_phones(draw: st.DrawFn) -> str:
    """A real number of a random region, its last digits varied, written with ``+``."""
    region = draw(st.sampled_from(REGIONS))
    kind = draw(
        st.sampled_from(
            [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
        )
    )
    example = phonenumbers.example_number_for_type(
        region, kind
    ) or phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    tail = draw(st.text(string.digits, min_size=2, max_size=2))
    number = phonenumbers.parse(f"+{example.country_code}{national[:-2]}{tail}", None)
    if example.italian_leading_zero:
        number.italian_leading_zero = True
        number.number_of_leading_zeros = example.number_of_leading_zeros
    text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    sep = draw(SEPARATORS)
    return draw(PAD) + text.replace(" ", sep) + draw(PAD)


US_NATIONAL = st.builds(
    lambda area, exchange, line, a, b: f"{a}({area}) {exchange}-{line:04d}{b}",
    st.integers(201, 989),
    st.integers(200, 999),
    st.integers(0, 9999),
    PAD,
    PAD,
).filter(lambda v: phonenumbers.is_valid_number(phonenumbers.parse(v, "US")))
TITLES = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "sir",
    "dame",
    "madam",
    "rev",
    "fr",
    "jr",
    "sr",
    "ii",
    "iii",
    "iv",
    "phd",
    "md",
    "dds",
    "dvm",
    "esq",
    "cpa",
    "mba",
}
NAME_LETTERS = string.ascii_letters + "éÉüÜñÑøØåÅçÇ'-"
WORDS = st.text(NAME_LETTERS, min_size=1, max_size=12).filter(
    lambda w: w.lower().strip(".,") not in TITLES
)
NAMES = st.builds(
    lambda words, a, b: a + " ".join(words) + b, st.lists(WORDS, min_size=1, max_size=3), PAD, PAD
)
POSTAL = st.builds(
    lambda parts, a, b: a + " ".join(parts) + b,
    st.lists(
        st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=5),
        min_size=1,
        max_size=2,
    ),
    PAD,
    PAD,
)
ISO_REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS - {"001"})


def mixed_case(draw: st.DrawFn, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.swapcase() if f else c for c, f in zip(text, flips, strict=True))


# --------------------------------------------------------------------------- Google


@MANY
@given(EMAILS)
def test_google_email_matches_the_formatter(value: str) -> None:
    assert normalize("google", "email", value) == google_sdk(FORMATTER.format_email_address, value)


@MANY
@given(st.text(max_size=40))
def test_google_email_on_any_text_differs_only_as_listed(value: str) -> None:
    ours = normalize("google", "email", value)
    theirs = google_sdk(FORMATTER.format_email_address, value)
    if theirs is not None:
        assert ours in (None, theirs)  # 5: AdScale also refuses dotless domains
        if ours is None:
            domain = theirs.rpartition("@")[2]
            assert "." not in domain[1:-1] or domain[0] == "." or domain[-1] == "."
    elif ours is not None:
        assert any(c.isspace() for c in value.strip())  # 1: inner whitespace removed


@MANY
@given(international_phones())
def test_google_phone_with_plus_matches_the_formatter(value: str) -> None:
    assert normalize("google", "phone", value) == google_sdk(FORMATTER.format_phone_number, value)


@MANY
@given(US_NATIONAL)
def test_google_national_and_00_phones_differ_as_listed(value: str) -> None:
    digits = "".join(c for c in value if c.isdigit())
    theirs = google_sdk(FORMATTER.format_phone_number, value)
    assert theirs == f"+{digits}"  # 2: no country code
    ours = normalize("google", "phone", value, default_region="US")
    assert ours == f"+1{digits}"
    assert normalize("google", "phone", "00" + ours[1:]) == ours
    assert google_sdk(FORMATTER.format_phone_number, "00" + ours[1:]) == "+00" + ours[1:]


@MANY
@given(NAMES)
def test_google_names_match_the_formatter(value: str) -> None:
    for field, method in (
        ("first_name", FORMATTER.format_given_name),
        ("last_name", FORMATTER.format_family_name),
    ):
        assert normalize("google", field, value) == google_sdk(method, value)


@MANY
@given(st.sampled_from(["Mrs.", "Mr", "Dr.", "Prof"]), NAMES, st.sampled_from(["Jr.", "III"]))
def test_google_name_titles_differ_as_listed(prefix: str, name: str, suffix: str) -> None:
    value = f"{prefix} {name.strip()} {suffix}"
    theirs = google_sdk(FORMATTER.format_given_name, value)
    assert theirs == value.lower()  # 3: the Formatter keeps titles
    assert normalize("google", "first_name", value) == name.strip().lower()


@MANY
@given(POSTAL)
def test_google_postal_code_matches_the_formatter(value: str) -> None:
    assert normalize("google", "zip", value) == google_sdk(FORMATTER.format_postal_code, value)


@MANY
@given(st.data())
def test_google_region_code_matches_the_formatter(data: st.DataObject) -> None:
    region = data.draw(st.sampled_from(ISO_REGIONS))
    value = data.draw(PAD) + mixed_case(data.draw, region) + data.draw(PAD)
    assert normalize("google", "country", value) == google_sdk(FORMATTER.format_region_code, value)
    unknown = data.draw(st.text(string.ascii_uppercase, min_size=2, max_size=2))
    ours = normalize("google", "country", unknown)
    assert ours in (None, google_sdk(FORMATTER.format_region_code, unknown))  # 4


# --------------------------------------------------------------------------- Meta


@MANY
@given(META_EMAILS)
def test_meta_email_matches_the_sdk(value: str) -> None:
    assert hash_identifier("meta", "email", value) == meta_sdk_email(value)


@MANY
@given(st.text(max_size=40))
def test_meta_email_on_any_text_differs_only_as_listed(value: str) -> None:
    ours = hash_identifier("meta", "email", value)
    if ours is not None:
        cleaned = value.strip().lower()
        sdk_cleaned = value.strip(" \t\r\n\0\x0b.").lower()
        # 8: equal unless the SDK strips characters AdScale does not (or the reverse)
        assert ours == meta_sdk_email(value) or cleaned != sdk_cleaned


@MANY
@given(international_phones())
def test_meta_phone_with_plus_matches_the_sdk(value: str) -> None:
    ours = hash_identifier("meta", "phone", value, default_region=None)
    assert ours == meta_sdk_multi_key(CustomAudience.Schema.MultiKeySchema.phone, value)


@MANY
@given(international_phones())
def test_meta_phone_00_prefix_differs_as_listed(value: str) -> None:
    written = value.strip().replace("+", "00", 1)
    digits = "".join(c for c in written if c.isdigit())
    sdk = meta_sdk_multi_key(CustomAudience.Schema.MultiKeySchema.phone, written)
    assert sdk == sha(digits)  # 7: the SDK keeps the 00
    assert hash_identifier("meta", "phone", written) == sha(digits[2:])


@MANY
@given(st.text(string.ascii_letters + " .'-", min_size=1, max_size=20))
def test_meta_latin_names_match_the_sdk(value: str) -> None:
    ours = hash_identifier("meta", "first_name", value)
    sdk = meta_sdk_multi_key(CustomAudience.Schema.MultiKeySchema.fn, value)
    assert ours == sdk or (ours is None and sdk == sha(""))  # 8: no hash of nothing


@MANY
@given(st.text(string.ascii_letters, max_size=6), st.sampled_from(["정", "é", "ø", "प्रि"]))
def test_meta_non_latin_names_differ_as_listed(latin: str, other: str) -> None:
    value = latin + other
    sdk = meta_sdk_multi_key(CustomAudience.Schema.MultiKeySchema.fn, value)
    assert sdk == sha(latin.lower())  # 6: the SDK drops what is not [a-zA-Z]
    assert hash_identifier("meta", "first_name", value) == sha((latin + other).lower())


def test_google_trunk_prefix_in_parentheses_differs_as_listed() -> None:
    value = "+49 (0) 30 123456"
    assert google_sdk(FORMATTER.format_phone_number, value) == "+49030123456"  # 2
    assert normalize("google", "phone", value) == "+4930123456"


# --------------------------------------------------------------------------- Snapchat

ZERO_FREE_REGIONS = [
    r
    for r in REGIONS
    if not str(
        phonenumbers.example_number_for_type(r, phonenumbers.PhoneNumberType.MOBILE).national_number
    ).startswith("0")
    and not phonenumbers.example_number_for_type(
        r, phonenumbers.PhoneNumberType.MOBILE
    ).italian_leading_zero
]


@st.composite
def spaced_international_phones(draw: st.DrawFn) -> str:
    """``+CC NUMBER`` as phonenumbers writes it internationally (a space after the code)."""
    region = draw(st.sampled_from(ZERO_FREE_REGIONS))
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    tail = draw(st.text(string.digits, min_size=2, max_size=2))
    number = phonenumbers.parse(f"+{example.country_code}{national[:-2]}{tail}", None)
    text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    # 11: no padding; 10: no dots (New Caledonia writes 75.12.34)
    return text.replace(" ", draw(st.sampled_from([" ", "-"]))).replace(".", "")


@MANY
@given(EMAILS)
def test_snapchat_email_matches_the_sdk(value: str) -> None:
    assert hash_identifier("snapchat", "email", value) == norm_and_hash_string(value)


@MANY
@given(NAMES)
def test_snapchat_names_match_the_sdk(value: str) -> None:
    assert hash_identifier("snapchat", "first_name", value) == norm_and_hash_string(value)


@MANY
@given(st.one_of(spaced_international_phones(), US_NATIONAL.map(str.strip)))
def test_snapchat_phone_matches_the_sdk(value: str) -> None:
    ours = hash_identifier("snapchat", "phone", value, default_region="US")
    assert ours == norm_and_hash_phone_number(value)


@MANY
@given(spaced_international_phones(), st.sampled_from([" ", "\t", "\n", " \r\n"]))
def test_snapchat_padded_phone_differs_as_listed(value: str, pad: str) -> None:
    ours = hash_identifier("snapchat", "phone", value)
    assert ours == hash_identifier("snapchat", "phone", pad + value + pad)
    assert norm_and_hash_phone_number(pad + value + pad) != ours  # 11: the SDK does not trim


@MANY
@given(spaced_international_phones())
def test_snapchat_compact_e164_differs_as_listed(value: str) -> None:
    compact = "+" + "".join(c for c in value if c.isdigit())
    assert norm_and_hash_phone_number(compact) == sha("1" + compact[1:])  # 9
    assert hash_identifier("snapchat", "phone", compact) == sha(compact[1:])


def test_snapchat_leading_zero_and_dots_differ_as_listed() -> None:
    rome = "+39 06 6982 1234"
    assert norm_and_hash_phone_number(rome) == sha("3966982 1234".replace(" ", ""))  # 10
    assert hash_identifier("snapchat", "phone", rome) == sha("390669821234")
    assert norm_and_hash_phone_number("415.555.0100") == sha("1415.555.0100")
    assert hash_identifier("snapchat", "phone", "415.555.0100", default_region="US") == sha(
        "14155550100"
    )

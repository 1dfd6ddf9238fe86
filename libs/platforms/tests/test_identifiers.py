"""Identifier normalization and hashing, per platform and field.

Worked examples come from the platforms' own documentation (cited per test); the
expected values are facts from those pages, the wording is ours.
"""

from __future__ import annotations

import hashlib
import re

import phonenumbers
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from adscale_platforms import identifiers
from adscale_platforms.identifiers import (
    FIELDS,
    PLATFORMS,
    hash_identifier,
    hash_many,
    is_hashed_field,
    normalize,
    normalize_many,
    supported_fields,
)
from adscale_platforms.settings import get_settings


def sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- matrix

# One representative raw value and its expected normalized form, per platform x field;
# ``None`` where the platform does not take the field.
MATRIX: dict[tuple[str, str], tuple[str, str | None]] = {
    ("meta", "email"): ("  Jane.Doe+News@Example.COM ", "jane.doe+news@example.com"),
    ("meta", "phone"): ("+1 (650) 555-1212", "16505551212"),
    ("meta", "first_name"): ("  Mary-Ann ", "maryann"),
    ("meta", "last_name"): ("O'Neil", "oneil"),
    ("meta", "city"): ("San Francisco", "sanfrancisco"),
    ("meta", "state"): (" CA ", "ca"),
    ("meta", "zip"): ("94107-1234", "94107"),
    ("meta", "country"): ("US", "us"),
    ("meta", "madid"): (
        "AECE52E7-03EE-455A-B3C4-E57283966239",
        "aece52e7-03ee-455a-b3c4-e57283966239",
    ),
    ("meta", "external_id"): ("  crm-000123 ", "crm-000123"),
    ("google", "email"): ("Jane.Doe+News@GMAIL.com ", "janedoe@gmail.com"),
    ("google", "phone"): ("(650) 555-1212", "+16505551212"),
    ("google", "first_name"): ("Mrs. Jane", "jane"),
    ("google", "last_name"): ("Doe Jr.", "doe"),
    ("google", "city"): ("San Francisco", None),
    ("google", "state"): ("CA", None),
    ("google", "zip"): (" 94043 ", "94043"),
    ("google", "country"): (" us", "US"),
    ("google", "madid"): ("aece52e7-03ee-455a-b3c4-e57283966239", None),
    ("google", "external_id"): ("crm-1", None),
    ("tiktok", "email"): ("First-Last+promo@Gmail.com", "first-last@gmail.com"),
    ("tiktok", "phone"): ("+44 7911 123456", "447911123456"),
    ("tiktok", "first_name"): ("Jane", None),
    ("tiktok", "last_name"): ("Doe", None),
    ("tiktok", "city"): ("Paris", None),
    ("tiktok", "state"): ("IDF", None),
    ("tiktok", "zip"): ("75001", None),
    ("tiktok", "country"): ("FR", None),
    ("tiktok", "madid"): (
        " 5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25",
        "5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25",
    ),
    ("tiktok", "external_id"): ("crm-1", None),
    ("snapchat", "email"): (" Sam@Snap.COM ", "sam@snap.com"),
    ("snapchat", "phone"): ("0044 20 7946 0958", "442079460958"),
    ("snapchat", "first_name"): ("  Sam ", "sam"),
    ("snapchat", "last_name"): ("  Van Dyke ", "van dyke"),
    ("snapchat", "city"): ("London", None),
    ("snapchat", "state"): ("LDN", None),
    ("snapchat", "zip"): ("SW1A 1AA", None),
    ("snapchat", "country"): ("GB", None),
    ("snapchat", "madid"): (
        "AECE52E7-03EE-455A-B3C4-E57283966239",
        "aece52e7-03ee-455a-b3c4-e57283966239",
    ),
    ("snapchat", "external_id"): ("crm-1", None),
}

UNHASHED = {
    ("meta", "madid"),
    ("meta", "external_id"),
    ("google", "zip"),
    ("google", "country"),
}


def test_matrix_covers_every_platform_and_field() -> None:
    assert set(MATRIX) == {(p, f) for p in PLATFORMS for f in FIELDS}


@pytest.mark.parametrize(("platform", "field"), sorted(MATRIX))
def test_normalize_every_platform_and_field(platform: str, field: str) -> None:
    raw, expected = MATRIX[(platform, field)]
    assert normalize(platform, field, raw) == expected


@pytest.mark.parametrize(("platform", "field"), sorted(MATRIX))
def test_hash_every_platform_and_field(platform: str, field: str) -> None:
    raw, expected = MATRIX[(platform, field)]
    result = hash_identifier(platform, field, raw)
    if expected is None:
        assert result is None
    elif (platform, field) in UNHASHED:
        assert result == expected
    else:
        assert result == sha(expected)
        assert result is not None and len(result) == 64 and result == result.lower()


def test_unhashed_fields_are_exactly_the_documented_ones() -> None:
    assert identifiers.UNHASHED_FIELDS == UNHASHED
    assert not is_hashed_field("meta", "madid")
    assert is_hashed_field("tiktok", "madid")
    assert not is_hashed_field("tiktok", "city")


def test_supported_fields() -> None:
    assert supported_fields("tiktok") == ("email", "phone", "madid")
    assert supported_fields("google") == (
        "email",
        "phone",
        "first_name",
        "last_name",
        "zip",
        "country",
    )


def test_unknown_platform_or_field_raises() -> None:
    with pytest.raises(ValueError, match="platform"):
        normalize("myspace", "email", "a@b.co")
    with pytest.raises(ValueError, match="field"):
        hash_identifier("meta", "shoe_size", "42")
    with pytest.raises(ValueError):
        hash_many("meta", "dob", ["x"])


# --------------------------------------------------------------------------- official examples


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Meta's example data for customer-list normalization (Marketing API, Customer File
        # Custom Audiences, "example_sha256" file): emails.
        ("NICK@EMAIL.com", "nick@email.com"),
        ("     John_Smith@gmail.com    ", "john_smith@gmail.com"),
        ("someone@domain.com", "someone@domain.com"),
        ("    SomeOne@domain.com  ", "someone@domain.com"),
    ],
)
def test_meta_documented_emails(raw: str, expected: str) -> None:
    assert normalize("meta", "email", raw) == expected
    assert hash_identifier("meta", "email", raw) == sha(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Meta's example data: phones keep digits and the country code, lose the "+" and the
        # leading zeros (so "+001 ..." and "01(...)..." match their plain forms).
        ("+1 (616) 954-78 88", "16169547888"),
        ("1(650)123-4567", "16501234567"),
        ("+001 (616) 954-78 88", "16169547888"),
        ("01(650)123-4567", "16501234567"),
        ("3227352263", "3227352263"),
    ],
)
def test_meta_documented_phones(raw: str, expected: str) -> None:
    assert normalize("meta", "phone", raw) == expected
    assert normalize("meta", "phone", raw, default_region=None) == expected


def test_meta_documented_phone_already_carrying_country_code() -> None:
    # Meta's example keeps 4792813113 as given: its rule is that the digits already carry
    # the country code (47). With no default region we follow that rule; with a default
    # region, a number valid in that region is read as national (documented choice).
    assert normalize("meta", "phone", "4792813113", default_region=None) == "4792813113"
    assert normalize("meta", "phone", "4792813113", default_region="US") == "14792813113"


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        # Meta's example data: names lose punctuation and spaces, keep non-Latin letters.
        ("first_name", "John", "john"),
        ("first_name", "    Na'than-Boile    ", "nathanboile"),
        ("first_name", "정", "정"),
        ("last_name", "Valéry", "valéry"),
        ("last_name", "    Doe-Doe    ", "doedoe"),
        # cities and states: lowercase letters only.
        ("city", "London", "london"),
        ("city", "Menlo Park", "menlopark"),
        ("city", "    Menlo-Park  ", "menlopark"),
        ("state", "    California.   ", "california"),
        ("state", "CA", "ca"),
        ("state", "  TE", "te"),
        ("state", "    C/a/lifo,rnia.  ", "california"),
        # zip: US ZIP+4 keeps the first 5 digits.
        ("zip", "37221", "37221"),
        ("zip", "37221-3312", "37221"),
        ("country", "       US       ", "us"),
    ],
)
def test_meta_documented_names_and_address(field: str, raw: str, expected: str) -> None:
    assert normalize("meta", field, raw) == expected
    assert hash_identifier("meta", field, raw) == sha(expected)


def test_meta_country_names_are_not_codes() -> None:
    # Meta asks for ISO 3166-1 alpha-2 codes; a country name cannot be normalized.
    assert normalize("meta", "country", "United States") is None
    assert normalize("meta", "country", "ZZ") is None


def test_meta_uk_postcode_is_area_district_sector() -> None:
    assert normalize("meta", "zip", "SW1A 1AA") == "sw1a1"
    assert normalize("meta", "zip", "m1 1ae") == "m11"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Google Data Manager API, "Format user data": gmail.com / googlemail.com lose dots
        # and the +tag; other domains keep both (only lowercased).
        ("cloudy.sanfrancisco+shopping@gmail.com", "cloudysanfrancisco@gmail.com"),
        ("user.name+NYC@Example.com", "user.name+nyc@example.com"),
        # googlemail.com is treated as gmail.com (its domain is kept as written).
        ("Cloudy.San.Francisco+x@GoogleMail.com", "cloudysanfrancisco@googlemail.com"),
        # All whitespace goes, including inside the address.
        (" jane doe@example.com ", "janedoe@example.com"),
    ],
)
def test_google_documented_emails(raw: str, expected: str) -> None:
    assert normalize("google", "email", raw) == expected
    assert hash_identifier("google", "email", raw) == sha(expected)


def test_google_documented_phone() -> None:
    # Data Manager API, "Format user data": (800)555-0100 -> +18005550100 (E.164 with +).
    assert normalize("google", "phone", "(800)555-0100") == "+18005550100"
    assert hash_identifier("google", "phone", "(800)555-0100") == sha("+18005550100")


def test_google_zip_and_country_are_not_hashed() -> None:
    # Data Manager API: "Don't hash region_code" / "Don't hash postal_code".
    assert hash_identifier("google", "zip", "94043-1351") == "94043-1351"
    assert hash_identifier("google", "country", "gb") == "GB"
    assert hash_identifier("google", "country", "Great Britain") is None


def test_google_names_keep_inner_punctuation_and_drop_titles() -> None:
    assert normalize("google", "last_name", "O'Brien-Smith, III") == "o'brien-smith"
    assert normalize("google", "first_name", "  Dr.  Anna  Maria ") == "anna maria"
    # A lone word that happens to be a title stays: it is the name.
    assert normalize("google", "first_name", "Miss") == "miss"


def test_tiktok_documented_examples() -> None:
    # TikTok Ads Manager help, "List of supported IDs and formats for a customer file":
    # (657)777-0000 -> 16577770000 and 374-93-828222 -> 37493828222 (no "+").
    assert normalize("tiktok", "phone", "(657)777-0000") == "16577770000"
    assert normalize("tiktok", "phone", "374-93-828222") == "37493828222"
    # The same page's hashed examples.
    assert (
        hash_identifier("tiktok", "phone", "374-93-828222")
        == "65b7e6dcf6f4310f8d7cbfbd78289a753062fb054d6664fb9aaac5df66a422d4"
    )
    assert (
        hash_identifier("tiktok", "email", "janedoe@gmail.com")
        == "d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69"
    )
    assert (
        hash_identifier("tiktok", "madid", "5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25")
        == "83dc3f5f32b9472613b0f038d36f22585a609d018af6f6067f50da318bf354bd"
    )


def test_tiktok_drops_plus_tag_but_keeps_dots() -> None:
    assert normalize("tiktok", "email", "Jane.Doe+ads@Yahoo.com") == "jane.doe@yahoo.com"
    assert normalize("tiktok", "email", "+only@example.com") is None


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        # Snapchat (Marketing API "normalize identifiers"): country code included, leading
        # "00" removed, the number's own leading 0 removed, no "+", no punctuation.
        ("+44 20 7946 0958", "US", "442079460958"),
        ("0044 20 7946 0958", "US", "442079460958"),
        ("020 7946 0958", "GB", "442079460958"),
        ("(415) 555-2671", "US", "14155552671"),
    ],
)
def test_snapchat_documented_phone_rules(raw: str, region: str, expected: str) -> None:
    assert normalize("snapchat", "phone", raw, default_region=region) == expected
    assert hash_identifier("snapchat", "phone", raw, default_region=region) == sha(expected)


def test_snapchat_madid_keeps_hyphens_and_is_hashed() -> None:
    madid = "AECE52E7-03EE-455A-B3C4-E57283966239"
    assert hash_identifier("snapchat", "madid", madid) == sha(madid.lower())


# --------------------------------------------------------------------------- behaviours


@pytest.mark.parametrize("platform", PLATFORMS)
def test_gmail_rules_only_for_google(platform: str) -> None:
    result = normalize(platform, "email", "J.Doe+tag@gmail.com")
    expected = {
        "google": "jdoe@gmail.com",
        "tiktok": "j.doe@gmail.com",
        "meta": "j.doe+tag@gmail.com",
        "snapchat": "j.doe+tag@gmail.com",
    }[platform]
    assert result == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+44 7911 123456", "US", "447911123456"),
        ("0044 7911 123456", "US", "447911123456"),
        ("00 44 7911 123456", None, "447911123456"),
        ("07911 123456", "GB", "447911123456"),
        ("+44 (0)7911 123456", "US", "447911123456"),
        ("06 12 34 56 78", "FR", "33612345678"),
        ("+33 6 12 34 56 78", "US", "33612345678"),
        ("650.555.1212", "US", "16505551212"),
        ("1-650-555-1212", "US", "16505551212"),
        ("011 44 7911 123456", "US", "447911123456"),
        ("447911123456", "US", "447911123456"),
    ],
)
def test_phone_prefixes(raw: str, region: str | None, expected: str) -> None:
    assert normalize("meta", "phone", raw, default_region=region) == expected
    assert normalize("google", "phone", raw, default_region=region) == "+" + expected


def test_default_region_comes_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    monkeypatch.setenv("PLATFORMS_DEFAULT_PHONE_REGION", "GB")
    try:
        assert normalize("meta", "phone", "07911 123456") == "447911123456"
        assert hash_many("meta", "phone", ["07911 123456"]) == [sha("447911123456")]
    finally:
        monkeypatch.delenv("PLATFORMS_DEFAULT_PHONE_REGION")
        get_settings.cache_clear()
    assert get_settings().default_phone_region == "US"
    assert normalize("meta", "phone", "(650) 555-1212") == "16505551212"
    assert normalize("meta", "phone", "07911 123456") is None


@pytest.mark.parametrize(
    ("platform", "field", "raw"),
    [
        ("meta", "email", "not-an-email"),
        ("meta", "email", "a@b"),
        ("meta", "email", "two@@example.com"),
        ("meta", "email", "in side@example.com"),
        ("google", "email", "   "),
        ("google", "email", "+tag@gmail.com"),
        ("snapchat", "email", "@example.com"),
        ("meta", "phone", "12345"),
        ("meta", "phone", "call me maybe"),
        ("google", "phone", "+0 000"),
        ("tiktok", "phone", "07911 123456"),  # no country code and US default region
        ("meta", "first_name", " - ' . "),
        ("meta", "madid", "not-a-uuid"),
        ("snapchat", "madid", "00000000-0000-0000-0000-000000000000"),
        ("meta", "zip", "   "),
        ("google", "zip", "%%%"),
        ("meta", "external_id", "   "),
        ("google", "country", "USA"),
    ],
)
def test_invalid_input_gives_none(platform: str, field: str, raw: str) -> None:
    assert normalize(platform, field, raw) is None
    assert hash_identifier(platform, field, raw) is None


def test_no_default_region_reads_digits_as_carrying_the_country_code() -> None:
    # Meta's rule without a region: strip symbols and leading zeros, keep the rest.
    assert normalize("meta", "phone", "020 7946 0958", default_region=None) == "2079460958"
    # Digits that cannot start with any country code are refused.
    assert normalize("meta", "phone", "0 123 4567", default_region=None) is None


def test_non_latin_names() -> None:
    assert normalize("meta", "first_name", "  Zoë ") == "zoë"
    assert normalize("meta", "last_name", "Müller-Lüdenscheidt") == "müllerlüdenscheidt"
    assert normalize("meta", "first_name", "Владимир") == "владимир"
    assert normalize("meta", "first_name", "山田 太郎") == "山田太郎"
    assert normalize("meta", "first_name", "प्रिया") == "प्रिया"  # combining marks kept
    assert normalize("snapchat", "first_name", "ÉLODIE") == "élodie"
    assert normalize("google", "last_name", "García Márquez") == "garcía márquez"
    # NFC: a decomposed "é" hashes like the composed one.
    assert hash_identifier("meta", "first_name", "Vale\u0301ry") == sha("valéry")


def test_non_string_values_are_invalid() -> None:
    assert normalize("meta", "email", None) is None  # type: ignore[arg-type]
    assert hash_many("meta", "email", [None, "a@b.co"]) == [None, sha("a@b.co")]  # type: ignore[list-item]


# --------------------------------------------------------------------------- vectorised


def test_many_variants_match_scalar_on_examples() -> None:
    for (platform, field), (raw, _) in MATRIX.items():
        values = [raw, raw.upper(), "", "   ", "x"]
        assert normalize_many(platform, field, values) == [
            normalize(platform, field, v) for v in values
        ]
        assert hash_many(platform, field, values) == [
            hash_identifier(platform, field, v) for v in values
        ]


_EMAILISH = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda a, b, c, tag: f"{a}{tag}@{b}.{c}",
        st.text(alphabet="aAbB.c-_9Éé ", min_size=0, max_size=12),
        st.sampled_from(["gmail", "googlemail", "Example", "x", "snap"]),
        st.sampled_from(["com", "co.uk", "COM", "io"]),
        st.sampled_from(["", "+tag", "+", "++x"]),
    ),
)
_PHONEISH = st.one_of(
    st.text(alphabet="0123456789+()- .", max_size=22),
    st.builds(
        lambda p, n: f"{p}{n}",
        st.sampled_from(["", "+", "00", "0", "+1 ", "+44 ", "(0)"]),
        st.text(alphabet="0123456789 -", min_size=6, max_size=14),
    ),
)
_ANY = st.one_of(st.text(max_size=30), _EMAILISH, _PHONEISH)


@settings(max_examples=300, deadline=None)
@given(
    platform=st.sampled_from(PLATFORMS),
    field=st.sampled_from(FIELDS),
    values=st.lists(_ANY, max_size=12),
)
def test_hash_many_equals_hash_identifier(platform: str, field: str, values: list[str]) -> None:
    assert hash_many(platform, field, values) == [
        hash_identifier(platform, field, v) for v in values
    ]
    assert normalize_many(platform, field, values) == [
        normalize(platform, field, v) for v in values
    ]


@settings(max_examples=200, deadline=None)
@given(platform=st.sampled_from(PLATFORMS), values=st.lists(_EMAILISH, max_size=20))
def test_hash_many_emails_equals_scalar(platform: str, values: list[str]) -> None:
    assert hash_many(platform, "email", values) == [
        hash_identifier(platform, "email", v) for v in values
    ]


@settings(max_examples=150, deadline=None)
@given(platform=st.sampled_from(PLATFORMS), values=st.lists(_PHONEISH, max_size=10))
def test_hash_many_phones_equals_scalar(platform: str, values: list[str]) -> None:
    assert hash_many(platform, "phone", values, default_region="GB") == [
        hash_identifier(platform, "phone", v, default_region="GB") for v in values
    ]


@settings(max_examples=200, deadline=None)
@given(platform=st.sampled_from(PLATFORMS), field=st.sampled_from(FIELDS), value=_ANY)
def test_normalization_is_idempotent(platform: str, field: str, value: str) -> None:
    once = normalize(platform, field, value, default_region="US")
    if once is not None and field != "phone":
        assert normalize(platform, field, once, default_region="US") == once
    if once is not None and field == "phone":
        # Normalized numbers carry their country code; re-reading them needs no region.
        # (Where phonenumbers' own E.164 of the number does not read back as itself, a
        # degenerate number, its answer is kept as it is: see test_any_plus_number_...)
        plus = "+" + once.lstrip("+")
        assume(_parsed_e164(plus) == _parsed_e164(_parsed_e164(plus) or ""))
        assert normalize(platform, field, plus, default_region=None) == once


def test_hash_many_is_fast_for_plain_emails() -> None:
    values = [f"User{i}@Example.com" for i in range(100_000)]
    import time

    started = time.perf_counter()
    hashed = hash_many("meta", "email", values)
    elapsed = time.perf_counter() - started
    assert hashed[7] == sha("user7@example.com")
    assert elapsed < 2.0, f"100k emails took {elapsed:.2f}s"


# --------------------------------------------------------------------------- phone fast path


def _parsed_e164(text: str) -> str | None:
    """What phonenumbers makes of a number written with ``+`` (the slow path, spelled out
    here independently of the module): parsed as written, else its digits after ``+``."""
    text = text.strip()
    digits = re.sub(r"\D+", "", text)
    if not 6 <= len(digits) <= 18 or len(digits.lstrip("0")) < 6:
        return None  # (leading zeros are no part of the number: "+082000" has five digits)
    for candidate in (text, "+" + digits.lstrip("0")):
        try:
            number = phonenumbers.parse(candidate, None)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _assert_same_as_phonenumbers(text: str, region: str | None) -> None:
    expected = _parsed_e164(text)
    assert normalize("google", "phone", text, default_region=region) == expected, text
    digits = expected[1:] if expected is not None else None
    for platform in ("meta", "tiktok", "snapchat"):
        assert normalize(platform, "phone", text, default_region=region) == digits, text


_SEPARATORS = st.sampled_from(["", " ", "-", ".", "(", ")", " (", ") ", "  ", "--", ". ", ")-"])
_REGIONS = st.sampled_from([None, "US", "CA", "GB", "DE", "FR"])


@settings(max_examples=4_000, deadline=None)
@given(
    area=st.integers(0, 999),
    exchange=st.integers(0, 999),
    line=st.integers(0, 9_999),
    seps=st.lists(_SEPARATORS, min_size=3, max_size=3),
    region=_REGIONS,
)
def test_nanp_fast_path_gives_phonenumbers_answers(
    area: int, exchange: int, line: int, seps: list[str], region: str | None
) -> None:
    """ "+1" numbers skip parsing; the answer is the one phonenumbers gives, for every
    area code (those the fast path takes, 2-9xx, and the others), separator and region."""
    text = f"+1{seps[0]}{area:03d}{seps[1]}{exchange:03d}{seps[2]}{line:04d}"
    _assert_same_as_phonenumbers(text, region)


@settings(max_examples=4_000, deadline=None)
@given(
    text=st.text(alphabet="+1234567890 ().-x", min_size=1, max_size=22).map(lambda t: "+" + t),
    region=_REGIONS,
)
def test_any_plus_number_matches_phonenumbers(text: str, region: str | None) -> None:
    """Around the fast path: anything written with ``+`` gets phonenumbers' answer."""
    _assert_same_as_phonenumbers(text, region)


# --------------------------------------------------------------------------- whole columns

_NANP = st.builds(
    lambda area, rest, seps: f"+1{seps[0]}{area}{seps[1]}{rest[:3]}{seps[2]}{rest[3:]}",
    st.integers(100, 999).map(str),
    st.integers(0, 9_999_999).map(lambda n: f"{n:07d}"),
    st.lists(st.sampled_from(["", " ", "-", ".", "(", ")", " (", ") "]), min_size=3, max_size=3),
)
_PLAIN_EMAIL = st.builds(
    lambda local, domain, pad: f"{pad}{local}@{domain}.Com{pad}",
    st.text(alphabet="aBc.9_+é", min_size=1, max_size=10),
    st.text(alphabet="xYz-", min_size=1, max_size=8),
    st.sampled_from(["", " ", "\t"]),
)
_NAME = st.one_of(st.text(alphabet="AbcZ -.'9", max_size=10), st.text(max_size=6))
_ZIP = st.one_of(
    st.integers(0, 99_999).map(lambda n: f"{n:05d}"),
    st.sampled_from(
        ["\uff11\uff12\uff13\uff14\uff15", "12³45", "94103-1234", " 94103", "SW1A 1AA", "ABCDE"]
    ),
)
_COLUMN_OF = {"email": _PLAIN_EMAIL, "phone": _NANP, "first_name": _NAME, "zip": _ZIP}


@settings(max_examples=400, deadline=None)
@given(
    platform=st.sampled_from(PLATFORMS),
    field_and_values=st.sampled_from(sorted(_COLUMN_OF)).flatmap(
        lambda field: st.tuples(
            st.just(field),
            st.lists(_COLUMN_OF[field] | (_ANY if field != "zip" else _ZIP), max_size=15)
            | st.lists(_COLUMN_OF[field], min_size=1, max_size=15),
        )
    ),
    region=st.sampled_from([None, "US", "GB"]),
    with_none=st.booleans(),
)
def test_whole_column_paths_give_the_scalar_answers(
    platform: str,
    field_and_values: tuple[str, list[str]],
    region: str | None,
    with_none: bool,
) -> None:
    """The column fast paths (plain emails, letters-only names, US ZIPs, "+1" numbers)
    answer exactly as the scalar normalizer, value by value, whether the column is all of
    the common shape, mixed with anything, or has gaps."""
    field, values = field_and_values
    column: list[str] = [*values, None] if with_none else values  # type: ignore[list-item]
    assert normalize_many(platform, field, column, default_region=region) == [
        normalize(platform, field, v, default_region=region) for v in column
    ]

"""fieldkit.normalise: cleaning text, emails, phone numbers, profile links, tags."""

import socket

import pytest

from fieldkit import normalise
from fieldkit.errors import ValidationError


def clean_text(value, *, limit=50, multiline=False):
    return normalise.text(value, "title", label="Title", limit=limit, multiline=multiline)


# --- text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ada", "Ada"),
        ("  Ada   Lovelace  ", "Ada Lovelace"),
        ("Ada\tLovelace", "Ada Lovelace"),
        ("Ada\u00a0Lovelace", "Ada Lovelace"),  # no-break space is still a space
        ("\u200bAda\u202e", "Ada"),  # zero-width space, right-to-left override
        ("\u2066Ada\u2069", "Ada"),  # bidi isolates
        ("\ufeffAda", "Ada"),  # byte-order mark from a pasted file
        ("Ada\x00\x07", "Ada"),  # NUL and bell
        ("Ada\nLovelace", "Ada Lovelace"),  # one line unless multiline
        ("Ada\r\nLovelace", "Ada Lovelace"),
        ("e\u0301", "\u00e9"),  # NFC: e + combining acute -> é
        ("Rene\u0301 Descartes", "Ren\u00e9 Descartes"),
    ],
)
def test_text_single_line_cleans(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Invisible format characters inside a word must vanish, not split it:
        # the user saw "Lovelace", so "Lo ve lace" is not what they typed.
        ("Lo\u200bve\u200dlace", "Lovelace"),
        ("Ma\u00adria", "Maria"),  # soft hyphen from a pasted web page
    ],
)
def test_text_invisible_characters_inside_a_word_are_removed(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("line one\nline two", "line one\nline two"),
        ("  line  one  \n\tline two\t", "line one\nline two"),
        ("a\r\nb", "a\nb"),
        ("a\n\n\n\nb", "a\n\nb"),  # at most one blank line
        ("\n\nhello\n\n", "hello"),
        ("a\u202e\nb\u200b", "a\nb"),
    ],
)
def test_text_multiline_keeps_newlines(raw, expected):
    assert clean_text(raw, multiline=True) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "\n\t ", "\u200b\u200d\u202e", "\x00"])
def test_text_empty_is_none(raw):
    assert clean_text(raw) is None
    assert clean_text(raw, multiline=True) is None


def test_text_at_the_limit_is_kept_whole():
    assert clean_text("  " + "x" * 50 + "  ", limit=50) == "x" * 50


@pytest.mark.parametrize("multiline", [False, True])
def test_text_over_the_limit_raises_instead_of_truncating(multiline):
    with pytest.raises(ValidationError, match=r"^Title is too long \(51 characters; at most 50\)") as err:
        clean_text("x" * 51, limit=50, multiline=multiline)
    assert err.value.field == "title"


def test_text_limit_counts_characters_after_nfc():
    # 50 decomposed "é" are 100 code points but 50 characters once composed.
    assert clean_text("e\u0301" * 50, limit=50) == "\u00e9" * 50


@pytest.mark.parametrize("raw", [5, 3.5, b"Ada", ["Ada"], {"name": "Ada"}, True])
def test_text_not_a_string_raises(raw):
    with pytest.raises(ValidationError, match=r"^Title: expected text\.$") as err:
        clean_text(raw)
    assert err.value.field == "title"


# --- email ------------------------------------------------------------------


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to reach the network (DNS included) fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("normalise tried to use the network")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "gethostbyname", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "sendto", refuse)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ada@example.com", "ada@example.com"),
        ("  Ada@Example.COM  ", "Ada@example.com"),  # local part kept, domain lower-cased
        ("ada@BÜCHER.de", "ada@bücher.de"),
        ("ada@xn--bcher-kva.de", "ada@bücher.de"),  # punycode shown as the IDN
        ("ada.lovelace+fieldkit@mail.example.org", "ada.lovelace+fieldkit@mail.example.org"),
        ("\u200bada@example.com\u202e", "ada@example.com"),
    ],
)
def test_email_valid_is_normalised(offline, raw, expected):
    assert normalise.email(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "\u200b"])
def test_email_empty_is_none(raw):
    assert normalise.email(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "a@b",
        "no-at",
        "a@@b.com",
        "a b@c.com",
        "Ada <a@b.com>",
        "<a@b.com>",
        "@example.com",
        "ada@",
        "ada@exa mple.com",
        "ada@localhost",
    ],
)
def test_email_invalid_raises(offline, raw):
    with pytest.raises(ValidationError, match=r"^Email: ") as err:
        normalise.email(raw)
    assert err.value.field == "email"


def test_email_unknown_domain_is_accepted_offline(offline):
    # Deliverability is never checked: a domain nobody registered is fine.
    assert normalise.email("x@fieldkit-no-such-domain.example") == "x@fieldkit-no-such-domain.example"


def test_email_over_320_characters_raises():
    with pytest.raises(ValidationError, match=r"^Email is too long") as err:
        normalise.email("a" * 320 + "@b.com")
    assert err.value.field == "email"


def _email_outcome(fn, raw):
    try:
        return fn(raw)
    except ValidationError as exc:
        return ("error", str(exc), exc.field)


def _email_by_validator_alone(raw):
    value = normalise.text(raw, "email", label="Email", limit=320)
    return normalise._validated_email(value)


_LONG_LABEL = "d" * 63


@pytest.mark.parametrize("raw", [
    "ada@example.com", "Ada.Lovelace@Example.COM", "ada+tag@mail.example.org",
    "a_b-c@ex-ample.co.uk", "Info@Example.com", "POSTMASTER@example.com", "Sales@x.io",
    "ada@xn--bcher-kva.de", "ada@BÜCHER.de", "ada@a--b.com",
    "ada@ab--cd.com", "ada@-x.com", "ada@x-.com", "ada@x.com.", "ada@.x.com", "ada@x..com",
    "ada@x.123", "ada@1.2.3.4", "ada@localhost", "ada@b.test", "ada@b.invalid", "ada@b.local",
    "ada@b.onion", "ada@b.arpa", "a..b@x.com", ".a@x.com", "a.@x.com", "a@@x.com", "@x.com",
    "ada@", "a" * 65 + "@x.com", f"a@{_LONG_LABEL}.com", f"a@{_LONG_LABEL}d.com",
    "a" * 58 + "@" + ".".join([_LONG_LABEL] * 3) + ".com",  # 254 characters
    "a" * 59 + "@" + ".".join([_LONG_LABEL] * 3) + ".com",  # 255
    "o'brien@example.com", '"ada"@example.com', "ada@[1.2.3.4]", "josé@example.com",
])
def test_email_fast_path_answers_as_email_validator(offline, raw):
    normalise._plain_domain.cache_clear()
    expected = _email_outcome(_email_by_validator_alone, raw)
    # Twice: the domain's first check, then its remembered answer.
    assert _email_outcome(normalise.email, raw) == expected
    assert _email_outcome(normalise.email, raw) == expected


def test_email_fast_path_remembers_a_bad_domain_without_hiding_its_message(offline):
    normalise._plain_domain.cache_clear()
    first = _email_outcome(normalise.email, "ada@-bad.com")
    second = _email_outcome(normalise.email, "bob@-bad.com")
    assert first[0] == second[0] == "error"
    assert second[1] == "Email: An email address cannot have a hyphen immediately after the @-sign."


# --- phone ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("030 1234567", "DE", "+49301234567"),
        ("030/123 45 67", "DE", "+49301234567"),
        ("030 1234567", "de", "+49301234567"),  # region case does not matter
        ("+49 30 1234567", "DE", "+49301234567"),
        ("0049 30 1234567", "DE", "+49301234567"),  # international prefix from Germany
        ("+1 415 555 0132", "DE", "+14155550132"),  # + wins over the region
        ("(415) 555-0132", "US", "+14155550132"),
        ("415.555.0132", "US", "+14155550132"),
        ("+44 20 7946 0958", "FR", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+49 30 1234567", None, "+49301234567"),
        ("+1 415 555 0132", None, "+14155550132"),
    ],
)
def test_phone_is_stored_as_e164(raw, region, expected):
    assert normalise.phone(raw, region) == expected


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_phone_empty_is_none(raw):
    assert normalise.phone(raw, "DE") is None


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("call me", "DE"),
        ("phone", "DE"),
        ("12", "DE"),  # too short
        ("030 1", "DE"),
        ("+49 30 1234567890123456", "DE"),  # too long
        ("0301234567890123456789", "DE"),
        ("030 1234567", None),  # no region: a national number cannot be read
        ("030 1234567", ""),
        ("+999 1234567", "DE"),  # no such country code
    ],
)
def test_phone_invalid_raises(raw, region):
    with pytest.raises(ValidationError, match=r"^Phone: .* is not a valid number") as err:
        normalise.phone(raw, region)
    assert err.value.field == "phone"


def test_phone_error_names_the_region_for_national_numbers():
    with pytest.raises(ValidationError, match=r"not a valid number for DE;"):
        normalise.phone("12", "DE")


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("+49301234567", "+49 30 1234567"),
        ("+14155550132", "+1 415-555-0132"),
        ("+442079460958", "+44 20 7946 0958"),
        (None, ""),
        ("", ""),
        ("not a number", "not a number"),  # shown as stored rather than failing
    ],
)
def test_phone_display_groups_a_stored_number(stored, expected):
    assert normalise.phone_display(stored) == expected


# --- linkedin ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("linkedin.com/in/jane-doe", "https://www.linkedin.com/in/jane-doe"),
        ("https://www.linkedin.com/in/Jane-Doe/?trk=abc", "https://www.linkedin.com/in/jane-doe"),
        ("http://de.linkedin.com/in/jane-doe", "https://www.linkedin.com/in/jane-doe"),
        ("in/jane-doe", "https://www.linkedin.com/in/jane-doe"),
        ("IN/Jane-Doe", "https://www.linkedin.com/in/jane-doe"),
        ("www.linkedin.com/in/jan%C3%A9", "https://www.linkedin.com/in/jan\u00e9"),
        ("HTTPS://WWW.LINKEDIN.COM/IN/JANE-DOE", "https://www.linkedin.com/in/jane-doe"),
        ("https://linkedin.com/in/jane-doe/details/experience/", "https://www.linkedin.com/in/jane-doe"),
        ("https://www.linkedin.com/in/jane-doe#about", "https://www.linkedin.com/in/jane-doe"),
        ("  linkedin.com/in/jane-doe  ", "https://www.linkedin.com/in/jane-doe"),
        ("linkedin.com/in/jane-doe-4b2a1c7", "https://www.linkedin.com/in/jane-doe-4b2a1c7"),
    ],
)
def test_linkedin_profile_forms_are_normalised(raw, expected):
    assert normalise.linkedin(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_linkedin_empty_is_none(raw):
    assert normalise.linkedin(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "evil.com/in/x",
        "https://evil.com/in/jane-doe",
        "linkedin.com.evil.com/in/x",
        "evillinkedin.com/in/jane-doe",
        "https://linkedin.com@evil.com/in/jane-doe",
        "https://evil.com#@linkedin.com/in/jane-doe",
        "javascript:alert(1)",
        "javascript://linkedin.com/in/jane-doe",
        "ftp://linkedin.com/in/jane-doe",
        "linkedin.com/company/x",
        "https://www.linkedin.com/school/x/",
        "linkedin.com/in/",
        "linkedin.com/in",
        "linkedin.com",
        "in/",
        "linkedin.com/in/x",  # one character is not a profile name
        "linkedin.com/in/jane%20doe",
        "linkedin.com/in/%3Cscript%3E",
    ],
)
def test_linkedin_rejects_what_is_not_a_profile(raw):
    with pytest.raises(ValidationError, match=r"^LinkedIn: ") as err:
        normalise.linkedin(raw)
    assert err.value.field == "linkedin_url"


def _linkedin_outcome(fn, raw):
    try:
        return fn(raw)
    except ValidationError as exc:
        return ("error", str(exc), exc.field)


@pytest.mark.parametrize("raw", [
    "https://www.linkedin.com/in/jane-doe", "https://www.linkedin.com/in/jane-doe/",
    "http://linkedin.com/in/Jane_Doe", "https://uk.linkedin.com/in/jane-doe-4b2a1c7",
    "www.linkedin.com/in/JANE", "linkedin.com/in/x", "linkedin.com/in/-jane",
    "linkedin.com/in/_jane", "linkedin.com/in/" + "j" * 100, "linkedin.com/in/" + "j" * 101,
    "https://www.linkedin.com/in/jane-doe//", "https://www.linkedin.com/in/jane.doe",
    "https://www.linkedin.com/in/jan%C3%A9", "https://xx.yy.linkedin.com/in/jane",
    "https://www.linkedin.com/in/jane?trk=x", "https://www.linkedin.com/IN/jane",
    "https://evil.com/in/jane", "https://www.linkedin.com.evil.com/in/jane",
])
def test_linkedin_plain_link_answers_as_parsing_it(raw):
    cleaned = normalise.text(raw, "linkedin_url", label="LinkedIn", limit=300)
    assert _linkedin_outcome(normalise.linkedin, raw) == _linkedin_outcome(
        normalise._linkedin_parsed, cleaned)


@pytest.mark.parametrize("raw", ["linkedin.com/in/..", "linkedin.com/in/..."])
def test_linkedin_rejects_dot_only_slug(raw):
    # https://www.linkedin.com/in/.. resolves to the LinkedIn home page: not a profile.
    with pytest.raises(ValidationError, match=r"^LinkedIn: ") as err:
        normalise.linkedin(raw)
    assert err.value.field == "linkedin_url"


# --- website ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("example.com", "https://example.com"),
        ("www.example.com/about", "https://www.example.com/about"),
        ("http://x.org/path", "http://x.org/path"),
        ("https://example.com", "https://example.com"),
        (" https://example.com/?q=1 ", "https://example.com/?q=1"),
    ],
)
def test_website_valid_gets_a_scheme(raw, expected):
    assert normalise.website(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_website_empty_is_none(raw):
    assert normalise.website(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "javascript://example.com/%0aalert(1)",
        "data:text/html,hi",
        "ftp://example.com",
        "localhost",
        "https://",
        "http://nodot",
    ],
)
def test_website_invalid_raises(raw):
    with pytest.raises(ValidationError, match=r"^Website: expected a web address") as err:
        normalise.website(raw)
    assert err.value.field == "website"


@pytest.mark.parametrize("raw", ["my site.com", "https://<script>.com"])
def test_website_rejects_characters_no_host_can_have(raw):
    with pytest.raises(ValidationError, match=r"^Website: ") as err:
        normalise.website(raw)
    assert err.value.field == "website"


# --- tags -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ai, #beta tester; Speaker", ["ai", "beta tester", "speaker"]),
        ("ai\nml\n\nops", ["ai", "ml", "ops"]),
        ("AI, ai, #ai, #AI", ["ai"]),
        ("zeta, alpha, zeta", ["zeta", "alpha"]),  # first-seen order, not sorted
        ("##ai, # , #, ;;,,", ["ai"]),
        ("  Big   Data  ", ["big data"]),
        (["B", "#b", " c "], ["b", "c"]),
        ("", []),
        (None, []),
        ([], []),
    ],
)
def test_tags_parsed_from_text(raw, expected):
    assert normalise.tags(raw) == expected


def test_tags_twenty_are_allowed():
    raw = ", ".join(f"t{i}" for i in range(20))
    assert normalise.tags(raw) == [f"t{i}" for i in range(20)]


def test_tags_duplicates_do_not_count_toward_twenty():
    raw = ", ".join(f"t{i}" for i in range(20)) + ", T0, #t1"
    assert normalise.tags(raw) == [f"t{i}" for i in range(20)]


def test_tags_more_than_twenty_raise():
    with pytest.raises(ValidationError, match=r"^Tags: at most 20 per person\.$") as err:
        normalise.tags(", ".join(f"t{i}" for i in range(21)))
    assert err.value.field == "tags"


def test_tags_one_too_long_raises():
    with pytest.raises(ValidationError, match=r"^Tag is too long \(41 characters") as err:
        normalise.tags("ok, " + "x" * 41)
    assert err.value.field == "tags"

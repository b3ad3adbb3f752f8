"""Cleaning what people type or scan: text, emails, phone numbers, profile URLs.

Each function returns the normalised value, None for an empty one, or raises
ValidationError naming the field. Email and phone rules come from
email-validator and phonenumbers rather than hand-written patterns.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import unquote, urlsplit

import email_validator
import phonenumbers
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

from fieldkit.errors import ValidationError

# Format characters (zero-width joiners, soft hyphens, bidi overrides) and
# unassigned or private code points are dropped; control characters become
# spaces, except newlines and tabs in free text.
_DROPPED = {"Cf", "Cs", "Co", "Cn"}


def text(value: object, field: str, *, label: str, limit: int, multiline: bool = False) -> str | None:
    """Trimmed text without control characters, or None when empty.

    Longer than ``limit`` characters raises ValidationError: nothing is cut
    silently.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{label}: expected text.", field=field)
    if not value.isascii():  # ASCII is in NFC already
        value = unicodedata.normalize("NFC", value)
    keep = "\n\t" if multiline else ""
    if value.isprintable():
        # No control, format, surrogate, private or unassigned character (nor
        # any separator but the space): nothing to drop or replace.
        cleaned = value
    else:
        cleaned = "".join(
            "" if unicodedata.category(ch) in _DROPPED
            else " " if unicodedata.category(ch) == "Cc" and ch not in keep
            else ch
            for ch in value
        )
    if multiline:
        cleaned = "\n".join(" ".join(line.split()) for line in cleaned.splitlines())
        if "\n\n\n" in cleaned:
            cleaned = _BLANK_LINES.sub("\n\n", cleaned)
        cleaned = cleaned.strip()
    else:
        cleaned = " ".join(cleaned.split())
    if not cleaned:
        return None
    if len(cleaned) > limit:
        raise ValidationError(
            f"{label} is too long ({len(cleaned):,} characters; at most {limit:,}).",
            field=field,
        )
    return cleaned


_BLANK_LINES = re.compile(r"\n{3,}")


def quoted(value: object, limit: int = 40) -> str:
    """A value the user gave, for an error message: one short line in quotes.

    Control and invisible characters are dropped and a long value is cut
    with an ellipsis, so a message never grows with its input or shows
    Python escapes.
    """
    value = value if isinstance(value, (str, int, float)) else ""
    shown = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp")
        else "" if unicodedata.category(ch) in _DROPPED else ch
        for ch in str(value)[:limit * 4])
    if len(shown) > limit:
        shown = shown[:limit - 1].rstrip() + "…"
    return f"“{shown}”"


FILENAME_LIMIT = 200


def filename(value: object) -> str | None:
    """An uploaded file's name as stored: one plain line of at most 200 characters.

    A browser sends whatever the name was; control and invisible characters
    go, and a long name keeps its end (the extension). None when empty.
    """
    if not isinstance(value, str):
        return None
    cleaned = text(value[-FILENAME_LIMIT * 4:], "filename", label="File name",
                   limit=FILENAME_LIMIT * 4)
    if cleaned and len(cleaned) > FILENAME_LIMIT:
        cleaned = "…" + cleaned[-(FILENAME_LIMIT - 1):]
    return cleaned


EMAIL_LIMIT = 320  # characters: RFC 3696's longest address
PHONE_LIMIT = 64  # characters as typed, with spaces and words ("ext. 12")


def email(value: str | None) -> str | None:
    """A normalised email address (domain lower-cased), or None when empty."""
    value = text(value, "email", label="Email", limit=EMAIL_LIMIT)
    if value is None:
        return None
    # Most addresses are plain ASCII at a domain seen before: for those,
    # email-validator's answer is the local part as given and the domain it
    # normalised once (checking a domain is most of its work).
    local, at, domain = value.partition("@")
    if (at and len(value) <= _EMAIL_MAX_LENGTH and _PLAIN_LOCAL.fullmatch(local)
            and local.lower() not in _CASE_INSENSITIVE_MAILBOXES):
        normal_domain = _plain_domain(domain)
        if normal_domain is not None:
            return f"{local}@{normal_domain}"
    return _validated_email(value)


def _validated_email(value: str) -> str:
    try:
        result = email_validator.validate_email(
            value, check_deliverability=False, allow_display_name=False
        )
    except email_validator.EmailNotValidError as exc:
        raise ValidationError(f"Email: {exc}", field="email") from None
    return result.normalized


# A local part email-validator returns as it is (a subset of RFC 5322's
# dot-atom), and an ASCII domain: the fast path of email() takes only these.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*")
_PLAIN_DOMAIN = re.compile(r"[A-Za-z0-9.\-]+")
_EMAIL_MAX_LENGTH = 254  # octets, RFC 5321; an ASCII address has one per character
# Mailbox names (RFC 2142) email-validator lower-cases: postmaster, info...
_CASE_INSENSITIVE_MAILBOXES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)


@functools.lru_cache(maxsize=4096)
def _plain_domain(domain: str) -> str | None:
    """An ASCII domain as email-validator normalises it, or None.

    None when the domain is not valid, not plain ASCII, or not left as
    ASCII (Punycode becomes Unicode): email() then asks email-validator
    about the whole address, for the same answer and the same message.
    """
    if not _PLAIN_DOMAIN.fullmatch(domain):
        return None
    try:
        normal = _validated_email("x@" + domain).partition("@")[2]
    except ValidationError:
        return None
    return normal if normal == domain.lower() else None


def valid_number(number: phonenumbers.PhoneNumber) -> bool:
    """phonenumbers.is_valid_number, asking the country's main region first.

    A +1 number is checked against the United States before the twenty-odd
    other regions sharing that code: twice as fast for most numbers.
    """
    main = phonenumbers.region_code_for_country_code(number.country_code)
    return (main != phonenumbers.UNKNOWN_REGION
            and phonenumbers.is_valid_number_for_region(number, main)) \
        or phonenumbers.is_valid_number(number)


def e164(number: phonenumbers.PhoneNumber) -> str:
    """A number as stored: E.164, and an extension the way a tel: URI writes it."""
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={number.extension}" if number.extension else e164


def phone(value: str | None, region: str | None) -> str | None:
    """A phone number in E.164 form (+4930123456), or None when empty.

    Numbers without a leading + are read as numbers of ``region`` (an ISO
    country code such as DE or US). An extension is kept as a tel: URI
    writes it: +16502530000;ext=42.
    """
    value = text(value, "phone", label="Phone", limit=PHONE_LIMIT)
    if value is None:
        return None
    region = region.upper() if isinstance(region, str) else None
    region = region if region in phonenumbers.SUPPORTED_REGIONS else None
    problem = (
        f"Phone: {quoted(value)} is not a valid number"
        + (f" for {region}" if region and not value.startswith("+") else "")
        + "; check the digits or start with + and the country code."
    )
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(problem, field="phone") from None
    if not valid_number(number):
        raise ValidationError(problem, field="phone")
    return e164(number)


def phone_display(e164: str | None) -> str:
    """A stored E.164 number grouped for reading: +49 30 123456."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_LINKEDIN_SLUG = re.compile(r"\w[\w\-%.]{1,99}", re.UNICODE)


def linkedin(value: str | None) -> str | None:
    """A LinkedIn profile URL as https://www.linkedin.com/in/<name>, or None.

    Accepts the forms people paste or scan: with or without scheme and www,
    country subdomains, trailing slashes, tracking parameters, or just
    ``in/name``.
    """
    value = text(value, "linkedin_url", label="LinkedIn", limit=300)
    if value is None:
        return None
    # The form LinkedIn itself exports: no need to take it apart.
    if plain := _PLAIN_LINKEDIN.fullmatch(value):
        return f"https://www.linkedin.com/in/{plain[1].lower()}"
    return _linkedin_parsed(value)


# A profile link as LinkedIn writes it, with a name _LINKEDIN_SLUG accepts
# and unquote() leaves alone: linkedin() gives what parsing it would give.
_PLAIN_LINKEDIN = re.compile(
    r"(?:https?://)?(?:www\.|[a-z]{2}\.)?linkedin\.com/in/([A-Za-z0-9_][A-Za-z0-9_\-]{1,99})/?")


def _linkedin_parsed(value: str) -> str:
    raw = value
    if raw.lower().startswith("in/"):
        raw = "linkedin.com/" + raw
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").lower()
    except ValueError:  # "[" starts an IPv6 host that never closes
        parts, host = None, ""
    segments = [s for s in parts.path.split("/") if s] if parts else []
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not (host == "linkedin.com" or host.endswith(".linkedin.com"))
        or len(segments) < 2
        or segments[0].lower() != "in"
    ):
        raise ValidationError(
            "LinkedIn: expected a profile link such as linkedin.com/in/jane-doe.",
            field="linkedin_url",
        )
    slug = unquote(segments[1])
    if not _LINKEDIN_SLUG.fullmatch(slug):
        raise ValidationError(
            f"LinkedIn: {quoted(slug)} is not a profile name.", field="linkedin_url"
        )
    return f"https://www.linkedin.com/in/{slug.lower()}"


def website(value: str | None) -> str | None:
    """An http(s) URL with a host, or None when empty."""
    value = text(value, "website", label="Website", limit=500)
    if value is None:
        return None
    raw = value if "://" in value else "https://" + value
    problem = ValidationError("Website: expected a web address such as example.com.",
                              field="website")
    if any(ch.isspace() or ch in '<>"\\^`{|}' for ch in raw):
        raise problem
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise problem from None
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(host):
        raise problem
    return raw


_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}",
                   re.IGNORECASE)


@functools.lru_cache(maxsize=16384)  # an import asks again for each name and company
def match_key(value: str | None) -> str | None:
    """A form of a name or company for spotting the same person typed twice.

    Case, accents and spacing are ignored: "José  GARCÍA" and "jose garcia"
    share a key.
    """
    if not value:
        return None
    if value.isascii():  # no accents to take off, no compatibility forms
        return " ".join(value.casefold().split()) or None
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)
                   and unicodedata.category(ch) not in _DROPPED)
    return " ".join(bare.casefold().split()) or None


def tags(value: str | list[str] | None) -> list[str]:
    """Tags from "ai, #beta tester; Speaker": lower-case, deduplicated, in order."""
    if value is None:
        return []
    parts = re.split(r"[,;\n]+", value) if isinstance(value, str) else list(value)
    seen: list[str] = []
    for part in parts:
        tag = text(part, "tags", label="Tag", limit=40)
        if tag is None:
            continue
        tag = tag.lstrip("#").strip().lower()
        if tag and tag not in seen:
            seen.append(tag)
    if len(seen) > 20:
        raise ValidationError("Tags: at most 20 per person.", field="tags")
    return seen

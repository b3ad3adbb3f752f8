"""Contact details found by their form: emails, web and LinkedIn links, phones, faxes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import phonenumbers

from fieldkit import normalise
from fieldkit.cardreader.words import _FAX_LABEL, _LABELS, _MOBILE_LABEL, _fold
from fieldkit.errors import ValidationError

_EMAIL = re.compile(r"[\w.%+'\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}", re.UNICODE)
_LINKEDIN = re.compile(r"(?i)(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/?in/[^\s,;|·•]+"
                       r"|(?<![\w/.])in/[\w\-%]{2,}")
_HOST = re.compile(r"(?i)(?<![\w@.\-/])(?:https?://)?(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+"
                   r"[a-z]{2,}(?:/[^\s,;|·•]*)?")
_COMMON_TLDS = {"com", "net", "org", "info", "biz", "io", "ai", "app", "dev", "tech", "online",
                "site", "store", "shop", "global", "group", "solutions", "agency", "digital",
                "cloud", "studio", "design", "consulting", "eu", "co", "me", "tv", "company",
                "energy", "law", "legal", "health", "media", "network", "systems", "ventures",
                "capital", "partners", "software", "berlin", "hamburg", "paris", "swiss"}
# Country codes that sell as brands (.io, .ai, .co, ...) and say nothing of a country.
_VANITY_TLDS = {"io", "ai", "co", "me", "tv", "ly", "fm", "gg", "sh", "ac", "cc", "ws", "to",
                "la", "am", "im", "is", "it", "so", "st", "vc", "nu", "eu", "af", "ag", "ad"}
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "gob", "gv"}


@dataclass
class _Found:
    """The contact details found in one line, and what of the line is left."""

    emails: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # LinkedIn profiles
    sites: list[str] = field(default_factory=list)
    # (e164, kind): "mobile" or "fax" as labelled, "mobile number" unlabelled, or ""
    phones: list[tuple[str, str]] = field(default_factory=list)
    rest: str = ""


def _email_text(text: str) -> str:
    # OCR puts spaces around the @ now and then, and drops the space (or the
    # dot between them) that parts an address from a link printed after it.
    if "@" in text:
        text = re.sub(r"\s*@\s*", "@", text)
    return re.sub(r"(?i)(?<=[a-z0-9])(?=www\.|https?://)", " ", text)


def _checked(rule, value):
    try:
        return rule(value)
    except ValidationError:
        return None


def _host(url: str) -> str:
    host = re.sub(r"(?i)^https?://", "", url).split("/", 1)[0].lower()
    return host


def _stem(host: str) -> str | None:
    """The name a host is registered under: shop.acme-robotics.co.uk -> acme-robotics."""
    labels = [p for p in host.lower().removeprefix("www.").split(".") if p]
    if len(labels) < 2:
        return None
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2]


def _site(candidate: str) -> str | None:
    host = _host(candidate)
    tld = host.rsplit(".", 1)[-1]
    plain = not re.match(r"(?i)https?://|www\.", candidate)
    if plain and not (len(tld) == 2 or tld in _COMMON_TLDS):
        return None
    if plain and len(host.split(".")[0]) < 2:
        return None
    return _checked(normalise.website, candidate.rstrip(".,;:"))


def _phones(text: str, regions: Sequence[str | None]) -> list[tuple[int, int, str, str]]:
    """(start, end, e164, label kind) of each phone number in ``text``, in order."""
    found: list[tuple[int, int, str, str]] = []
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region,
                                                     leniency=phonenumbers.Leniency.VALID):
            if any(match.start < end and start < match.end for start, end, _, _ in found):
                continue
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            e164 = _checked(lambda v: normalise.phone(v, None), e164)
            if e164 is None:
                continue
            before = text[:match.start]
            # The label is what stands between the previous number and this one.
            before = before[max((end for _, end, _, _ in found if end <= match.start),
                                default=0):]
            kind = "fax" if _FAX_LABEL.search(before) else \
                "mobile" if _MOBILE_LABEL.search(before) else ""
            if not kind and phonenumbers.number_type(match.number) == \
                    phonenumbers.PhoneNumberType.MOBILE:
                kind = "mobile number"  # not labelled, but a mobile network's number
            found.append((match.start, match.end, e164, kind))
    return sorted(found)


def _contacts(text: str, regions: Sequence[str | None]) -> _Found:
    found = _Found()
    text = _email_text(text)
    spans: list[tuple[int, int]] = []
    for match in _EMAIL.finditer(text):
        email = _checked(normalise.email, match.group().strip(".-'"))
        if email:
            found.emails.append(email)
            spans.append(match.span())
    for match in _LINKEDIN.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in spans):
            continue
        # OCR drops the slash of "linkedin.com/in" now and then.
        value = re.sub(r"(?i)linkedin\.comin/", "linkedin.com/in/", match.group())
        if value.lower().startswith("in/"):
            value = "linkedin.com/" + value
        profile = _checked(normalise.linkedin, value.rstrip(".,;:"))
        if profile:
            found.links.append(profile)
            spans.append(match.span())
    for match in _HOST.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in spans):
            continue
        site = _site(match.group())
        if site:
            found.sites.append(site)
            spans.append(match.span())
    blanked = "".join(" " if any(s <= i < e for s, e in spans) else ch
                      for i, ch in enumerate(text))
    for start, end, e164, kind in _phones(blanked, regions):
        found.phones.append((e164, kind))
        spans.append((start, end))
    if not spans:
        found.rest = " ".join(text.split())
        return found
    rest = "".join(" " if any(s <= i < e for s, e in spans) else ch
                   for i, ch in enumerate(text))
    # What is left beside the details: their labels and separators go.
    words = [w for w in rest.split()
             if _fold(w).strip(".-:|·•,;/") not in _LABELS and re.search(r"\w", w)]
    found.rest = " ".join(words).strip(" -–|·•,;:/")
    return found

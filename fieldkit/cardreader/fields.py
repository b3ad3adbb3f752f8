"""From lines to fields: a ReadCard from the lines of one card."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence

from fieldkit import normalise
from fieldkit.cardreader.contacts import _checked, _contacts, _host, _stem
from fieldkit.cardreader.layout import _below, _parts, _reading_order, _rows, _under
from fieldkit.cardreader.model import Line, ReadCard
from fieldkit.cardreader.names import (
    _Candidate,
    _candidates,
    _company_from_domain,
    _company_score,
    _mail_match,
    _name_score,
    _slogan,
    _unglued,
)
from fieldkit.cardreader.regions import card_regions
from fieldkit.cardreader.words import _DEPARTMENT_WORDS, _FREE_MAIL, _legal_misread, _squash, _words


def fields_from_lines(lines: Sequence[Line], *, region: str | None) -> ReadCard:
    """What a card's lines say: a pure function, the core of the card reader.

    ``region`` is the user's phone region, used for numbers without +country
    when the card itself does not say where it is from.
    """
    rows = _reading_order([part for row in _rows(lines) for part in _parts(row)])
    if not rows:
        return ReadCard()
    regions = card_regions([row.text for row in rows], region)
    found = [(row, _contacts(row.text, regions)) for row in rows]
    emails = list(dict.fromkeys(e for _, f in found for e in f.emails))
    links = list(dict.fromkeys(x for _, f in found for x in f.links))
    email_hosts = {e.rsplit("@", 1)[1].lower() for e in emails}
    sites = [s for s in dict.fromkeys(s for _, f in found for s in f.sites)]
    # A site that is only an email's domain printed again is still the website.
    phones: list[tuple[str, str]] = []
    for _, f in found:
        for e164, kind in f.phones:
            if e164 not in (p for p, _ in phones):
                phones.append((e164, kind))

    stems = [s for s in (_stem(h) for h in [*email_hosts, *(_host(s) for s in sites)])
             if s and s not in _FREE_MAIL]
    stems = list(dict.fromkeys(stems))
    locals_ = [e.rsplit("@", 1)[0] for e in emails]
    slugs = [x.rstrip("/").rsplit("/", 1)[-1] for x in links]
    text_rows = [(row, _unglued(_legal_misread(f.rest), [*locals_, *slugs]))
                 for row, f in found if f.rest]
    typical = statistics.median(row.height for row in rows)
    cands = _candidates(text_rows, typical, stems, locals_, slugs)
    for c in cands:
        c.scores = {"name": _name_score(c), "company": _company_score(c)}
    # A title right under a name makes it more of a name.
    by_line = {id(c.line): c for c in cands}
    for c in cands:
        if c.names:
            under = by_line.get(id(_under(c.line, (x.line for x in cands))))
            if under is not None and under.title >= 2:
                c.scores["name"] += 1.0

    name = max((c for c in cands if c.scores["name"] >= 1.0),
               key=lambda c: c.scores["name"], default=None)
    rest = [c for c in cands if c is not name]
    company = max((c for c in rest if c.scores["company"] >= 1.0),
                  key=lambda c: c.scores["company"], default=None)
    rest = [c for c in rest if c is not company]
    title = _title(name, rest, cands)
    title_text, used = _title_text(title, rest) if title else (None, [])
    rest = [c for c in rest if c not in used]
    guessed: list[str] = []
    if company is None and not stems:
        # No cue at all: a short line that is nothing else is the company.
        company = max((c for c in rest if c.scores["company"] >= -1.5 and not c.tagline
                       and c.address < 1.5 and c.title < 2 and len(c.text.split()) <= 6),
                      key=lambda c: c.scores["company"], default=None)
        rest = [c for c in rest if c is not company]
    company_text = company.text if company else None
    if company_text is None:
        own = {_squash(" ".join(name.names))} if name is not None and name.names else set()
        company_text = _company_from_domain([s for s in stems if s.replace("-", "") not in own])
        if company_text:
            guessed.append("company")
    address = [c for c in rest if c.address >= 1.5]
    # A city or country line right under an address line belongs to it, and
    # so does a street with its number right over one.
    for c in rest:
        if c in address or c.title >= 2 or len(c.text.split()) > 6:
            continue
        if any(_below(a.line, c.line) for a in address) and not c.names \
                or any(_below(c.line, a.line) for a in address) \
                and re.search(r"\d", c.text):
            address.append(c)
    address.sort(key=lambda c: (c.line.top, c.line.left))
    others = [c.text for c in rest if c not in address and name is not None
              and c.scores["name"] >= 1.0 and c.size >= 0.8 * name.size]
    ordered = [p for p, kind in phones if kind == "mobile"] + \
        [p for p, kind in phones if kind == "mobile number"] + \
        [p for p, kind in phones if kind == ""]
    return ReadCard(
        name=name.text if name else None,
        company=company_text,
        title=title_text,
        email=_pick_email(emails, name),
        phones=tuple(ordered),
        website=sites[0] if sites else None,
        linkedin_url=links[0] if links else None,
        address=", ".join(c.text for c in address) or None,
        faxes=tuple(p for p, kind in phones if kind == "fax"),
        others=tuple(others),
        guessed=tuple(guessed),
        lines=tuple(row.text for row in rows),
    )


def _title(name: _Candidate | None, cands: Sequence[_Candidate],
           every: Sequence[_Candidate]) -> _Candidate | None:
    """The title: a line of role words, the one right under the name first."""
    lines = [c.line for c in every]
    first = _under(name.line, lines) if name is not None else None
    second = _under(first, lines) if first is not None else None
    best, best_score = None, 0.0
    for c in cands:
        # Right under the name, department words alone make a title too.
        departments = c.line is first and _department_only(c.text)
        if c.title < 2 and not departments or c.address >= 1.5 or c.legal \
                or _slogan(c.text):
            continue
        score = max(c.title, 2.0)
        if c.line is first:
            score += 4.0
        elif c.line is second:
            score += 2.0
        elif name is not None and _under(c.line, lines) is name.line:
            score += 1.0
        if score > best_score:
            best, best_score = c, score
    return best


_GOES_ON = re.compile(r"(?:[,&/+\-–]|\b(?:and|und|et|y|e|of|for|de|für))$", re.IGNORECASE)


def _title_text(title: _Candidate, cands: Sequence[_Candidate]) -> tuple[str, list]:
    """A title's words, with the next line's when the title runs on to it ("..., EMEA")."""
    text, used = title.text, [title]
    if _GOES_ON.search(text):
        nxt = _under(title.line, [c.line for c in cands])
        follow = next((c for c in cands if c.line is nxt), None)
        if follow is not None and not follow.names and follow.address < 1.5 \
                and not follow.legal and abs(follow.line.height - title.line.height) \
                <= 0.2 * title.line.height:
            text, used = f"{text} {follow.text}", [title, follow]
    return text, used


def _department_only(text: str) -> bool:
    words = [w for w in _words(text) if w not in ("of", "and", "for", "de", "des", "du", "la",
                                                  "le", "et", "y", "e", "und", "fur")]
    return bool(words) and len(words) <= 5 and all(w in _DEPARTMENT_WORDS for w in words)


def _pick_email(emails: Sequence[str], name: _Candidate | None) -> str | None:
    """The person's email: the one that matches their name, else the first.

    OCR reads a small l as a capital I now and then (Icarvalho@ for
    lcarvalho@): where that makes the address match the name, it is put right.
    """
    if not emails:
        return None
    if name is None or not name.names:
        return emails[0]
    names = name.names

    def mended(email: str) -> str:
        local, _, domain = email.rpartition("@")
        if "I" not in local:
            return email
        other = _checked(normalise.email, local.replace("I", "l") + "@" + domain)
        return other if other and _mail_match(names, other.rpartition("@")[0]) \
            > _mail_match(names, local) else email

    return max((mended(e) for e in emails),
               key=lambda e: _mail_match(names, e.rpartition("@")[0]))

"""The person's and the company's name, from cues, type sizes and the email address."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from fieldkit.cardreader.model import Line
from fieldkit.cardreader.words import (
    _BUSINESS_WORDS,
    _HONORIFICS,
    _LEGAL,
    _PARTICLES,
    _ROLE_MAILBOXES,
    _fold,
    _spellings,
    _squash,
    _words,
    address_score,
    has_legal_form,
    title_score,
)


def _name_tokens(text: str) -> list[str] | None:
    """The words of ``text`` if it is shaped like a person's name, else None."""
    main = text.split(",")[0].strip()
    tokens = main.split()
    if not 2 <= len(tokens) <= 6 or any(ch.isdigit() for ch in main):
        return None
    names = []
    for token in tokens:
        bare = _fold(token).strip(".")
        if bare in _HONORIFICS or bare.replace("-", "").replace(".", "") in _HONORIFICS \
                or token.lower() in ("dipl.-ing.", "dr.-ing."):
            continue
        if bare in _PARTICLES and token[:1].islower():
            continue
        if not re.fullmatch(r"[^\W\d_]+(?:['’\-.][^\W\d_]+)*\.?", token):
            return None
        if not token[0].isupper():
            return None
        if len(token.rstrip(".")) == 1 and not token.endswith("."):
            return None  # a lone letter: a label or a stray mark
        names.append(token.rstrip("."))
    if len(names) < 2 and not (names and len(tokens) >= 2):
        return None
    return names


def _unglued(text: str, locals_: Sequence[str]) -> str:
    """A name OCR read without its space put right where the email parts it.

    "FRIEDERIKESCHÄFER" with friederike.schaefer@ gives "FRIEDERIKE SCHÄFER".
    """
    if " " in text.strip() or not text.isalpha() or len(text) < 6:
        return text
    for local in locals_:
        parts = [p for p in re.split(r"[._\-+]", local.lower()) if p.isalpha()]
        if len(parts) != 2:
            continue
        for cut in range(2, len(text) - 1):
            if parts[0] in _spellings(text[:cut]) and parts[1] in _spellings(text[cut:]):
                return f"{text[:cut]} {text[cut:]}"
    return text


def _mail_match(names: Sequence[str], local: str) -> float:
    """How well a mailbox matches a name: jane.doe, jdoe, j.doe, doe for Jane Doe."""
    local = local.lower()
    if not names or local in _ROLE_MAILBOXES:
        return 0.0
    parts = [p for p in re.split(r"[._\-+]", local) if p]
    squashed = "".join(parts)
    spelt = [_spellings(n) for n in names]
    first, last = spelt[0], spelt[-1]
    if any(f in parts for f in first) and any(s in parts for s in last):
        return 1.0
    if any(squashed in (f + s, s + f, f[:1] + s, s + f[:1]) for f in first for s in last):
        return 1.0
    if any(squashed == w for ws in spelt for w in ws):
        return 0.7
    if any(len(s) >= 3 and s in squashed for s in last):
        return 0.6
    if any(len(w) >= 3 and w in squashed for ws in spelt for w in ws):
        return 0.5
    return 0.0


def _domain_match(text: str, stems: Sequence[str]) -> float:
    """How well a line matches the company's web domain: 1 when it names it."""
    line = _squash(_LEGAL.sub(" ", text))
    words = [w for w in (_squash(w) for w in text.split()) if len(w) >= 3]
    best = 0.0
    for stem in stems:
        plain = stem.replace("-", "")
        variants = {plain} | {_squash(p) for p in _spellings(stem)}
        if not line:
            continue
        if any(v and (v in line or (len(line) >= 4 and line in v)) for v in variants):
            best = max(best, 1.0)
        elif words and words[0] in plain:
            best = max(best, 0.8)
        elif any(p in words for p in stem.split("-") if len(p) >= 3) \
                or any(w in plain for w in words if len(w) >= 4):
            best = max(best, 0.6)
        elif len(plain) >= 3 and "".join(w[0] for w in words) == plain:
            best = max(best, 0.8)
    return best


# Words a slogan speaks to the reader with: "Your partner in...", "Ihr Partner für...".
_SLOGAN_WORDS = {"your", "our", "we", "you", "ihr", "ihre", "ihren", "wir", "unser", "unsere",
                 "votre", "vos", "notre", "nos", "nous", "su", "sus", "nuestro", "nuestra",
                 "seu", "sua", "nosso", "nossa", "since", "seit", "depuis", "desde"}


def _slogan(text: str) -> bool:
    """Whether ``text`` speaks to the reader, as a slogan does (and a title never)."""
    return (text.rstrip().endswith(("!", "…")) or text.startswith(("“", '"', "«", "„"))
            or any(w in _SLOGAN_WORDS for w in _words(text)))


def _tagline(text: str) -> bool:
    """Whether ``text`` reads like a slogan rather than a name or a company."""
    words = text.split()
    small = sum(1 for w in words if w[:1].islower())
    return (len(words) >= 5 or text.rstrip().endswith(".") and len(words) >= 3
            or len(words) >= 3 and small >= 2 or _slogan(text))


@dataclass
class _Candidate:
    line: Line
    text: str
    size: float  # the line's height against the card's typical line
    names: list[str] | None
    title: float
    legal: bool
    business: bool
    address: float
    tagline: bool
    domain: float = 0.0
    mail: float = 0.0
    personal: bool = False  # the web domain is the person's name
    scores: dict[str, float] = field(default_factory=dict)


def _candidates(rows: Sequence[tuple[Line, str]], typical: float, stems: Sequence[str],
                locals_: Sequence[str], slugs: Sequence[str]) -> list[_Candidate]:
    out = []
    for line, text in rows:
        if sum(ch.isalpha() for ch in text) < 2:
            continue
        words = _words(text)
        names = _name_tokens(text)
        if names is None and text.islower():
            # "jane doe", as some designers print it: a name if the address says so.
            names = _name_tokens(text.title())
            if names and not any(_mail_match(names, local) >= 0.6 for local in locals_) \
                    and _squash(text) not in stems:
                names = None
        cand = _Candidate(
            line=line, text=text, size=line.height / typical, names=names,
            title=title_score(text), legal=has_legal_form(text),
            business=any(w in _BUSINESS_WORDS for w in words), address=address_score(text),
            tagline=_tagline(text), domain=_domain_match(text, stems))
        if names:
            cand.mail = max([_mail_match(names, local) for local in locals_]
                            + [0.9 * _mail_match(names, slug) for slug in slugs], default=0.0)
            # janedoe.design: a person's own domain names them, not a company.
            cand.personal = any(_squash(" ".join(names)) == s.replace("-", "") for s in stems)
        out.append(cand)
    return out


def _size_bonus(size: float, weight: float) -> float:
    return max(-2.0, min(2.5, (size - 1.0) * weight))


def _name_score(c: _Candidate) -> float:
    if not c.names:
        return -99.0
    score = 1.0 + 4.0 * c.mail + _size_bonus(c.size, 3.0)
    if c.business:
        score -= 3.0
    if c.legal:
        score -= 5.0
    if c.title >= 2:
        score -= 4.0
    if c.address >= 1.5:
        score -= 4.0
    if c.domain and c.mail < 0.6 and not c.personal:
        score -= 2.5 * c.domain
    if c.tagline:
        score -= 2.0
    if c.text.isupper() and len(c.names) < 2:
        score -= 1.0
    return score


def _company_score(c: _Candidate) -> float:
    score = 4.0 * c.legal + 3.0 * c.domain + 1.5 * c.business + _size_bonus(c.size, 1.5)
    if c.title >= 2:
        score -= 3.0
    if c.address >= 1.5:
        score -= 4.0
    if c.tagline:
        score -= 2.5
    if c.names and not c.business and not c.legal and c.domain < 0.8:
        score -= 1.0
    if c.mail >= 0.6:
        score -= 3.0
    return score


def _company_from_domain(stems: Sequence[str]) -> str | None:
    for stem in stems:
        words = [w for w in stem.split("-") if w]
        if words and len(stem) >= 3:
            return " ".join(w[:1].upper() + w[1:] for w in words)
    return None

"""Labelled values: every email, phone number, web address and postal address of a person.

Each comes with its label: as an address book wrote it (mobile, work, home,
fax, pager, assistant, a label of the user's own) or as the user typed it.

One of each kind is the primary, the one triage, calls, messages, the
calendar and a twin's first reason use. The primary email, phone and web
address live in the people columns ``email``, ``phone`` and ``website``,
their labels beside them (``email_label``, ``phone_label``,
``website_label``): every query that reads a person's email reads the
primary and nothing else. Every other value, and every postal address (the
first is the primary), is a row of ``labelled_values``, in the order given.
Nothing is kept twice.

A value that does not validate is kept as written, never dropped: an email
address email-validator refuses, a web address that is no http(s) link,
a phone number phonenumbers does not know (normalised to E.164 when it was
written with + and its country code and has the length of a number). Whether
a value is checked is not stored: it is a property of the value
(``Labelled.checked``), the same wherever it is asked.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import phonenumbers
from sqlite_utils import Database

from fieldkit import normalise
from fieldkit.errors import ValidationError

KINDS = ("email", "phone", "url", "address")
# The people column holding each kind's primary value; its label is in <column>_label.
PRIMARY_COLUMNS: dict[str, str] = {"email": "email", "phone": "phone", "url": "website"}
LABEL_COLUMNS: dict[str, str] = {kind: f"{column}_label"
                                 for kind, column in PRIMARY_COLUMNS.items()}
# What the user reads: one, many.
NOUNS: dict[str, tuple[str, str]] = {
    "email": ("email", "emails"), "phone": ("phone", "phones"),
    "url": ("web address", "web addresses"), "address": ("postal address", "postal addresses")}
MAX_PER_KIND = 50  # an address book card holds a handful; more is someone's junk
LABEL_LIMIT = 60
_LIMITS = {"email": 320, "phone": 64, "url": 500}
ADDRESS_PART_LIMIT = 500

# A postal address's parts, in the order of vCard's ADR property.
ADDRESS_PARTS: tuple[str, ...] = ("po_box", "extended", "street", "locality", "region",
                                  "postal_code", "country")
ADDRESS_PART_LABELS: dict[str, str] = {
    "po_box": "PO box", "extended": "Extended address", "street": "Street",
    "locality": "City", "region": "Region", "postal_code": "Postal code",
    "country": "Country"}

# Label words address books share, in the order a label puts them ("work
# fax"): a label made only of these is kept in lower case and in this order,
# as a vCard TYPE reads back ("FAX WORK", "Work Fax" -> "work fax"); any
# other label is the user's own and kept as written.
LABEL_WORDS: tuple[str, ...] = (
    "home", "work", "school", "other", "company", "main", "mobile", "iphone", "fax",
    "pager", "assistant", "car", "video", "text", "textphone", "isdn", "modem", "bbs",
    "pcs", "messages", "callback", "radio", "telex", "homepage", "blog", "profile",
    "linkedin", "x400", "postal", "parcel", "domestic", "international")
_WORD_ORDER = {word: n for n, word in enumerate(LABEL_WORDS)}


@dataclass(frozen=True)
class Labelled:
    """One email, phone number, web address or postal address, with its label.

    ``value``: the address, the number (E.164 when it could be read) or the
    link; a postal address is JSON of its parts (``address_parts`` reads it).
    """

    kind: str
    value: str
    label: str | None = None

    @property
    def checked(self) -> bool:
        """Whether the value validated (and was normalised); else it is kept as written."""
        return checked(self.kind, self.value)

    @property
    def key(self) -> str:
        """The value as compared: the same key is the same email, number, link or address."""
        return key(self.kind, self.value)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "value": self.value,
                "checked": self.checked}


# ---------------------------------------------------------------- cleaning

@functools.lru_cache(maxsize=4096)  # a file holds a few labels, each many times
def _clean_label(raw: str) -> str | None:
    text = normalise.text(raw[:LABEL_LIMIT * 4], "label", label="Label",
                          limit=LABEL_LIMIT * 4)
    if text is None:
        return None
    text = text[:LABEL_LIMIT].rstrip()
    words = text.lower().split()
    if all(word in _WORD_ORDER for word in words):
        return " ".join(sorted(set(words), key=_WORD_ORDER.__getitem__))
    return text


def clean_label(raw: object) -> str | None:
    """A label as kept: one line of at most LABEL_LIMIT characters, or None.

    A label of shared words only (LABEL_WORDS) is lower-cased, each word
    once, in their order; the user's own keeps its case. A longer label is cut (it names the value; the value is what counts).
    """
    return _clean_label(raw) if isinstance(raw, str) else None


_PHONE_LETTERS = re.compile(r"[^\W\d_]")  # any letter
_EXTENSION = re.compile(r"(?:;ext=|\s*(?:ext\.?|x|#)\s*)\d+\s*$", re.IGNORECASE)


def phone_value(text: str, region: str | None) -> str:
    """A phone number as kept: E.164 when it validates, else as written.

    A number written with + and its country code that has the length of a
    number but does not validate (a new range, a made-up 555 number) is
    normalised to E.164 all the same; anything else (no country, letters,
    the wrong length) stays as written.
    """
    region = region.upper() if isinstance(region, str) else None
    region = region if region in phonenumbers.SUPPORTED_REGIONS else None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text
    if normalise.valid_number(number):
        return normalise.e164(number)
    plain = _EXTENSION.sub("", text)
    if (text.startswith("+") and not _PHONE_LETTERS.search(plain)
            and phonenumbers.is_possible_number_with_reason(number)
            == phonenumbers.ValidationResult.IS_POSSIBLE):
        return normalise.e164(number)
    return text


def phone_checked(value: str) -> bool:
    """Whether a stored number is a valid number in the form phone_value gives it."""
    if not value.startswith("+"):
        return False
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    return normalise.valid_number(number) and normalise.e164(number) == value


_DIALED = re.compile(r"[^0-9+]")


def dial(value: str | None) -> str | None:
    """What a tel: or sms: link dials for a stored number, or None when nothing can be.

    A valid number as stored (E.164, an extension too: +4930123456;ext=42);
    any other, its digits and a leading + ("06 98 76 54 32" -> 0698765432),
    so that a number kept as written stays a tap away.
    """
    if not value:
        return None
    if phone_checked(value.split(";")[0]):
        return value
    head = "+" if value.lstrip().startswith("+") else ""
    digits = _DIALED.sub("", _EXTENSION.sub("", value)).replace("+", "")
    return head + digits if len(digits) >= 3 else None


def _strictly(kind: str, text: str, region: str | None) -> str:
    if kind == "email":
        return normalise.email(text)
    if kind == "url":
        return normalise.website(text)
    return normalise.phone(text, region)


def clean(kind: str, raw: object, *, label: object = None, region: str | None = None,
          strict: bool = False) -> Labelled | None:
    """One value cleaned, or None when empty.

    An email, web address or number that does not validate is kept as
    written, unless ``strict``: then it raises ValidationError, as a typed
    card does. Too long a value always raises; ``field`` is the kind.
    """
    if kind == "address":
        value = address_value(raw if isinstance(raw, Mapping) else {"street": raw})
        return None if value is None else Labelled("address", value, clean_label(label))
    if kind not in _LIMITS:
        raise ValueError(f"unknown kind of value {kind!r}")
    noun = NOUNS[kind][0]
    text = normalise.text(raw, kind, label=noun[:1].upper() + noun[1:], limit=_LIMITS[kind])
    if text is None:
        return None
    if strict:
        try:
            value = _strictly(kind, text, region)
        except ValidationError as exc:
            raise ValidationError(str(exc), field=kind) from None
    elif kind == "phone":
        value = phone_value(text, region)
    else:
        try:
            value = _strictly(kind, text, region)
        except ValidationError:
            value = text
    return None if value is None else Labelled(kind, value, clean_label(label))


def checked(kind: str, value: str) -> bool:
    """Whether a stored value of ``kind`` validated; a postal address always counts as checked."""
    if kind == "phone":
        return phone_checked(value)
    if kind == "address":
        return True
    try:
        return _strictly(kind, value, None) == value
    except ValidationError:
        return False


# ---------------------------------------------------------------- postal addresses

def address_value(parts: Mapping) -> str | None:
    """A postal address as stored: JSON of its non-empty parts in ADR order, or None.

    Each part is free text of at most ADDRESS_PART_LIMIT characters; its
    line breaks are kept (a street may take two lines).
    """
    unknown = set(parts) - set(ADDRESS_PARTS)
    if unknown:
        raise ValueError(f"unknown address part {sorted(unknown)[0]!r}")
    kept = {}
    for name in ADDRESS_PARTS:
        value = normalise.text(parts.get(name), "address",
                               label=ADDRESS_PART_LABELS[name], limit=ADDRESS_PART_LIMIT,
                               multiline=True)
        if value:
            kept[name] = value
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":")) if kept else None


def address_parts(value: str) -> dict[str, str]:
    """The parts of a stored postal address: every name of ADDRESS_PARTS, empty when unset."""
    try:
        stored = json.loads(value)
    except ValueError:
        stored = None
    if not isinstance(stored, dict):
        stored = {"street": value}  # not JSON: a text someone stored by hand
    return {name: str(stored.get(name) or "") for name in ADDRESS_PARTS}


def address_lines(value: str) -> list[str]:
    """A postal address as it is written on an envelope, line by line."""
    parts = address_parts(value)
    place = " ".join(p for p in (parts["postal_code"], parts["locality"]) if p)
    if parts["region"]:
        place = f"{place}, {parts['region']}" if place else parts["region"]
    lines = [*parts["street"].splitlines(), *parts["extended"].splitlines()]
    if parts["po_box"]:
        lines.append(f"PO box {parts['po_box']}")
    return [line for line in (*lines, place, parts["country"]) if line]


# ---------------------------------------------------------------- comparing

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def key(kind: str, value: str) -> str:
    """A value as compared: emails by SQLite's NOCASE (ASCII letters only), addresses
    without case or spacing, phones and links as stored."""
    if kind == "email":
        return value.lower() if value.isascii() else value.translate(_ASCII_LOWER)
    if kind == "address":
        return " ".join(value.casefold().split())  # the parts as stored, in one order
    return value


def ordered(values: Iterable[Labelled]) -> tuple[Labelled, ...]:
    """The values by kind (KINDS order), each kind in the order given, each key once."""
    by_kind: dict[str, list[Labelled]] = {kind: [] for kind in KINDS}
    seen: set[tuple[str, str]] = set()
    for value in values:
        if (value.kind, value.key) not in seen:
            seen.add((value.kind, value.key))
            by_kind[value.kind].append(value)
    return tuple(value for kind in KINDS for value in by_kind[kind])


def of_kind(values: Iterable[Labelled], kind: str) -> list[Labelled]:
    return [value for value in values if value.kind == kind]


def split(values: Sequence[Labelled]) -> tuple[dict[str, str | None], tuple[Labelled, ...]]:
    """The people columns of the primaries, and the rest (every postal address among them).

    ``values`` are ordered (``ordered``): the first of each kind is its primary.
    """
    columns: dict[str, str | None] = {}
    for kind, column in PRIMARY_COLUMNS.items():
        columns[column] = columns[LABEL_COLUMNS[kind]] = None
    more = []
    for value in values:
        column = PRIMARY_COLUMNS.get(value.kind)
        if column and columns[column] is None:
            columns[column] = value.value
            columns[LABEL_COLUMNS[value.kind]] = value.label
        else:
            more.append(value)
    return columns, tuple(more)


def primaries(person: Mapping) -> list[Labelled]:
    """The primary email, phone and web address of a people row (or a card)."""
    found = []
    for kind, column in PRIMARY_COLUMNS.items():
        value = person.get(column)
        if value:
            found.append(Labelled(kind, value, person.get(LABEL_COLUMNS[kind])))
    return found


def every(person: Mapping, more: Iterable[Labelled]) -> tuple[Labelled, ...]:
    """Every value of a person or card, ordered: the primaries first of their kind."""
    return ordered([*primaries(person), *more])


def missing(offered: Iterable[Labelled], known: Iterable[Labelled]) -> list[Labelled]:
    """The values of ``offered`` whose key none of ``known`` has, in order, each once."""
    have = {(value.kind, value.key) for value in known}
    new = []
    for value in offered:
        if (value.kind, value.key) not in have:
            have.add((value.kind, value.key))
            new.append(value)
    return new


def counted(values: Iterable[Labelled]) -> str:
    """"2 phones, an email": how many of each kind, for a sentence."""
    counts = {kind: 0 for kind in KINDS}
    for value in values:
        counts[value.kind] += 1
    return ", ".join(
        (f"an {NOUNS[kind][0]}" if NOUNS[kind][0][0] in "aeiou" else f"a {NOUNS[kind][0]}")
        if n == 1 else f"{n} {NOUNS[kind][1]}" for kind, n in counts.items() if n)


# ---------------------------------------------------------------- storing

_KIND_ORDER = "CASE kind " + " ".join(
    f"WHEN '{kind}' THEN {n}" for n, kind in enumerate(KINDS)) + " END"


def of(db: Database, person_ids: Iterable[int]) -> dict[int, tuple[Labelled, ...]]:
    """The values of labelled_values (all but the primaries) of each person: by kind
    (KINDS order), each kind in the order added."""
    found: dict[int, list[Labelled]] = {}
    for person_id, kind, label, value in db.execute(
            "SELECT person_id, kind, label, value FROM labelled_values "
            "WHERE person_id IN (SELECT value FROM json_each(?)) "
            f"ORDER BY person_id, {_KIND_ORDER}, id",
            [json.dumps([int(i) for i in person_ids])]):
        found.setdefault(person_id, []).append(Labelled(kind, value, label))
    return {person_id: tuple(values) for person_id, values in found.items()}


def rows(person_id: int, values: Iterable[Labelled]) -> list[tuple]:
    """labelled_values rows for ``values`` (executemany with INSERT_SQL)."""
    return [(person_id, value.kind, value.label, value.value) for value in values]


INSERT_SQL = "INSERT INTO labelled_values (person_id, kind, label, value) VALUES (?, ?, ?, ?)"


def replace(db: Database, person_id: int, more: Iterable[Labelled]) -> None:
    """Store ``more`` as the person's values beyond the primaries, in place of what was."""
    db.execute("DELETE FROM labelled_values WHERE person_id = ?", [person_id])
    db.conn.executemany(INSERT_SQL, rows(person_id, more))


def additions(db: Database, person_id: int, person: Mapping,
              offered: Iterable[Labelled]) -> tuple[list[Labelled], dict, list[Labelled]]:
    """What ``offered`` adds to a stored person; nothing known changes.

    Returns (every value new to them; the people columns it fills, where
    they have no primary of that kind: the first new one becomes it, with
    its label; the rest, for labelled_values).
    """
    new = missing(offered, every(person, of(db, [person_id]).get(person_id, ())))
    columns: dict[str, str | None] = {}
    rest = []
    for value in new:
        column = PRIMARY_COLUMNS.get(value.kind)
        if column and not person.get(column) and column not in columns:
            columns[column] = value.value
            if value.label is not None:
                columns[LABEL_COLUMNS[value.kind]] = value.label
        else:
            rest.append(value)
    return new, columns, rest


def add(db: Database, person_id: int, person: Mapping, offered: Iterable[Labelled]) -> dict:
    """Add the values of ``offered`` a person lacks (``additions``).

    Returns what was added: ``columns`` (the people columns filled, with
    their values) and ``ids`` (new labelled_values rows).
    """
    _, columns, rest = additions(db, person_id, person, offered)
    if columns:
        sets = ", ".join(f"[{name}] = ?" for name in columns)
        db.execute(f"UPDATE people SET {sets} WHERE id = ?", [*columns.values(), person_id])
    ids = [db.execute(INSERT_SQL, row).lastrowid for row in rows(person_id, rest)]
    return {"columns": columns, "ids": ids}


# ---------------------------------------------------------------- typed on a form

def as_written(values: Iterable[Labelled]) -> set[tuple[str, str]]:
    """(kind, value) of each value kept as written, for cards.clean's ``as_stored``."""
    return {(value.kind, value.value) for value in values if not value.checked}


def parse_lines(kind: str, text: object) -> list[tuple[str, str | None, str]]:
    """What a form's lines of ``kind`` say, as (kind, label, value) for cards.clean.

    A line is a value, or "label: value" (a web address's own colon, as in
    https://, is never taken for one).
    """
    if not isinstance(text, str):
        return []
    found = []
    for line in text.splitlines():
        label, sep, value = line.partition(": ")
        if not sep or "://" in label or len(label.strip()) > LABEL_LIMIT:
            label, value = None, line
        if value.strip():
            found.append((kind, label, value))
    return found

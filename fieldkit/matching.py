"""Twins: whether a card, or a person, is someone already known.

One set of rules for every way in. A card and a person are twins when they
have the same email, phone or LinkedIn profile, or the same name at the same
company (or both without a company); two people are also twins when their
names are nearly the same at the same company. Each exact rule is declared
once, as a ``Probe`` on people columns, and every question is answered from
that one list:

- ``twins(db, card)``: capture asks about one card (a query per probe);
- ``Known``: an import asks about a whole file in memory, after one indexed
  query; an empty one, fed the file's rows, finds a person twice in a file;
- ``find_match``: the one person a card is, with why;
- ``pairs(db)``: merge asks which people are twins of each other.

The keys: a name and a company by ``normalise.match_key`` (case, accents and
spacing ignored); an email with its ASCII letters lowered and nothing else,
which is what SQLite's NOCASE does (the index ``people_email`` is NOCASE),
so memory and SQL agree; the phone and the LinkedIn profile in the form
``cards.clean`` stores. Two different LinkedIn profiles are two people,
whatever else they share. Merged people are never twins.
"""

from __future__ import annotations

import json
import string
from bisect import insort
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from operator import itemgetter
from typing import NamedTuple, Protocol

from sqlite_utils import Database

from fieldkit import normalise

TWINS_PER_PROBE = 5  # capture offers a few twins; more per reason would only cost time

# Names at least this similar (difflib ratio on the name key) at the same
# company count as the same person typed twice.
NEAR_NAME_RATIO = 0.85
WORD_RATIO = 0.75


class CardLike(Protocol):
    """What matching reads of a card: ``cards.Card`` is one.

    cards imports this module for the keys it stores, so this one cannot
    import cards.
    """

    name: str
    company: str | None
    email: str | None
    phone: str | None
    linkedin_url: str | None


# ---------------------------------------------------------------- keys

# SQLite's NOCASE folds the 26 ASCII letters and nothing else.
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def name_key(name: str | None) -> str | None:
    """A name as matched: "José  GARCÍA" and "jose garcia" share one."""
    return normalise.match_key(name)


def company_key(company: str | None) -> str | None:
    """A company as matched, like a name: "ACME  gmbh" and "Acme GmbH" share one."""
    return normalise.match_key(company)


def email_key(email: str | None) -> str | None:
    """An email address as matched: ASCII letters lowered, nothing else.

    The same as SQLite's COLLATE NOCASE, the collation of the stored index,
    so a query and memory never disagree: "ADA@x.example" is "ada@x.example",
    but "ÉMILE@x.example" and "émile@x.example" are two addresses.
    """
    if not email:
        return None
    # On ASCII text str.lower() folds exactly A-Z, and much faster.
    return email.lower() if email.isascii() else email.translate(_ASCII_LOWER)


def phone_key(phone: str | None) -> str | None:
    """A phone number as matched: the E.164 form cards.clean stores."""
    return phone or None


def linkedin_key(url: str | None) -> str | None:
    """A LinkedIn profile as matched: the one URL form cards.clean stores."""
    return url or None


class Keys(NamedTuple):
    """The match keys of a card or a person: made by ``card_keys`` or ``person_keys``.

    Each key is named for the people column holding it. ``looked_for`` is
    what each of PROBES looks for in them (None: nothing), worked out once:
    an import asks about every row several times.
    """

    email: str | None
    phone: str | None
    linkedin_url: str | None
    name_key: str | None
    company_key: str | None
    looked_for: tuple = ()


def _keys(email: str | None, phone: str | None, linkedin_url: str | None,
          name_k: str | None, company_k: str | None) -> Keys:
    columns = (email, phone, linkedin_url, name_k, company_k)
    return Keys._make((*columns, tuple([look(columns) for look in _LOOKS])))


def card_keys(card: CardLike) -> Keys:
    """The match keys of a card."""
    return _keys(email_key(card.email), phone_key(card.phone), linkedin_key(card.linkedin_url),
                 name_key(card.name), company_key(card.company))


def person_keys(person: Mapping) -> Keys:
    """The match keys of a stored person (people columns; name and company keys as stored)."""
    return _keys(email_key(person.get("email")), phone_key(person.get("phone")),
                 linkedin_key(person.get("linkedin_url")), person.get("name_key"),
                 person.get("company_key"))


def _equal(column: str, left: str, right: str) -> str:
    """SQL for two values of a key column being one key: emails as NOCASE, as email_key."""
    return f"{left} = {right} COLLATE NOCASE" if column == "email" else f"{left} = {right}"


# ---------------------------------------------------------------- reasons

@dataclass(frozen=True)
class Probe:
    """One reason a card and a person are twins, and its weight in ranking pairs.

    Both have every key of ``columns`` and the keys are equal; neither has
    the key ``without`` (the same name counts only between two people
    without a company).
    """

    why: str
    weight: int
    columns: tuple[str, ...]
    without: str | None = None

    def __post_init__(self) -> None:
        # An import asks every probe about every row several times: each
        # probe's question is put together once, as plain tuple lookups.
        get = itemgetter(*(Keys._fields.index(column) for column in self.columns))
        if self.without:
            without = Keys._fields.index(self.without)

            def key(keys: Keys) -> object:
                return None if keys[without] is not None else get(keys)
        elif len(self.columns) > 1:
            def key(keys: Keys) -> object:
                found = get(keys)
                return None if None in found else found
        else:
            key = get
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_several", len(self.columns) > 1)

    def key(self, keys: Keys) -> str | tuple[str, ...] | None:
        """What this probe looks for in ``keys``: one key, a tuple of several, or None."""
        return self._key(keys)

    def args(self, keys: Keys) -> list[str] | None:
        """The parameters of ``where()`` for these keys, or None."""
        key = self.key(keys)
        return None if key is None else list(key) if self._several else [key]

    def where(self) -> str:
        """SQL: people whose keys are the key given as parameters."""
        tests = [_equal(column, column, "?") for column in self.columns]
        return " AND ".join(tests + ([f"{self.without} IS NULL"] if self.without else []))

    def joined(self, value: str) -> str:
        """SQL: people ``c`` whose keys are ``value``, as JSON (an array for several)."""
        if self._several:
            tests = [_equal(column, f"c.{column}", f"json_extract({value}, '$[{i}]')")
                     for i, column in enumerate(self.columns)]
        else:
            tests = [_equal(self.columns[0], f"c.{self.columns[0]}", value)]
        return " AND ".join(tests + ([f"c.{self.without} IS NULL"] if self.without else []))

    def paired(self) -> tuple[str, str]:
        """SQL: (join condition, filter) pairing people ``a`` and ``b`` of the same key."""
        on = [_equal(column, f"b.{column}", f"a.{column}") for column in self.columns]
        where = [f"a.{column} IS NOT NULL" for column in self.columns]
        if self.without:
            on.append(f"b.{self.without} IS NULL")
            where.append(f"a.{self.without} IS NULL")
        return " AND ".join(on), " AND ".join(where)


_PROFILE = Probe("same LinkedIn profile", 3, ("linkedin_url",))

# The exact reasons, in the order a twin's reasons are told.
PROBES: tuple[Probe, ...] = (
    Probe("same email", 3, ("email",)),
    Probe("same phone", 3, ("phone",)),
    _PROFILE,
    Probe("same name and company", 2, ("name_key", "company_key")),
    Probe("same name", 1, ("name_key",), without="company_key"),
)
_PROFILE_AT = PROBES.index(_PROFILE)
_LOOKS = tuple(probe._key for probe in PROBES)
_WHYS = tuple(probe.why for probe in PROBES)
SIMILAR_NAME = "similar name, same company"  # found by near_pairs, between people only

# Why two people look alike, strongest first, with the weight that ranks pairs.
REASONS: dict[str, int] = {**{probe.why: probe.weight for probe in PROBES}, SIMILAR_NAME: 1}

_TWINS_SQL = {probe.why: (
    f"SELECT id, name, company, title, kind FROM people WHERE {probe.where()} "
    f"AND status != 'merged' AND id != ? ORDER BY id LIMIT {TWINS_PER_PROBE}")
    for probe in PROBES}


def _other_profiles(a: str | None, b: str | None) -> bool:
    """Whether two LinkedIn profiles make two people, whatever else they share."""
    return bool(a and b and a != b)


# ---------------------------------------------------------------- one card

def twins(db: Database, card: CardLike, *, exclude_id: int | None = None) -> list[dict]:
    """People already known who look like this card, with the reasons why.

    One dict per person (id, name, company, title, kind, why: a list of
    reasons in PROBES order), in the order the reasons found them. At most
    TWINS_PER_PROBE people per reason; merged people and ``exclude_id`` are
    left out.
    """
    keys = card_keys(card)
    found: dict[int, dict] = {}
    for probe in PROBES:
        args = probe.args(keys)
        if args is None:
            continue
        rows = db.execute(_TWINS_SQL[probe.why], [*args, exclude_id or 0]).fetchall()
        for person_id, name, company, title, kind in rows:
            twin = found.setdefault(person_id, {
                "id": person_id, "name": name, "company": company, "title": title,
                "kind": kind, "why": []})
            twin["why"].append(probe.why)
    return list(found.values())


def find_match(db: Database, card: CardLike) -> tuple[int, str] | None:
    """The person already known who is this card, with why; None when new.

    The LinkedIn profile is the strongest key; otherwise the first of the
    card's twins whose profile does not differ from the card's.
    """
    keys = card_keys(card)
    return Known.read(db, [keys]).find_match(keys)


# ---------------------------------------------------------------- many cards

def _candidates_sql() -> str:
    """Everyone not merged who shares a key with the cards given, or has one of the ids.

    One indexed lookup per distinct key instead of reading every person.
    """
    unions = "".join(
        f"\n    UNION SELECT c.id FROM json_each(:probe{i}) AS k JOIN people AS c"
        f" ON {probe.joined('k.value')}" for i, probe in enumerate(PROBES))
    return ("SELECT id, name, email, phone, linkedin_url, name_key, company_key FROM people\n"
            "WHERE status != 'merged' AND id IN (\n"
            f"    SELECT value FROM json_each(:ids){unions})\nORDER BY id")


_CANDIDATES_SQL = _candidates_sql()
_EVERYONE_SQL = ("SELECT id, name, email, phone, linkedin_url, name_key, company_key "
                 "FROM people WHERE status != 'merged' ORDER BY id")


class Known:
    """People indexed by their match keys: twins and a match from memory.

    Asked about a card's keys (``card_keys``), it answers as ``twins`` and
    ``find_match`` do on the database (the twins with id, name and why), for
    the cards it was read for. An import reads it once for the whole file
    (``read``) and keeps it true while it writes (``add``, ``filled``). An
    empty one, given each row of a file as it is read (``add``, under the
    row's number), finds the earlier row a row repeats.
    """

    def __init__(self) -> None:
        self.people: dict[int, tuple[str, Keys]] = {}  # id -> (name, match keys)
        # One index per probe: what it looks for -> ids, ascending.
        self._ids: list[dict] = [{} for _ in PROBES]

    @classmethod
    def read(cls, db: Database, keys: Iterable[Keys] | None = None,
             ids: Iterable[int] = ()) -> Known:
        """The people cards of these ``keys`` may match, from one query.

        Without ``keys``, everyone not merged; with them, only the people
        sharing a key with one of them or whose id is in ``ids``, which is
        all a match of those cards can find.
        """
        known = cls()
        if keys is None:
            cursor = db.execute(_EVERYONE_SQL)
        else:
            wanted: list[set] = [set() for _ in PROBES]
            for card in keys:
                for key, values in zip(card.looked_for, wanted):
                    if key is not None:
                        values.add(key)
            cursor = db.execute(_CANDIDATES_SQL, {
                "ids": json.dumps(list(set(ids))),
                **{f"probe{i}": json.dumps(list(values)) for i, values in enumerate(wanted)}})
        people, indexes = known.people, known._ids
        for person_id, name, email, phone, url, name_k, company_k in cursor:
            person = _keys(email_key(email), phone_key(phone), linkedin_key(url), name_k,
                           company_k)
            people[person_id] = (name, person)
            for key, index in zip(person.looked_for, indexes):
                if key is not None:
                    # Ids come ascending: every list stays sorted.
                    ids_of_key = index.get(key)
                    if ids_of_key is None:
                        index[key] = [person_id]
                    else:
                        ids_of_key.append(person_id)
        return known

    def add(self, person_id: int, name: str, keys: Keys) -> None:
        """A person just stored, or a row of a file under its number."""
        if person_id in self.people:
            for key, index in zip(self.people[person_id][1].looked_for, self._ids):
                if key is not None:
                    index[key].remove(person_id)
        self.people[person_id] = (name, keys)
        for key, index in zip(keys.looked_for, self._ids):
            if key is None:
                continue
            ids = index.get(key)
            if not ids:
                index[key] = [person_id]
            elif ids[-1] < person_id:
                ids.append(person_id)
            else:
                insort(ids, person_id)

    def filled(self, person_id: int, values: Mapping) -> None:
        """A known person's empty fields just filled with ``values`` (people columns)."""
        if person_id not in self.people:
            return
        name, keys = self.people[person_id]
        filled = person_keys(values)
        self.add(person_id, name, _keys(*(
            new if column in values else old
            for column, old, new in zip(Keys._fields[:-1], keys, filled))))

    def twins(self, keys: Keys) -> list[dict]:
        """As ``twins(db, card)``, from memory: who looks like the card, and why."""
        found: dict[int, dict] | None = None  # most rows of a file have no twin
        for key, index, why in zip(keys.looked_for, self._ids, _WHYS):
            if key is None or key not in index:
                continue
            if found is None:
                found = {}
            for person_id in index[key][:TWINS_PER_PROBE]:
                twin = found.get(person_id)
                if twin is None:
                    twin = found[person_id] = {
                        "id": person_id, "name": self.people[person_id][0], "why": []}
                twin["why"].append(why)
        return [] if found is None else list(found.values())

    def find_match(self, keys: Keys) -> tuple[int, str] | None:
        """As ``find_match(db, card)``, from memory."""
        profile = keys.linkedin_url
        if profile:
            ids = self._ids[_PROFILE_AT].get(keys.looked_for[_PROFILE_AT])
            if ids:
                return ids[0], f"{_PROFILE.why} as {self.people[ids[0]][0]} (#{ids[0]})"
        for twin in self.twins(keys):
            if _other_profiles(profile, self.people[twin["id"]][1].linkedin_url):
                continue
            return twin["id"], f"{' and '.join(twin['why'])} as {twin['name']} (#{twin['id']})"
        return None


# ---------------------------------------------------------------- pairs of people

_PAIRS_SQL = {probe.why: (
    "SELECT a.id, b.id FROM people a JOIN people b ON {on} AND b.id > a.id "
    "WHERE {where} AND a.status != 'merged' AND b.status != 'merged'").format(
        on=probe.paired()[0], where=probe.paired()[1]) for probe in PROBES}


def exact_pairs(db: Database) -> dict[tuple[int, int], set[str]]:
    """Every pair of people (lower id first) who are twins by a probe, with the reasons.

    Joined in SQL on indexed columns.
    """
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    for probe in PROBES:
        for pair in db.execute(_PAIRS_SQL[probe.why]).fetchall():
            found[pair].add(probe.why)
    return found


def _blocks(key: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """Keys two similar names share: one word in full and the other's initial.

    "jon smith" and "john smith" share ("smith", "j"); a typo rarely hits
    both words, so comparing only names that share a block loses little.
    """
    words = key.split()
    return (words[0], words[-1][0]), (words[-1], words[0][0])


def _ratio_at_least(a: str, b: str, ratio: float) -> bool:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return (matcher.real_quick_ratio() >= ratio and matcher.quick_ratio() >= ratio
            and matcher.ratio() >= ratio)


def similar_names(a: str, b: str, ratio: float = NEAR_NAME_RATIO) -> bool:
    """Whether two different name keys are nearly the same name.

    "jon smith" and "john smith" are; so are "ada okafor" and "ada okafro".
    The whole names must be ``ratio`` alike, and each word that differs
    must itself be alike (WORD_RATIO): a long shared surname alone does not
    make "jonas yilmaz" and "jana yilmaz" one person.
    """
    if a == b or not _ratio_at_least(a, b, ratio):
        return False
    words_a, words_b = a.split(), b.split()
    if len(words_a) != len(words_b):
        return True
    return all(x == y or _ratio_at_least(x, y, WORD_RATIO) for x, y in zip(words_a, words_b))


def near_pairs(db: Database) -> dict[tuple[int, int], set[str]]:
    """Pairs of people with different but similar names at one company.

    Only names sharing a block (see ``_blocks``) are compared, so even a
    company with hundreds of people costs little.
    """
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    groups = db.execute(
        "SELECT json_group_array(json_array(id, name_key)) FROM people "
        "WHERE status != 'merged' AND company_key IS NOT NULL AND name_key IS NOT NULL "
        "GROUP BY company_key HAVING count(DISTINCT name_key) > 1").fetchall()
    verdicts: dict[tuple[str, str], bool] = {}  # the same names recur across companies
    for (members,) in groups:
        ids_by_key: dict[str, list[int]] = defaultdict(list)
        for person_id, key in json.loads(members):
            ids_by_key[key].append(person_id)
        by_block: dict[tuple[str, str], list[str]] = defaultdict(list)
        for key in ids_by_key:
            for block in set(_blocks(key)):
                by_block[block].append(key)
        for keys in by_block.values():
            for i, a in enumerate(keys):
                for b in keys[i + 1:]:
                    pair = (a, b) if a < b else (b, a)
                    if pair not in verdicts:
                        verdicts[pair] = similar_names(*pair)
                    if not verdicts[pair]:
                        continue
                    for x in ids_by_key[a]:
                        for y in ids_by_key[b]:
                            found[(min(x, y), max(x, y))].add(SIMILAR_NAME)
    return found


def pairs(db: Database) -> dict[tuple[int, int], set[str]]:
    """Every pair of people who are probably one (lower id first), with the reasons."""
    found = exact_pairs(db)
    for pair, reasons in near_pairs(db).items():
        found[pair] |= reasons
    return found

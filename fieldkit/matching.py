"""Twins: whether a card, or a person, is someone already known.

One set of rules for every way in. A card and a person are twins when they
share an email or a phone number (any of theirs, the primary or another:
fieldkit.labelled), have the same LinkedIn profile, or the same name at the
same company (or both without a company); two people are also twins when
their names are nearly the same at the same company. Each exact rule is
declared once, as a ``Probe``, and every question is answered from that one
list:

- ``twins(db, card)``: capture asks about one card (a query per probe);
- ``Known``: an import asks about a whole file in memory, after one indexed
  query; an empty one, fed the file's rows, finds a person twice in a file;
- ``find_match``: the one person a card is, with why;
- ``pairs(db)``: merge asks which people are twins of each other.

The keys: a name and a company by ``normalise.match_key`` (case, accents and
spacing ignored); an email with its ASCII letters lowered and nothing else,
which is what SQLite's NOCASE does (the indexes on emails are NOCASE), so
memory and SQL agree; a phone number in the E.164 form it is stored in (one
kept as written, which FieldKit could not read, names no one); the LinkedIn
profile in the one form it is stored in. A person's emails are the people column ``email`` and the
email rows of ``labelled_values``; their phones likewise. Two different
LinkedIn profiles are two people, whatever else they share. Merged people
are never twins.
"""

from __future__ import annotations

import json
from bisect import insort
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import NamedTuple, Protocol

from sqlite_utils import Database

from fieldkit import labelled, normalise

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
    more: tuple[labelled.Labelled, ...]


# ---------------------------------------------------------------- keys

def name_key(name: str | None) -> str | None:
    """A name as matched: "José  GARCÍA" and "jose garcia" share one."""
    return normalise.match_key(name)


def company_key(company: str | None) -> str | None:
    """A company as matched, like a name: "ACME  gmbh" and "Acme GmbH" share one."""
    return normalise.match_key(company)


def email_key(email: str | None) -> str | None:
    """An email address as matched: ASCII letters lowered, nothing else.

    The same as SQLite's COLLATE NOCASE, the collation of the stored indexes,
    so a query and memory never disagree: "ADA@x.example" is "ada@x.example",
    but "ÉMILE@x.example" and "émile@x.example" are two addresses.
    """
    return labelled.key("email", email) if email else None


_PHONE_CHARACTERS = frozenset("0123456789;ext=+")


def phone_key(phone: str | None) -> str | None:
    """A phone number as matched: in E.164 form (+ and at least four digits, an
    extension after), as stored; None for one kept as written.

    A number FieldKit could not read ("123456", "ask at reception") names
    no one: two cards holding it are not twins for that. The same test in
    SQL is ``_E164_SQL``.
    """
    if (phone and len(phone) > 4 and phone[0] == "+" and phone[1:5].isdigit()
            and phone[1:5].isascii() and _PHONE_CHARACTERS.issuperset(phone)):
        return phone
    return None


def _e164_sql(value: str) -> str:
    """SQL: ``value`` is a number in E.164 form, as phone_key tells."""
    return (f"{value} GLOB '+[0-9][0-9][0-9][0-9]*' "
            f"AND {value} NOT GLOB '*[^0-9;ext=+]*'")


def linkedin_key(url: str | None) -> str | None:
    """A LinkedIn profile as matched: the one URL form cards.clean stores."""
    return url or None


class Keys(NamedTuple):
    """The match keys of a card or a person: made by ``card_keys`` or ``person_keys``.

    ``emails`` and ``phones``: every one, the primary first, each once.
    ``looked_for`` is what each of PROBES looks for in them (a tuple of
    keys, empty for none), worked out once: an import asks about every row
    several times.
    """

    emails: tuple[str, ...]
    phones: tuple[str, ...]
    linkedin_url: str | None
    name_key: str | None
    company_key: str | None
    looked_for: tuple = ()


def _keys(emails: tuple[str, ...], phones: tuple[str, ...], linkedin_url: str | None,
          name_k: str | None, company_k: str | None) -> Keys:
    columns = (emails, phones, linkedin_url, name_k, company_k)
    return Keys._make((*columns, tuple([look(columns) for look in _LOOKS])))


def _once(keys: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(key for key in keys if key))


def _more_of(more: Iterable[labelled.Labelled], kind: str) -> list[str]:
    return [value.value for value in more if value.kind == kind]


def card_keys(card: CardLike) -> Keys:
    """The match keys of a card: every email and phone it holds."""
    more, email, phone = card.more, card.email, card.phone
    if more:
        emails = _once(map(email_key, (email, *_more_of(more, "email"))))
        phones = _once(map(phone_key, (phone, *_more_of(more, "phone"))))
    else:  # most cards of a LinkedIn export: one email at most, no phone
        emails = (email_key(email),) if email else ()
        phones = (key,) if (key := phone_key(phone)) else ()
    return _keys(emails, phones, linkedin_key(card.linkedin_url), name_key(card.name),
                 company_key(card.company))


def person_keys(person: Mapping, more: Iterable[labelled.Labelled] = ()) -> Keys:
    """The match keys of a stored person: people columns (name and company keys as
    stored) and their labelled values."""
    more = list(more)
    return _keys(_once(map(email_key, (person.get("email"), *_more_of(more, "email")))),
                 _once(map(phone_key, (person.get("phone"), *_more_of(more, "phone")))),
                 linkedin_key(person.get("linkedin_url")), person.get("name_key"),
                 person.get("company_key"))


def _union(known: Keys, added: Keys) -> Keys:
    """A person's keys with what was just added to them (values, a company, a profile)."""
    return _keys(_once((*known.emails, *added.emails)), _once((*known.phones, *added.phones)),
                 known.linkedin_url or added.linkedin_url, known.name_key,
                 known.company_key or added.company_key)


# ---------------------------------------------------------------- reasons

def _equal(kind: str | None, left: str, right: str) -> str:
    """SQL for two values of a key being one key: emails as NOCASE, as email_key."""
    return f"{left} = {right} COLLATE NOCASE" if kind == "email" else f"{left} = {right}"


@dataclass(frozen=True)
class Probe:
    """One reason a card and a person are twins, and its weight in ranking pairs.

    ``columns`` name the Keys both must share: for a ``kind`` of labelled
    value (email, phone), any one of each side's; else every column, equal.
    Neither has the key ``without`` (the same name counts only between two
    people without a company).
    """

    why: str
    weight: int
    columns: tuple[str, ...]
    without: str | None = None
    kind: str | None = None  # "email" or "phone": the people column and the values rows

    def __post_init__(self) -> None:
        # An import asks every probe about every row several times: each
        # probe's question is put together once, as plain tuple lookups.
        at = [Keys._fields.index(column) for column in self.columns]
        if self.kind:
            first = at[0]

            def key(keys) -> tuple:
                return keys[first]
        elif self.without:
            without, first = Keys._fields.index(self.without), at[0]

            def key(keys) -> tuple:
                return () if keys[without] is not None or keys[first] is None \
                    else (keys[first],)
        elif len(at) > 1:
            def key(keys) -> tuple:
                found = tuple(keys[i] for i in at)
                return () if None in found else (found,)
        else:
            first = at[0]

            def key(keys) -> tuple:
                return () if keys[first] is None else (keys[first],)
        object.__setattr__(self, "_key", key)

    def keys(self, keys: Keys) -> tuple:
        """What this probe looks for in ``keys``: keys (tuples for several columns)."""
        return self._key(keys)

    def _column(self) -> str:
        return labelled.PRIMARY_COLUMNS[self.kind] if self.kind else self.columns[0]

    def ids(self, keys: str) -> str:
        """SQL: ids of people (any status) holding one of ``keys`` (a JSON array)."""
        if self.kind:
            column = self._column()
            return (f"SELECT c.id FROM json_each({keys}) AS k JOIN people AS c ON "
                    f"{_equal(self.kind, f'c.{column}', 'k.value')} "
                    f"UNION SELECT v.person_id FROM json_each({keys}) AS k "
                    f"JOIN labelled_values AS v ON v.kind = '{self.kind}' AND "
                    f"{_equal(self.kind, 'v.value', 'k.value')}")
        if len(self.columns) > 1:
            tests = [f"c.{column} = json_extract(k.value, '$[{i}]')"
                     for i, column in enumerate(self.columns)]
        else:
            tests = [f"c.{self.columns[0]} = k.value"]
        if self.without:
            tests.append(f"c.{self.without} IS NULL")
        return f"SELECT c.id FROM json_each({keys}) AS k JOIN people AS c ON {' AND '.join(tests)}"

    def pairs(self) -> str:
        """SQL: every pair of ids (lower first) of people with a key in common, any status."""
        if self.kind:
            column, kind = self._column(), self.kind
            keyed = _e164_sql if kind == "phone" else (lambda value: f"{value} IS NOT NULL")
            return (
                f"SELECT a.id AS x, b.id AS y FROM people AS a JOIN people AS b ON "
                f"{_equal(kind, f'b.{column}', f'a.{column}')} AND b.id > a.id "
                f"WHERE {keyed(f'a.{column}')} "
                f"UNION SELECT min(a.id, v.person_id), max(a.id, v.person_id) "
                f"FROM labelled_values AS v JOIN people AS a ON "
                f"{_equal(kind, f'a.{column}', 'v.value')} AND a.id != v.person_id "
                f"WHERE v.kind = '{kind}' AND {keyed('v.value')} "
                f"UNION SELECT v.person_id, w.person_id FROM labelled_values AS v "
                f"JOIN labelled_values AS w ON w.kind = '{kind}' AND "
                f"{_equal(kind, 'w.value', 'v.value')} AND w.person_id > v.person_id "
                f"WHERE v.kind = '{kind}' AND {keyed('v.value')}")
        on = [f"b.{column} = a.{column}" for column in self.columns]
        where = [f"a.{column} IS NOT NULL" for column in self.columns]
        if self.without:
            on.append(f"b.{self.without} IS NULL")
            where.append(f"a.{self.without} IS NULL")
        return (f"SELECT a.id AS x, b.id AS y FROM people AS a JOIN people AS b "
                f"ON {' AND '.join(on)} "
                f"AND b.id > a.id WHERE {' AND '.join(where)}")


_PROFILE = Probe("same LinkedIn profile", 3, ("linkedin_url",))

# The exact reasons, in the order a twin's reasons are told.
PROBES: tuple[Probe, ...] = (
    Probe("same email", 3, ("emails",), kind="email"),
    Probe("same phone", 3, ("phones",), kind="phone"),
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
    f"SELECT id, name, company, title, kind FROM people WHERE id IN ({probe.ids(':keys')}) "
    f"AND status != 'merged' AND id != :exclude ORDER BY id LIMIT {TWINS_PER_PROBE}")
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
    for probe, wanted in zip(PROBES, keys.looked_for):
        if not wanted:
            continue
        rows = db.execute(_TWINS_SQL[probe.why],
                          {"keys": json.dumps(list(wanted)), "exclude": exclude_id or 0}
                          ).fetchall()
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
    unions = "".join(f"\n    UNION {probe.ids(f':probe{i}')}" for i, probe in enumerate(PROBES))
    return ("SELECT id, name, email, phone, linkedin_url, name_key, company_key FROM people\n"
            "WHERE status != 'merged' AND id IN (\n"
            f"    SELECT value FROM json_each(:ids){unions})\nORDER BY id")


_CANDIDATES_SQL = _candidates_sql()
_EVERYONE_SQL = ("SELECT id, name, email, phone, linkedin_url, name_key, company_key "
                 "FROM people WHERE status != 'merged' ORDER BY id")
# The emails and phones beyond the primaries of the people read.
_VALUES_SQL = ("SELECT person_id, kind, value FROM labelled_values WHERE kind IN ('email', "
               "'phone') AND person_id IN (SELECT value FROM json_each(?)) ORDER BY id")
_ALL_VALUES_SQL = ("SELECT person_id, kind, value FROM labelled_values "
                   "WHERE kind IN ('email', 'phone') ORDER BY id")


class Known:
    """People indexed by their match keys: twins and a match from memory.

    Asked about a card's keys (``card_keys``), it answers as ``twins`` and
    ``find_match`` do on the database (the twins with id, name and why), for
    the cards it was read for. An import reads it once for the whole file
    (``read``) and keeps it true while it writes (``add``, ``extend``,
    ``filled``). An empty one, given each row of a file as it is read
    (``add``, under the row's number), finds the earlier row a row repeats.
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
            rows = db.execute(_EVERYONE_SQL).fetchall()
            values = db.execute(_ALL_VALUES_SQL).fetchall()
        else:
            wanted: list[set] = [set() for _ in PROBES]
            for card in keys:
                for looked, found in zip(card.looked_for, wanted):
                    found.update(looked)
            rows = db.execute(_CANDIDATES_SQL, {
                "ids": json.dumps(list(set(ids))),
                **{f"probe{i}": json.dumps(list(values)) for i, values in enumerate(wanted)}
            }).fetchall()
            values = db.execute(_VALUES_SQL, [json.dumps([row[0] for row in rows])]).fetchall() \
                if rows else []
        more: dict[int, tuple[list, list]] = {}
        for person_id, kind, value in values:
            emails, phones = more.setdefault(person_id, ([], []))
            (emails if kind == "email" else phones).append(value)
        people, indexes = known.people, known._ids
        for person_id, name, email, phone, url, name_k, company_k in rows:
            emails, phones = more.get(person_id, ((), ()))
            person = _keys(_once(map(email_key, (email, *emails))),
                           _once(map(phone_key, (phone, *phones))), linkedin_key(url), name_k,
                           company_k)
            people[person_id] = (name, person)
            for looked, index in zip(person.looked_for, indexes):
                for key in looked:
                    # Ids come ascending: every list stays sorted.
                    ids_of_key = index.get(key)
                    if ids_of_key is None:
                        index[key] = [person_id]
                    elif ids_of_key[-1] != person_id:
                        ids_of_key.append(person_id)
        return known

    def add(self, person_id: int, name: str, keys: Keys) -> None:
        """A person just stored, or a row of a file under its number."""
        if person_id in self.people:
            for looked, index in zip(self.people[person_id][1].looked_for, self._ids):
                for key in looked:
                    index[key].remove(person_id)
        self.people[person_id] = (name, keys)
        for looked, index in zip(keys.looked_for, self._ids):
            for key in looked:
                ids = index.get(key)
                if not ids:
                    index[key] = [person_id]
                elif ids[-1] < person_id:
                    ids.append(person_id)
                elif person_id not in ids:
                    insort(ids, person_id)

    def extend(self, person_id: int, keys: Keys) -> None:
        """What a card just added to a known person (or a row repeating an earlier row):
        its emails and phones, and a company or profile the person lacked."""
        if person_id in self.people:
            name, known = self.people[person_id]
            self.add(person_id, name, _union(known, keys))

    def filled(self, person_id: int, values: Mapping) -> None:
        """A known person's empty fields just filled with ``values`` (people columns)."""
        if person_id in self.people:
            self.extend(person_id, person_keys(values))

    def twins(self, keys: Keys) -> list[dict]:
        """As ``twins(db, card)``, from memory: who looks like the card, and why."""
        found: dict[int, dict] | None = None  # most rows of a file have no twin
        for looked, index, why in zip(keys.looked_for, self._ids, _WHYS):
            if not looked:
                continue
            ids = index.get(looked[0], ()) if len(looked) == 1 else sorted(
                {person_id for key in looked for person_id in index.get(key, ())})
            if not ids:
                continue
            if found is None:
                found = {}
            for person_id in ids[:TWINS_PER_PROBE]:
                twin = found.get(person_id)
                if twin is None:
                    twin = found[person_id] = {
                        "id": person_id, "name": self.people[person_id][0], "why": []}
                twin["why"].append(why)
        return [] if found is None else list(found.values())

    def find_match(self, keys: Keys, *, before: int | None = None) -> tuple[int, str] | None:
        """As ``find_match(db, card)``, from memory; only ids below ``before`` if given."""
        profile = keys.linkedin_url
        if profile:
            ids = [i for i in self._ids[_PROFILE_AT].get(profile, ())
                   if before is None or i < before]
            if ids:
                return ids[0], f"{_PROFILE.why} as {self.people[ids[0]][0]} (#{ids[0]})"
        for twin in self.twins(keys):
            if before is not None and twin["id"] >= before or _other_profiles(
                    profile, self.people[twin["id"]][1].linkedin_url):
                continue
            return twin["id"], f"{' and '.join(twin['why'])} as {twin['name']} (#{twin['id']})"
        return None


# ---------------------------------------------------------------- pairs of people

_PAIRS_SQL = {probe.why: (
    f"SELECT p.x, p.y FROM ({probe.pairs()}) AS p JOIN people AS a ON a.id = p.x "
    "JOIN people AS b ON b.id = p.y WHERE a.status != 'merged' AND b.status != 'merged'")
    for probe in PROBES}


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

"""Bringing people in from other address books: preview first, then apply.

A format module (``linkedin``, ``vcard``) turns a file into ``Entry`` values;
``build_preview`` cleans each one into a Card and decides what would happen
to it: a new person, a match with someone already known, or a skip. Nothing
is written until ``apply``, which lands the whole file in one transaction.

Text files are read as UTF-8 (with or without a BOM), or UTF-16 when a BOM
says so. A format may name one fallback for files that are not UTF-8: the
LinkedIn import accepts cp1252, which is what Excel on Windows writes when a
user opens and re-saves the CSV. Any other bytes raise ImportFileError; no
input makes the import crash.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlite_utils import Database

from fieldkit import cards, clock, labelled, matching, normalise, photos
from fieldkit.cards import Card
from fieldkit.db import page_cache, transaction
from fieldkit.errors import ValidationError

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000  # LinkedIn caps connections at 30,000; a phone's book is smaller
MAX_TAGS = 20

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# Field names as the user knows them, for "email ignored: ..." notes.
_LABELS = {spec.name: spec.word for spec in cards.FIELDS}


class ImportFileError(ValidationError):
    """A file to import cannot be read as that format; nothing was written."""


@dataclass
class Entry:
    """One person as a format module read them, before cleaning."""

    number: int
    fields: dict
    met_at: str | None = None
    photo: bytes | None = None
    notes: list[str] = field(default_factory=list)
    skip: str | None = None  # why the format itself could not use this entry
    uid: str | None = None  # a FieldKit person uid, when the file came from FieldKit
    # The name may be one the file's writer made from the company, an email
    # or a phone for a card without one (a vCard without a structured name).
    name_may_be_made: bool = False


@dataclass
class Row:
    """What importing one person of the file would do.

    ``number`` is the person's place in the file (1 for the first row or
    card). ``action`` is "new", "match" (``person_id`` is the person
    matched) or "skip"; ``reason`` says why, and notes fields left out.
    """

    number: int
    action: str
    name: str | None
    reason: str | None = None
    person_id: int | None = None
    card: Card | None = None
    met_at: str | None = None
    photo: bytes | None = None


@dataclass
class Preview:
    """A file read and matched against the database, not yet applied."""

    kind: str
    filename: str | None
    sha256: str
    rows: list[Row]

    @property
    def counts(self) -> dict[str, int]:
        actions = [row.action for row in self.rows]
        return {"new": actions.count("new"), "matched": actions.count("match"),
                "skipped": actions.count("skip")}


# ---------------------------------------------------------------- reading bytes

def check_bytes(data: bytes) -> bytes:
    """The file's content as UTF-8 bytes when a BOM said UTF-16; checked for size.

    A UTF-8 BOM is dropped. Empty, oversized and binary files raise
    ImportFileError. Bytes without a BOM are returned as they are, for the
    format to decode (a vCard names a charset per property).
    """
    if not isinstance(data, (bytes, bytearray)):
        raise ImportFileError("The upload is not a file.")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"The file is {len(data) / 1048576:.1f} MB; at most {MAX_BYTES // 1048576} MB.")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    elif data.startswith(_UTF16_BOMS):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeError:
            raise ImportFileError(
                "The file starts like UTF-16 text but is not: save it again as UTF-8.") from None
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if b"\x00" in data:
        raise ImportFileError(
            "The file contains NUL bytes: it is binary (or UTF-16 without a BOM), "
            "not a text export.")
    sample = data[:65536]
    controls = sum(sample.count(bytes([b])) for b in (*range(1, 9), 11, 12, *range(14, 32)))
    if controls > len(sample) // 100:
        raise ImportFileError("The file looks binary, not like a text export.")
    return data


def decode_text(data: bytes, *, fallback: str | None = None) -> str:
    """The file as text: UTF-8 or UTF-16 (by BOM), else ``fallback`` if given."""
    data = check_bytes(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if fallback:
            try:
                return data.decode(fallback)
            except UnicodeDecodeError:
                pass
        raise ImportFileError(
            f"The file is not UTF-8 text (byte {exc.start:,} cannot be read); "
            "export it again or save it as UTF-8.") from None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_all(entries: Iterable[Entry]) -> list[Entry]:
    """Every entry of a file, read to its end before anything is matched or written.

    A file the format refuses half-way (cut off, malformed) is refused
    whole; more than MAX_ROWS people raise ImportFileError.
    """
    read = list(itertools.islice(entries, MAX_ROWS + 1))
    if len(read) > MAX_ROWS:
        raise ImportFileError(
            f"The file holds more than {MAX_ROWS:,} people; split it into smaller files.")
    return read


# ---------------------------------------------------------------- cleaning

def _detail(message: str) -> str:
    head, sep, rest = message.partition(": ")
    return rest if sep and len(head) <= 20 else message


NOTHING_TO_NAME = "no name, and no company, email, phone, web or postal address to name it by"


def clean_entry(entry: Entry, *, phone_region: str | None) -> tuple[Card | None, list[str], str | None]:
    """A Card from an entry's fields, dropping bad fields with a note.

    Returns (card, notes, skip reason). Every email, phone, web and postal
    address is kept, as written when it does not validate; only one that
    cannot be kept at all (far too long) is left out with a note. A card
    without a name is named after its company, email, phone, web or postal
    address (cards.named); one with none of them is skipped, as is one
    whose name is bad. Another bad field is left out and noted,
    since the rest is still worth keeping.
    """
    fields = {k: v for k, v in entry.fields.items() if v not in (None, "", [], ())}
    notes = list(entry.notes)
    if isinstance(fields.get("tags"), (list, tuple)):
        tags: list[str] = []
        for raw in fields["tags"]:
            try:
                tags += normalise.tags([raw]) if isinstance(raw, str) else []
            except ValidationError as exc:
                notes.append(f"tag ignored: {_detail(str(exc))}")
        tags = list(dict.fromkeys(tags))
        if len(tags) > MAX_TAGS:
            notes.append(f"only the first {MAX_TAGS} of {len(tags)} tags kept")
            tags = tags[:MAX_TAGS]
        fields["tags"] = tags
    name = fields.get("name")
    # Only whether anything is left matters here, not the length: NFC can make a text
    # up to three times longer (U+FB1D, a Hebrew letter, becomes two characters).
    nameless = not isinstance(name, str) or normalise.text(
        name, "name", label="Name", limit=3 * len(name)) is None
    if nameless:
        fields["name"] = "-"  # cleaned like any card, then named after what it holds
    while True:
        dropped: list[str] = []
        try:
            card = cards.clean(fields, phone_region=phone_region, dropped=dropped)
        except ValidationError as exc:
            if exc.field == "name" or exc.field not in fields:
                return None, notes, str(exc)
            notes.append(f"{_LABELS.get(exc.field, exc.field)} ignored: {_detail(str(exc))}")
            del fields[exc.field]
            continue
        notes += dropped
        break
    card = cards.named(replace(card, name="") if nameless else card,
                       maybe_made=entry.name_may_be_made)
    if card is None:
        return None, notes, NOTHING_TO_NAME
    return card, notes, None


# A preview checks each photo and the apply stores it: prepared once when
# they come close together (a file of a few cards), or when an address book
# repeats one picture (a company logo). Few: the key is the whole photo.
_prepared = functools.lru_cache(maxsize=8)(photos.prepare)


def photo_problem(data: bytes) -> str | None:
    """Why a photo from a file cannot be stored, or None when it can."""
    try:
        _prepared(data)
    except ValidationError as exc:
        return _detail(str(exc))
    return None


# ---------------------------------------------------------------- matching

def _uid_match(db: Database, uid: str | None) -> tuple[int, str] | None:
    if not uid:
        return None
    row = db.execute("SELECT id, name FROM people WHERE uid = ? AND status != 'merged'",
                     [uid]).fetchone()
    return (row[0], f"exported from FieldKit as {row[1]} (#{row[0]})") if row else None


def changes(db: Database, person_id: int, card: Card, photo: bytes | None) -> dict:
    """What a matched card would add to a known person: never overwrites.

    ``filled``: the person's empty fields the card has, and the primary
    email, phone or web address (with its label) where the person has none;
    ``values``: the card's other emails, phones, web and postal addresses the
    person lacks; ``added``: every value new to the person; ``tags``: tags
    the person lacks; ``photo``: True when the card has a photo and the
    person none.
    """
    cursor = db.execute("SELECT * FROM people WHERE id = ?", [person_id])
    values = cursor.fetchone()
    person = dict(zip([c[0] for c in cursor.description], values))
    filled = cards.details_to_fill(card, person)
    added, columns, more = labelled.additions(db, person_id, person, card.values())
    filled.update(columns)
    known = [t for (t,) in db.execute(
        "SELECT tag FROM person_tags WHERE person_id = ? ORDER BY tag", [person_id])]
    room = max(0, MAX_TAGS - len(known))
    new_tags = [t for t in card.tags if t not in known][:room]
    has_photo = db.execute(
        "SELECT 1 FROM attachments WHERE person_id = ? AND kind = 'card_photo' LIMIT 1",
        [person_id]).fetchone() is not None
    return {"filled": filled, "values": more, "added": added, "tags": new_tags,
            "photo": bool(photo) and not has_photo}


def _describe(change: dict) -> str:
    added = [_LABELS.get(name, name) for name in change["filled"]
             if name not in cards.VALUE_COLUMNS]
    if change["added"]:
        added.append(labelled.counted(change["added"]))
    if change["tags"]:
        added.append("tags (" + ", ".join(change["tags"]) + ")")
    if change["photo"]:
        added.append("photo")
    return "adds " + ", ".join(added) if added else "nothing new"


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector for the block.

    An import makes tens of thousands of small objects (entries, cards,
    rows, keys) that form no cycles; while they pile up the collector
    walks them, and every other object of the process, several times over
    (a fifth of a large import's time). It runs as usual after the block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_preview(db: Database, *, kind: str, filename: str | None, data: bytes,
                  entries: Iterable[Entry], phone_region: str | None) -> Preview:
    """Clean and match every entry of a file; writes nothing."""
    with _no_gc_pauses():
        return _build_preview(db, kind=kind, filename=filename, data=data, entries=entries,
                              phone_region=phone_region)


def _build_preview(db: Database, *, kind: str, filename: str | None, data: bytes,
                   entries: Iterable[Entry], phone_region: str | None) -> Preview:
    # First every entry is read and cleaned, then matched: the people to
    # match against are looked up for the whole file at once.
    read: list[Row | tuple[Entry, Card, matching.Keys, list[str]]] = []
    for entry in entries:
        if len(read) >= MAX_ROWS:
            raise ImportFileError(
                f"The file holds more than {MAX_ROWS:,} people; split it into smaller files.")
        raw_name = entry.fields.get("name")
        raw_name = raw_name.strip()[:200] if isinstance(raw_name, str) else None
        if entry.skip:
            read.append(Row(entry.number, "skip", raw_name or None, entry.skip))
            continue
        card, notes, skip = clean_entry(entry, phone_region=phone_region)
        if card is None:
            read.append(Row(entry.number, "skip", raw_name or None,
                            "; ".join([skip or "no name", *notes])))
            continue
        read.append((entry, card, matching.card_keys(card), notes))
    known = matching.Known.read(db, [item[2] for item in read if not isinstance(item, Row)])
    in_file = matching.Known()  # the rows kept so far, each under its number
    rows: list[Row] = []
    matched: dict[int, int] = {}  # person id -> the first row matching them
    kept: dict[int, tuple[Card, int | None]] = {}  # row number -> card, person matched
    uids: dict[int, str | None] = {}  # row number -> the card's own UID
    for item in read:
        if isinstance(item, Row):
            rows.append(item)
            continue
        entry, card, keys, notes = item
        found = _uid_match(db, entry.uid)
        earlier = None
        if found is None:
            repeated = in_file.find_match(keys)
            earlier = repeated[0] if repeated else None
            if earlier and entry.uid and uids.get(earlier) not in (None, entry.uid):
                earlier = None  # two cards of one address book: two people, twins at most
            found = None if earlier else known.find_match(keys)
        if found and found[0] in matched:
            earlier = matched[found[0]]
        photo = entry.photo
        if photo is not None and (problem := photo_problem(photo)):
            notes.append(f"photo ignored: {problem}")
            photo = None
        if earlier:
            # The same person again: what this row adds goes to them too.
            first, person_id = kept[earlier]
            in_file.extend(earlier, keys)
            what = _describe(_adds(card, first))
            rows.append(Row(entry.number, "match", card.name,
                            "; ".join([f"same person as row {earlier}", what, *notes]),
                            person_id, card, entry.met_at, photo))
            continue
        in_file.add(entry.number, card.name, keys)
        uids[entry.number] = entry.uid
        if found:
            person_id, why = found
            matched[person_id] = entry.number
            kept[entry.number] = (card, person_id)
            what = _describe(changes(db, person_id, card, photo))
            rows.append(Row(entry.number, "match", card.name, "; ".join([why, what, *notes]),
                            person_id, card, entry.met_at, photo))
        else:
            kept[entry.number] = (card, None)
            if card.named_from:  # a known person keeps their name
                notes.insert(0, f"no name: named after its {cards.NAMED_FROM[card.named_from]}")
            rows.append(Row(entry.number, "new", card.name, "; ".join(notes) or None, None,
                            card, entry.met_at, photo))
    return Preview(kind, normalise.filename(filename), sha256(data), rows)


def _adds(card: Card, earlier: Card) -> dict:
    """What a row adds to the person an earlier row of the file already brought in."""
    return {"filled": cards.details_to_fill(card, vars(earlier)),
            "added": labelled.missing(card.values(), earlier.values()),
            "tags": [tag for tag in card.tags if tag not in earlier.tags], "photo": False}


# ---------------------------------------------------------------- writing

def _photo_row(person_id: int, data: bytes, stamp: str) -> dict:
    photo = _prepared(data)
    return {"person_id": person_id, "kind": "card_photo", "mime": photo.mime,
            "bytes": len(photo.data), "data": photo.data, "created_at": stamp}


_FILL_COLUMNS = (*cards.DETAIL_FIELDS, *cards.VALUE_COLUMNS, "company_key", "updated_at")

# Every filled person in one statement: each statement that changes
# people makes the full-text index write a segment of its own, which is
# most of the cost of a one-row UPDATE. A column a person does not fill
# stays as it is (coalesce with NULL).
_FILL_SQL = (
    "UPDATE people SET "
    + ", ".join(f"[{name}] = coalesce(f.[{name}], people.[{name}])" for name in _FILL_COLUMNS)
    + " FROM (SELECT json_extract(value, '$.id') AS id, "
    + ", ".join(f"json_extract(value, '$.{name}') AS [{name}]" for name in _FILL_COLUMNS)
    + " FROM json_each(?)) AS f WHERE people.id = f.id"
)


def _write_extras(conn, values: list, tags: list, photos: list) -> None:
    """The values, tags and card photos queued for the people of an import, one
    statement each."""
    if values:
        conn.executemany(labelled.INSERT_SQL, values)
    if tags:
        conn.executemany(
            "INSERT OR IGNORE INTO person_tags (person_id, tag) VALUES (?, ?)", tags)
    if photos:
        conn.executemany(
            "INSERT INTO attachments (person_id, kind, mime, bytes, data, created_at) "
            "VALUES (:person_id, :kind, :mime, :bytes, :data, :created_at)", photos)


class _Fills:
    """Known people's empty fields, new values, tags and photos an import adds, written
    in batches."""

    def __init__(self, db: Database):
        self.db = db
        self.people: dict[int, dict] = {}
        self.values: list[tuple] = []
        self.tags: list[tuple[int, str]] = []
        self.photos: list[dict] = []
        self.pending: set[int] = set()

    def add(self, person_id: int, row: Row, stamp: str) -> dict:
        """Fill a known person's empty fields from the row; returns the columns set."""
        if person_id in self.pending:
            self.flush()  # changes() reads the person from the database
        change = changes(self.db, person_id, row.card, row.photo)
        filled = change["filled"]
        if filled or change["values"]:
            keys = {"company_key": matching.company_key(filled["company"])} \
                if "company" in filled else {}
            filled = {**filled, **keys}
            self.people[person_id] = {**filled, "updated_at": stamp}
        self.values += labelled.rows(person_id, change["values"])
        self.tags += [(person_id, tag) for tag in change["tags"]]
        if change["photo"]:
            self.photos.append(_photo_row(person_id, row.photo, stamp))
        self.pending.add(person_id)
        return filled

    def flush(self) -> None:
        if self.people:
            self.db.conn.execute(_FILL_SQL, [json.dumps(
                [{"id": person_id, **values} for person_id, values in self.people.items()])])
        _write_extras(self.db.conn, self.values, self.tags, self.photos)
        self.people, self.values, self.tags, self.photos, self.pending = {}, [], [], [], set()


_PERSON_INSERT_COLUMNS = ("id", "uid", *cards.COLUMNS, "met_at", "source", "created_at",
                          "updated_at")


_PERSON_COLUMNS = ", ".join(_PERSON_INSERT_COLUMNS)
_PERSON_MARKS = ", ".join("?" * len(_PERSON_INSERT_COLUMNS))
_NEW_PEOPLE = "temp.fieldkit_import_people"  # a scratch table only this connection sees
_APPLY_CACHE_MIB = 32  # the people table, its nine indexes and the search index of a heavy user


class _NewPeople:
    """New people of an import, written in batches (one statement per table)."""

    def __init__(self, db: Database):
        self.db = db
        self.next_id = (db.execute("SELECT max(id) FROM people").fetchone()[0] or 0) + 1
        self.first_id = self.next_id
        self.people: list[list] = []  # values in _PERSON_INSERT_COLUMNS order
        self.values: list[tuple] = []
        self.tags: list[tuple[int, str]] = []
        self.photos: list[dict] = []
        self.pending: set[int] = set()

    def add(self, row: dict, card: Card, photo: dict | None) -> int:
        person_id = self.next_id
        self.next_id += 1
        self.people.append([person_id, *[row[name] for name in _PERSON_INSERT_COLUMNS[1:]]])
        self.values += labelled.rows(person_id, card.more)
        self.tags += [(person_id, tag) for tag in card.tags]
        if photo is not None:
            self.photos.append({**photo, "person_id": person_id})
        self.pending.add(person_id)
        return person_id

    def flush(self) -> None:
        # All of them in one INSERT ... SELECT from a scratch table: the
        # full-text index's trigger then writes one segment in all, not one
        # per statement, and SQLite parses no statement of 19,000 values.
        conn = self.db.conn
        if self.people:
            # Created inside the transaction: a failure rolls it back too.
            conn.execute(f"CREATE TEMP TABLE {_NEW_PEOPLE} ({_PERSON_COLUMNS})")
            conn.executemany(f"INSERT INTO {_NEW_PEOPLE} VALUES ({_PERSON_MARKS})",
                             self.people)
            conn.execute(f"INSERT INTO people ({_PERSON_COLUMNS}) "
                         f"SELECT {_PERSON_COLUMNS} FROM {_NEW_PEOPLE} ORDER BY rowid")
            conn.execute(f"DROP TABLE {_NEW_PEOPLE}")
        _write_extras(self.db.conn, self.values, self.tags, self.photos)
        self.people, self.values, self.tags, self.photos, self.pending = [], [], [], [], set()


def apply(db: Database, preview: Preview, *, now: datetime | None = None) -> dict[str, int]:
    """Write a previewed import in one transaction; returns what it did.

    New people are added without a touch or follow-up (as
    cards.add_imported), met when the file says (else now), with their card
    photo. Matched people only get their empty fields filled, and the
    emails, phones, web and postal addresses and tags they lack added;
    nothing known is overwritten. A row repeating an earlier row of the
    file adds what it has to the same person. Each row is matched again inside the
    transaction, so applying the same preview twice, or a file already
    imported, adds no one twice. An import_runs row records the counts. On
    any error nothing is written.

    Everything is written in batches: the rows matched in memory
    (``matching.Known``), then one statement per table for all new people and one
    for the people filled.
    """
    now = now or clock.utc_now()
    stamp = clock.to_iso(now)
    counts = {"new": 0, "matched": 0, "skipped": 0}
    with _no_gc_pauses(), page_cache(db, _APPLY_CACHE_MIB), transaction(db):
        keys = [None if row.action == "skip" or row.card is None
                else matching.card_keys(row.card) for row in preview.rows]
        known = matching.Known.read(
            db, [k for k in keys if k is not None],
            ids=[row.person_id for row in preview.rows if row.person_id])
        new, fills = _NewPeople(db), _Fills(db)
        for row, row_keys in zip(preview.rows, keys):
            if row_keys is None:
                counts["skipped"] += 1
                continue
            person_id = row.person_id if row.person_id in known.people else None
            if person_id is None:
                # A row new in the preview may be someone added since, never
                # someone this import adds (cards of one book are two people).
                found = known.find_match(row_keys, before=new.first_id if row.action == "new"
                                         else None)
                person_id = found[0] if found else None
            if person_id is None:
                person = cards.imported_row(row.card, source=preview.kind,
                                            met_at=row.met_at or stamp, stamp=stamp)
                photo = _photo_row(0, row.photo, stamp) if row.photo else None
                known.add(new.add(person, row.card, photo), person["name"], row_keys)
                counts["new"] += 1
            else:
                if person_id in new.pending:
                    # changes() reads the person from the database. Fills
                    # go first, as they always do: photos keep their order.
                    fills.flush()
                    new.flush()
                fills.add(person_id, row, stamp)
                known.extend(person_id, row_keys)
                counts["matched"] += 1
        fills.flush()
        new.flush()
        db.table("import_runs").insert({
            "kind": preview.kind, "filename": normalise.filename(preview.filename),
            "sha256": preview.sha256,
            "at": stamp, "new_count": counts["new"], "matched_count": counts["matched"],
            "skipped_count": counts["skipped"],
        })
    return counts


def history(db: Database, limit: int = 20) -> list[dict]:
    """The latest imports, newest first, for the data page."""
    cursor = db.execute(
        "SELECT id, kind, filename, sha256, at, new_count, matched_count, skipped_count "
        "FROM import_runs WHERE kind IN ('linkedin', 'vcard') ORDER BY at DESC, id DESC "
        "LIMIT ?", [limit])
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def settings_region(settings: Mapping | None) -> str | None:
    """The phone_region setting, if the caller passed settings."""
    return (settings or {}).get("phone_region") or None


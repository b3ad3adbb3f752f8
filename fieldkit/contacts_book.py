"""The address book "FieldKit" on the phone: one vCard 3.0 per person, two-way, lossless.

fieldkit.web.dav serves it over CardDAV (Radicale); this module is the
mapping between people and cards, plain Python.

A person's card says who they are (name, company, title, every email,
phone, web and postal address with its label, the card photo), their kind
and tags (CATEGORIES) and, first in its NOTE, where and when you met and
the next follow-up ("Met at SaaStr Europa, 7 Dec 2026 · follow up Tue 9
Dec"), so that caller ID and the contact card tell the story.

A card a phone writes reaches the person: an edit updates them, a new card
is a new person (kind "other", no follow-up due). The card is kept as the
phone wrote it (``phone_cards.kept``) with FieldKit's own lines for the
person right after (``base``): served again, it is the phone's card, with
each group of lines FieldKit has changed since (the name, the emails, the
note ...) written anew, so nothing a phone wrote is lost on the way back.
A card deleted on a phone leaves the address book only: the person, their
history and follow-ups stay, marked removed from the phone's contacts,
until they are put back.

A card's ETag is its href's last change in the change log
(fieldkit.sync_log): the same until a write changes the card.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import hashlib
import io
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from PIL import Image
from sqlite_utils import Database

from fieldkit import cards, clock, imports, labelled, people, sync_log, vcard
from fieldkit.db import transaction
from fieldkit.errors import NotFound, ValidationError
from fieldkit.kinds import PERSON_KINDS

BOOK = "contacts"
NAME = "FieldKit"
PRODID = "PRODID:-//FieldKit//FieldKit//EN"
# Bumped when what a card says for the same data changes: every ETag changes
# with it, so phones fetch the cards again.
RENDERING = "1"
# Card names a phone may give: letters, digits and a few marks, never a path.
_HREF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+=~-]{0,199}")
KIND_LABELS = {label: kind for kind, label in PERSON_KINDS.items()}
# The first paragraph of a NOTE that FieldKit wrote: left out when read back.
_STORY = re.compile(r"Met (?:at .+?, |on )\d{1,2} [A-Z][a-z]{2} \d{4}"
                    r"(?: · follow up [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}(?: \d{4})?)?")
# Each property FieldKit writes, by the group of lines it belongs to; a
# property of none (BDAY, NICKNAME, IMPP, X-...) is the phone's, kept as sent.
GROUPS = {"FN": "name", "N": "name", "X-ABSHOWAS": "name", "ORG": "org", "TITLE": "title",
          "EMAIL": "email", "TEL": "phone", "X-MS-TEL": "phone", "URL": "url",
          "X-SOCIALPROFILE": "url", "ADR": "address", "LABEL": "address", "NOTE": "note",
          "CATEGORIES": "categories", "PHOTO": "photo"}
_FRAME = {"BEGIN", "END", "VERSION"}
_ITEM = re.compile(r"item[0-9]+\.", re.IGNORECASE)
# A card photo larger than this is sent as a smaller JPEG: a contact shows it small.
PHOTO_BYTES, PHOTO_SIDE = 96 * 1024, 512


class CardRefused(ValidationError):
    """A card a phone sent cannot be stored; nothing was written."""


@dataclass(frozen=True)
class Listed:
    """One card of the address book, without its text: what a sync compares."""

    person_id: int
    href: str
    uid: str
    etag: str


@dataclass(frozen=True)
class Written:
    """What a card a phone sent did."""

    person_id: int
    created: bool
    as_sent: bool  # the card served now is exactly the one sent


# ---------------------------------------------------------------- the story in the NOTE

def story(met_at: str | None, event: str | None, next_due: str | None, tz: str) -> str | None:
    """"Met at SaaStr Europa, 7 Dec 2026 · follow up Tue 9 Dec": where, when, what next."""
    if not met_at:
        return None
    met = clock.local_date(met_at, tz)
    text = f"Met at {' '.join(event.split())}, " if event and event.strip() else "Met on "
    text += f"{met.day} {met:%b %Y}"
    if next_due:
        due = date.fromisoformat(next_due)
        text += f" · follow up {due:%a} {due.day} {due:%b}"
        if due.year != met.year:
            text += f" {due.year}"
    return text


def note_text(told: str | None, note: str | None) -> str | None:
    """The card's NOTE: the story, then the person's own note."""
    parts = [part for part in (told, note) if part]
    return "\n\n".join(parts) or None


def own_note(text: str | None) -> str | None:
    """The person's note in a NOTE read back: the story FieldKit wrote first is left out."""
    if not text:
        return None
    first, _, rest = text.strip().partition("\n\n")
    if _STORY.fullmatch(first.strip()):
        return rest.strip() or None
    return text


# ---------------------------------------------------------------- writing cards

_PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG"}
_thumbs: collections.OrderedDict[bytes, tuple[str, bytes]] = collections.OrderedDict()
_thumbs_lock = threading.Lock()


def _photo(mime: str, data: bytes) -> tuple[str, bytes]:
    """(TYPE, bytes) of a card photo as a card carries it: small ones as they are."""
    if mime in _PHOTO_TYPES and len(data) <= PHOTO_BYTES:
        return _PHOTO_TYPES[mime], data
    key = hashlib.sha256(data).digest()
    with _thumbs_lock:
        if key in _thumbs:
            _thumbs.move_to_end(key)
            return _thumbs[key]
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=82)
        made = ("JPEG", out.getvalue())
    except (OSError, ValueError):
        made = ("", b"")  # a stored photo that no longer reads: the card goes without
    with _thumbs_lock:
        _thumbs[key] = made
        while len(_thumbs) > 256:
            _thumbs.popitem(last=False)
    return made


def _photo_line(mime: str, data: bytes) -> str | None:
    kind, data = _photo(mime, data)
    if not data:
        return None
    return f"PHOTO;ENCODING=b;TYPE={kind}:{base64.b64encode(data).decode('ascii')}"


def _ours(person: Mapping, tags: Iterable[str], more: Iterable[labelled.Labelled],
          photo: tuple[str, bytes] | None, next_due: str | None, tz: str) -> list[str]:
    """FieldKit's lines for a person, unfolded: name to CATEGORIES, then the photo."""
    told = story(person["met_at"], person["event"], next_due, tz)
    fields = dict(person, note=note_text(told, person["note"]))
    kind = PERSON_KINDS.get(person["kind"], person["kind"])
    lines = vcard.card_lines(fields, [kind, *tags], more=more)
    if photo is not None and (line := _photo_line(*photo)) is not None:
        lines.append(line)
    return lines


def _parsed(line: str | bytes) -> vcard.Property | None:
    return vcard.parse_line(line.encode("utf-8") if isinstance(line, str) else line)


def grouped(lines: Iterable[str | bytes]) -> list[tuple[str | None, str | bytes]]:
    """(group, line) for content lines: the group of lines FieldKit writes it in, or None.

    An ``itemN.X-ABLabel`` belongs with the value of its ``itemN``.
    """
    lines = list(lines)
    props = [_parsed(line) for line in lines]
    items = {prop.group.lower(): GROUPS.get(prop.name) for prop in props
             if prop is not None and prop.group and prop.name != "X-ABLABEL"}
    found = []
    for line, prop in zip(lines, props):
        if prop is None:
            found.append((None, line))
        elif prop.name == "X-ABLABEL":
            found.append((items.get((prop.group or "").lower()), line))
        else:
            found.append((GROUPS.get(prop.name), line))
    return found


def _by_group(lines: Iterable[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for group, line in grouped(lines):
        groups.setdefault(group or "", []).append(line)
    return groups


def _text(lines: Iterable[str]) -> str:
    return "".join(vcard.fold(line) for line in lines)


def _fresh_items(lines: list[str], taken: set[str]) -> list[str]:
    """Lines with their ``itemN.`` groups renamed to ones the kept card does not use."""
    names: dict[str, str] = {}
    n = 0

    def fresh(match: re.Match) -> str:
        nonlocal n
        old = match[0].lower()
        if old not in names:
            n += 1
            while f"item{n}" in taken:
                n += 1
            names[old] = f"item{n}."
        return names[old]

    return [_ITEM.sub(fresh, line, count=1) if _ITEM.match(line) else line for line in lines]


def merged(kept: str, base: Mapping[str, list[str]], ours: list[str]) -> str:
    """The card a phone wrote (``kept``), with each group FieldKit changed since written anew.

    ``base`` is FieldKit's lines for the person when the phone wrote it,
    ``ours`` what they are now. A group unchanged keeps the phone's lines as
    they came; a card of another version than 3.0 gets every group anew.
    """
    now = _by_group(ours)
    lines = [line.decode("utf-8", "replace") for line in vcard.unfolded(kept.encode("utf-8"))]
    parsed = grouped(lines)
    version = next((line.split(":", 1)[1].strip() for (_, line) in parsed
                    if line.upper().startswith("VERSION:")), "")
    modelled = set(GROUPS.values())
    if version == "3.0":
        changed = {group for group in modelled if now.get(group, []) != list(base.get(group, []))}
    else:
        changed = modelled
    if not changed:
        return kept
    taken = {prop.group.lower() for line in lines
             if (prop := _parsed(line)) is not None and prop.group}
    out = ["BEGIN:VCARD", "VERSION:3.0"]
    done: set[str] = set()
    for group, line in parsed:
        head = line.split(":", 1)[0].split(";", 1)[0].upper()
        if head in _FRAME:
            continue
        if group in changed:
            if group not in done:
                out += _fresh_items(now.get(group, []), taken)
                done.add(group)
            continue
        out.append(line)
    for group in now:
        if group in changed and group not in done:
            out += _fresh_items(now[group], taken)
    out.append("END:VCARD")
    return _text(out)


# ---------------------------------------------------------------- reading the book

_PERSON_COLUMNS = ("p.id, p.uid, p.name, p.named_from, p.kind, p.company, p.department, "
                   "p.title, p.email, p.email_label, p.phone, p.phone_label, p.linkedin_url, "
                   "p.website, p.website_label, p.note, p.met_at, p.status, p.important, "
                   "e.name AS event, pc.href AS card_href, pc.card_uid, pc.kept, pc.base")
_IN_BOOK = "p.status != 'merged' AND pc.removed_at IS NULL"
_HREF_SQL = "coalesce(pc.href, p.uid || '.vcf')"


def etag(log: str, seq: int | None) -> str:
    """A card's ETag: the change log's name and the card's last change."""
    return f'"{log}-{seq or 0}-{RENDERING}"'


def listing(db: Database) -> list[Listed]:
    """Every card of the address book, with its ETag, without rendering any."""
    return _listed(db, f"SELECT p.id, {_HREF_SQL}, coalesce(pc.card_uid, p.uid) FROM people p "
                       f"LEFT JOIN phone_cards pc ON pc.person_id = p.id WHERE {_IN_BOOK} "
                       "ORDER BY p.id", [])


def find(db: Database, hrefs: Iterable[str]) -> list[Listed]:
    """The cards of these hrefs that are in the address book (the others are not)."""
    wanted = [href for href in dict.fromkeys(hrefs) if isinstance(href, str)
              and _HREF.fullmatch(href)]
    if not wanted:
        return []
    return _listed(db, f"""
        WITH wanted (href) AS (SELECT value FROM json_each(?))
        SELECT p.id, {_HREF_SQL}, coalesce(pc.card_uid, p.uid)
        FROM wanted w
        JOIN people p ON p.id = coalesce(
            (SELECT person_id FROM phone_cards WHERE href = w.href),
            (SELECT id FROM people WHERE uid = substr(w.href, 1, length(w.href) - 4)
             AND w.href GLOB '*.vcf'))
        LEFT JOIN phone_cards pc ON pc.person_id = p.id
        WHERE {_IN_BOOK} AND {_HREF_SQL} = w.href""", [json.dumps(wanted)])


def _listed(db: Database, sql: str, args: list) -> list[Listed]:
    rows = db.execute(sql, args).fetchall()
    log = sync_log.log_name(db, BOOK)
    seqs = sync_log.change_numbers(db, BOOK, None if len(rows) > 500 else [r[1] for r in rows])
    return [Listed(pid, href, uid, etag(log, seqs.get(href))) for pid, href, uid in rows]


def has_uid(db: Database, uid: str) -> bool:
    """Whether a card of the address book has this UID."""
    return db.execute(
        f"SELECT 1 FROM people p LEFT JOIN phone_cards pc ON pc.person_id = p.id "
        f"WHERE {_IN_BOOK} AND p.id IN (SELECT person_id FROM phone_cards WHERE card_uid = ? "
        "UNION SELECT id FROM people WHERE uid = ?) AND coalesce(pc.card_uid, p.uid) = ? "
        "LIMIT 1", [uid, uid, uid]).fetchone() is not None


def texts(db: Database, person_ids: Iterable[int], tz: str) -> dict[int, str]:
    """The vCard 3.0 text of each of these people's cards, built together."""
    ids = json.dumps([int(i) for i in person_ids])
    cursor = db.execute(
        f"SELECT {_PERSON_COLUMNS} FROM people p LEFT JOIN events e ON e.id = p.event_id "
        "LEFT JOIN phone_cards pc ON pc.person_id = p.id "
        "WHERE p.id IN (SELECT value FROM json_each(?))", [ids])
    names = [c[0] for c in cursor.description]
    people = [dict(zip(names, row)) for row in cursor.fetchall()]
    parts = _parts(db, ids)
    return {person["id"]: _card(person, parts, tz) for person in people}


def _parts(db: Database, ids: str) -> dict:
    """Tags, values, the next follow-up and the card photo of people (JSON list of ids)."""
    tags: dict[int, list[str]] = {}
    for person_id, tag in db.execute(
            "SELECT person_id, tag FROM person_tags WHERE person_id IN "
            "(SELECT value FROM json_each(?)) ORDER BY person_id, tag", [ids]):
        tags.setdefault(person_id, []).append(tag)
    due = dict(db.execute(
        "SELECT f.person_id, min(f.due_on) FROM followups f JOIN people p ON p.id = f.person_id "
        "WHERE f.status = 'open' AND p.status = 'active' AND f.person_id IN "
        "(SELECT value FROM json_each(?)) GROUP BY f.person_id", [ids]).fetchall())
    photos = {person_id: (mime, data) for person_id, mime, data in db.execute(
        "SELECT person_id, mime, data FROM attachments WHERE id IN (SELECT min(id) FROM "
        "attachments WHERE kind = 'card_photo' AND person_id IN (SELECT value FROM json_each(?)) "
        "GROUP BY person_id)", [ids])}
    return {"tags": tags, "more": labelled.of(db, json.loads(ids)), "due": due,
            "photos": photos}


def _own_lines(person: Mapping, parts: Mapping, tz: str) -> list[str]:
    pid = person["id"]
    return _ours(person, parts["tags"].get(pid, ()), parts["more"].get(pid, ()),
                 parts["photos"].get(pid), parts["due"].get(pid), tz)


def _card(person: Mapping, parts: Mapping, tz: str) -> str:
    ours = _own_lines(person, parts, tz)
    if person["kept"]:
        return merged(person["kept"], json.loads(person["base"] or "{}"), ours)
    uid = person["card_uid"] or person["uid"]
    return _text(["BEGIN:VCARD", "VERSION:3.0", PRODID, f"UID:{uid}", *ours, "END:VCARD"])


# ---------------------------------------------------------------- a phone writes

def check_href(href: object) -> str:
    """A card's name in the address book as a phone gives it; CardRefused for anything else."""
    if not isinstance(href, str) or not _HREF.fullmatch(href):
        raise CardRefused("A card's name is letters, digits and . _ @ + = ~ - "
                          "(at most 200), like 1A2B-3C4D.vcf.")
    return href


def _target(db: Database, href: str, uid: str) -> int | None:
    """The person a card a phone writes is: by its href, else (a card deleted on the phone
    and written again, maybe under another name) by its UID."""
    row = db.execute(
        "SELECT p.id, p.status FROM people p LEFT JOIN phone_cards pc ON pc.person_id = p.id "
        f"WHERE {_HREF_SQL} = ? AND p.id = coalesce("
        "(SELECT person_id FROM phone_cards WHERE href = ?),"
        "(SELECT id FROM people WHERE uid = substr(?, 1, length(?) - 4) AND ? GLOB '*.vcf'))",
        [href, href, href, href, href]).fetchone()
    if row is None:
        row = db.execute(
            "SELECT p.id, p.status FROM people p JOIN phone_cards pc ON pc.person_id = p.id "
            "WHERE pc.card_uid = ? AND pc.removed_at IS NOT NULL", [uid]).fetchone()
    if row is None:
        return None
    if row[1] == "merged":
        raise CardRefused("This person was merged into another; sync again to get their card.")
    return row[0]


def _read(text: str, region: str | None) -> tuple[cards.Card, str | None, dict]:
    """The card a phone sent, as FieldKit keeps a person: (card, its kind if a CATEGORY
    names one, the fields it held)."""
    try:
        entry = vcard.read_card(text.encode("utf-8"))
    except ValidationError as exc:
        raise CardRefused(str(exc)) from None
    if entry.skip:
        raise CardRefused(f"The card is cut short: {entry.skip}.")
    fields = dict(entry.fields)
    categories = [tag.strip() for tag in fields.get("tags") or () if tag.strip()]
    kinds = [KIND_LABELS[tag] for tag in categories if tag in KIND_LABELS]
    fields["tags"] = [tag for tag in categories if tag not in KIND_LABELS]
    fields["note"] = own_note(fields.get("note"))
    card, _, skip = imports.clean_entry(dataclasses.replace(entry, fields=fields),
                                        phone_region=region)
    if card is None:
        raise CardRefused(f"The card cannot be stored: {skip}.")
    return card, (kinds[0] if kinds else None), fields


def write(db: Database, href: str, uid: str, text: str, *, settings: Mapping,
          now: datetime | None = None) -> Written:
    """Store a card a phone sent as ``href`` (its UID ``uid``): the person it is, or a new one.

    An edit replaces the person's name, company, title, values, tags and
    note with the card's; what the card cannot say (starred, department,
    cadence, a field that does not validate) stays as it was. A new card is
    a new person of kind "other" (or the kind a CATEGORY names) with no
    follow-up. A card once deleted on the phone is put back. Raises
    CardRefused, writing nothing, for a card that cannot be stored.
    """
    href = check_href(href)
    if not isinstance(uid, str) or not uid.strip() or len(uid) > 500:
        raise CardRefused("A card needs a UID of at most 500 characters.")
    moment = now or clock.utc_now()
    card, kind, fields = _read(text, settings.get("phone_region"))
    with transaction(db):
        person_id = _target(db, href, uid)
        if person_id is None:
            card = dataclasses.replace(card, kind=kind or "other")
            person_id = cards.add_imported(db, card, source="vcard",
                                           met_at=clock.to_iso(moment), now=moment)
            created = True
        else:
            person = cards.person_row(db, person_id)
            kind = kind or person["kind"]
            card = dataclasses.replace(
                card, kind=kind, important=bool(person["important"]),
                department=person["department"] if kind == "colleague" else None,
                # What the card held but FieldKit could not take stays as it was.
                **{name: person[name] for name in ("company", "title", "note")
                   if fields.get(name) and getattr(card, name) is None})
            people.update(db, person_id, card)
            created = False
        try:
            db.execute(
                "INSERT INTO phone_cards (person_id, href, card_uid, kept) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (person_id) DO UPDATE SET href = excluded.href, "
                "card_uid = excluded.card_uid, kept = excluded.kept, removed_at = NULL",
                [person_id, href, uid, text])
        except sqlite3.IntegrityError:
            raise CardRefused("Another card of the address book has this name or UID.") from None
        own = _own_lines_of(db, person_id, settings["timezone"])
        db.execute("UPDATE phone_cards SET base = ? WHERE person_id = ?",
                   [json.dumps(_by_group(own), ensure_ascii=False), person_id])
        served = texts(db, [person_id], settings["timezone"])[person_id]
    return Written(person_id, created, served == text)


def _own_lines_of(db: Database, person_id: int, tz: str) -> list[str]:
    ids = json.dumps([person_id])
    cursor = db.execute(
        f"SELECT {_PERSON_COLUMNS} FROM people p LEFT JOIN events e ON e.id = p.event_id "
        "LEFT JOIN phone_cards pc ON pc.person_id = p.id WHERE p.id = ?", [person_id])
    person = dict(zip([c[0] for c in cursor.description], cursor.fetchone()))
    return _own_lines(person, _parts(db, ids), tz)


def remove(db: Database, href: str, *, now: datetime | None = None) -> int:
    """A card deleted on a phone: the person leaves the address book, nothing else changes.

    Returns the person's id; NotFound when no card of the book has this href.
    """
    stamp = clock.to_iso(now or clock.utc_now())
    with transaction(db):
        found = find(db, [href])
        if not found:
            raise NotFound("No card of the address book has this name.")
        card = found[0]
        db.execute(
            "INSERT INTO phone_cards (person_id, href, card_uid, removed_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (person_id) DO UPDATE SET removed_at = excluded.removed_at",
            [card.person_id, card.href, card.uid, stamp])
    return card.person_id


def put_back(db: Database, person_id: int) -> bool:
    """Put a person removed from the phone's contacts back in the address book."""
    with transaction(db):
        return db.execute("UPDATE phone_cards SET removed_at = NULL WHERE person_id = ? "
                          "AND removed_at IS NOT NULL", [person_id]).rowcount > 0


def removed_at(db: Database, person_id: int) -> str | None:
    """When the person was removed from the phone's contacts; None while they are in it."""
    row = db.execute("SELECT removed_at FROM phone_cards WHERE person_id = ?",
                     [person_id]).fetchone()
    return row[0] if row else None


def removed(db: Database) -> list[dict]:
    """Everyone removed from the phone's contacts, last removed first."""
    cursor = db.execute(
        "SELECT p.id, p.name, p.company, pc.removed_at FROM phone_cards pc "
        "JOIN people p ON p.id = pc.person_id WHERE pc.removed_at IS NOT NULL "
        "AND p.status != 'merged' ORDER BY pc.removed_at DESC, p.id")
    keys = [c[0] for c in cursor.description]
    return [dict(zip(keys, row)) for row in cursor.fetchall()]

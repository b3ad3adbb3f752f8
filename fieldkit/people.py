"""People: finding them, everything about one of them, editing and deleting one."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlite_utils import Database

from fieldkit import cards, clock, labelled, memos
from fieldkit.db import is_row_id, transaction
from fieldkit.errors import NotFound, ValidationError

PAGE_SIZE = 25  # results per step: each is a button drawn on every run


@dataclass(frozen=True)
class Filters:
    query: str = ""
    kind: str | None = None
    event_id: int | None = None
    tag: str | None = None


def fts_query(text: str) -> str | None:
    """A safe full-text query from anything typed: every word, as a prefix.

    Punctuation, quotes and FTS operators are dropped, so no input can make
    the search fail; None when nothing searchable is left.
    """
    words = re.findall(r"\w+", unicodedata.normalize("NFC", text or ""))[:12]
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words)


def search(db: Database, filters: Filters, *, limit: int = PAGE_SIZE, offset: int = 0) -> tuple[list[dict], int]:
    """People matching the filters, most recently met first, and the total count.

    The query searches name, company, title and note with prefixes, so
    "mar sch" finds "Maria Schneider".
    """
    where = ["c.status != 'merged'"]
    args: list = []
    match = fts_query(filters.query)
    if filters.query.strip() and match is None:
        return [], 0
    if match:
        where.append("c.id IN (SELECT rowid FROM people_fts WHERE people_fts MATCH ?)")
        args.append(match)
    if filters.kind:
        where.append("c.kind = ?")
        args.append(filters.kind)
    if filters.event_id:
        where.append("(c.event_id = ? OR c.id IN (SELECT person_id FROM touches "
                     "WHERE kind = 'met' AND event_id = ?))")
        args += [filters.event_id, filters.event_id]
    if filters.tag:
        if not filters.tag.encode("utf-8", "ignore").decode("utf-8") == filters.tag:
            return [], 0  # a lone surrogate: no stored tag can hold one
        where.append("c.id IN (SELECT person_id FROM person_tags WHERE tag = ?)")
        args.append(filters.tag)
    clause = " AND ".join(where)
    total = db.execute(f"SELECT count(*) FROM people c WHERE {clause}", args).fetchone()[0]
    cursor = db.execute(
        "SELECT c.id, c.name, c.kind, c.company, c.title, c.important, c.status, c.met_at, "
        "e.name AS event FROM people c LEFT JOIN events e ON e.id = c.event_id "
        f"WHERE {clause} ORDER BY c.met_at DESC, c.id DESC LIMIT ? OFFSET ?",
        [*args, limit, offset],
    )
    keys = [d[0] for d in cursor.description]
    return [dict(zip(keys, row)) for row in cursor.fetchall()], total


def tags_in_use(db: Database) -> list[str]:
    return [t for (t,) in db.execute(
        "SELECT DISTINCT tag FROM person_tags ORDER BY tag").fetchall()]


def person(db: Database, person_id: int) -> dict:
    """One person: the card, tags, photos, voice memos, every touch in time order, follow-ups.

    ``more``: their emails, phones and web addresses beyond the primaries,
    and their postal addresses (labelled.every gives them all).
    """
    cursor = db.execute(
        "SELECT c.*, e.name AS event FROM people c LEFT JOIN events e ON e.id = c.event_id "
        "WHERE c.id = ?", [person_id if is_row_id(person_id) else 0])
    row = cursor.fetchone()
    if row is None:
        raise NotFound("This person no longer exists.")
    found = dict(zip([d[0] for d in cursor.description], row))
    found["tags"] = [t for (t,) in db.execute(
        "SELECT tag FROM person_tags WHERE person_id = ? ORDER BY tag", [person_id])]
    found["more"] = labelled.of(db, [person_id]).get(person_id, ())
    found["photos"] = [
        {"id": i, "mime": mime, "data": data}
        for i, mime, data in db.execute(
            "SELECT id, mime, data FROM attachments WHERE person_id = ? AND kind = 'card_photo' "
            "ORDER BY id", [person_id])
    ]
    found["memos"] = memos.of(db, person_id)
    cursor = db.execute(
        "SELECT t.id, t.at, t.kind, t.channel, t.outcome, t.minutes, t.note, t.undone_at, "
        "e.name AS event FROM touches t LEFT JOIN events e ON e.id = t.event_id "
        "WHERE t.person_id = ? ORDER BY t.at, t.id", [person_id])
    keys = [d[0] for d in cursor.description]
    found["touches"] = [dict(zip(keys, r)) for r in cursor.fetchall()]
    cursor = db.execute(
        "SELECT id, due_on, reason, rung, note, status FROM followups "
        "WHERE person_id = ? AND status = 'open' ORDER BY due_on", [person_id])
    keys = [d[0] for d in cursor.description]
    found["followups"] = [dict(zip(keys, r)) for r in cursor.fetchall()]
    return found


KEEP = object()  # update(): leave this value as it is


def update(db: Database, person_id: int, card: cards.Card, *, cadence_days: object = KEEP,
           tz: object = KEEP) -> None:
    """Replace a person's details, values and tags with ``card``; history is untouched.

    The person's own cadence and time zone stay as they are unless given
    (None clears them). A name the person was given from their company or
    email (``named_from``) stays marked so until the name changes.
    """
    values = cards.columns(card)
    if cadence_days is not KEEP:
        if cadence_days is not None and (
                isinstance(cadence_days, bool) or not isinstance(cadence_days, int)
                or not 1 <= cadence_days <= 730):
            raise ValidationError("Cadence: between 1 and 730 days.", field="cadence_days")
        values["cadence_days"] = cadence_days
    if tz is not KEEP:
        if tz:
            try:
                clock.zone(tz)
            except ValidationError as exc:
                raise ValidationError(str(exc), field="tz") from None
        values["tz"] = tz or None
    with transaction(db):
        stored = cards.person_row(db, person_id)
        values["named_from"] = stored["named_from"] if stored["name"] == card.name else None
        db.table("people").update(person_id, {**values, "updated_at": clock.now_iso()})
        cards.set_tags(db, person_id, card.tags)
        labelled.replace(db, person_id, card.more)


def delete(db: Database, person_id: int) -> str:
    """Delete a person with their touches, follow-ups, tags and photos.

    Events and other people are not touched. Returns the name deleted.
    """
    with transaction(db):
        name = cards.person_row(db, person_id)["name"]
        db.execute("DELETE FROM people WHERE id = ?", [person_id])
    return name

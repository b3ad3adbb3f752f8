"""Cards: the fields of a card, capturing a person from one, editing, undoing, deleting.

A saved card is a person (``people``), their tags, an optional card photo,
a "met" touch carrying the time and the event, and the first follow-up of
the persistence ladder, all written in one transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from fieldkit import clock, config, matching, memos, normalise
from fieldkit.db import is_row_id, transaction
from fieldkit.errors import NotFound, ValidationError
from fieldkit.kinds import PERSON_KINDS
from fieldkit.ladder import next_followup
from fieldkit.memos import Memo
from fieldkit.photos import Photo


def _kind(value: object, phone_region: str | None) -> str:
    kind = value or "other"
    if not isinstance(kind, str) or kind not in PERSON_KINDS:
        raise ValidationError(f"Kind: unknown kind of relationship {normalise.quoted(kind)}.",
                              field="kind")
    return kind


@dataclass(frozen=True)
class CardField:
    """One field of a card, declared once: every list of fields derives from these."""

    name: str  # the Card attribute, and the people column of the same name
    label: str  # what the user reads: "LinkedIn"
    # How cards.clean cleans a value: (value, phone region) -> value; without
    # one, the field is free text of at most ``limit`` characters.
    rule: Callable[[object, str | None], object] | None = None
    limit: int = 0
    multiline: bool = False  # free text whose line breaks are kept
    required: bool = False
    column: bool = True  # stored in its people column (tags have a table)
    detail: bool = False  # a later card fills it in where the person has none
    only_kind: str | None = None  # kept only for people of this kind
    up_front: bool = False  # on the capture form, not folded away in the details
    scan: bool = False  # a code (vCard, MECARD, LinkedIn link) can fill it
    paper: bool = False  # a photo of a paper business card can fill it
    own_card: bool = False  # on the user's own card (vCard and its QR code)

    def __post_init__(self) -> None:
        if self.rule is None and not self.limit:
            raise ValueError(f"card field {self.name!r}: clean() needs a rule or a text limit")

    @property
    def word(self) -> str:
        """The label inside a sentence: "email", but "LinkedIn" as it is spelt."""
        return self.label if self.label[1:] != self.label[1:].lower() else self.label.lower()


# The card's fields, in the order of Card, of cleaning and of a form that shows them all.
FIELDS: tuple[CardField, ...] = (
    CardField("name", "Name", limit=200, required=True, up_front=True, scan=True,
              own_card=True, paper=True),
    CardField("kind", "Kind", rule=_kind, up_front=True),
    CardField("department", "Department", limit=100, detail=True, only_kind="colleague"),
    CardField("company", "Company", limit=200, detail=True, scan=True, own_card=True, paper=True),
    CardField("title", "Title", limit=200, detail=True, scan=True, own_card=True, paper=True),
    CardField("email", "Email", rule=lambda value, _: normalise.email(value), detail=True,
              scan=True, own_card=True, paper=True),
    CardField("phone", "Phone", rule=normalise.phone, detail=True, scan=True, own_card=True,
              paper=True),
    CardField("linkedin_url", "LinkedIn", rule=lambda value, _: normalise.linkedin(value),
              detail=True, scan=True, own_card=True, paper=True),
    CardField("website", "Website", rule=lambda value, _: normalise.website(value),
              detail=True, scan=True, own_card=True, paper=True),
    CardField("note", "Note", limit=4000, multiline=True, detail=True, scan=True, paper=True),
    CardField("important", "Starred", rule=lambda value, _: bool(value), up_front=True),
    CardField("tags", "Tags", rule=lambda value, _: tuple(normalise.tags(value)),
              column=False, scan=True),
)
FIELD_NAMES: tuple[str, ...] = tuple(spec.name for spec in FIELDS)
# Fields a later card can fill in on a known person; all optional text.
DETAIL_FIELDS: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.detail)
_STORED = tuple(spec.name for spec in FIELDS if spec.column)
# The people columns a card sets, match keys included.
COLUMNS: tuple[str, ...] = (*_STORED, "name_key", "company_key")


@dataclass(frozen=True)
class Card:
    """A validated, normalised card, ready to store."""

    name: str
    kind: str = "other"
    department: str | None = None
    company: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    linkedin_url: str | None = None
    website: str | None = None
    note: str | None = None
    important: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)


def kept_for(spec: CardField, kind: str) -> bool:
    """Whether a person of ``kind`` keeps this field (a department is a colleague's)."""
    return spec.only_kind is None or spec.only_kind == kind


# clean() runs for every row of an import: each field's facts, read once,
# and what its rule makes of a field left out (kind "other", no tags...).
_CLEANING = tuple((spec, spec.name, spec.rule, spec.label, spec.limit, spec.multiline,
                   spec.required, spec.only_kind is not None,
                   None if spec.rule is None else spec.rule(None, None)) for spec in FIELDS)


def clean(fields: Mapping[str, object], *, phone_region: str | None = None) -> Card:
    """Validate and normalise what the user typed into a card.

    Only the name is required. The first bad field, in FIELDS order, raises
    ValidationError with ``field`` set, so the form can say which one to fix.
    """
    values: dict[str, object] = {}
    for spec, name, rule, label, limit, multiline, required, for_some_kinds, empty in _CLEANING:
        value = fields.get(name)
        if value is None:
            value = empty
        elif rule is None:
            value = normalise.text(value, name, label=label, limit=limit, multiline=multiline)
        else:
            value = rule(value, phone_region)
        if value is None and required:
            raise ValidationError(f"{label}: a card needs at least a {label.lower()}.",
                                  field=name)
        # Checked, then left out: kind comes before any field that depends on it.
        if for_some_kinds and not kept_for(spec, values["kind"]):
            value = None
        values[name] = value
    return Card(**values)


def details_to_fill(card: Card, person: Mapping) -> dict:
    """The details ``card`` adds to a known person: only where the person has none."""
    return {spec.name: getattr(card, spec.name) for spec in FIELDS
            if spec.detail and getattr(card, spec.name) and not person[spec.name]
            and kept_for(spec, person["kind"])}


def _columns(card: Card) -> dict:
    """The people columns a card sets, match keys included."""
    values = {name: getattr(card, name) for name in _STORED}
    values["important"] = int(card.important)
    values["name_key"] = matching.name_key(card.name)
    values["company_key"] = matching.company_key(card.company)
    return values


def imported_row(card: Card, *, source: str, met_at: str, stamp: str) -> dict:
    """The people row of a person brought in from another address book."""
    if source not in ("linkedin", "vcard", "scan"):
        raise ValueError(f"unknown import source {source!r}")
    return {"uid": str(uuid.uuid4()), **_columns(card), "met_at": met_at, "source": source,
            "created_at": stamp, "updated_at": stamp}


def _first_followup(db: Database, person_id: int, card_kind: str, now: datetime,
                    settings: Mapping) -> int:
    met_on = clock.local_date(now, settings["timezone"])
    first = next_followup(met_on, [], [], settings["ladder_gaps"],
                          config.cadence_days(settings, card_kind))
    return db.execute(
        "INSERT INTO followups (uid, person_id, due_on, reason, rung, status, created_at) "
        "VALUES (?, ?, ?, ?, ?, 'open', ?)",
        [str(uuid.uuid4()), person_id, first.due_on.isoformat(), first.reason, first.rung,
         clock.to_iso(now)],
    ).lastrowid


def _store_photo(db: Database, person_id: int, photo: Photo, now: datetime) -> int:
    return db.execute(
        "INSERT INTO attachments (person_id, kind, mime, bytes, data, created_at) "
        "VALUES (?, 'card_photo', ?, ?, ?, ?)",
        [person_id, photo.mime, len(photo.data), photo.data, clock.to_iso(now)],
    ).lastrowid


def _set_tags(db: Database, person_id: int, tags: tuple[str, ...]) -> None:
    db.execute("DELETE FROM person_tags WHERE person_id = ?", [person_id])
    for tag in tags:
        db.execute("INSERT INTO person_tags (person_id, tag) VALUES (?, ?)", [person_id, tag])


def save(db: Database, card: Card, *, settings: Mapping, event_id: int | None = None,
         photo: Photo | None = None, memo: Memo | None = None, now: datetime | None = None,
         source: str = "capture", uid: str | None = None) -> int:
    """Store a new person met now (at ``event_id``); returns their id.

    A card photo and a voice memo (both already checked) are kept with them.
    Also records the "met" touch and schedules the first follow-up for the
    next day, all in one transaction. A ``uid`` (one per capture form) makes
    the save idempotent: saving again with it, as a double tap on Save does,
    returns the person the first save stored and writes nothing.
    """
    now = now or clock.utc_now()
    stamp = clock.to_iso(now)
    values = _columns(card)
    with transaction(db):
        if uid is not None and (existing := saved_uid(db, uid)) is not None:
            return existing
        person_id = db.table("people").insert({
            "uid": uid or str(uuid.uuid4()), **values, "event_id": event_id, "met_at": stamp,
            "source": source, "created_at": stamp, "updated_at": stamp,
        }).last_pk
        _set_tags(db, person_id, card.tags)
        if photo is not None:
            _store_photo(db, person_id, photo, now)
        if memo is not None:
            memos.store(db, person_id, memo, now)
        db.execute(
            "INSERT INTO touches (person_id, event_id, at, kind, channel, minutes, data, "
            "created_at) VALUES (?, ?, ?, 'met', 'in_person', 0, ?, ?)",
            [person_id, event_id, stamp, json.dumps({"created": True}), stamp],
        )
        _first_followup(db, person_id, card.kind, now, settings)
    return person_id


def saved_uid(db: Database, uid: str) -> int | None:
    """The id of the person stored under ``uid``, if any."""
    row = db.execute("SELECT id FROM people WHERE uid = ?", [uid]).fetchone()
    return row[0] if row else None


def add_imported(db: Database, card: Card, *, source: str, met_at: str,
                 now: datetime | None = None) -> int:
    """Store a person brought in from another address book; returns their id.

    Unlike a card captured at a booth, an imported person gets no "met" touch
    (it is not networking done now) and no follow-up (five hundred imported
    connections must not flood tomorrow's queue). Runs inside the caller's
    transaction, so a whole import lands at once.
    """
    row = imported_row(card, source=source, met_at=met_at,
                       stamp=clock.to_iso(now or clock.utc_now()))
    with transaction(db):
        person_id = db.table("people").insert(row).last_pk
        _set_tags(db, person_id, card.tags)
    return person_id


def add_meeting(db: Database, person_id: int, card: Card, *, settings: Mapping,
                event_id: int | None = None, photo: Photo | None = None,
                memo: Memo | None = None, now: datetime | None = None) -> int:
    """Record meeting a known person again instead of creating a twin.

    Details the person lacks are filled in from ``card`` (nothing known is
    overwritten); the card's note is kept on the touch. Returns the touch id.
    """
    now = now or clock.utc_now()
    stamp = clock.to_iso(now)
    with transaction(db):
        person = person_row(db, person_id)
        # The card's note stays with this meeting's touch.
        filled = {name: value for name, value in details_to_fill(card, person).items()
                  if name != "note"}
        if filled:
            keys = {"company_key": matching.company_key(filled["company"])} \
                if "company" in filled else {}
            db.table("people").update(person_id, {**filled, **keys, "updated_at": stamp})
        known_tags = {t for (t,) in db.execute(
            "SELECT tag FROM person_tags WHERE person_id = ?", [person_id]).fetchall()}
        new_tags = [t for t in card.tags if t not in known_tags]
        for tag in new_tags:
            db.execute("INSERT INTO person_tags (person_id, tag) VALUES (?, ?)",
                       [person_id, tag])
        photo_id = _store_photo(db, person_id, photo, now) if photo is not None else None
        memo_id = memos.store(db, person_id, memo, now) if memo is not None else None
        has_open = db.execute(
            "SELECT 1 FROM followups WHERE person_id = ? AND status = 'open'", [person_id]
        ).fetchone()
        followup_id = None
        if not has_open and person["status"] == "active":
            followup_id = _first_followup(db, person_id, person["kind"], now, settings)
        # What this meeting added, so that undo can take exactly that back.
        added = {"created": False, "filled": list(filled), "tags": new_tags,
                 "photo": photo_id, "followup": followup_id}
        if memo_id is not None:
            added["memo"] = memo_id
        cursor = db.execute(
            "INSERT INTO touches (person_id, event_id, at, kind, channel, minutes, note, "
            "data, created_at) VALUES (?, ?, ?, 'met', 'in_person', 0, ?, ?, ?)",
            [person_id, event_id, stamp, card.note, json.dumps(added), stamp],
        )
    return cursor.lastrowid


def undo_capture(db: Database, touch_id: int) -> str:
    """Take back a capture: delete the new person, or the added meeting.

    For a meeting added to a known person, the details it filled in are
    cleared again. Returns the person's name for the confirmation message.
    """
    with transaction(db):
        row = db.execute(
            "SELECT t.person_id, t.data, c.name FROM touches t "
            "JOIN people c ON c.id = t.person_id WHERE t.id = ? AND t.kind = 'met'",
            [touch_id],
        ).fetchone()
        if row is None:
            raise NotFound("That capture is already gone.")
        person_id, data, name = row
        data = json.loads(data or "{}")
        if data.get("created"):
            db.execute("DELETE FROM people WHERE id = ?", [person_id])
            return name
        for column in data.get("filled", []):
            if column in DETAIL_FIELDS:
                db.execute(f"UPDATE people SET [{column}] = NULL WHERE id = ?", [person_id])
            if column == "company":
                db.execute("UPDATE people SET company_key = NULL WHERE id = ?", [person_id])
        for attachment in ("photo", "memo"):
            if data.get(attachment):
                db.execute("DELETE FROM attachments WHERE id = ? AND person_id = ?",
                           [data[attachment], person_id])
        if data.get("followup"):
            db.execute("DELETE FROM followups WHERE id = ? AND person_id = ? "
                       "AND status = 'open'", [data["followup"], person_id])
        for tag in data.get("tags", []):
            db.execute("DELETE FROM person_tags WHERE person_id = ? AND tag = ?",
                       [person_id, tag])
        db.execute("DELETE FROM touches WHERE id = ?", [touch_id])
    return name


def recent_captures(db: Database, limit: int = 5) -> list[dict]:
    """The last cards saved or meetings added, newest first, for the undo list."""
    rows = db.execute(
        "SELECT t.id, t.person_id, t.at, c.name, c.company, c.kind, e.name, t.data "
        "FROM touches t INDEXED BY touches_captures JOIN people c ON c.id = t.person_id "
        "LEFT JOIN events e ON e.id = t.event_id "
        "WHERE t.kind = 'met' AND t.data IS NOT NULL ORDER BY t.id DESC LIMIT ?",
        [limit],
    ).fetchall()
    keys = ("touch_id", "person_id", "at", "name", "company", "kind", "event", "data")
    captures = []
    for row in rows:
        capture = dict(zip(keys, row))
        capture["added_meeting"] = not json.loads(capture.pop("data")).get("created", False)
        captures.append(capture)
    return captures


def person_row(db: Database, person_id: int) -> dict:
    """Every stored column of one person; NotFound when they are gone."""
    cursor = db.execute("SELECT * FROM people WHERE id = ?",
                        [person_id if is_row_id(person_id) else 0])
    row = cursor.fetchone()
    if row is None:
        raise NotFound("This person no longer exists.")
    return dict(zip([c[0] for c in cursor.description], row))


KEEP = object()  # update(): leave this value as it is


def update(db: Database, person_id: int, card: Card, *, cadence_days: object = KEEP,
           tz: object = KEEP) -> None:
    """Replace a person's details and tags with ``card``; history is untouched.

    The person's own cadence and time zone stay as they are unless given
    (None clears them).
    """
    values = _columns(card)
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
        person_row(db, person_id)
        db.table("people").update(person_id, {**values, "updated_at": clock.now_iso()})
        _set_tags(db, person_id, card.tags)


def delete(db: Database, person_id: int) -> str:
    """Delete a person with their touches, follow-ups, tags and photos.

    Events and other people are not touched. Returns the name deleted.
    """
    with transaction(db):
        name = person_row(db, person_id)["name"]
        db.execute("DELETE FROM people WHERE id = ?", [person_id])
    return name


def card_of(person: Mapping) -> Card:
    """The Card held in a stored person row (for editing forms)."""
    values = {name: person.get(name) for name in _STORED}
    values["important"] = bool(values["important"])
    return Card(**values, tags=tuple(person.get("tags", ())))

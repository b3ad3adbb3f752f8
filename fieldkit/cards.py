"""Cards: the fields of a card, capturing a person from one, editing, undoing, deleting.

A saved card is a person (``people``), their emails, phones, web and
postal addresses beyond the primaries (``labelled_values``, see
fieldkit.labelled), their tags, an optional card photo, a "met" touch
carrying the time and the event, and the first follow-up of the
persistence ladder, all written in one transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlite_utils import Database

from fieldkit import clock, config, labelled, matching, memos, normalise
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
    # Goes wherever this other field goes: a label with its value, how a
    # name was made with the name (a merge never chooses it on its own).
    follows: str | None = None

    def __post_init__(self) -> None:
        if self.rule is None and not self.limit:
            raise ValueError(f"card field {self.name!r}: clean() needs a rule or a text limit")

    @property
    def word(self) -> str:
        """The label inside a sentence: "email", but "LinkedIn" as it is spelt."""
        return self.label if self.label[1:] != self.label[1:].lower() else self.label.lower()


def _label(value: object, _) -> str | None:
    return labelled.clean_label(value)


# Where the name of a card that had none came from (people.named_from).
NAMED_FROM: dict[str, str] = {"company": "company", "email": "email", "phone": "phone",
                              "url": "web address", "address": "postal address"}


def _named_from(value: object, _) -> str | None:
    if value is None or (isinstance(value, str) and value in NAMED_FROM):
        return value
    raise ValidationError(f"Named after: unknown source {normalise.quoted(value)}.",
                          field="named_from")


def _no_more(value: object, _) -> tuple:
    if value:
        raise ValueError("clean() takes a card's values as 'values', not 'more'")
    return ()


# The card's fields, in the order of Card, of cleaning and of a form that shows them all.
FIELDS: tuple[CardField, ...] = (
    CardField("name", "Name", limit=200, required=True, up_front=True, scan=True,
              own_card=True, paper=True),
    CardField("kind", "Kind", rule=_kind, up_front=True),
    CardField("department", "Department", limit=100, detail=True, only_kind="colleague"),
    CardField("company", "Company", limit=200, detail=True, scan=True, own_card=True, paper=True),
    CardField("title", "Title", limit=200, detail=True, scan=True, own_card=True, paper=True),
    # The primary email, phone and web address, each with its label; the
    # card's other values and every postal address are in ``more``
    # (fieldkit.labelled). Typed on a form, they must validate.
    CardField("email", "Email", rule=lambda value, _: normalise.email(value), scan=True,
              own_card=True, paper=True),
    CardField("email_label", "Email label", rule=_label, follows="email"),
    CardField("phone", "Phone", rule=normalise.phone, scan=True, own_card=True, paper=True),
    CardField("phone_label", "Phone label", rule=_label, follows="phone"),
    CardField("linkedin_url", "LinkedIn", rule=lambda value, _: normalise.linkedin(value),
              detail=True, scan=True, own_card=True, paper=True),
    CardField("website", "Website", rule=lambda value, _: normalise.website(value),
              scan=True, own_card=True, paper=True),
    CardField("website_label", "Website label", rule=_label, follows="website"),
    CardField("note", "Note", limit=4000, multiline=True, detail=True, scan=True,
              paper=True),
    CardField("important", "Starred", rule=lambda value, _: bool(value), up_front=True),
    CardField("tags", "Tags", rule=lambda value, _: tuple(normalise.tags(value)),
              column=False, scan=True),
    # Made by clean() from the ``values`` it is given (see _values).
    CardField("more", "Emails, phones and addresses", rule=_no_more, column=False),
    CardField("named_from", "Named after", rule=_named_from, follows="name"),
)
FIELD_NAMES: tuple[str, ...] = tuple(spec.name for spec in FIELDS)
# Fields a later card can fill in on a known person; all optional text.
DETAIL_FIELDS: tuple[str, ...] = tuple(spec.name for spec in FIELDS if spec.detail)
_STORED = tuple(spec.name for spec in FIELDS if spec.column)
# The people columns a card sets, match keys included.
COLUMNS: tuple[str, ...] = (*_STORED, "name_key", "company_key")
# The people columns of the primary values and their labels (fieldkit.labelled).
VALUE_COLUMNS: tuple[str, ...] = tuple(
    name for kind, column in labelled.PRIMARY_COLUMNS.items()
    for name in (column, labelled.LABEL_COLUMNS[kind]))


@dataclass(frozen=True)
class Card:
    """A validated, normalised card, ready to store.

    ``email``, ``phone`` and ``website`` are the primary of their kind, with
    their labels; ``more`` holds the card's other values and every postal
    address. ``values()`` gives them all.
    """

    name: str
    kind: str = "other"
    department: str | None = None
    company: str | None = None
    title: str | None = None
    email: str | None = None
    email_label: str | None = None
    phone: str | None = None
    phone_label: str | None = None
    linkedin_url: str | None = None
    website: str | None = None
    website_label: str | None = None
    note: str | None = None
    important: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)
    more: tuple[labelled.Labelled, ...] = field(default_factory=tuple)
    named_from: str | None = None

    def values(self) -> tuple[labelled.Labelled, ...]:
        """Every email, phone, web address and postal address, the primaries first."""
        return labelled.every(vars(self), self.more)

    def all_of(self, kind: str) -> list[str]:
        """Every value of ``kind`` ("email", "phone", ...), the primary first."""
        return [value.value for value in self.values() if value.kind == kind]


def kept_for(spec: CardField, kind: str) -> bool:
    """Whether a person of ``kind`` keeps this field (a department is a colleague's)."""
    return spec.only_kind is None or spec.only_kind == kind


# clean() runs for every row of an import: each field's facts, read once,
# and what its rule makes of a field left out (kind "other", no tags...).
_CLEANING = tuple((spec, spec.name, spec.rule, spec.label, spec.limit, spec.multiline,
                   spec.required, spec.only_kind is not None,
                   None if spec.rule is None else spec.rule(None, None)) for spec in FIELDS)


def clean(fields: Mapping[str, object], *, phone_region: str | None = None,
          checked_values: bool = False, as_stored: Collection[tuple[str, str]] = (),
          dropped: list[str] | None = None) -> Card:
    """Validate and normalise what the user typed into a card, or what a file holds.

    Only the name is required. The first bad field, in FIELDS order, raises
    ValidationError with ``field`` set, so the form can say which one to fix.

    ``values`` are more emails, phones, web addresses and postal addresses,
    as (kind, label, value); a postal address's value maps its parts
    (labelled.ADDRESS_PARTS). They come after the email, phone and website
    fields, and the first of each kind the card has is its primary. One that
    does not validate is kept as written (labelled.clean); with
    ``checked_values`` an email or web address must validate, unless it is
    in ``as_stored`` as (kind, value): kept as written before. A value that
    cannot be kept at all (too long; more than labelled.MAX_PER_KIND of a
    kind) raises ValidationError, or is noted in ``dropped`` when given.
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
    for kind, column in labelled.PRIMARY_COLUMNS.items():
        if values[column] is None:
            values[labelled.LABEL_COLUMNS[kind]] = None  # a label without its value
    raw = fields.get("values")
    if raw is not None and not (isinstance(raw, (list, tuple)) and not raw):
        more = _values(raw, phone_region, checked_values, as_stored, dropped)
        every = labelled.ordered([*labelled.primaries(values), *more])
        if values["linkedin_url"] is None:
            every, values["linkedin_url"] = _profile_among(every)
        columns, values["more"] = labelled.split(every)
        values.update(columns)
    return Card(**values)


def _profile_among(values: tuple[labelled.Labelled, ...]
                   ) -> tuple[tuple[labelled.Labelled, ...], str | None]:
    """The first web address that is a LinkedIn profile is the card's LinkedIn."""
    for value in values:
        # Every form of a profile link normalise.linkedin takes names LinkedIn or is "in/...".
        if value.kind == "url" and ("linkedin" in value.value.lower()
                                    or value.value[:3].lower() == "in/"):
            try:
                profile = normalise.linkedin(value.value)
            except ValidationError:
                continue
            return tuple(v for v in values if v is not value), profile
    return values, None


def _values(raw: object, region: str | None, checked_values: bool,
            as_stored: Collection[tuple[str, str]], dropped: list[str] | None
            ) -> list[labelled.Labelled]:
    """The values given to clean(), each cleaned (labelled.clean)."""
    problem = ValidationError("Emails, phones and addresses: expected a list of "
                              "(kind, label, value).", field="more")
    if isinstance(raw, (str, bytes, Mapping)) or not isinstance(raw, Iterable):
        raise problem
    kept: list[labelled.Labelled] = []
    counts = dict.fromkeys(labelled.KINDS, 0)
    for item in raw:
        if isinstance(item, labelled.Labelled):
            kind, label, value = item.kind, item.label, item.value
            if kind == "address":
                value = labelled.address_parts(value)
        elif isinstance(item, (tuple, list)) and len(item) == 3:
            kind, label, value = item
        else:
            raise problem
        if kind not in counts:
            raise problem
        strict = (checked_values and kind in ("email", "url")
                  and (kind, value) not in as_stored)
        try:
            cleaned = labelled.clean(kind, value, label=label, region=region, strict=strict)
        except ValidationError as exc:
            if dropped is None:
                raise ValidationError(str(exc), field="more") from None
            head, sep, rest = str(exc).partition(": ")
            dropped.append(f"{labelled.NOUNS[kind][0]} ignored: {rest if sep else head}")
            continue
        if cleaned is None:
            continue
        counts[kind] += 1
        if counts[kind] <= labelled.MAX_PER_KIND:
            kept.append(cleaned)
    for kind, count in counts.items():
        if count > labelled.MAX_PER_KIND:
            message = (f"only the first {labelled.MAX_PER_KIND} of {count} "
                       f"{labelled.NOUNS[kind][1]} kept")
            if dropped is None:
                raise ValidationError(f"At most {labelled.MAX_PER_KIND} "
                                      f"{labelled.NOUNS[kind][1]} per person.", field="more")
            dropped.append(message)
    return kept


def details_to_fill(card: Card, person: Mapping) -> dict:
    """The details ``card`` adds to a known person: only where the person has none."""
    return {spec.name: getattr(card, spec.name) for spec in FIELDS
            if spec.detail and getattr(card, spec.name) and not person[spec.name]
            and kept_for(spec, person["kind"])}


def columns(card: Card) -> dict:
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
    return {"uid": str(uuid.uuid4()), **columns(card), "met_at": met_at, "source": source,
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


def set_tags(db: Database, person_id: int, tags: tuple[str, ...]) -> None:
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
    values = columns(card)
    with transaction(db):
        if uid is not None and (existing := saved_uid(db, uid)) is not None:
            return existing
        person_id = db.table("people").insert({
            "uid": uid or str(uuid.uuid4()), **values, "event_id": event_id, "met_at": stamp,
            "source": source, "created_at": stamp, "updated_at": stamp,
        }).last_pk
        set_tags(db, person_id, card.tags)
        labelled.replace(db, person_id, card.more)
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
        set_tags(db, person_id, card.tags)
        labelled.replace(db, person_id, card.more)
    return person_id


def add_meeting(db: Database, person_id: int, card: Card, *, settings: Mapping,
                event_id: int | None = None, photo: Photo | None = None,
                memo: Memo | None = None, now: datetime | None = None) -> int:
    """Record meeting a known person again instead of creating a twin.

    Details the person lacks are filled in from ``card``, and every email,
    phone, web or postal address the person does not have yet is added
    (nothing known is overwritten); the card's note is kept on the touch.
    Returns the touch id.
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
        added_values = labelled.add(db, person_id, person, card.values())
        if added_values["columns"] or added_values["ids"]:
            db.execute("UPDATE people SET updated_at = ? WHERE id = ?", [stamp, person_id])
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
        added = {"created": False, "filled": [*filled, *added_values["columns"]],
                 "tags": new_tags, "photo": photo_id, "followup": followup_id}
        if added_values["ids"]:
            added["values"] = added_values["ids"]
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
            if column in DETAIL_FIELDS or column in VALUE_COLUMNS:
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
        for value_id in data.get("values", []):
            db.execute("DELETE FROM labelled_values WHERE id = ? AND person_id = ?",
                       [value_id, person_id])
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


def card_of(person: Mapping) -> Card:
    """The Card held in a stored person (people.person: the row, its tags and values)."""
    values = {name: person.get(name) for name in _STORED}
    values["important"] = bool(values["important"])
    return Card(**values, tags=tuple(person.get("tags", ())),
                more=tuple(person.get("more", ())))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _NAME_LIMIT else text[:_NAME_LIMIT - 1].rstrip() + "…"


_NAME_LIMIT = next(spec.limit for spec in FIELDS if spec.name == "name")


def names_for(card: Card) -> list[tuple[str, str]]:
    """What a card without a name can be called, best first: (name, named_from).

    Its company, then each email, phone, web address (the LinkedIn profile
    first) and postal address, as the user would read it.
    """
    found = [(_short(card.company), "company")] if card.company else []
    values = card.values()
    for value in labelled.of_kind(values, "email"):
        found.append((_short(value.value), "email"))
    for value in labelled.of_kind(values, "phone"):
        shown = normalise.phone_display(value.value) if value.checked else value.value
        found.append((_short(shown), "phone"))
    urls = [card.linkedin_url] if card.linkedin_url else []
    for url in urls + [value.value for value in labelled.of_kind(values, "url")]:
        bare = url.split("://", 1)[1] if "://" in url else url
        found.append((_short(bare.removeprefix("www.").rstrip("/") or url), "url"))
    for value in labelled.of_kind(values, "address"):
        found.append((_short(labelled.address_lines(value.value)[0]), "address"))
    return found


def named(card: Card, *, maybe_made: bool = False) -> Card | None:
    """A card with a name: as it is, or named after what it holds (``named_from``).

    A card whose name is a placeholder (``maybe_made``: a file's writer may
    have put the company or an email where the name goes) is named after
    what its name is one of (``names_for``, case aside). None when a card
    without a name holds nothing to name it by.
    """
    if card.name and card.named_from is None and maybe_made:
        same = card.name.casefold()
        for name, source in names_for(card):
            if name.casefold() == same:
                return replace(card, name=name, named_from=source)
    if card.name:
        return card
    found = names_for(card)
    return replace(card, name=found[0][0], named_from=found[0][1]) if found else None

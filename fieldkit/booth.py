"""Cards taken on the booth page, with or without a network, stored when they arrive.

The booth page keeps each card in the phone's outbox with an id of its own
(a UUID) and the moment it was taken, and sends it when the server can be
reached: seconds later, or the next morning. ``receive`` stores one such
card as Save card stores a typed one (``cards.clean``, then ``cards.save``),
with three differences that come from the card having waited:

- It is stored once by its id: sent again (an answer lost on the way back),
  it returns the person the first sending stored and changes nothing.
- It keeps the time it was taken and the event you were checked in to then,
  not the time it arrived.
- Nobody is there to answer "is this someone you know?", so a card that
  looks like someone known is stored and put up for review
  (``fieldkit.reviews``) instead of waiting for an answer.

A card that is not valid is refused with the message a typed card would
get, and stays on the phone until it is fixed or discarded.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image
from sqlite_utils import Database

from fieldkit import cards, checkins, clock, config, matching, normalise, photos, reviews
from fieldkit.db import transaction
from fieldkit.errors import FieldkitError, ValidationError

# The fields the booth page sends; the rest of a card is added on FieldKit's pages.
FIELDS: tuple[str, ...] = ("name", "kind", "important", "department", "company", "title",
                           "email", "phone", "linkedin_url", "website", "note", "tags")
# The booth page's own fields typed as text (kind is picked, important switched on); a
# capture form the phone kept for want of a connection sends the others too.
TEXT_FIELDS: tuple[str, ...] = ("name", "company", "title", "email", "phone", "note")
# A phone's clock may run a little ahead of the server's.
CLOCK_AHEAD = timedelta(minutes=10)
# Older than this, a "captured at" is a wrong clock, not a card that waited.
OLDEST = timedelta(days=366)
# A photo as the phone sends it, base64 (four characters for three bytes).
MAX_PHOTO_TEXT = (photos.MAX_UPLOAD_BYTES + 2) // 3 * 4
MAX_CARD_TEXT = 64 * 1024  # a card as JSON, without its photo

STORED, ALREADY, INVALID = "stored", "already", "invalid"


@dataclass(frozen=True)
class Receipt:
    """What became of one card: stored now, stored before, or refused with a message."""

    id: str
    status: str
    person_id: int | None = None
    message: str | None = None
    review: bool = False
    field: str | None = None  # the field a refusal is about, when it is about one

    def as_dict(self) -> dict:
        return {"id": self.id, "status": self.status, "person_id": self.person_id,
                "message": self.message, "review": self.review, "field": self.field}


@dataclass(frozen=True)
class Sent:
    """One card as the phone sent it, checked: ready to store."""

    id: str
    captured_at: datetime
    card: cards.Card
    photo: photos.Photo | None
    photo_image: Image.Image | None = None  # decoded once, upright: what is read


def card_id(value: object) -> str:
    """The card's id as stored: a UUID, in its usual lower-case form."""
    if isinstance(value, str) and len(value) == 36:
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            pass
        else:
            if str(parsed) == value.lower():
                return str(parsed)
    raise ValidationError("The card has no valid id.", field="id")


def captured_at(value: object, *, now: datetime) -> datetime:
    """When the card was taken: an ISO 8601 time with its offset, not in the future."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) and len(value) < 40 \
            else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationError("The card's capture time is not a time with a time zone.",
                              field="captured_at")
    if moment > now + CLOCK_AHEAD:
        raise ValidationError("The card's capture time is in the future: check the phone's "
                              "clock.", field="captured_at")
    if moment < now - OLDEST:
        raise ValidationError("The card's capture time is more than a year ago: check the "
                              "phone's clock.", field="captured_at")
    return moment


def _fields(value: object) -> dict:
    if not isinstance(value, Mapping):
        raise ValidationError("The card has no fields.", field="fields")
    unknown = sorted(str(name)[:40] for name in value if name not in FIELDS)
    if unknown:
        raise ValidationError(f"The card has fields FieldKit does not know: "
                              f"{', '.join(unknown)}.", field="fields")
    for name, field_value in value.items():
        allowed = (bool,) if name == "important" else (str,)
        if field_value is not None and not isinstance(field_value, allowed):
            raise ValidationError(f"The card's {name} is not "
                                  f"{'true or false' if name == 'important' else 'text'}.",
                                  field=name)
    return dict(value)


def _photo(value: object) -> tuple[photos.Photo, Image.Image] | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError("Photo: not an image.", field="photo")
    if len(value) > MAX_PHOTO_TEXT:
        raise ValidationError(f"Photo: too large (at most {photos.MAX_UPLOAD_BYTES // 2**20} MB).",
                              field="photo")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("Photo: it did not arrive whole (not base64); take it again.",
                              field="photo") from None
    image = photos.load(data, side=photos.MAX_SIDE)  # the one decode, small from the start
    return photos.stored(image), image


def check(sent: object, *, phone_region: str | None, now: datetime) -> Sent:
    """The card as sent, validated and normalised as a typed one is; raises ValidationError."""
    if not isinstance(sent, Mapping):
        raise ValidationError("This is not a card.")
    photo = _photo(sent.get("photo"))
    return Sent(
        id=card_id(sent.get("id")),
        captured_at=captured_at(sent.get("captured_at"), now=now),
        card=cards.clean(_fields(sent.get("fields")), phone_region=phone_region),
        photo=photo[0] if photo else None,
        photo_image=photo[1] if photo else None,
    )


def filled_from_photo(card: cards.Card, read: Mapping[str, str], *,
                      phone_region: str | None) -> tuple[cards.Card, tuple[str, ...]]:
    """``card`` with its empty fields filled from what its photo says, and which were filled.

    What was typed is kept; a value read that does not pass the card's rules
    (a misread email) is left out, as the capture form would refuse it.
    """
    fields = {name: getattr(card, name) for name in FIELDS}  # what the booth sent, cleaned
    filled = []
    for name, value in read.items():
        if name not in cards.FIELD_NAMES or fields.get(name) not in (None, ""):
            continue
        try:
            cards.clean({**fields, name: value}, phone_region=phone_region)
        except ValidationError:
            continue
        fields[name] = value
        filled.append(name)
    return cards.clean(fields, phone_region=phone_region), tuple(filled)


def _text_size(sent: Mapping) -> int:
    text = {name: value for name, value in sent.items() if name != "photo"}
    # surrogatepass: a lone surrogate is counted here and refused by cards.clean.
    return len(json.dumps(text, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass"))


def received(db: Database, card_id_: str) -> tuple[int | None] | None:
    """(person id, or None when deleted since) when the card was stored before, else None.

    Before means from the outbox, or by the capture form whose Save the phone
    kept when it could not reach the server: that card's id is the form's own
    (``cards.save``'s ``uid``), so whichever lands first stores it, once.
    """
    row = db.execute("SELECT person_id FROM received_cards WHERE card_id = ?",
                     [card_id_]).fetchone()
    if row:
        return (row[0],)
    saved = cards.saved_uid(db, card_id_)
    return (saved,) if saved is not None else None


def receive(db: Database, sent: object, *, now: datetime | None = None,
            read_photo: Callable[[Image.Image, str | None], Mapping[str, str]] | None = None
            ) -> Receipt:
    """Store one card from the booth's outbox, once; what became of it.

    All of a card lands or none of it: the person, their photo, the "met"
    touch, the first follow-up, the review and the record of its id. With
    ``read_photo`` (the photo decoded, phone region -> the card's fields), a
    card photo fills the fields left empty, before the write begins, and
    the person waits for review (the user has not seen what was read).
    """
    now = now or clock.utc_now()
    raw_id = sent.get("id") if isinstance(sent, Mapping) else None
    try:
        the_id = card_id(raw_id)
        if _text_size(sent) > MAX_CARD_TEXT:
            raise ValidationError(f"The card's text is too long (at most {MAX_CARD_TEXT // 1024} "
                                  "kB without its photo).")
    except ValidationError as exc:
        shown_id = raw_id if isinstance(raw_id, str) and len(raw_id) <= 64 else ""
        return Receipt(shown_id, INVALID, message=str(exc), field=exc.field)
    if (before := received(db, the_id)) is not None:
        return Receipt(the_id, ALREADY, person_id=before[0])
    settings = config.load(db)
    region = settings["phone_region"]
    try:
        checked = check(sent, phone_region=region, now=now)
    except ValidationError as exc:
        return Receipt(the_id, INVALID, message=str(exc), field=exc.field)
    card, read = checked.card, ()
    if read_photo is not None and checked.photo_image is not None:
        # Read outside the write (it takes most of a second), never failing the card.
        try:
            found = read_photo(checked.photo_image, region)
        except FieldkitError:
            found = {}
        card, read = filled_from_photo(card, found, phone_region=region)
    with transaction(db):
        if (before := received(db, the_id)) is not None:  # sent twice at once
            return Receipt(the_id, ALREADY, person_id=before[0])
        twins = matching.twins(db, card)
        person_id = cards.save(db, card, settings=settings,
                               event_id=checkins.event_at(db, checked.captured_at),
                               photo=checked.photo, now=checked.captured_at, uid=the_id)
        db.execute("INSERT INTO received_cards (card_id, person_id, captured_at, received_at) "
                   "VALUES (?, ?, ?, ?)",
                   [the_id, person_id, clock.to_iso(checked.captured_at), clock.to_iso(now)])
        if twins:
            reviews.flag(db, person_id, "twin", [twin["id"] for twin in twins], now=now)
        elif read:
            reviews.flag(db, person_id, "read", now=now)
    return Receipt(the_id, STORED, person_id=person_id, review=bool(twins or read))


def read_photo(image: Image.Image, region: str | None) -> dict[str, str]:
    """A card photo's fields, read on this server (fieldkit.cardreader)."""
    from fieldkit import cardreader  # the OCR engine: loaded only when a photo is read
    return cardreader.read_image(image, region=region).form_fields()


def state(db: Database, *, now: datetime | None = None) -> dict:
    """What the booth page keeps for when it is offline: the event checked in to.

    The kinds, fields and limits do not change with the data: the page has
    them from the server's contract (``text_limits``, fieldkit.web.browser).
    """
    checkin = checkins.current(db, now=now)
    return {"event": {"id": checkin["event_id"], "name": checkin["name"]} if checkin else None}


def text_limits() -> dict[str, int]:
    """The most characters each text field of a card sent from the booth may hold."""
    checked = {"email": normalise.EMAIL_LIMIT, "phone": normalise.PHONE_LIMIT}
    limits = {spec.name: spec.limit for spec in cards.FIELDS if spec.limit}
    return {name: limits.get(name) or checked[name] for name in TEXT_FIELDS}

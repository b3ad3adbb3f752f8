"""Cards from the booth's outbox: stored once, at the time they were taken, twins put up for review."""

import base64
import io
import json
import uuid
from datetime import timedelta

import pytest
from hypothesis import given
from PIL import Image

from fieldkit import booth, cards, checkins, config, people, reviews
from fieldkit.errors import ValidationError
from tests.factory import NOW, add_checkin, add_event, count, save_card
from tests.hostile import HOSTILE, assert_clear, fingerprint, hostile_text, odd_value

TAKEN = NOW - timedelta(hours=3)  # the card waited three hours on the phone


def jpeg(width=640, height=400) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 220, 210)).save(out, "JPEG")
    return base64.b64encode(out.getvalue()).decode()


def sent(name="Amara Okafor", *, id=None, taken=TAKEN, photo=None, **fields) -> dict:
    return {"id": id or str(uuid.uuid4()), "captured_at": taken.isoformat(),
            "fields": {"name": name, **fields}, "photo": photo}


def person(db, person_id):
    return dict(zip(("name", "kind", "company", "email", "met_at", "event_id", "important"),
                    db.execute("SELECT name, kind, company, email, met_at, event_id, important "
                               "FROM people WHERE id = ?", [person_id]).fetchone()))


def test_a_card_is_stored_as_typed_cards_are_at_the_time_it_was_taken(db):
    card = sent(kind="customer", company="  Acme  ", email="Amara@Example.COM",
                important=True)
    receipt = booth.receive(db, card, now=NOW)
    assert receipt == booth.Receipt(card["id"], booth.STORED, person_id=receipt.person_id)
    assert person(db, receipt.person_id) == {
        "name": "Amara Okafor", "kind": "customer", "company": "Acme",
        "email": "Amara@example.com", "met_at": "2026-03-10T11:00:00Z", "event_id": None,
        "important": 1}
    # The "met" touch and the first follow-up count from when the card was taken.
    assert db.execute("SELECT at FROM touches WHERE person_id = ? AND kind = 'met'",
                      [receipt.person_id]).fetchall() == [("2026-03-10T11:00:00Z",)]
    assert db.execute("SELECT due_on FROM followups WHERE person_id = ?",
                      [receipt.person_id]).fetchall() == [("2026-03-11",)]
    assert db.execute("SELECT card_id, captured_at, received_at FROM received_cards").fetchall() \
        == [(card["id"], "2026-03-10T11:00:00Z", "2026-03-10T14:00:00Z")]


def test_a_card_sent_again_returns_the_same_person_and_changes_nothing(db):
    card = sent(photo=jpeg())
    first = booth.receive(db, card, now=NOW)
    before = fingerprint(db)
    again = booth.receive(db, dict(card, id=card["id"].upper()), now=NOW + timedelta(hours=1))
    assert again == booth.Receipt(card["id"], booth.ALREADY, person_id=first.person_id)
    assert fingerprint(db) == before
    assert count(db, "people") == 1 and count(db, "attachments") == 1


@pytest.mark.parametrize("first", ["form", "outbox"])
def test_a_capture_forms_save_and_the_card_the_phone_kept_of_it_land_once(db, first):
    # A Save on /capture the server did not answer: the phone kept the card under the form's
    # id. Whichever of the two reaches the server first stores the person; the other finds them.
    form_id = str(uuid.uuid4())
    card = cards.clean({"name": "Tomas Tunnel", "company": "Acme"})
    settings = config.load(db)

    def by_form():
        return cards.save(db, card, settings=settings, uid=form_id, now=NOW)

    def by_outbox():
        return booth.receive(db, sent("Tomas Tunnel", id=form_id, company="Acme"), now=NOW)

    if first == "form":
        person_id = by_form()
        receipt = by_outbox()
        assert (receipt.status, receipt.person_id) == (booth.ALREADY, person_id)
    else:
        receipt = by_outbox()
        assert receipt.status == booth.STORED
        assert by_form() == receipt.person_id
    assert db.execute("SELECT count(*) FROM people").fetchone() == (1,)
    assert db.execute("SELECT count(*) FROM touches WHERE kind = 'met'").fetchone() == (1,)


def test_a_resent_card_of_a_person_deleted_since_does_not_bring_them_back(db):
    card = sent()
    first = booth.receive(db, card, now=NOW)
    people.delete(db, first.person_id)
    assert booth.receive(db, card, now=NOW) == booth.Receipt(card["id"], booth.ALREADY)
    assert count(db, "people") == 0


def test_the_card_belongs_to_the_event_checked_in_at_when_it_was_taken(db):
    hannover = add_event(db)
    berlin = add_event(db, name="Berlin Tech Days")
    add_checkin(db, hannover, NOW - timedelta(hours=6), checked_out_at=NOW - timedelta(hours=2))
    add_checkin(db, berlin, NOW - timedelta(hours=1))
    at_hannover = booth.receive(db, sent("Early", taken=NOW - timedelta(hours=3)), now=NOW)
    at_berlin = booth.receive(db, sent("Late", taken=NOW - timedelta(minutes=5)), now=NOW)
    before_both = booth.receive(db, sent("Before", taken=NOW - timedelta(hours=7)), now=NOW)
    assert person(db, at_hannover.person_id)["event_id"] == hannover
    assert person(db, at_berlin.person_id)["event_id"] == berlin
    assert person(db, before_both.person_id)["event_id"] is None
    assert checkins.event_at(db, NOW - timedelta(hours=2)) is None  # checked out then


def test_a_photo_is_kept_as_a_typed_cards_photo_is(db):
    receipt = booth.receive(db, sent(photo=jpeg(3200, 2000)), now=NOW)
    mime, data = db.execute("SELECT mime, data FROM attachments WHERE person_id = ? "
                            "AND kind = 'card_photo'", [receipt.person_id]).fetchone()
    image = Image.open(io.BytesIO(data))
    assert mime == "image/jpeg" and max(image.size) == 1600


def test_a_card_like_someone_known_is_stored_and_put_up_for_review(db):
    known = save_card(db, "Amara Okafor", email="amara@example.com")
    receipt = booth.receive(db, sent("Amara O.", email="AMARA@example.com"), now=NOW)
    assert receipt.status == booth.STORED and receipt.review
    assert count(db, "people") == 2
    (waiting,) = reviews.pending(db)
    assert waiting["person_id"] == receipt.person_id and waiting["reason"] == "twin"
    assert [twin["id"] for twin in waiting["twins"]] == [known]
    assert reviews.done(db, receipt.person_id) and reviews.pending(db) == []
    assert not reviews.done(db, receipt.person_id)


def test_a_review_ends_when_the_person_is_deleted(db):
    save_card(db, "Amara Okafor", email="amara@example.com")
    receipt = booth.receive(db, sent("Amara", email="amara@example.com"), now=NOW)
    people.delete(db, receipt.person_id)
    assert reviews.pending(db) == []


@pytest.mark.parametrize("change, message", [
    ({"fields": {"name": "  "}}, "Name"),
    ({"fields": {"name": "Ann", "email": "not-an-email"}}, "Email"),
    ({"fields": {"name": "Ann", "kind": "boss"}}, "Kind"),
    ({"fields": {"name": "Ann", "tags": ["x"]}}, "tags is not text"),
    ({"fields": {"name": "Ann", "more": []}}, "does not know: more"),
    ({"fields": {"name": 5}}, "name is not text"),
    ({"fields": {"name": "Ann", "important": "yes"}}, "true or false"),
    ({"fields": None}, "no fields"),
    ({"captured_at": "yesterday"}, "time zone"),
    ({"captured_at": "2026-03-10T11:00:00"}, "time zone"),
    ({"captured_at": (NOW + timedelta(hours=1)).isoformat()}, "in the future"),
    ({"captured_at": (NOW - timedelta(days=400)).isoformat()}, "more than a year"),
    ({"photo": "not base64!"}, "Photo: it did not arrive whole"),
    ({"photo": base64.b64encode(b"GIF89a but not really").decode()}, "Photo: this file is not"),
    ({"photo": 7}, "Photo: not an image"),
    ({"photo": "A" * (booth.MAX_PHOTO_TEXT + 4)}, "Photo: too large (at most 15 MB)"),
    ({"fields": {"name": "Ann", "note": "x" * 70_000}}, "too long"),
])
def test_an_invalid_card_is_refused_with_its_message_and_nothing_is_stored(db, change, message):
    card = {**sent("Ann"), **change}
    before = fingerprint(db)
    receipt = booth.receive(db, card, now=NOW)
    assert receipt.status == booth.INVALID and receipt.id == card["id"]
    assert message in receipt.message
    assert_clear(ValidationError(receipt.message))
    assert fingerprint(db) == before


@pytest.mark.parametrize("bad_id", [None, 5, "", "x" * 36, "not-a-uuid", "{" + str(uuid.UUID(int=1)) + "}",
                                    str(uuid.uuid4()) + "\n", "1" * 5000])
def test_a_card_without_a_valid_id_is_refused(db, bad_id):
    receipt = booth.receive(db, {**sent(), "id": bad_id}, now=NOW)
    assert receipt.status == booth.INVALID and receipt.message == "The card has no valid id."
    assert len(receipt.id) <= 64 and count(db, "people") == 0


@HOSTILE
@given(name=hostile_text, note=odd_value, photo=odd_value, captured=odd_value)
def test_hostile_cards_are_stored_literally_or_refused_cleanly(db, name, note, photo, captured):
    card = {"id": str(uuid.uuid4()), "captured_at": captured if captured is not None
            else TAKEN.isoformat(), "fields": {"name": name, "note": note}, "photo": photo}
    before = fingerprint(db)
    receipt = booth.receive(db, card, now=NOW)
    if receipt.status == booth.INVALID:
        assert_clear(ValidationError(receipt.message))
        assert fingerprint(db) == before
    else:
        stored = db.execute("SELECT name FROM people WHERE id = ?",
                            [receipt.person_id]).fetchone()[0]
        assert stored == cards.clean({"name": name}).name


def test_not_a_card_at_all_is_refused(db):
    for thing in (None, [], "card", 5, {"cards": []}):
        assert booth.receive(db, thing, now=NOW).status == booth.INVALID
    assert count(db, "people") == 0


def test_the_booths_state_names_the_event_checked_in_to(db):
    assert booth.state(db, now=NOW) == {"event": None}
    event = add_event(db)
    add_checkin(db, event, NOW - timedelta(hours=1))
    state = booth.state(db, now=NOW)
    assert state == {"event": {"id": event, "name": "Hannover Messe"}}
    json.dumps(state)  # what the page keeps is JSON


def test_the_text_limits_are_those_a_card_is_checked_against(db):
    limits = booth.text_limits()
    assert list(limits) == list(booth.TEXT_FIELDS) == ["name", "company", "title", "email",
                                                         "phone", "note"]
    for name, limit in limits.items():
        assert booth.receive(db, sent(**{name: "x" * limit} if name not in ("email", "phone")
                                      else {}), now=NOW).status == booth.STORED
        longer = {"name": "Ada", name: "x" * (limit + 1)}
        receipt = booth.receive(db, sent(**longer) if name != "name" else sent("x" * (limit + 1)),
                                now=NOW)
        assert receipt.status == booth.INVALID and receipt.field == name, (name, receipt)


def test_a_photo_fills_only_the_empty_fields_and_the_card_waits_for_review(db):
    def read_photo(image, region):
        # The photo as sent, decoded once (the same image that was stored) and upright.
        assert isinstance(image, Image.Image) and image.size == (640, 400) and region == "US"
        return {"name": "Dr. Amara Okafor", "company": "Acme GmbH", "email": "not an email",
                "phone": "+49 151 23456789", "note": "Address: Hauptstr. 1, Berlin"}

    receipt = booth.receive(db, sent("Amara", company=" ", photo=jpeg()), now=NOW,
                            read_photo=read_photo)
    assert receipt.status == booth.STORED and receipt.review
    assert db.execute("SELECT name, company, email, phone, note FROM people").fetchall() == [
        ("Amara", "Acme GmbH", None, "+4915123456789", "Address: Hauptstr. 1, Berlin")]
    (waiting,) = reviews.pending(db)
    assert (waiting["reason"], waiting["why"]) == ("read", "was filled in from its card photo")


def test_a_photo_that_cannot_be_read_still_stores_the_card_as_typed(db):
    def read_photo(image, region):
        raise ValidationError("Photo: nothing readable.")

    receipt = booth.receive(db, sent(photo=jpeg()), now=NOW, read_photo=read_photo)
    assert receipt.status == booth.STORED and not receipt.review
    assert reviews.pending(db) == []


def test_a_photo_that_says_nothing_new_puts_nothing_up_for_review(db):
    receipt = booth.receive(db, sent(photo=jpeg(), company="Acme"), now=NOW,
                            read_photo=lambda image, region: {"company": "Other Inc."})
    assert not receipt.review and reviews.pending(db) == []
    assert db.execute("SELECT company FROM people").fetchall() == [("Acme",)]


def test_a_generated_paper_card_is_read_when_it_arrives(db):
    from tests import cardgen
    made = cardgen.card(7)
    card = sent("", photo=base64.b64encode(made.photo).decode())
    card["fields"] = {"name": made.truth.name}
    receipt = booth.receive(db, card, now=NOW, read_photo=booth.read_photo)
    assert receipt.status == booth.STORED and receipt.review
    row = db.execute("SELECT name, company, email FROM people").fetchone()
    assert row == (made.truth.name, made.truth.company, made.truth.email)

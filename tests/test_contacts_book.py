"""The address book on the phone: a person's card, edits both ways, nothing lost."""

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from fieldkit import (cards, contacts_book, db as fdb, followups, imports, labelled, people,
                      photos, sample, sync_log, vcard)
from fieldkit.contacts_book import CardRefused
from tests.factory import NOW, SETTINGS, add_event, d, save_card, utc

FIXTURES = Path(__file__).parent / "fixtures" / "vcard"
BERLIN = {**SETTINGS, "timezone": "Europe/Berlin", "phone_region": "DE"}


def served(db, person_id, tz="Europe/Berlin"):
    return contacts_book.texts(db, [person_id], tz)[person_id]


def listed(db, person_id):
    return next(card for card in contacts_book.listing(db) if card.person_id == person_id)


def lines(text):
    return [line.decode() for line in vcard.unfolded(text.encode())]


def ines(db, **fields):
    """Ines, met at SaaStr Europa on 7 Dec 2026, with every kind of value and a photo."""
    event = add_event(db, name="SaaStr Europa")
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(picture, "JPEG")
    fields = {"company": "Kalm Health", "title": "Head of Product", "kind": "customer",
              "email": "ines@kalm.example", "email_label": "work", "phone": "+49 170 1234567",
              "tags": "berlin, pricing", "note": "Wants the offline booth.",
              "values": [("email", "home", "ines@mail.example"),
                         ("phone", "Cottage", "0467-22-0000"),
                         ("url", "work", "https://kalm.example"),
                         ("address", "work", {"street": "Torstr. 1", "locality": "Berlin",
                                              "postal_code": "10119", "country": "Germany"})],
              **fields}
    person = save_card(db, "Ines Moreau", event_id=event, settings=BERLIN,
                       at=utc("2026-12-07T15:00:00Z"), photo=photos.Photo(
                           "image/jpeg", picture.getvalue()), **fields)
    return person


def test_a_persons_card_is_vcard_3_with_everything_known(db):
    person = ines(db)
    text = served(db, person)
    got = lines(text)
    uid = cards.person_row(db, person)["uid"]
    assert got[:4] == ["BEGIN:VCARD", "VERSION:3.0", "PRODID:-//FieldKit//FieldKit//EN",
                       f"UID:{uid}"]
    assert got[-1] == "END:VCARD" and text.endswith("\r\n")
    assert "FN:Ines Moreau" in got and "N:Moreau;Ines;;;" in got
    assert "ORG:Kalm Health" in got and "TITLE:Head of Product" in got
    assert "EMAIL;TYPE=INTERNET,WORK,PREF:ines@kalm.example" in got
    assert "EMAIL;TYPE=INTERNET,HOME:ines@mail.example" in got
    assert "TEL;TYPE=VOICE,PREF:+491701234567" in got
    # A label of the user's own goes beside its value, as the iPhone writes it.
    assert got[got.index("item1.TEL:+49467220000") + 1] == "item1.X-ABLabel:Cottage"
    assert "URL;TYPE=WORK:https://kalm.example" in got
    assert "ADR;TYPE=WORK:;;Torstr. 1;Berlin;;10119;Germany" in got
    assert "CATEGORIES:Customer,berlin,pricing" in got
    # Where and when you met, and the next follow-up (the day after, Tuesday 8 Dec).
    assert ("NOTE:Met at SaaStr Europa\\, 7 Dec 2026 · follow up Tue 8 Dec\\n\\n"
            "Wants the offline booth.") in got
    photo = next(line for line in got if line.startswith("PHOTO"))
    assert photo.startswith("PHOTO;ENCODING=b;TYPE=JPEG:")
    assert base64.b64decode(photo.split(":", 1)[1])[:2] == b"\xff\xd8"


def test_the_card_has_no_quoted_type_lists(db):
    text = served(db, ines(db))
    assert 'TYPE="' not in text and "VERSION:4.0" not in text


@pytest.mark.parametrize("met_at, event, due, told", [
    ("2026-12-07T15:00:00Z", "SaaStr Europa", "2026-12-09",
     "Met at SaaStr Europa, 7 Dec 2026 · follow up Wed 9 Dec"),
    ("2026-12-07T23:30:00Z", None, None, "Met on 8 Dec 2026"),  # 00:30 in Berlin
    ("2026-12-30T10:00:00Z", "Slush", "2027-01-04",
     "Met at Slush, 30 Dec 2026 · follow up Mon 4 Jan 2027"),
    (None, "Slush", "2027-01-04", None),
])
def test_the_story_says_where_when_and_what_next(met_at, event, due, told):
    assert contacts_book.story(met_at, event, due, "Europe/Berlin") == told


@pytest.mark.parametrize("note, own", [
    ("Met at SaaStr Europa, 7 Dec 2026 · follow up Wed 9 Dec\n\nLikes tea.", "Likes tea."),
    ("Met on 8 Dec 2026", None),
    ("Met at the bar and talked for hours.", "Met at the bar and talked for hours."),
    ("Likes tea.", "Likes tea."),
    (None, None),
])
def test_the_story_is_left_out_of_a_note_read_back(note, own):
    assert contacts_book.own_note(note) == own


def test_a_card_sent_back_unchanged_changes_no_person(db):
    person = ines(db)
    before = people.person(db, person)
    card = listed(db, person)
    written = contacts_book.write(db, card.href, card.uid, served(db, person), settings=BERLIN)
    assert written == contacts_book.Written(person, created=False, as_sent=True)
    after = people.person(db, person)
    for key in ("name", "company", "title", "kind", "email", "phone", "note", "tags", "more",
                "important", "linkedin_url", "website", "followups"):
        assert after[key] == before[key], key


def test_a_phone_edit_reaches_the_person_and_what_fieldkit_does_not_model_is_kept(db):
    person = ines(db)
    card = listed(db, person)
    text = served(db, person)
    edited = (text.replace("FN:Ines Moreau", "FN:Inès Moreau")
              .replace("N:Moreau;Ines;;;", "N:Moreau;Inès;;;")
              .replace("item1.X-ABLabel:Cottage", "item1.X-ABLabel:Summer house")
              .replace("END:VCARD", "TEL;TYPE=CELL:+49 151 9876543\r\nBDAY:1985-04-12\r\n"
                       "item9.X-ABRELATEDNAMES:Jo\r\nitem9.X-ABLabel:_$!<Friend>!$_\r\n"
                       "END:VCARD"))
    written = contacts_book.write(db, card.href, card.uid, edited, settings=BERLIN)
    assert written.as_sent and not written.created
    got = people.person(db, person)
    assert got["name"] == "Inès Moreau"
    assert ("phone", "Summer house", "+49467220000") in [
        (v.kind, v.label, v.value) for v in got["more"]]
    assert ("phone", "mobile", "+491519876543") in [
        (v.kind, v.label, v.value) for v in got["more"]]
    assert got["kind"] == "customer" and got["tags"] == ["berlin", "pricing"]
    assert got["note"] == "Wants the offline booth."
    assert served(db, person) == edited  # exactly what the phone wrote


def test_a_fieldkit_edit_rewrites_only_its_group_and_keeps_the_phones_lines(db):
    person = ines(db)
    card = listed(db, person)
    mine = served(db, person).replace(
        "END:VCARD", "BDAY:1985-04-12\r\nitem2.X-ABDATE:2020-01-01\r\n"
        "item2.X-ABLabel:_$!<Anniversary>!$_\r\nEND:VCARD")
    contacts_book.write(db, card.href, card.uid, mine, settings=BERLIN)
    row = cards.person_row(db, person)
    more = [*people.person(db, person)["more"],
            labelled.Labelled("phone", "+4930555111", "Studio")]
    people.update(db, person, cards.clean({**row, "title": "CPO", "tags": "berlin, pricing",
                                          "values": more}, phone_region="DE"))
    got = lines(served(db, person))
    assert "TITLE:CPO" in got and "TITLE:Head of Product" not in got
    assert "BDAY:1985-04-12" in got and "EMAIL;TYPE=INTERNET,HOME:ines@mail.example" in got
    # The phone's own item2 keeps its label; FieldKit's new lines take names it does not use.
    assert got[got.index("item2.X-ABDATE:2020-01-01") + 1] == "item2.X-ABLabel:_$!<Anniversary>!$_"
    labels = {line.split(".", 1)[0]: line for line in got if "X-ABLabel" in line}
    assert labels["item3"].endswith(":Cottage") and labels["item4"].endswith(":Studio")
    assert [line for line in got if line.startswith("item1.")] == []


def test_a_follow_up_moving_changes_the_note_and_the_etag(db):
    person = ines(db)
    before = listed(db, person).etag
    assert listed(db, person).etag == before  # nothing changed, nothing moves
    followups.snooze(db, person, d("2026-12-14"), now=utc("2026-12-07T16:00:00Z"),
                     tz="Europe/Berlin")
    assert "follow up Mon 14 Dec" in served(db, person)
    assert listed(db, person).etag != before


def test_a_contact_made_on_the_phone_becomes_a_person_of_kind_other_without_follow_up(db):
    text = ("BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 18.2//EN\r\n"
            "N:Okafor;Amara;;;\r\nFN:Amara Okafor\r\nORG:Lagos Labs;\r\n"
            "item1.EMAIL;type=INTERNET;type=pref:amara@lagos.example\r\n"
            "item1.X-ABLabel:_$!<Other>!$_\r\nTEL;type=CELL;type=VOICE;type=pref:+234 803 123 4567\r\n"
            "NICKNAME:Ami\r\nUID:7C4B2C1E-1111-4222-8333-944455556666\r\nEND:VCARD\r\n")
    written = contacts_book.write(db, "7C4B2C1E-1111-4222-8333-944455556666.vcf",
                                  "7C4B2C1E-1111-4222-8333-944455556666", text, settings=BERLIN)
    assert written.created and written.as_sent
    got = people.person(db, written.person_id)
    assert (got["name"], got["company"], got["kind"], got["source"]) == (
        "Amara Okafor", "Lagos Labs", "other", "vcard")
    assert got["email"] == "amara@lagos.example" and got["phone"] == "+2348031234567"
    assert got["followups"] == [] and got["touches"] == []
    found = contacts_book.find(db, ["7C4B2C1E-1111-4222-8333-944455556666.vcf"])
    assert [(c.person_id, c.uid) for c in found] == [
        (written.person_id, "7C4B2C1E-1111-4222-8333-944455556666")]
    assert contacts_book.has_uid(db, "7C4B2C1E-1111-4222-8333-944455556666")
    assert "NICKNAME:Ami" in served(db, written.person_id)


def test_a_category_naming_a_kind_sets_the_kind(db):
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Kai\r\nCATEGORIES:Competitor,trucks\r\nUID:k\r\nEND:VCARD\r\n"
    written = contacts_book.write(db, "k.vcf", "k", text, settings=BERLIN)
    got = people.person(db, written.person_id)
    assert (got["kind"], got["tags"]) == ("competitor", ["trucks"])


def test_a_card_deleted_on_the_phone_leaves_the_book_only_and_can_come_back(db):
    person = ines(db)
    card = listed(db, person)
    token = sync_log.token(db, "contacts")
    open_before = people.person(db, person)["followups"]
    assert contacts_book.remove(db, card.href, now=NOW) == person
    assert person not in [c.person_id for c in contacts_book.listing(db)]
    assert contacts_book.find(db, [card.href]) == []
    assert sync_log.changed_since(db, "contacts", token) == [card.href]  # a tombstone
    got = people.person(db, person)
    assert got["name"] == "Ines Moreau" and got["followups"] == open_before
    assert contacts_book.removed_at(db, person) is not None
    assert [r["id"] for r in contacts_book.removed(db)] == [person]
    assert contacts_book.put_back(db, person)
    assert contacts_book.find(db, [card.href])[0].person_id == person
    assert contacts_book.removed(db) == [] and not contacts_book.put_back(db, person)


def test_a_card_written_again_after_a_delete_is_the_same_person(db):
    person = ines(db)
    card = listed(db, person)
    text = served(db, person)
    contacts_book.remove(db, card.href)
    written = contacts_book.write(db, "new-name.vcf", card.uid, text, settings=BERLIN)
    assert (written.person_id, written.created) == (person, False)
    assert contacts_book.find(db, ["new-name.vcf"])[0].person_id == person
    assert contacts_book.removed(db) == []


def test_a_card_of_version_4_is_served_as_3(db):
    text = ("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Lea Roth\r\nN:Roth;Lea;;;\r\n"
            "TEL;VALUE=uri;TYPE=cell:tel:+49-30-1234567\r\nBDAY:--0415\r\nUID:lea\r\nEND:VCARD\r\n")
    written = contacts_book.write(db, "lea.vcf", "lea", text, settings=BERLIN)
    assert not written.as_sent
    got = lines(served(db, written.person_id))
    assert got[:2] == ["BEGIN:VCARD", "VERSION:3.0"] and "VERSION:4.0" not in got
    assert "TEL;TYPE=CELL:+49301234567" in got and "BDAY:--0415" in got
    assert people.person(db, written.person_id)["phone"] == "+49301234567"


@pytest.mark.parametrize("text, href, uid", [
    ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:x\r\nEND:VCARD\r\n", "x.vcf", "x"),  # nothing to name
    ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Short\r\nUID:x\r\n", "x.vcf", "x"),
    ("not a card at all", "x.vcf", "x"),
    ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ok\r\nUID:x\r\nEND:VCARD\r\n", "../../etc/x.vcf", "x"),
    ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ok\r\nUID:x\r\nEND:VCARD\r\n", ".hidden.vcf", "x"),
    ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ok\r\nEND:VCARD\r\n", "x.vcf", ""),
])
def test_a_card_that_cannot_be_stored_is_refused_and_changes_nothing(db, text, href, uid):
    person = ines(db)
    before = (people.person(db, person), sync_log.token(db, "contacts"),
              db.execute("SELECT count(*) FROM people").fetchone())
    with pytest.raises(CardRefused):
        contacts_book.write(db, href, uid, text, settings=BERLIN)
    assert (people.person(db, person), sync_log.token(db, "contacts"),
            db.execute("SELECT count(*) FROM people").fetchone()) == before


def test_a_large_card_photo_is_sent_smaller(db):
    big = io.BytesIO()
    Image.effect_noise((1600, 1000), 60).convert("RGB").save(big, "JPEG", quality=95)
    person = save_card(db, "Big Photo", photo=photos.prepare(big.getvalue()))
    photo = next(line for line in lines(served(db, person)) if line.startswith("PHOTO"))
    data = base64.b64decode(photo.split(":", 1)[1])
    with Image.open(io.BytesIO(data)) as image:
        assert max(image.size) == contacts_book.PHOTO_SIDE
    assert served(db, person) == served(db, person)  # the same bytes every time


def test_merged_and_removed_people_are_not_in_the_book(db):
    keep, drop = save_card(db, "Ines Moreau"), save_card(db, "Ines M.")
    db.execute("UPDATE people SET status = 'merged', merged_into = ? WHERE id = ?", [keep, drop])
    assert [c.person_id for c in contacts_book.listing(db)] == [keep]


ADDRESS_BOOKS = sorted(p.name for p in FIXTURES.glob("*.vcf") if p.name != "hostile.vcf")


@pytest.mark.parametrize("name", ADDRESS_BOOKS)
def test_every_value_an_import_keeps_is_in_the_served_card(name):
    db = fdb.memory()
    preview = imports.build_preview(db, kind="vcard", filename=name,
                                    data=(FIXTURES / name).read_bytes(),
                                    entries=vcard.read((FIXTURES / name).read_bytes()),
                                    phone_region="DE")
    imports.apply(db, preview, now=NOW)
    ids = [row[0] for row in db.execute("SELECT id FROM people ORDER BY id")]
    texts = contacts_book.texts(db, ids, "UTC")
    for person_id in ids:
        stored = people.person(db, person_id)
        kept = {(v.kind, v.label, v.key) for v in labelled.every(stored, stored["more"])}
        back = vcard.read_card(texts[person_id].encode())
        card, _, _ = imports.clean_entry(back, phone_region="DE")
        assert {(v.kind, v.label, v.key) for v in card.values()} == kept, stored["name"]
        assert (card.name, card.company, card.title) == (
            stored["name"], stored["company"], stored["title"])


def test_every_sample_card_reads_back_as_its_person():
    db = fdb.memory()
    sample.fill(db, 1, today=d("2026-11-22"))
    ids = [card.person_id for card in contacts_book.listing(db)]
    texts = contacts_book.texts(db, ids, "Europe/Berlin")
    for person_id in ids:
        stored = people.person(db, person_id)
        back = vcard.read_card(texts[person_id].encode())
        fields = dict(back.fields, note=contacts_book.own_note(back.fields.get("note")))
        card, _, _ = imports.clean_entry(
            imports.Entry(back.number, fields, uid=back.uid), phone_region="US")
        assert card.name == stored["name"] and card.note == stored["note"]
        assert ({(v.kind, v.label, v.key) for v in card.values()}
                == {(v.kind, v.label, v.key) for v in labelled.every(stored, stored["more"])})
    assert len(set(texts.values())) == len(ids)

"""fieldkit.cards: cleaning, saving, twins, meeting again, undo, edit, delete."""

import dataclasses
import io
import json
import sqlite3
from datetime import date, datetime, timezone

import pytest
from PIL import Image

import fieldkit.db
from fieldkit import cardreader, cards, events, imports, merge, people, photos, scan, vcard
from fieldkit.errors import NotFound, ValidationError
from fieldkit.ladder import next_followup
from fieldkit.ui import capture_actions, capture_fields, scan_widgets
from tests.factory import NOW, SETTINGS, save_card

LATER = datetime(2026, 4, 2, 9, 30, tzinfo=timezone.utc)  # Ada met again, three weeks on


def card(**fields) -> cards.Card:
    # Cards typed at a German booth: "030 1234567" is a Berlin number. The cards
    # saved with save_card carry no phone, so its default region does not matter.
    return cards.clean({"name": "Ada Lovelace", **fields}, phone_region="DE")


def make_event(db, name="Hannover Messe") -> int:
    return events.create(db, {
        "name": name, "kind": "trade_show", "tz": "Europe/Berlin",
        "starts": datetime(2026, 3, 9, 9, 0), "ends": datetime(2026, 3, 13, 18, 0),
    }, now=NOW)


def a_photo() -> photos.Photo:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "teal").save(out, format="PNG")
    return photos.prepare(out.getvalue())


def one(db, sql, args=()):
    return db.execute(sql, list(args)).fetchone()


def all_rows(db, sql, args=()):
    return db.execute(sql, list(args)).fetchall()


def stored(db, person_id) -> dict:
    cursor = db.execute("SELECT * FROM people WHERE id = ?", [person_id])
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone()))


def tags_of(db, person_id) -> list[str]:
    return [t for (t,) in all_rows(
        db, "SELECT tag FROM person_tags WHERE person_id = ? ORDER BY tag", [person_id])]


def open_followups(db, person_id) -> list[tuple]:
    return all_rows(db, "SELECT due_on, reason, rung FROM followups "
                        "WHERE person_id = ? AND status = 'open'", [person_id])


def counts(db) -> dict:
    found = fieldkit.db.row_counts(db)
    found["people_fts"] = one(db, "SELECT count(*) FROM people_fts")[0]
    return found


# --- clean ------------------------------------------------------------------


def test_clean_name_is_the_only_required_field():
    assert cards.clean({"name": "  Ada  "}) == cards.Card(name="Ada")


@pytest.mark.parametrize(
    "fields",
    [{}, {"name": None}, {"name": ""}, {"name": "   "}, {"name": "\n\t"},
     {"name": "\u200b\u200d\u202e"}, {"name": "", "company": "Acme", "email": "a@acme.com"}],
    ids=["missing", "none", "empty", "blank", "whitespace", "zero-width", "details-only"],
)
def test_clean_without_name_raises(fields):
    with pytest.raises(ValidationError, match=r"^Name: a card needs at least a name\.$") as err:
        cards.clean(fields)
    assert err.value.field == "name"


def test_clean_name_too_long_raises():
    with pytest.raises(ValidationError, match=r"^Name is too long") as err:
        cards.clean({"name": "x" * 201})
    assert err.value.field == "name"


@pytest.mark.parametrize("kind", ["friend", "Customer", "customers", " customer", 3])
def test_clean_unknown_kind_raises(kind):
    with pytest.raises(ValidationError, match=r"^Kind: unknown kind of relationship") as err:
        cards.clean({"name": "Ada", "kind": kind})
    assert err.value.field == "kind"


@pytest.mark.parametrize("kind", [None, ""])
def test_clean_kind_defaults_to_other(kind):
    assert cards.clean({"name": "Ada", "kind": kind}).kind == "other"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("colleague", "Research"), ("customer", None), ("competitor", None), ("other", None)],
)
def test_clean_department_kept_only_for_colleagues(kind, expected):
    assert cards.clean({"name": "Ada", "kind": kind, "department": " Research "}).department == expected


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "a@b", r"^Email: "),
        ("email", "Ada <a@b.com>", r"^Email: "),
        ("phone", "12", r"^Phone: "),
        ("phone", "call me maybe", r"^Phone: "),
        ("linkedin_url", "evil.com/in/x", r"^LinkedIn: "),
        ("linkedin_url", "linkedin.com/company/acme", r"^LinkedIn: "),
        ("website", "javascript:alert(1)", r"^Website: "),
        ("company", "x" * 201, r"^Company is too long"),
        ("title", "x" * 201, r"^Title is too long"),
        ("note", "x" * 4001, r"^Note is too long"),
        ("tags", ",".join(f"t{i}" for i in range(21)), r"^Tags: at most 20"),
    ],
)
def test_clean_bad_field_raises_naming_it(field, value, message):
    with pytest.raises(ValidationError, match=message) as err:
        cards.clean({"name": "Ada", field: value}, phone_region="DE")
    assert err.value.field == field


def test_clean_bad_department_of_colleague_raises():
    with pytest.raises(ValidationError, match=r"^Department is too long") as err:
        cards.clean({"name": "Ada", "kind": "colleague", "department": "x" * 101})
    assert err.value.field == "department"


def test_clean_normalises_every_field():
    got = cards.clean({
        "name": " Ada\u200b  Lovelace ", "kind": "colleague", "department": "R&D",
        "company": " Analytical  Engines ", "title": "Countess", "email": "Ada@Example.COM",
        "phone": "030 1234567", "linkedin_url": "linkedin.com/in/Ada-L/", "website": "ada.org",
        "note": " first line \n\n\n second ", "important": 1, "tags": "Math, #poetry; math",
    }, phone_region="DE")
    assert got == cards.Card(
        name="Ada Lovelace", kind="colleague", department="R&D", company="Analytical Engines",
        title="Countess", email="Ada@example.com", phone="+49301234567",
        linkedin_url="https://www.linkedin.com/in/ada-l", website="https://ada.org",
        note="first line\n\nsecond", important=True, tags=("math", "poetry"),
    )


def test_clean_phone_is_read_in_the_given_region():
    assert cards.clean({"name": "Ada", "phone": "(415) 555-0132"}, phone_region="US").phone == "+14155550132"
    with pytest.raises(ValidationError) as err:
        cards.clean({"name": "Ada", "phone": "030 1234567"}, phone_region=None)
    assert err.value.field == "phone"


# --- the fields, declared once ------------------------------------------------


def declared(**facts) -> tuple[str, ...]:
    """The names of the declared fields with these facts, in declaration order."""
    return tuple(spec.name for spec in cards.FIELDS
                 if all(getattr(spec, fact) == value for fact, value in facts.items()))


def test_card_has_exactly_the_declared_fields_in_order():
    assert tuple(f.name for f in dataclasses.fields(cards.Card)) == declared()


# Every list of fields, as each module derives it, and what the declaration gives.
DERIVED = {
    "every field, as the capture form reads them": (
        lambda: capture_actions.FIELDS, lambda: declared()),
    "details a later card fills in": (lambda: cards.DETAIL_FIELDS, lambda: declared(detail=True)),
    "people columns a card sets": (
        lambda: cards.COLUMNS, lambda: (*declared(column=True), "name_key", "company_key")),
    "people columns an import inserts": (
        lambda: imports._PERSON_INSERT_COLUMNS,
        lambda: ("id", "uid", *declared(column=True), "name_key", "company_key", "met_at",
                 "source", "created_at", "updated_at")),
    "words of an import's notes": (lambda: tuple(imports._LABELS), lambda: declared()),
    "fields a merge chooses from": (
        lambda: merge.FIELDS[:len(declared(column=True))], lambda: declared(column=True)),
    "fields a code fills": (lambda: scan.FIELDS, lambda: declared(scan=True)),
    "words of what a code filled": (lambda: tuple(scan_widgets.LABELS), lambda: declared(scan=True)),
    "contact fields the capture form asks, each with its keyboard": (
        lambda: tuple(sorted(capture_fields.FIELDS)),
        lambda: tuple(sorted(spec.name for spec in cards.FIELDS if not spec.up_front
                             and spec.follows is None and spec.column and not spec.multiline))),
    "fields of the user's own card": (lambda: vcard._OWN_KEYS, lambda: declared(own_card=True)),
    "fields a card photo fills": (lambda: cardreader.FIELDS, lambda: declared(paper=True)),
}


@pytest.mark.parametrize("derived, expected", DERIVED.values(), ids=DERIVED)
def test_every_list_of_fields_follows_the_declaration(derived, expected):
    assert tuple(derived()) == expected()


def test_every_stored_field_is_a_people_column(db):
    columns = {row[1] for row in db.execute("PRAGMA table_info(people)")}
    assert set(cards.COLUMNS) <= columns


def test_imported_row_sets_the_columns_an_import_inserts():
    row = cards.imported_row(card(), source="vcard", met_at="2026-01-01T00:00:00Z",
                             stamp="2026-01-01T00:00:00Z")
    assert tuple(row) == imports._PERSON_INSERT_COLUMNS[1:]


def test_labels_as_the_user_reads_them():
    assert {spec.name: (spec.label, spec.word) for spec in cards.FIELDS} == {
        "name": ("Name", "name"), "kind": ("Kind", "kind"),
        "department": ("Department", "department"), "company": ("Company", "company"),
        "title": ("Title", "title"), "email": ("Email", "email"),
        "email_label": ("Email label", "email label"), "phone": ("Phone", "phone"),
        "phone_label": ("Phone label", "phone label"),
        "linkedin_url": ("LinkedIn", "LinkedIn"), "website": ("Website", "website"),
        "website_label": ("Website label", "website label"),
        "note": ("Note", "note"), "important": ("Starred", "starred"), "tags": ("Tags", "tags"),
        "more": ("Emails, phones and addresses", "emails, phones and addresses"),
        "named_from": ("Named after", "named after")}


def test_a_field_without_a_rule_or_limit_is_refused():
    with pytest.raises(ValueError, match="rule or a text limit"):
        cards.CardField("nickname", "Nickname")


def test_every_field_comes_back_from_a_stored_person(db):
    full = cards.clean({"name": "Ada", "kind": "colleague", "department": "Research",
                        "company": "Acme", "title": "CTO", "email": "ada@acme.example",
                        "email_label": "work", "phone": "030 1234567", "phone_label": "mobile",
                        "linkedin_url": "in/ada", "website": "acme.example",
                        "website_label": "homepage", "note": "Met at the booth",
                        "important": True, "tags": "ai", "named_from": "company",
                        "values": [("phone", "fax", "030 7654321"),
                                   ("address", "work", {"street": "Unter den Linden 1",
                                                        "locality": "Berlin"})]},
                       phone_region="DE")
    assert all(getattr(full, name) for name in declared())
    person = people.person(db, cards.save(db, full, settings=SETTINGS, now=NOW))
    assert cards.card_of(person) == full


# --- save -------------------------------------------------------------------


def test_save_creates_person_with_everything(db):
    event_id = make_event(db)
    person_id = save_card(db, event_id=event_id, photo=a_photo(), company="Analytical Engines",
                          kind="customer", email="ada@example.com", tags="math, poetry",
                          important=True)
    person = stored(db, person_id)
    assert (person["name"], person["company"], person["kind"], person["email"]) == (
        "Ada Lovelace", "Analytical Engines", "customer", "ada@example.com")
    assert person["event_id"] == event_id
    assert person["met_at"] == "2026-03-10T14:00:00Z"
    assert (person["status"], person["source"], person["important"]) == ("active", "capture", 1)
    assert tags_of(db, person_id) == ["math", "poetry"]
    assert all_rows(db, "SELECT kind, mime, bytes = length(data) FROM attachments "
                        "WHERE person_id = ?", [person_id]) == [("card_photo", "image/jpeg", 1)]
    touches = all_rows(db, "SELECT kind, channel, at, event_id, data FROM touches "
                           "WHERE person_id = ?", [person_id])
    assert len(touches) == 1
    kind, channel, at, touch_event, data = touches[0]
    assert (kind, channel, at, touch_event) == ("met", "in_person", "2026-03-10T14:00:00Z", event_id)
    assert json.loads(data) == {"created": True}
    assert open_followups(db, person_id) == [("2026-03-11", "ladder", 1)]


def test_save_without_photo_or_event(db):
    person_id = save_card(db)
    assert one(db, "SELECT count(*) FROM attachments")[0] == 0
    assert stored(db, person_id)["event_id"] is None
    assert all_rows(db, "SELECT event_id FROM touches") == [(None,)]
    assert tags_of(db, person_id) == []


def test_save_same_uid_twice_stores_one_person(db):
    # A double tap on Save sends the same form, with the same uid, twice.
    first = save_card(db, "Dana Double", uid="form-1")
    again = save_card(db, "Dana Double", uid="form-1")
    assert again == first
    assert one(db, "SELECT count(*) FROM people")[0] == 1
    assert one(db, "SELECT count(*) FROM touches")[0] == 1
    assert one(db, "SELECT count(*) FROM followups")[0] == 1
    assert cards.saved_uid(db, "form-1") == first
    assert cards.saved_uid(db, "form-2") is None
    assert save_card(db, "Dana Double", uid="form-2") != first


@pytest.mark.parametrize(
    ("now", "tz", "due"),
    [
        (datetime(2026, 3, 10, 22, 30, tzinfo=timezone.utc), "UTC", "2026-03-11"),
        # 22:30 UTC is already 07:30 on the 11th in Tokyo: due the 12th.
        (datetime(2026, 3, 10, 22, 30, tzinfo=timezone.utc), "Asia/Tokyo", "2026-03-12"),
        # 01:00 UTC on the 11th is still the evening of the 10th in Los Angeles.
        (datetime(2026, 3, 11, 1, 0, tzinfo=timezone.utc), "America/Los_Angeles", "2026-03-11"),
        (datetime(2026, 12, 31, 23, 0, tzinfo=timezone.utc), "Europe/Berlin", "2027-01-02"),
        (datetime(2026, 2, 28, 12, 0, tzinfo=timezone.utc), "UTC", "2026-03-01"),
    ],
)
def test_save_first_followup_due_next_day_in_settings_zone(db, now, tz, due):
    person_id = save_card(db, at=now, settings={**SETTINGS, "timezone": tz})
    assert open_followups(db, person_id) == [(due, "ladder", 1)]
    assert stored(db, person_id)["met_at"] == now.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_save_unknown_event_leaves_nothing_behind(db):
    save_card(db, name="Someone Else")
    before = counts(db)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        save_card(db, event_id=999, photo=a_photo(), tags="math")
    assert counts(db) == before
    assert not db.conn.in_transaction


def test_save_failing_at_the_last_step_leaves_nothing_behind(db):
    # Without ladder gaps the follow-up, written last, cannot be scheduled.
    event_id = make_event(db)
    before = counts(db)
    with pytest.raises(KeyError, match="ladder_gaps"):
        save_card(db, event_id=event_id, photo=a_photo(), tags="math, poetry",
                  settings={"timezone": "UTC"})
    assert counts(db) == before
    save_card(db, event_id=event_id)  # the connection is usable afterwards
    assert counts(db)["people"] == before["people"] + 1


def test_save_bad_tag_mid_way_leaves_nothing_behind(db):
    before = counts(db)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        cards.save(db, cards.Card(name="Ada", tags=("ok", " ")), settings=SETTINGS, now=NOW)
    assert counts(db) == before


# --- add_meeting and undo ---------------------------------------------------


@pytest.fixture
def ada(db):
    """Ada, met at the first event with a company and one tag; no email or phone."""
    first = make_event(db, "Hannover Messe")
    second = make_event(db, "CeBIT")
    person_id = save_card(db, event_id=first, company="Analytical Engines", tags="math",
                          kind="customer")
    return {"id": person_id, "first": first, "second": second}


AGAIN = {"name": "Ada L.", "kind": "competitor", "company": "Other Co", "title": "Countess",
         "email": "ada@example.com", "phone": "030 1234567", "tags": "Math, poetry",
         "note": "talked about engines"}


def test_add_meeting_fills_only_empty_details(db, ada):
    before = stored(db, ada["id"])
    touch_id = cards.add_meeting(db, ada["id"], card(**AGAIN), settings=SETTINGS,
                                 event_id=ada["second"], now=LATER)
    after = stored(db, ada["id"])
    assert (after["name"], after["company"], after["kind"]) == (
        "Ada Lovelace", "Analytical Engines", "customer")  # never overwritten
    assert (after["title"], after["email"], after["phone"]) == (
        "Countess", "ada@example.com", "+49301234567")  # filled
    assert after["note"] is None  # the note belongs to the meeting
    assert (after["met_at"], after["event_id"]) == (before["met_at"], before["event_id"])
    assert tags_of(db, ada["id"]) == ["math", "poetry"]
    at, event_id, note, data = one(db, "SELECT at, event_id, note, data FROM touches "
                                        "WHERE id = ? AND kind = 'met'", [touch_id])
    assert (at, event_id, note) == ("2026-04-02T09:30:00Z", ada["second"], "talked about engines")
    assert json.loads(data) == {"created": False, "filled": ["title", "email", "phone"],
                                "tags": ["poetry"], "photo": None, "followup": None}
    assert one(db, "SELECT count(*) FROM people")[0] == 1


def test_add_meeting_department_only_for_colleagues(db, ada):
    # Ada is a customer; a card typed as a colleague must not give her a department.
    again = card(kind="colleague", department="R&D")
    cards.add_meeting(db, ada["id"], again, settings=SETTINGS, now=LATER)
    assert stored(db, ada["id"])["department"] is None
    colleague = save_card(db, name="Grace Hopper", kind="colleague")
    cards.add_meeting(db, colleague, again, settings=SETTINGS, now=LATER)
    assert stored(db, colleague)["department"] == "R&D"


def test_add_meeting_keeps_the_open_followup(db, ada):
    cards.add_meeting(db, ada["id"], card(**AGAIN), settings=SETTINGS,
                      event_id=ada["second"], now=LATER)
    assert open_followups(db, ada["id"]) == [("2026-03-11", "ladder", 1)]


def test_add_meeting_recreates_followup_when_none_is_open(db, ada):
    db.execute("UPDATE followups SET status = 'done' WHERE person_id = ?", [ada["id"]])
    tokyo = {**SETTINGS, "timezone": "Asia/Tokyo"}
    late = datetime(2026, 4, 2, 22, 0, tzinfo=timezone.utc)  # 3 April, 07:00 in Tokyo
    cards.add_meeting(db, ada["id"], card(), settings=tokyo, event_id=ada["second"], now=late)
    assert open_followups(db, ada["id"]) == [("2026-04-04", "ladder", 1)]


@pytest.mark.parametrize("status", ["let_go", "declined"])
def test_add_meeting_no_followup_for_people_not_active(db, ada, status):
    db.execute("UPDATE followups SET status = 'let_go' WHERE person_id = ?", [ada["id"]])
    db.execute("UPDATE people SET status = ? WHERE id = ?", [status, ada["id"]])
    cards.add_meeting(db, ada["id"], card(), settings=SETTINGS, now=LATER)
    assert open_followups(db, ada["id"]) == []
    assert one(db, "SELECT count(*) FROM touches WHERE person_id = ?", [ada["id"]])[0] == 2


def test_add_meeting_with_photo_stores_it(db, ada):
    cards.add_meeting(db, ada["id"], card(), settings=SETTINGS, photo=a_photo(), now=LATER)
    assert all_rows(db, "SELECT person_id, kind FROM attachments") == [(ada["id"], "card_photo")]


def test_add_meeting_to_missing_person_raises(db, ada):
    before = counts(db)
    with pytest.raises(NotFound, match="no longer exists"):
        cards.add_meeting(db, 999, card(**AGAIN), settings=SETTINGS, now=LATER)
    assert counts(db) == before


def test_undo_added_meeting_takes_back_what_it_filled(db, ada):
    touch_id = cards.add_meeting(db, ada["id"], card(**AGAIN), settings=SETTINGS,
                                 event_id=ada["second"], now=LATER)
    assert cards.undo_capture(db, touch_id) == "Ada Lovelace"
    after = stored(db, ada["id"])
    assert (after["title"], after["email"], after["phone"]) == (None, None, None)
    assert after["company"] == "Analytical Engines"
    assert tags_of(db, ada["id"]) == ["math"]
    assert all_rows(db, "SELECT kind, event_id FROM touches WHERE person_id = ?",
                    [ada["id"]]) == [("met", ada["first"])]
    assert open_followups(db, ada["id"]) == [("2026-03-11", "ladder", 1)]


def test_undo_added_meeting_removes_its_photo(db, ada):
    touch_id = cards.add_meeting(db, ada["id"], card(), settings=SETTINGS, photo=a_photo(),
                                 now=LATER)
    cards.undo_capture(db, touch_id)
    assert one(db, "SELECT count(*) FROM attachments WHERE person_id = ?", [ada["id"]])[0] == 0


def test_undo_added_meeting_removes_the_followup_it_created(db, ada):
    db.execute("UPDATE followups SET status = 'done' WHERE person_id = ?", [ada["id"]])
    touch_id = cards.add_meeting(db, ada["id"], card(), settings=SETTINGS, now=LATER)
    assert open_followups(db, ada["id"]) == [("2026-04-03", "ladder", 1)]
    cards.undo_capture(db, touch_id)
    assert open_followups(db, ada["id"]) == []


def test_undo_new_card_deletes_the_person_with_everything(db, ada):
    other = save_card(db, name="Grace Hopper", tags="navy")
    touch_id = one(db, "SELECT id FROM touches WHERE person_id = ? AND kind = 'met'",
                   [ada["id"]])[0]
    cards.add_meeting(db, ada["id"], card(**AGAIN), settings=SETTINGS, photo=a_photo(),
                      now=LATER)
    assert cards.undo_capture(db, touch_id) == "Ada Lovelace"
    for table in ("people", "touches", "followups", "person_tags", "attachments"):
        column = "id" if table == "people" else "person_id"
        assert one(db, f"SELECT count(*) FROM {table} WHERE {column} = ?", [ada["id"]])[0] == 0
    assert one(db, "SELECT count(*) FROM people_fts WHERE rowid = ?", [ada["id"]])[0] == 0
    assert stored(db, other)["name"] == "Grace Hopper"
    assert tags_of(db, other) == ["navy"]
    assert one(db, "SELECT count(*) FROM events")[0] == 2


@pytest.mark.parametrize("new_card", [True, False], ids=["new-card", "added-meeting"])
def test_undo_twice_raises_not_found(db, ada, new_card):
    if new_card:
        touch_id = one(db, "SELECT id FROM touches WHERE person_id = ?", [ada["id"]])[0]
    else:
        touch_id = cards.add_meeting(db, ada["id"], card(), settings=SETTINGS, now=LATER)
    cards.undo_capture(db, touch_id)
    before = counts(db)
    with pytest.raises(NotFound, match=r"^That capture is already gone\.$"):
        cards.undo_capture(db, touch_id)
    assert counts(db) == before


def test_undo_refuses_a_touch_that_is_not_a_capture(db, ada):
    attempt = db.execute(
        "INSERT INTO touches (person_id, at, kind, channel, created_at) "
        "VALUES (?, '2026-03-12T10:00:00Z', 'attempt', 'email', '2026-03-12T10:00:00Z')",
        [ada["id"]]).lastrowid
    with pytest.raises(NotFound):
        cards.undo_capture(db, attempt)
    assert one(db, "SELECT count(*) FROM people")[0] == 1


# --- recent_captures --------------------------------------------------------


def test_recent_captures_newest_first_with_added_meeting_flag(db, ada):
    grace = save_card(db, name="Grace Hopper", company="Navy", kind="partner", at=LATER)
    meeting = cards.add_meeting(db, ada["id"], card(), settings=SETTINGS,
                                event_id=ada["second"], now=LATER)
    captures = cards.recent_captures(db)
    assert [(c["name"], c["added_meeting"], c["event"]) for c in captures] == [
        ("Ada Lovelace", True, "CeBIT"),
        ("Grace Hopper", False, None),
        ("Ada Lovelace", False, "Hannover Messe"),
    ]
    assert captures[0]["touch_id"] == meeting
    assert captures[1] == {"touch_id": captures[1]["touch_id"], "person_id": grace,
                           "at": "2026-04-02T09:30:00Z", "name": "Grace Hopper",
                           "company": "Navy", "kind": "partner", "event": None,
                           "added_meeting": False}
    assert [c["name"] for c in cards.recent_captures(db, limit=2)] == ["Ada Lovelace",
                                                                      "Grace Hopper"]


def test_recent_captures_leaves_out_other_touches_and_undone_captures(db, ada):
    meeting = cards.add_meeting(db, ada["id"], card(), settings=SETTINGS, now=LATER)
    db.execute("INSERT INTO touches (person_id, at, kind, channel, created_at) "
               "VALUES (?, '2026-04-03T10:00:00Z', 'attempt', 'email', '2026-04-03T10:00:00Z')",
               [ada["id"]])
    cards.undo_capture(db, meeting)
    assert [c["added_meeting"] for c in cards.recent_captures(db)] == [False]


def test_recent_captures_empty_database(db):
    assert cards.recent_captures(db) == []


# --- update -----------------------------------------------------------------


def test_update_replaces_details_and_tags_keeps_history(db, ada):
    cards.add_meeting(db, ada["id"], card(**AGAIN), settings=SETTINGS, now=LATER)
    touches_before = all_rows(db, "SELECT * FROM touches WHERE person_id = ? ORDER BY id",
                              [ada["id"]])
    followups_before = all_rows(db, "SELECT * FROM followups WHERE person_id = ?", [ada["id"]])
    new = cards.clean({"name": "Augusta Ada King", "kind": "partner", "company": "Babbage & Co",
                       "tags": "engines, history", "important": True})
    people.update(db, ada["id"], new, cadence_days=21, tz="Europe/London")
    after = stored(db, ada["id"])
    assert (after["name"], after["kind"], after["company"], after["important"]) == (
        "Augusta Ada King", "partner", "Babbage & Co", 1)
    # Replaced, not merged: what the new card leaves empty is cleared.
    assert (after["email"], after["phone"], after["title"]) == (None, None, None)
    assert (after["cadence_days"], after["tz"]) == (21, "Europe/London")
    assert tags_of(db, ada["id"]) == ["engines", "history"]
    assert all_rows(db, "SELECT * FROM touches WHERE person_id = ? ORDER BY id",
                    [ada["id"]]) == touches_before
    assert all_rows(db, "SELECT * FROM followups WHERE person_id = ?",
                    [ada["id"]]) == followups_before
    assert people.search(db, people.Filters(query="babbage"))[1] == 1  # search index follows


def test_update_keeps_cadence_and_tz_when_not_given(db, ada):
    people.update(db, ada["id"], card(), cadence_days=21, tz="Europe/London")
    people.update(db, ada["id"], card(title="Countess"))
    after = stored(db, ada["id"])
    assert (after["title"], after["cadence_days"], after["tz"]) == ("Countess", 21, "Europe/London")


@pytest.mark.parametrize("tz", [None, ""])
def test_update_none_clears_cadence_and_tz(db, ada, tz):
    people.update(db, ada["id"], card(), cadence_days=21, tz="Europe/London")
    people.update(db, ada["id"], card(), cadence_days=None, tz=tz)
    after = stored(db, ada["id"])
    assert (after["cadence_days"], after["tz"]) == (None, None)


@pytest.mark.parametrize("days", [1, 730])
def test_update_cadence_at_the_bounds(db, ada, days):
    people.update(db, ada["id"], card(), cadence_days=days)
    assert stored(db, ada["id"])["cadence_days"] == days


@pytest.mark.parametrize("days", [0, -1, 731, True, 2.5, 14.0, "14"])
def test_update_bad_cadence_raises_and_changes_nothing(db, ada, days):
    before = stored(db, ada["id"])
    with pytest.raises(ValidationError, match=r"^Cadence: between 1 and 730 days\.$") as err:
        people.update(db, ada["id"], card(name="Changed"), cadence_days=days)
    assert err.value.field == "cadence_days"
    assert stored(db, ada["id"]) == before


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "../etc/passwd", "Europe/Berlin "])
def test_update_bad_tz_raises_and_changes_nothing(db, ada, tz):
    before = stored(db, ada["id"])
    with pytest.raises(ValidationError, match=r"^Unknown time zone"):
        people.update(db, ada["id"], card(name="Changed"), tz=tz)
    assert stored(db, ada["id"]) == before


def test_update_missing_person_raises(db):
    with pytest.raises(NotFound, match="no longer exists"):
        people.update(db, 999, card())
    assert one(db, "SELECT count(*) FROM people")[0] == 0


def test_card_of_round_trips_a_saved_card(db):
    original = card(kind="colleague", department="R&D", company="Analytical Engines",
                    email="ada@example.com", phone="030 1234567", tags="math, poetry",
                    note="line one\nline two", important=True)
    person_id = cards.save(db, original, settings=SETTINGS, now=NOW)
    assert cards.card_of(people.person(db, person_id)) == original


# --- delete -----------------------------------------------------------------


def test_delete_removes_the_person_with_everything(db, ada):
    grace = save_card(db, name="Grace Hopper", event_id=ada["first"], tags="math",
                      photo=a_photo())
    cards.add_meeting(db, ada["id"], card(**AGAIN), settings=SETTINGS, photo=a_photo(),
                      event_id=ada["second"], now=LATER)
    db.execute("INSERT INTO checkins (event_id, checked_in_at) VALUES (?, ?)",
               [ada["first"], "2026-03-10T08:00:00Z"])
    grace_before = {
        table: all_rows(db, f"SELECT * FROM {table} WHERE {col} = ?", [grace])
        for table, col in (("people", "id"), ("touches", "person_id"),
                           ("followups", "person_id"), ("person_tags", "person_id"),
                           ("attachments", "person_id"))
    }
    events_before = all_rows(db, "SELECT * FROM events ORDER BY id")
    assert people.delete(db, ada["id"]) == "Ada Lovelace"
    for table, col in (("people", "id"), ("touches", "person_id"), ("followups", "person_id"),
                       ("person_tags", "person_id"), ("attachments", "person_id")):
        assert one(db, f"SELECT count(*) FROM {table} WHERE {col} = ?", [ada["id"]])[0] == 0
        assert all_rows(db, f"SELECT * FROM {table} WHERE {col} = ?", [grace]) == grace_before[table]
    assert all_rows(db, "SELECT * FROM events ORDER BY id") == events_before
    assert one(db, "SELECT count(*) FROM checkins")[0] == 1
    assert people.search(db, people.Filters(query="lovelace")) == ([], 0)


def test_delete_missing_person_raises(db, ada):
    people.delete(db, ada["id"])
    with pytest.raises(NotFound, match="no longer exists"):
        people.delete(db, ada["id"])
    with pytest.raises(NotFound):
        people.delete(db, 12345)


def test_save_first_followup_matches_ladder(db):
    # The card's first follow-up is the ladder's rule, not a separate one.
    person_id = save_card(db)
    expected = next_followup(date(2026, 3, 10), [], [], SETTINGS["ladder_gaps"], 90)
    assert open_followups(db, person_id) == [
        (expected.due_on.isoformat(), expected.reason, expected.rung)]

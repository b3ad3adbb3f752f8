"""fieldkit.labelled: every email, phone, web and postal address, its label, the primary."""

import json
import sqlite3

import pytest

import fieldkit.db
import fieldkit.migrations
from fieldkit import cards, labelled, people
from fieldkit.errors import ValidationError
from fieldkit.labelled import Labelled
from tests.factory import NOW, SETTINGS

# --- cleaning one value -------------------------------------------------------


@pytest.mark.parametrize("kind, raw, region, value, checked", [
    ("email", " Ada@Example.COM ", None, "Ada@example.com", True),
    ("email", "priya at nimbus", None, "priya at nimbus", False),
    ("email", "ÑÑÑ", None, "ÑÑÑ", False),
    ("phone", "(415) 555-0132", "US", "+14155550132", True),
    ("phone", "030 1234567", "DE", "+49301234567", True),
    ("phone", "+1 650 253 0000 x42", None, "+16502530000;ext=42", True),
    ("phone", "+1-650-253-0000;ext=42", None, "+16502530000;ext=42", True),
    # Written with + and its country, the length of a number, not a valid one:
    # normalised all the same, not checked.
    ("phone", "+1 (555) 010-0199", "US", "+15550100199", False),
    # No country, letters, too short, a placeholder: kept as written.
    ("phone", "905-555-1234", "DE", "905-555-1234", False),
    ("phone", "BusinessPhone", "US", "BusinessPhone", False),
    ("phone", "+1 555 CALL NOW", "US", "+1 555 CALL NOW", False),
    ("phone", " 12   34 ", "US", "12 34", False),
    ("url", "brightline.example", None, "https://brightline.example", True),
    ("url", "http://www.ibm.com", None, "http://www.ibm.com", True),
    ("url", "skype:ada.lovelace", None, "skype:ada.lovelace", False),
    ("url", "javascript:alert(1)", None, "javascript:alert(1)", False),
])
def test_a_value_that_does_not_validate_is_kept_as_written(kind, raw, region, value, checked):
    cleaned = labelled.clean(kind, raw, label="Work", region=region)
    assert cleaned == Labelled(kind, value, "work")
    assert cleaned.checked is checked
    assert labelled.checked(kind, value) is checked


@pytest.mark.parametrize("kind, raw", [
    ("email", "priya at nimbus"), ("phone", "12 34"), ("url", "skype:ada")])
def test_strict_cleaning_refuses_what_does_not_validate(kind, raw):
    with pytest.raises(ValidationError) as caught:
        labelled.clean(kind, raw, region="US", strict=True)
    assert caught.value.field == kind


@pytest.mark.parametrize("kind, raw", [("email", ""), ("phone", "  "), ("url", None),
                                       ("address", {"street": " ", "country": ""})])
def test_an_empty_value_is_none(kind, raw):
    assert labelled.clean(kind, raw) is None


@pytest.mark.parametrize("kind, raw, message", [
    ("phone", "1" * 65, "Phone is too long"),
    ("email", "a" * 321, "Email is too long"),
    ("address", {"street": "x" * 501}, "Street is too long"),
])
def test_a_value_too_long_raises_whatever_the_mode(kind, raw, message):
    with pytest.raises(ValidationError, match=message):
        labelled.clean(kind, raw)


@pytest.mark.parametrize("raw, label", [
    ("Mobile", "mobile"),
    ("WORK FAX", "work fax"),
    ("fax work", "work fax"),  # shared words in one order, as a vCard TYPE reads back
    ("home  home", "home"),
    ("Cottage", "Cottage"),  # the user's own: as written
    ("GRAND_CENTRAL", "GRAND_CENTRAL"),
    ("Home Office", "Home Office"),
    ("  ", None),
    (None, None),
    (42, None),
    ("x" * 70, "x" * 60),
])
def test_labels(raw, label):
    assert labelled.clean_label(raw) == label


# --- postal addresses ---------------------------------------------------------


def test_an_address_keeps_its_parts_in_order_and_reads_as_an_envelope():
    value = labelled.address_value({
        "country": "USA", "street": " 222 Broadway\nSuite 100 ", "locality": "New York",
        "region": "NY", "postal_code": "10038", "po_box": "", "extended": "Floor 3"})
    assert json.loads(value) == {"extended": "Floor 3", "street": "222 Broadway\nSuite 100",
                                 "locality": "New York", "region": "NY",
                                 "postal_code": "10038", "country": "USA"}
    assert list(json.loads(value)) == ["extended", "street", "locality", "region",
                                       "postal_code", "country"]
    assert labelled.address_lines(value) == [
        "222 Broadway", "Suite 100", "Floor 3", "10038 New York, NY", "USA"]
    assert labelled.address_parts(value)["po_box"] == ""


def test_an_address_part_of_no_known_name_is_a_mistake():
    with pytest.raises(ValueError, match="unknown address part 'city'"):
        labelled.address_value({"city": "Berlin"})


def test_a_plain_text_address_reads_as_its_street():
    assert labelled.address_lines("Hauptstraße 5, Berlin") == ["Hauptstraße 5, Berlin"]


# --- the primary and the others -----------------------------------------------


def test_ordered_keeps_each_key_once_in_kind_order():
    values = [Labelled("phone", "+4930123456", "work"), Labelled("email", "a@x.example"),
              Labelled("email", "A@x.example", "home"), Labelled("phone", "+4930123456"),
              Labelled("address", '{"street":"Main St 1"}'),
              Labelled("address", '{"street":"MAIN  st 1"}')]
    assert labelled.ordered(values) == (
        Labelled("email", "a@x.example"), Labelled("phone", "+4930123456", "work"),
        Labelled("address", '{"street":"Main St 1"}'))


def test_split_puts_the_first_of_each_kind_in_its_people_column():
    values = labelled.ordered([
        Labelled("email", "a@x.example", "work"), Labelled("email", "b@x.example"),
        Labelled("url", "https://x.example", "homepage"),
        Labelled("address", '{"street":"Main St 1"}', "home")])
    columns, more = labelled.split(values)
    assert columns == {"email": "a@x.example", "email_label": "work", "phone": None,
                       "phone_label": None, "website": "https://x.example",
                       "website_label": "homepage"}
    assert more == (Labelled("email", "b@x.example"),
                    Labelled("address", '{"street":"Main St 1"}', "home"))
    assert labelled.every(columns, more) == values


def test_missing_gives_what_is_new_once():
    known = [Labelled("email", "ada@x.example"), Labelled("phone", "+4930123456")]
    offered = [Labelled("email", "ADA@x.example", "home"), Labelled("phone", "+4930999",
                                                                   "fax"),
               Labelled("phone", "+4930999")]
    assert labelled.missing(offered, known) == [Labelled("phone", "+4930999", "fax")]


@pytest.mark.parametrize("values, text", [
    ([Labelled("phone", "1"), Labelled("phone", "2"), Labelled("email", "a@x")],
     "an email, 2 phones"),
    ([Labelled("url", "x"), Labelled("address", "{}")], "a web address, a postal address"),
    ([], ""),
])
def test_counted(values, text):
    assert labelled.counted(values) == text


# --- a card's values, stored ----------------------------------------------------


def full_card(**fields) -> cards.Card:
    return cards.clean({"name": "Ada Lovelace", "email": "ada@acme.example",
                        "email_label": "work", "values": [
                            ("phone", "mobile", "+49 171 1234567"),
                            ("phone", "fax", "030 7654321"),
                            ("phone", None, "ask at reception"),
                            ("email", "home", "ada@home.example"),
                            ("url", "blog", "ada.example/blog"),
                            ("url", "profile", "linkedin.com/in/ada-l"),
                            ("address", "work", {"street": "Unter den Linden 1",
                                                 "locality": "Berlin", "country": "Germany"}),
                        ], **fields}, phone_region="DE")


def test_clean_makes_the_first_of_each_kind_the_primary():
    card = full_card()
    assert (card.email, card.email_label) == ("ada@acme.example", "work")
    assert (card.phone, card.phone_label) == ("+491711234567", "mobile")
    assert (card.website, card.website_label) == ("https://ada.example/blog", "blog")
    # The first web address that is a LinkedIn profile is the card's LinkedIn.
    assert card.linkedin_url == "https://www.linkedin.com/in/ada-l"
    assert [(v.kind, v.label, v.value) for v in card.more] == [
        ("email", "home", "ada@home.example"), ("phone", "fax", "+49307654321"),
        ("phone", None, "ask at reception"),
        ("address", "work", '{"street":"Unter den Linden 1","locality":"Berlin",'
                            '"country":"Germany"}')]
    assert card.all_of("phone") == ["+491711234567", "+49307654321", "ask at reception"]


def test_clean_checked_values_refuses_a_new_bad_email_but_keeps_one_as_stored():
    values = [("email", None, "priya at nimbus"), ("phone", None, "ask at reception")]
    with pytest.raises(ValidationError, match="^Email: ") as caught:
        cards.clean({"name": "Priya", "values": values}, checked_values=True)
    assert caught.value.field == "more"
    card = cards.clean({"name": "Priya", "values": values}, checked_values=True,
                       as_stored={("email", "priya at nimbus")})
    assert (card.email, card.phone) == ("priya at nimbus", "ask at reception")


def test_clean_keeps_at_most_so_many_values_of_a_kind():
    values = [("phone", None, f"+49 30 1234{n:03d}") for n in range(labelled.MAX_PER_KIND + 2)]
    with pytest.raises(ValidationError, match="At most 50 phones per person"):
        cards.clean({"name": "Ada", "values": values})
    dropped = []
    card = cards.clean({"name": "Ada", "values": values + [("email", None, "x" * 400)]},
                       dropped=dropped)
    assert len(card.all_of("phone")) == labelled.MAX_PER_KIND
    assert dropped == ["email ignored: Email is too long (400 characters; at most 320).",
                       "only the first 50 of 52 phones kept"]


@pytest.mark.parametrize("values", ["a@x.example", [("fax", None, "1")], [("email", "x")],
                                    {"email": "a@x.example"}])
def test_clean_refuses_values_of_the_wrong_shape(values):
    with pytest.raises(ValidationError) as caught:
        cards.clean({"name": "Ada", "values": values})
    assert caught.value.field == "more"


def test_a_saved_card_keeps_every_value_and_label(db):
    person_id = cards.save(db, full_card(), settings=SETTINGS, now=NOW)
    row = db.execute("SELECT email, email_label, phone, phone_label, website, website_label "
                     "FROM people WHERE id = ?", [person_id]).fetchone()
    assert row == ("ada@acme.example", "work", "+491711234567", "mobile",
                   "https://ada.example/blog", "blog")
    assert db.execute("SELECT kind, label, value FROM labelled_values WHERE person_id = ? "
                      "ORDER BY id", [person_id]).fetchall() == [
        (v.kind, v.label, v.value) for v in full_card().more]
    assert cards.card_of(people.person(db, person_id)) == full_card()


def test_update_replaces_the_values_and_keeps_the_order_given(db):
    person_id = cards.save(db, full_card(), settings=SETTINGS, now=NOW)
    edited = cards.clean({"name": "Ada Lovelace", "values": [
        ("phone", "fax", "030 7654321"), ("email", None, "ada@home.example")]},
        phone_region="DE")
    people.update(db, person_id, edited)
    person = people.person(db, person_id)
    assert (person["email"], person["email_label"], person["phone"], person["phone_label"],
            person["website"]) == ("ada@home.example", None, "+49307654321", "fax", None)
    assert person["more"] == ()
    assert db.execute("SELECT count(*) FROM labelled_values").fetchone() == (0,)


def test_deleting_a_person_deletes_their_values(db):
    person_id = cards.save(db, full_card(), settings=SETTINGS, now=NOW)
    people.delete(db, person_id)
    assert db.execute("SELECT count(*) FROM labelled_values").fetchone() == (0,)


def test_add_meeting_adds_the_values_a_person_lacks_and_undo_takes_them_back(db):
    person_id = cards.save(db, cards.clean({"name": "Ada Lovelace", "phone": "030 1234567"},
                                           phone_region="DE"), settings=SETTINGS, now=NOW)
    before = people.person(db, person_id)
    touch_id = cards.add_meeting(db, person_id, full_card(), settings=SETTINGS, now=NOW)
    after = people.person(db, person_id)
    # The known phone stays the primary; an email and a web address become theirs.
    assert (after["email"], after["email_label"], after["phone"], after["phone_label"],
            after["website"]) == ("ada@acme.example", "work", "+49301234567", None,
                                  "https://ada.example/blog")
    assert [v.value for v in after["more"]] == [
        "ada@home.example", "+491711234567", "+49307654321", "ask at reception",
        '{"street":"Unter den Linden 1","locality":"Berlin","country":"Germany"}']
    cards.undo_capture(db, touch_id)
    undone = people.person(db, person_id)
    assert {k: undone[k] for k in cards.VALUE_COLUMNS} == {
        k: before[k] for k in cards.VALUE_COLUMNS}
    assert undone["more"] == ()


# --- the migration ---------------------------------------------------------------


def test_migration_keeps_each_email_and_phone_as_the_primary(db_path):
    with fieldkit.db.connect(db_path, migrate=False) as db:
        fieldkit.migrations.migrations.apply(db, stop_before="0006_labelled_values")
        db.execute("INSERT INTO people (uid, name, email, phone, website, met_at, created_at, "
                   "updated_at) VALUES ('u1', 'Ada', 'ada@x.example', '+4930123456', "
                   "'https://x.example', 'T', 'T', 'T')")
    with fieldkit.db.connect(db_path) as db:
        person = people.person(db, 1)
        assert labelled.every(person, person["more"]) == (
            Labelled("email", "ada@x.example"), Labelled("phone", "+4930123456"),
            Labelled("url", "https://x.example"))
        assert person["named_from"] is None


@pytest.mark.parametrize("sql", [
    "INSERT INTO labelled_values (person_id, kind, value) VALUES (1, 'fax', '1')",
    "INSERT INTO labelled_values (person_id, kind, value) VALUES (1, 'phone', '')",
    "INSERT INTO labelled_values (person_id, kind, value) VALUES (99, 'phone', '1')",
    "UPDATE people SET named_from = 'nickname'",
])
def test_schema_refuses_what_no_value_is(db, sql):
    cards.save(db, cards.clean({"name": "Ada"}), settings=SETTINGS, now=NOW)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(sql)


@pytest.mark.parametrize(
    "value, dialed",
    [
        ("+33698765432", "+33698765432"),
        ("+16502530000;ext=42", "+16502530000;ext=42"),
        ("+1 555 0100", "+15550100"),  # not a valid number: its digits
        ("06 98 76 54 32", "0698765432"),  # kept as written: its digits still dial
        ("(030) 123-456 ext. 7", "030123456"),
        ("  +44 (0)20 7946 0958", "+4402079460958"),
        ("ask reception", None),
        ("12", None),
        ("", None),
        (None, None),
    ],
)
def test_every_number_kept_dials_by_its_digits(value, dialed):
    assert labelled.dial(value) == dialed

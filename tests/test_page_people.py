"""The People page under AppTest: search, filters, a person's card, edit, delete."""

import re
import sqlite3

import pytest
from apptest import rows, run_page
from streamlit.testing.v1 import AppTest

from fieldkit import people
from fieldkit.ui.text import md


PAGE = "pages/people.py"


def people_page(query_params: dict | None = None):
    return run_page(PAGE, query_params)


def sql(path, query: str, *args):
    return rows(path, query, args)


def shown_count(at: AppTest) -> int:
    """The number in the "42 people" caption."""
    caption = next(c.value for c in at.caption if c.value.endswith(("people", "person")))
    return int(caption.split()[0].replace(",", ""))


def result_ids(at: AppTest) -> list[int]:
    return [int(b.key.removeprefix("open_")) for b in at.button
            if (b.key or "").startswith("open_")]


def search(at: AppTest, text: str) -> AppTest:
    at.text_input(key="people_query").input(text).run()
    assert not at.exception
    return at


def a_busy_person(path) -> int:
    """Someone on the first page of results with several touches and an open follow-up."""
    return sql(path, """
        SELECT c.id FROM (SELECT id, met_at FROM people ORDER BY met_at DESC, id DESC
                          LIMIT ?) c
        WHERE (SELECT count(*) FROM touches WHERE person_id = c.id) >= 2
          AND EXISTS (SELECT 1 FROM followups WHERE person_id = c.id AND status = 'open')
        ORDER BY c.met_at DESC LIMIT 1""", people.PAGE_SIZE)[0][0]


def open_person(at: AppTest, person_id: int) -> AppTest:
    at.button(key=f"open_{person_id}").click().run()
    assert not at.exception
    return at


def edit_field(at: AppTest, label: str):
    return next(w for w in [*at.text_input, *at.text_area] if w.label == label)


def value_rows(at: AppTest, kind: str) -> list[tuple]:
    """The edit form's (label pills, value input) of each ``kind`` value, top to bottom."""
    pattern = re.compile(rf"edit_\d+_{kind}_(\d+)_\w+_(label|value)$")
    found = {}
    for w in [*at.button_group, *at.text_input]:
        if w.key and (match := pattern.match(w.key)):
            found.setdefault(int(match[1]), {})[match[2]] = w
    return [(row["label"], row["value"]) for _, row in sorted(found.items())]


def save_changes(at: AppTest) -> AppTest:
    next(b for b in at.get("form_submit_button") if b.label == "Save changes").click()
    at.run()
    assert not at.exception
    return at


def test_people_runs_on_an_empty_database(app_db):
    at = people_page()
    assert at.title[0].value == "People"
    assert shown_count(at) == 0
    assert "Nobody here yet" in at.info[0].value
    assert at.text_input(key="people_query").placeholder == "Name, company, title or note"


def test_people_lists_sample_data_most_recent_first_with_the_count(sample_db):
    at = people_page()
    total = sql(sample_db, "SELECT count(*) FROM people")[0][0]
    assert shown_count(at) == total
    expected = [i for (i,) in sql(sample_db, "SELECT id FROM people "
                                  "ORDER BY met_at DESC, id DESC LIMIT ?", people.PAGE_SIZE)]
    assert result_ids(at) == expected


def test_people_show_more_pages_through_the_list(sample_db):
    at = people_page()
    assert len(result_ids(at)) == people.PAGE_SIZE
    next(b for b in at.button if b.label.startswith("Show more")).click().run()
    assert len(result_ids(at)) == 2 * people.PAGE_SIZE


def test_people_search_by_last_name_narrows_the_list(sample_db):
    (last, expected), = sql(sample_db, """
        SELECT substr(name, instr(name, ' ') + 1) AS last, count(*) FROM people
        GROUP BY last ORDER BY count(*) DESC, last LIMIT 1""")
    at = search(people_page(), last)
    assert shown_count(at) == expected == len(result_ids(at))
    assert all(last in b.label for b in at.button if (b.key or "").startswith("open_"))


@pytest.mark.parametrize("text", ['"*(NEAR', "🦄🚀 NEAR(", "a AND OR NOT", "-)'; DROP"])
def test_people_search_survives_hostile_queries(sample_db, text):
    at = search(people_page(), text)
    assert not at.error
    # Searched as plain words, and nobody in the sample has these.
    assert shown_count(at) == 0 == len(result_ids(at))


def open_filters(at):
    """The Filters expander, opened (its selectboxes are drawn only then)."""
    at.session_state["people_filters"] = True
    at.run()
    return at


def test_people_kind_filter(sample_db):
    at = open_filters(people_page())
    at.selectbox(key="people_kind").set_value("competitor").run()
    expected = {i for (i,) in sql(sample_db, "SELECT id FROM people WHERE kind = 'competitor'")}
    assert shown_count(at) == len(expected)
    assert set(result_ids(at)) == expected


def test_people_filter_holds_while_the_filters_are_closed(sample_db):
    at = people_page()
    assert not at.selectbox  # closed: none drawn
    at = open_filters(at)
    at.selectbox(key="people_kind").set_value("competitor").run()
    expected = {i for (i,) in sql(sample_db, "SELECT id FROM people WHERE kind = 'competitor'")}
    at.session_state["people_filters"] = False
    at.run()
    assert not at.selectbox
    assert at.expander[0].label == "Filters · 1 on"
    assert set(result_ids(at)) == expected
    at = open_filters(at)
    assert at.selectbox(key="people_kind").value == "competitor"


def test_people_tag_filter(sample_db):
    (tag,), = sql(sample_db, "SELECT tag FROM person_tags GROUP BY tag ORDER BY tag LIMIT 1")
    at = open_filters(people_page())
    at.selectbox(key="people_tag").set_value(tag).run()
    expected = {i for (i,) in sql(sample_db, "SELECT person_id FROM person_tags WHERE tag = ?",
                                  tag)}
    assert shown_count(at) == len(expected)
    assert set(result_ids(at)) == expected


def test_people_open_a_person_shows_card_touches_and_followups(sample_db):
    person_id = a_busy_person(sample_db)
    (name,), = sql(sample_db, "SELECT name FROM people WHERE id = ?", person_id)
    touches = sql(sample_db, "SELECT count(*) FROM touches WHERE person_id = ?", person_id)[0][0]
    at = open_person(people_page(), person_id)
    assert md(name) in at.title[0].value  # as the page writes it: escaped Markdown
    assert at.session_state["person_id"] == person_id
    assert at.query_params["id"] == str(person_id)
    assert len(at.dataframe[0].value) == touches
    assert any(m.value.startswith("**Due ") for m in at.markdown)
    next(b for b in at.button if b.label == "Back to the list").click().run()
    assert at.title[0].value == "People" and "person_id" not in at.session_state


def test_people_back_to_the_list_keeps_the_search(sample_db):
    at = search(people_page(), "Murphy")
    before = result_ids(at)
    open_person(at, before[0])
    next(b for b in at.button if b.label == "Back to the list").click().run()
    assert at.text_input(key="people_query").value == "Murphy"
    assert result_ids(at) == before


def test_people_opens_a_person_from_the_query_parameter(sample_db):
    (name,), = sql(sample_db, "SELECT name FROM people WHERE id = 5")
    at = people_page({"id": "5"})
    assert md(name) in at.title[0].value  # as the page writes it: escaped Markdown


@pytest.mark.parametrize("bad", ["99999", "abc"])
def test_people_query_parameter_for_nobody_says_so(sample_db, bad):
    at = people_page({"id": bad})
    assert "no longer exists" in at.error[0].value
    next(b for b in at.button if b.label == "Back to the list").click().run()
    assert at.title[0].value == "People" and "id" not in at.query_params


def test_people_edit_company_is_stored_and_history_kept(sample_db):
    person_id = a_busy_person(sample_db)
    with sqlite3.connect(sample_db) as conn:  # half the sample's phones are not valid numbers
        conn.execute("UPDATE people SET phone = '+493012345678' WHERE id = ?", [person_id])
    before = sql(sample_db, "SELECT name, tz, cadence_days FROM people WHERE id = ?", person_id)
    touches = sql(sample_db, "SELECT count(*) FROM touches WHERE person_id = ?", person_id)
    at = open_person(people_page(), person_id)
    assert "[\\+49 30 12345678](tel:+493012345678)" in at.markdown[0].value
    edit_field(at, "Company").input("Acme Rockets")
    edit_field(at, "Tags").input("vip, Europe")
    at = save_changes(at)
    assert not at.error
    assert at.success[0].value == "Saved."
    assert sql(sample_db, "SELECT company FROM people WHERE id = ?", person_id) == \
        [("Acme Rockets",)]
    assert sql(sample_db, "SELECT tag FROM person_tags WHERE person_id = ? ORDER BY tag",
               person_id) == [("europe",), ("vip",)]
    assert sql(sample_db, "SELECT name, tz, cadence_days FROM people WHERE id = ?",
               person_id) == before
    assert sql(sample_db, "SELECT count(*) FROM touches WHERE person_id = ?",
               person_id) == touches
    assert edit_field(at, "Company").value == "Acme Rockets"


def test_people_edit_with_invalid_email_names_email_and_stores_nothing(sample_db):
    person_id = a_busy_person(sample_db)
    before = sql(sample_db, "SELECT * FROM people WHERE id = ?", person_id)
    at = open_person(people_page(), person_id)
    edit_field(at, "Company").input("Acme Rockets")
    value_rows(at, "email")[0][1].input("not an email@")
    at = save_changes(at)
    assert at.error and at.error[0].value.startswith("Email")
    assert sql(sample_db, "SELECT * FROM people WHERE id = ?", person_id) == before
    assert value_rows(at, "email")[0][1].value == "not an email@"
    assert edit_field(at, "Company").value == "Acme Rockets"


def test_people_delete_needs_confirmation_and_removes_only_that_person(sample_db):
    person_id = a_busy_person(sample_db)
    (name,), = sql(sample_db, "SELECT name FROM people WHERE id = ?", person_id)
    others = sql(sample_db, "SELECT count(*) FROM people WHERE id != ?", person_id)
    other_touches = sql(sample_db, "SELECT count(*) FROM touches WHERE person_id != ?", person_id)
    events_before = sql(sample_db, "SELECT * FROM events")
    at = open_person(people_page(), person_id)
    next(b for b in at.button if b.label == "Delete").click().run()
    for_good = next(b for b in at.button if b.label == "Delete for good")
    assert for_good.disabled
    assert sql(sample_db, "SELECT count(*) FROM people WHERE id = ?", person_id) == [(1,)]
    sure = at.checkbox(key="people_delete_sure")
    assert sure.label.replace("\\", "") == f"Yes, delete {name} and their history"
    sure.check().run()
    next(b for b in at.button if b.label == "Delete for good").click().run()
    assert not at.exception
    assert at.title[0].value == "People"
    assert at.success[0].value.replace("\\", "") == f"Deleted {name}."
    for table in ("people WHERE id", "touches WHERE person_id", "followups WHERE person_id",
                  "person_tags WHERE person_id", "attachments WHERE person_id"):
        assert sql(sample_db, f"SELECT count(*) FROM {table} = ?", person_id) == [(0,)]
    assert sql(sample_db, "SELECT count(*) FROM people") == others
    assert sql(sample_db, "SELECT count(*) FROM touches") == other_touches
    assert sql(sample_db, "SELECT * FROM events") == events_before
    assert person_id not in result_ids(at)


def test_people_delete_can_be_cancelled(sample_db):
    person_id = a_busy_person(sample_db)
    at = open_person(people_page(), person_id)
    next(b for b in at.button if b.label == "Delete").click().run()
    next(b for b in at.button if b.label == "Cancel").click().run()
    assert not [b for b in at.button if b.label == "Delete for good"]
    assert sql(sample_db, "SELECT count(*) FROM people WHERE id = ?", person_id) == [(1,)]


def test_people_escapes_markup_in_user_text(sample_db):
    person_id = a_busy_person(sample_db)
    with sqlite3.connect(sample_db) as conn:
        conn.execute("UPDATE people SET name = '![x](http://tracker.example/p.png) *Bo*', "
                     "company = '[click](javascript:alert(1))', "
                     "website = 'https://example.com/a)(b' WHERE id = ?", [person_id])
    at = people_page()
    label = at.button(key=f"open_{person_id}").label
    assert "\\!\\[x\\]\\(http\u2060\\:" in label and "\\[click\\]" in label
    at = open_person(at, person_id)
    assert "\\!\\[x\\]" in at.title[0].value and "\\*Bo\\*" in at.title[0].value
    card = at.markdown[0].value
    assert "\\[click\\]\\(javascript\\:" in card
    assert "(https://example.com/a%29%28b)" in card


def test_a_person_let_go_can_be_followed_up_again(sample_db):
    (person_id,) = rows(sample_db, "SELECT id FROM people WHERE status = 'let_go' LIMIT 1")[0]
    at = people_page({"id": str(person_id)})
    next(b for b in at.button if b.label == "Follow up again").click()
    at.run()
    assert not at.exception
    assert rows(sample_db, "SELECT status FROM people WHERE id = ?", [person_id]) == [("active",)]
    assert rows(sample_db, "SELECT count(*) FROM followups WHERE person_id = ? AND status = 'open'",
                [person_id]) == [(1,)]
    assert "again" in at.success[0].value
    assert not [b for b in at.button if b.label == "Follow up again"]


# --- several emails, phones and addresses ------------------------------------------


@pytest.fixture
def keiko(app_db):
    """Keiko, with three phones (one kept as written), two emails and a postal address."""
    from fieldkit import cards, config, db
    with db.connect(app_db) as conn:
        card = cards.clean({"name": "Keiko Nakamura", "email": "keiko@hikari.example",
                            "email_label": "work", "values": [
                                ("email", "home", "keiko.n@mail.example"),
                                ("phone", "mobile", "+81 90-1234-5678"),
                                ("phone", "work fax", "+81 3-9876-5433"),
                                ("phone", "Cottage", "0467-22-0000"),
                                ("address", "home", {"street": "2-1-1 Nishi-Shinjuku",
                                                     "locality": "Tokyo",
                                                     "country": "Japan"})]})
        return cards.save(conn, card, settings=config.load(conn))


def test_person_card_shows_every_value_with_its_label(app_db, keiko):
    at = open_person(people_page(), keiko)
    card = at.markdown[0].value.split("  \n")
    assert card[1:7] == [
        ":material/mail: [keiko\u2060\\@hikari\\.example](mailto:keiko@hikari.example) "
        ":gray[work]",
        ":material/mail: [keiko\\.n\u2060\\@mail\\.example](mailto:keiko.n@mail.example) "
        ":gray[home]",
        ":material/call: [\\+81 90\\-1234\\-5678](tel:+819012345678) :gray[mobile]",
        ":material/call: [\\+81 3\\-9876\\-5433](tel:+81398765433) :gray[work fax]",
        ":material/call: [0467\\-22\\-0000](tel:0467220000) :gray[Cottage] "
        ":orange[not checked]",
        ":material/home_pin: 2\\-1\\-1 Nishi\\-Shinjuku\\, Tokyo\\, Japan :gray[home]"]
    assert card[7].startswith("Met ")


def test_person_edit_adds_and_removes_values_and_keeps_one_as_written(app_db, keiko):
    at = open_person(people_page(), keiko)
    phones = value_rows(at, "phone")
    assert [(label.value, value.value) for label, value in phones] == [
        ("mobile", "+81 90-1234-5678"), ("work fax", "+81 3-9876-5433"),
        ("Cottage", "0467-22-0000"), (None, "")]  # one more, empty, to add one
    phones[0][1].input("")  # the mobile goes
    phones[3][0].set_value("home")
    phones[3][1].input("1234")
    value_rows(at, "email")[0][1].input("")  # the work email goes: the home one is the main
    edit_field(at, "Street").input("")  # her address, but the street
    at = save_changes(at)
    assert not at.error
    assert at.success[0].value == "Saved. Kept as written, not checked: phone “1234”."
    assert sql(app_db, "SELECT email, email_label, phone, phone_label FROM people") == [
        ("keiko.n@mail.example", "home", "+81398765433", "work fax")]
    assert sql(app_db, "SELECT kind, label, value FROM labelled_values ORDER BY id") == [
        ("phone", "Cottage", "0467-22-0000"), ("phone", "home", "1234"),
        ("address", "home", '{"locality":"Tokyo","country":"Japan"}')]


def test_person_named_after_their_email_says_so(app_db):
    from fieldkit import db, imports, vcard
    with db.connect(app_db) as conn:
        imports.apply(conn, vcard.preview(
            conn, b"BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:lars@post.example\r\nEND:VCARD\r\n",
            "x.vcf"))
    at = open_person(people_page(), 1)
    assert at.markdown[0].value.split("  \n")[1] == \
        ":gray[Named after the email: the card had no name]"


def test_call_text_and_email_are_a_row_at_the_top(app_db, keiko):
    at = open_person(people_page(), keiko)
    row = [(b.label, b.proto.url.split("?")[0]) for b in at.get("link_button")]
    assert row == [("Call", "tel:+819012345678"), ("Text", "sms:+819012345678"),
                   ("Email", "mailto:keiko@hikari.example")]


def test_a_local_number_is_read_with_your_phone_country_and_dials(app_db, keiko):
    from fieldkit import config, db
    with db.connect(app_db) as conn:
        config.save(conn, {"phone_region": "FR"})
    at = open_person(people_page(), keiko)
    phones = value_rows(at, "phone")
    phones[3][0].set_value("mobile")
    phones[3][1].input("06 98 76 54 32")
    at = save_changes(at)
    assert at.success[0].value == "Saved."
    assert ("phone", "mobile", "+33698765432") in sql(
        app_db, "SELECT kind, label, value FROM labelled_values")
    assert "(tel:+33698765432) :gray[mobile]" in at.markdown[0].value
    # The confirmation is brought on screen, once.
    assert any('data-fk-top' in h.proto.body for h in at.get("html"))

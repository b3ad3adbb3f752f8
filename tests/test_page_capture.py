"""The Capture page driven through its real widgets against a temporary database."""

import io
from datetime import timedelta

import pytest
from apptest import rows, run_page
from PIL import Image

from fieldkit import cards, checkins, clock, config, db, events
from tests.factory import save_card


@pytest.fixture
def checked_in(app_db):
    """A running trade show the user is checked in to; returns its id."""
    now = clock.utc_now()
    local = now.astimezone(clock.zone("Europe/Berlin")).replace(tzinfo=None)
    with db.connect(app_db) as conn:
        event_id = events.create(conn, {
            "name": "FleetTech Expo", "kind": "trade_show", "tz": "Europe/Berlin",
            "starts": local - timedelta(hours=2), "ends": local + timedelta(days=2),
        })
        checkins.check_in(conn, event_id)
    return event_id


def capture_page():
    return run_page("pages/capture.py")


def widget(at, label):
    for kind in ("text_input", "text_area", "toggle", "selectbox"):
        for w in at.get(kind):
            if w.label == label:
                return w
    raise LookupError(label)


def card_photo(at):
    return next(w for w in at.get("file_uploader") if w.label.startswith("Card photo"))


def save_button(at):
    return next(b for b in at.get("form_submit_button") if b.label == "Save card")


def tap_save(at):
    """Tap the form's Save button, as the user does, and run the page."""
    save_button(at).click()
    at.run()
    assert not at.exception


def test_name_and_kind_make_a_card_at_the_checked_in_event(app_db, checked_in):
    at = capture_page()
    widget(at, "Name").set_value("Ada Okafor")
    at.button_group[0].set_value("competitor")
    tap_save(at)
    people = rows(app_db, "SELECT id, name, kind, event_id, source FROM people")
    assert [p[1:] for p in people] == [("Ada Okafor", "competitor", checked_in, "capture")]
    (due_on,) = rows(app_db, "SELECT due_on FROM followups WHERE status = 'open'")[0]
    with db.connect(app_db) as conn:
        tz = config.load(conn)["timezone"]
    assert due_on == (clock.today(tz) + timedelta(days=1)).isoformat()
    met = rows(app_db, "SELECT kind, event_id FROM touches")
    assert met == [("met", checked_in)]
    assert "Saved Ada Okafor" in at.success[0].value
    assert widget(at, "Name").value == ""  # ready for the next person
    assert any("Ada Okafor" in t.value for t in at.text)


def test_name_only_card_is_other_without_event_when_not_checked_in(app_db):
    at = capture_page()
    widget(at, "Name").set_value("  Ben   Sato ")
    tap_save(at)
    assert rows(app_db, "SELECT name, kind, event_id FROM people") == [("Ben Sato", "other", None)]


def test_card_without_name_is_refused(app_db):
    at = capture_page()
    widget(at, "Company").set_value("Northwind")
    tap_save(at)
    # Messages are Markdown-escaped, so a typed value cannot format the page.
    assert [e.value for e in at.error] == [r"Name\: a card needs at least a name\."]
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]
    assert widget(at, "Company").value == "Northwind"


@pytest.mark.parametrize(
    "label, bad, field_word",
    [("Email", "ada@", "Email"), ("Phone", "12ab", "Phone"),
     ("LinkedIn", "https://evil.example/in/ada", "LinkedIn")],
)
def test_bad_detail_names_the_field_and_saves_nothing(app_db, label, bad, field_word):
    at = capture_page()
    widget(at, "Name").set_value("Ada Okafor")
    widget(at, label).set_value(bad)
    tap_save(at)
    assert at.error and at.error[0].value.startswith(field_word)
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]
    assert widget(at, "Name").value == "Ada Okafor"
    assert widget(at, label).value == bad


def test_details_are_normalised(app_db):
    at = capture_page()
    widget(at, "Name").set_value("Chiara Rossi")
    widget(at, "Email").set_value("Chiara.Rossi@Example.COM")
    widget(at, "Phone").set_value("+49 30 1234567")
    widget(at, "LinkedIn").set_value("de.linkedin.com/in/Chiara-Rossi/?trk=x")
    widget(at, "Tags").set_value("#AI, beta tester, ai")
    widget(at, "Important").set_value(True)
    tap_save(at)
    assert rows(app_db, "SELECT email, phone, linkedin_url, important FROM people") == [
        ("Chiara.Rossi@example.com", "+49301234567", "https://www.linkedin.com/in/chiara-rossi", 1)
    ]
    assert rows(app_db, "SELECT tag FROM person_tags ORDER BY tag") == [("ai",), ("beta tester",)]


def test_department_is_kept_for_colleagues(app_db):
    at = capture_page()
    widget(at, "Name").set_value("Jonas Weber")
    at.button_group[0].set_value("colleague")
    widget(at, "Department (colleagues)").set_value("Finance")
    tap_save(at)
    assert rows(app_db, "SELECT kind, department FROM people") == [("colleague", "Finance")]


def existing(app_db, **fields) -> int:
    """Ada Okafor, saved before the page runs with the app's own settings, now."""
    with db.connect(app_db) as conn:
        return save_card(conn, "Ada Okafor", at=None, settings=config.load(conn), **fields)


def test_twin_warning_then_add_meeting_to_known_person(app_db, checked_in):
    known = existing(app_db, email="ada@northwind.example")
    at = capture_page()
    widget(at, "Name").set_value("Ada O.")
    widget(at, "Email").set_value("ADA@northwind.example")
    widget(at, "Title").set_value("Head of Ops")
    tap_save(at)
    assert at.warning and "already know" in at.warning[0].value
    assert rows(app_db, "SELECT count(*) FROM people") == [(1,)]
    add = next(b for b in at.button if b.label.startswith("Add to Ada Okafor"))
    assert "same email" in add.label
    add.click()
    at.run()
    assert rows(app_db, "SELECT count(*) FROM people") == [(1,)]
    assert rows(app_db, "SELECT title FROM people WHERE id = ?", [known]) == [("Head of Ops",)]
    assert rows(app_db, "SELECT count(*) FROM touches WHERE kind = 'met' AND event_id = ?",
                [checked_in]) == [(1,)]
    assert "Added this meeting to Ada Okafor" in at.success[0].value


def test_twin_warning_save_as_new_person(app_db):
    existing(app_db, company="Northwind")
    at = capture_page()
    widget(at, "Name").set_value("ada okafor")
    widget(at, "Company").set_value("NORTHWIND")
    tap_save(at)
    assert "already know" in at.warning[0].value
    assert next(b.label for b in at.button if b.label.startswith("Add to")) == (
        "Add to Ada Okafor · Northwind (same name and company)")
    next(b for b in at.button if b.label == "No, save as a new person").click()
    at.run()
    assert rows(app_db, "SELECT count(*) FROM people") == [(2,)]


def test_undo_takes_back_the_last_card(app_db):
    at = capture_page()
    widget(at, "Name").set_value("Hana Tanaka")
    tap_save(at)
    assert rows(app_db, "SELECT count(*) FROM people") == [(1,)]
    next(b for b in at.button if b.label == "Undo").click()
    at.run()
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]
    assert rows(app_db, "SELECT count(*) FROM followups") == [(0,)]
    assert "Took back Hana Tanaka" in at.success[0].value


def png(width=2400, height=1400) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 40)).save(out, format="PNG")
    return out.getvalue()


def test_card_photo_is_kept_with_the_card(app_db):
    at = capture_page()
    widget(at, "Name").set_value("Wei Zhang")
    card_photo(at).upload("card.png", png(), "image/png")
    tap_save(at)
    ((mime, data),) = rows(app_db, "SELECT mime, data FROM attachments")
    assert mime == "image/jpeg"
    assert max(Image.open(io.BytesIO(data)).size) == 1600


def test_unreadable_photo_is_refused_and_nothing_saved(app_db):
    at = capture_page()
    widget(at, "Name").set_value("Wei Zhang")
    card_photo(at).upload("card.png", b"not an image at all", "image/png")
    tap_save(at)
    assert [e.value for e in at.error] == [
        r"Photo\: this file is not an image FieldKit can read \(use JPEG\, PNG or WebP\)\."]
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]


def test_markup_in_a_name_is_shown_literally(app_db):
    at = capture_page()
    widget(at, "Name").set_value("![x](http://tracker.example/p.png) **Ada**")
    tap_save(at)
    message = at.success[0].value
    assert "\\!\\[x\\]\\(http\u2060\\:" in message and "\\*\\*Ada\\*\\*" in message
    assert rows(app_db, "SELECT name FROM people") == [("![x](http://tracker.example/p.png) **Ada**",)]


def counting_runs(monkeypatch) -> list:
    """The page's runs from now on: each run lists the recent captures once."""
    seen = []
    listed = cards.recent_captures

    def counted(*args, **kwargs):
        seen.append(1)
        return listed(*args, **kwargs)

    monkeypatch.setattr(cards, "recent_captures", counted)
    return seen


@pytest.fixture
def runs(monkeypatch):
    return counting_runs(monkeypatch)


def runs_of(runs, at, tap) -> int:
    before = len(runs)
    tap()
    at.run()
    assert not at.exception
    return len(runs) - before


def test_each_capture_action_is_one_run_of_the_page(app_db, runs):
    existing(app_db, email="ada@northwind.example")
    at = capture_page()
    widget(at, "Name").set_value("Ada O.")
    widget(at, "Email").set_value("ada@northwind.example")
    assert runs_of(runs, at, save_button(at).click) == 1
    assert at.warning and "already know" in at.warning[0].value
    add = next(b for b in at.button if b.label.startswith("Add to Ada Okafor"))
    assert runs_of(runs, at, add.click) == 1
    assert "Added this meeting to Ada Okafor" in at.success[0].value
    undo = next(b for b in at.button if b.label == "Undo")
    assert runs_of(runs, at, undo.click) == 1
    assert "Took back Ada Okafor" in at.success[0].value
    widget(at, "Name").set_value("Ben Sato")
    assert runs_of(runs, at, save_button(at).click) == 1
    assert "Saved Ben Sato" in at.success[0].value
    assert widget(at, "Name").value == ""


def test_a_tap_on_a_form_already_saved_adds_nothing(app_db):
    # The second tap of a double tap on "Add to" arrives with the old form
    # while the first tap's run, which already added the meeting, is going.
    known = existing(app_db, email="ada@northwind.example")
    at = capture_page()
    widget(at, "Name").set_value("Ada O.")
    widget(at, "Email").set_value("ada@northwind.example")
    tap_save(at)
    add = next(b for b in at.button if b.label.startswith("Add to Ada Okafor"))
    at.session_state["capture_gen"] = 1  # what the first tap left
    add.click()
    at.run()
    assert not at.exception and not at.error
    assert rows(app_db, "SELECT count(*) FROM touches WHERE person_id = ?", [known]) == [(1,)]


def test_a_second_tap_on_undo_takes_back_nothing_more(app_db):
    at = capture_page()
    widget(at, "Name").set_value("Hana Tanaka")
    tap_save(at)
    undo = next(b for b in at.button if b.label == "Undo")
    at.session_state["capture_undos"] = 1  # what the first tap of a double tap left
    undo.click()
    at.run()
    assert not at.exception and not at.error
    assert rows(app_db, "SELECT name FROM people") == [("Hana Tanaka",)]

"""The Events page under AppTest, driving its real widgets against a temp database file."""

from datetime import datetime, time, timedelta

import pytest
from apptest import rows, run_page
from streamlit.testing.v1 import AppTest

from fieldkit import checkins, clock, db, events
from fieldkit.ui import event_widgets

PAGE = "pages/events.py"


@pytest.fixture
def running_db(app_db):
    """One event running now, in UTC, with goals; not checked in."""
    now = clock.utc_now().replace(tzinfo=None)
    with db.connect(app_db) as conn:
        events.create(conn, {"name": "Demo *Day*", "kind": "meetup", "tz": "UTC",
                             "venue": "Hall 3", "city": "Lisbon",
                             "starts": now - timedelta(hours=1), "ends": now + timedelta(hours=3),
                             "goal_new_people": 10, "goal_competitors": 2})
    return app_db


def events_page():
    return run_page(PAGE)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_events_runs_on_an_empty_database(app_db):
    at = events_page()
    assert at.title[0].value == "Events"
    assert any("No event is running now" in c.value for c in at.caption)
    assert not [b for b in at.button if b.label == "Check out"]


def test_events_runs_on_sample_data_and_lists_every_section(sample_db):
    at = events_page()
    assert [h.value for h in at.subheader] == ["Now", "Coming up", "Past"]
    assert "FleetTech Expo" in at.markdown[0].value and "arrived early" in at.markdown[0].value
    assert button(at, "Check out")
    with db.connect(sample_db) as conn:
        line = events.timeline(conn, past_limit=event_widgets.PAST_STEP)
    hidden = line.past_total - len(line.past)
    assert hidden > 0 and any(f"{hidden} older events" in c.value for c in at.caption)
    for event in line.upcoming + line.past:
        assert at.button(key=f"open_{event['id']}")

    for _ in range(line.past_total // event_widgets.PAST_STEP):
        if not [b for b in at.button if b.label == "Show older events"]:
            break
        button(at, "Show older events").click()
        at.run()
    with db.connect(sample_db) as conn:
        everything = events.timeline(conn, past_limit=line.past_total).past
    assert [b.key for b in at.button if b.key and b.key.startswith("open_")][-1] == (
        f"open_{everything[-1]['id']}")
    assert not [b for b in at.button if b.label == "Show older events"]


def widget(at: AppTest, key: str):
    kinds = ("text_input", "text_area", "selectbox", "number_input", "datetime_input",
             "button_group")
    return next(w for kind in kinds for w in at.get(kind) if w.key == key)


def open_new_event(at: AppTest) -> None:
    """Open the New event expander: its form is drawn only while it is open."""
    if not any(w.key == "new_name" for w in at.text_input):
        at.session_state["new_open"] = True
        at.run()


def fill_new_event(at: AppTest, **values) -> None:
    open_new_event(at)
    for field, value in values.items():
        widget(at, f"new_{field}").set_value(value)


def test_new_event_is_stored_selected_and_the_form_cleared(app_db):
    # Some weeks ahead, whatever day the test runs: an upcoming event.
    day = clock.utc_now().date() + timedelta(weeks=7)
    starts = datetime.combine(day, time(9, 0))
    at = events_page()
    fill_new_event(at, name="FleetTech Expo 2027", kind="conference", venue="Messe",
                   city="Berlin", tz="Europe/Berlin",
                   starts=starts, ends=starts + timedelta(days=3, hours=9),
                   goal_new_people=25, goal_competitors=4, notes="Booth B12")
    button(at, "Create event").click()
    at.run()
    assert not at.exception and not at.error
    assert "Created **FleetTech Expo 2027**" in at.success[0].value
    with db.connect(app_db) as conn:
        (stored,) = events.timeline(conn).upcoming
        event = events.get(conn, stored["id"])
    assert event["name"] == "FleetTech Expo 2027" and event["kind"] == "conference"
    assert event["starts"] == starts
    # Stored in UTC: Berlin is an hour or two ahead of it.
    assert event["starts_at"] == clock.to_iso(starts.replace(tzinfo=clock.zone("Europe/Berlin")))
    assert event["starts_at"][11:13] in ("07", "08")
    assert (event["goal_new_people"], event["goal_competitors"]) == (25, 4)
    assert event["notes"] == "Booth B12"
    assert at.session_state["event_id"] == event["id"]
    assert not any(w.key == "new_name" for w in at.text_input)  # the form closed
    open_new_event(at)
    assert at.text_input(key="new_name").value == ""  # and empty when opened again
    assert any("Goal: meet 25 new people and 4 competitors" in m.value for m in at.markdown)


def test_new_event_older_than_the_listed_past_is_shown_after_creating_it(sample_db):
    at = events_page()
    fill_new_event(at, name="First meetup ever", kind="meetup",
                   starts=datetime(2009, 3, 4, 18, 0), ends=datetime(2009, 3, 4, 21, 0))
    button(at, "Create event").click()
    at.run()
    assert not at.exception and not at.error
    (new_id,) = rows(sample_db, "SELECT id FROM events WHERE name = 'First meetup ever'")[0]
    assert not [b for b in at.button if b.key == f"open_{new_id}"]  # not among the latest 20
    assert at.session_state["event_id"] == new_id
    assert any("**Meetup** · Wed 04 Mar 2009" in m.value for m in at.markdown)
    assert {m.label: m.value for m in at.metric}["People met"] == "0"


@pytest.mark.parametrize(
    "values, words",
    [
        ({"name": "   "}, "Name"),
        ({"name": "Demo Day", "starts": datetime(2027, 5, 2, 18, 0),
          "ends": datetime(2027, 5, 2, 9, 0)}, "ends before it starts"),
    ],
    ids=["empty-name", "end-before-start"],
)
def test_new_event_rejects_bad_input_stores_nothing_and_keeps_what_was_typed(
        app_db, values, words):
    at = events_page()
    fill_new_event(at, city="Porto", **values)
    button(at, "Create event").click()
    at.run()
    assert not at.exception and not at.success
    assert at.error and words in at.error[0].value
    assert rows(app_db, "SELECT count(*) FROM events") == [(0,)]
    assert at.text_input(key="new_name").value == values["name"]
    assert at.text_input(key="new_city").value == "Porto"


def test_check_in_with_one_tap_then_check_out(running_db):
    at = events_page()
    (event_id,) = rows(running_db, "SELECT id FROM events")[0]
    at.button(key=f"check_in_{event_id}").click()
    at.run()
    assert not at.exception and not at.error
    assert rows(running_db, "SELECT event_id, checked_out_at FROM checkins") == [(event_id, None)]
    assert "Checked in at **Demo \\*Day\\***" in at.markdown[0].value
    assert not [b for b in at.button if b.key == f"check_in_{event_id}"]

    tapped = clock.now_iso()
    button(at, "Check out").click()
    at.run()
    assert not at.exception
    ((checked_out,),) = rows(running_db, "SELECT checked_out_at FROM checkins")
    assert tapped <= checked_out <= clock.now_iso()  # stored when Check out was tapped
    assert "Checked out of" in at.success[0].value
    assert not [b for b in at.button if b.label == "Check out"]
    assert at.button(key=f"check_in_{event_id}")


def test_check_in_that_the_core_refuses_shows_its_message(running_db, monkeypatch):
    at = events_page()
    (event_id,) = rows(running_db, "SELECT id FROM events")[0]

    def refuse(db, event_id, **_):
        # What check_in says when the event ended between showing the button and the tap.
        raise checkins.CheckinError("Demo *Day* is over; check-in is closed.")

    monkeypatch.setattr(checkins, "check_in", refuse)
    at.button(key=f"check_in_{event_id}").click()
    at.run()
    assert not at.exception
    assert at.error and "is over" in at.error[0].value
    assert "Demo \\*Day\\*" in at.error[0].value  # the name is escaped
    assert rows(running_db, "SELECT count(*) FROM checkins") == [(0,)]


def test_opened_event_shows_its_scorecard(sample_db):
    with db.connect(sample_db) as conn:
        event = events.timeline(conn).current[0]
        card = events.scorecard(conn, event["id"])
    at = events_page()
    at.button(key=f"open_{event['id']}").click()
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"People met": str(card["met"]), "Competitors": str(card["competitors"]),
                       "Followed up": str(card["followed_up_48h"]),
                       "Dialogs": str(card["dialogs"]), "Check-ins": str(card["checkins"])}
    early = next(m for m in at.metric if m.label == "Check-ins")
    assert early.proto.delta == f"{card['arrived_early']} arrived early"
    bars = [p.proto.text for p in at.get("progress")]
    assert bars == [f"{card['met']} of {card['goal_new_people']} new people",
                    f"{card['competitors']} of {card['goal_competitors']} competitors"]
    assert any("Europe\\/Berlin" in c.value for c in at.caption)

    at.button(key=f"open_{event['id']}").click()
    at.run()
    assert not at.metric  # a second tap closes it


def test_edit_changes_an_events_name(running_db):
    (event_id,) = rows(running_db, "SELECT id FROM events")[0]
    at = events_page()
    at.button(key=f"open_{event_id}").click()
    at.run()
    name = at.text_input(key=f"edit{event_id}_name")
    assert name.value == "Demo *Day*"  # prefilled from events.get
    name.set_value("Demo Night")
    button(at, "Save changes").click()
    at.run()
    assert not at.exception and not at.error
    assert rows(running_db, "SELECT name, city FROM events") == [("Demo Night", "Lisbon")]
    assert at.success[0].value == "Changes saved."
    assert any("**Demo Night**" in m.value for m in at.markdown)
    assert at.text_input(key=f"edit{event_id}_name").value == "Demo Night"


def test_edit_with_end_before_start_changes_nothing(running_db):
    (event_id,) = rows(running_db, "SELECT id FROM events")[0]
    before = rows(running_db, "SELECT * FROM events")
    with db.connect(running_db) as conn:
        starts = events.get(conn, event_id)["starts"]
    at = events_page()
    at.button(key=f"open_{event_id}").click()
    at.run()
    at.text_input(key=f"edit{event_id}_name").set_value("Demo Night")
    at.datetime_input(key=f"edit{event_id}_ends").set_value(starts - timedelta(days=1))
    button(at, "Save changes").click()
    at.run()
    assert at.error and "ends before it starts" in at.error[0].value
    assert rows(running_db, "SELECT * FROM events") == before
    assert at.text_input(key=f"edit{event_id}_name").value == "Demo Night"


def test_user_text_is_escaped_in_rows_and_detail(app_db):
    with db.connect(app_db) as conn:
        event_id = events.create(conn, {
            "name": "![x](http://tracker.example/p.png)", "kind": "meetup", "tz": "UTC",
            "starts": datetime(2030, 1, 1, 9), "ends": datetime(2030, 1, 1, 18),
            "venue": "[link](http://evil.example)", "notes": "![y](http://tracker.example/q)"})
    at = events_page()
    row = at.button(key=f"open_{event_id}")
    assert row.label.startswith("\\!\\[x\\]\\(http\u2060\\:")
    row.click()
    at.run()
    shown = " ".join(m.value for m in at.markdown)
    assert "](http" not in shown.replace("\\](http", "")
    assert at.text[0].value == "![y](http://tracker.example/q)"  # st.text: never Markdown

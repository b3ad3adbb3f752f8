"""The follow-ups calendar: one event per open follow-up, an alarm at triage time, a feed."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from fieldkit import calendar_feed, config, followups
from tests.factory import NOW, SETTINGS, d, save_card

ORIGIN = "https://fieldkit.example"


def settings(db, **changes):
    return config.save(db, changes) if changes else config.load(db)


def event_of(text):
    calendar = Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return event


def test_each_open_follow_up_is_an_all_day_event_on_its_day(db):
    person = save_card(db, "Ines Moreau", company="Kalm Health", email="ines@kalm.example",
                       phone="+49 170 1234567")
    # Messages are prefilled once they can be signed with the user's name.
    (found,) = calendar_feed.events(db, settings(db, my_name="Sam Field"), ORIGIN)
    event = event_of(found.text)
    due = db.execute("SELECT due_on, uid FROM followups WHERE person_id = ?", [person]).fetchone()
    assert found.href == f"{due[1]}.ics" and found.uid == f"{due[1]}@fieldkit"
    assert str(event["summary"]) == "Follow up: Ines Moreau (Kalm Health)"
    assert event.decoded("dtstart") == d(due[0])
    assert event.decoded("dtend") == d(due[0]) + timedelta(days=1)
    description = str(event["description"])
    assert "Write an email: mailto:ines@kalm.example?subject=" in description
    assert "Send a text: sms:+491701234567?&body=Hi%20Ines" in description
    assert "Call: tel:+491701234567" in description
    assert f"Follow-ups: {ORIGIN}/queue" in description
    assert str(event["url"]) == f"{ORIGIN}/queue"


@pytest.mark.parametrize("triage_time, trigger", [
    (None, timedelta(hours=19)), ("20:30", timedelta(hours=20, minutes=30)),
    ("07:15", timedelta(hours=7, minutes=15))])
def test_the_alarm_rings_at_the_evening_triage_time(db, triage_time, trigger):
    save_card(db, "Ines Moreau")
    values = settings(db, **({"triage_time": triage_time} if triage_time else {}))
    (found,) = calendar_feed.events(db, values, ORIGIN)
    (alarm,) = event_of(found.text).walk("VALARM")
    assert alarm.decoded("trigger") == trigger and str(alarm["action"]) == "DISPLAY"


def test_the_event_moves_with_its_follow_up_and_goes_when_done(db):
    person = save_card(db, "Ines Moreau", at=NOW)
    (before,) = calendar_feed.events(db, SETTINGS, ORIGIN)
    assert calendar_feed.events(db, SETTINGS, ORIGIN)[0].text == before.text  # the same text
    followups.snooze(db, person, NOW.date() + timedelta(days=9), now=NOW, tz="UTC")
    (moved,) = calendar_feed.events(db, SETTINGS, ORIGIN)
    assert moved.href == before.href and moved.text != before.text
    assert event_of(moved.text).decoded("dtstart") == NOW.date() + timedelta(days=9)
    followups.log_dialog(db, person, "call", SETTINGS, now=NOW)
    hrefs = [event.href for event in calendar_feed.events(db, SETTINGS, ORIGIN)]
    assert before.href not in hrefs  # done: gone; the keep-in-touch follow-up is the next
    assert len(hrefs) == 1


def test_let_go_people_have_no_events(db):
    person = save_card(db, "Ines Moreau")
    followups.let_go(db, person, now=NOW)
    assert calendar_feed.events(db, SETTINGS, ORIGIN) == []


def test_events_can_be_asked_for_by_href(db):
    save_card(db, "Ines Moreau")
    save_card(db, "Kenji Watanabe")
    every = calendar_feed.events(db, SETTINGS, ORIGIN)
    assert calendar_feed.events(db, SETTINGS, ORIGIN, [every[1].href]) == [every[1]]
    assert calendar_feed.events(db, SETTINGS, ORIGIN, ["nope.ics"]) == []


def test_the_feed_is_the_whole_calendar_with_its_refresh_interval(db):
    save_card(db, "Ines Moreau")
    save_card(db, "Kenji Watanabe")
    calendar = Calendar.from_ical(calendar_feed.feed(db, SETTINGS, ORIGIN))
    assert str(calendar["x-wr-calname"]) == "FieldKit follow-ups"
    assert calendar.decoded("refresh-interval") == timedelta(hours=1)
    assert calendar.decoded("x-published-ttl") == "PT1H"
    assert len(calendar.walk("VEVENT")) == 2


def test_a_new_feed_token_ends_the_old_one(db):
    assert calendar_feed.feed_token(db) is None
    assert not calendar_feed.is_feed_token(db, "")
    first = calendar_feed.new_feed_token(db)
    assert len(first) >= 32 and calendar_feed.is_feed_token(db, first)
    second = calendar_feed.new_feed_token(db)
    assert second != first and calendar_feed.feed_token(db) == second
    assert not calendar_feed.is_feed_token(db, first)
    assert not calendar_feed.is_feed_token(db, None)

"""fieldkit.today and what it composes: checkins.current, triage.due_counts, summary."""

from datetime import date, datetime, timezone

import pytest

from fieldkit import checkins, sample, today, triage
from tests.factory import (
    SAMPLE_DAY, add_checkin, add_event, add_followup, add_person, add_touch, at, save_card,
)

TODAY = date(2026, 3, 10)
BERLIN = {"timezone": "Europe/Berlin"}
DURING = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)  # while _event() runs


def _event(db, **columns) -> int:
    # This file's events run 1 to 3 March at a venue: checkins.current reports both.
    return add_event(db, **{"venue": "Messe", "city": "Hannover",
                            "starts_at": "2026-03-01T08:00:00Z",
                            "ends_at": "2026-03-03T17:00:00Z", **columns})


# checkins.current


def test_current_checkin_none_when_never_checked_in(db):
    assert checkins.current(db, now=DURING) is None


def test_current_checkin_none_when_all_checked_out(db):
    event = _event(db)
    add_checkin(db, event, "2026-03-01T07:30:00Z", "2026-03-01T17:00:00Z")
    add_checkin(db, event, "2026-03-02T07:30:00Z", "2026-03-02T17:00:00Z")
    assert checkins.current(db, now=DURING) is None


def test_current_checkin_returns_open_one_with_event(db):
    old = _event(db, name="Old Expo")
    add_checkin(db, old, "2026-03-02T07:30:00Z", "2026-03-02T17:00:00Z")
    event = _event(db, name="FleetTech Expo", tz="Asia/Tokyo")
    checkin_id = add_checkin(db, event, "2026-03-01T07:30:00Z")
    result = checkins.current(db, now=DURING)
    assert result["id"] == checkin_id
    assert result["event_id"] == event
    assert result["name"] == "FleetTech Expo"
    assert result["tz"] == "Asia/Tokyo"
    assert result["checked_in_at"] == "2026-03-01T07:30:00Z"
    assert result["starts_at"] == "2026-03-01T08:00:00Z"
    assert result["ends_at"] == "2026-03-03T17:00:00Z"
    assert (result["venue"], result["city"]) == ("Messe", "Hannover")


@pytest.mark.parametrize(
    "tz, starts_at, checked_in_at, early",
    [
        ("Europe/Berlin", "2026-03-01T08:00:00Z", "2026-03-01T07:24:00Z", True),
        ("Europe/Berlin", "2026-03-01T08:00:00Z", "2026-03-01T07:59:59Z", True),
        ("Europe/Berlin", "2026-03-01T08:00:00Z", "2026-03-01T08:00:00Z", False),
        ("Europe/Berlin", "2026-03-01T08:00:00Z", "2026-03-01T08:30:00Z", False),
        # Later days of a multi-day event: before that day's opening time (09:00 Berlin).
        ("Europe/Berlin", "2026-03-01T08:00:00Z", "2026-03-02T07:00:00Z", True),
        ("Europe/Berlin", "2026-03-01T08:00:00Z", "2026-03-02T08:00:00Z", False),
        ("Europe/Berlin", "2026-03-01T08:00:00Z", "2026-03-03T16:00:00Z", False),
        # 09:00 in Tokyo is 00:00 UTC; 23:30 UTC is 08:30 the next morning there.
        ("Asia/Tokyo", "2026-03-01T00:00:00Z", "2026-03-01T23:30:00Z", True),
        ("Asia/Tokyo", "2026-03-01T00:00:00Z", "2026-03-02T00:30:00Z", False),
        # New York moves to summer time on 2026-03-08: 09:00 EST is 14:00 UTC,
        # 09:00 EDT is 13:00 UTC.
        ("America/New_York", "2026-03-06T14:00:00Z", "2026-03-09T12:30:00Z", True),
        ("America/New_York", "2026-03-06T14:00:00Z", "2026-03-09T13:30:00Z", False),
    ],
    ids=["half_an_hour_before", "a_second_before", "on_the_dot", "late",
         "day_two_before_opening", "day_two_at_opening", "day_three_afternoon",
         "tokyo_day_two_before_opening", "tokyo_day_two_late",
         "new_york_after_dst_before_opening", "new_york_after_dst_late"],
)
def test_current_checkin_arrived_early(db, tz, starts_at, checked_in_at, early):
    event = _event(db, tz=tz, starts_at=starts_at, ends_at="2026-03-12T23:00:00Z")
    add_checkin(db, event, checked_in_at)
    assert checkins.current(db, now=DURING.fromisoformat(checked_in_at))["arrived_early"] is early


def test_current_checkin_none_after_the_event_ended(db):
    event = _event(db)
    add_checkin(db, event, "2026-03-01T07:30:00Z")
    after = datetime(2026, 3, 3, 17, 0, 1, tzinfo=timezone.utc)
    assert checkins.current(db, now=after) is None
    assert checkins.checked_in_event_id(db, now=after) is None
    assert checkins.checked_in_event_id(db, now=DURING) == event


# triage.due_counts


def test_due_counts_empty_db(db):
    assert triage.due_counts(db, TODAY) == {"due": 0, "overdue": 0}


@pytest.mark.parametrize(
    "person_status, followup_status, due_on, expected",
    [
        ("active", "open", "2026-03-10", (1, 0)),
        ("active", "open", "2026-03-09", (1, 1)),
        ("active", "open", "2025-12-31", (1, 1)),
        ("active", "open", "2026-03-11", (0, 0)),
        ("active", "done", "2026-03-09", (0, 0)),
        ("active", "let_go", "2026-03-09", (0, 0)),
        ("active", "cancelled", "2026-03-10", (0, 0)),
        ("let_go", "open", "2026-03-09", (0, 0)),
        ("declined", "open", "2026-03-10", (0, 0)),
        ("merged", "open", "2026-03-09", (0, 0)),
    ],
    ids=["due_today", "due_yesterday", "due_last_year", "due_tomorrow", "done",
         "followup_let_go", "cancelled", "person_let_go", "person_declined",
         "person_merged"],
)
def test_due_counts_single_followup(db, person_status, followup_status, due_on, expected):
    add_followup(db, add_person(db, status=person_status), due_on, status=followup_status)
    due, overdue = expected
    assert triage.due_counts(db, TODAY) == {"due": due, "overdue": overdue}


def test_due_counts_mixed(db):
    active, other = add_person(db), add_person(db)
    add_followup(db, active, "2026-03-10")
    add_followup(db, active, "2026-03-01")
    add_followup(db, other, "2026-02-20")
    add_followup(db, other, "2026-03-12")
    add_followup(db, other, "2026-03-05", status="done")
    add_followup(db, add_person(db, status="let_go"), "2026-03-02")
    add_followup(db, add_person(db, status="declined"), "2026-03-10")
    assert triage.due_counts(db, TODAY) == {"due": 3, "overdue": 2}


# today.summary


def test_summary_empty_db(db):
    result = today.summary(db, {"timezone": "UTC"}, at(TODAY, 12))
    assert result.is_empty is True
    assert result.today == TODAY
    assert (result.people, result.due, result.overdue, result.streak) == (0, 0, 0, 0)
    assert result.checkin is None
    assert result.checked_in_local is None


def test_summary_not_empty_with_people(db):
    add_person(db)
    result = today.summary(db, {"timezone": "UTC"}, at(TODAY, 12))
    assert result.is_empty is False
    assert result.people == 1


def test_summary_not_empty_when_checked_in_without_people(db):
    add_checkin(db, _event(db, ends_at="2026-03-12T17:00:00Z"), "2026-03-10T07:00:00Z")
    result = today.summary(db, {"timezone": "UTC"}, at(TODAY, 12))
    assert result.is_empty is False
    assert result.people == 0
    assert result.streak == 1


def test_summary_merged_people_not_counted(db):
    add_person(db)
    add_person(db, status="let_go")
    add_person(db, status="merged")
    assert today.summary(db, {"timezone": "UTC"}, at(TODAY, 12)).people == 2


@pytest.mark.parametrize(
    "event_tz, local",
    [("Asia/Tokyo", "08:30"), ("America/New_York", "18:30"), ("Europe/Berlin", "00:30")],
)
def test_summary_checked_in_local_in_event_zone(db, event_tz, local):
    add_checkin(db, _event(db, tz=event_tz), "2026-03-01T23:30:00Z")
    result = today.summary(db, {"timezone": "UTC"}, at("2026-03-02", 12))
    assert result.checked_in_local == local
    assert result.checkin["tz"] == event_tz


def test_summary_counts_due_and_streak(db):
    person = add_person(db)
    add_followup(db, person, "2026-03-08")
    add_followup(db, person, "2026-03-10")
    for stamp in ("2026-03-08T10:00:00Z", "2026-03-09T10:00:00Z"):
        add_touch(db, person, stamp)
    result = today.summary(db, {"timezone": "UTC"}, at(TODAY, 12))
    assert (result.due, result.overdue, result.streak) == (2, 1, 2)


def test_summary_streak_uses_settings_time_zone(db):
    person = add_person(db)
    add_touch(db, person, "2026-03-09T23:30:00Z", "met")
    # 03-09 in New York (two days before 03-11), 03-10 in Tokyo (the day before).
    assert today.summary(db, {"timezone": "America/New_York"}, at("2026-03-11", 12)).streak == 0
    assert today.summary(db, {"timezone": "Asia/Tokyo"}, at("2026-03-11", 12)).streak == 1


def test_summary_after_sample(sample_day_readonly):
    result = today.summary(sample_day_readonly, BERLIN, at(SAMPLE_DAY, 12))
    assert result.is_empty is False
    assert result.people == 160
    assert result.checkin["name"] == "FleetTech Expo"
    assert result.checked_in_local == "08:24"
    # Open follow-ups of active people due by the sample day, and those due before it.
    assert (result.due, result.overdue) == (26, 15)
    assert result.streak == sample.QUIET_DAY_AGO


def test_summary_sample_checkin_arrived_early(sample_day_readonly):
    # sample.py promises "a trade-show week running now (checked in, arrived early)":
    # today's check-in is at 08:24, before the show's 09:00 doors, on its third day.
    result = today.summary(sample_day_readonly, BERLIN, at(SAMPLE_DAY, 12))
    assert result.checkin["arrived_early"] is True


@pytest.mark.parametrize(
    "day", [SAMPLE_DAY, date(2026, 1, 1), date(2026, 7, 5)],
    ids=["2026-11-22", "2026-01-01", "2026-07-05"],
)
def test_summary_sample_streak_is_eleven(db, day):
    # sample._quiet_days: "The eleven days up to today are always active and the
    # one before them is quiet, so the sample has a current streak of known length."
    # On 2026-01-01 and 2026-07-05 an event falls on that quiet day (streaks 25 and 14).
    sample.fill(db, 1, today=day)
    assert today.summary(db, BERLIN, at(day, 12)).streak == 11


@pytest.mark.parametrize("met, named", [(0, 0), (1, 1), (5, 5), (7, 5)])
def test_summary_counts_the_people_met_today_and_names_the_first(db, met, named):
    for n in range(met):
        save_card(db, f"Person {n}", at=at("2026-03-10", 9 + n))
    save_card(db, "Met Yesterday", at=at("2026-03-09", 9))
    result = today.summary(db, {"timezone": "UTC"}, at("2026-03-10", 20))
    assert result.met_today == met
    assert [row["name"] for row in result.met_today_first] == [f"Person {n}"
                                                                for n in range(named)]


def test_summary_sample_has_people_met_today_none_of_them_due(sample_day_readonly):
    result = today.summary(sample_day_readonly, BERLIN, at(SAMPLE_DAY, 20))
    assert result.met_today > 0
    due = {row["person_id"] for row in triage.due(sample_day_readonly, SAMPLE_DAY,
                                                   ladder_gaps=[2, 4, 7, 14, 30], limit=500)}
    assert not due & {row["person_id"] for row in result.met_today_first}

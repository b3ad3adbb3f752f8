"""fieldkit.activity: networking days and the current streak, read from the database."""

from datetime import date, timedelta

import pytest

from fieldkit import activity
from tests.factory import STAMP, add_checkin, add_event, add_person, add_touch


def _daily_touches(db, person_id, last_day, count, kind="attempt"):
    """One touch at noon UTC on each of ``count`` days ending ``last_day``."""
    # One executemany, not add_touch per row: a streak test writes up to a thousand.
    db.conn.executemany(
        "INSERT INTO touches (person_id, at, kind, created_at) VALUES (?, ?, ?, ?)",
        [
            (person_id, f"{last_day - timedelta(days=n)}T12:00:00Z", kind, STAMP)
            for n in range(count)
        ],
    )


def test_networking_days_empty_db(db):
    assert activity.networking_days(db, "UTC") == set()


@pytest.mark.parametrize(
    "kind, undone_at, counts",
    [
        ("met", None, True),
        ("attempt", None, True),
        ("dialog", None, True),
        ("note", None, False),
        ("state", None, False),
        ("met", "2026-03-01T10:00:00Z", False),
        ("attempt", "2026-03-01T10:00:00Z", False),
        ("dialog", "2026-03-01T10:00:00Z", False),
    ],
    ids=["met", "attempt", "dialog", "note", "state", "undone_met", "undone_attempt",
         "undone_dialog"],
)
def test_networking_days_touch_kinds(db, kind, undone_at, counts):
    person = add_person(db)
    add_touch(db, person, "2026-03-01T09:00:00Z", kind, undone_at=undone_at)
    expected = {date(2026, 3, 1)} if counts else set()
    assert activity.networking_days(db, "UTC") == expected


def test_networking_days_checkin_counts(db):
    add_checkin(db, add_event(db), "2026-03-04T07:30:00Z", "2026-03-04T07:30:00Z")
    add_checkin(db, add_event(db), "2026-03-06T07:30:00Z")
    assert activity.networking_days(db, "UTC") == {date(2026, 3, 4), date(2026, 3, 6)}


def test_networking_days_mixed_sources_one_day_each(db):
    person = add_person(db)
    add_touch(db, person, "2026-03-01T09:00:00Z", "met")
    add_touch(db, person, "2026-03-01T15:00:00Z", "attempt")
    add_touch(db, person, "2026-03-02T09:00:00Z", "note")
    add_touch(db, person, "2026-03-03T09:00:00Z", "dialog")
    add_touch(db, person, "2026-03-05T09:00:00Z", "attempt", undone_at="2026-03-05T09:01:00Z")
    add_checkin(db, add_event(db), "2026-03-03T08:00:00Z", "2026-03-03T08:00:00Z")
    add_checkin(db, add_event(db), "2026-03-07T08:00:00Z", "2026-03-07T08:00:00Z")
    expected = {date(2026, 3, 1), date(2026, 3, 3), date(2026, 3, 7)}
    assert activity.networking_days(db, "UTC") == expected


@pytest.mark.parametrize(
    "tz, day",
    [
        ("UTC", date(2026, 3, 1)),
        ("Asia/Tokyo", date(2026, 3, 2)),
        ("America/New_York", date(2026, 3, 1)),
        ("Europe/Berlin", date(2026, 3, 2)),
        ("Pacific/Kiritimati", date(2026, 3, 2)),
        ("Pacific/Pago_Pago", date(2026, 3, 1)),
    ],
)
def test_networking_days_time_zone_boundary_touch(db, tz, day):
    add_touch(db, add_person(db), "2026-03-01T23:30:00Z", "met")
    assert activity.networking_days(db, tz) == {day}


@pytest.mark.parametrize(
    "tz, day", [("Asia/Tokyo", date(2026, 3, 2)), ("America/New_York", date(2026, 3, 1))]
)
def test_networking_days_time_zone_boundary_checkin(db, tz, day):
    add_checkin(db, add_event(db), "2026-03-01T23:30:00Z", "2026-03-01T23:30:00Z")
    assert activity.networking_days(db, tz) == {day}


@pytest.mark.parametrize(
    "tz, since, expected",
    [
        ("UTC", None, {"2026-02-27", "2026-03-01", "2026-03-02", "2026-03-05"}),
        ("UTC", date(2026, 3, 1), {"2026-03-01", "2026-03-02", "2026-03-05"}),
        ("UTC", date(2026, 3, 2), {"2026-03-02", "2026-03-05"}),
        ("UTC", date(2026, 3, 6), set()),
        # 2026-03-01T23:30Z is 03-02 in Tokyo; 03-02T03:00Z is 03-01 in New York.
        ("Asia/Tokyo", date(2026, 3, 2), {"2026-03-02", "2026-03-05"}),
        ("Asia/Tokyo", date(2026, 3, 3), {"2026-03-05"}),
        ("America/New_York", date(2026, 3, 1), {"2026-03-01", "2026-03-04"}),
        ("America/New_York", date(2026, 3, 2), {"2026-03-04"}),
    ],
)
def test_networking_days_since_filters(db, tz, since, expected):
    person = add_person(db)
    for at in ("2026-02-27T12:00:00Z", "2026-03-01T23:30:00Z", "2026-03-02T03:00:00Z",
               "2026-03-05T01:00:00Z"):
        add_touch(db, person, at, "attempt")
    assert activity.networking_days(db, tz, since) == {date.fromisoformat(d) for d in expected}


@pytest.mark.parametrize(
    "tz, since, expected",
    [
        ("Asia/Tokyo", date(2026, 3, 2), {date(2026, 3, 2)}),
        ("Asia/Tokyo", date(2026, 3, 3), set()),
        ("America/New_York", date(2026, 3, 1), {date(2026, 3, 1)}),
        ("America/New_York", date(2026, 3, 2), set()),
        ("Pacific/Kiritimati", date(2026, 3, 2), {date(2026, 3, 2)}),
    ],
)
def test_networking_days_since_on_local_day_before_utc_day(db, tz, since, expected):
    # The only touch lies on the far side of UTC midnight from its local day.
    add_touch(db, add_person(db), "2026-03-01T23:30:00Z", "dialog")
    add_checkin(db, add_event(db), "2026-03-01T23:30:00Z", "2026-03-01T23:30:00Z")
    assert activity.networking_days(db, tz, since) == expected


def test_current_streak_empty_db(db):
    assert activity.current_streak(db, "UTC", date(2026, 3, 10)) == 0


@pytest.mark.parametrize(
    "length", [1, 2, 62, 63, 64, 65, 66, 200, 254, 255, 256, 257, 400]
)
@pytest.mark.parametrize("ends", ["today", "yesterday"])
def test_current_streak_long_runs(db, length, ends):
    today = date(2026, 3, 10)
    last = today if ends == "today" else today - timedelta(days=1)
    person = add_person(db)
    _daily_touches(db, person, last, length)
    # Active again just before the gap, so a streak that skipped the gap would be longer.
    _daily_touches(db, person, last - timedelta(days=length + 1), 30)
    assert activity.current_streak(db, "UTC", today) == length


def test_current_streak_unbroken_history(db):
    today = date(2026, 3, 10)
    _daily_touches(db, add_person(db), today, 1000)
    assert activity.current_streak(db, "UTC", today) == 1000


def test_current_streak_ended_two_days_ago(db):
    today = date(2026, 3, 10)
    _daily_touches(db, add_person(db), today - timedelta(days=2), 200)
    assert activity.current_streak(db, "UTC", today) == 0


def test_current_streak_ignores_undone_and_notes(db):
    today = date(2026, 3, 10)
    person = add_person(db)
    _daily_touches(db, person, today, 3)
    add_touch(db, person, "2026-03-07T12:00:00Z", "attempt", undone_at="2026-03-07T12:05:00Z")
    add_touch(db, person, "2026-03-07T13:00:00Z", "note")
    add_touch(db, person, "2026-03-07T14:00:00Z", "state")
    _daily_touches(db, person, date(2026, 3, 6), 5)
    assert activity.current_streak(db, "UTC", today) == 3


def test_current_streak_checkins_fill_gaps(db):
    today = date(2026, 3, 10)
    person = add_person(db)
    _daily_touches(db, person, today, 3)
    add_checkin(db, add_event(db), "2026-03-07T08:00:00Z", "2026-03-07T08:00:00Z")
    _daily_touches(db, person, date(2026, 3, 6), 5)
    assert activity.current_streak(db, "UTC", today) == 9


@pytest.mark.parametrize(
    "tz, expected", [("Asia/Tokyo", 2), ("America/New_York", 0), ("UTC", 0)]
)
def test_current_streak_in_time_zone(db, tz, expected):
    # Tokyo days 03-02 and 03-03 (a run ending yesterday); New York and UTC days 03-01, 03-02.
    person = add_person(db)
    add_touch(db, person, "2026-03-01T23:30:00Z", "met")
    add_touch(db, person, "2026-03-02T23:30:00Z", "attempt")
    assert activity.current_streak(db, tz, date(2026, 3, 4)) == expected

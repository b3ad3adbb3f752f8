"""fieldkit.activity: networking days and the current streak, read from the database."""

import itertools
from datetime import date, timedelta

import pytest

from fieldkit import activity

NOW = "2026-03-01T09:00:00Z"
_uids = itertools.count(1)


def _contact(db):
    return db.execute(
        "INSERT INTO people (uid, name, met_at, created_at, updated_at) "
        "VALUES (?, 'Ada Lovelace', ?, ?, ?)",
        [f"c{next(_uids)}", NOW, NOW, NOW],
    ).lastrowid


def _touch(db, person_id, at, kind="attempt", undone_at=None):
    db.execute(
        "INSERT INTO touches (person_id, at, kind, undone_at, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [person_id, at, kind, undone_at, at],
    )


def _event(db, tz="Europe/Berlin"):
    return db.execute(
        "INSERT INTO events (uid, name, kind, tz, starts_at, ends_at, created_at, updated_at) "
        "VALUES (?, 'Hannover Messe', 'trade_show', ?, ?, ?, ?, ?)",
        [f"e{next(_uids)}", tz, "2026-01-01T08:00:00Z", "2026-12-31T17:00:00Z", NOW, NOW],
    ).lastrowid


def _checkin(db, event_id, at, open_now=False):
    db.execute(
        "INSERT INTO checkins (event_id, checked_in_at, checked_out_at) VALUES (?, ?, ?)",
        [event_id, at, None if open_now else at],
    )


def _daily_touches(db, person_id, last_day, count, kind="attempt"):
    """One touch at noon UTC on each of ``count`` days ending ``last_day``."""
    db.conn.executemany(
        "INSERT INTO touches (person_id, at, kind, created_at) VALUES (?, ?, ?, ?)",
        [
            (person_id, f"{last_day - timedelta(days=n)}T12:00:00Z", kind, NOW)
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
    contact = _contact(db)
    _touch(db, contact, "2026-03-01T09:00:00Z", kind, undone_at)
    expected = {date(2026, 3, 1)} if counts else set()
    assert activity.networking_days(db, "UTC") == expected


def test_networking_days_checkin_counts(db):
    _checkin(db, _event(db), "2026-03-04T07:30:00Z")
    _checkin(db, _event(db), "2026-03-06T07:30:00Z", open_now=True)
    assert activity.networking_days(db, "UTC") == {date(2026, 3, 4), date(2026, 3, 6)}


def test_networking_days_mixed_sources_one_day_each(db):
    contact = _contact(db)
    _touch(db, contact, "2026-03-01T09:00:00Z", "met")
    _touch(db, contact, "2026-03-01T15:00:00Z", "attempt")
    _touch(db, contact, "2026-03-02T09:00:00Z", "note")
    _touch(db, contact, "2026-03-03T09:00:00Z", "dialog")
    _touch(db, contact, "2026-03-05T09:00:00Z", "attempt", "2026-03-05T09:01:00Z")
    _checkin(db, _event(db), "2026-03-03T08:00:00Z")
    _checkin(db, _event(db), "2026-03-07T08:00:00Z")
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
    _touch(db, _contact(db), "2026-03-01T23:30:00Z", "met")
    assert activity.networking_days(db, tz) == {day}


@pytest.mark.parametrize(
    "tz, day", [("Asia/Tokyo", date(2026, 3, 2)), ("America/New_York", date(2026, 3, 1))]
)
def test_networking_days_time_zone_boundary_checkin(db, tz, day):
    _checkin(db, _event(db), "2026-03-01T23:30:00Z")
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
    contact = _contact(db)
    for at in ("2026-02-27T12:00:00Z", "2026-03-01T23:30:00Z", "2026-03-02T03:00:00Z",
               "2026-03-05T01:00:00Z"):
        _touch(db, contact, at, "attempt")
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
    _touch(db, _contact(db), "2026-03-01T23:30:00Z", "dialog")
    _checkin(db, _event(db), "2026-03-01T23:30:00Z")
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
    contact = _contact(db)
    _daily_touches(db, contact, last, length)
    # Active again just before the gap, so a streak that skipped the gap would be longer.
    _daily_touches(db, contact, last - timedelta(days=length + 1), 30)
    assert activity.current_streak(db, "UTC", today) == length


def test_current_streak_unbroken_history(db):
    today = date(2026, 3, 10)
    _daily_touches(db, _contact(db), today, 1000)
    assert activity.current_streak(db, "UTC", today) == 1000


def test_current_streak_ended_two_days_ago(db):
    today = date(2026, 3, 10)
    _daily_touches(db, _contact(db), today - timedelta(days=2), 200)
    assert activity.current_streak(db, "UTC", today) == 0


def test_current_streak_ignores_undone_and_notes(db):
    today = date(2026, 3, 10)
    contact = _contact(db)
    _daily_touches(db, contact, today, 3)
    _touch(db, contact, "2026-03-07T12:00:00Z", "attempt", "2026-03-07T12:05:00Z")
    _touch(db, contact, "2026-03-07T13:00:00Z", "note")
    _touch(db, contact, "2026-03-07T14:00:00Z", "state")
    _daily_touches(db, contact, date(2026, 3, 6), 5)
    assert activity.current_streak(db, "UTC", today) == 3


def test_current_streak_checkins_fill_gaps(db):
    today = date(2026, 3, 10)
    contact = _contact(db)
    _daily_touches(db, contact, today, 3)
    _checkin(db, _event(db), "2026-03-07T08:00:00Z")
    _daily_touches(db, contact, date(2026, 3, 6), 5)
    assert activity.current_streak(db, "UTC", today) == 9


@pytest.mark.parametrize(
    "tz, expected", [("Asia/Tokyo", 2), ("America/New_York", 0), ("UTC", 0)]
)
def test_current_streak_in_time_zone(db, tz, expected):
    # Tokyo days 03-02 and 03-03 (a run ending yesterday); New York and UTC days 03-01, 03-02.
    contact = _contact(db)
    _touch(db, contact, "2026-03-01T23:30:00Z", "met")
    _touch(db, contact, "2026-03-02T23:30:00Z", "attempt")
    assert activity.current_streak(db, tz, date(2026, 3, 4)) == expected

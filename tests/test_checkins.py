"""fieldkit.checkins: being at an event, once per local day, never twice at once."""

import sqlite3
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

import fieldkit.db
from fieldkit import checkins, events
from tests.factory import utc


def make_event(db, name="Messe", tz="Europe/Berlin", starts=datetime(2026, 4, 20, 9),
               ends=datetime(2026, 4, 22, 18)) -> int:
    return events.create(db, {"name": name, "kind": "trade_show", "tz": tz,
                              "starts": starts, "ends": ends})


def rows(db) -> list[tuple]:
    return db.execute("SELECT id, event_id, checked_in_at, checked_out_at FROM checkins "
                      "ORDER BY id").fetchall()


def open_count(db) -> int:
    return db.execute("SELECT count(*) FROM checkins WHERE checked_out_at IS NULL").fetchone()[0]


# The Messe runs 20 April 09:00 to 22 April 18:00 in Berlin (UTC+2):
# check-in opens 19 April 22:00 UTC and closes 22 April 16:00 UTC.


@pytest.mark.parametrize(
    ("now", "message"),
    [
        ("2026-04-19T21:59:59Z", r"^Messe has not started yet; check-in opens on its first day\.$"),
        ("2026-04-01T09:00:00Z", r"has not started yet"),
        ("2026-04-22T16:00:01Z", r"^Messe is over; check-in is closed\.$"),
        ("2026-05-01T09:00:00Z", r"is over"),
    ],
)
def test_check_in_refused_outside_the_event(db, now, message):
    event_id = make_event(db)
    with pytest.raises(checkins.CheckinError, match=message):
        checkins.check_in(db, event_id, now=utc(now))
    assert rows(db) == []


@pytest.mark.parametrize(
    "now",
    ["2026-04-19T22:00:00Z",  # midnight in Berlin on the first day: arriving early counts
     "2026-04-20T06:00:00Z", "2026-04-21T12:00:00Z",
     "2026-04-22T16:00:00Z"],  # the last second
)
def test_check_in_allowed_while_the_event_runs(db, now):
    event_id = make_event(db)
    checkin_id = checkins.check_in(db, event_id, now=utc(now))
    assert rows(db) == [(checkin_id, event_id, now, None)]


def test_check_in_opens_on_the_first_local_day_in_the_events_zone(db):
    # 09:00 on 20 April in Tokyo; its first day begins 19 April 15:00 UTC.
    event_id = make_event(db, tz="Asia/Tokyo")
    with pytest.raises(checkins.CheckinError):
        checkins.check_in(db, event_id, now=utc("2026-04-19T14:59:59Z"))
    assert checkins.check_in(db, event_id, now=utc("2026-04-19T15:00:00Z"))


def test_check_in_missing_event_raises(db):
    with pytest.raises(events.EventNotFound):
        checkins.check_in(db, 404, now=utc("2026-04-20T06:00:00Z"))
    assert rows(db) == []


def test_check_in_again_the_same_local_day_keeps_the_first_arrival(db):
    event_id = make_event(db)
    first = checkins.check_in(db, event_id, now=utc("2026-04-20T06:00:00Z"))
    again = checkins.check_in(db, event_id, now=utc("2026-04-20T15:00:00Z"))
    assert again == first
    assert rows(db) == [(first, event_id, "2026-04-20T06:00:00Z", None)]


def test_check_in_on_the_next_day_closes_yesterdays(db):
    event_id = make_event(db)
    first = checkins.check_in(db, event_id, now=utc("2026-04-20T06:00:00Z"))
    second = checkins.check_in(db, event_id, now=utc("2026-04-21T06:30:00Z"))
    assert second != first
    assert rows(db) == [
        (first, event_id, "2026-04-20T06:00:00Z", "2026-04-21T06:30:00Z"),
        (second, event_id, "2026-04-21T06:30:00Z", None),
    ]


def test_check_in_local_day_is_the_events_not_utc(db):
    event_id = make_event(db)
    # 23:00 and 00:30 in Berlin: the same UTC day, but the next day of the event.
    first = checkins.check_in(db, event_id, now=utc("2026-04-20T21:00:00Z"))
    second = checkins.check_in(db, event_id, now=utc("2026-04-20T22:30:00Z"))
    assert second != first
    assert open_count(db) == 1
    # 00:30 and 23:29 in Berlin: different UTC days, the same day of the event.
    third = checkins.check_in(db, event_id, now=utc("2026-04-21T21:29:00Z"))
    assert third == second


def test_check_in_elsewhere_checks_out_of_the_first(db):
    messe = make_event(db, "Messe")
    dinner = make_event(db, "Dinner", starts=datetime(2026, 4, 20, 19),
                        ends=datetime(2026, 4, 20, 23))
    first = checkins.check_in(db, messe, now=utc("2026-04-20T07:00:00Z"))
    second = checkins.check_in(db, dinner, now=utc("2026-04-20T17:00:00Z"))
    assert rows(db) == [
        (first, messe, "2026-04-20T07:00:00Z", "2026-04-20T17:00:00Z"),
        (second, dinner, "2026-04-20T17:00:00Z", None),
    ]
    assert checkins.checked_in_event_id(db, now=utc("2026-04-20T18:00:00Z")) == dinner
    # Back to the Messe the same day: a new check-in, the dinner is closed.
    third = checkins.check_in(db, messe, now=utc("2026-04-20T19:00:00Z"))
    assert third not in (first, second)
    assert open_count(db) == 1
    assert checkins.checked_in_event_id(db, now=utc("2026-04-20T19:30:00Z")) == messe


def test_check_in_refused_keeps_the_current_one(db):
    messe = make_event(db, "Messe")
    later = make_event(db, "Later", starts=datetime(2026, 5, 1, 9), ends=datetime(2026, 5, 1, 18))
    first = checkins.check_in(db, messe, now=utc("2026-04-20T07:00:00Z"))
    with pytest.raises(checkins.CheckinError):
        checkins.check_in(db, later, now=utc("2026-04-20T08:00:00Z"))
    assert rows(db) == [(first, messe, "2026-04-20T07:00:00Z", None)]


def test_check_out_closes_the_open_checkin(db):
    event_id = make_event(db)
    checkin_id = checkins.check_in(db, event_id, now=utc("2026-04-20T06:00:00Z"))
    assert checkins.check_out(db, now=utc("2026-04-20T15:00:00Z")) is True
    assert rows(db) == [(checkin_id, event_id, "2026-04-20T06:00:00Z", "2026-04-20T15:00:00Z")]
    assert checkins.check_out(db, now=utc("2026-04-20T16:00:00Z")) is False
    assert rows(db)[0][3] == "2026-04-20T15:00:00Z"  # the first check-out stands


def test_check_out_when_not_checked_in(db):
    assert checkins.check_out(db, now=utc("2026-04-20T15:00:00Z")) is False
    assert rows(db) == []


def test_check_out_with_a_clock_behind_the_check_in(db):
    # Another device's clock is a minute behind: never a check-out before the check-in.
    event_id = make_event(db)
    checkins.check_in(db, event_id, now=utc("2026-04-20T06:00:00Z"))
    assert checkins.check_out(db, now=utc("2026-04-20T05:59:00Z")) is True
    assert rows(db)[0][2:] == ("2026-04-20T06:00:00Z", "2026-04-20T06:00:00Z")


def test_check_in_again_after_checking_out_opens_a_new_one(db):
    event_id = make_event(db)
    first = checkins.check_in(db, event_id, now=utc("2026-04-20T06:00:00Z"))
    checkins.check_out(db, now=utc("2026-04-20T08:00:00Z"))
    second = checkins.check_in(db, event_id, now=utc("2026-04-20T09:00:00Z"))
    assert second != first
    assert open_count(db) == 1


def test_current_open_checkin_with_event(db):
    event_id = make_event(db)
    assert checkins.current(db, now=utc("2026-04-20T06:00:00Z")) is None
    checkin_id = checkins.check_in(db, event_id, now=utc("2026-04-20T06:30:00Z"))
    assert checkins.current(db, now=utc("2026-04-20T07:00:00Z")) == {
        "id": checkin_id, "event_id": event_id, "checked_in_at": "2026-04-20T06:30:00Z",
        "name": "Messe", "tz": "Europe/Berlin", "starts_at": "2026-04-20T07:00:00Z",
        "ends_at": "2026-04-22T16:00:00Z", "venue": None, "city": None,
        "arrived_early": True,  # 08:30, before the 09:00 opening
    }
    assert checkins.checked_in_event_id(db, now=utc("2026-04-20T07:00:00Z")) == event_id


def test_current_not_early_after_the_opening(db):
    event_id = make_event(db)
    checkins.check_in(db, event_id, now=utc("2026-04-20T07:30:00Z"))
    assert checkins.current(db, now=utc("2026-04-20T08:00:00Z"))["arrived_early"] is False
    checkins.check_in(db, event_id, now=utc("2026-04-21T06:50:00Z"))  # day 2, 08:50
    assert checkins.current(db, now=utc("2026-04-21T08:00:00Z"))["arrived_early"] is True


def test_current_forgets_a_checkin_left_open_after_the_event(db):
    event_id = make_event(db)
    checkins.check_in(db, event_id, now=utc("2026-04-22T15:00:00Z"))
    assert checkins.checked_in_event_id(db, now=utc("2026-04-22T16:00:00Z")) == event_id
    assert checkins.current(db, now=utc("2026-04-22T16:00:01Z")) is None
    assert checkins.checked_in_event_id(db, now=utc("2026-04-23T09:00:00Z")) is None
    # A new check-in elsewhere still closes the forgotten one.
    other = make_event(db, "Other", starts=datetime(2026, 4, 23, 9), ends=datetime(2026, 4, 23, 18))
    checkins.check_in(db, other, now=utc("2026-04-23T07:00:00Z"))
    assert rows(db)[0][3] == "2026-04-23T07:00:00Z"
    assert open_count(db) == 1


def test_checked_in_event_id_after_check_out(db):
    event_id = make_event(db)
    checkins.check_in(db, event_id, now=utc("2026-04-20T06:00:00Z"))
    checkins.check_out(db, now=utc("2026-04-20T10:00:00Z"))
    assert checkins.checked_in_event_id(db, now=utc("2026-04-20T11:00:00Z")) is None


# --- the rule that never breaks: at most one open check-in ------------------

_START = utc("2026-04-19T12:00:00Z")
_actions = st.lists(
    st.tuples(st.sampled_from(["in", "out"]), st.integers(0, 2),
              st.integers(0, 36 * 60)),  # minutes after the previous action
    min_size=1, max_size=15,
)


_TEMPLATE = []


def _fresh_memory_db() -> Database:
    # Migrating costs more than the whole example: copy a migrated template instead.
    if not _TEMPLATE:
        _TEMPLATE.append(fieldkit.db.memory())
    conn = sqlite3.connect(":memory:", isolation_level=None)
    _TEMPLATE[0].conn.backup(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    return Database(conn)


@settings(max_examples=40, deadline=None)
@given(_actions)
def test_at_most_one_open_checkin_whatever_happens(actions):
    db = _fresh_memory_db()
    try:
        ids = [
            make_event(db, "Messe"),
            make_event(db, "Dinner", starts=datetime(2026, 4, 20, 19), ends=datetime(2026, 4, 20, 23)),
            make_event(db, "Tokyo", tz="Asia/Tokyo", starts=datetime(2026, 4, 21, 9),
                       ends=datetime(2026, 4, 23, 18)),
        ]
        now = _START
        for action, which, minutes in actions:
            now += timedelta(minutes=minutes)
            if action == "in":
                try:
                    checkin_id = checkins.check_in(db, ids[which], now=now)
                except checkins.CheckinError:
                    pass
                else:
                    assert db.execute(
                        "SELECT event_id FROM checkins WHERE checked_out_at IS NULL"
                    ).fetchall() == [(ids[which],)]
                    assert db.execute("SELECT checked_out_at FROM checkins WHERE id = ?",
                                      [checkin_id]).fetchone() == (None,)
            else:
                was_open = open_count(db)
                assert checkins.check_out(db, now=now) is (was_open == 1)
            assert open_count(db) <= 1
            assert db.execute("SELECT count(*) FROM checkins WHERE checked_out_at < checked_in_at"
                              ).fetchone()[0] == 0
    finally:
        db.close()

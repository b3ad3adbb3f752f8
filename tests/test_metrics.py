"""fieldkit.metrics: the weekly look back, on small histories worked out by hand."""

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from fieldkit import activity, calls, cards, clock, followups, metrics, sample
from fieldkit.errors import ValidationError
from fieldkit.streaks import Run
from tests.factory import (
    SAMPLE_DAY, SETTINGS, add_checkin, add_event, add_person, add_touch, add_triage_day,
    save_card, utc,
)


def _days(frame, column="actions"):
    return [(ts.date(), int(n)) for ts, n in zip(frame["day"], frame[column])]


def _assert_columns(frame, expected):
    assert list(frame.columns) == list(expected)
    for column, kind in expected.items():
        dtype = frame[column].dtype
        if kind == "datetime":
            assert pd.api.types.is_datetime64_dtype(dtype), (column, dtype)
            assert getattr(dtype, "tz", None) is None, column
        elif kind == "int":
            assert pd.api.types.is_integer_dtype(dtype), (column, dtype)
        elif kind == "float":
            assert pd.api.types.is_float_dtype(dtype), (column, dtype)
        elif kind == "bool":
            assert pd.api.types.is_bool_dtype(dtype), (column, dtype)
        elif kind == "str":
            assert all(isinstance(v, str) for v in frame[column]), column


DAILY = {"day": "datetime", "actions": "int"}
STRENGTH = {"day": "datetime", "score": "float"}
WEEKLY = {"week": "datetime", "minutes": "int", "target_minutes": "int", "met": "bool"}
BY_ATTEMPT = {"attempt": "int", "dialogs": "int"}
MONTHLY = {"month": "datetime", "kind": "str", "people": "int"}
FUNNEL = {"stage": "str", "count": "int", "share": "float", "benchmark": "any"}


# ---------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period, expected",
    [("4 weeks", date(2026, 2, 11)), ("quarter", date(2025, 12, 10)),
     ("year", date(2025, 3, 11)), ("all", None)],
)
def test_period_start_table(period, expected):
    assert metrics.period_start(period, date(2026, 3, 10)) == expected


def test_period_start_counts_today_in():
    today = date(2026, 3, 10)
    for period, days in metrics.PERIOD_DAYS.items():
        if days is not None:
            assert (today - metrics.period_start(period, today)).days + 1 == days


def test_period_start_unknown():
    with pytest.raises(ValidationError):
        metrics.period_start("fortnight", date(2026, 3, 10))


# ---------------------------------------------------------------------------
# Daily activity
# ---------------------------------------------------------------------------


def test_daily_activity_empty(db):
    frame = metrics.daily_activity(db, "UTC", None, date(2026, 3, 10))
    _assert_columns(frame, DAILY)
    assert frame.empty


def test_daily_activity_counts_networking_actions(db):
    person = add_person(db)
    add_touch(db, person, "2026-03-01T09:00:00Z", "met")
    add_touch(db, person, "2026-03-01T10:00:00Z", "attempt")
    add_touch(db, person, "2026-03-01T11:00:00Z", "dialog")
    add_touch(db, person, "2026-03-01T11:00:00Z", "attempt")  # same bucket, still two actions
    add_touch(db, person, "2026-03-01T12:00:00Z", "note")
    add_touch(db, person, "2026-03-01T13:00:00Z", "state")
    add_touch(db, person, "2026-03-02T14:00:00Z", "attempt", undone_at="2026-03-02T14:05:00Z")
    add_touch(db, person, "2026-03-03T08:00:00Z", "attempt")
    add_checkin(db, add_event(db), "2026-03-03T07:00:00Z", "2026-03-03T07:00:00Z")
    frame = metrics.daily_activity(db, "UTC", None, date(2026, 3, 10))
    _assert_columns(frame, DAILY)
    assert _days(frame) == [(date(2026, 3, 1), 4), (date(2026, 3, 3), 2)]
    assert frame["day"].iloc[0] == pd.Timestamp("2026-03-01 00:00")


@pytest.mark.parametrize(
    "stamp, tz, day",
    [
        ("2026-03-01T23:30:00Z", "UTC", date(2026, 3, 1)),
        ("2026-03-01T23:30:00Z", "Asia/Tokyo", date(2026, 3, 2)),
        ("2026-03-01T14:59:59Z", "Asia/Tokyo", date(2026, 3, 1)),
        ("2026-03-01T15:00:00Z", "Asia/Tokyo", date(2026, 3, 2)),
        # India, +05:30: midnight is 18:30 UTC, on a bucket edge.
        ("2026-03-01T18:29:59Z", "Asia/Kolkata", date(2026, 3, 1)),
        ("2026-03-01T18:30:00Z", "Asia/Kolkata", date(2026, 3, 2)),
        # Nepal, +05:45: midnight is 18:15 UTC; the bucket 18:15-18:30 is the next day.
        ("2026-03-01T18:14:59Z", "Asia/Kathmandu", date(2026, 3, 1)),
        ("2026-03-01T18:15:00Z", "Asia/Kathmandu", date(2026, 3, 2)),
        ("2026-03-01T18:29:59Z", "Asia/Kathmandu", date(2026, 3, 2)),
        # Newfoundland, -03:30.
        ("2026-03-02T03:29:59Z", "America/St_Johns", date(2026, 3, 1)),
        ("2026-03-02T03:30:00Z", "America/St_Johns", date(2026, 3, 2)),
        # Chatham Islands in summer, +13:45.
        ("2026-03-01T10:14:59Z", "Pacific/Chatham", date(2026, 3, 1)),
        ("2026-03-01T10:15:00Z", "Pacific/Chatham", date(2026, 3, 2)),
        # New York switches to summer time on 8 March 2026.
        ("2026-03-08T04:59:59Z", "America/New_York", date(2026, 3, 7)),
        ("2026-03-09T03:59:59Z", "America/New_York", date(2026, 3, 8)),
        ("2026-03-09T04:00:00Z", "America/New_York", date(2026, 3, 9)),
    ],
)
def test_daily_activity_local_day(db, stamp, tz, day):
    add_touch(db, add_person(db), stamp, "attempt")
    frame = metrics.daily_activity(db, tz, None, date(2026, 3, 31))
    assert _days(frame) == [(day, 1)]
    assert clock.local_date(stamp, tz) == day  # the same answer as converting the instant


def test_daily_activity_nepal_bucket_edges_together(db):
    person = add_person(db)
    for stamp in ("2026-03-01T18:00:00Z", "2026-03-01T18:14:59Z",  # 23:45, 23:59:59
                  "2026-03-01T18:15:00Z", "2026-03-01T18:29:00Z",  # 00:00, 00:14
                  "2026-03-01T18:30:00Z"):                          # 00:15
        add_touch(db, person, stamp)
    frame = metrics.daily_activity(db, "Asia/Kathmandu", None, date(2026, 3, 2))
    assert _days(frame) == [(date(2026, 3, 1), 2), (date(2026, 3, 2), 3)]


def test_daily_activity_since_and_until_are_local_days(db):
    person = add_person(db)
    for stamp in ("2026-03-01T14:59:59Z",   # 1 March 23:59:59 in Tokyo: before since
                  "2026-03-01T15:00:00Z",   # 2 March 00:00
                  "2026-03-03T14:59:59Z",   # 3 March 23:59:59
                  "2026-03-03T15:00:00Z"):  # 4 March: after until
        add_touch(db, person, stamp)
    # 4 March in Tokyo
    add_checkin(db, add_event(db), "2026-03-03T16:00:00Z", "2026-03-03T16:00:00Z")
    frame = metrics.daily_activity(db, "Asia/Tokyo", date(2026, 3, 2), date(2026, 3, 3))
    assert _days(frame) == [(date(2026, 3, 2), 1), (date(2026, 3, 3), 1)]


def test_daily_activity_unknown_zone(db):
    with pytest.raises(ValidationError):
        metrics.daily_activity(db, "Mars/Olympus", None, date(2026, 3, 3))


# ---------------------------------------------------------------------------
# Streak summary, strength, triage
# ---------------------------------------------------------------------------


def _noon_touches(db, days):
    person = add_person(db)
    for day in days:
        add_touch(db, person, f"{day.isoformat()}T12:00:00Z")


def test_networking_summary_streak_running_through_today(db):
    _noon_touches(db, [date(2026, 3, d) for d in (1, 2, 7, 8, 9, 10)])
    summary = metrics.networking_summary(db, "UTC", date(2026, 3, 10))
    assert summary.current == 4
    assert summary.longest == 4
    assert summary.best == [Run(date(2026, 3, 7), date(2026, 3, 10), 4),
                            Run(date(2026, 3, 1), date(2026, 3, 2), 2)]
    assert summary.days == {date(2026, 3, d) for d in (1, 2, 7, 8, 9, 10)}


def test_networking_summary_streak_alive_from_yesterday(db):
    _noon_touches(db, [date(2026, 3, d) for d in (1, 2, 3, 5, 6, 7, 8, 9)])
    summary = metrics.networking_summary(db, "UTC", date(2026, 3, 10))
    assert (summary.current, summary.longest) == (5, 5)
    assert metrics.networking_summary(db, "UTC", date(2026, 3, 11)).current == 0


def test_networking_summary_today_depends_on_the_zone(db):
    person = add_person(db)
    for stamp in ("2026-03-08T12:00:00Z", "2026-03-09T12:00:00Z",
                  "2026-03-09T20:00:00Z"):  # 10 March 05:00 in Tokyo
        add_touch(db, person, stamp)
    assert metrics.networking_summary(db, "Asia/Tokyo", date(2026, 3, 10)).current == 3
    assert metrics.networking_summary(db, "UTC", date(2026, 3, 10)).current == 2


def test_networking_summary_weekdays_only(db):
    # Thursday 5, Friday 6, Saturday 7 March; today is Sunday 8 March.
    _noon_touches(db, [date(2026, 3, 5), date(2026, 3, 6), date(2026, 3, 7)])
    everyday = metrics.networking_summary(db, "UTC", date(2026, 3, 8))
    weekdays = metrics.networking_summary(db, "UTC", date(2026, 3, 8), weekdays_only=True)
    assert (everyday.current, everyday.longest) == (3, 3)
    assert (weekdays.current, weekdays.longest) == (2, 2)
    assert weekdays.best == [Run(date(2026, 3, 5), date(2026, 3, 6), 2)]


def test_networking_summary_ignores_days_after_today(db):
    _noon_touches(db, [date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11)])
    summary = metrics.networking_summary(db, "UTC", date(2026, 3, 10))
    assert summary.days == {date(2026, 3, 9), date(2026, 3, 10)}
    assert summary.current == 2


def test_strength_series_by_hand():
    m = 0.5 ** (1 / 14)
    frame = metrics.strength_series({date(2026, 3, 1), date(2026, 3, 2)},
                                    date(2026, 3, 1), date(2026, 3, 3))
    _assert_columns(frame, STRENGTH)
    assert [ts.date() for ts in frame["day"]] == [date(2026, 3, d) for d in (1, 2, 3)]
    assert list(frame["score"]) == pytest.approx([1 - m, 1 - m * m, (1 - m * m) * m])


def test_strength_series_empty_range():
    frame = metrics.strength_series(set(), date(2026, 3, 2), date(2026, 3, 1))
    _assert_columns(frame, STRENGTH)
    assert frame.empty


@pytest.mark.parametrize(
    "offsets, expected",
    [((), 0), ((0,), 1), ((1,), 1), ((0, 1, 2), 3), ((1, 2, 3, 5), 3), ((2, 3), 0),
     ((-1, 0), 1)],
    ids=["none", "today", "yesterday", "through_today", "alive_from_yesterday", "broken",
         "tomorrow_ignored"],
)
def test_triage_streak_table(db, offsets, expected):
    today = date(2026, 3, 10)
    for n in offsets:
        add_triage_day(db, today - timedelta(days=n))
    assert metrics.triage_streak(db, today) == expected


# ---------------------------------------------------------------------------
# Weekly time
# ---------------------------------------------------------------------------


def _weeks(frame):
    return [(ts.date(), int(m), bool(met)) for ts, m, met in
            zip(frame["week"], frame["minutes"], frame["met"])]


def test_weekly_time_with_a_week_of_zero(db):
    person = add_person(db)
    add_touch(db, person, "2026-02-24T10:00:00Z", "dialog", minutes=60)
    add_touch(db, person, "2026-02-25T10:00:00Z", "attempt", minutes=5)
    add_touch(db, person, "2026-02-26T10:00:00Z", "dialog", minutes=45,
           undone_at="2026-02-26T10:01:00Z")
    # Sunday 23:30 UTC is Monday 00:30 in Berlin: the next week.
    add_touch(db, person, "2026-03-08T23:30:00Z", "dialog", minutes=20)
    add_checkin(db, add_event(db), "2026-03-09T08:00:00Z", "2026-03-09T11:30:00Z")  # 210 min
    frame = metrics.weekly_time(db, "Europe/Berlin", date(2026, 2, 25), date(2026, 3, 11), 180)
    _assert_columns(frame, WEEKLY)
    assert _weeks(frame) == [(date(2026, 2, 23), 65, False), (date(2026, 3, 2), 0, False),
                             (date(2026, 3, 9), 230, True)]
    assert set(frame["target_minutes"]) == {180}


def test_weekly_time_checkins_open_and_capped(db):
    show = add_event(db, starts_at="2026-03-02T07:00:00Z", ends_at="2026-03-04T17:00:00Z")
    add_checkin(db, show, "2026-03-02T08:00:00Z", "2026-03-03T08:00:00Z")  # 24 h: 12 h count
    add_checkin(db, show, "2026-03-04T08:00:00Z")  # open: until the show ends, 9 h
    add_checkin(db, show, "2026-02-27T08:00:00Z", "2026-02-27T09:00:00Z")  # before since
    frame = metrics.weekly_time(db, "UTC", date(2026, 3, 2), date(2026, 3, 4), 180)
    assert _weeks(frame) == [(date(2026, 3, 2), 720 + 540, True)]
    now = utc("2026-03-04T10:00:00Z")
    frame = metrics.weekly_time(db, "UTC", date(2026, 3, 2), date(2026, 3, 4), 180, now=now)
    assert _weeks(frame) == [(date(2026, 3, 2), 720 + 120, True)]


def test_weekly_time_all_history_starts_with_the_first_week(db):
    add_touch(db, add_person(db), "2026-02-18T10:00:00Z", "dialog", minutes=30)
    frame = metrics.weekly_time(db, "UTC", None, date(2026, 3, 3), 30)
    assert _weeks(frame) == [(date(2026, 2, 16), 30, True), (date(2026, 2, 23), 0, False),
                             (date(2026, 3, 2), 0, False)]


def test_weekly_time_empty(db):
    frame = metrics.weekly_time(db, "UTC", None, date(2026, 3, 3), 180)
    _assert_columns(frame, WEEKLY)
    assert _weeks(frame) == [(date(2026, 3, 2), 0, False)]


@pytest.mark.parametrize(
    "met, expected",
    [([], 0), ([True], 1), ([False], 0), ([True, True, False], 2), ([True, True, True], 3),
     ([True, False, True, False], 1), ([False, True, True, True, False], 3),
     ([True, True, False, False], 0), ([True, False], 1)],
)
def test_weeks_meeting_target_streak_table(met, expected):
    weekly = pd.DataFrame({"week": pd.date_range("2026-01-05", periods=len(met), freq="7D"),
                           "minutes": [200 if m else 0 for m in met],
                           "target_minutes": [180] * len(met), "met": met})
    assert metrics.weeks_meeting_target_streak(weekly) == expected


# ---------------------------------------------------------------------------
# Follow-up health and persistence
# ---------------------------------------------------------------------------


def test_followup_health_47_and_49_hours(db):
    ada = save_card(db, "Ada", at=utc("2026-03-02T09:00:00Z"))
    followups.log_attempt(db, ada, "email", SETTINGS, now=utc("2026-03-04T08:00:00Z"))
    ben = save_card(db, "Ben", at=utc("2026-03-02T10:00:00Z"))
    followups.log_attempt(db, ben, "email", SETTINGS, now=utc("2026-03-04T11:00:00Z"))
    followups.log_dialog(db, ben, "coffee", SETTINGS, now=utc("2026-03-06T10:00:00Z"))
    save_card(db, "Cy", at=utc("2026-03-03T09:00:00Z"))  # not followed up yet
    eve = save_card(db, "Eve", at=utc("2026-03-05T09:00:00Z"))
    followups.log_attempt(db, eve, "sms", SETTINGS, now=utc("2026-03-05T10:00:00Z"))
    followups.undo(db, eve, now=utc("2026-03-05T10:01:00Z"))
    dee = save_card(db, "Dee", at=utc("2026-02-20T09:00:00Z"))  # met before the period
    followups.log_attempt(db, dee, "email", SETTINGS, now=utc("2026-02-21T09:00:00Z"))

    health = metrics.followup_health(db, "UTC", date(2026, 3, 1))
    assert health.people == 4
    assert health.median_hours_to_first_followup == pytest.approx(48.0)
    assert health.followed_up_48h_share == pytest.approx(1 / 4)
    assert health.response_rate == pytest.approx(1 / 2)

    everyone = metrics.followup_health(db, "UTC", None)
    assert everyone.people == 5
    assert everyone.median_hours_to_first_followup == pytest.approx(47.0)  # 24, 47, 49
    assert everyone.followed_up_48h_share == pytest.approx(2 / 5)


def test_followup_health_since_is_a_local_day(db):
    save_card(db, "Ada", at=utc("2026-02-28T20:00:00Z"))  # 1 March 05:00 in Tokyo
    assert metrics.followup_health(db, "Asia/Tokyo", date(2026, 3, 1)).people == 1
    assert metrics.followup_health(db, "UTC", date(2026, 3, 1)).people == 0


def test_followup_health_empty(db):
    assert metrics.followup_health(db, "UTC", None) == metrics.Health(None, None, None, 0)


def _history(db, steps, kind="other"):
    person = add_person(db, kind=kind)
    for stamp, what in steps:
        if what == "undone":
            add_touch(db, person, stamp, "attempt", undone_at=stamp)
        elif what == "met again":
            add_touch(db, person, stamp, "met", data={"created": False})
        else:
            add_touch(db, person, stamp, what)
    return person


def test_dialogs_by_attempt_by_hand(db):
    _history(db, [("2026-03-01T09:00:00Z", "met"), ("2026-03-01T12:00:00Z", "dialog")])  # 1
    _history(db, [("2026-03-01T09:00:00Z", "met"), ("2026-03-02T09:00:00Z", "attempt"),
                  ("2026-03-04T09:00:00Z", "attempt"), ("2026-03-06T09:00:00Z", "dialog"),  # 3
                  ("2026-03-10T09:00:00Z", "attempt"), ("2026-03-12T09:00:00Z", "dialog")])  # 2
    # Eight attempts, most of them before the period: capped at 7.
    _history(db, [("2026-02-01T09:00:00Z", "met")]
             + [(f"2026-02-0{d}T09:00:00Z", "attempt") for d in range(2, 10)]
             + [("2026-03-05T09:00:00Z", "dialog")])
    _history(db, [("2026-03-01T09:00:00Z", "met"), ("2026-03-02T09:00:00Z", "attempt"),
                  ("2026-03-03T09:00:00Z", "undone"), ("2026-03-04T09:00:00Z", "dialog")])  # 2
    _history(db, [("2026-02-01T09:00:00Z", "met"), ("2026-02-10T09:00:00Z", "dialog")])  # old
    _history(db, [("2026-03-02T09:00:00Z", "attempt"), ("2026-03-03T09:00:00Z", "dialog")])  # 2
    _history(db, [("2026-02-01T09:00:00Z", "met"), ("2026-02-02T09:00:00Z", "attempt"),
                  ("2026-03-01T09:00:00Z", "met again"), ("2026-03-02T09:00:00Z", "dialog")])  # 1

    frame = metrics.dialogs_by_attempt(db, date(2026, 3, 1))
    _assert_columns(frame, BY_ATTEMPT)
    assert list(frame["attempt"]) == [1, 2, 3, 4, 5, 6, 7]
    assert list(frame["dialogs"]) == [2, 3, 1, 0, 0, 0, 1]

    everything = metrics.dialogs_by_attempt(db, None)
    assert list(everything["dialogs"]) == [3, 3, 1, 0, 0, 0, 1]


def test_dialogs_by_attempt_fills_gaps_up_to_the_highest(db):
    _history(db, [("2026-03-01T09:00:00Z", "met"), ("2026-03-02T09:00:00Z", "attempt"),
                  ("2026-03-03T09:00:00Z", "attempt"), ("2026-03-04T09:00:00Z", "dialog")])
    frame = metrics.dialogs_by_attempt(db, date(2026, 3, 1))
    assert frame.to_dict("list") == {"attempt": [1, 2, 3], "dialogs": [0, 0, 1]}


def test_dialogs_by_attempt_with_the_followup_actions(db):
    ada = save_card(db, "Ada", at=utc("2026-03-02T09:00:00Z"))
    for day in (3, 5):
        followups.log_attempt(db, ada, "email", SETTINGS, now=utc(f"2026-03-0{day}T09:00:00Z"))
    followups.log_dialog(db, ada, "email", SETTINGS, now=utc("2026-03-09T09:00:00Z"))
    frame = metrics.dialogs_by_attempt(db, "2026-03-01T00:00:00Z")
    assert frame.to_dict("list") == {"attempt": [1, 2, 3], "dialogs": [0, 0, 1]}


def test_dialogs_by_attempt_empty(db):
    frame = metrics.dialogs_by_attempt(db, None)
    _assert_columns(frame, BY_ATTEMPT)
    assert frame.empty


# ---------------------------------------------------------------------------
# Reach
# ---------------------------------------------------------------------------


def _months(frame):
    return [(ts.date(), kind, int(n)) for ts, kind, n in
            zip(frame["month"], frame["kind"], frame["people"])]


def _reach_history(db):
    first = add_person(db, kind="customer")
    add_touch(db, first, "2026-01-10T10:00:00Z", "met")
    add_touch(db, first, "2026-01-20T10:00:00Z", "met", data={"created": False})
    add_touch(db, first, "2026-02-10T10:00:00Z", "met", data={"created": False})
    second = add_person(db, kind="customer")
    add_touch(db, second, "2026-01-31T23:30:00Z", "met", data={"created": True})  # 1 Feb in Tokyo
    rival = add_person(db, kind="competitor")
    add_touch(db, rival, "2026-02-05T10:00:00Z", "met")
    add_touch(db, rival, "2026-03-05T10:00:00Z", "attempt")  # not a meeting
    analyst = add_person(db, kind="press")
    add_touch(db, analyst, "2026-02-06T10:00:00Z", "met")
    add_touch(db, analyst, "2026-03-01T10:00:00Z", "met", undone_at="2026-03-01T10:01:00Z")
    twin = add_person(db, kind="customer", status="merged")
    add_touch(db, twin, "2026-02-07T10:00:00Z", "met")


def test_reach_by_month_by_hand(db):
    _reach_history(db)
    frame = metrics.reach_by_month(db, "Asia/Tokyo", None)
    _assert_columns(frame, MONTHLY)
    assert _months(frame) == [
        (date(2026, 1, 1), "Customer", 1),
        (date(2026, 2, 1), "Customer", 2),
        (date(2026, 2, 1), "Competitor", 1),
        (date(2026, 2, 1), "Press / analyst", 1),
    ]
    assert _months(metrics.reach_by_month(db, "UTC", None)) == [
        (date(2026, 1, 1), "Customer", 2),
        (date(2026, 2, 1), "Customer", 1),
        (date(2026, 2, 1), "Competitor", 1),
        (date(2026, 2, 1), "Press / analyst", 1),
    ]
    assert [m for m, _, _ in _months(metrics.reach_by_month(
        db, "Asia/Tokyo", date(2026, 2, 1)))] == [date(2026, 2, 1)] * 3


def test_reach_by_month_empty(db):
    frame = metrics.reach_by_month(db, "UTC", None)
    _assert_columns(frame, MONTHLY)
    assert frame.empty


def test_reach_summary_by_hand(db):
    for name in ("Rival One", "Rival Two"):
        save_card(db, name, at=utc("2026-03-02T10:00:00Z"), kind="competitor")
    for name, department in (("Cleo", "Sales"), ("Dan", "SALES"), ("Eli", " Legal "),
                             ("Fay", None)):
        save_card(db, name, at=utc("2026-03-03T10:00:00Z"), kind="colleague", department=department)
    # Gus was met before the period, Hal is new and then met again.
    known = save_card(db, "Gus", at=utc("2026-02-01T10:00:00Z"), kind="customer")
    cards.add_meeting(db, known, cards.clean({"name": "Gus"}), settings=SETTINGS,
                      now=utc("2026-03-04T10:00:00Z"))
    both = save_card(db, "Hal", at=utc("2026-03-04T10:00:00Z"), kind="customer")
    cards.add_meeting(db, both, cards.clean({"name": "Hal"}), settings=SETTINGS,
                      now=utc("2026-03-05T10:00:00Z"))
    add_touch(db, add_person(db), "2026-03-06T10:00:00Z", "met")  # data NULL: a new card

    # 09:00 in Berlin
    fair = add_event(db, starts_at="2026-03-02T08:00:00Z", ends_at="2026-03-04T17:00:00Z")
    add_checkin(db, fair, "2026-03-02T07:30:00Z", "2026-03-02T07:30:00Z")  # early
    add_checkin(db, fair, "2026-03-03T09:00:00Z", "2026-03-03T09:00:00Z")  # 10:00 on day two: late
    meetup = add_event(db, starts_at="2026-03-05T17:00:00Z", ends_at="2026-03-05T20:00:00Z")
    add_checkin(db, meetup, "2026-03-05T17:30:00Z", "2026-03-05T17:30:00Z")  # late
    old = add_event(db, starts_at="2026-02-10T08:00:00Z", ends_at="2026-02-10T17:00:00Z")
    add_checkin(db, old, "2026-02-10T07:00:00Z", "2026-02-10T07:00:00Z")  # early, before the period

    reach = metrics.reach_summary(db, date(2026, 3, 1), tz="UTC")
    assert reach == metrics.Reach(
        competitors=2, colleague_departments=2, colleagues_other_departments=4,
        new_people=8, known_again=1, events_arrived_early=1, events_checked_in=2)
    everything = metrics.reach_summary(db, None)
    assert (everything.new_people, everything.known_again) == (9, 0)
    assert (everything.events_arrived_early, everything.events_checked_in) == (2, 3)


def test_reach_summary_empty(db):
    assert metrics.reach_summary(db, None) == metrics.Reach(0, 0, 0, 0, 0, 0, 0)


# ---------------------------------------------------------------------------
# Call funnel
# ---------------------------------------------------------------------------


def test_call_funnel_by_hand(db):
    session = calls.start(db, {"kinds": ["customer"]}, now=utc("2026-03-02T09:00:00Z"))
    for minute, outcome in enumerate(("no_answer", "voicemail", "busy", "talked")):
        person = save_card(db, f"Customer {outcome}", at=utc("2026-03-01T09:00:00Z"),
                           kind="customer")
        calls.record(db, session, person, outcome, SETTINGS,
                     minutes=10 if outcome == "talked" else None,
                     now=utc(f"2026-03-02T09:0{minute + 1}:00Z"))
    frame = metrics.call_funnel(db, None)
    _assert_columns(frame, FUNNEL)
    assert frame.to_dict("list") == {
        "stage": ["Dialed", "Picked up", "Talked"],
        "count": [4, 2, 1],
        "share": [1.0, 0.5, 0.25],
        "benchmark": [None, 0.5, 0.15],
    }
    later = metrics.call_funnel(db, "2026-03-02T09:03:00Z")
    assert later.to_dict("list")["count"] == [2, 2, 1]


def test_call_funnel_nothing_dialed(db):
    frame = metrics.call_funnel(db, "2026-03-02T09:00:00Z")
    assert frame.to_dict("list") == {
        "stage": ["Dialed", "Picked up", "Talked"], "count": [0, 0, 0],
        "share": [0.0, 0.0, 0.0], "benchmark": [None, 0.5, 0.15]}


# ---------------------------------------------------------------------------
# The sample data set: every function, documented columns, real data
# ---------------------------------------------------------------------------

def test_sample_every_frame_has_its_columns_and_data(sample_day_readonly):
    db = sample_day_readonly
    tz = sample.SAMPLE_TIMEZONE
    since = metrics.period_start("quarter", SAMPLE_DAY)
    daily = metrics.daily_activity(db, tz, since, SAMPLE_DAY)
    summary = metrics.networking_summary(db, tz, SAMPLE_DAY)
    frames = {
        "daily": (daily, DAILY),
        "strength": (metrics.strength_series(summary.days, since, SAMPLE_DAY), STRENGTH),
        "weekly": (metrics.weekly_time(db, tz, since, SAMPLE_DAY, 180), WEEKLY),
        "by_attempt": (metrics.dialogs_by_attempt(db, since, tz=tz), BY_ATTEMPT),
        "monthly": (metrics.reach_by_month(db, tz, since), MONTHLY),
        "funnel": (metrics.call_funnel(db, clock.to_iso(
            datetime.combine(since, datetime.min.time(), timezone.utc))), FUNNEL),
    }
    for name, (frame, columns) in frames.items():
        _assert_columns(frame, columns)
        assert not frame.empty, name
    assert frames["weekly"][0]["minutes"].sum() > 0
    assert frames["funnel"][0]["count"].iloc[0] > 0
    assert frames["by_attempt"][0]["dialogs"].sum() > 0
    assert 0 < frames["strength"][0]["score"].iloc[-1] <= 1

    assert summary.current == sample.QUIET_DAY_AGO
    assert summary.longest >= summary.current
    assert 1 <= len(summary.best) <= 10
    # The sample's queue was cleared on 21 November, the day before, not on the 20th.
    assert db.execute("SELECT day FROM triage_days WHERE day >= '2026-11-19' "
                      "ORDER BY day").fetchall() == [("2026-11-19",), ("2026-11-21",)]
    assert metrics.triage_streak(db, SAMPLE_DAY) == 1

    # The sample is the same on the same day: its figures are exact.
    health = metrics.followup_health(db, tz, since)
    assert health.people == 102
    assert health.median_hours_to_first_followup == pytest.approx(48.14, abs=0.01)
    assert health.followed_up_48h_share == pytest.approx(42 / 102)
    assert health.response_rate == pytest.approx(68 / 102)

    reach = metrics.reach_summary(db, since, tz=tz)
    assert (reach.new_people, reach.known_again, reach.competitors) == (102, 0, 7)
    assert (reach.colleague_departments, reach.colleagues_other_departments) == (8, 14)
    assert (reach.events_arrived_early, reach.events_checked_in) == (7, 13)


@pytest.mark.parametrize("tz", ["Europe/Berlin", "Asia/Kathmandu", "America/St_Johns",
                                "Pacific/Chatham", "UTC"])
def test_sample_daily_activity_agrees_with_networking_days(sample_day_readonly, tz):
    daily = metrics.daily_activity(sample_day_readonly, tz, None, SAMPLE_DAY + timedelta(days=1))
    assert set(daily["day"].dt.date) == activity.networking_days(sample_day_readonly, tz)
    assert daily["actions"].min() >= 1
    assert daily["day"].is_monotonic_increasing

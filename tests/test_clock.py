"""fieldkit.clock: stored UTC instants, calendar days in a zone, zone names."""

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldkit import clock
from fieldkit.errors import ValidationError

STORED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")

aware_datetimes = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 12, 30), timezones=st.timezones()
)


@pytest.mark.parametrize(
    "moment, text",
    [
        (datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc), "2026-03-01T23:30:00Z"),
        (datetime(2026, 3, 1, 23, 30, 59, 999_999, tzinfo=timezone.utc), "2026-03-01T23:30:59Z"),
        (datetime(2026, 3, 2, 8, 30, tzinfo=ZoneInfo("Asia/Tokyo")), "2026-03-01T23:30:00Z"),
        (datetime(2026, 3, 1, 18, 30, tzinfo=ZoneInfo("America/New_York")), "2026-03-01T23:30:00Z"),
        (datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")), "2026-07-01T10:00:00Z"),
        (datetime(2026, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=5, minutes=45))), "2025-12-31T18:15:00Z"),
    ],
    ids=["utc", "drops_microseconds", "tokyo", "new_york", "berlin_summer", "offset_into_last_year"],
)
def test_to_iso_stores_utc(moment, text):
    assert clock.to_iso(moment) == text


def test_to_iso_naive_datetime_refused():
    with pytest.raises(ValueError, match="naive"):
        clock.to_iso(datetime(2026, 3, 1, 9, 0))


@pytest.mark.parametrize("text", ["2026-03-01T23:30:00Z", "1999-12-31T23:59:59Z", "2026-02-28T00:00:00Z"])
def test_from_iso_round_trips_text(text):
    moment = clock.from_iso(text)
    assert moment.utcoffset() == timedelta(0)
    assert clock.to_iso(moment) == text


@pytest.mark.parametrize("text", ["2026-03-01", "2026-03-01T23:30:00", "soon", ""])
def test_from_iso_naive_or_garbage_refused(text):
    with pytest.raises(ValueError):
        clock.from_iso(text)


@pytest.mark.parametrize(
    "text, stored",
    [
        ("2026-03-01T23:30:00+00:00", "2026-03-01T23:30:00Z"),
        ("2026-03-02T08:30:00+09:00", "2026-03-01T23:30:00Z"),
        ("2026-03-01T18:30:00-05:00", "2026-03-01T23:30:00Z"),
    ],
)
def test_from_iso_offset_text_read_as_utc(text, stored):
    moment = clock.from_iso(text)
    assert moment.utcoffset() == timedelta(0)
    assert clock.to_iso(moment) == stored


@given(aware_datetimes)
def test_to_iso_round_trip_property(moment):
    text = clock.to_iso(moment)
    assert STORED.fullmatch(text)
    expected = moment.astimezone(timezone.utc).replace(microsecond=0)
    assert clock.from_iso(text) == expected


@given(aware_datetimes, aware_datetimes)
def test_to_iso_text_order_is_time_order_property(a, b):
    a_utc = a.astimezone(timezone.utc).replace(microsecond=0)
    b_utc = b.astimezone(timezone.utc).replace(microsecond=0)
    assert (clock.to_iso(a) < clock.to_iso(b)) == (a_utc < b_utc)
    assert (clock.to_iso(a) == clock.to_iso(b)) == (a_utc == b_utc)


def test_to_iso_sorted_text_is_chronological():
    base = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    moments = [base + timedelta(seconds=s) for s in (86_400 * 40, 9, 10, 3_600, -1, 0, 59, 60)]
    texts = [clock.to_iso(m) for m in moments]
    assert sorted(texts) == [clock.to_iso(m) for m in sorted(moments)]


def test_utc_now_is_aware_and_whole_seconds():
    now = clock.utc_now()
    assert now.utcoffset() == timedelta(0)
    assert now.microsecond == 0
    assert STORED.fullmatch(clock.now_iso())


@pytest.mark.parametrize(
    "moment, tz, day",
    [
        ("2026-03-01T23:30:00Z", "Asia/Tokyo", date(2026, 3, 2)),
        ("2026-03-01T23:30:00Z", "America/New_York", date(2026, 3, 1)),
        ("2026-03-01T23:30:00Z", "UTC", date(2026, 3, 1)),
        ("2026-03-01T04:59:59Z", "America/New_York", date(2026, 2, 28)),
        ("2026-03-01T05:00:00Z", "America/New_York", date(2026, 3, 1)),
        ("2026-12-31T10:00:00Z", "Pacific/Kiritimati", date(2027, 1, 1)),
        ("2026-01-01T10:00:00Z", "Pacific/Pago_Pago", date(2025, 12, 31)),
        (datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc), "Asia/Tokyo", date(2026, 3, 2)),
        (datetime(2026, 3, 2, 8, 30, tzinfo=ZoneInfo("Asia/Tokyo")), "America/New_York", date(2026, 3, 1)),
    ],
)
def test_local_date_across_date_line(moment, tz, day):
    assert clock.local_date(moment, tz) == day


def test_local_date_unknown_zone_raises():
    with pytest.raises(ValidationError):
        clock.local_date("2026-03-01T23:30:00Z", "Mars/Olympus")


def test_today_matches_local_date_of_now():
    assert clock.today("UTC") == clock.utc_now().date()


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Kathmandu"])
def test_zone_known_name(name):
    assert clock.zone(name).key == name


@pytest.mark.parametrize(
    "name",
    [
        "Mars/Olympus",
        "",
        " UTC",
        "UTC ",
        "../etc/passwd",
        "Europe/../../../etc/passwd",
        "/etc/localtime",
        "/usr/share/zoneinfo/UTC",
        "zone.tab",
        "Europe/",
        "Europe/Berlin\x00",
    ],
)
def test_zone_unknown_name_rejected(name):
    with pytest.raises(ValidationError) as info:
        clock.zone(name)
    assert info.value.field == "timezone"
    assert clock.quoted(name) in str(info.value)


def test_timezone_names_sorted_and_usable():
    names = clock.timezone_names()
    assert names == sorted(names)
    assert {"UTC", "Europe/Berlin", "Asia/Tokyo"} <= set(names)

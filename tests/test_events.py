"""fieldkit.events: validating, storing in UTC, the timeline, dates, scorecards."""

from datetime import date, datetime, timedelta

import pytest

from fieldkit import cards, events, followups, metrics
from fieldkit.errors import ValidationError
from tests.factory import SETTINGS, UTC, add_checkin, add_touch, count, save_card, utc


def fields(**changes) -> dict:
    return {
        "name": "Hannover Messe", "kind": "trade_show", "tz": "Europe/Berlin",
        "venue": "Messegelände", "city": "Hannover",
        "starts": datetime(2026, 11, 20, 9, 0), "ends": datetime(2026, 11, 23, 18, 0),
        "goal_new_people": 20, "goal_competitors": 3, "notes": "Hall 7",
        **changes,
    }


def stored(db, event_id) -> dict:
    cursor = db.execute("SELECT * FROM events WHERE id = ?", [event_id])
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone()))


# --- clean ------------------------------------------------------------------


def test_clean_valid_returns_the_columns_to_store():
    assert events.clean(fields(name="  Hannover   Messe ", notes=" Hall 7\n\n\n Booth B12 ")) == {
        "name": "Hannover Messe", "kind": "trade_show", "venue": "Messegelände",
        "city": "Hannover", "tz": "Europe/Berlin",
        "starts_at": "2026-11-20T08:00:00Z", "ends_at": "2026-11-23T17:00:00Z",
        "goal_new_people": 20, "goal_competitors": 3, "notes": "Hall 7\n\nBooth B12",
    }


@pytest.mark.parametrize("name", [None, "", "   ", "\u200b"])
def test_clean_empty_name_raises(name):
    with pytest.raises(ValidationError, match=r"^Name: an event needs a name\.$") as err:
        events.clean(fields(name=name))
    assert err.value.field == "name"


@pytest.mark.parametrize("kind", [None, "", "party", "Trade show", "TRADE_SHOW"])
def test_clean_unknown_kind_raises(kind):
    with pytest.raises(ValidationError, match=r"^Kind: choose what kind of event") as err:
        events.clean(fields(kind=kind))
    assert err.value.field == "kind"


@pytest.mark.parametrize("tz", [None, "", "Mars/Olympus_Mons", "Europe/Berlin ", "../etc/passwd",
                                "/etc/localtime", 3600])
def test_clean_unknown_time_zone_raises(tz):
    with pytest.raises(ValidationError, match=r"^Time zone: unknown time zone") as err:
        events.clean(fields(tz=tz))
    assert err.value.field == "tz"


@pytest.mark.parametrize(
    ("field", "value"),
    [("starts", None), ("starts", "2026-11-20 09:00"), ("starts", date(2026, 11, 20)),
     ("ends", None), ("ends", 1_800_000_000)],
)
def test_clean_start_and_end_must_be_datetimes(field, value):
    with pytest.raises(ValidationError, match=r": give a date and a time\.$") as err:
        events.clean(fields(**{field: value}))
    assert err.value.field == field


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        (datetime(2026, 11, 20, 9, 0), datetime(2026, 11, 20, 8, 59)),
        (datetime(2026, 11, 20, 9, 0), datetime(2026, 11, 19, 18, 0)),
        (datetime(2026, 10, 25, 3, 0), datetime(2026, 10, 25, 2, 30)),  # on the autumn change
    ],
)
def test_clean_end_before_start_raises(starts, ends):
    with pytest.raises(ValidationError, match=r"^End: the event ends before it starts\.$") as err:
        events.clean(fields(starts=starts, ends=ends))
    assert err.value.field == "ends"


def test_clean_end_equal_to_start_is_allowed():
    moment = datetime(2026, 11, 20, 9, 0)
    values = events.clean(fields(starts=moment, ends=moment))
    assert values["starts_at"] == values["ends_at"] == "2026-11-20T08:00:00Z"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, 0), ("", 0), (0, 0), (12, 12), ("12", 12), (" 7 ", 7), (3.0, 3), (10_000, 10_000)],
)
def test_clean_goals_parsed(raw, expected):
    values = events.clean(fields(goal_new_people=raw, goal_competitors=raw))
    assert (values["goal_new_people"], values["goal_competitors"]) == (expected, expected)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (-1, r"between 0 and 10,000"),
        ("-3", r"between 0 and 10,000"),
        (10_001, r"between 0 and 10,000"),
        ("ten", r"expected a whole number"),
        ("2.5", r"expected a whole number"),
        (2.5, r"expected a whole number"),
        (True, r"expected a whole number"),
        (False, r"expected a whole number"),
        ([3], r"expected a whole number"),
    ],
)
@pytest.mark.parametrize(("field", "label"), [("goal_new_people", "New people to meet"),
                                              ("goal_competitors", "Competitors to meet")])
def test_clean_bad_goal_raises(raw, message, field, label):
    with pytest.raises(ValidationError, match=rf"^{label}: {message}") as err:
        events.clean(fields(**{field: raw}))
    assert err.value.field == field


@pytest.mark.parametrize(("field", "limit"), [("venue", 200), ("city", 100), ("notes", 4000)])
def test_clean_text_too_long_raises(field, limit):
    with pytest.raises(ValidationError, match=r"is too long") as err:
        events.clean(fields(**{field: "x" * (limit + 1)}))
    assert err.value.field == field


# --- create / get / update --------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "starts", "ends", "starts_at", "ends_at"),
    [
        # November: Berlin is UTC+1.
        ("Europe/Berlin", datetime(2026, 11, 20, 9, 0), datetime(2026, 11, 23, 18, 0),
         "2026-11-20T08:00:00Z", "2026-11-23T17:00:00Z"),
        # Across the spring change on 29 March: +1 before, +2 after.
        ("Europe/Berlin", datetime(2026, 3, 28, 9, 0), datetime(2026, 3, 30, 17, 0),
         "2026-03-28T08:00:00Z", "2026-03-30T15:00:00Z"),
        # Across the autumn change on 25 October: +2 before, +1 after.
        ("Europe/Berlin", datetime(2026, 10, 24, 9, 0), datetime(2026, 10, 26, 17, 0),
         "2026-10-24T07:00:00Z", "2026-10-26T16:00:00Z"),
        # Tokyo's morning is the previous evening in UTC.
        ("Asia/Tokyo", datetime(2026, 11, 20, 8, 0), datetime(2026, 11, 20, 18, 0),
         "2026-11-19T23:00:00Z", "2026-11-20T09:00:00Z"),
        ("America/New_York", datetime(2026, 10, 31, 20, 0), datetime(2026, 11, 2, 9, 0),
         "2026-11-01T00:00:00Z", "2026-11-02T14:00:00Z"),
        ("UTC", datetime(2026, 11, 20, 9, 0), datetime(2026, 11, 20, 17, 0),
         "2026-11-20T09:00:00Z", "2026-11-20T17:00:00Z"),
    ],
)
def test_create_stores_utc_and_get_reads_back_local(db, tz, starts, ends, starts_at, ends_at):
    event_id = events.create(db, fields(tz=tz, starts=starts, ends=ends))
    row = stored(db, event_id)
    assert (row["starts_at"], row["ends_at"], row["tz"]) == (starts_at, ends_at, tz)
    event = events.get(db, event_id)
    assert (event["starts"], event["ends"]) == (starts, ends)
    assert event["starts"].tzinfo is None


def test_create_ignores_a_zone_attached_to_the_datetimes(db):
    # The form's times are wall-clock times in the event's zone, whatever they carry.
    event_id = events.create(db, fields(starts=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
                                        ends=datetime(2026, 11, 20, 17, 0, tzinfo=UTC)))
    assert stored(db, event_id)["starts_at"] == "2026-11-20T08:00:00Z"


def test_create_stores_every_field(db):
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    event_id = events.create(db, fields(), now=now)
    event = events.get(db, event_id)
    assert {k: event[k] for k in ("name", "kind", "venue", "city", "goal_new_people",
                                  "goal_competitors", "notes")} == {
        "name": "Hannover Messe", "kind": "trade_show", "venue": "Messegelände",
        "city": "Hannover", "goal_new_people": 20, "goal_competitors": 3, "notes": "Hall 7"}
    assert event["created_at"] == event["updated_at"] == "2026-06-01T12:00:00Z"
    assert len(event["uid"]) == 36


def test_create_invalid_writes_nothing(db):
    with pytest.raises(ValidationError):
        events.create(db, fields(tz="Nowhere/Special"))
    assert count(db, "events") == 0


def test_get_missing_raises(db):
    with pytest.raises(events.EventNotFound, match="no longer exists"):
        events.get(db, 42)


def test_update_replaces_details_and_keeps_checkins_and_people(db):
    event_id = events.create(db, fields())
    add_checkin(db, event_id, "2026-11-20T07:30:00Z")
    person = save_card(db, "Ada", at=utc("2026-11-20T10:00:00Z"), event_id=event_id)
    checkins_before = db.execute("SELECT * FROM checkins").fetchall()
    events.update(db, event_id, fields(name="Hannover Messe 2026", kind="conference",
                                       tz="Asia/Tokyo", starts=datetime(2026, 11, 21, 10, 0),
                                       ends=datetime(2026, 11, 22, 16, 0), venue=None,
                                       goal_new_people=""))
    event = events.get(db, event_id)
    assert (event["name"], event["kind"], event["tz"], event["venue"]) == (
        "Hannover Messe 2026", "conference", "Asia/Tokyo", None)
    assert (event["starts_at"], event["ends_at"]) == ("2026-11-21T01:00:00Z",
                                                      "2026-11-22T07:00:00Z")
    assert (event["starts"], event["goal_new_people"]) == (datetime(2026, 11, 21, 10, 0), 0)
    assert db.execute("SELECT * FROM checkins").fetchall() == checkins_before
    assert db.execute("SELECT event_id FROM people WHERE id = ?",
                      [person]).fetchone()[0] == event_id
    assert count(db, "events") == 1


def test_update_invalid_changes_nothing(db):
    event_id = events.create(db, fields())
    before = stored(db, event_id)
    with pytest.raises(ValidationError) as err:
        events.update(db, event_id, fields(name="Renamed", ends=datetime(2026, 11, 1, 9, 0)))
    assert err.value.field == "ends"
    assert stored(db, event_id) == before


def test_update_missing_raises(db):
    with pytest.raises(events.EventNotFound):
        events.update(db, 42, fields())
    assert count(db, "events") == 0


# --- timeline ---------------------------------------------------------------

NOW = utc("2026-03-10T12:00:00Z")  # noon, not the factory's 14:00: "Ends now" ends at it


@pytest.fixture
def calendar(db):
    """Events around NOW (10 March 2026, 12:00 UTC), by short name."""

    def add(name, tz, starts, ends):
        return events.create(db, fields(name=name, tz=tz, starts=starts, ends=ends))

    return {
        "running": add("Running", "Europe/Berlin", datetime(2026, 3, 9, 9), datetime(2026, 3, 13, 18)),
        "tonight": add("Tonight", "Europe/Berlin", datetime(2026, 3, 10, 19), datetime(2026, 3, 10, 22)),
        # 11 March 09:00 in Tokyo; its first day begins 10 March 15:00 UTC.
        "tokyo": add("Tokyo", "Asia/Tokyo", datetime(2026, 3, 11, 9), datetime(2026, 3, 11, 18)),
        "april": add("April", "Europe/Berlin", datetime(2026, 4, 1, 9), datetime(2026, 4, 2, 18)),
        "ends_now": add("Ends now", "UTC", datetime(2026, 3, 10, 8), datetime(2026, 3, 10, 12)),
        "just_ended": add("Just ended", "UTC", datetime(2026, 3, 10, 8), datetime(2026, 3, 10, 11, 59, 59)),
        "february": add("February", "Europe/Berlin", datetime(2026, 2, 1, 9), datetime(2026, 2, 1, 18)),
        "january": add("January", "Europe/Berlin", datetime(2026, 1, 5, 9), datetime(2026, 1, 6, 18)),
    }


def _names(rows):
    return [r["name"] for r in rows]


def test_timeline_current_upcoming_past(db, calendar):
    line = events.timeline(db, now=NOW)
    assert _names(line.current) == ["Running", "Ends now", "Tonight"]
    assert _names(line.upcoming) == ["Tokyo", "April"]
    assert _names(line.past) == ["Just ended", "February", "January"]
    assert line.past_total == 3


def test_timeline_checkin_opens_at_midnight_of_the_first_local_day(db, calendar):
    before = events.timeline(db, now=utc("2026-03-10T14:59:59Z"))
    after = events.timeline(db, now=utc("2026-03-10T15:00:00Z"))
    assert "Tokyo" in _names(before.upcoming) and "Tokyo" not in _names(before.current)
    assert "Tokyo" in _names(after.current) and "Tokyo" not in _names(after.upcoming)


def test_timeline_past_limit_keeps_the_total(db, calendar):
    line = events.timeline(db, now=NOW, past_limit=2)
    assert _names(line.past) == ["Just ended", "February"]
    assert line.past_total == 3


def test_timeline_rows_have_event_columns(db, calendar):
    [running] = [e for e in events.timeline(db, now=NOW).current if e["name"] == "Running"]
    assert running == {"id": calendar["running"], "name": "Running", "kind": "trade_show",
                       "venue": "Messegelände", "city": "Hannover", "tz": "Europe/Berlin",
                       "starts_at": "2026-03-09T08:00:00Z", "ends_at": "2026-03-13T17:00:00Z"}


def test_timeline_empty_database(db):
    assert events.timeline(db, now=NOW) == events.Timeline([], [], [], 0)


# --- when / choices ---------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "starts_at", "ends_at", "expected"),
    [
        ("Europe/Berlin", "2026-11-20T08:00:00Z", "2026-11-20T16:30:00Z",
         "Fri 20 Nov 2026, 09:00–17:30"),
        ("Europe/Berlin", "2026-11-20T08:00:00Z", "2026-11-23T17:00:00Z", "20–23 Nov 2026"),
        ("Europe/Berlin", "2026-11-30T08:00:00Z", "2026-12-02T17:00:00Z", "30 Nov–02 Dec 2026"),
        ("Europe/Berlin", "2026-12-30T08:00:00Z", "2027-01-02T17:00:00Z",
         "30 Dec 2026–02 Jan 2027"),
        # Shown in the event's zone, not UTC: in UTC these are on 19 November.
        ("Asia/Tokyo", "2026-11-19T23:00:00Z", "2026-11-20T01:00:00Z",
         "Fri 20 Nov 2026, 08:00–10:00"),
        ("America/New_York", "2026-11-21T03:00:00Z", "2026-11-21T04:30:00Z",
         "Fri 20 Nov 2026, 22:00–23:30"),
        # One UTC day, but past midnight in Berlin.
        ("Europe/Berlin", "2026-11-20T22:30:00Z", "2026-11-20T23:30:00Z", "20–21 Nov 2026"),
    ],
)
def test_when_formats_in_the_events_zone(tz, starts_at, ends_at, expected):
    assert events.when({"tz": tz, "starts_at": starts_at, "ends_at": ends_at}) == expected


def test_choices_newest_first_with_labels(db):
    march = events.create(db, fields(name="March", starts=datetime(2026, 3, 2, 9),
                                     ends=datetime(2026, 3, 2, 17)))
    may = events.create(db, fields(name="May", starts=datetime(2026, 5, 4, 9),
                                   ends=datetime(2026, 5, 6, 17)))
    january = events.create(db, fields(name="January", starts=datetime(2026, 1, 12, 9),
                                       ends=datetime(2026, 2, 1, 17)))
    assert list(events.choices(db).items()) == [
        (may, "May · 04–06 May 2026"),
        (march, "March · Mon 02 Mar 2026, 09:00–17:00"),
        (january, "January · 12 Jan–01 Feb 2026"),
    ]
    assert list(events.choices(db, limit=1)) == [may]


def test_choices_empty_database(db):
    assert events.choices(db) == {}


# --- arrived_early ----------------------------------------------------------


@pytest.mark.parametrize(
    ("checked_in_at", "starts_at", "tz", "expected"),
    [
        # Berlin, opening 09:00 CEST (07:00 UTC) every day from 20 April.
        ("2026-04-20T06:59:59Z", "2026-04-20T07:00:00Z", "Europe/Berlin", True),
        ("2026-04-19T22:00:00Z", "2026-04-20T07:00:00Z", "Europe/Berlin", True),
        ("2026-04-20T07:00:00Z", "2026-04-20T07:00:00Z", "Europe/Berlin", False),
        ("2026-04-20T07:30:00Z", "2026-04-20T07:00:00Z", "Europe/Berlin", False),
        ("2026-04-21T06:45:00Z", "2026-04-20T07:00:00Z", "Europe/Berlin", True),  # day 2, 08:45
        ("2026-04-21T07:15:00Z", "2026-04-20T07:00:00Z", "Europe/Berlin", False),  # day 2, 09:15
        ("2026-04-21T20:00:00Z", "2026-04-20T07:00:00Z", "Europe/Berlin", False),
        # 08:30 on 21 April in Tokyo is still 20 April in UTC.
        ("2026-04-20T23:30:00Z", "2026-04-20T00:00:00Z", "Asia/Tokyo", True),
        ("2026-04-21T00:30:00Z", "2026-04-20T00:00:00Z", "Asia/Tokyo", False),
        # Opening 09:00 CET on 27 March; day 3 (29 March) is in summer time.
        ("2026-03-29T06:30:00Z", "2026-03-27T08:00:00Z", "Europe/Berlin", True),  # 08:30 CEST
        ("2026-03-29T07:30:00Z", "2026-03-27T08:00:00Z", "Europe/Berlin", False),  # 09:30 CEST
    ],
)
def test_arrived_early_per_local_day(checked_in_at, starts_at, tz, expected):
    assert events.arrived_early(checked_in_at, starts_at, tz) is expected


# --- scorecard --------------------------------------------------------------

MESSE = {"tz": "Europe/Berlin", "starts": datetime(2026, 4, 20, 9), "ends": datetime(2026, 4, 24, 18)}


@pytest.fixture
def messe(db):
    """An event with five people met, another event, and four check-ins."""
    event_id = events.create(db, fields(name="Messe", goal_new_people=3, goal_competitors=0,
                                        **MESSE))
    elsewhere = events.create(db, fields(name="Elsewhere", starts=datetime(2026, 1, 10, 9),
                                         ends=datetime(2026, 1, 10, 18)))
    met_a = utc("2026-04-20T08:00:00Z")
    a = save_card(db, "A", at=met_a, event_id=event_id, kind="customer")
    add_touch(db, a, met_a + timedelta(hours=47), "attempt", channel="email")  # within 48 h
    met_b = utc("2026-04-20T09:00:00Z")
    b = save_card(db, "B", at=met_b, event_id=event_id, kind="competitor")
    add_touch(db, b, met_b + timedelta(hours=49), "attempt", channel="email")  # too late
    add_touch(db, b, met_b + timedelta(hours=72), "dialog", channel="call")
    met_c = utc("2026-04-21T10:00:00Z")
    c = save_card(db, "C", at=met_c, event_id=event_id, kind="competitor")
    add_touch(db, c, met_c + timedelta(hours=48), "dialog", channel="coffee")  # exactly 48 h counts
    # D was known before and met again at the Messe.
    d = save_card(db, "D", at=utc("2026-01-10T10:00:00Z"), event_id=elsewhere, kind="partner")
    # Before the Messe: D is not reached there.
    add_touch(db, d, utc("2026-02-01T10:00:00Z"), "dialog", channel="call")
    met_d = utc("2026-04-21T12:00:00Z")
    cards.add_meeting(db, d, cards.clean({"name": "D"}), settings=SETTINGS, event_id=event_id,
                      now=met_d)
    add_touch(db, d, met_d + timedelta(hours=1), "attempt", channel="linkedin")
    met_g = utc("2026-04-22T10:00:00Z")
    g = save_card(db, "G", at=met_g, event_id=event_id)
    add_touch(db, g, met_g + timedelta(hours=2), "attempt", channel="email",
              undone_at="2026-04-22T12:05:00Z")
    # Met at the Messe but merged into someone else: not counted twice.
    merged = save_card(db, "A again", at=utc("2026-04-20T11:00:00Z"), event_id=event_id,
                       kind="competitor")
    db.execute("UPDATE people SET status = 'merged', merged_into = ? WHERE id = ?", [a, merged])
    save_card(db, "Someone elsewhere", at=utc("2026-01-10T11:00:00Z"), event_id=elsewhere,
              kind="competitor")
    for checked_in, checked_out in [
        ("2026-04-20T06:30:00Z", "2026-04-20T07:10:00Z"),  # 08:30 local, before 09:00: early
        ("2026-04-20T07:30:00Z", "2026-04-20T16:00:00Z"),  # 09:30: not early
        ("2026-04-21T06:45:00Z", "2026-04-21T16:00:00Z"),  # day 2, 08:45: early
        ("2026-04-22T08:00:00Z", "2026-04-22T16:00:00Z"),  # day 3, 10:00: not early
    ]:
        add_checkin(db, event_id, checked_in, checked_out)
    add_checkin(db, elsewhere, "2026-01-10T07:00:00Z", "2026-01-10T17:00:00Z")
    return event_id


def test_scorecard_counts_met_followups_dialogs_goals(db, messe):
    assert events.scorecard(db, messe) == {
        "met": 5,  # A, B, C, G new; D met again
        "competitors": 2,  # B, C
        "followed_up_48h": 3,  # A at +47 h, C at +48 h, D at +1 h; not B (+49 h), not G (undone)
        "dialogs": 2,  # B, C; D's dialog was before the Messe
        "goal_new_people": 3,
        "goal_competitors": 0,
        "new_people_progress": 1.0,  # 5 of 3, capped
        "competitors_progress": None,  # no goal
        "checkins": 4,
        "arrived_early": 2,
    }


def test_scorecard_goal_progress_is_a_share(db, messe):
    events.update(db, messe, fields(name="Messe", goal_new_people=10, goal_competitors=8, **MESSE))
    card = events.scorecard(db, messe)
    assert (card["new_people_progress"], card["competitors_progress"]) == (0.5, 0.25)


def test_scorecard_undone_meeting_is_not_counted(db, messe):
    touch_id = db.execute("SELECT t.id FROM touches t JOIN people c ON c.id = t.person_id "
                          "WHERE c.name = 'D' AND t.event_id = ?", [messe]).fetchone()[0]
    cards.undo_capture(db, touch_id)
    card = events.scorecard(db, messe)
    assert (card["met"], card["followed_up_48h"]) == (4, 2)


def test_scorecard_of_an_empty_event(db):
    event_id = events.create(db, fields(goal_new_people=5, goal_competitors=0))
    assert events.scorecard(db, event_id) == {
        "met": 0, "competitors": 0, "followed_up_48h": 0, "dialogs": 0,
        "goal_new_people": 5, "goal_competitors": 0,
        "new_people_progress": 0.0, "competitors_progress": None,
        "checkins": 0, "arrived_early": 0,
    }


def test_scorecard_missing_event_raises(db):
    with pytest.raises(events.EventNotFound):
        events.scorecard(db, 7)


# --- followed up within 48 hours: the scorecard and the metrics agree --------

MET = utc("2026-04-20T08:00:00Z")


@pytest.mark.parametrize(
    "later, within, reached",
    [
        ([], False, False),
        ([(47, "attempt", None)], True, False),
        ([(48, "attempt", None)], True, False),  # exactly 48 hours counts
        ([(49, "attempt", None)], False, False),
        ([(49, "attempt", None), (72, "dialog", None)], False, True),
        ([(10, "dialog", None)], True, True),
        ([(1, "attempt", "2026-04-20T09:05:00Z")], False, False),  # undone
        ([(1, "attempt", "2026-04-20T09:05:00Z"), (30, "attempt", None)], True, False),
        ([(1, "note", None)], False, False),  # a note is not a follow-up
        ([(-1, "attempt", None)], False, False),  # before meeting
    ],
    ids=["nothing", "47h", "48h", "49h", "49h_then_dialog", "dialog", "undone",
         "undone_then_30h", "note", "before"],
)
def test_followed_up_within_48_hours_same_answer_for_event_and_metrics(db, later, within,
                                                                        reached):
    event_id = events.create(db, fields(**MESSE))
    person = save_card(db, "Ada", at=MET, event_id=event_id)
    for hours, kind, undone_at in later:
        add_touch(db, person, MET + timedelta(hours=hours), kind, channel="email",
                  undone_at=undone_at)
    assert followups.first_followups(db) == followups.first_followups(db, event_id=event_id)
    (first,) = followups.first_followups(db, event_id=event_id)
    assert (first.person_id, first.met_at) == (person, "2026-04-20T08:00:00Z")
    assert (first.within_window, first.reached_dialog) == (within, reached)
    card = events.scorecard(db, event_id)
    health = metrics.followup_health(db, "UTC", None)
    assert (card["met"], card["followed_up_48h"], card["dialogs"]) == (1, int(within),
                                                                     int(reached))
    assert (health.people, health.followed_up_48h_share) == (1, float(within))


def test_followed_up_within_48_hours_leaves_merged_people_out_of_both(db):
    event_id = events.create(db, fields(**MESSE))
    person = save_card(db, "Ada", at=MET, event_id=event_id)
    add_touch(db, person, MET + timedelta(hours=1), "attempt", channel="email")
    db.execute("UPDATE people SET status = 'merged' WHERE id = ?", [person])
    assert followups.first_followups(db) == []
    assert events.scorecard(db, event_id)["followed_up_48h"] == 0
    assert metrics.followup_health(db, "UTC", None).followed_up_48h_share is None


def test_first_followups_at_an_event_counts_from_meeting_there(db, messe):
    # D was met in January elsewhere and again at the Messe: each scope has its meeting.
    d = db.execute("SELECT id FROM people WHERE name = 'D'").fetchone()[0]
    everywhere = {f.person_id: f for f in followups.first_followups(db)}
    at_messe = {f.person_id: f for f in followups.first_followups(db, event_id=messe)}
    assert (everywhere[d].met_at, everywhere[d].within_window) == ("2026-01-10T10:00:00Z",
                                                                   False)
    assert (at_messe[d].met_at, at_messe[d].within_window) == ("2026-04-21T12:00:00Z", True)


@pytest.mark.parametrize(
    "since, names",
    [
        # First met first; "A again" was merged; D counts from January, not the Messe.
        ("", ["D", "Someone elsewhere", "A", "B", "C", "G"]),
        ("2026-04-21T00:00:00Z", ["C", "G"]),
    ],
)
def test_first_followups_since_an_instant(db, messe, since, names):
    people = dict(db.execute("SELECT id, name FROM people").fetchall())
    found = [people[f.person_id] for f in followups.first_followups(db, since=since)]
    assert found == names


def test_clean_refuses_a_start_the_clocks_skip():
    # Berlin moves from 02:00 to 03:00 on 29 March 2026: 02:30 never happens.
    fields = {"name": "Spring meetup", "kind": "meetup", "tz": "Europe/Berlin",
              "starts": datetime(2026, 3, 29, 2, 30), "ends": datetime(2026, 3, 29, 5, 0)}
    with pytest.raises(ValidationError, match="does not exist") as caught:
        events.clean(fields)
    assert caught.value.field == "starts"

"""fieldkit.calls: whom to call in which order, logging calls, the session's funnel."""

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from fieldkit import calls, followups
from fieldkit.errors import FieldkitError, ValidationError
from tests.factory import SETTINGS, save_card

# The user lives in London; in January Berlin is UTC+1, Tokyo +9, New York -5.
LONDON = {**SETTINGS, "timezone": "Europe/London"}
NOW = datetime(2026, 1, 14, 13, 30, tzinfo=timezone.utc)
MET = NOW - timedelta(days=1)
TODAY = date(2026, 1, 14)
PHONES = {"DE": "+4915123456789", "JP": "+819012345678", "US": "+12015550123",
          "GB": "+447400123456"}


def person(db, name, tz=None, phone=None, kind="customer", now=MET, **fields) -> int:
    # A card carries no time zone; calling hours need the person's own (People page edits it).
    person_id = save_card(db, name, at=now, settings=LONDON, kind=kind, phone=phone, **fields)
    db.execute("UPDATE people SET tz = ? WHERE id = ?", [tz, person_id])
    return person_id


def names(people) -> list[str]:
    return [p["name"] for p in people]


def touches(db) -> list[tuple]:
    return db.execute("SELECT person_id, kind, channel, outcome, minutes, note, "
                      "call_session_id FROM touches WHERE kind != 'met' ORDER BY id").fetchall()


def open_followup(db, person_id) -> tuple:
    return db.execute("SELECT due_on, reason, rung FROM followups WHERE person_id = ? "
                      "AND status = 'open'", [person_id]).fetchone()


@pytest.fixture
def world(db):
    """People across zones; returns their ids by name."""
    return {
        "Nora": person(db, "Nora Quinn", "America/New_York", PHONES["US"]),
        "Ben": person(db, "Ben Sato", "Europe/Berlin", PHONES["DE"]),
        "Kenji": person(db, "Kenji Tanaka", "Asia/Tokyo", PHONES["JP"]),
        "Lena": person(db, "Lena Fischer", None, PHONES["GB"]),  # no zone: the user's
        "Anna": person(db, "anna Weber", "Europe/Berlin", PHONES["DE"]),
        "Zed": person(db, "Zed Aldous", "Asia/Tokyo", None),  # cannot be dialed
    }


# --- candidates ---------------------------------------------------------------------------

def test_candidates_earliest_time_zones_first_then_name_without_phone_last(db, world):
    people = calls.candidates(db, LONDON, now=NOW)
    assert names(people) == ["Kenji Tanaka", "anna Weber", "Ben Sato", "Lena Fischer",
                             "Nora Quinn", "Zed Aldous"]
    by_name = {p["name"]: p for p in people}
    assert {n: (p["tz"], p["local_time"], p["utc_offset"], p["offset_label"])
            for n, p in by_name.items()} == {
        "Kenji Tanaka": ("Asia/Tokyo", "22:30", 9 * 3600, "UTC+9"),
        "anna Weber": ("Europe/Berlin", "14:30", 3600, "UTC+1"),
        "Ben Sato": ("Europe/Berlin", "14:30", 3600, "UTC+1"),
        "Lena Fischer": ("Europe/London", "13:30", 0, "UTC+0"),
        "Nora Quinn": ("America/New_York", "08:30", -5 * 3600, "UTC−5"),
        "Zed Aldous": ("Asia/Tokyo", "22:30", 9 * 3600, "UTC+9"),
    }
    assert [p["callable_now"] for p in people] == [False, True, True, True, False, False]


def test_candidates_carry_phone_for_dialing_and_reading(db, world):
    people = {p["name"]: p for p in calls.candidates(db, LONDON, now=NOW)}
    assert people["Ben Sato"]["phone"] == "+4915123456789"
    assert people["Ben Sato"]["phone_display"] == "+49 1512 3456789"
    assert people["Zed Aldous"]["phone"] is None
    assert people["Zed Aldous"]["phone_display"] == ""


def test_candidates_offsets_follow_daylight_saving(db, world):
    summer = datetime(2026, 7, 14, 12, 0, tzinfo=timezone.utc)
    people = {p["name"]: p for p in calls.candidates(db, LONDON, now=summer)}
    assert people["Ben Sato"]["offset_label"] == "UTC+2"
    assert people["Nora Quinn"]["local_time"] == "08:00"
    assert people["Lena Fischer"]["offset_label"] == "UTC+1"


@pytest.mark.parametrize("utc, expected", [
    ((7, 59, 59), False),  # 08:59:59 in Berlin
    ((8, 0, 0), True),     # 09:00: the start counts
    ((15, 59, 59), True),  # 16:59:59
    ((16, 0, 0), False),   # 17:00: the end does not
])
def test_candidates_calling_hours_start_inclusive_end_exclusive(db, utc, expected):
    person(db, "Ben Sato", "Europe/Berlin", PHONES["DE"])
    now = datetime(2026, 1, 14, *utc, tzinfo=timezone.utc)
    (ben,) = calls.candidates(db, LONDON, now=now)
    assert ben["callable_now"] is expected


def test_candidates_use_the_calling_hours_setting(db):
    person(db, "Ben Sato", "Europe/Berlin", PHONES["DE"])
    late = {**LONDON, "calling_hours_start": "15:00", "calling_hours_end": "20:30"}
    at = datetime(2026, 1, 14, 19, 15, tzinfo=timezone.utc)  # 20:15 in Berlin
    assert calls.candidates(db, late, now=at)[0]["callable_now"] is True
    assert calls.candidates(db, LONDON, now=at)[0]["callable_now"] is False


def test_candidates_unknown_zone_falls_back_to_the_users(db):
    person_id = person(db, "Ben Sato", None, PHONES["DE"])
    db.execute("UPDATE people SET tz = 'Mars/Olympus' WHERE id = ?", [person_id])
    (ben,) = calls.candidates(db, LONDON, now=NOW)
    assert ben["tz"] == "Europe/London"


def test_candidates_kinds(db):
    person(db, "Cara Customer", "Europe/Berlin", PHONES["DE"])
    person(db, "Pete Prospect", "Europe/Berlin", PHONES["DE"], kind="prospect")
    person(db, "Olga Other", "Europe/Berlin", PHONES["DE"], kind="other")
    assert names(calls.candidates(db, LONDON, now=NOW)) == ["Cara Customer"]
    assert names(calls.candidates(db, LONDON, kinds=["prospect", "other"], now=NOW)) == [
        "Olga Other", "Pete Prospect"]
    assert len(calls.candidates(db, LONDON, kinds=None, now=NOW)) == 3


@pytest.mark.parametrize("kinds", [["friend"], [], "customers"])
def test_candidates_unknown_kind_raises(db, kinds):
    with pytest.raises(ValidationError) as caught:
        calls.candidates(db, LONDON, kinds=kinds, now=NOW)
    assert caught.value.field == "kinds"


def test_candidates_only_active_people(db):
    person(db, "Ava Active", "Europe/Berlin", PHONES["DE"])
    gone = person(db, "Lou Letgo", "Europe/Berlin", PHONES["DE"])
    no = person(db, "Dee Declined", "Europe/Berlin", PHONES["DE"])
    followups.let_go(db, gone, now=MET)
    followups.declined(db, no, now=MET)
    assert names(calls.candidates(db, LONDON, now=NOW)) == ["Ava Active"]


def test_candidates_due_only_counts_today_in_the_users_zone(db):
    tokyo = {**LONDON, "timezone": "Asia/Tokyo"}
    late = datetime(2026, 1, 14, 20, 0, tzinfo=timezone.utc)  # already 15 January in Tokyo
    due_today = person(db, "Dana Due", "Asia/Tokyo", PHONES["JP"])
    due_tomorrow = person(db, "Tim Tomorrow", "Asia/Tokyo", PHONES["JP"])
    talked = person(db, "Kim Kept", "Asia/Tokyo", PHONES["JP"])
    db.execute("UPDATE followups SET due_on = '2026-01-15' WHERE person_id = ?", [due_today])
    db.execute("UPDATE followups SET due_on = '2026-01-16' WHERE person_id = ?", [due_tomorrow])
    followups.log_dialog(db, talked, "coffee", LONDON, now=MET)  # next touch a month away
    assert names(calls.candidates(db, tokyo, due_only=True, now=late)) == ["Dana Due"]
    assert names(calls.candidates(db, LONDON, due_only=True, now=late)) == []  # 14 Jan in London
    everyone = calls.candidates(db, tokyo, now=late)
    assert len(everyone) == 3
    assert {p["name"]: p["due_on"] for p in everyone}["Dana Due"] == "2026-01-15"


# --- sessions and recording calls ----------------------------------------------------------

def test_start_stores_the_audience_and_end_closes_once(db):
    session_id = calls.start(db, {"kinds": ["customer"], "due_only": True}, now=NOW)
    found = calls.call_session(db, session_id)
    assert found["audience"] == {"kinds": ["customer"], "due_only": True}
    assert found["started_at"] == "2026-01-14T13:30:00Z" and found["ended_at"] is None
    assert calls.current(db) == session_id
    calls.end(db, session_id, now=NOW + timedelta(hours=1))
    calls.end(db, session_id, now=NOW + timedelta(hours=2))
    assert calls.call_session(db, session_id)["ended_at"] == "2026-01-14T14:30:00Z"
    assert calls.current(db) is None


def test_start_any_kind_and_bad_audience(db):
    session_id = calls.start(db, {"kinds": None}, now=NOW)
    assert json.loads(db.execute("SELECT audience FROM call_sessions WHERE id = ?",
                                 [session_id]).fetchone()[0]) == {"kinds": None,
                                                                  "due_only": False}
    with pytest.raises(ValidationError):
        calls.start(db, {"kinds": ["friends"]}, now=NOW)
    assert db.execute("SELECT count(*) FROM call_sessions").fetchone()[0] == 1


@pytest.mark.parametrize("outcome, touch, followup", [
    ("no_answer", ("attempt", "call", "no_answer"), ("2026-01-16", "ladder", 2)),
    ("voicemail", ("attempt", "voicemail", "voicemail"), ("2026-01-16", "ladder", 2)),
    ("busy", ("attempt", "call", "busy"), ("2026-01-16", "ladder", 2)),
    ("talked", ("dialog", "call", "talked"), ("2026-02-13", "keep_in_touch", 1)),
])
def test_record_logs_the_touch_and_moves_the_followup(db, outcome, touch, followup):
    person_id = person(db, "Ben Sato", "Europe/Berlin", PHONES["DE"])
    assert open_followup(db, person_id) == ("2026-01-14", "ladder", 1)
    session_id = calls.start(db, {"kinds": ["customer"]}, now=NOW)
    done = calls.record(db, session_id, person_id, outcome, LONDON, note="Call Thu",
                        now=NOW)
    assert touches(db) == [(person_id, *touch, 0, "Call Thu", session_id)]
    assert open_followup(db, person_id) == followup
    assert done.next_due == date.fromisoformat(followup[0])
    assert done.touch_id and "Ben Sato" in done.message
    assert calls.call_session(db, session_id)["called"] == [person_id]


def test_record_talked_keeps_minutes_and_note(db):
    person_id = person(db, "Ben Sato", "Europe/Berlin", PHONES["DE"])
    session_id = calls.start(db, {"kinds": ["customer"]}, now=NOW)
    done = calls.record(db, session_id, person_id, "talked", LONDON, minutes=25,
                        note="  Fleet manager, 3 years;\n\n\n\nwas at Orbital  ", now=NOW)
    assert touches(db) == [(person_id, "dialog", "call", "talked", 25,
                            "Fleet manager, 3 years;\n\nwas at Orbital", session_id)]
    assert done.message == "Talked with Ben Sato for 25 min."


def test_record_second_attempt_climbs_the_ladder(db):
    person_id = person(db, "Ben Sato", "Europe/Berlin", PHONES["DE"])
    first = calls.start(db, {"kinds": ["customer"]}, now=NOW)
    calls.record(db, first, person_id, "no_answer", LONDON, now=NOW)
    later = NOW + timedelta(days=2)
    second = calls.start(db, {"kinds": ["customer"]}, now=later)
    calls.record(db, second, person_id, "voicemail", LONDON, now=later)
    assert open_followup(db, person_id) == ("2026-01-20", "ladder", 3)  # gap 4 after rung 2


@pytest.mark.parametrize("outcome", ["declined", "", None, "Talked"])
def test_record_unknown_outcome_raises_and_writes_nothing(db, outcome):
    person_id = person(db, "Ben Sato", "Europe/Berlin", PHONES["DE"])
    session_id = calls.start(db, {"kinds": ["customer"]}, now=NOW)
    with pytest.raises(ValidationError) as caught:
        calls.record(db, session_id, person_id, outcome, LONDON, now=NOW)
    assert caught.value.field == "outcome"
    assert touches(db) == []


def test_record_in_an_ended_session_raises_and_writes_nothing(db):
    person_id = person(db, "Ben Sato", "Europe/Berlin", PHONES["DE"])
    session_id = calls.start(db, {"kinds": ["customer"]}, now=NOW)
    calls.end(db, session_id, now=NOW)
    with pytest.raises(FieldkitError, match="ended"):
        calls.record(db, session_id, person_id, "talked", LONDON, now=NOW)
    assert touches(db) == []
    assert open_followup(db, person_id) == ("2026-01-14", "ladder", 1)


@pytest.mark.parametrize("minutes", [-1, 1441, 2.5, "ten"])
def test_record_bad_minutes_raises_and_writes_nothing(db, minutes):
    person_id = person(db, "Ben Sato", "Europe/Berlin", PHONES["DE"])
    session_id = calls.start(db, {"kinds": ["customer"]}, now=NOW)
    with pytest.raises(ValidationError):
        calls.record(db, session_id, person_id, "talked", LONDON, minutes=minutes, now=NOW)
    assert touches(db) == []
    assert open_followup(db, person_id) == ("2026-01-14", "ladder", 1)


def test_record_unknown_session_or_person_raises(db):
    person_id = person(db, "Ben Sato", "Europe/Berlin", PHONES["DE"])
    session_id = calls.start(db, {"kinds": ["customer"]}, now=NOW)
    with pytest.raises(FieldkitError):
        calls.record(db, 999, person_id, "no_answer", LONDON, now=NOW)
    with pytest.raises(FieldkitError):
        calls.record(db, session_id, 999, "no_answer", LONDON, now=NOW)
    assert touches(db) == []


def test_undo_last_takes_back_the_latest_call(db):
    ben = person(db, "Ben Sato", "Europe/Berlin", PHONES["DE"])
    session_id = calls.start(db, {"kinds": ["customer"]}, now=NOW)
    calls.record(db, session_id, ben, "talked", LONDON, minutes=5, now=NOW)
    assert calls.undo_last(db, session_id, now=NOW) == "Ben Sato"
    assert open_followup(db, ben) == ("2026-01-14", "ladder", 1)
    assert calls.call_session(db, session_id)["called"] == []
    with pytest.raises(followups.ActionError):
        calls.undo_last(db, session_id, now=NOW)


# --- funnel --------------------------------------------------------------------------------

def test_funnel_counts_rates_and_benchmark(db, world):
    session_id = calls.start(db, {"kinds": ["customer"]}, now=NOW)
    log = [("Kenji", "no_answer"), ("Anna", "voicemail"), ("Ben", "busy"), ("Lena", "talked"),
           ("Nora", "no_answer")]
    for name, outcome in log:
        calls.record(db, session_id, world[name], outcome, LONDON, minutes=12, now=NOW)
    calls.record(db, session_id, world["Zed"], "talked", LONDON, now=NOW)
    calls.undo_last(db, session_id, now=NOW)  # a mistaken tap does not count
    followups.log_dialog(db, world["Ben"], "call", LONDON, now=NOW)  # outside any session
    result = calls.funnel(db, session_id)
    assert result == {
        "dialed": 5, "no_answer": 2, "voicemail": 1, "busy": 1, "picked_up": 2, "talked": 1,
        "minutes": 12, "people": 5, "picked_up_rate": 0.4, "talked_rate": 0.2,
        "benchmark": {"picked_up": 0.5, "talked": 0.15},
    }
    assert calls.BENCHMARK == {"picked_up": 0.5, "talked": 0.15}


def test_funnel_over_a_period_spans_sessions(db, world):
    earlier = NOW - timedelta(days=10)
    old = calls.start(db, {"kinds": ["customer"]}, now=earlier)
    calls.record(db, old, world["Ben"], "talked", LONDON, now=earlier)
    first = calls.start(db, {"kinds": ["customer"]}, now=NOW)
    calls.record(db, first, world["Kenji"], "no_answer", LONDON, now=NOW)
    second = calls.start(db, {"kinds": ["customer"]}, now=NOW)
    calls.record(db, second, world["Anna"], "busy", LONDON, now=NOW)
    recent = calls.funnel(db, since=NOW - timedelta(days=1))
    assert (recent["dialed"], recent["picked_up"], recent["talked"]) == (2, 1, 0)
    assert calls.funnel(db, since=TODAY, tz="Europe/London")["dialed"] == 2
    everything = calls.funnel(db)
    assert (everything["dialed"], everything["picked_up"], everything["talked"]) == (3, 2, 1)
    assert calls.funnel(db, old)["dialed"] == 1


def test_funnel_of_an_empty_session_has_no_rates(db):
    session_id = calls.start(db, {"kinds": ["customer"]}, now=NOW)
    result = calls.funnel(db, session_id)
    assert result["dialed"] == 0
    assert result["picked_up_rate"] is None and result["talked_rate"] is None
    assert calls.funnel_sentence(result) == "No calls logged yet."


def test_funnel_sentence_sets_rates_next_to_the_essay():
    result = {"dialed": 3, "picked_up": 1, "talked": 1, "picked_up_rate": 1 / 3,
              "talked_rate": 1 / 3}
    assert calls.funnel_sentence(result) == (
        "3 calls: 1 picked up (33%; about half usually do) and 1 became a real "
        "conversation (33% of all dialed; about 15% is typical).")
    assert calls.percent(None) == "–"


def test_interview_prompt_has_the_essays_questions_and_reminders():
    text = calls.INTERVIEW.lower()
    for words in ("job title", "how long", "before", "why do you use", "how do you use",
                  "listen", "don't defend", "don't pitch the roadmap"):
        assert words in text


def _candidate(person_id, *, phone=True, callable_now=True):
    return {"id": person_id, "phone": "+4930123456" if phone else None,
            "callable_now": callable_now}


@pytest.mark.parametrize("outside_hours, called, skipped, shown, hidden, to_dial", [
    (False, (), (), [1, 2, 4], 1, [1, 4]),
    (True, (), (), [1, 2, 3, 4], 0, [1, 3, 4]),
    (True, (1,), (4,), [1, 2, 3, 4], 0, [3]),
    (False, (1, 4), (), [1, 2, 4], 1, []),
])
def test_call_list_shows_callable_people_and_dials_those_with_a_phone_not_yet_done(
        outside_hours, called, skipped, shown, hidden, to_dial):
    candidates = [_candidate(1), _candidate(2, phone=False),
                  _candidate(3, callable_now=False), _candidate(4)]
    listed = calls.call_list(candidates, outside_hours=outside_hours, called=called,
                             skipped=skipped)
    assert [p["id"] for p in listed.shown] == shown
    assert listed.hidden == hidden
    assert [p["id"] for p in listed.to_dial] == to_dial

"""fieldkit.triage: what is due, in which order, and the triage days cleared."""

from datetime import datetime, timedelta

import pytest

from fieldkit import calls, cards, config, debriefs, events, followups, triage
from fieldkit.errors import ValidationError
from tests.factory import SETTINGS, UTC, at, d, save_card, triage_days


def names(rows: list[dict]) -> list[str]:
    return [row["name"] for row in rows]


def crowd(db) -> None:
    """People met at different times; the first follow-up is due the day after."""
    save_card(db, "Zoe Adams", at=at("2026-03-01"))                 # due 03-02
    save_card(db, "Bob Chen", at=at("2026-03-05"), important=True)  # due 03-06
    save_card(db, "Amy Diaz", at=at("2026-03-05"))                  # due 03-06
    save_card(db, "Carl Eng", at=at("2026-03-05"), important=True)  # due 03-06
    save_card(db, "Dan Fox", at=at("2026-03-19"))                   # due 03-20
    save_card(db, "Eve Gray", at=at("2026-03-20"))                  # due 03-21
    finn = save_card(db, "Finn Hale", at=at("2026-03-01"))
    followups.let_go(db, finn, now=at("2026-03-02"))
    gus = save_card(db, "Gus Ives", at=at("2026-03-01"))
    followups.declined(db, gus, now=at("2026-03-02"))
    hal = save_card(db, "Hal Jones", at=at("2026-03-01"))           # due 03-02, but merged away
    db.execute("UPDATE people SET status = 'merged' WHERE id = ?", [hal])


# triage.due


@pytest.mark.parametrize(
    "today, expected",
    [
        ("2026-03-01", []),
        ("2026-03-02", [("Zoe Adams", 0)]),
        ("2026-03-06", [("Zoe Adams", 4), ("Bob Chen", 0), ("Carl Eng", 0), ("Amy Diaz", 0)]),
        ("2026-03-20", [("Zoe Adams", 18), ("Bob Chen", 14), ("Carl Eng", 14),
                        ("Amy Diaz", 14), ("Dan Fox", 0)]),
        ("2026-04-01", [("Zoe Adams", 30), ("Bob Chen", 26), ("Carl Eng", 26),
                        ("Amy Diaz", 26), ("Dan Fox", 12), ("Eve Gray", 11)]),
    ],
)
def test_due_lists_active_people_most_overdue_then_important_then_name(db, today, expected):
    crowd(db)
    rows = triage.due(db, d(today), ladder_gaps=SETTINGS["ladder_gaps"])
    assert [(row["name"], row["days_overdue"]) for row in rows] == expected


@pytest.mark.parametrize(
    "limit, offset, expected",
    [
        (2, 0, ["Zoe Adams", "Bob Chen"]),
        (2, 2, ["Carl Eng", "Amy Diaz"]),
        (2, 4, ["Dan Fox"]),
        (2, 5, []),
        (3, 1, ["Bob Chen", "Carl Eng", "Amy Diaz"]),
        (20, 0, ["Zoe Adams", "Bob Chen", "Carl Eng", "Amy Diaz", "Dan Fox"]),
    ],
)
def test_due_pages_with_limit_and_offset(db, limit, offset, expected):
    crowd(db)
    rows = triage.due(db, d("2026-03-20"), ladder_gaps=SETTINGS["ladder_gaps"], limit=limit, offset=offset)
    assert names(rows) == expected


@pytest.mark.parametrize(
    "skip, limit, expected",
    [
        ([], 3, ["Zoe Adams", "Bob Chen", "Carl Eng"]),
        (["Zoe Adams"], 3, ["Bob Chen", "Carl Eng", "Amy Diaz"]),
        (["Bob Chen", "Amy Diaz"], 20, ["Zoe Adams", "Carl Eng", "Dan Fox"]),
        (["Zoe Adams", "Bob Chen", "Carl Eng", "Amy Diaz", "Dan Fox"], 20, []),
    ],
)
def test_due_leaves_out_the_skipped(db, skip, limit, expected):
    crowd(db)
    today = d("2026-03-20")
    ids = {row["name"]: row["followup_id"]
           for row in triage.due(db, today, ladder_gaps=SETTINGS["ladder_gaps"])}
    rows = triage.due(db, today, ladder_gaps=SETTINGS["ladder_gaps"], limit=limit,
                     exclude=[ids[name] for name in skip] + [987654])  # unknown ids: ignored
    assert names(rows) == expected


@pytest.mark.parametrize(
    "today, due, overdue",
    [
        ("2026-03-01", 0, 0),
        ("2026-03-02", 1, 0),
        ("2026-03-06", 4, 1),
        ("2026-03-20", 5, 4),
        ("2026-04-01", 6, 6),
    ],
)
def test_due_counts_agree_with_due(db, today, due, overdue):
    crowd(db)
    rows = triage.due(db, d(today), ladder_gaps=SETTINGS["ladder_gaps"], limit=100)
    assert triage.due_counts(db, d(today)) == {"due": due, "overdue": overdue}
    assert len(rows) == due
    assert sum(row["days_overdue"] > 0 for row in rows) == overdue


def test_due_counts_empty_database(db):
    assert triage.due_counts(db, d("2026-03-20")) == {"due": 0, "overdue": 0}
    assert triage.due(db, d("2026-03-20"), ladder_gaps=SETTINGS["ladder_gaps"]) == []


def test_due_leaves_out_closed_followups(db):
    ada = save_card(db, "Ada Lovelace", at=at("2026-03-01"))
    followups.log_attempt(db, ada, "email", SETTINGS, now=at("2026-03-02"))  # due 03-04
    rows = triage.due(db, d("2026-03-03"), ladder_gaps=SETTINGS["ladder_gaps"])
    assert rows == []
    assert [r["due_on"] for r in triage.due(db, d("2026-03-04"), ladder_gaps=SETTINGS["ladder_gaps"])] == [
        "2026-03-04"]


def test_due_row_carries_what_the_card_and_messages_need(db):
    event = events.create(db, {
        "name": "Hannover Messe", "kind": "trade_show", "tz": "Europe/Berlin",
        "starts": datetime(2026, 3, 9, 9, 0), "ends": datetime(2026, 3, 13, 18, 0),
    }, now=at("2026-03-01"))
    ada = save_card(db, "Ada Lovelace", at=at("2026-03-10"), event_id=event, kind="prospect",
                    company="Analytical Engines", title="CTO", email="ada@example.com",
                    phone="+49 151 12345678", linkedin_url="linkedin.com/in/ada", important=True)
    (followup_id,) = db.execute("SELECT id FROM followups WHERE person_id = ?",
                                [ada]).fetchone()
    (row,) = triage.due(db, d("2026-03-14"), ladder_gaps=SETTINGS["ladder_gaps"])
    assert row == {
        "followup_id": followup_id, "due_on": "2026-03-11", "reason": "ladder", "rung": 1,
        "followup_note": None, "person_id": ada, "name": "Ada Lovelace",
        "company": "Analytical Engines", "title": "CTO", "kind": "prospect", "important": 1,
        "email": "ada@example.com", "phone": "+4915112345678",
        "linkedin_url": "https://www.linkedin.com/in/ada", "met_at": "2026-03-10T10:00:00Z",
        "event": "Hannover Messe", "days_overdue": 3, "exhausted": False, "met_today": False,
    }


def test_due_shows_next_step_with_its_note(db):
    ada = save_card(db, "Ada Lovelace", at=at("2026-03-01"))
    step = debriefs.clean(next_step="Send the pricing sheet", next_step_on=d("2026-03-15"),
                          today=d("2026-03-10"))
    followups.log_dialog(db, ada, "coffee", SETTINGS, now=at("2026-03-10"), debrief=step)
    save_card(db, "Bob Chen", at=at("2026-03-19"))  # due 03-20
    rows = triage.due(db, d("2026-03-20"), ladder_gaps=SETTINGS["ladder_gaps"])
    assert [(r["name"], r["reason"], r["rung"], r["followup_note"], r["days_overdue"],
             r["exhausted"]) for r in rows] == [
        ("Ada Lovelace", "next_step", None, "Send the pricing sheet", 5, False),
        ("Bob Chen", "ladder", 1, None, 0, False),
    ]
    # Ada's keep-in-touch is 03-10 + 90 = 06-08: not due yet.
    assert triage.due_counts(db, d("2026-03-20")) == {"due": 2, "overdue": 1}


# Attempts made on the day each falls due after a card met on 2026-03-01.
ON_TIME = ["2026-03-02", "2026-03-04", "2026-03-08", "2026-03-15", "2026-03-29", "2026-04-28"]


@pytest.mark.parametrize(
    "attempts, due_on, rung, exhausted",
    [
        (0, "2026-03-02", 1, False),
        (1, "2026-03-04", 2, False),
        (2, "2026-03-08", 3, False),
        (3, "2026-03-15", 4, False),
        (4, "2026-03-29", 5, False),
        # The 30-day gap, the ladder's last rung: one more attempt is still due.
        (5, "2026-04-28", 6, False),
        # The sixth attempt went unanswered: every rung climbed, suggest letting go.
        (6, "2026-05-28", 7, True),
    ],
)
def test_due_marks_exhausted_only_past_the_last_rung(db, attempts, due_on, rung, exhausted):
    ada = save_card(db, "Ada Lovelace", at=at("2026-03-01"))
    for day in ON_TIME[:attempts]:
        followups.log_attempt(db, ada, "email", SETTINGS, now=at(day))
    (row,) = triage.due(db, d("2026-12-31"), ladder_gaps=SETTINGS["ladder_gaps"])
    assert (row["due_on"], row["rung"], row["exhausted"]) == (due_on, rung, exhausted)


@pytest.mark.parametrize(
    "attempts, rung, exhausted",
    [
        (0, 1, False),
        (1, 2, False),  # the one gap (3 days) climbed: its attempt is still due
        (2, 3, True),
    ],
)
def test_due_exhausted_with_a_one_rung_ladder(db, attempts, rung, exhausted):
    settings = {**SETTINGS, "ladder_gaps": [3]}
    ada = save_card(db, "Ada Lovelace", at=at("2026-03-01"), settings=settings)
    for day in ["2026-03-02", "2026-03-05"][:attempts]:
        followups.log_attempt(db, ada, "email", settings, now=at(day))
    (row,) = triage.due(db, d("2026-12-31"), ladder_gaps=settings["ladder_gaps"])
    assert (row["rung"], row["exhausted"]) == (rung, exhausted)


def test_due_keep_in_touch_is_never_exhausted(db):
    ada = save_card(db, "Ada Lovelace", at=at("2026-03-01"), kind="prospect")
    for day in ON_TIME:
        followups.log_attempt(db, ada, "email", SETTINGS, now=at(day))
    followups.log_dialog(db, ada, "call", SETTINGS, now=at("2026-05-01"))  # due 05-15
    (row,) = triage.due(db, d("2026-12-31"), ladder_gaps=SETTINGS["ladder_gaps"])
    assert (row["due_on"], row["reason"], row["exhausted"]) == (
        "2026-05-15", "keep_in_touch", False)


def test_due_reopened_person_is_listed_again(db):
    ada = save_card(db, "Ada Lovelace", at=at("2026-03-01"))
    followups.let_go(db, ada, now=at("2026-03-02"))
    assert triage.due(db, d("2026-03-10"), ladder_gaps=SETTINGS["ladder_gaps"]) == []
    followups.reopen(db, ada, SETTINGS, now=at("2026-03-10"))
    assert [(r["name"], r["due_on"]) for r in triage.due(db, d("2026-03-10"),
                                                        ladder_gaps=SETTINGS["ladder_gaps"])] == [
        ("Ada Lovelace", "2026-03-10")]


# triage.queue_state: a pure read


def test_queue_state_nobody_met_yet_is_a_newcomer(db):
    assert triage.queue_state(db, d("2026-03-11")) == triage.QueueState(triage.NEWCOMER, 0, 0, False)


def test_queue_state_only_merged_people_is_a_newcomer(db):
    ada = save_card(db, "Ada Lovelace", at=at("2026-03-01"))
    db.execute("UPDATE people SET status = 'merged' WHERE id = ?", [ada])
    assert triage.queue_state(db, d("2026-03-11")).state == triage.NEWCOMER


@pytest.mark.parametrize(
    "today, expected",
    [
        ("2026-03-01", triage.QueueState(triage.CLEARED, 0, 0, False)),
        ("2026-03-02", triage.QueueState(triage.DUE, 1, 0, False)),
        ("2026-03-06", triage.QueueState(triage.DUE, 4, 1, False)),
    ],
)
def test_queue_state_cleared_or_due_with_the_counts(db, today, expected):
    crowd(db)
    assert triage.queue_state(db, d(today)) == expected


def test_queue_state_says_whether_today_counts_toward_the_triage_streak(db):
    ada = due_today(db, "Ada Lovelace")
    assert triage.queue_state(db, d(TODAY)).triage_day is False
    followups.log_attempt(db, ada, "email", SETTINGS, now=at(TODAY, 20))
    state = triage.queue_state(db, d(TODAY))
    assert (state.state, state.triage_day) == (triage.CLEARED, True)
    assert triage.queue_state(db, d("2026-03-12")).triage_day is False


def test_queue_state_writes_nothing(db):
    save_card(db, "Ada Lovelace", at=at("2026-03-10"))  # due 03-11
    before = db.conn.total_changes
    for day in ("2026-03-10", "2026-03-11"):
        triage.queue_state(db, d(day))
    assert db.conn.total_changes == before
    assert triage_days(db) == []


# triage.record_if_cleared: the writes that clear the queue record the day

TODAY = "2026-03-11"


def due_today(db, name: str) -> int:
    """Someone met yesterday: their first follow-up is due today."""
    return save_card(db, name, at=at("2026-03-10"))


def reopened_today(db, name: str) -> int:
    """Someone let go long ago and followed up again this morning: due today."""
    person = save_card(db, name, at=at("2026-02-01"))
    followups.let_go(db, person, now=at("2026-02-01", 11))
    followups.reopen(db, person, SETTINGS, now=at(TODAY, 8))
    return person


def called(outcome: str):
    def act(db, person, now):
        session = calls.start(db, {"kinds": None}, now=now)
        calls.record(db, session, person, outcome, SETTINGS, now=now)
    return act


# Every write that can take a due follow-up off today's queue: how to have
# one due today, and the write.
WRITES = {
    "log_attempt": (due_today, lambda db, p, now: followups.log_attempt(
        db, p, "email", SETTINGS, now=now)),
    "log_dialog": (due_today, lambda db, p, now: followups.log_dialog(
        db, p, "coffee", SETTINGS, now=now)),
    "snooze": (due_today, lambda db, p, now: followups.snooze(
        db, p, d("2026-03-20"), now=now)),
    "let_go": (due_today, lambda db, p, now: followups.let_go(db, p, now=now)),
    "declined": (due_today, lambda db, p, now: followups.declined(db, p, now=now)),
    "call_no_answer": (due_today, called("no_answer")),
    "call_talked": (due_today, called("talked")),
    "undo_reopen": (reopened_today, lambda db, p, now: followups.undo(db, p, now=now)),
}


@pytest.mark.parametrize(
    "write, due_count",
    [("log_attempt", 1), ("log_dialog", 1), ("snooze", 1), ("let_go", 1), ("declined", 1),
     ("call_no_answer", 1), ("call_talked", 1),
     ("undo_reopen", 0)],  # the reopen is undone, so it is no action taken
)
def test_write_taking_the_last_due_followup_off_records_the_day(db, write, due_count):
    setup, act = WRITES[write]
    person = setup(db, "Ada Lovelace")
    assert triage.queue_state(db, d(TODAY)).state == triage.DUE
    act(db, person, at(TODAY, 20))
    assert triage.queue_state(db, d(TODAY)).state == triage.CLEARED
    assert triage_days(db) == [(TODAY, f"{TODAY}T20:00:00Z", due_count)]


@pytest.mark.parametrize("write", list(WRITES))
def test_write_leaving_someone_due_records_nothing(db, write):
    setup, act = WRITES[write]
    due_today(db, "Bob Chen")
    person = setup(db, "Ada Lovelace")
    act(db, person, at(TODAY, 20))
    assert triage.queue_state(db, d(TODAY)) == triage.QueueState(triage.DUE, 1, 0, False)
    assert triage_days(db) == []


@pytest.mark.parametrize("write", [w for w in WRITES if w != "undo_reopen"])
def test_write_when_nothing_was_due_records_nothing(db, write):
    # Nothing was cleared: the queue was clear before (no triage day by looking either).
    _, act = WRITES[write]
    person = save_card(db, "Ada Lovelace", at=at(TODAY))  # due tomorrow
    act(db, person, at(TODAY, 20))
    assert triage_days(db) == []


def test_failed_write_records_nothing(db):
    person = due_today(db, "Ada Lovelace")
    with pytest.raises(ValidationError):
        followups.log_attempt(db, person, "email", SETTINGS, now=at(TODAY, 20), minutes=-5)
    assert triage_days(db) == []


def test_undo_keeps_the_day_and_a_second_clear_keeps_the_first(db):
    person = due_today(db, "Ada Lovelace")
    followups.log_attempt(db, person, "email", SETTINGS, now=at(TODAY, 20))
    followups.undo(db, person, now=at(TODAY, 20, 5))
    assert triage.queue_state(db, d(TODAY)).state == triage.DUE
    assert triage_days(db) == [(TODAY, f"{TODAY}T20:00:00Z", 1)]
    followups.snooze(db, person, d("2026-03-14"), now=at(TODAY, 21))
    assert triage_days(db) == [(TODAY, f"{TODAY}T20:00:00Z", 1)]


def test_each_day_cleared_is_recorded_with_its_actions(db):
    cleo = save_card(db, "Cleo Park", at=at("2026-03-09"))  # due 03-10
    followups.log_attempt(db, cleo, "email", SETTINGS, now=at("2026-03-10"))  # due 03-12
    ada = due_today(db, "Ada Lovelace")
    bob = due_today(db, "Bob Chen")
    followups.log_attempt(db, ada, "email", SETTINGS, now=at(TODAY, 9))
    followups.log_attempt(db, bob, "call", SETTINGS, now=at(TODAY, 9, 5))
    assert triage_days(db) == [("2026-03-10", "2026-03-10T10:00:00Z", 1),
                               (TODAY, f"{TODAY}T09:05:00Z", 2)]


def let_go_and_reopen(db, person, settings):
    """Let go before it was due, followed up again at 08:00 on 03-11 in Tokyo: due then."""
    followups.let_go(db, person, now=at("2026-03-09", 21))
    followups.reopen(db, person, settings, now=at("2026-03-10", 23))


@pytest.mark.parametrize(
    "prepare, write",
    [
        (None, lambda db, p, settings, now: followups.log_attempt(
            db, p, "email", settings, now=now)),
        (None, lambda db, p, settings, now: followups.let_go(db, p, now=now)),
        (None, lambda db, p, settings, now: followups.snooze(db, p, d("2026-03-20"), now=now)),
        (let_go_and_reopen, lambda db, p, settings, now: followups.undo(db, p, now=now)),
    ],
    ids=["log_attempt", "let_go", "snooze", "undo"],
)
def test_the_day_is_the_users_in_their_time_zone(db, prepare, write):
    # Writes given settings count in theirs; the others read the stored setting.
    settings = config.save(db, {"timezone": "Asia/Tokyo"})
    # Met at 05:00 on 03-10 in Tokyo (20:00 on 03-09 UTC): due 03-11 there.
    person = save_card(db, "Ada Lovelace", at=at("2026-03-09", 20), settings=settings)
    if prepare:
        prepare(db, person, settings)
    # 23:30 on 03-10 UTC is 08:30 on 03-11 in Tokyo.
    write(db, person, settings, at("2026-03-10", 23, 30))
    assert [day for day, _, _ in triage_days(db)] == ["2026-03-11"]


# triage.met_today: the evening's "good to meet you" list


def met_again(db, person_id, when):
    """A known person met again (the capture form's "Add to ...")."""
    card = cards.clean({"name": "again"}, phone_region="US")
    cards.add_meeting(db, person_id, card, settings=SETTINGS, now=when)


def met_today_names(db, today="2026-03-10", tz="UTC"):
    return names(triage.met_today(db, d(today), tz))


def setup_met_today(db, case):
    """Ada is met as ``case`` says; Zoe, met today and left alone, is always listed."""
    save_card(db, "Zoe Adams", at=at("2026-03-10", 9))
    if case == "met today":
        save_card(db, "Ada Lovelace", at=at("2026-03-10", 11))
    elif case == "met yesterday":
        save_card(db, "Ada Lovelace", at=at("2026-03-09", 11))
    elif case in ("then an attempt", "then a dialog", "then let go", "attempt undone"):
        ada = save_card(db, "Ada Lovelace", at=at("2026-03-10", 11))
        if case == "then let go":
            followups.let_go(db, ada, now=at("2026-03-10", 19))
        elif case == "then a dialog":
            followups.log_dialog(db, ada, "email", SETTINGS, now=at("2026-03-10", 19))
        else:
            followups.log_attempt(db, ada, "email", SETTINGS, now=at("2026-03-10", 19))
            if case == "attempt undone":
                followups.undo(db, ada, now=at("2026-03-10", 20))
    elif case == "due and met again":  # due today on the ladder: on the due list only
        ada = save_card(db, "Ada Lovelace", at=at("2026-03-09", 11))
        met_again(db, ada, at("2026-03-10", 11))
    elif case == "known and met again":  # keep in touch far off: a note tonight
        ada = save_card(db, "Ada Lovelace", at=at("2026-01-05", 11))
        followups.log_dialog(db, ada, "coffee", SETTINGS, now=at("2026-03-01", 11))
        met_again(db, ada, at("2026-03-10", 11))
    elif case == "merged":
        ada = save_card(db, "Ada Lovelace", at=at("2026-03-10", 11))
        db.execute("UPDATE people SET status = 'merged' WHERE id = ?", [ada])


@pytest.mark.parametrize(
    "case, listed",
    [
        ("met today", ["Zoe Adams", "Ada Lovelace"]),
        ("met yesterday", ["Zoe Adams"]),
        ("then an attempt", ["Zoe Adams"]),
        ("then a dialog", ["Zoe Adams"]),
        ("then let go", ["Zoe Adams"]),
        ("attempt undone", ["Zoe Adams", "Ada Lovelace"]),
        ("due and met again", ["Zoe Adams"]),
        ("known and met again", ["Zoe Adams", "Ada Lovelace"]),
        ("merged", ["Zoe Adams"]),
    ],
)
def test_met_today_lists_who_was_met_today_and_not_followed_up(db, case, listed):
    setup_met_today(db, case)
    assert met_today_names(db) == listed
    assert triage.met_today_count(db, d("2026-03-10"), "UTC") == len(listed)


@pytest.mark.parametrize("case", ["met today", "due and met again", "known and met again",
                                  "attempt undone"])
def test_met_today_and_due_never_share_a_person(db, case):
    setup_met_today(db, case)
    due = {row["person_id"] for row in triage.due(db, d("2026-03-10"),
                                                  ladder_gaps=SETTINGS["ladder_gaps"])}
    met = {row["person_id"] for row in triage.met_today(db, d("2026-03-10"), "UTC")}
    assert met and not due & met


@pytest.mark.parametrize(
    "met_utc, tz, today, listed",
    [
        ("2026-03-10T23:30:00", "UTC", "2026-03-10", True),
        ("2026-03-10T23:30:00", "Asia/Tokyo", "2026-03-10", False),  # 08:30 on the 11th
        ("2026-03-10T23:30:00", "Asia/Tokyo", "2026-03-11", True),
        ("2026-03-11T03:00:00", "America/New_York", "2026-03-10", True),  # 23:00 on the 10th
        ("2026-03-11T03:00:00", "America/New_York", "2026-03-11", False),
    ],
)
def test_met_today_counts_the_day_in_the_users_time_zone(db, met_utc, tz, today, listed):
    when = datetime.fromisoformat(met_utc).replace(tzinfo=UTC)
    save_card(db, "Ada Lovelace", at=when, settings={**SETTINGS, "timezone": tz})
    assert met_today_names(db, today, tz) == (["Ada Lovelace"] if listed else [])


def test_met_today_row_has_the_shape_of_a_due_row_with_todays_meeting(db):
    event = events.create(db, {
        "name": "Hannover Messe", "kind": "trade_show", "tz": "UTC",
        "starts": datetime(2026, 3, 9, 9, 0), "ends": datetime(2026, 3, 13, 18, 0),
    }, now=at("2026-03-01"))
    ada = save_card(db, "Ada Lovelace", at=at("2026-03-10", 11), event_id=event,
                    company="Analytical Engines", email="ada@example.com")
    (row,) = triage.met_today(db, d("2026-03-10"), "UTC")
    (due_row,) = triage.due(db, d("2026-03-11"), ladder_gaps=SETTINGS["ladder_gaps"])
    assert row.keys() == due_row.keys()
    assert {k: row[k] for k in ("person_id", "due_on", "reason", "rung", "met_at", "event",
                                "exhausted", "met_today")} == {
        "person_id": ada, "due_on": "2026-03-11", "reason": "ladder", "rung": 1,
        "met_at": "2026-03-10T11:00:00Z", "event": "Hannover Messe", "exhausted": False,
        "met_today": True}


def test_met_today_first_met_first_and_leaves_out_the_skipped(db):
    for hour, name in ((15, "Cleo Park"), (9, "Bea Ruiz"), (12, "Abe Stone")):
        save_card(db, name, at=at("2026-03-10", hour))
    rows = triage.met_today(db, d("2026-03-10"), "UTC")
    assert names(rows) == ["Bea Ruiz", "Abe Stone", "Cleo Park"]
    skipped = [rows[0]["followup_id"]]
    assert names(triage.met_today(db, d("2026-03-10"), "UTC", exclude=skipped, limit=1)) == [
        "Abe Stone"]


@pytest.mark.parametrize(
    "action, channel, due_on, reason, rung",
    [
        ("attempt", "email", "2026-03-12", "ladder", 2),  # the ladder climbs from tonight
        ("attempt", "linkedin", "2026-03-12", "ladder", 2),
        ("dialog", "coffee", "2026-04-09", "keep_in_touch", 1),  # a customer: 30 days
    ],
)
def test_a_note_sent_tonight_starts_the_ladder_from_it_and_nothing_is_due_twice(
        db, action, channel, due_on, reason, rung):
    ada = save_card(db, "Ada Lovelace", at=at("2026-03-10", 11), kind="customer")
    (row,) = triage.met_today(db, d("2026-03-10"), "UTC")
    log = followups.log_attempt if action == "attempt" else followups.log_dialog
    log(db, ada, channel, SETTINGS, now=at("2026-03-10", 20), followup_id=row["followup_id"])
    assert db.execute("SELECT due_on, reason, rung FROM followups WHERE person_id = ? "
                      "AND status = 'open'", [ada]).fetchall() == [(due_on, reason, rung)]
    assert triage.met_today(db, d("2026-03-10"), "UTC") == []
    # Due once, on the day the ladder says, and not the day after the meeting.
    days = [d("2026-03-10") + timedelta(days=n) for n in range(40)]
    first_due = [day for day in days if ada in {
        r["person_id"] for r in triage.due(db, day, ladder_gaps=SETTINGS["ladder_gaps"])}]
    assert first_due[0] == d(due_on)

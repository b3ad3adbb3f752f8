"""fieldkit.debriefs: cleaning a debrief, recording it on a dialog, the assumption board."""

from datetime import date, datetime, timezone

import pytest

from fieldkit import debriefs, followups
from fieldkit.debriefs import AssumptionError, Debrief
from fieldkit.errors import FieldkitError, ValidationError
from tests.factory import SETTINGS, at, count, save_card

TODAY = date(2026, 3, 10)
MET = at("2026-03-01")  # when the customers here are met


def counts(db) -> dict[str, int]:
    return {t: count(db, t) for t in ("touches", "followups", "debriefs", "evidence")}


def followup_rows(db) -> list[tuple]:
    return db.execute(
        "SELECT id, person_id, due_on, reason, rung, note, status FROM followups ORDER BY id"
    ).fetchall()


# clean


@pytest.mark.parametrize(
    "fields, field, match",
    [
        ({"validated": [1, 2], "invalidated": [2]}, "invalidated", "both validate"),
        ({"validated": [3], "invalidated": [4, 3, 3]}, "invalidated", "both validate"),
        ({"next_step": "Send the deck"}, "next_step_on", "give it a date"),
        ({"next_step_on": date(2026, 3, 12)}, "next_step", "say what it is"),
        ({"next_step": "   ", "next_step_on": date(2026, 3, 12)}, "next_step",
         "say what it is"),
        ({"next_step": "Send the deck", "next_step_on": date(2026, 3, 9), "today": TODAY},
         "next_step_on", "in the past"),
        ({"next_step": "x" * 301, "next_step_on": date(2026, 3, 12)}, "next_step", "too long"),
        ({"why_not_us": "y" * 2001}, "why_not_us", "too long"),
        ({"why_not_us": 42}, "why_not_us", "expected text"),
        ({"next_step": ["Send"], "next_step_on": date(2026, 3, 12)}, "next_step",
         "expected text"),
    ],
    ids=["overlap", "overlap_with_duplicates", "step_without_date", "date_without_step",
         "blank_step_with_date", "date_in_past", "step_too_long", "why_not_us_too_long",
         "why_not_us_not_text", "step_not_text"],
)
def test_clean_rejects(fields, field, match):
    with pytest.raises(ValidationError, match=match) as caught:
        debriefs.clean(**fields)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "next_step_on",
    ["2026-03-12", datetime(2026, 3, 12, 9, 0, tzinfo=timezone.utc)],
    ids=["text", "datetime"],
)
@pytest.mark.parametrize("today", [TODAY, None], ids=["with_today", "without_today"])
def test_clean_rejects_next_step_on_that_is_not_a_day(next_step_on, today):
    # snooze() refuses these with a ValidationError; a debrief should too rather
    # than fail with TypeError or store "2026-03-12T09:00:00" as a due date.
    with pytest.raises(ValidationError) as caught:
        debriefs.clean(next_step="Call back", next_step_on=next_step_on, today=today)
    assert caught.value.field == "next_step_on"


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({}, Debrief()),
        ({"validated": [2, 1, 2, 1], "invalidated": (5, 5)},
         Debrief(validated=(2, 1), invalidated=(5,))),
        ({"next_step": "  Send   the deck ", "next_step_on": TODAY, "today": TODAY},
         Debrief(next_step="Send the deck", next_step_on=TODAY)),
        ({"next_step": "Call back", "next_step_on": date(2026, 3, 9)},  # no today: no check
         Debrief(next_step="Call back", next_step_on=date(2026, 3, 9))),
        ({"why_not_us": "  Too expensive\n\n\n\nand  slow  "},
         Debrief(why_not_us="Too expensive\n\nand slow")),
        ({"why_not_us": "   ", "next_step": ""}, Debrief()),
    ],
    ids=["empty", "duplicates_removed_in_order", "step_today_trimmed", "no_today_given",
         "why_not_us_multiline", "blanks_are_none"],
)
def test_clean_accepts(fields, expected):
    assert debriefs.clean(**fields) == expected


@pytest.mark.parametrize(
    "debrief, empty",
    [
        (Debrief(), True),
        (Debrief(validated=(1,)), False),
        (Debrief(invalidated=(1,)), False),
        (Debrief(why_not_us="Price"), False),
        (Debrief(next_step="Call", next_step_on=TODAY), False),
    ],
)
def test_debrief_is_empty(debrief, empty):
    assert debrief.is_empty is empty


# record


def test_record_on_dialog_stores_debrief_evidence_and_next_step(db):
    ada = save_card(db, at=MET, kind="customer")
    yes = debriefs.add_assumption(db, "Dispatchers plan routes by hand", now=at("2026-03-01"))
    no = debriefs.add_assumption(db, "Price is the main objection", now=at("2026-03-01"))
    debrief = debriefs.clean(validated=[yes], invalidated=[no], why_not_us="Missing API",
                             next_step="Send the API docs", next_step_on=date(2026, 3, 14),
                             today=TODAY)
    done = followups.log_dialog(db, ada, "coffee", SETTINGS, now=at("2026-03-10"),
                                debrief=debrief)
    step = db.execute(
        "SELECT id, due_on, reason, rung, note, status FROM followups "
        "WHERE person_id = ? AND reason = 'next_step'", [ada]).fetchall()
    assert [s[1:] for s in step] == [("2026-03-14", "next_step", None, "Send the API docs",
                                      "open")]
    assert db.execute("SELECT touch_id, why_not_us, next_step, followup_id FROM debriefs"
                      ).fetchall() == [(done.touch_id, "Missing API", "Send the API docs",
                                        step[0][0])]
    assert db.execute("SELECT assumption_id, touch_id, verdict, created_at FROM evidence "
                      "ORDER BY id").fetchall() == [
        (yes, done.touch_id, "validated", "2026-03-10T10:00:00Z"),
        (no, done.touch_id, "invalidated", "2026-03-10T10:00:00Z"),
    ]
    # The keep-in-touch follow-up is there as well: 03-10 + 30.
    open_main = db.execute(
        "SELECT due_on, reason FROM followups WHERE person_id = ? AND status = 'open' "
        "AND reason != 'next_step'", [ada]).fetchall()
    assert open_main == [("2026-04-09", "keep_in_touch")]


def test_record_directly_on_a_dialog_touch(db):
    ada = save_card(db, at=MET, kind="customer")
    done = followups.log_dialog(db, ada, "call", SETTINGS, now=at("2026-03-10"))
    followup_id = debriefs.record(
        db, done.touch_id, Debrief(next_step="Demo", next_step_on=date(2026, 3, 20)),
        now=at("2026-03-10", 11))
    assert db.execute("SELECT due_on, reason, note, status, created_at FROM followups "
                      "WHERE id = ?", [followup_id]).fetchone() == (
        "2026-03-20", "next_step", "Demo", "open", "2026-03-10T11:00:00Z")


def test_record_without_next_step_returns_none(db):
    ada = save_card(db, at=MET, kind="customer")
    done = followups.log_dialog(db, ada, "call", SETTINGS, now=at("2026-03-10"))
    assert debriefs.record(db, done.touch_id, Debrief(why_not_us="Price"),
                           now=at("2026-03-10")) is None
    assert db.execute("SELECT why_not_us, next_step, followup_id FROM debriefs").fetchall() == [
        ("Price", None, None)]


@pytest.mark.parametrize("touch", ["met", "attempt", "state", "missing"])
def test_record_only_on_dialog_touches(db, touch):
    ada = save_card(db, at=MET, kind="customer")
    if touch == "attempt":
        followups.log_attempt(db, ada, "email", SETTINGS, now=at("2026-03-10"))
    elif touch == "state":
        followups.let_go(db, ada, now=at("2026-03-10"))
    touch_id = 999 if touch == "missing" else db.execute(
        "SELECT max(id) FROM touches").fetchone()[0]
    before = counts(db)
    with pytest.raises(FieldkitError, match="belongs to a dialog"):
        debriefs.record(db, touch_id, Debrief(why_not_us="Price"), now=at("2026-03-10"))
    assert counts(db) == before


@pytest.mark.parametrize("verdict", ["validated", "invalidated"])
def test_record_unknown_assumption_raises(db, verdict):
    ada = save_card(db, at=MET, kind="customer")
    known = debriefs.add_assumption(db, "Dispatchers plan routes by hand")
    done = followups.log_dialog(db, ada, "call", SETTINGS, now=at("2026-03-10"))
    before = counts(db)
    with pytest.raises(ValidationError, match="no longer exists"):
        debriefs.record(db, done.touch_id, Debrief(**{verdict: (known, known + 1)},
                                                    next_step="Demo",
                                                    next_step_on=date(2026, 3, 20)),
                        now=at("2026-03-10"))
    assert counts(db) == before


@pytest.mark.parametrize(
    "debrief",
    [
        Debrief(validated=(999,)),
        Debrief(invalidated=(999,), next_step="Demo", next_step_on=date(2026, 3, 20)),
    ],
    ids=["validated", "invalidated_with_step"],
)
def test_log_dialog_with_invalid_debrief_changes_nothing(db, debrief):
    ada = save_card(db, at=MET, kind="customer")
    followups.log_attempt(db, ada, "email", SETTINGS, now=at("2026-03-02"))
    before = counts(db), followup_rows(db)
    with pytest.raises(ValidationError, match="no longer exists"):
        followups.log_dialog(db, ada, "coffee", SETTINGS, now=at("2026-03-10"),
                             debrief=debrief)
    assert (counts(db), followup_rows(db)) == before
    assert not db.conn.in_transaction


def test_log_dialog_with_empty_debrief_stores_no_debrief(db):
    ada = save_card(db, at=MET, kind="customer")
    followups.log_dialog(db, ada, "coffee", SETTINGS, now=at("2026-03-10"), debrief=Debrief())
    assert count(db, "debriefs") == 0


def test_undo_dialog_removes_its_next_step(db):
    ada = save_card(db, at=MET, kind="customer")
    step = debriefs.clean(next_step="Send the deck", next_step_on=date(2026, 3, 14))
    followups.log_dialog(db, ada, "coffee", SETTINGS, now=at("2026-03-10"), debrief=step)
    followups.undo(db, ada, now=at("2026-03-10", 12))
    assert db.execute("SELECT count(*) FROM followups WHERE reason = 'next_step'"
                      ).fetchone() == (0,)
    assert db.execute("SELECT next_step, followup_id FROM debriefs").fetchall() == [
        ("Send the deck", None)]


# Assumptions


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_add_assumption_rejects_blank(db, text):
    with pytest.raises(ValidationError, match="write what you believe") as caught:
        debriefs.add_assumption(db, text, now=at("2026-03-01"))
    assert caught.value.field == "assumption"
    assert count(db, "assumptions") == 0


def test_add_assumption_rejects_too_long(db):
    with pytest.raises(ValidationError, match="too long") as caught:
        debriefs.add_assumption(db, "a" * 301, now=at("2026-03-01"))
    assert caught.value.field == "assumption"


@pytest.mark.parametrize("again", ["Price is the objection", "  Price  is the\tobjection "])
def test_add_assumption_rejects_duplicate(db, again):
    first = debriefs.add_assumption(db, "Price is the objection", now=at("2026-03-01"))
    with pytest.raises(AssumptionError, match="already on the board"):
        debriefs.add_assumption(db, again, now=at("2026-03-02"))
    assert debriefs.open_assumptions(db) == {first: "Price is the objection"}
    assert not db.conn.in_transaction


def test_add_assumption_stores_cleaned_text(db):
    new = debriefs.add_assumption(db, "  Teams   share one login ", now=at("2026-03-01"))
    assert db.execute("SELECT id, text, status, created_at FROM assumptions").fetchall() == [
        (new, "Teams share one login", "open", "2026-03-01T10:00:00Z")]


def test_set_status_retire_and_reopen(db):
    a = debriefs.add_assumption(db, "A", now=at("2026-03-01"))
    b = debriefs.add_assumption(db, "B", now=at("2026-03-01"))
    c = debriefs.add_assumption(db, "C", now=at("2026-03-01"))
    debriefs.set_status(db, b, "retired")
    assert debriefs.open_assumptions(db) == {a: "A", c: "C"}
    assert list(debriefs.open_assumptions(db)) == [a, c]
    debriefs.set_status(db, b, "open")
    assert list(debriefs.open_assumptions(db)) == [a, b, c]


@pytest.mark.parametrize(
    "status, error, match",
    [
        ("retired", AssumptionError, "no longer exists"),
        ("open", AssumptionError, "no longer exists"),
        ("deleted", ValidationError, "open or retired"),
    ],
)
def test_set_status_refuses(db, status, error, match):
    with pytest.raises(error, match=match):
        debriefs.set_status(db, 999, status)


def test_set_status_unknown_value_on_known_assumption(db):
    a = debriefs.add_assumption(db, "A", now=at("2026-03-01"))
    with pytest.raises(ValidationError, match="open or retired") as caught:
        debriefs.set_status(db, a, "validated")
    assert caught.value.field == "status"
    assert db.execute("SELECT status FROM assumptions").fetchone() == ("open",)


# The board


def _dialog(db, who: int, day: str, validated=(), invalidated=()):
    return followups.log_dialog(
        db, who, "coffee", SETTINGS, now=at(day),
        debrief=debriefs.clean(validated=validated, invalidated=invalidated))


def test_board_counts_evidence_most_tested_first_retired_last(db):
    a = debriefs.add_assumption(db, "A: routes by hand")
    b = debriefs.add_assumption(db, "B: price objection")
    c = debriefs.add_assumption(db, "C: never tested")
    r = debriefs.add_assumption(db, "R: retired, much tested")
    u = debriefs.add_assumption(db, "U: only undone evidence")
    ada, bob, cleo = (save_card(db, name, at=MET, kind="customer")
                      for name in ("Ada Lovelace", "Bob Chen", "Cleo Park"))
    _dialog(db, ada, "2026-03-05", validated=[a, r], invalidated=[b])
    _dialog(db, ada, "2026-03-07", validated=[a, r])
    _dialog(db, bob, "2026-03-06", invalidated=[a, r])
    _dialog(db, bob, "2026-03-08", validated=[r])
    for day in ("2026-03-09", "2026-03-10"):
        _dialog(db, cleo, day, validated=[u], invalidated=[b])
        followups.undo(db, cleo, now=at(day, 12))
    debriefs.set_status(db, r, "retired")
    board = debriefs.board(db)
    assert [(row["id"], row["status"], row["validated"], row["invalidated"], row["last_at"])
            for row in board] == [
        (a, "open", 2, 1, "2026-03-07T10:00:00Z"),   # 3 pieces of evidence
        (b, "open", 0, 1, "2026-03-05T10:00:00Z"),   # 1 (2 more were undone)
        (c, "open", 0, 0, None),
        (u, "open", 0, 0, None),                     # both dialogs undone
        (r, "retired", 3, 1, "2026-03-08T10:00:00Z"),  # 4, but retired: last
    ]
    assert [row["text"] for row in board][0] == "A: routes by hand"


def test_board_empty(db):
    assert debriefs.board(db) == []

"""fieldkit.sample: the one deterministic sample data set."""

from datetime import date, timedelta

import pytest

import fieldkit.db
import fieldkit.migrations
from fieldkit import clock, config, kinds, sample
from fieldkit.errors import FieldkitError
from fieldkit.ladder import next_followup
from tests.factory import SAMPLE_DAY, add_person

TZ = "Europe/Berlin"


def _rows(db, table):
    order = "person_id, tag" if table == "person_tags" else "rowid"
    return db.execute(f"SELECT * FROM [{table}] ORDER BY {order}").fetchall()


def _count(db, sql, params=()):
    return db.execute(sql, params).fetchone()[0]


def _schema_objects(db):
    return db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).fetchall()


def _days_touched(db, person_id, kind):
    return [
        clock.local_date(at, TZ)
        for (at,) in db.execute(
            "SELECT at FROM touches WHERE person_id = ? AND kind = ? AND undone_at IS NULL",
            [person_id, kind],
        )
    ]


# Determinism


def test_fill_same_inputs_same_rows(sample_day_readonly, db):
    sample.fill(db, 1, today=SAMPLE_DAY)
    for table in fieldkit.migrations.TABLES:
        if table == "settings":
            # Only the settings row's updated_at is stamped with the wall clock.
            query = "SELECT name, value FROM settings ORDER BY name"
            assert db.execute(query).fetchall() == sample_day_readonly.execute(query).fetchall()
        else:
            assert _rows(db, table) == _rows(sample_day_readonly, table), table


def test_fill_other_day_other_rows(sample_day_readonly, db):
    sample.fill(db, 1, today=SAMPLE_DAY - timedelta(days=1))
    assert _rows(db, "people") != _rows(sample_day_readonly, "people")


def test_fill_returns_row_counts(db):
    counts = sample.fill(db, 1, today=SAMPLE_DAY)
    assert counts == fieldkit.db.row_counts(db)
    assert list(counts) == list(fieldkit.migrations.TABLES)


# What the sample holds


@pytest.mark.parametrize("table", [t for t in fieldkit.migrations.TABLES
                                   if t not in sample.LEFT_EMPTY])
def test_fill_every_table_has_rows(sample_day_readonly, table):
    assert _count(sample_day_readonly, f"SELECT count(*) FROM [{table}]") >= 1


def test_fill_settings_time_zone(sample_day_readonly):
    assert config.load(sample_day_readonly)["timezone"] == TZ


def test_fill_every_person_kind(sample_day_readonly):
    found = {k for (k,) in sample_day_readonly.execute("SELECT DISTINCT kind FROM people")}
    assert found == set(kinds.PERSON_KINDS)


@pytest.mark.parametrize(
    "day", [SAMPLE_DAY, date(2027, 7, 10)], ids=["2026-11-22", "2027-07-10"]
)
def test_fill_every_event_kind(db, day):
    # Event kinds are drawn at random; anchored on 2027-07-10 no seminar is drawn.
    sample.fill(db, 1, today=day)
    found = {k for (k,) in db.execute("SELECT DISTINCT kind FROM events")}
    assert found == set(kinds.EVENT_KINDS)


def test_fill_touch_kinds(sample_day_readonly):
    found = {k for (k,) in sample_day_readonly.execute("SELECT DISTINCT kind FROM touches")}
    assert {"met", "attempt", "dialog"} <= found


def test_fill_every_person_has_one_met_touch(sample_day_readonly):
    assert _count(sample_day_readonly, """
        SELECT count(*) FROM people c
        WHERE (SELECT count(*) FROM touches t
               WHERE t.person_id = c.id AND t.kind = 'met') != 1
    """) == 0


def test_fill_calls_belong_to_call_sessions(sample_day_readonly):
    calls = _count(sample_day_readonly, "SELECT count(*) FROM touches WHERE channel = 'call'")
    assert calls > 0
    assert _count(sample_day_readonly, "SELECT count(*) FROM touches WHERE channel = 'call' "
                             "AND call_session_id IS NULL") == 0
    assert _count(sample_day_readonly, "SELECT count(*) FROM touches WHERE channel = 'call' "
                             "AND kind = 'dialog'") > 0


def test_fill_one_open_checkin_at_running_event(sample_day_readonly):
    rows = sample_day_readonly.execute(
        "SELECT e.starts_at, e.ends_at, e.tz, c.checked_in_at FROM checkins c "
        "JOIN events e ON e.id = c.event_id WHERE c.checked_out_at IS NULL"
    ).fetchall()
    assert len(rows) == 1
    starts_at, ends_at, tz, checked_in_at = rows[0]
    assert clock.local_date(starts_at, tz) <= SAMPLE_DAY <= clock.local_date(ends_at, tz)
    assert clock.local_date(checked_in_at, tz) == SAMPLE_DAY
    assert checked_in_at < ends_at


def test_fill_open_followups_overdue_and_future(sample_day_readonly):
    today = SAMPLE_DAY.isoformat()
    overdue = _count(sample_day_readonly, "SELECT count(*) FROM followups "
                                "WHERE status = 'open' AND due_on < ?", [today])
    future = _count(sample_day_readonly, "SELECT count(*) FROM followups "
                               "WHERE status = 'open' AND due_on > ?", [today])
    assert overdue > 0
    assert future > 0


def test_fill_followup_reasons(sample_day_readonly):
    found = {r for (r,) in sample_day_readonly.execute("SELECT DISTINCT reason FROM followups")}
    assert {"ladder", "keep_in_touch"} <= found


def test_fill_active_people_have_exactly_one_open_followup(sample_day_readonly):
    counts = sample_day_readonly.execute("""
        SELECT c.status, (SELECT count(*) FROM followups f
                          WHERE f.person_id = c.id AND f.status = 'open')
        FROM people c
    """).fetchall()
    assert {n for status, n in counts if status == "active"} == {1}
    assert {n for status, n in counts if status != "active"} == {0}
    assert {status for status, _ in counts} >= {"active", "let_go", "declined"}


@pytest.mark.parametrize("status", ["let_go", "declined"])
def test_fill_status_change_recorded_as_touch(sample_day_readonly, status):
    missing = _count(sample_day_readonly, """
        SELECT count(*) FROM people c WHERE c.status = ? AND NOT EXISTS (
            SELECT 1 FROM touches t WHERE t.person_id = c.id
            AND t.kind = 'state' AND t.outcome = ?)
    """, [status, status])
    assert _count(sample_day_readonly, "SELECT count(*) FROM people WHERE status = ?", [status]) > 0
    assert missing == 0


def test_fill_foreign_keys_hold(sample_day_readonly):
    assert sample_day_readonly.execute("PRAGMA foreign_key_check").fetchall() == []


def test_fill_integrity_ok(sample_day_readonly):
    assert sample_day_readonly.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_fill_keeps_indexes_and_triggers(db):
    before = _schema_objects(db)
    sample.fill(db, 1, today=SAMPLE_DAY)
    assert _schema_objects(db) == before


def test_fill_full_text_search_finds_last_name(sample_day_readonly):
    person_id, name = sample_day_readonly.execute(
        "SELECT id, name FROM people WHERE name GLOB '* [A-Z]*' "
        "AND name NOT GLOB '*[^A-Za-z ]*' ORDER BY id LIMIT 1"
    ).fetchone()
    last = name.split()[-1]
    found = [r for (r,) in sample_day_readonly.execute(
        "SELECT rowid FROM people_fts WHERE people_fts MATCH ?", [f'"{last}"'])]
    assert person_id in found
    assert all(last in n for (n,) in sample_day_readonly.execute(
        f"SELECT name FROM people WHERE id IN ({', '.join('?' * len(found))})", found))


def test_fill_full_text_search_indexes_later_people(sample_day_db):
    now = "2026-11-22T10:00:00Z"
    new_id = add_person(sample_day_db, name="Grete Quarkmeier", company="Zyxwv Widgets",
                        met_at=now, created_at=now, updated_at=now)
    found = sample_day_db.execute(
        "SELECT rowid FROM people_fts WHERE people_fts MATCH 'quarkmeier'").fetchall()
    assert found == [(new_id,)]


def test_fill_scale_two_doubles_people(sample_day_readonly, db):
    sample.fill(db, 2, today=SAMPLE_DAY)
    one = _count(sample_day_readonly, "SELECT count(*) FROM people")
    two = _count(db, "SELECT count(*) FROM people")
    assert one == 160
    assert 1.9 <= two / one <= 2.1
    for table in ("events", "touches"):
        query = f"SELECT count(*) FROM {table}"
        assert _count(db, query) > _count(sample_day_readonly, query), table


# Refusals


def test_fill_non_empty_db_refused_and_unchanged(sample_day_db):
    before = fieldkit.db.row_counts(sample_day_db)
    settings_before = sample_day_db.execute("SELECT * FROM settings").fetchall()
    with pytest.raises(FieldkitError, match="already holds people"):
        sample.fill(sample_day_db, 1, today=SAMPLE_DAY)
    assert fieldkit.db.row_counts(sample_day_db) == before
    assert sample_day_db.execute("SELECT * FROM settings").fetchall() == settings_before
    assert not sample_day_db.conn.in_transaction


def test_fill_db_with_one_person_refused(db):
    now = "2026-11-22T10:00:00Z"
    add_person(db, met_at=now, created_at=now, updated_at=now)
    before, schema = fieldkit.db.row_counts(db), _schema_objects(db)
    with pytest.raises(FieldkitError):
        sample.fill(db, 1, today=SAMPLE_DAY)
    assert fieldkit.db.row_counts(db) == before
    assert _schema_objects(db) == schema
    assert db.execute(
        "SELECT rowid FROM people_fts WHERE people_fts MATCH 'lovelace'").fetchall() == [(1,)]


@pytest.mark.parametrize("scale", [0, -1, 1001, "3", 1.5, None], ids=repr)
def test_fill_bad_scale_refused(db, scale):
    with pytest.raises(FieldkitError, match="Scale"):
        sample.fill(db, scale, today=SAMPLE_DAY)
    assert set(fieldkit.db.row_counts(db).values()) == {0}


def test_fill_bool_scale_refused(db):
    # True is an int to isinstance; the settings parsers refuse bools as numbers.
    with pytest.raises(FieldkitError, match="Scale"):
        sample.fill(db, True, today=SAMPLE_DAY)


# The follow-ups agree with the persistence ladder


def _replayed(db, person_id, kind, cadence_days):
    settings = config.defaults()
    (met_on,) = _days_touched(db, person_id, "met")
    return next_followup(
        met_on,
        _days_touched(db, person_id, "attempt"),
        _days_touched(db, person_id, "dialog"),
        settings["ladder_gaps"],
        cadence_days or config.cadence_days(settings, kind),
    )


def _open_followups(db):
    return db.execute("""
        SELECT c.id, c.kind, c.cadence_days, f.due_on, f.reason, f.rung
        FROM people c JOIN followups f ON f.person_id = c.id AND f.status = 'open'
        ORDER BY c.id
    """).fetchall()


def test_fill_followups_agree_with_ladder(sample_day_readonly):
    rows = _open_followups(sample_day_readonly)
    assert len(rows) > 100
    for person_id, kind, cadence_days, due_on, reason, rung in rows:
        expected = _replayed(sample_day_readonly, person_id, kind, cadence_days)
        assert (due_on, reason, rung) == (expected.due_on.isoformat(), expected.reason,
                                          expected.rung), person_id


def test_fill_followups_ladder_cases_covered(sample_day_readonly):
    # The replay above must meet every branch of the ladder, not only new cards.
    seen = set()
    for person_id, *_ in _open_followups(sample_day_readonly):
        attempts = len(_days_touched(sample_day_readonly, person_id, "attempt"))
        dialogs = len(_days_touched(sample_day_readonly, person_id, "dialog"))
        seen.add(("new" if not attempts and not dialogs else
                  "attempts_only" if not dialogs else "after_dialog"))
    assert seen == {"new", "attempts_only", "after_dialog"}


def test_fill_new_cards_due_next_day(sample_day_readonly):
    rows = sample_day_readonly.execute("""
        SELECT c.id, f.due_on, f.reason, f.rung FROM people c
        JOIN followups f ON f.person_id = c.id AND f.status = 'open'
        WHERE NOT EXISTS (SELECT 1 FROM touches t WHERE t.person_id = c.id
                          AND t.kind IN ('attempt', 'dialog'))
    """).fetchall()
    assert rows
    for person_id, due_on, reason, rung in rows:
        (met_on,) = _days_touched(sample_day_readonly, person_id, "met")
        assert (due_on, reason, rung) == ((met_on + timedelta(days=1)).isoformat(), "ladder", 1)


def test_fill_own_cadence_used_after_dialog(sample_day_readonly):
    # A person with a cadence of their own and a dialog as the last action: due one
    # cadence after that dialog, not the kind's default.
    rows = sample_day_readonly.execute("""
        SELECT c.id, c.cadence_days, f.due_on FROM people c
        JOIN followups f ON f.person_id = c.id AND f.status = 'open'
        WHERE c.cadence_days IS NOT NULL AND f.reason = 'keep_in_touch'
    """).fetchall()
    assert rows
    for person_id, cadence_days, due_on in rows:
        last_dialog = max(_days_touched(sample_day_readonly, person_id, "dialog"))
        assert due_on == (last_dialog + timedelta(days=cadence_days)).isoformat()

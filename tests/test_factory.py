"""The suite's own tools: tests/factory.py makes what it says, the shared template stays intact."""

import hashlib
import sqlite3

import pytest

from tests.factory import (
    NOW, STAMP, add_checkin, add_event, add_followup, add_person, add_touch, count,
    save_card, save_imported,
)


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("write", [
    "DELETE FROM people",
    "UPDATE settings SET value = '\"UTC\"' WHERE name = 'timezone'",
    "INSERT INTO triage_days (day, cleared_at, due_count) VALUES ('2000-01-01', 'x', 0)",
    "CREATE TABLE scratch (x)",
])
def test_sample_day_readonly_refuses_writes_and_the_template_stays(sample_day_readonly,
                                                                   sample_day_file, write):
    before = _sha(sample_day_file)
    people = count(sample_day_readonly, "people")
    with pytest.raises(sqlite3.OperationalError, match=r"^attempt to write a readonly database$"):
        sample_day_readonly.execute(write)
    assert not sample_day_readonly.conn.in_transaction
    assert count(sample_day_readonly, "people") == people == 160
    assert _sha(sample_day_file) == before


def test_sample_day_db_is_a_private_copy(sample_day_db, sample_day_readonly, sample_day_file):
    before = _sha(sample_day_file)
    sample_day_db.execute("DELETE FROM people")
    assert count(sample_day_db, "people") == 0
    assert count(sample_day_readonly, "people") == 160
    assert _sha(sample_day_file) == before


def test_save_card_goes_through_the_core(db):
    person_id = save_card(db, "Grace Hopper", kind="customer", phone="(201) 555-0123",
                          tags="cobol")
    assert db.execute("SELECT name, kind, phone, met_at, source FROM people WHERE id = ?",
                      [person_id]).fetchall() == [
        ("Grace Hopper", "customer", "+12015550123", "2026-03-10T14:00:00Z", "capture")]
    assert db.execute("SELECT kind, at FROM touches WHERE person_id = ?",
                      [person_id]).fetchall() == [("met", "2026-03-10T14:00:00Z")]
    assert db.execute("SELECT due_on, reason, rung, status FROM followups WHERE person_id = ?",
                      [person_id]).fetchall() == [("2026-03-11", "ladder", 1, "open")]
    assert db.execute("SELECT tag FROM person_tags WHERE person_id = ?",
                      [person_id]).fetchall() == [("cobol",)]


def test_save_imported_stores_a_person_as_an_import_does(db):
    person_id = save_imported(db, "Grace Hopper", source="vcard", met_at="2024-05-01T09:00:00Z",
                              phone="(201) 555-0123", tags="cobol, navy")
    later = save_imported(db, "Ada Okafor", source="linkedin", met_at="2020-10-05T00:00:00Z",
                          stored_at=NOW)
    assert db.execute("SELECT id, name, phone, met_at, source, created_at, updated_at "
                      "FROM people ORDER BY id").fetchall() == [
        (person_id, "Grace Hopper", "+12015550123", "2024-05-01T09:00:00Z", "vcard",
         "2024-05-01T09:00:00Z", "2024-05-01T09:00:00Z"),
        (later, "Ada Okafor", None, "2020-10-05T00:00:00Z", "linkedin",
         "2026-03-10T14:00:00Z", "2026-03-10T14:00:00Z")]
    assert db.execute("SELECT tag FROM person_tags WHERE person_id = ? ORDER BY tag",
                      [person_id]).fetchall() == [("cobol",), ("navy",)]
    # An imported person is not networking done now: no touch, no follow-up.
    assert [count(db, t) for t in ("touches", "followups")] == [0, 0]


def test_raw_rows_are_only_the_rows_asked_for(db):
    person_id = add_person(db, name="Ada Okafor", kind="press")
    touch_id = add_touch(db, person_id, "2026-03-02T09:00:00Z", "met", data={"created": False})
    followup_id = add_followup(db, person_id, "2026-03-04", status="done")
    event_id = add_event(db, tz="Asia/Tokyo")
    checkin_id = add_checkin(db, event_id, "2026-03-03T08:00:00Z")
    assert db.execute("SELECT id, name, kind, status, met_at FROM people").fetchall() == [
        (person_id, "Ada Okafor", "press", "active", STAMP)]
    assert db.execute(
        "SELECT id, person_id, at, kind, data, created_at FROM touches").fetchall() == [
        (touch_id, person_id, "2026-03-02T09:00:00Z", "met", '{"created": false}',
         "2026-03-02T09:00:00Z")]
    assert db.execute("SELECT id, due_on, reason, status FROM followups").fetchall() == [
        (followup_id, "2026-03-04", "ladder", "done")]
    assert db.execute("SELECT id, tz, starts_at, ends_at FROM events").fetchall() == [
        (event_id, "Asia/Tokyo", "2026-01-01T08:00:00Z", "2026-12-31T17:00:00Z")]
    assert db.execute("SELECT id, checked_in_at, checked_out_at FROM checkins").fetchall() == [
        (checkin_id, "2026-03-03T08:00:00Z", None)]
    assert [count(db, t) for t in ("person_tags", "attachments", "triage_days")] == [0, 0, 0]


@pytest.mark.parametrize("save", [
    save_card, lambda db, **fields: save_imported(db, source="vcard", met_at=STAMP, **fields),
], ids=["save_card", "save_imported"])
def test_saving_refuses_what_is_not_a_card_field(db, save):
    # cards.clean would drop a misspelt field, or a ``now=`` meant as ``at=``, silently.
    with pytest.raises(TypeError, match=r"^not a card field: now, phnoe$"):
        save(db, phnoe="+4930123456", now=None)
    assert count(db, "people") == 0

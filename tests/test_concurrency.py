"""Several writers on one database file: no acknowledged write lost, no raw lock error.

Writers are threads (two tabs in one Streamlit server) and processes (the
server and the command line), each opening its own connection per round the
way a page run does, and writing cards, follow-up attempts and settings
(tests/writer.py). When another writer holds the lock past the busy timeout,
the user gets a DatabaseBusy message and nothing half-written.
"""

import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
import writer
from apptest import rows, run_page
from test_page_capture import save_button

import fieldkit.db
from fieldkit import cards, config, followups
from fieldkit.errors import DatabaseBusy, FieldkitError
from fieldkit.ui.text import md

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 15  # per writer; each round is a card, an attempt and a setting


def _run_threads(targets):
    """Run the callables at once (released together); return what they raised."""
    start = threading.Barrier(len(targets))
    errors = []

    def run(target):
        start.wait()
        try:
            target()
        except BaseException as exc:  # noqa: B036 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _check_acknowledged(path, acks):
    """Every acknowledged write is in the file; nothing more was written."""
    kinds = [line.split(" ", 1) for line in acks]
    with fieldkit.db.connect(path) as db:
        people = dict(db.execute("SELECT id, name FROM people").fetchall())
        attempts = dict(db.execute(
            "SELECT id, person_id FROM touches WHERE kind = 'attempt'").fetchall())
        stored = config.load(db)
    last_setting = {}
    card_acks = attempt_acks = 0
    for kind, rest in kinds:
        if kind == "card":
            person_id, name = rest.split(" ", 1)
            assert people.get(int(person_id)) == name
            card_acks += 1
        elif kind == "attempt":
            touch_id, person_id = map(int, rest.split())
            assert attempts.get(touch_id) == person_id
            attempt_acks += 1
        else:
            name, value = rest.split()
            last_setting[name] = int(value)
    assert len(people) == card_acks
    assert len(attempts) == attempt_acks
    assert {name: stored[name] for name in last_setting} == last_setting


@pytest.mark.parametrize("writers", [2, 4])
def test_writers_threads_every_acknowledged_write_lands(db, writers):
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    acks = []
    errors = _run_threads([
        partial(writer.write, path, w, ROUNDS, acks.append) for w in range(writers)
    ])
    assert errors == []
    assert len(acks) == writers * ROUNDS * 3
    _check_acknowledged(path, acks)


def _writer_process(path, worker):
    return subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "writer.py"), str(path), str(worker),
         str(ROUNDS), "--wait-for-go"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
    )


def test_writers_processes_and_threads_every_acknowledged_write_lands(db):
    # Two processes (say the server and an import from the command line) and
    # two threads (two tabs) at once.
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    processes = [_writer_process(path, worker) for worker in (0, 1)]
    try:
        for process in processes:
            assert process.stdout.readline() == "ready\n", process.stderr.read()
        acks = []
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        errors = _run_threads([
            partial(writer.write, path, w, ROUNDS, acks.append) for w in (2, 3)
        ])
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            assert "database is locked" not in err
            acks += out.splitlines()
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert errors == []
    assert len(acks) == 4 * ROUNDS * 3
    _check_acknowledged(path, acks)


def test_new_file_opened_by_writers_at_once_is_migrated_once(tmp_path):
    # A fresh server and a command run at the same moment both find the file
    # unmigrated; only one may migrate it, and there is nothing to back up.
    for trial in range(3):
        path = tmp_path / str(trial) / "fieldkit.db"
        path.parent.mkdir()
        acks = []
        errors = _run_threads([
            partial(writer.write, path, w, 1, acks.append) for w in range(4)
        ])
        assert errors == []
        _check_acknowledged(path, acks)
        with fieldkit.db.connect(path) as db:
            assert fieldkit.db.schema_version(db) == fieldkit.db.latest_version()
            applied = db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
            assert applied == fieldkit.db.latest_version()
        assert sorted(p.name for p in path.parent.iterdir() if ".before-" in p.name) == []


# --- one writer waiting for another --------------------------------------------


def _card(db):
    return cards.save(db, cards.clean({"name": "Ada Okafor", "kind": "customer"}),
                      settings=config.load(db))


# Each write reads before it writes (the next rung, the settings that must
# hold together), the pattern that fails at once without BEGIN IMMEDIATE.
WRITES = {
    "card": (_card, "SELECT count(*) FROM people", 2),
    "attempt": (lambda db: followups.log_attempt(db, 1, "email", config.load(db)),
                "SELECT count(*) FROM touches WHERE kind = 'attempt'", 1),
    "setting": (lambda db: config.save(db, {"my_name": "Grace Hopper"}),
                "SELECT count(*) FROM settings WHERE value = '\"Grace Hopper\"'", 1),
}


@contextmanager
def _write_lock_held(path):
    """Another connection in the middle of a write, holding the write lock."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO triage_days (day, cleared_at, due_count) "
                      "VALUES ('2026-01-01', '2026-01-01T20:00:00Z', 0)")
        yield other
    finally:
        if other.in_transaction:
            other.execute("COMMIT")
        other.close()


@pytest.mark.parametrize("write", list(WRITES))
def test_write_waits_for_another_writer_then_lands(db, write):
    do, count_sql, expected = WRITES[write]
    _card(db)
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    with _write_lock_held(path) as other:
        # Released a moment after the write has begun to wait for it.
        release = threading.Timer(0.3, other.execute, ["COMMIT"])
        release.start()
        try:
            do(db)
        finally:
            release.join()
    assert db.execute(count_sql).fetchone()[0] == expected
    assert db.execute("SELECT count(*) FROM triage_days").fetchone()[0] == 1


@pytest.mark.parametrize("write", list(WRITES))
def test_write_locked_past_timeout_raises_database_busy_and_writes_nothing(db, write):
    do, count_sql, expected = WRITES[write]
    _card(db)
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    before = fieldkit.db.row_counts(db)
    db.execute("PRAGMA busy_timeout = 50")
    with _write_lock_held(path) as other:
        with pytest.raises(DatabaseBusy) as info:
            do(db)
        other.execute("ROLLBACK")
    assert isinstance(info.value, FieldkitError)
    message = str(info.value)
    assert message == ("The database is busy with another write (another tab or program). "
                       "Nothing was saved; try again in a moment.")
    assert not db.conn.in_transaction
    assert fieldkit.db.row_counts(db) == before


def test_capture_page_locked_past_timeout_says_busy_and_keeps_the_card(app_db, monkeypatch):
    monkeypatch.setattr(fieldkit.db, "BUSY_TIMEOUT_MS", 50)
    at = run_page("pages/capture.py")
    name = next(w for w in at.text_input if w.label == "Name")
    name.set_value("Ada Okafor")
    with _write_lock_held(app_db) as other:
        save_button(at).click()
        at.run()
        other.execute("ROLLBACK")
    assert not at.exception
    assert [e.value for e in at.error] == [md(fieldkit.db.BUSY_MESSAGE)]
    assert next(w for w in at.text_input if w.label == "Name").value == "Ada Okafor"
    assert rows(app_db, "SELECT count(*) FROM people") == [(0,)]

    save_button(at).click()  # the same tap again, lock gone
    at.run()
    assert not at.error
    assert rows(app_db, "SELECT name FROM people") == [("Ada Okafor",)]


def test_write_other_operational_error_is_not_translated(db):
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        with fieldkit.db.transaction(db):
            db.execute("INSERT INTO nowhere VALUES (1)")

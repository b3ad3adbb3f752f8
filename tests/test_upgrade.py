"""A database at the first schema version upgrades with a backup and no row lost.

tests/fixtures/schema_v1.db holds the sample data under migration
0001_initial only (tests/fixtures/make_schema_v1.py). Opening a copy through
``fieldkit.db.connect`` migrates it to ``latest_version()``; every table and
column it had must come through with the same rows, whatever later
migrations add. ``lost`` makes the comparison and is itself tested on
copies altered on purpose, so the upgrade test can fail.
"""

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlite_utils import Database, Migrations

import fieldkit.db
import fieldkit.migrations

FIXTURE = Path(__file__).with_name("fixtures") / "schema_v1.db"
MIGRATIONS = "_sqlite_migrations"


def _shadow_tables(conn, table):
    """The names of a virtual table's shadow tables start with its own."""
    return conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? || '\\_%' "
        "ESCAPE '\\'", [table]).fetchall()


def _data_tables(conn) -> dict[str, list[str]]:
    """Each table holding data, with its columns.

    Full-text indexes (a virtual table and its shadow tables) are left out:
    they are derived from the data and may be rebuilt; the migration records
    are compared on their own.
    """
    virtual = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'")]
    derived = set(virtual) | {name for v in virtual for (name,) in _shadow_tables(conn, v)}
    names = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY name")]
    return {
        name: [column[1] for column in conn.execute(f"PRAGMA table_info([{name}])")]
        for name in names if name not in derived and name != MIGRATIONS
    }


def _digest(conn, table: str, columns: list[str]) -> tuple[int, str]:
    """Row count and a checksum of the rows (as a set, in no stored order)."""
    listed = ", ".join(f"[{c}]" for c in columns)
    rows = sorted(repr(row) for row in conn.execute(f"SELECT {listed} FROM [{table}]"))
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()


def snapshot(path) -> dict[str, dict]:
    """What each data table of the file holds: columns, row count, checksum."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return {
            name: {"columns": columns, "digest": _digest(conn, name, columns)}
            for name, columns in _data_tables(conn).items()
        }


def lost(before: dict[str, dict], path) -> list[str]:
    """What of ``before`` the file at ``path`` no longer holds, one line per table.

    Only the tables and columns of ``before`` are compared: tables and
    columns added since may hold anything. A table or column that a
    migration renamed (fieldkit.migrations.RENAMED_TABLES, RENAMED_COLUMNS) is
    compared under its new name.
    """
    problems = []
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        now = _data_tables(conn)
        for name, was in before.items():
            table = name if name in now else fieldkit.migrations.RENAMED_TABLES.get(name, name)
            if table not in now:
                problems.append(f"{name}: table gone")
                continue
            columns = [c if c in now[table] else fieldkit.migrations.RENAMED_COLUMNS.get(c, c)
                       for c in was["columns"]]
            missing = [c for c in columns if c not in now[table]]
            if missing:
                problems.append(f"{name}: columns gone: {', '.join(missing)}")
                continue
            count, checksum = _digest(conn, table, columns)
            if count != was["digest"][0]:
                problems.append(f"{name}: {was['digest'][0]} rows before, {count} after")
            elif checksum != was["digest"][1]:
                problems.append(f"{name}: rows changed")
    return problems


def _applied(path) -> list[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return [name for (name,) in conn.execute(
            f"SELECT name FROM {MIGRATIONS} WHERE migration_set = ? ORDER BY rowid",
            [fieldkit.migrations.MIGRATION_SET])]


@pytest.fixture
def v1_copy(tmp_path):
    path = tmp_path / "schema_v1.db"
    shutil.copyfile(FIXTURE, path)
    return path


# --- the fixture and the comparison --------------------------------------------


ADDED_LATER = {"sign_in", "devices", "labelled_values", "received_cards", "reviews",
               "sign_in_failures",  # 0002, 0005-0008
               "app_passwords", "phone_cards", "dav_changes", "dav_books", "calendar_feed",  # 0010
               "mailbox", "mail_folders", "mail_touches", "mail_bounces"}  # 0011


def test_fixture_is_first_schema_version_holding_data(v1_copy):
    assert FIXTURE.stat().st_size < 1_000_000
    assert _applied(v1_copy) == ["0001_initial"]
    before = snapshot(v1_copy)
    # Every product table the first migration made (later ones add more).
    old_name = {new: old for old, new in fieldkit.migrations.RENAMED_TABLES.items()}
    assert {old_name.get(t, t) for t in fieldkit.migrations.TABLES} - ADDED_LATER <= set(before)
    empty = [name for name, was in before.items() if was["digest"][0] == 0]
    assert empty == []


def _delete_one_touch(conn):
    conn.execute("DELETE FROM touches WHERE id = (SELECT max(id) FROM touches)")


def _edit_one_note(conn):
    conn.execute("UPDATE contacts SET note = coalesce(note, '') || '.' WHERE id = 7")


def _swap_two_names(conn):
    # Same count, same set of names: only the pairing of name and row changed.
    conn.execute("UPDATE contacts SET name = CASE id WHEN 1 THEN (SELECT name FROM contacts "
                 "WHERE id = 2) ELSE (SELECT name FROM contacts WHERE id = 1) END "
                 "WHERE id IN (1, 2)")


def _add_one_triage_day(conn):
    conn.execute("INSERT INTO triage_days VALUES ('1999-01-01', '1999-01-01T20:00:00Z', 0)")


def _drop_a_table(conn):
    conn.execute("DROP TABLE import_runs")


def _drop_a_column(conn):
    conn.execute("ALTER TABLE contacts DROP COLUMN website")


@pytest.mark.parametrize("alter, table", [
    (_delete_one_touch, "touches"),
    (_edit_one_note, "contacts"),
    (_swap_two_names, "contacts"),
    (_add_one_triage_day, "triage_days"),
    (_drop_a_table, "import_runs"),
    (_drop_a_column, "contacts"),
], ids=lambda v: getattr(v, "__name__", v).lstrip("_"))
def test_lost_finds_altered_table(v1_copy, alter, table):
    before = snapshot(v1_copy)
    with closing(sqlite3.connect(v1_copy, isolation_level=None)) as conn:
        alter(conn)
    problems = lost(before, v1_copy)
    assert [p.split(":")[0] for p in problems] == [table]


def test_lost_ignores_added_tables_columns_and_indexes(v1_copy):
    before = snapshot(v1_copy)
    with closing(sqlite3.connect(v1_copy, isolation_level=None)) as conn:
        conn.execute("CREATE TABLE sign_in (id INTEGER PRIMARY KEY, hash TEXT)")
        conn.execute("INSERT INTO sign_in (hash) VALUES ('x')")
        conn.execute("ALTER TABLE contacts ADD COLUMN pronouns TEXT DEFAULT 'they'")
        conn.execute("CREATE INDEX touches_note ON touches (note)")
        conn.execute("VACUUM")
    assert lost(before, v1_copy) == []


# --- the upgrade ----------------------------------------------------------------


def _with_later_migration(monkeypatch):
    """FieldKit's migrations plus one more, like a release adding a table and indexes."""
    later = Migrations(fieldkit.migrations.MIGRATION_SET)
    for migration in fieldkit.migrations.migrations.pending(Database(memory=True)):
        later(name=migration.name, transactional=migration.transactional)(migration.fn)

    @later(name="9999_later")
    def _later(db):
        db.execute("CREATE TABLE later (id INTEGER PRIMARY KEY, secret TEXT NOT NULL) STRICT")
        db.execute("ALTER TABLE people ADD COLUMN later_flag INTEGER NOT NULL DEFAULT 0")
        db.execute("CREATE INDEX touches_later ON touches (person_id, kind, at)")

    monkeypatch.setattr(fieldkit.db, "migrations", later)


@pytest.mark.parametrize("later", [False, True], ids=["as-shipped", "with-a-later-migration"])
def test_upgrade_from_first_version_backs_up_and_loses_no_row(v1_copy, monkeypatch, later):
    if later:
        _with_later_migration(monkeypatch)
    before = snapshot(v1_copy)
    latest = fieldkit.db.latest_version()

    with fieldkit.db.connect(v1_copy) as db:
        assert fieldkit.db.schema_version(db) == latest
        assert fieldkit.db.pending_migrations(db) == []
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        # The full-text index still matches the people it indexes.
        db.execute("INSERT INTO people_fts (people_fts) VALUES ('integrity-check')")
        name = db.execute("SELECT name FROM people ORDER BY id LIMIT 1").fetchone()[0]
        found = db.table("people").search(name.split()[-1], quote=True, columns=["name"])
        assert name in [row["name"] for row in found]

    assert lost(before, v1_copy) == []
    applied = _applied(v1_copy)
    assert applied[0] == "0001_initial" and len(applied) == latest

    backups = sorted(v1_copy.parent.glob("schema_v1.before-*"))
    if latest == 1:
        assert backups == []  # nothing to migrate, so nothing to back up
        return
    assert len(backups) == 1
    assert backups[0].name.startswith(f"schema_v1.before-{applied[1]}-")
    # The copy beside it is the file as it was: first version, same rows.
    assert _applied(backups[0]) == ["0001_initial"]
    assert snapshot(backups[0]) == before

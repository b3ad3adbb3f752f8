"""fieldkit.db: opening, migrating, the schema's rules, transactions, backups."""

import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database

import fieldkit.db
import fieldkit.migrations
from fieldkit import activity, kinds, metrics
from fieldkit.errors import DatabaseError
from tests.factory import STAMP, add_event, add_followup, add_person, add_touch, count

LATER = "2026-03-01T17:00:00Z"  # eight hours after STAMP


def _pragma(db, name):
    return db.execute(f"PRAGMA {name}").fetchone()[0]


def _fieldkit_migration_rows(db):
    return db.execute(
        "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = ?",
        [fieldkit.migrations.MIGRATION_SET],
    ).fetchone()[0]


def _backups(folder):
    return sorted(p for p in Path(folder).iterdir() if ".before-" in p.name)


def _plain_sqlite_file_with_rows(path):
    """A SQLite file holding someone's data but none of FieldKit's migrations."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE legacy (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany(
        "INSERT INTO legacy (name) VALUES (?)", [("alpha",), ("beta",), ("gamma",)]
    )
    conn.commit()
    conn.close()


# --- connect ---------------------------------------------------------------


@pytest.mark.parametrize("as_type", [str, Path], ids=["str", "Path"])
def test_connect_creates_missing_parent_folders(tmp_path, as_type):
    path = tmp_path / "a" / "b" / "fieldkit.db"
    with fieldkit.db.connect(as_type(path)) as db:
        db.table("settings").insert({"name": "x", "value": "1", "updated_at": STAMP})
    assert path.is_file()


@pytest.mark.parametrize(
    "pragma, check",
    [
        ("journal_mode", lambda v: v == "wal"),
        ("foreign_keys", lambda v: v == 1),
        ("busy_timeout", lambda v: v >= 5000),
    ],
    ids=["wal", "foreign_keys", "busy_timeout"],
)
def test_connect_sets_pragma(db, pragma, check):
    assert check(_pragma(db, pragma))


def test_connect_applies_every_migration(db):
    known = [m.name for m in fieldkit.migrations.migrations.pending(Database(memory=True))]
    applied = [name for (name,) in db.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
        [fieldkit.migrations.MIGRATION_SET])]
    assert applied == known
    assert known[0] == "0001_initial" and "0004_people" in known
    assert fieldkit.db.schema_version(db) == fieldkit.db.latest_version() == len(known)
    assert fieldkit.db.pending_migrations(db) == []


def test_connect_without_migrate_leaves_new_file_empty(db_path):
    with fieldkit.db.connect(db_path, migrate=False) as db:
        assert fieldkit.db.schema_version(db) == 0
        assert db.table_names() == []


def test_connect_closes_connection_after_block(db_path):
    with fieldkit.db.connect(db_path) as db:
        db.execute("SELECT 1")
    with pytest.raises(sqlite3.ProgrammingError):
        db.execute("SELECT 1")


def test_connect_closes_connection_when_block_raises(db_path):
    with pytest.raises(RuntimeError):
        with fieldkit.db.connect(db_path) as db:
            raise RuntimeError("boom")
    with pytest.raises(sqlite3.ProgrammingError):
        db.execute("SELECT 1")


def test_connect_directory_raises_database_error(tmp_path):
    folder = tmp_path / "not-a-file.db"
    folder.mkdir()
    with pytest.raises(DatabaseError) as info:
        with fieldkit.db.connect(folder):
            pass
    message = str(info.value)
    assert str(folder) in message
    assert "\n" not in message


def test_connect_garbage_file_raises_database_error_and_leaves_it_alone(tmp_path):
    path = tmp_path / "notes.db"
    garbage = b"this is a shopping list, not SQLite\n" * 200
    path.write_bytes(garbage)
    with pytest.raises(DatabaseError) as info:
        with fieldkit.db.connect(path):
            pass
    message = str(info.value)
    assert str(path) in message
    assert "not a database" in message
    assert path.read_bytes() == garbage
    assert _backups(tmp_path) == []


# --- migrations --------------------------------------------------------------


def test_migrate_reconnect_is_noop(db_path):
    with fieldkit.db.connect(db_path) as db:
        rows_before = _fieldkit_migration_rows(db)
    files_before = sorted(p.name for p in db_path.parent.iterdir())

    with fieldkit.db.connect(db_path) as db:
        assert fieldkit.db.migrate_db(db, db_path) is None
        assert _fieldkit_migration_rows(db) == rows_before
    assert sorted(p.name for p in db_path.parent.iterdir()) == files_before
    assert _backups(db_path.parent) == []


def test_migrate_new_file_gets_no_backup(db_path):
    with fieldkit.db.connect(db_path, migrate=False) as db:
        assert fieldkit.db.migrate_db(db, db_path) is None
        assert fieldkit.db.schema_version(db) == fieldkit.db.latest_version()
    assert _backups(db_path.parent) == []


def test_migrate_existing_file_backs_up_before_migrating(db_path):
    db_path.parent.mkdir(parents=True)
    _plain_sqlite_file_with_rows(db_path)

    with fieldkit.db.connect(db_path, migrate=False) as db:
        backup = fieldkit.db.migrate_db(db, db_path)
        assert fieldkit.db.schema_version(db) == fieldkit.db.latest_version()
        assert [r["name"] for r in db.table("legacy").rows] == ["alpha", "beta", "gamma"]

    assert backup is not None and backup.is_file()
    assert backup.parent == db_path.parent
    assert _backups(db_path.parent) == [backup]
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        names = {r[0] for r in copy.execute("SELECT name FROM sqlite_master")}
        rows = [r[0] for r in copy.execute("SELECT name FROM legacy ORDER BY id")]
    finally:
        copy.close()
    assert rows == ["alpha", "beta", "gamma"]
    # Taken before the migration ran: none of FieldKit's tables are in it.
    assert "people" not in names
    assert "_sqlite_migrations" not in names


def test_migrate_existing_file_through_connect_backs_up_once(db_path):
    db_path.parent.mkdir(parents=True)
    _plain_sqlite_file_with_rows(db_path)
    with fieldkit.db.connect(db_path) as db:
        assert fieldkit.db.pending_migrations(db) == []
    with fieldkit.db.connect(db_path):
        pass
    assert len(_backups(db_path.parent)) == 1


def test_migrate_without_path_makes_no_backup(db_path):
    db_path.parent.mkdir(parents=True)
    _plain_sqlite_file_with_rows(db_path)
    with fieldkit.db.connect(db_path, migrate=False) as db:
        assert fieldkit.db.migrate_db(db) is None
        assert fieldkit.db.schema_version(db) == fieldkit.db.latest_version()
    assert _backups(db_path.parent) == []


def test_migrate_failure_raises_database_error_and_adds_no_tables(db_path):
    # Someone else's file that happens to own a table FieldKit wants to create.
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE person_tags (x)")
    conn.commit()
    conn.close()

    with pytest.raises(DatabaseError, match="person_tags"):
        with fieldkit.db.connect(db_path):
            pass

    with fieldkit.db.connect(db_path, migrate=False) as db:
        assert fieldkit.db.schema_version(db) == 0
        created = (set(fieldkit.migrations.TABLES) - {"person_tags"}) & set(db.table_names())
        assert created == set()
    assert len(_backups(db_path.parent)) == 1


# --- schema ------------------------------------------------------------------


def test_schema_has_every_product_table(db):
    assert set(fieldkit.migrations.TABLES) <= set(db.table_names())


def test_schema_tables_lists_every_table_it_creates(db):
    # row_counts and `info` walk TABLES; a table missing from it goes unseen.
    bookkeeping = {"_sqlite_migrations"}
    fts = {n for n in db.table_names() if n.startswith("people_fts")}
    assert set(db.table_names()) - bookkeeping - fts == set(fieldkit.migrations.TABLES)


def _add_device(db, token_hash="a" * 64, created_at=STAMP, expires_at=LATER):
    db.execute("INSERT INTO devices (token_hash, created_at, expires_at, last_seen_at) "
               "VALUES (?, ?, ?, ?)", [token_hash, created_at, expires_at, created_at])


def test_schema_device_token_hash_is_unique(db):
    _add_device(db)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        _add_device(db)
    assert count(db, "devices") == 1


def test_schema_device_expiring_before_it_was_created_rejected(db):
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        _add_device(db, created_at=LATER, expires_at=STAMP)


def test_schema_device_columns_are_strict(db):
    with pytest.raises(sqlite3.IntegrityError, match="cannot store"):
        _add_device(db, token_hash=b"\x00" * 32)


def test_schema_foreign_key_missing_person_rejected(db):
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        add_touch(db, 999, STAMP)
    assert count(db, "touches") == 0


def test_schema_foreign_key_delete_person_cascades_to_touches(db):
    person = add_person(db)
    add_touch(db, person, STAMP)
    db.execute("DELETE FROM people WHERE id = ?", [person])
    assert count(db, "touches") == 0


@pytest.mark.parametrize(
    "name", ["", " ", "   ", "\t", "\n", " \t\r\n "],
    ids=["empty", "space", "spaces", "tab", "newline", "mixed_whitespace"],
)
def test_schema_person_blank_name_rejected(db, name):
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        add_person(db, name=name)


@pytest.mark.parametrize(
    "table, column",
    [
        ("people", "kind"),
        ("people", "status"),
        ("events", "kind"),
        ("touches", "kind"),
        ("touches", "channel"),
        ("followups", "reason"),
    ],
)
def test_schema_unknown_vocabulary_value_rejected(db, table, column):
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        _insert_with(db, table, column, "bogus")


@pytest.mark.parametrize(
    "due_on",
    ["tomorrow", "2026-3-5", "2026/03/05", "05.03.2026", "2026-03-05T00:00:00Z", ""],
)
def test_schema_followup_due_on_not_a_date_rejected(db, due_on):
    person = add_person(db)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        add_followup(db, person, due_on=due_on)


def test_schema_followup_due_on_date_accepted(db):
    add_followup(db, add_person(db), due_on="2026-12-31")
    assert count(db, "followups") == 1


def test_schema_event_ending_before_start_rejected(db):
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        add_event(db, starts_at=LATER, ends_at=STAMP)


def test_schema_event_ending_when_it_starts_accepted(db):
    add_event(db, starts_at=STAMP, ends_at=STAMP)
    assert count(db, "events") == 1


def _insert_with(db, table, column, value):
    if table == "people":
        return add_person(db, **{column: value})
    if table == "events":
        return add_event(db, **{column: value})
    if table == "touches":
        return add_touch(db, add_person(db), STAMP, **{column: value})
    if table == "followups":
        return add_followup(db, add_person(db), **{column: value})
    raise AssertionError(table)


VOCABULARY_CASES = [
    (table, column, key)
    for vocabulary, table, column in [
        (kinds.PERSON_KINDS, "people", "kind"),
        (kinds.PERSON_STATUSES, "people", "status"),
        (kinds.EVENT_KINDS, "events", "kind"),
        (kinds.TOUCH_KINDS, "touches", "kind"),
        (kinds.CHANNELS, "touches", "channel"),
        (kinds.FOLLOWUP_REASONS, "followups", "reason"),
    ]
    for key in vocabulary
]


@pytest.mark.parametrize(
    "table, column, value",
    VOCABULARY_CASES,
    ids=[f"{t}.{c}={v}" for t, c, v in VOCABULARY_CASES],
)
def test_schema_every_vocabulary_key_accepted(db, table, column, value):
    pk = _insert_with(db, table, column, value)
    assert db.table(table).get(pk)[column] == value


def test_schema_second_open_checkin_rejected(db):
    event = add_event(db)
    checkins = db.table("checkins")
    checkins.insert({"event_id": event, "checked_in_at": STAMP, "checked_out_at": LATER})
    checkins.insert({"event_id": event, "checked_in_at": STAMP, "checked_out_at": LATER})
    checkins.insert({"event_id": event, "checked_in_at": LATER})
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        checkins.insert({"event_id": event, "checked_in_at": LATER})
    assert count(db, "checkins") == 3


@pytest.mark.parametrize(
    "column, text, query",
    [
        ("name", "Grace Hopper", "hopper"),
        ("company", "Acme Hydraulics", "hydraulics"),
        ("title", "Head of Procurement", "procurement"),
        ("note", "asked about stainless pumps", "pumps"),
        ("name", "Siobhán Müller", "muller"),
    ],
    ids=["name", "company", "title", "note", "diacritics"],
)
def test_search_finds_person_by_column(db, column, text, query):
    add_person(db, name="Someone Else")
    target = add_person(db, **{column: text})
    found = [r["id"] for r in db.table("people").search(query, quote=True)]
    assert found == [target]


def test_search_follows_update_and_delete(db):
    person = add_person(db, note="asked about stainless pumps")
    people = db.table("people")
    people.update(person, {"note": "wants a quote for valves"})
    assert [r["id"] for r in people.search("valves", quote=True)] == [person]
    assert list(people.search("pumps", quote=True)) == []
    people.delete(person)
    assert list(people.search("valves", quote=True)) == []


HOSTILE_SEARCHES = [
    ("O'Brien \"AT&T\" (x) *", []),  # every word must be found, and nobody has them all
    ("O'Brien \"AT&T\"", ["obrien"]),
    ("AT&T", ["obrien"]),
    ("NEAR(", ["words"]),
    ("a OR", ["words"]),
    ("NOT", ["words"]),
    ("-x", ["words"]),
    ("^x", ["words"]),
    ("name:x", ["words"]),
    ("'", []),
    ('x"y', ["words"]),
]


@pytest.mark.parametrize("query, found", HOSTILE_SEARCHES, ids=[q for q, _ in HOSTILE_SEARCHES])
def test_search_punctuation_and_operators_are_plain_words(db, query, found):
    # Quoted, FTS5's syntax is only text: an operator is searched as a word,
    # punctuation separates words, and no query raises.
    ids = {"obrien": add_person(db, name="Siobhán O'Brien", company="AT&T"),
           "words": add_person(db, name="Nora Near", company="Not Or A Name X-Y")}
    assert [r["id"] for r in db.table("people").search(query, quote=True)] == [
        ids[who] for who in found]


def test_search_apostrophe_and_ampersand_find_person(db):
    person = add_person(db, name="Siobhán O'Brien", company="AT&T")
    people = db.table("people")
    assert [r["id"] for r in people.search("O'Brien", quote=True)] == [person]
    assert [r["id"] for r in people.search("AT&T", quote=True)] == [person]


@pytest.mark.parametrize(
    "table, name, columns, partial",
    [
        ("followups", "followups_open_due", ["due_on", "person_id"], 1),
        ("touches", "touches_person_at", ["person_id", "at"], 0),
    ],
)
def test_schema_index_exists(db, table, name, columns, partial):
    indexes = {i.name: i for i in db.table(table).indexes}
    assert indexes[name].columns == columns
    assert indexes[name].partial == partial


@pytest.mark.parametrize(
    "sql, index",
    [
        (
            "SELECT id FROM followups WHERE status = 'open' AND due_on <= ? ORDER BY due_on",
            "followups_open_due",
        ),
        ("SELECT id FROM touches WHERE person_id = ? ORDER BY at DESC", "touches_person_at"),
    ],
    ids=["open_due", "touches_person_at"],
)
def test_schema_index_used_by_query(db, sql, index):
    plan = " ".join(r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}", [1]).fetchall())
    assert index in plan


# --- the networking index and activity.NETWORKING_TOUCHES ---------------------


def test_networking_index_holds_the_networking_touches(db):
    # Migration 0003 spells the kinds out; the code reads them from activity.
    (sql,) = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'touches_networking_at'"
    ).fetchone()
    (listed,) = re.findall(r"kind IN \(([^)]*)\)", sql)
    assert tuple(k.strip().strip("'") for k in listed.split(",")) == activity.NETWORKING_TOUCHES
    assert f"kind IN {activity.NETWORKING_TOUCHES_SQL} AND undone_at IS NULL" in sql


def _plans(db, read) -> list[str]:
    """The query plan of every statement ``read(db)`` runs, one string each."""
    statements = []
    db.conn.set_trace_callback(statements.append)
    try:
        read(db)
    finally:
        db.conn.set_trace_callback(None)
    return [" ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
            for sql in statements if "touches" in sql]


@pytest.mark.parametrize(
    "read",
    [
        lambda db: activity.networking_days(db, "UTC"),
        lambda db: activity.networking_days(db, "Asia/Tokyo", date(2026, 3, 1)),
        lambda db: activity.is_networking_day(db, date(2026, 3, 1), "UTC"),
        lambda db: metrics.daily_activity(db, "UTC", date(2026, 3, 1), date(2026, 3, 7)),
    ],
    ids=["networking_days", "networking_days_since", "is_networking_day", "daily_activity"],
)
def test_networking_queries_use_the_networking_index(db, read):
    plans = _plans(db, read)
    assert len(plans) == 1
    assert "USING INDEX touches_networking_at" in plans[0]


# --- transaction -------------------------------------------------------------


def test_transaction_commits_on_success(db_path):
    with fieldkit.db.connect(db_path) as db:
        with fieldkit.db.transaction(db):
            add_person(db)
            add_person(db)
        assert not db.conn.in_transaction
    with fieldkit.db.connect(db_path) as other:
        assert count(other, "people") == 2


def test_transaction_rolls_back_on_exception(db):
    with pytest.raises(RuntimeError):
        with fieldkit.db.transaction(db):
            person = add_person(db)
            add_touch(db, person, STAMP)
            raise RuntimeError("halfway")
    assert not db.conn.in_transaction
    assert count(db, "people") == 0
    assert count(db, "touches") == 0


def test_transaction_rolls_back_on_integrity_error(db):
    with pytest.raises(sqlite3.IntegrityError):
        with fieldkit.db.transaction(db):
            add_person(db)
            add_touch(db, 999, STAMP)
    assert count(db, "people") == 0


def test_transaction_nested_inner_failure_rolls_back_only_inner(db):
    with fieldkit.db.transaction(db):
        add_person(db, name="outer before")
        try:
            with fieldkit.db.transaction(db):
                add_person(db, name="inner")
                raise RuntimeError("inner fails")
        except RuntimeError:
            pass
        add_person(db, name="outer after")
    names = [r["name"] for r in db.table("people").rows_where(order_by="id")]
    assert names == ["outer before", "outer after"]


def test_transaction_nested_outer_failure_rolls_back_inner_too(db):
    with pytest.raises(RuntimeError):
        with fieldkit.db.transaction(db):
            add_person(db, name="outer")
            with fieldkit.db.transaction(db):
                add_person(db, name="inner")
            raise RuntimeError("outer fails")
    assert count(db, "people") == 0


def test_transaction_takes_write_lock_before_first_write(db_path):
    with fieldkit.db.connect(db_path) as db:
        other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        try:
            with fieldkit.db.transaction(db):
                db.execute("SELECT count(*) FROM people").fetchone()
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


# --- page_cache --------------------------------------------------------------


def _cache_size(db):
    return db.execute("PRAGMA cache_size").fetchone()[0]


def test_page_cache_raises_size_for_block_then_restores(db):
    db.execute("PRAGMA cache_size = -2000")
    with fieldkit.db.page_cache(db, 32):
        assert _cache_size(db) == -32 * 1024
    assert _cache_size(db) == -2000


def test_page_cache_restores_size_when_block_raises(db):
    db.execute("PRAGMA cache_size = -2000")
    with pytest.raises(RuntimeError):
        with fieldkit.db.page_cache(db, 32):
            raise RuntimeError("halfway")
    assert _cache_size(db) == -2000


# 64 MiB as KiB (negative) or as pages of 4 KiB (positive)
@pytest.mark.parametrize("larger", [-64 * 1024, 16 * 1024])
def test_page_cache_keeps_larger_size(db, larger):
    db.execute(f"PRAGMA cache_size = {larger}")
    with fieldkit.db.page_cache(db, 32):
        assert _cache_size(db) == larger
    assert _cache_size(db) == larger


def test_page_cache_size_in_pages_restored_as_pages(db):
    db.execute("PRAGMA cache_size = 100")
    with fieldkit.db.page_cache(db, 32):
        assert _cache_size(db) == -32 * 1024
    assert _cache_size(db) == 100


# --- backup_to and row_counts ------------------------------------------------


def test_backup_to_copies_rows_and_opens(db, tmp_path):
    person = add_person(db)
    add_touch(db, person, STAMP)
    add_followup(db, person)
    add_event(db)
    target = tmp_path / "backups" / "nested" / "copy.db"

    assert fieldkit.db.backup_to(db, target) == target

    assert not target.with_name(target.name + ".partial").exists()
    with fieldkit.db.connect(target) as copy:
        assert _pragma(copy, "integrity_check") == "ok"
        assert fieldkit.db.row_counts(copy) == fieldkit.db.row_counts(db)
        assert [r["id"] for r in copy.table("people").search("lovelace", quote=True)] == [
            person
        ]
    assert _backups(target.parent) == []


def test_backup_to_leaves_out_uncommitted_writes(db_path, tmp_path):
    with fieldkit.db.connect(db_path) as db:
        add_person(db)
        add_person(db)
        writer = sqlite3.connect(db_path, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute(
                "INSERT INTO people (uid, name, met_at, created_at, updated_at) "
                "VALUES ('pending', 'Not Yet', ?, ?, ?)",
                [STAMP, STAMP, STAMP],
            )
            target = fieldkit.db.backup_to(db, tmp_path / "copy.db")
            writer.execute("ROLLBACK")
        finally:
            writer.close()
    with fieldkit.db.connect(target) as copy:
        assert count(copy, "people") == 2


def test_row_counts_lists_every_table(db):
    add_person(db)
    add_person(db)
    counts = fieldkit.db.row_counts(db)
    assert list(counts) == list(fieldkit.migrations.TABLES)
    assert counts["people"] == 2
    # ... and the phones' change log notes their two cards.
    assert sum(counts.values()) == 2 + counts["dav_changes"] == 4


def test_memory_database_is_migrated():
    db = fieldkit.db.memory()
    try:
        assert fieldkit.db.pending_migrations(db) == []
        assert _pragma(db, "foreign_keys") == 1
    finally:
        db.close()

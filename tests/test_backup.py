"""fieldkit.backup: consistent copies, checking uploads, restoring without losing anything."""

import hashlib
import random
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlite_utils import Migrations

import fieldkit.db
import fieldkit.migrations
from fieldkit import access, backup
from fieldkit.backup import BackupError, RestoreError
from tests.factory import NOW, save_card


def names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)  # read-write, so closing removes any WAL it opened
    try:
        return [n for (n,) in conn.execute("SELECT name FROM people ORDER BY id")]
    finally:
        conn.close()


def make_db(path: Path, *people: str) -> Path:
    """A closed, checkpointed FieldKit file holding ``people``."""
    with fieldkit.db.connect(path) as db:
        for name in people:
            save_card(db, name)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def good_backup(tmp_path_factory) -> bytes:
    source = make_db(tmp_path_factory.mktemp("source") / "fieldkit.db", "Restored Rita",
                     "Restored Rob")
    with fieldkit.db.connect(source) as db:
        return backup.backup_bytes(db)


# --- backup -------------------------------------------------------------------

def test_backup_bytes_is_a_self_contained_fieldkit_file(db):
    save_card(db, "Ada Okafor")
    data = backup.backup_bytes(db)
    assert data.startswith(b"SQLite format 3\x00")
    assert data[18:20] == b"\x01\x01"  # rollback journal: no WAL needed beside it
    info = backup.check_upload(data)
    assert info.people == 1 and info.open_followups == 1
    assert info.schema_version == info.latest_version == fieldkit.db.latest_version()
    assert info.sha256 == hashlib.sha256(data).hexdigest()


def test_describe_says_what_a_backup_holds():
    info = backup.Upload(size=2 * 1048576, sha256="0" * 64, schema_version=1, latest_version=2,
                         people=1200, events=30, touches=5400, open_followups=75)
    assert backup.describe(info) == (
        "A FieldKit backup of 2.0 MB: 1,200 people, 30 events, 5,400 touches, 75 open "
        "follow-ups. Its schema (version 1) is updated to version 2 when restored.")
    small = backup.Upload(size=20480, sha256="0" * 64, schema_version=2, latest_version=2,
                          people=1, events=0, touches=1, open_followups=1)
    assert backup.describe(small) == ("A FieldKit backup of 20 KB: 1 person, 0 events, "
                                      "1 touch, 1 open follow-up.")


def test_backup_while_another_connection_writes(tmp_path):
    path = make_db(tmp_path / "live.db", *[f"Person {i}" for i in range(20)])
    started, stop = threading.Event(), threading.Event()
    errors = []

    def writer():
        try:
            with fieldkit.db.connect(path) as db:
                n = 0
                while not stop.is_set():
                    save_card(db, f"Writer {n}")
                    n += 1
                    if n == 3:
                        started.set()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            started.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert started.wait(10)
        with fieldkit.db.connect(path) as db:
            committed = {n for (n,) in db.execute("SELECT name FROM people")}
            data = backup.backup_bytes(db)
    finally:
        stop.set()
        thread.join(10)
    assert not errors
    copy = tmp_path / "copy.db"
    copy.write_bytes(data)
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        held = {n for (n,) in conn.execute("SELECT name FROM people")}
        # Every person saved comes with exactly one touch and one follow-up.
        counts = conn.execute("SELECT (SELECT count(*) FROM people), "
                              "(SELECT count(*) FROM touches), "
                              "(SELECT count(*) FROM followups)").fetchone()
    finally:
        conn.close()
    assert committed <= held
    assert counts[0] == counts[1] == counts[2]


def test_backup_file_writes_a_copy_and_refuses_the_database_itself(db, tmp_path):
    save_card(db, "Ada Okafor")
    target = backup.backup_file(db, tmp_path / "backups" / "copy.db")
    assert names(target) == ["Ada Okafor"]
    assert not list(target.parent.glob("*.partial"))
    live = Path(db.execute("PRAGMA database_list").fetchone()[2])
    with pytest.raises(BackupError):
        backup.backup_file(db, live)


def test_backup_filename_has_a_utc_stamp():
    assert backup.backup_filename(NOW) == "fieldkit-backup-20260310T140000Z.db"


# --- checking uploads -----------------------------------------------------------

def plain_sqlite(tmp_path) -> bytes:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not FieldKit')")
    conn.commit()
    conn.close()
    return path.read_bytes()


def edited_backup(tmp_path, data: bytes, *sql: str) -> bytes:
    path = tmp_path / "edited.db"
    path.write_bytes(data)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    for statement in sql:
        conn.execute(statement)
    conn.close()
    return path.read_bytes()


def corrupted(tmp_path, data: bytes) -> bytes:
    """The backup with the people table's first page overwritten."""
    path = tmp_path / "corrupt.db"
    path.write_bytes(data)
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'people'").fetchone()[0]
    conn.close()
    broken = bytearray(data)
    start = (root - 1) * page_size
    broken[start:start + page_size] = bytes([0xA5]) * page_size
    return bytes(broken)


def bad_file(case: str, tmp_path: Path, good: bytes) -> tuple[bytes, str]:
    """The bytes of one kind of bad upload, and words its error message holds."""
    page_size = int.from_bytes(good[16:18], "big")
    makers = {
        "random bytes": lambda: (random.Random(7).randbytes(8192), "not an SQLite database"),
        "text": lambda: (b"First Name,Last Name\r\nAda,Okafor\r\n", "not an SQLite database"),
        "empty": lambda: (b"", "empty"),
        "a header only": lambda: (good[:60], "truncated"),
        "truncated mid-page": lambda: (good[:len(good) // 2 + 100], "truncated"),
        "truncated at a page": lambda: (good[:page_size * 3], "truncated"),
        "non-FieldKit SQLite": lambda: (plain_sqlite(tmp_path), "not made by FieldKit"),
        "corrupted page": lambda: (corrupted(tmp_path, good), "damaged"),
        "newer schema": lambda: (edited_backup(
            tmp_path, good,
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('fieldkit', '9999_from_the_future', '2030-01-01')"),
            "made by a newer FieldKit"),
        "missing tables": lambda: (edited_backup(tmp_path, good, "DROP TABLE followups"),
                                   "followups table\\(s\\) are missing"),
        "missing columns": lambda: (edited_backup(tmp_path, good,
                                                  "ALTER TABLE people DROP COLUMN website"),
                                    "people table lacks website"),
    }
    return makers[case]()


CASES = ["random bytes", "text", "empty", "a header only", "truncated mid-page",
         "truncated at a page", "non-FieldKit SQLite", "corrupted page", "newer schema",
         "missing tables", "missing columns"]


@pytest.mark.parametrize("case", CASES)
def test_check_upload_rejects_bad_files(tmp_path, good_backup, case):
    data, words = bad_file(case, tmp_path, good_backup)
    with pytest.raises(RestoreError, match=words):
        backup.check_upload(data)


def test_check_upload_accepts_a_backup_that_says_wal(tmp_path):
    # A copy taken with `python -m fieldkit backup` keeps the live file's WAL flag.
    path = make_db(tmp_path / "a.db", "Ada Okafor")
    with fieldkit.db.connect(path) as db:
        fieldkit.db.backup_to(db, tmp_path / "raw.db")
    data = (tmp_path / "raw.db").read_bytes()
    assert data[18:20] == b"\x02\x02"
    assert backup.check_upload(data).people == 1


# --- restoring ------------------------------------------------------------------

def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()
                  if p.name.startswith(".") or p.name.endswith((".tmp", "-wal", "-shm",
                                                                 "-journal")))


def test_restore_replaces_the_database_and_keeps_the_old_one(tmp_path, good_backup):
    path = make_db(tmp_path / "data" / "fieldkit.db", "Old Olga")
    path.chmod(0o640)
    kept = backup.restore(path, good_backup, now=NOW, filename="fieldkit-backup.db")
    assert path.stat().st_mode & 0o777 == 0o640
    assert kept == path.with_name("fieldkit.before-restore-20260310T140000Z.db")
    assert names(kept) == ["Old Olga"]
    assert names(path) == ["Restored Rita", "Restored Rob"]
    with fieldkit.db.connect(path, migrate=False) as db:
        assert fieldkit.db.pending_migrations(db) == []
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        run = db.execute("SELECT kind, filename, sha256, at FROM import_runs").fetchall()
    assert run == [("restore", "fieldkit-backup.db", hashlib.sha256(good_backup).hexdigest(),
                    "2026-03-10T14:00:00Z")]
    assert leftovers(path.parent) == []


def test_restore_into_an_empty_folder(tmp_path, good_backup):
    path = tmp_path / "new" / "fieldkit.db"
    assert backup.restore(path, good_backup, now=NOW) is None
    assert names(path) == ["Restored Rita", "Restored Rob"]


def test_restore_keeps_rows_that_were_only_in_the_old_wal(tmp_path, good_backup):
    """The old file's WAL ends up in the kept copy, and never in the new database."""
    path = make_db(tmp_path / "fieldkit.db", "Checkpointed Carl")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("UPDATE people SET name = 'Only In Wal' WHERE id = 1")
    # Snapshot the files as a crash would leave them: the change only in the WAL.
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for suffix in ("", "-wal"):
        shutil.copyfile(f"{path}{suffix}", crashed / f"fieldkit.db{suffix}")
    conn.close()
    path = crashed / "fieldkit.db"
    assert Path(f"{path}-wal").stat().st_size > 0
    kept = backup.restore(path, good_backup, now=NOW)
    assert names(kept) == ["Only In Wal"]
    assert names(path) == ["Restored Rita", "Restored Rob"]
    with fieldkit.db.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_restore_migrates_an_older_backup(tmp_path, good_backup, monkeypatch):
    latest = fieldkit.db.latest_version()
    newer = Migrations(fieldkit.migrations.MIGRATION_SET)
    for migration in fieldkit.migrations.migrations._migrations:
        newer(name=migration.name)(migration.fn)

    @newer(name="9999_test_extra")
    def _extra(db):
        db.execute("CREATE TABLE test_extra (id INTEGER PRIMARY KEY)")

    monkeypatch.setattr(fieldkit.db, "migrations", newer)
    monkeypatch.setattr(backup, "migrations", newer)
    info = backup.check_upload(good_backup)
    assert (info.schema_version, info.latest_version, info.needs_migration) == (
        latest, latest + 1, True)
    path = tmp_path / "fieldkit.db"
    backup.restore(path, good_backup, now=NOW)
    with fieldkit.db.connect(path, migrate=False) as db:
        assert fieldkit.db.schema_version(db) == latest + 1
        assert db.table("test_extra").exists()
    assert names(path) == ["Restored Rita", "Restored Rob"]


def test_restore_of_a_first_version_backup_renames_contacts_to_people(tmp_path):
    # tests/fixtures/schema_v1.db: the sample under migration 0001 only, when
    # people were kept in a table called contacts.
    data = (Path(__file__).with_name("fixtures") / "schema_v1.db").read_bytes()
    with sqlite3.connect(Path(__file__).with_name("fixtures") / "schema_v1.db") as old:
        before = old.execute("SELECT id, name, company FROM contacts ORDER BY id").fetchall()
        tagged = old.execute("SELECT contact_id, tag FROM contact_tags ORDER BY 1, 2").fetchall()
    info = backup.check_upload(data)
    assert (info.schema_version, info.needs_migration) == (1, True)
    assert info.people == len(before) == 160
    path = tmp_path / "fieldkit.db"
    backup.restore(path, data, now=NOW)
    with fieldkit.db.connect(path, migrate=False) as db:
        assert fieldkit.db.pending_migrations(db) == []
        assert db.execute("SELECT id, name, company FROM people ORDER BY id").fetchall() == before
        assert db.execute(
            "SELECT person_id, tag FROM person_tags ORDER BY 1, 2").fetchall() == tagged
        assert not db.table("contacts").exists()
        name = before[0][1]
        assert [r["id"] for r in db.table("people").search(name, quote=True)][:1] == [1]


@pytest.mark.parametrize("case", CASES)
def test_restore_of_a_bad_file_changes_nothing(tmp_path, good_backup, case):
    data, words = bad_file(case, tmp_path, good_backup)
    path = make_db(tmp_path / "data" / "fieldkit.db", "Old Olga", "Old Otto")
    before, files = sha(path), sorted(path.parent.iterdir())
    with pytest.raises(RestoreError, match=words):
        backup.restore(path, data, now=NOW)
    assert sha(path) == before
    assert sorted(path.parent.iterdir()) == files
    with fieldkit.db.connect(path) as db:
        assert fieldkit.db.row_counts(db)["people"] == 2


def test_restore_waits_for_and_refuses_a_database_in_use(tmp_path, good_backup):
    path = make_db(tmp_path / "data" / "fieldkit.db", "Old Olga")
    with fieldkit.db.connect(path) as db:
        with pytest.raises(RestoreError, match="in use"):
            backup.restore(path, good_backup, now=NOW, wait=0.2)
        assert [n for (n,) in db.execute("SELECT name FROM people")] == ["Old Olga"]
    assert names(path) == ["Old Olga"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["fieldkit.db"]


def test_restore_over_a_damaged_database_keeps_its_bytes(tmp_path, good_backup):
    path = tmp_path / "fieldkit.db"
    path.write_bytes(b"this was a database once" * 100)
    kept = backup.restore(path, good_backup, now=NOW)
    assert kept.read_bytes() == b"this was a database once" * 100
    assert names(path) == ["Restored Rita", "Restored Rob"]


# --- the server's password survives a restore ------------------------------------

def _stamp(path):
    with fieldkit.db.connect(path, migrate=False) as db:
        return access.password_stamp(db)


@pytest.mark.parametrize("backup_password", [None, "the backup's own password"])
def test_restore_keeps_the_servers_password(tmp_path, good_backup, backup_password):
    data = good_backup
    if backup_password:
        source = make_db(tmp_path / "other" / "fieldkit.db", "Pat Password")
        with fieldkit.db.connect(source) as db:
            access.set_password(db, backup_password)
            data = backup.backup_bytes(db)
    path = make_db(tmp_path / "data" / "fieldkit.db", "Old Olga")
    with fieldkit.db.connect(path) as db:
        access.set_password(db, "the server's password")
    before = _stamp(path)
    backup.restore(path, data, now=NOW)
    assert _stamp(path) == before


def test_restore_onto_an_open_server_stays_open(tmp_path, good_backup):
    source = make_db(tmp_path / "other" / "fieldkit.db", "Pat Password")
    with fieldkit.db.connect(source) as db:
        access.set_password(db, "the backup's own password")
        data = backup.backup_bytes(db)
    path = make_db(tmp_path / "data" / "fieldkit.db", "Old Olga")
    backup.restore(path, data, now=NOW)
    assert _stamp(path) is None


def _device_hashes(path):
    with fieldkit.db.connect(path, migrate=False) as db:
        return [h for (h,) in db.execute("SELECT token_hash FROM devices ORDER BY id")]


def test_restore_keeps_the_servers_devices_and_drops_the_backups(tmp_path):
    source = make_db(tmp_path / "other" / "fieldkit.db", "Pat Password")
    with fieldkit.db.connect(source) as db:
        access.set_password(db, "the backup's own password")
        access.sign_in_device(db, "the backup's own password", client="192.0.2.10", now=NOW)
        data = backup.backup_bytes(db)
    path = make_db(tmp_path / "data" / "fieldkit.db", "Old Olga")
    with fieldkit.db.connect(path) as db:
        access.set_password(db, "the server's password")
        token = access.sign_in_device(db, "the server's password", client="192.0.2.10", now=NOW)
    backup.restore(path, data, now=NOW)
    assert _device_hashes(path) == [access.token_hash(token)]
    with fieldkit.db.connect(path) as db:
        assert access.device_signed_in(db, token, now=NOW) is True


def test_restore_over_an_unreadable_file_brings_no_device(tmp_path):
    source = make_db(tmp_path / "other" / "fieldkit.db", "Pat Password")
    with fieldkit.db.connect(source) as db:
        access.set_password(db, "the backup's own password")
        access.sign_in_device(db, "the backup's own password", client="192.0.2.10", now=NOW)
        data = backup.backup_bytes(db)
    path = tmp_path / "data" / "fieldkit.db"
    path.parent.mkdir()
    path.write_bytes(b"this was a database once" * 100)
    backup.restore(path, data, now=NOW)
    assert _device_hashes(path) == []

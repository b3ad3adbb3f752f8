"""The change counter that keys the page caches: any commit, from anywhere, moves it."""

import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing

from fieldkit import changes, db


def _commit(path, name="x"):
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("INSERT INTO settings (name, value, updated_at) VALUES (?, '1', 'now') "
                     "ON CONFLICT (name) DO UPDATE SET value = value + 1", [name])


def test_nothing_committed_keeps_the_generation(db_path):
    with db.connect(db_path):
        pass
    watcher = changes.Watcher(db_path)
    first = watcher.generation()
    assert watcher.generation() == first
    with closing(sqlite3.connect(db_path)) as reader:
        reader.execute("SELECT count(*) FROM people").fetchall()
    assert watcher.generation() == first


def test_a_commit_from_another_connection_moves_it(db_path):
    with db.connect(db_path):
        pass
    watcher = changes.Watcher(db_path)
    first = watcher.generation()
    _commit(db_path)
    second = watcher.generation()
    assert second != first
    assert watcher.generation() == second


def test_a_rolled_back_write_does_not_move_it(db_path):
    with db.connect(db_path) as conn:
        watcher = changes.Watcher(db_path)
        first = watcher.generation()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO settings (name, value, updated_at) VALUES ('y', '1', 'now')")
        conn.execute("ROLLBACK")
    assert watcher.generation() == first


def test_a_commit_from_another_process_moves_it(db_path):
    with db.connect(db_path):
        pass
    watcher = changes.Watcher(db_path)
    first = watcher.generation()
    code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
            "c.execute(\"INSERT INTO settings (name, value, updated_at) VALUES ('p', '1', 'now')\")")
    subprocess.run([sys.executable, "-c", code, str(db_path)], check=True)
    assert watcher.generation() != first


def test_a_file_replaced_on_disk_moves_it(db_path, tmp_path):
    with db.connect(db_path):
        pass
    other = tmp_path / "other.db"
    with db.connect(other):
        pass
    watcher = changes.Watcher(db_path)
    first = watcher.generation()
    os.replace(other, db_path)  # what a restore does
    assert watcher.generation() != first


def test_one_watcher_serves_many_threads(db_path):
    with db.connect(db_path):
        pass
    watcher = changes.Watcher(db_path)
    seen, errors = [], []

    def ask():
        try:
            for _ in range(50):
                seen.append(watcher.generation())
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    _commit(db_path)
    for thread in threads:
        thread.join()
    assert not errors
    assert watcher.generation() >= max(seen)
    watcher.close()


def test_remember_computes_again_only_after_a_commit(db_path):
    with db.connect(db_path):
        pass
    watcher = changes.Watcher(db_path)
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert watcher.remember("n", compute) == 1
    assert watcher.remember("n", compute) == 1  # nothing committed: kept
    _commit(db_path)
    assert watcher.remember("n", compute) == 2
    assert watcher.remember("n", compute) == 2
    assert watcher.remember("other", compute) == 3  # each name on its own
    assert len(calls) == 3


def test_released_lets_go_of_the_file_and_holds_other_threads_until_it_ends(db_path, tmp_path):
    with db.connect(db_path):
        pass
    watcher = changes.Watcher(db_path)
    first = watcher.generation()
    asked: list[int] = []
    with watcher.released():
        # No connection of the watcher's is open: switching the journal mode
        # needs the file alone, as a restore does.
        with closing(sqlite3.connect(db_path, isolation_level=None, timeout=0)) as alone:
            assert alone.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
            alone.execute("PRAGMA journal_mode = WAL")
        other = threading.Thread(target=lambda: asked.append(watcher.generation()))
        other.start()
        other.join(0.2)
        assert other.is_alive() and asked == []  # waits for the block to end
        replacement = tmp_path / "replacement.db"
        with db.connect(replacement):
            pass
        os.replace(replacement, db_path)
    other.join(5)
    assert len(asked) == 1 and asked[0] > first  # a new file is a change
    assert watcher.generation() == asked[0]

"""A writer killed with SIGKILL in the middle of writes loses nothing it acknowledged.

A child process saves cards in a loop through the core (tests/writer.py) and
prints each card's id once ``cards.save`` has returned. The test kills it
after a number of acknowledgements, while it is writing the next card, then
opens the file: it passes ``PRAGMA integrity_check``, holds every
acknowledged card, and no card is half there.
"""

import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

import fieldkit.db

ROOT = Path(__file__).resolve().parents[1]


def _write_until_killed(path, acks_before_kill, stall):
    """Run a card writer, SIGKILL it after that many acks; return every card it acked.

    With ``stall`` the kill comes while the next card is half written inside
    its transaction; otherwise wherever the writer happens to be.
    """
    stall_args = ["--stall-in-card", str(acks_before_kill)] if stall else []
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "writer.py"), str(path), "0", "1000000",
         "--cards-only", *stall_args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
    )
    try:
        acks = []
        while len(acks) < acks_before_kill:
            line = child.stdout.readline()
            assert line, child.stderr.read()
            acks.append(line)
        if stall:
            assert child.stdout.readline() == "stalled\n", child.stderr.read()
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    # Lines printed whole before the kill were acknowledged too; a torn last
    # line was not.
    acks += [line for line in out.splitlines(keepends=True) if line.endswith("\n")]
    return [line.split(" ", 2)[1:] for line in acks]


@pytest.mark.parametrize("acks_before_kill, stall", [
    (3, False), (30, False), (0, True), (7, True),
], ids=["after-3", "after-30", "first-card-half-written", "8th-card-half-written"])
def test_killed_writer_leaves_intact_file_with_every_acknowledged_card(db_path,
                                                                     acks_before_kill, stall):
    with fieldkit.db.connect(db_path):
        pass
    acked = _write_until_killed(db_path, acks_before_kill, stall)
    assert len(acked) >= acks_before_kill

    # Straight after the kill, as the next process to open the file finds it.
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    with fieldkit.db.connect(db_path) as db:
        people = dict(db.execute("SELECT id, name FROM people").fetchall())
        for person_id, name in acked:
            assert people.get(int(person_id)) == name.rstrip("\n")
        # The card being written at the kill is there whole or not at all;
        # one killed half-way through its transaction is not there.
        if stall:
            assert len(people) == len(acked)
        else:
            assert len(people) - len(acked) in (0, 1)
        whole = db.execute(
            "SELECT count(*) FROM people c WHERE EXISTS (SELECT 1 FROM touches t "
            "WHERE t.person_id = c.id AND t.kind = 'met') AND EXISTS (SELECT 1 FROM "
            "followups f WHERE f.person_id = c.id AND f.status = 'open')"
        ).fetchone()[0]
        assert whole == len(people)
        assert db.execute("SELECT count(*) FROM touches").fetchone()[0] == len(people)

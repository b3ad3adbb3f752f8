"""The mailbox synced in the background (fieldkit.mail_schedule, fieldkit.web.background)."""

import asyncio
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from fieldkit import clock, config, db as fdb, mail_account, mail_schedule, mail_sync, mailbox
from fieldkit.web import background
from tests.browser.launcher import Server
from tests.mailserver import PASSWORD, message

T = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("connected, last, minutes, expected", [
    (False, None, 15, None),
    (False, T - timedelta(days=1), 15, None),
    (True, None, 15, T),  # never synced: now
    (True, T - timedelta(minutes=20), 15, T),  # overdue: now
    (True, T - timedelta(minutes=5), 15, T + timedelta(minutes=10)),
    (True, T - timedelta(minutes=5), 60, T + timedelta(minutes=55)),
])
def test_next_sync(connected, last, minutes, expected):
    assert mail_schedule.next_sync(connected, last, minutes, T) == expected


@pytest.fixture
def connected(tmp_path, mail_server):
    path = tmp_path / "fieldkit.db"
    with fdb.connect(path) as conn:
        mail_account.connect(conn, path, mailbox.account(
            mail_server.host, mail_server.port, mail_server.user, "none"), PASSWORD)
    return path


@pytest.fixture
def scheduler_stopped():
    yield
    mail_schedule.stop()
    assert not [t for t in threading.enumerate() if t.name == "fieldkit-mail-sync"]


def finished(path):
    with fdb.connect(path) as conn:
        return conn.execute("SELECT sync_finished_at, sync_result FROM mailbox").fetchone()


def wait_for(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return found


@pytest.mark.real_clock  # the sync runs as a process of its own
def test_the_scheduler_syncs_a_connected_mailbox_in_a_process_of_its_own(
        connected, mail_server, scheduler_stopped):
    when = clock.utc_now() - timedelta(hours=1)
    mail_server.deliver("INBOX", message(date=when), when=when)

    mail_schedule.start(lambda: connected)

    at, result = wait_for(lambda: finished(connected)[0] and finished(connected))
    assert result == "Read 1 message (first sync): 0 email attempts, 0 replies, 0 bounces logged."
    assert at is not None


def test_the_scheduler_starts_once_and_stops_cleanly(tmp_path, scheduler_stopped):
    first = mail_schedule.start(lambda: tmp_path / "none.db")
    again = mail_schedule.start(lambda: tmp_path / "other.db")
    assert again is first and first.alive
    assert [t.name for t in threading.enumerate()].count("fieldkit-mail-sync") == 1

    started = time.monotonic()
    mail_schedule.stop()
    assert not first.alive and time.monotonic() - started < 2
    assert not (tmp_path / "none.db").exists()  # looking creates no database


def test_stopping_ends_the_sync_it_started(connected, monkeypatch, scheduler_stopped):
    children = []

    def slow(path):
        children.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]))
        return children[-1]

    monkeypatch.setattr(mail_schedule, "start_sync", slow)
    mail_schedule.start(lambda: connected)
    wait_for(lambda: children)

    started = time.monotonic()
    mail_schedule.stop()

    assert children[0].poll() is not None and time.monotonic() - started < 5


def test_the_scheduler_waits_the_setting_between_syncs(connected, scheduler_stopped):
    with fdb.connect(connected) as conn:
        config.save(conn, {"mail_sync_minutes": 30})
        conn.execute("UPDATE mailbox SET sync_started_at = ?", [clock.now_iso()])
    spawned = []
    original = mail_schedule.start_sync
    mail_schedule.start_sync = lambda path: spawned.append(path)
    try:
        mail_schedule.start(lambda: connected)
        time.sleep(1)
    finally:
        mail_schedule.start_sync = original
    assert spawned == []


def test_sync_now_starts_one_sync_at_a_time(connected):
    with mail_sync._lock(connected):  # a sync from the command line, say
        assert mail_schedule.start_sync(connected) is None
        assert mail_schedule.running(connected)
    child = mail_schedule.start_sync(connected)
    assert child is not None
    assert mail_schedule.start_sync(connected) is None  # still running
    child.wait(timeout=30)
    assert mail_schedule.wait_idle(connected, 5)
    assert finished(connected)[1].startswith("Nothing new.")


def test_the_servers_lifespan_starts_and_stops_the_scheduler(tmp_path, scheduler_stopped):
    async def serve():
        async with background.lifespan(lambda: tmp_path / "none.db")(None):
            running = mail_schedule._scheduler
            assert running is not None and running.alive
        return running

    # A thread of its own: another test may have left this one's event loop running.
    found = []
    serving = threading.Thread(target=lambda: found.append(asyncio.run(serve())))
    serving.start()
    serving.join(timeout=30)
    scheduler, = found
    assert not scheduler.alive and mail_schedule._scheduler is None


@pytest.mark.real_clock  # the server and its sync keep the real clock
def test_a_served_fieldkit_syncs_the_mailbox_in_the_background(connected, mail_server,
                                                              tmp_path):
    when = clock.utc_now() - timedelta(hours=1)
    mail_server.deliver("INBOX", message(date=when), when=when)
    server = Server(connected, tmp_path / "server.log")
    try:
        server.wait_healthy(timeout=60)
        at, result = wait_for(lambda: finished(connected)[0] and finished(connected), 60)
        assert result.startswith("Read 1 message (first sync)")
    finally:
        server.stop()
    assert server.process.returncode is not None

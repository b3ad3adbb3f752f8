"""Shared fixtures: migrated and sample databases, for the core and for pages.

Each name means one thing:

    db                   a migrated, empty database, open; private to the test
    db_path              where a test may create a database file; nothing there yet
    app_db               path of the app's database (FIELDKIT_DB): migrated, empty
    sample_db            path of the app's database holding the sample, anchored today
    sample_day_file      path of the shared template: the sample anchored on SAMPLE_DAY
    sample_day_readonly  that template open read-only, shared by the tests that only read
    sample_day_db        a private copy of that template, open, for tests that write

``pytest --today=YYYY-MM-DD`` runs the suite as if it were that day (the clock
of this process moves; browser tests, whose servers keep the real clock, are
left out, as are tests marked ``real_clock``, which hand work to another
process or a mail server that keeps it): the way to prove that tests pass on
any day.
"""

import itertools
import shutil
import sqlite3
from datetime import date, datetime, timezone

import pytest
import streamlit as st
from sqlite_utils import Database

import fieldkit.clock
import fieldkit.config
import fieldkit.db
import fieldkit.sample
from tests.factory import SAMPLE_DAY


def pytest_addoption(parser):
    parser.addoption("--today", metavar="YYYY-MM-DD",
                     help="run as if today were this day (browser tests are left out)")


def pytest_configure(config):
    config.addinivalue_line("markers", "real_clock: needs another process on the real clock "
                                       "(left out under --today)")
    if (day := config.getoption("--today")) is None:
        return
    real = fieldkit.clock.utc_now
    now = real()
    shift = datetime.combine(date.fromisoformat(day), now.time(), timezone.utc) - now
    fieldkit.clock.utc_now = lambda: real() + shift


def pytest_collection_modifyitems(config, items):
    if config.getoption("--today") is None:
        return
    kept = [item for item in items if not item.nodeid.startswith("tests/browser/")
            and item.get_closest_marker("real_clock") is None]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


@pytest.fixture(scope="session")
def _migrated_file(tmp_path_factory):
    # Migrating costs ~0.1 s; do it once and copy the closed, checkpointed file.
    path = tmp_path_factory.mktemp("template") / "fieldkit.db"
    with fieldkit.db.connect(path):
        pass
    return path


def _open_copy(template, path):
    """Open a private copy of a template database file."""
    shutil.copyfile(template, path)
    return fieldkit.db.connect(path)


@pytest.fixture
def db(tmp_path, _migrated_file):
    """A migrated FieldKit database in a temp file, open for the test."""
    with _open_copy(_migrated_file, tmp_path / "fieldkit.db") as database:
        yield database


@pytest.fixture
def db_path(tmp_path):
    """Where a fresh database file may be created; nothing exists there yet."""
    # Not the file the `db` fixture opens, so a test may ask for both.
    return tmp_path / "fresh" / "fieldkit.db"


@pytest.fixture(scope="session")
def _sample_today_file(tmp_path_factory):
    # The template sample_db copies; anchored on the day the tests run, as the app's button.
    path = tmp_path_factory.mktemp("sample-template") / "fieldkit.db"
    with fieldkit.db.connect(path) as database:
        fieldkit.sample.fill(database, 1)
    return path


@pytest.fixture
def app_db(tmp_path, monkeypatch, _migrated_file):
    """The app's database (FIELDKIT_DB) in a fresh migrated file; Streamlit caches cleared."""
    path = tmp_path / "app.db"
    shutil.copyfile(_migrated_file, path)
    monkeypatch.setenv(fieldkit.config.DB_ENV, str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    return path


@pytest.fixture
def sample_db(app_db, _sample_today_file):
    """The app's database holding the sample data set (scale 1, anchored today)."""
    shutil.copyfile(_sample_today_file, app_db)
    return app_db


@pytest.fixture(scope="session")
def sample_day_file(tmp_path_factory):
    """The sample at scale 1 anchored on SAMPLE_DAY, filled once per test run.

    Every later test shares this file: read it through ``sample_day_readonly``
    or copy it (``sample_day_db``), never open it for writing.
    """
    path = tmp_path_factory.mktemp("sample-day") / "fieldkit.db"
    with fieldkit.db.connect(path) as database:
        fieldkit.sample.fill(database, 1, today=SAMPLE_DAY)
    return path


@pytest.fixture
def sample_day_db(sample_day_file, tmp_path):
    """A private, open copy of the anchored sample, for tests that may write."""
    with _open_copy(sample_day_file, tmp_path / "sample-day.db") as database:
        yield database


@pytest.fixture(scope="session")
def sample_day_readonly(sample_day_file):
    """The shared anchored sample, open read-only: a write raises instead of corrupting it."""
    conn = sqlite3.connect(f"file:{sample_day_file}?mode=ro", uri=True, isolation_level=None)
    try:
        yield Database(conn)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def _dovecot():
    """One private Dovecot for the whole run (tests/mailserver.py), stopped at its end.

    Skipped without Debian's dovecot-imapd on a developer's machine; under
    CI=true that fails instead, as a skip would hide a broken setup.
    """
    import os

    from tests.mailserver import MailServer, find_dovecot

    if find_dovecot() is None:
        reason = "dovecot not found: apt-get install dovecot-imapd (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    server = MailServer()
    try:
        yield server
    finally:
        server.stop()


_mail_users = itertools.count(1)


@pytest.fixture
def mail_server(_dovecot):
    """An empty mailbox of the test's own on the private Dovecot (a user of its own)."""
    return _dovecot.mailbox(f"user{next(_mail_users)}@fieldkit.test")

"""Shared fixtures: migrated and sample databases, for the core and for pages."""

import shutil
from datetime import date

import pytest
import streamlit as st

import fieldkit.config
import fieldkit.db
import fieldkit.sample


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
def _sample_file(tmp_path_factory):
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
def sample_db(app_db, _sample_file):
    """The app's database holding the sample data set (scale 1, anchored today)."""
    shutil.copyfile(_sample_file, app_db)
    return app_db


SAMPLE_DAY = date(2026, 11, 22)  # the day the anchored sample is built around


@pytest.fixture(scope="session")
def sample_day_file(tmp_path_factory):
    """The sample at scale 1 anchored on SAMPLE_DAY, filled once per test run."""
    path = tmp_path_factory.mktemp("sample-day") / "fieldkit.db"
    with fieldkit.db.connect(path) as database:
        fieldkit.sample.fill(database, 1, today=SAMPLE_DAY)
    return path


@pytest.fixture
def sample_day_db(sample_day_file, tmp_path):
    """A private, open copy of the anchored sample, for tests that may write."""
    with _open_copy(sample_day_file, tmp_path / "sample-day.db") as database:
        yield database

"""Shared fixtures: a migrated temp-file database, and a path for a new one."""

import shutil

import pytest

import fieldkit.db


@pytest.fixture(scope="session")
def _migrated_file(tmp_path_factory):
    # Migrating costs ~0.1 s; do it once and copy the closed, checkpointed file.
    path = tmp_path_factory.mktemp("template") / "fieldkit.db"
    with fieldkit.db.connect(path):
        pass
    return path


@pytest.fixture
def db(tmp_path, _migrated_file):
    """A migrated FieldKit database in a temp file, open for the test."""
    path = tmp_path / "fieldkit.db"
    shutil.copyfile(_migrated_file, path)
    with fieldkit.db.connect(path) as database:
        yield database


@pytest.fixture
def db_path(tmp_path):
    """Where a fresh database file may be created; nothing exists there yet."""
    # Not the file the `db` fixture opens, so a test may ask for both.
    return tmp_path / "fresh" / "fieldkit.db"

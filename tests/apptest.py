"""Helpers for page tests: run a page of the app under AppTest, read the database."""

import sqlite3
from contextlib import closing
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "frame.py")  # the frame app.py serves
TIMEOUT = 60
HOME = "pages/today.py"


def run_page(page: str = HOME, query_params: dict | None = None) -> AppTest:
    """The app run once, then switched to ``page``; fails on any exception."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if query_params:
        at.query_params.update(query_params)
    if page != HOME or query_params:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def rows(path, sql: str, args=()) -> list[tuple]:
    """Rows of ``sql`` read straight from the database file."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql, args).fetchall()

"""The Today page in a phone-sized Chromium against a real server."""

import re
import sqlite3
from contextlib import closing

from .helpers import (
    assert_no_errors,
    assert_no_horizontal_overflow,
    expect,
    open_page,
    rerun,
)


def count_rows(db_path, table):
    # closing(): sqlite3's own context manager commits but leaves the file open.
    with closing(sqlite3.connect(db_path)) as db:
        return db.execute(f"select count(*) from {table}").fetchone()[0]


def test_today_on_phone_loads_sample_data(server, phone_page, screenshot):
    """A new user taps "Load sample data" and sees follow-ups due."""
    page = phone_page
    open_page(page, server.url + "/")
    main = page.get_by_test_id("stMain")
    screenshot(page, "today-empty.png")

    assert_no_errors(page)
    assert_no_horizontal_overflow(page)
    expect(main.get_by_text(re.compile("welcome", re.IGNORECASE)).first).to_be_visible()
    load = page.get_by_role("button", name="Load sample data")
    expect(load).to_be_visible()

    with rerun(page):
        load.tap()

    # The label alone, as a whole word: the metric's text runs on into its value
    # ("due18"), and "13 of them overdue" must not pass for the figure.
    label = page.get_by_test_id("stMetricLabel").filter(
        has_text=re.compile(r"\bdue\b", re.IGNORECASE)
    )
    due = main.get_by_test_id("stMetric").filter(has=label)
    expect(due).to_be_visible()
    expect(due.get_by_test_id("stMetricValue")).to_have_text(re.compile(r"^\s*\d+\s*$"))
    screenshot(page, "today-sample.png")
    assert_no_errors(page)
    assert_no_horizontal_overflow(page)
    assert count_rows(server.db_path, "people") > 0
    assert count_rows(server.db_path, "touches") > 0

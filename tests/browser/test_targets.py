"""Every page on a phone: every link, button, field, pill and switch a thumb taps is at
least 44 px tall, also in the states a page opens into (details, a form, a session)."""

import sqlite3
from contextlib import closing

import pytest

from fieldkit import config, db, sample
from fieldkit.ui import nav

from .helpers import (
    CAPTURE_DETAILS,
    assert_no_errors,
    expect,
    open_details,
    open_page,
    rerun,
    small_tap_targets,
)

MINIMUM = 44  # px: Apple's and Google's guidance for a finger


def someone_reachable(db_path):
    """The first person, by id, with an email and a phone: their page has every kind of field."""
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute("SELECT id FROM people WHERE email IS NOT NULL AND phone IS NOT NULL "
                            "AND status = 'active' ORDER BY id LIMIT 1").fetchone()[0]


@pytest.fixture
def sample_server(server):
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
        # Whatever the hour, some customers can be called: the session view has its buttons.
        config.save(conn, {"calling_hours_start": "00:00", "calling_hours_end": "23:59"})
    return server


def opened(page, label):
    with rerun(page):
        page.get_by_text(label, exact=True).first.tap()


# Each page, and what to open on it first: (name, path, steps).
STATES = [
    *[(spec.url_path or "today", spec.url_path, []) for spec in nav.PAGES],
    ("capture-details", "capture", [CAPTURE_DETAILS]),
    ("queue-notes", "queue", ["With notes"]),
    ("calls-session", "calls", ["Start a call session"]),
    ("events-new", "events", ["New event"]),
]


@pytest.mark.parametrize("name, path, steps", STATES, ids=[s[0] for s in STATES])
def test_every_tap_target_is_at_least_44_px_tall(sample_server, phone_page, screenshot,
                                                 name, path, steps):
    page = phone_page
    open_page(page, f"{sample_server.url}/{path}")
    for step in steps:
        if step.startswith("Start"):
            with rerun(page):
                page.get_by_role("button", name=step, exact=False).tap()
        elif step == "With notes":
            with rerun(page):
                page.get_by_role("radio", name=step).first.tap()
        elif step == CAPTURE_DETAILS:
            open_details(page)  # no run: the details open on the phone
        else:
            opened(page, step)
    small = small_tap_targets(page, MINIMUM)
    screenshot(page, f"targets-{name}.png", whole=True)
    assert not small, "\n".join(map(str, small))
    assert_no_errors(page)


def test_a_persons_page_has_only_thumb_sized_targets(sample_server, phone_page, screenshot):
    page = phone_page
    person = someone_reachable(sample_server.db_path)
    open_page(page, f"{sample_server.url}/people?id={person}")
    expect(page.get_by_test_id("stMain").get_by_role("link", name="Call", exact=True)).to_be_visible()
    page.get_by_text("Edit", exact=True).tap()  # opens in the browser, no run
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()
    small = small_tap_targets(page, MINIMUM)
    screenshot(page, "targets-person.png", whole=True)
    assert not small, "\n".join(map(str, small))
    assert_no_errors(page)

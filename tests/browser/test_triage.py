"""Evening triage on a phone: three people handled with one tap each, one after another."""

import re
import sqlite3
from contextlib import closing

from fieldkit import clock, config, db, sample, triage

from .helpers import assert_no_errors, assert_no_horizontal_overflow, expect, open_page, rerun


def due_people(db_path):
    with db.connect(db_path) as conn:
        settings = config.load(conn)
        today = clock.today(settings["timezone"])
        return triage.due(conn, today, ladder_gaps=settings["ladder_gaps"], limit=3)


def touches(db_path, person_id):
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(
            "SELECT kind, channel, outcome FROM touches WHERE person_id = ? "
            "AND kind != 'met' ORDER BY id DESC LIMIT 1", [person_id]).fetchall()


def test_triage_three_people_attempt_dialog_snooze(server, phone_page, screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
    first, second, third = due_people(server.db_path)

    open_page(page, server.url + "/queue")
    assert_no_horizontal_overflow(page)
    screenshot(page, "queue-before.png")

    def card(item):
        return page.locator(f".st-key-queue_card_{item['followup_id']}")

    def latest():
        return page.get_by_test_id("stAlertContentSuccess")

    with rerun(page):
        card(first).get_by_role("radiogroup", name="Log an attempt") \
            .get_by_role("radio", name="Email", exact=True).tap()
    expect(latest()).to_contain_text(f"Logged an email attempt to {first['name']}")
    expect(card(first)).to_have_count(0)  # the next person is up

    with rerun(page):
        card(second).get_by_role("radiogroup", name="Log a dialog") \
            .get_by_role("radio", name="Coffee", exact=True).tap()
    expect(latest()).to_contain_text(f"Coffee with {second['name']}")

    with rerun(page):
        card(third).get_by_role("radiogroup", name="Snooze or stop") \
            .get_by_role("radio", name="3 days", exact=True).tap()
    expect(latest()).to_contain_text(f"Snoozed {third['name']}")
    # The two before it stay on screen, each with its Undo.
    for item in (first, second):
        expect(page.locator(f".st-key-queue_undo_recent_{item['followup_id']}")).to_be_visible()
    screenshot(page, "queue-after-three.png")
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)

    assert touches(server.db_path, first["person_id"]) == [("attempt", "email", "sent")]
    assert touches(server.db_path, second["person_id"]) == [("dialog", "coffee", "met")]
    assert touches(server.db_path, third["person_id"]) == [("state", None, "snoozed")]
    due_now = {row["person_id"] for row in due_people(server.db_path)}
    assert not due_now & {first["person_id"], second["person_id"], third["person_id"]}


def test_a_dialog_with_notes_and_a_skip_on_a_phone(server, phone_page, screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
    first, second, third = due_people(server.db_path)
    second_before = touches(server.db_path, second["person_id"])

    open_page(page, server.url + "/queue")

    def card(item):
        return page.locator(f".st-key-queue_card_{item['followup_id']}")

    with rerun(page):
        card(first).get_by_role("radiogroup", name="Log a dialog") \
            .get_by_role("radio", name="With notes", exact=True).tap()
    form = card(first).get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name="Save dialog"))
    expect(form).to_be_visible()
    form.get_by_label("Note", exact=True).fill("Plans routes the evening before.")
    screenshot(page, "queue-with-notes.png")
    assert_no_horizontal_overflow(page)
    with rerun(page):
        form.get_by_role("button", name="Save dialog").tap()
    expect(card(second)).to_be_visible()

    with rerun(page):
        card(second).get_by_role("button", name="Skip for now").tap()
    expect(card(third)).to_be_visible()
    expect(page.get_by_role("button", name="Bring back 1 skipped person")).to_be_visible()
    screenshot(page, "queue-skipped.png")
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)

    with closing(sqlite3.connect(server.db_path)) as conn:
        assert conn.execute(
            "SELECT kind, channel, note FROM touches WHERE person_id = ? AND kind != 'met' "
            "ORDER BY id DESC LIMIT 1", [first["person_id"]]).fetchall() == [
            ("dialog", "coffee", "Plans routes the evening before.")]
    assert touches(server.db_path, second["person_id"]) == second_before  # skipped: no write


def call_touches(db_path):
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(
            "SELECT t.kind, t.channel, t.outcome FROM touches t JOIN call_sessions s "
            "ON s.id = t.call_session_id WHERE s.ended_at IS NOT NULL "
            "AND s.id = (SELECT max(id) FROM call_sessions) ORDER BY t.id").fetchall()


def test_a_three_call_session_ends_with_its_funnel(server, phone_page, screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
        # Whatever the hour CI runs at, some customers are inside calling hours.
        config.save(conn, {"calling_hours_start": "00:00", "calling_hours_end": "23:59"})

    open_page(page, server.url + "/calls")
    assert_no_horizontal_overflow(page)
    screenshot(page, "calls-list.png")
    with rerun(page):
        page.get_by_role("button", name=re.compile(r"^Start a call session")).tap()
    for outcome in ("No answer", "Voicemail", "Talked"):
        expect(page.get_by_role("link", name=re.compile(r"^Call \+"))).to_be_visible()
        with rerun(page):
            page.get_by_role("button", name=outcome, exact=True).tap()
    screenshot(page, "calls-session.png")
    assert_no_horizontal_overflow(page)
    with rerun(page):
        page.get_by_role("button", name="End the call session").tap()

    funnel = page.get_by_test_id("stMetric")
    for label, value in (("Dialed", "3"), ("Picked up", "1"), ("Talked", "1")):
        expect(funnel.filter(has_text=label).get_by_test_id("stMetricValue")).to_have_text(value)
    expect(page.get_by_text("about 15%", exact=False).first).to_be_visible()
    screenshot(page, "calls-funnel.png")
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)
    assert call_touches(server.db_path) == [
        ("attempt", "call", "no_answer"), ("attempt", "voicemail", "voicemail"),
        ("dialog", "call", "talked")]

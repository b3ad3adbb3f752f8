"""The evening on a phone: the people met today, the first notes signed with your name,
the next person's name on screen after each tap, in triage and in a call session."""

import re
import sqlite3
from contextlib import closing
from datetime import timedelta
from urllib.parse import unquote

from fieldkit import clock, config, db, sample, triage

from .helpers import (
    assert_no_errors,
    assert_no_horizontal_overflow,
    expect,
    on_screen,
    open_page,
    rerun,
)


def met_today(db_path):
    with db.connect(db_path) as conn:
        settings = config.load(conn)
        today = clock.today(settings["timezone"])
        return today, triage.met_today(conn, today, settings["timezone"])


def open_followup(db_path, person_id):
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute("SELECT due_on, rung FROM followups WHERE person_id = ? AND "
                            "status = 'open'", [person_id]).fetchall()


def card(page, item):
    return page.locator(f".st-key-queue_card_{item['followup_id']}")


def test_met_today_from_today_first_note_signed_and_the_ladder_starts(server, phone_page,
                                                                      screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
    today, met = met_today(server.db_path)
    first, second = met[:2]
    with closing(sqlite3.connect(server.db_path)) as conn, conn:  # an address to write to
        conn.execute("UPDATE people SET email = 'first@example.com' WHERE id = ?",
                     [first["person_id"]])

    open_page(page, server.url + "/")
    expect(page.get_by_role("heading", name=f"Met today · {len(met)}")).to_be_visible()
    with rerun(page):
        page.get_by_role("link", name="Write the first notes").tap()
    expect(page.get_by_role("radio", name=f"Met today · {len(met)}")).to_be_checked()
    expect(card(page, first)).to_contain_text("met today")
    # Your name is asked before the first message goes out.
    expect(card(page, first).get_by_role("link", name="Email")).to_have_count(0)
    card(page, first).get_by_label("Your name, to sign your messages").fill("Sam Field")
    with rerun(page):
        card(page, first).get_by_role("button", name="Save my name").tap()
    screenshot(page, "evening-met-today.png", whole=True)
    # A first note, signed, with no gap where a value was missing.
    email = unquote(card(page, first).get_by_role("link", name="Email").get_attribute("href"))
    assert email.startswith("mailto:first@example.com?subject=Great to meet you")
    assert email.endswith("Sam Field") and "  " not in email
    with rerun(page):
        card(page, first).get_by_role("radiogroup", name="Log an attempt") \
            .get_by_role("radio", name="LinkedIn", exact=True).tap()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(first["name"])
    # The next person met today is up, their name on screen.
    expect(card(page, second)).to_be_visible()
    assert on_screen(card(page, second).get_by_text(second["name"]).first)
    assert open_followup(server.db_path, first["person_id"]) == [
        ((today + timedelta(days=2)).isoformat(), 2)]
    assert first["person_id"] not in {i["person_id"] for i in met_today(server.db_path)[1]}
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)


def test_after_an_outcome_low_on_the_card_the_next_name_is_on_screen(server, phone_page,
                                                                     screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
        settings = config.load(conn)
        due = triage.due(conn, clock.today(settings["timezone"]),
                         ladder_gaps=settings["ladder_gaps"], limit=4)
    open_page(page, server.url + "/queue")
    for item, following in zip(due, due[1:3]):
        # The lowest action of the card: the view scrolls down to it.
        skip = card(page, item).get_by_role("button", name="Skip for now")
        skip.scroll_into_view_if_needed()
        low = card(page, item).get_by_role("radiogroup", name="Snooze or stop") \
            .get_by_role("radio", name="1 week", exact=True)
        low.scroll_into_view_if_needed()
        with rerun(page):
            low.tap()
        expect(card(page, following)).to_be_visible()
        assert on_screen(card(page, following).get_by_text(following["name"]).first)
    screenshot(page, "evening-next-on-screen.png")
    assert_no_errors(page)


def test_a_call_session_keeps_the_next_name_on_screen(server, phone_page, screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
        config.save(conn, {"calling_hours_start": "00:00", "calling_hours_end": "23:59"})
    open_page(page, server.url + "/calls")
    with rerun(page):
        page.get_by_role("button", name=re.compile(r"^Start a call session")).tap()
    for outcome in ("No answer", "Voicemail"):
        current = page.locator("[class*='st-key-calls_card_']").get_by_role("heading")
        before = current.inner_text()
        button = page.get_by_role("button", name=outcome, exact=True)
        page.get_by_role("button", name="End the call session").scroll_into_view_if_needed()
        with rerun(page):
            button.tap()
        expect(current).not_to_have_text(before)
        assert on_screen(current)
    screenshot(page, "calls-next-on-screen.png")
    assert_no_errors(page)

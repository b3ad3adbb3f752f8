"""At the booth on a phone: check in, capture three cards in two taps each, see them scored."""

import re
import sqlite3
from contextlib import closing
from datetime import timedelta

from fieldkit import cards, clock, config, db, events

from .helpers import (
    assert_no_errors,
    assert_no_horizontal_overflow,
    expect,
    open_page,
    rerun,
)

PEOPLE = [("Amara Okafor", "Competitor"), ("Kenji Watanabe", "Customer"),
          ("Sofia Rossi", "Competitor")]


def a_running_trade_show(db_path) -> int:
    now = clock.utc_now().astimezone(clock.zone("Europe/Berlin")).replace(tzinfo=None)
    with db.connect(db_path) as conn:
        return events.create(conn, {
            "name": "FleetTech Expo", "kind": "trade_show", "tz": "Europe/Berlin",
            "venue": "Messe Berlin", "city": "Berlin",
            "starts": now - timedelta(hours=1), "ends": now + timedelta(days=2),
            "goal_new_people": 10, "goal_competitors": 2,
        })


def assert_styled(page):
    # FieldKit's style sheet reaches a page opened by its own URL, too.
    assert page.evaluate(
        "() => [...document.querySelectorAll('style')]"
        ".some(s => s.textContent.includes('Thumb-sized'))"
    )


def rows(db_path, sql):
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(sql).fetchall()


def test_check_in_capture_three_cards_and_see_the_scorecard(server, phone_page, screenshot):
    page = phone_page
    event_id = a_running_trade_show(server.db_path)

    open_page(page, server.url + "/events")
    assert_styled(page)
    assert_no_horizontal_overflow(page)
    screenshot(page, "events-before-checkin.png")
    with rerun(page):
        page.get_by_role("button", name="Check in").tap()
    expect(page.get_by_role("button", name="Check out")).to_be_visible()
    assert rows(server.db_path, "SELECT event_id FROM checkins WHERE checked_out_at IS NULL") \
        == [(event_id,)]

    open_page(page, server.url + "/capture")
    expect(page.get_by_text("FleetTech Expo").first).to_be_visible()
    assert_styled(page)
    assert_no_horizontal_overflow(page)
    screenshot(page, "capture-empty.png")
    for name, kind in PEOPLE:
        name_box = page.get_by_label("Name", exact=True)
        expect(name_box).to_have_value("")  # ready for the next person
        name_box.fill(name)
        page.get_by_role("radio", name=kind, exact=True).tap()  # tap 1
        with rerun(page):
            page.get_by_role("button", name="Save card").tap()  # tap 2
        expect(page.get_by_text(f"Saved {name}")).to_be_visible()
    screenshot(page, "capture-three-saved.png")
    assert_no_horizontal_overflow(page)
    saved = rows(server.db_path, "SELECT name, kind, event_id FROM people ORDER BY id")
    assert saved == [(n, k.lower(), event_id) for n, k in PEOPLE]

    open_page(page, server.url + "/events")
    with rerun(page):
        page.get_by_role("button", name=re.compile("Scorecard")).first.tap()
    scorecard = page.get_by_test_id("stMetric")
    met = scorecard.filter(has_text="People met")
    expect(met.get_by_test_id("stMetricValue")).to_have_text("3")
    competitors = scorecard.filter(has_text="Competitors")
    expect(competitors.get_by_test_id("stMetricValue")).to_have_text("2")
    expect(page.get_by_text("3 of 10 new people")).to_be_visible()
    screenshot(page, "events-scorecard.png")
    assert_no_horizontal_overflow(page)

    open_page(page, server.url + "/people")
    for name, _ in PEOPLE:
        expect(page.get_by_role("button", name=re.compile(name))).to_be_visible()
    screenshot(page, "people-list.png")
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)


def test_a_refused_card_keeps_what_was_typed_and_a_known_face_gets_the_meeting(
        server, phone_page, screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        known = cards.save(conn, cards.clean({"name": "Kenji Watanabe",
                                              "email": "kenji@harbor.example"}),
                           settings=config.load(conn))
    open_page(page, server.url + "/capture")
    page.get_by_label("Name", exact=True).fill("Kenji W.")
    page.get_by_role("radio", name="Customer", exact=True).tap()
    page.get_by_text("Company, contact details, note, photo").tap()
    page.get_by_label("Company", exact=True).fill("Harbor Freight Systems")
    page.get_by_label("Email", exact=True).fill("kenji@")
    with rerun(page):
        page.get_by_role("button", name="Save card").tap()
    expect(page.get_by_role("alert").filter(has_text="Email: ")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Kenji W.")
    expect(page.get_by_label("Company", exact=True)).to_have_value("Harbor Freight Systems")
    expect(page.get_by_label("Email", exact=True)).to_have_value("kenji@")
    expect(page.get_by_role("radio", name="Customer", exact=True)).to_be_checked()
    screenshot(page, "capture-refused.png")
    assert_no_horizontal_overflow(page)
    assert rows(server.db_path, "SELECT count(*) FROM people") == [(1,)]

    page.get_by_label("Email", exact=True).fill("kenji@harbor.example")
    with rerun(page):
        page.get_by_role("button", name="Save card").tap()
    expect(page.get_by_text("This looks like someone you already know")).to_be_visible()
    add = page.get_by_role("button", name=re.compile("^Add to Kenji Watanabe"))
    add.scroll_into_view_if_needed()
    screenshot(page, "capture-twin.png")
    assert_no_horizontal_overflow(page)
    with rerun(page):
        add.tap()
    expect(page.get_by_text("Added this meeting to Kenji Watanabe")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("")
    screenshot(page, "capture-added.png")
    added = page.get_by_text("Kenji Watanabe · Harbor Freight Systems · meeting added")
    added.scroll_into_view_if_needed()
    expect(added).to_be_in_viewport()
    screenshot(page, "capture-added-list.png")
    assert_no_horizontal_overflow(page)
    assert rows(server.db_path, "SELECT id, company FROM people") == [
        (known, "Harbor Freight Systems")]
    assert_no_errors(page)

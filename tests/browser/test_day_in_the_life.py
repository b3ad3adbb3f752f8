"""A conference day on a phone, from an empty database: check in, six cards typed, one
from a badge's QR code, one from a paper card's photo, the evening's first notes from
"Met today", a call session, people, metrics and data, each step asserted, each page
photographed at 390x844."""

import re
from datetime import timedelta

from fieldkit import clock, config, db, events
from tests import cardgen
from tests.apptest import rows

from .helpers import (
    assert_no_errors,
    assert_no_horizontal_overflow,
    charts_drawn,
    expect,
    on_screen,
    open_details,
    open_page,
    rerun,
    small_tap_targets,
)
from .test_capture_thumb import ready_for_the_next_card, take_photo
from .test_scan import badge_photo

EVENT = "FleetTech Expo"
# The six cards typed at the booth: name, kind, company, phone (or None).
TYPED = [
    ("Ada Okafor", "Customer", "Northwind Logistics", "+44 20 7946 0001"),
    ("Ben Sato", "Prospect", "Sato Freight", None),
    ("Chiara Rossi", "Competitor", "RouteMax", None),
    ("Dmitri Volkov", "Customer", "Volga Trucks", "+7 495 123 45 67"),
    ("Elif Demir", "Partner", "Bosphorus Telematics", None),
    ("Farah Khan", "Customer", "Karachi Cargo", "+92 21 3456 7890"),
]


def bar_link(page, title):
    return page.locator(".st-key-bottom_bar").get_by_role("link", name=title, exact=True)


def go(page, title):
    """To another page of the day: one tap on the bottom bar, or on Today's list."""
    link = bar_link(page, title)
    if not link.count():
        with rerun(page):
            bar_link(page, "Today").tap()
        link = page.get_by_test_id("stMain").get_by_role("link", name=title, exact=True)
    with rerun(page):
        link.tap()
    expect(page.get_by_role("heading", level=1).first).to_have_text(title)


def page_done(page, screenshot, name):
    """Every page on the way: photographed, thumb-sized, no sideways scroll, no error."""
    screenshot(page, f"day-{name}.png", whole=True)
    assert not small_tap_targets(page), small_tap_targets(page)
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)


def field(page, label):
    return page.get_by_label(label, exact=True)


def test_a_day_at_a_trade_show_from_an_empty_database(server, phone_page, screenshot,
                                                     tmp_path):
    page = phone_page
    with db.connect(server.db_path) as conn:
        # Planned before the show: the event, running now; calls at any hour of the test.
        local = clock.utc_now().astimezone(clock.zone("Europe/Berlin")).replace(tzinfo=None)
        events.create(conn, {"name": EVENT, "kind": "trade_show", "tz": "Europe/Berlin",
                             "starts": local - timedelta(hours=3),
                             "ends": local + timedelta(days=2)})
        config.save(conn, {"calling_hours_start": "00:00", "calling_hours_end": "23:59"})
        tz = config.load(conn)["timezone"]

    # Morning: check in at the show, on Events.
    open_page(page, server.url + "/")
    page_done(page, screenshot, "01-today-empty")
    go(page, "Events")
    with rerun(page):
        page.get_by_role("button", name="Check in", exact=True).tap()
    expect(page.get_by_text(f"Checked in at {EVENT}")).to_be_visible()
    page_done(page, screenshot, "01-events-checked-in")
    assert len(rows(server.db_path, "SELECT * FROM checkins WHERE checked_out_at IS NULL")) == 1

    # At the booth: six cards typed, each ready for the next at once.
    go(page, "Capture")
    expect(page.get_by_text(f"At {EVENT}", exact=False)).to_be_visible()
    page_done(page, screenshot, "02-capture")
    for name, kind, company, phone in TYPED:
        field(page, "Name").fill(name)
        page.get_by_role("radio", name=kind, exact=True).tap()
        if phone:
            open_details(page)
            field(page, "Company").fill(company)
            field(page, "Phone").fill(phone)
        with rerun(page):
            page.get_by_role("button", name="Save card").tap()
        ready_for_the_next_card(page, name)
    assert [n for (n,) in rows(server.db_path, "SELECT name FROM people ORDER BY id")] == [
        t[0] for t in TYPED]

    # A badge's QR code and a paper card, each one tap on the camera, read at once.
    badge, card = tmp_path / "badge.jpg", tmp_path / "card.jpg"
    badge.write_bytes(badge_photo())
    paper = cardgen.card(7)
    card.write_bytes(paper.photo)
    take_photo(page, badge)
    expect(field(page, "Name")).to_have_value("Amara Okafor")
    assert on_screen(page.get_by_role("button", name="Save card"))
    page_done(page, screenshot, "03-capture-code")
    # Amara looks like Ada Okafor? Not the same name: saved as a new person either way.
    with rerun(page):
        page.get_by_role("button", name="Save card").tap()
    new = page.get_by_role("button", name="No, save as a new person")
    if new.count():
        with rerun(page):
            new.tap()
    ready_for_the_next_card(page, "Amara Okafor")
    take_photo(page, card)
    expect(field(page, "Name")).to_have_value(paper.truth.name)
    assert on_screen(page.get_by_role("button", name="Save card"))
    page_done(page, screenshot, "04-capture-card")
    page.get_by_role("radio", name="Prospect", exact=True).tap()
    with rerun(page):
        page.get_by_role("button", name="Save card").tap()
    ready_for_the_next_card(page, paper.truth.name)
    met = 8
    assert rows(server.db_path, "SELECT count(*) FROM people") == [(met,)]
    assert rows(server.db_path, "SELECT count(DISTINCT event_id) FROM touches "
                                "WHERE kind = 'met'") == [(1,)]

    # Evening: Today says who was met; the first notes, signed, start each ladder.
    go(page, "Today")
    expect(page.get_by_role("heading", name=f"Met today · {met}")).to_be_visible()
    page_done(page, screenshot, "05-today-evening")
    with rerun(page):
        page.get_by_role("link", name="Write the first notes").tap()
    expect(page.get_by_text(f"{met} people met today", exact=False)).to_be_visible()
    first = page.locator("[class*='st-key-queue_card_']").first
    first.get_by_label("Your name, to sign your messages").fill("Sam Field")
    with rerun(page):
        first.get_by_role("button", name="Save my name").tap()
    page_done(page, screenshot, "06-followups-met-today")
    for channel in ("LinkedIn", "Email", "Text"):
        card_now = page.locator("[class*='st-key-queue_card_']").first
        name = card_now.locator("strong").first.inner_text()
        with rerun(page):
            card_now.get_by_role("radiogroup", name="Log an attempt") \
                .get_by_role("radio", name=channel, exact=True).tap()
        expect(page.get_by_test_id("stAlertContentSuccess").first).to_contain_text(name)
        next_card = page.locator("[class*='st-key-queue_card_']").first
        assert on_screen(next_card.locator("strong").first)
    with rerun(page):
        page.locator("[class*='st-key-queue_card_']").first \
            .get_by_role("radiogroup", name="Log a dialog") \
            .get_by_role("radio", name="Coffee", exact=True).tap()
    today = clock.today(tz)
    ladder = rows(server.db_path, "SELECT due_on, rung FROM followups WHERE status = 'open' "
                                  "AND rung = 2")
    assert ladder == [((today + timedelta(days=2)).isoformat(), 2)] * 3
    assert rows(server.db_path, "SELECT count(*) FROM followups WHERE status = 'open' "
                                "AND reason = 'keep_in_touch'") == [(1,)]
    expect(page.get_by_role("radio", name=re.compile(r"^Met today"))).to_have_count(0)
    expect(page.get_by_text(f"{met - 4} people met today", exact=False)).to_be_visible()

    # Calls: the customers met today, the next name on screen after each outcome.
    go(page, "Today")
    with rerun(page):
        page.get_by_test_id("stMain").get_by_role("link", name="Calls", exact=True).tap()
    page_done(page, screenshot, "07-calls")
    with rerun(page):
        page.get_by_role("button", name=re.compile(r"^Start a call session")).tap()
    for outcome in ("No answer", "Talked"):
        current = page.locator("[class*='st-key-calls_card_']").get_by_role("heading")
        before = current.inner_text()
        with rerun(page):
            page.get_by_role("button", name=outcome, exact=True).tap()
        expect(current).not_to_have_text(before)
        assert on_screen(current)
    with rerun(page):
        page.get_by_role("button", name="End the call session").tap()
    expect(page.get_by_test_id("stMetric").filter(has_text="Dialed")
           .get_by_test_id("stMetricValue")).to_have_text("2")
    page_done(page, screenshot, "08-calls-funnel")

    # People: found as the name is typed; their page opens with Call, Text, Email.
    go(page, "People")
    search = page.get_by_role("searchbox")
    search.tap()
    with rerun(page):
        search.press_sequentially("farah", delay=60)
    expect(page.locator("[class*='st-key-open_']")).to_have_count(1)
    page_done(page, screenshot, "09-people-search")
    with rerun(page):
        page.locator("[class*='st-key-open_']").first.get_by_role("button").tap()
    expect(page.locator(".st-key-person_reach").get_by_role("link", name="Call")) \
        .to_have_attribute("href", "tel:+922134567890")
    page_done(page, screenshot, "10-person")

    # The week's look back, the data, the settings: each page readable on the phone.
    go(page, "Today")
    for title, name in (("Events", "11-events"), ("Metrics", "12-metrics"),
                        ("Data", "13-data"), ("Settings", "14-settings")):
        go(page, title)
        if title == "Metrics":
            charts_drawn(page)
        if title == "Data":  # your own card, as the name you gave tonight
            expect(page.get_by_test_id("stImage")).to_be_visible()
        page_done(page, screenshot, name)
        go(page, "Today")

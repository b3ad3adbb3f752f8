"""At the booth on a phone: photograph a paper business card, read it, check it, save it."""

import sqlite3
from contextlib import closing

from fieldkit import normalise
from tests import cardgen

from .helpers import (
    assert_no_errors,
    assert_no_horizontal_overflow,
    expect,
    open_details,
    open_page,
    rerun,
)

MARK = "read from the card — check it"


def rows(db_path, sql):
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(sql).fetchall()


def label_mark(page, label: str) -> str:
    """What the page shows after a field's label (the mark of a field read from the card)."""
    return page.get_by_test_id("stTextInput").filter(has_text=label).first \
        .get_by_test_id("stWidgetLabel").locator("p").evaluate(
            "p => getComputedStyle(p, '::after').content")


def test_a_card_photo_read_with_one_tap_fills_the_form_and_saves(
        server, phone_page, screenshot, tmp_path):
    page = phone_page
    card = cardgen.card(7)  # a Portuguese card, photographed askew
    truth = card.truth
    photo = tmp_path / "card.jpg"
    photo.write_bytes(card.photo)

    open_page(page, server.url + "/capture")
    open_details(page)
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Card photo")
    uploader.locator("input[type=file]").set_input_files(str(photo))
    expect(uploader.get_by_text("card.jpg")).to_be_visible(timeout=20_000)  # uploaded, on a busy CI too
    with rerun(page, timeout=30):
        page.get_by_role("button", name="Read card").tap()
    expect(page.get_by_label("Name", exact=True)).to_have_value(truth.name)
    expect(page.get_by_label("Company", exact=True)).to_have_value(truth.company)
    expect(page.get_by_label("Title", exact=True)).to_have_value(truth.title)
    expect(page.get_by_label("Email", exact=True)).to_have_value(truth.email)
    expect(page.get_by_label("Phone", exact=True)).to_have_value(
        normalise.phone_display(truth.phones[0]))
    # Each field read is marked; what the card does not hold is not.
    for label in ("Name", "Company", "Title", "Email", "Phone"):
        assert MARK in label_mark(page, label), label
    assert label_mark(page, "Department (colleagues)") == "none"
    assert rows(server.db_path, "SELECT count(*) FROM people") == [(0,)]  # nothing saved yet
    shot = screenshot(page, "read-card-filled.png")
    page.get_by_label("Name", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(shot.with_name("read-card-filled-screen.png")))  # 390x844
    message = page.get_by_text("Read from the card: name, company, title, email, phone")
    message.scroll_into_view_if_needed()
    expect(message).to_be_in_viewport()
    assert_no_horizontal_overflow(page)

    page.get_by_role("radio", name="Prospect", exact=True).tap()
    with rerun(page):
        page.get_by_role("button", name="Save card").tap()
    expect(page.get_by_text(f"Saved {truth.name}")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("")
    assert rows(server.db_path, "SELECT name, company, title, email, phone, kind "
                                "FROM people") == [
        (truth.name, truth.company, truth.title, truth.email, truth.phones[0], "prospect")]
    assert rows(server.db_path, "SELECT kind FROM attachments") == [("card_photo",)]
    screenshot(page, "read-card-saved.png")
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)

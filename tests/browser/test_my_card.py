"""Settings on a phone: My card, carried by your own vCard and QR code on Data, and the
messages of each stage, each editable."""

import sqlite3
from contextlib import closing

from fieldkit import config, db, scan

from .helpers import assert_no_errors, assert_no_horizontal_overflow, expect, on_screen, open_page, rerun

CARD = {"Your name": "Sam Field", "Title": "Head of Product", "Company": "FieldKit",
        "Email": "sam@fieldkit.example", "Phone": "+49 30 1234567",
        "Website": "fieldkit.example", "LinkedIn": "linkedin.com/in/sam-field"}


def test_my_card_is_what_my_qr_code_carries(server, phone_page, screenshot):
    page = phone_page
    open_page(page, server.url + "/settings")
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Save my card"))
    for label, value in CARD.items():
        form.get_by_label(label, exact=True).fill(value)
    assert form.get_by_label("Email", exact=True).get_attribute("type") == "email"
    assert form.get_by_label("Phone", exact=True).get_attribute("type") == "tel"
    with rerun(page):
        form.get_by_role("button", name="Save my card").tap()
    saved = page.get_by_test_id("stAlertContentSuccess").filter(has_text="My card saved.")
    expect(saved).to_be_visible()
    assert on_screen(saved)
    screenshot(page, "settings-my-card.png")
    with db.connect(server.db_path) as conn:
        settings = config.load(conn)
    assert settings["my_phone"] == "+49301234567"  # read as you typed it, stored as it dials

    with rerun(page):
        page.locator(".st-key-bottom_bar").get_by_role("link", name="Today").tap()
    with rerun(page):
        page.get_by_test_id("stMain").get_by_role("link", name="Data").tap()
    image = page.get_by_test_id("stImage").filter(has_text="Let people scan this").locator("img")
    expect(image).to_be_visible()
    png = page.request.get(image.evaluate("img => img.src")).body()  # as the browser resolves it
    (code,) = scan.read(png)
    assert {k: code.fields.get(k) for k in ("name", "title", "company", "email", "phone")} == {
        "name": "Sam Field", "title": "Head of Product", "company": "FieldKit",
        "email": "sam@fieldkit.example", "phone": "+49301234567"}
    assert code.fields["linkedin_url"] == "https://www.linkedin.com/in/sam-field"
    assert code.fields["website"] == "https://fieldkit.example"
    screenshot(page, "data-own-card.png")
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)


def test_each_stage_has_its_message_to_edit(server, phone_page, screenshot):
    page = phone_page
    open_page(page, server.url + "/settings")
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Save messages"))
    form.get_by_text("Later attempts", exact=True).tap()
    text = form.get_by_label("Text message", exact=True)
    expect(text).to_have_count(3)
    later = text.nth(1)
    expect(later).to_be_visible()
    later.fill("Hi {first_name}, {my_name} again. A quick call this week?")
    screenshot(page, "settings-messages.png")
    with rerun(page):
        form.get_by_role("button", name="Save messages").tap()
    saved = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Messages saved.")
    expect(saved).to_be_visible()
    with closing(sqlite3.connect(server.db_path)) as conn:
        stored = dict(conn.execute("SELECT name, value FROM settings").fetchall())
    assert stored == {"template_later_sms":
                      '"Hi {first_name}, {my_name} again. A quick call this week?"'}
    assert_no_errors(page)

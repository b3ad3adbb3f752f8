"""Capture with one thumb: the keyboards each field needs, no hint over what is typed, the
camera from one tap with the photo read at once, and after every Save the next card
ready at the top."""

from tests import cardgen
from tests.apptest import rows

from .helpers import (
    assert_no_errors,
    assert_no_horizontal_overflow,
    expect,
    on_screen,
    open_details,
    open_page,
    rerun,
)
from .test_scan import badge_photo

def field(page, label):
    return page.get_by_label(label, exact=True)


def test_contact_fields_bring_their_keyboards_and_no_hint_covers_the_text(
        server, phone_page, screenshot):
    page = phone_page
    open_page(page, server.url + "/capture")
    open_details(page)
    types = {label: field(page, label).get_attribute("type")
             for label in ("Name", "Email", "Phone", "LinkedIn", "Website")}
    assert types == {"Name": "text", "Email": "email", "Phone": "tel", "LinkedIn": "url",
                     "Website": "url"}
    field(page, "Email").tap()
    field(page, "Email").press_sequentially("alexandra.van-der-berg@logistics.example")
    hints = page.get_by_test_id("InputInstructions")
    assert all(not hints.nth(n).is_visible() for n in range(hints.count()))
    screenshot(page, "capture-typing-email.png")
    assert_no_errors(page)


def ready_for_the_next_card(page, name):
    """After a Save: the confirmation and an empty Name, focused, both on screen; the
    details folded."""
    success = page.get_by_test_id("stAlertContentSuccess").filter(has_text=f"Saved {name}")
    expect(success).to_be_visible()
    expect(field(page, "Name")).to_have_value("")
    expect(field(page, "Name")).to_be_focused()
    assert on_screen(field(page, "Name")) and on_screen(success)
    # The details are folded again, whatever the last card opened.
    expect(page.get_by_role("textbox", name="Phone", exact=True)).not_to_be_visible()


def test_after_every_save_the_form_is_empty_folded_and_name_ready(server, phone_page,
                                                                  screenshot):
    page = phone_page
    open_page(page, server.url + "/capture")
    # A card with details, saved from far down the form.
    field(page, "Name").fill("Ines Duarte")
    open_details(page)
    field(page, "Phone").fill("+351 21 209 9603")
    page.get_by_role("radio", name="Prospect", exact=True).tap()
    save = page.get_by_role("button", name="Save card")
    field(page, "Tags").scroll_into_view_if_needed()
    with rerun(page):
        save.tap()
    ready_for_the_next_card(page, "Ines Duarte")
    screenshot(page, "capture-after-save.png")
    # And the next one, typed straight into the focused Name.
    page.keyboard.type("Omar Haddad")
    with rerun(page):
        save.tap()
    ready_for_the_next_card(page, "Omar Haddad")
    assert rows(server.db_path, "SELECT name, phone FROM people ORDER BY id") == [
        ("Ines Duarte", "+351212099603"), ("Omar Haddad", None)]
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)


def take_photo(page, photo):
    """One tap on the camera control: the phone's camera (here a file chooser) opens."""
    control = page.locator("[class*='st-key-camera_'] input[type=file]")
    assert control.get_attribute("capture") == "environment"
    assert control.get_attribute("accept") == "image/*"
    with page.expect_file_chooser() as chooser:
        page.locator("[class*='st-key-camera_']").get_by_role("button").filter(
            has_text="Upload").tap()
    with rerun(page, timeout=60):
        chooser.value.set_files(str(photo))


def test_one_tap_photographs_a_code_or_a_card_read_at_once_with_save_on_screen(
        server, phone_page, screenshot, tmp_path):
    page = phone_page
    badge, card = tmp_path / "badge.jpg", tmp_path / "card.jpg"
    badge.write_bytes(badge_photo())
    paper = cardgen.card(7)
    card.write_bytes(paper.photo)
    open_page(page, server.url + "/capture")

    take_photo(page, badge)  # a QR code: read first
    filled = {"Name": "Amara Okafor", "Company": "Northwind Logistics",
              "Title": "Head of Fleet Operations", "Email": "amara.okafor@northwind.example",
              "Phone": "+44 20 7946 0958"}
    for label, value in filled.items():
        expect(field(page, label)).to_have_value(value)
        assert on_screen(field(page, label)), label
    save = page.get_by_role("button", name="Save card")
    assert on_screen(save)
    screenshot(page, "capture-code-read.png")
    with rerun(page):
        save.tap()
    ready_for_the_next_card(page, "Amara Okafor")

    take_photo(page, card)  # no code: the card's text is read
    truth = paper.truth
    for label, value in (("Name", truth.name), ("Company", truth.company),
                         ("Email", truth.email)):
        expect(field(page, label)).to_have_value(value)
        assert on_screen(field(page, label)), label
    assert on_screen(save)
    screenshot(page, "capture-card-read.png")
    page.get_by_role("radio", name="Prospect", exact=True).tap()
    with rerun(page):
        save.tap()
    ready_for_the_next_card(page, truth.name)
    assert rows(server.db_path, "SELECT name, source FROM people ORDER BY id") == [
        ("Amara Okafor", "scan"), (truth.name, "capture")]
    # The paper card's photo is kept with its card; the code's is not.
    assert rows(server.db_path, "SELECT p.name FROM attachments a JOIN people p "
                                "ON p.id = a.person_id") == [(truth.name,)]
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)

"""People on a phone: the list filters as you type, a person's page opens with Call, Text
and Email, each value a field with its label, a local number read with your phone
country, the confirmation of a Save on screen; and "Back to the list" clear of the header."""

import re

from fieldkit import cards, config, db, sample

from tests.apptest import rows

from .helpers import (
    assert_no_errors,
    assert_no_horizontal_overflow,
    expect,
    on_screen,
    open_page,
    rerun,
)


def test_the_list_filters_as_you_type_without_enter(server, phone_page, screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
    # Three letters of someone's first name, by a rule that holds for any sample.
    name = rows(server.db_path, "SELECT name FROM people WHERE status = 'active' "
                                "ORDER BY id LIMIT 1")[0][0]
    typed = name.split()[0][:3].lower()
    (total,) = rows(server.db_path, "SELECT count(*) FROM people WHERE status != 'merged'")[0]
    open_page(page, server.url + "/people")
    search = page.get_by_role("searchbox")
    search.tap()
    with rerun(page):  # no Enter, no leaving the field: a pause in typing is a search
        search.press_sequentially(typed, delay=80)
    expect(search).to_be_focused()
    shown = page.get_by_text(re.compile(r"^[\d,]+ (people|person)$"))
    expect(shown).not_to_have_text(f"{total:,} people")
    expect(page.locator("[class*='st-key-open_']").filter(has_text=name).first).to_be_visible()
    screenshot(page, "people-search-as-you-type.png")
    assert_no_errors(page)


def test_a_persons_page_on_a_phone(server, phone_page, screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        config.save(conn, {"phone_region": "FR"})
    with db.connect(server.db_path) as conn:
        person = cards.save(conn, cards.clean({
            "name": "Fatima Haddad", "email": "fatima@hadd.example", "phone": "+33 6 12 34 56 78",
            "company": "Haddad Freight"}, phone_region="FR"), settings=config.load(conn))
    open_page(page, f"{server.url}/people?id={person}")
    main = page.get_by_test_id("stMain")
    back = main.get_by_role("button", name="Back to the list")
    assert on_screen(back)  # whole, below the header
    row = page.locator(".st-key-person_reach")
    for label, href in (("Call", "tel:+33612345678"), ("Text", "sms:+33612345678"),
                        ("Email", "mailto:fatima@hadd.example")):
        link = row.get_by_role("link", name=label, exact=True)
        assert link.get_attribute("href").startswith(href)
        assert link.bounding_box()["height"] >= 44 and on_screen(link)
    screenshot(page, "person-top.png")

    page.get_by_text("Edit", exact=True).tap()
    phones = page.get_by_role("textbox", name="Phone", exact=True)
    expect(phones).to_have_count(1)
    page.get_by_role("textbox", name="Another phone", exact=True).fill("01 23 45 67 89")
    # Its label: one tap on the pills under it.
    mobile = page.locator("[class*='st-key-edit_'][class*='_phone_1_'][class*='_label']") \
        .get_by_role("radio", name="mobile", exact=True)
    mobile.tap()
    expect(mobile).to_be_checked()  # picked on the phone before Save sends the form
    screenshot(page, "person-edit-label.png")
    save = page.get_by_role("button", name="Save changes")
    save.scroll_into_view_if_needed()
    with rerun(page):
        save.tap()
    saved = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Saved.")
    expect(saved).to_be_visible()
    assert on_screen(saved)
    expect(main.get_by_role("link", name="01 23 45 67 89")).to_have_count(0)
    expect(main.get_by_role("link", name="+33 1 23 45 67 89")).to_have_attribute(
        "href", "tel:+33123456789")
    assert rows(server.db_path, "SELECT label, value FROM labelled_values WHERE kind = 'phone'"
                ) == [("mobile", "+33123456789")]
    screenshot(page, "person-saved.png")
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)

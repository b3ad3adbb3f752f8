"""A person with several phones, emails and addresses, on a phone: shown, edited, no sideways scroll."""

from pathlib import Path

from fieldkit import db, imports, vcard

from .helpers import assert_no_errors, assert_no_horizontal_overflow, expect, open_page, rerun

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_person_with_many_values_on_a_phone(server, phone_page, screenshot):
    with db.connect(server.db_path) as conn:
        data = (FIXTURES / "vcard" / "iphone-many.vcf").read_bytes()
        imports.apply(conn, vcard.preview(conn, data, "iphone.vcf", {"phone_region": "JP"}))
        keiko = conn.execute("SELECT id FROM people WHERE name = 'Keiko Nakamura'").fetchone()[0]
    page = phone_page
    open_page(page, f"{server.url}/people?id={keiko}")
    card = page.get_by_test_id("stMarkdownContainer").filter(has_text="Director of Product")
    # (An email is shown with a word joiner before its @: no autolink of another form.)
    for shown in ("k.nakamura", "hikari.example", "+81 90-1234-5678", "+81 3-9876-5433",
                  "work fax", "assistant", "Cottage", "2-1-1 Nishi-Shinjuku", "Apartment 1203",
                  "3-4-5 Shiba, Tower B", "homepage"):
        expect(card.first).to_contain_text(shown)
    expect(page.get_by_role("link", name="+81 90-1234-5678")).to_have_attribute(
        "href", "tel:+819012345678")
    screenshot(page, "person-values.png")
    assert_no_horizontal_overflow(page)

    page.get_by_text("Edit", exact=True).tap()  # an expander: opens in the browser alone
    # One field per number, each with its label picker, and one more to add a number.
    phones = page.get_by_role("textbox", name="Phone", exact=True)
    assert phones.evaluate_all("fields => fields.map(f => f.value)") == [
        "+81 90-1234-5678", "+81 80-2345-6789", "+81 3-1234-5678", "+81 3-9876-5432",
        "+81 3-1234-5679", "+81 3-9876-5433", "+81 20-4123-4567", "+81 3-9876-5400",
        "+81 467-22-0000"]
    # Each number's label is picked with one tap; a label of the card's own is offered too.
    picked = page.locator("[class*='st-key-edit_'][class*='_phone_'][class*='_label'] "
                          "[role=radio][aria-checked=true]")
    assert picked.all_inner_texts() == [
        "mobile", "iphone", "home", "work", "home fax", "work fax", "pager", "assistant",
        "Cottage"]
    phones.first.scroll_into_view_if_needed()
    screenshot(page, "person-values-edit.png")
    page.get_by_role("textbox", name="Country").first.scroll_into_view_if_needed()
    screenshot(page, "person-values-edit-address.png")
    assert_no_horizontal_overflow(page)
    for n in range(1, 9):
        phones.nth(n).fill("")
    # A label of the user's own, typed before the number.
    page.get_by_role("textbox", name="Another phone", exact=True).fill("reception: ask for Keiko")
    with rerun(page):
        page.get_by_role("button", name="Save changes").tap()
    expect(page.get_by_text("Kept as written, not checked: phone “ask for Keiko”")).to_be_visible()
    expect(page.get_by_text("ask for Keiko").first).to_be_visible()
    expect(page.get_by_text("reception").first).to_be_visible()
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)

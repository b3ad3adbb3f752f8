"""Getting around on a phone: a bottom bar of the day's pages, and the side menu closing
once a page is picked in it."""

from fieldkit.ui import nav

from .helpers import assert_no_errors, expect, open_page, rerun


def test_the_bottom_bar_goes_to_each_page_of_the_day(server, phone_page, screenshot):
    page = phone_page
    open_page(page, server.url + "/")
    bar = page.locator(".st-key-bottom_bar")
    titles = [nav.page(path).title for path in nav.BOTTOM_BAR]
    assert [text.split("\n")[-1] for text in bar.get_by_role("link").all_inner_texts()] == titles
    for title in titles[1:] + titles[:1]:
        link = bar.get_by_role("link", name=title, exact=True)
        box = link.bounding_box()
        assert box["y"] + box["height"] <= 844 and box["height"] >= 44  # at the screen's foot
        with rerun(page):
            link.tap()
        expect(page.get_by_role("heading", level=1).first).to_have_text(title)
    screenshot(page, "navigation-bottom-bar.png")
    assert_no_errors(page)


def test_the_side_menu_closes_once_a_page_is_picked(server, phone_page, screenshot):
    page = phone_page
    open_page(page, server.url + "/")
    page.get_by_test_id("stExpandSidebarButton").tap()
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "false")
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Metrics")) \
        .to_be_in_viewport(ratio=1)
    screenshot(page, "navigation-menu-open.png")
    with rerun(page):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Metrics").tap()
    expect(page.get_by_role("heading", level=1).first).to_have_text("Metrics")
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    screenshot(page, "navigation-menu-closed.png")
    assert_no_errors(page)


def test_a_wide_screen_keeps_its_top_navigation_and_no_bar(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        open_page(page, server.url + "/")
        expect(page.locator(".st-key-bottom_bar")).to_be_hidden()
    finally:
        context.close()



def test_the_side_menu_closes_in_a_narrow_window_too(server, browser):
    """A 390 px window that Streamlit does not take for a phone (no touch, a desktop
    browser's name) left its menu open over the page picked."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        open_page(page, server.url + "/")
        page.get_by_test_id("stExpandSidebarButton").click()
        metrics = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Metrics")
        expect(metrics).to_be_in_viewport(ratio=1)
        with rerun(page):
            metrics.click()
        expect(page.get_by_role("heading", level=1).first).to_have_text("Metrics")
        expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    finally:
        context.close()

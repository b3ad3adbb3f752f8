"""The metrics page on a phone, over the sample data."""

from fieldkit import db, sample

from .helpers import assert_no_errors, assert_no_horizontal_overflow, expect, open_page, settle


def test_metrics_render_on_a_phone_without_overflow(server, phone_page, screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
    open_page(page, server.url + "/metrics")
    charts = page.locator("[data-testid=stVegaLiteChart]")
    expect(charts.first).to_be_visible()
    settle(page)
    assert charts.count() >= 6
    expect(page.get_by_text("Half-life 14 days").first).to_be_visible()
    expect(page.get_by_text("the last 26 weeks")).to_be_visible()  # a phone's heat map
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is None or box["x"] + box["width"] <= 390 + 1
    screenshot(page, "metrics.png")
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)

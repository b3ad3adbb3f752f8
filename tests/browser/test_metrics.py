"""The metrics page on a phone, over the sample data."""

from fieldkit import cues, db, sample
from fieldkit.web import shell

from .helpers import (
    assert_no_errors,
    charts_drawn,
    assert_no_horizontal_overflow,
    expect,
    open_page,
    rerun,
    settle,
    wait_controlled,
)


def metrics_of_the_sample(server, page):
    """/metrics of the sample data, open on the phone; its charts' locator."""
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
    open_page(page, server.url + "/metrics")
    charts = page.locator("[data-testid=stVegaLiteChart]")
    expect(charts.first).to_be_visible()
    return charts


def test_metrics_render_on_a_phone_without_overflow(server, phone_page, screenshot):
    page = phone_page
    charts = metrics_of_the_sample(server, page)
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


def test_every_chart_is_readable_at_390_px(server, phone_page, screenshot):
    """No chart squeezed to a sliver, no legend, title or label cut short, and the
    calls' benchmark says where it comes from."""
    page = phone_page
    metrics_of_the_sample(server, page)
    charts_drawn(page)
    # Every axis shows at least two labels: a plot squeezed to a sliver shows one ("0").
    axes = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid=stVegaLiteChart] svg g.role-axis')].map((axis) =>
        [...axis.querySelectorAll('g.role-axis-label text')].filter((t) => t.textContent).length)""")
    labelled = [count for count in axes if count]  # grid lines are axes without labels
    assert labelled and min(labelled) >= 2, axes
    # No text cut short: none ends in Vega-Lite's ellipsis, none runs past its chart.
    cut = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]
        .flatMap((chart) => {
          const right = chart.getBoundingClientRect().right + 1;
          return [...chart.querySelectorAll('svg text')].filter((t) => t.textContent &&
            (t.textContent.endsWith('…') || t.getBoundingClientRect().right > right))
            .map((t) => t.textContent);
        })""")
    assert cut == []
    expect(page.get_by_text("Product Manager Secrets For Really Connecting With Your "
                            "Customers", exact=False)).to_be_visible()
    screenshot(page, "metrics-charts.png", whole=True)
    assert_no_horizontal_overflow(page)
    assert_no_errors(page)


def test_the_charts_come_with_the_page_on_a_warm_start(server, phone_context):
    """Opened again from the phone, a page left idle fetches the charts' code: Metrics
    then draws its charts in the run that shows it."""
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
    first = phone_context.new_page()
    open_page(first, f"{server.url}/")
    wait_controlled(first)
    first.close()
    page = phone_context.new_page()
    open_page(page, f"{server.url}/")
    (chart_code,) = shell.widget_entries(widgets=shell.CHARTS)
    page.wait_for_function(
        f"() => performance.getEntriesByName(location.origin + {chart_code!r}).length > 0",
        timeout=(cues.IDLE_MS + 10_000))
    with rerun(page):
        page.get_by_test_id("stMain").get_by_role("link", name="Metrics").tap()
    drawn = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]
        .map((c) => Boolean(c.querySelector('canvas, svg')))""")
    assert len(drawn) >= 6 and all(drawn)
    assert_no_errors(page)

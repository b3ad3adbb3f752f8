"""The Metrics page under AppTest: empty state, every period, weekdays only."""

import pytest
from apptest import run_page

from fieldkit import metrics

PAGE = "pages/metrics.py"


def test_empty_database_says_what_to_do_first(app_db):
    at = run_page(PAGE)
    assert "Nothing to measure yet" in at.info[0].value
    assert not at.get("vega_lite_chart")


@pytest.mark.parametrize("period", metrics.PERIODS)
def test_every_period_renders_the_charts(sample_db, period):
    at = run_page(PAGE)
    at.button_group[0].set_value(period).run()
    assert not at.exception
    figures = {m.label: m.value for m in at.metric}
    assert figures["Current"] == "11 d"  # the sample's streak (sample.QUIET_DAY_AGO)
    assert figures["Strength today"].endswith("%")
    specs = [chart.proto.spec for chart in at.get("vega_lite_chart")]
    assert len(specs) >= 6
    assert any("Half-life 14 days" in spec for spec in specs)
    assert any("half-life" in c.value.lower() for c in at.caption)


def test_weekdays_only_keeps_the_page_working(sample_db):
    at = run_page(PAGE)
    at.toggle[0].set_value(True).run()
    assert not at.exception
    current = {m.label: m.value for m in at.metric}["Current"]
    assert int(current.split()[0]) >= 1


def test_a_card_saved_shows_on_metrics_at_once(sample_db):
    """The metrics are cached, but any commit makes the next run read them afresh."""
    def new_people(at):
        return int(str({m.label: m.value for m in at.metric}["New people"]).replace(",", ""))

    at = run_page(PAGE)
    before = new_people(at)
    at.run()  # a rerun served from the cache shows the same
    assert new_people(at) == before
    at.switch_page("pages/capture.py").run()
    at.text_input(key="capture_name_0").input("Zora Newcomer")
    next(b for b in at.button if b.label == "Save card").click().run()
    assert not at.exception
    at.switch_page(PAGE).run()
    assert new_people(at) == before + 1

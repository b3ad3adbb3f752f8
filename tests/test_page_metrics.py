"""The Metrics page under AppTest: empty state, every period, weekdays only."""

from datetime import timedelta

import pytest
from apptest import run_page

from fieldkit import activity, clock, config, db, metrics, sample

PAGE = "pages/metrics.py"


def current(at) -> str:
    return {m.label: m.value for m in at.metric}["Current"]


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
    assert figures["Current"] == f"{sample.QUIET_DAY_AGO} d"  # the sample's streak
    assert figures["Strength today"].endswith("%")
    specs = [chart.proto.spec for chart in at.get("vega_lite_chart")]
    # Heat map, streaks, strength, weekly time, persistence, reach and the call funnel:
    # the sample has runs, people met and calls in every period.
    assert len(specs) == 7
    assert any("Half-life 14 days" in spec for spec in specs)
    assert any("half-life" in c.value.lower() for c in at.caption)


def test_weekdays_only_counts_the_streak_in_weekdays(sample_db):
    with db.connect(sample_db) as conn:
        tz = config.load(conn)["timezone"]
        days = activity.networking_days(conn, tz)
    # Back from today (the sample's days up to it are active): a weekend neither
    # breaks nor extends the streak, the first weekday without networking ends it.
    day, expected = clock.today(tz), 0
    while day.weekday() >= 5 or day in days:
        expected += day.weekday() < 5
        day -= timedelta(days=1)
    at = run_page(PAGE)
    assert current(at) == f"{sample.QUIET_DAY_AGO} d"
    at.toggle[0].set_value(True).run()
    assert not at.exception
    assert current(at) == f"{expected} d"


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

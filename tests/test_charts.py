"""fieldkit.charts: the weekly look back's charts, checked through their Vega-Lite specs."""

from datetime import date

import altair as alt
import pandas as pd
import pytest

from fieldkit import charts

TODAY = date(2026, 3, 11)  # a Wednesday
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442",
             "#0072B2", "#D55E00", "#CC79A7", "#000000"]
KINDS = ["Customer", "Prospect", "Competitor", "Vendor",
         "Partner", "Colleague", "Press / analyst", "Other"]


def dt(*days):
    return pd.to_datetime(list(days))


def daily_frame():
    return pd.DataFrame({"day": dt("2026-03-02", "2026-03-09", "2026-03-11", "2025-01-01"),
                         "actions": [3, 1, 2, 9]})


def best_frame():
    return pd.DataFrame({
        "start": dt("2026-03-12", "2025-12-28", "2026-01-10"),
        "end": dt("2026-04-02", "2026-01-03", "2026-01-10"),
        "length": [22, 7, 1],
    })


def strength_frame():
    return pd.DataFrame({"day": dt("2026-03-09", "2026-03-10", "2026-03-11"),
                         "score": [0.4, 0.55, 0.5]})


def weekly_frame():
    return pd.DataFrame({
        "week": dt("2026-02-23", "2026-03-02", "2026-03-09"),
        "minutes": [200, 90, 185],
        "target_minutes": [180, 180, 180],
        "met": [True, False, True],
    })


def by_attempt_frame():
    return pd.DataFrame({"attempt": [1, 2, 3, 4], "dialogs": [5, 3, 2, 1]})


def monthly_frame():
    return pd.DataFrame({
        "month": dt("2026-01-01", "2026-01-01", "2026-02-01", "2026-02-01"),
        "kind": ["Customer", "Competitor", "Press / analyst", "Customer"],
        "people": [4, 1, 2, 3],
    })


def funnel_frame():
    return pd.DataFrame({
        "stage": ["Talked", "Dialed", "Picked up"],
        "count": [3, 20, 9],
        "share": [0.15, 1.0, 0.45],
        "benchmark": [0.15, None, 0.5],
    })


# Each builder with its sample frame; an empty frame is built from the same columns.
BUILDERS = {
    "heatmap": (lambda df: charts.heatmap(df, weeks=26, today=TODAY), daily_frame),
    "streak_bars": (charts.streak_bars, best_frame),
    "strength_line": (lambda df: charts.strength_line(df, half_life_days=14), strength_frame),
    "weekly_time": (charts.weekly_time, weekly_frame),
    "persistence": (charts.persistence, by_attempt_frame),
    "reach_mix": (charts.reach_mix, monthly_frame),
    "call_funnel": (charts.call_funnel, funnel_frame),
}


def rows(spec):
    """The one inline dataset's rows."""
    (values,) = spec["datasets"].values()
    return values


def layers(spec):
    """The unit specs of a chart, layered or not."""
    return spec.get("layer", [spec])


def marks(spec):
    return [layer["mark"]["type"] for layer in layers(spec)]


def tooltip_fields(encoding):
    return [t["field"] for t in encoding["tooltip"]]


# ---------------------------------------------------------------------------
# Every builder
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUILDERS)
def test_builder_returns_valid_container_width_chart(name):
    build, frame = BUILDERS[name]
    chart = build(frame())
    assert isinstance(chart, alt.Chart | alt.LayerChart)
    spec = chart.to_dict(validate=True)
    assert spec["width"] == "container"


@pytest.mark.parametrize("name", BUILDERS)
def test_spec_fits_the_width_and_keeps_the_charts_own_height(name):
    # Streamlit would fit the height too: a chart with a title and a legend then
    # keeps a sliver of its height for the plot.
    build, frame = BUILDERS[name]
    assert charts.spec(build(frame()))["autosize"] == {"type": "fit-x", "contains": "padding"}


@pytest.mark.parametrize("name", BUILDERS)
def test_builder_on_empty_frame_gives_valid_chart(name):
    build, frame = BUILDERS[name]
    empty = frame().iloc[0:0]
    spec = build(empty).to_dict(validate=True)
    assert spec["width"] == "container"


@pytest.mark.parametrize("name", BUILDERS)
def test_builder_on_frame_without_dtypes_gives_valid_chart(name):
    # An empty frame made from column names alone has object columns.
    build, frame = BUILDERS[name]
    empty = pd.DataFrame(columns=list(frame().columns))
    build(empty).to_dict(validate=True)


@pytest.mark.parametrize("name", BUILDERS)
def test_builder_every_layer_with_encodings_has_tooltips(name):
    build, frame = BUILDERS[name]
    spec = build(frame()).to_dict()
    shown = [layer for layer in layers(spec) if layer["mark"]["type"] not in ("area", "line")]
    assert shown and all(layer["encoding"]["tooltip"] for layer in shown)


@pytest.mark.parametrize("name", BUILDERS)
def test_builder_legends_sit_at_the_bottom(name):
    build, frame = BUILDERS[name]
    spec = build(frame()).to_dict()
    for layer in layers(spec):
        color = layer.get("encoding", {}).get("color")
        if color is not None:
            assert color["legend"]["orient"] == "bottom"


# ---------------------------------------------------------------------------
# 1. heatmap
# ---------------------------------------------------------------------------


def test_heatmap_encodes_weeks_weekdays_and_actions():
    spec = charts.heatmap(daily_frame(), weeks=26, today=TODAY).to_dict()
    assert marks(spec) == ["rect"]
    enc = spec["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"]) == ("week", "ordinal")
    assert (enc["y"]["field"], enc["y"]["type"]) == ("weekday", "ordinal")
    assert enc["y"]["sort"] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert enc["y"]["scale"]["domain"] == enc["y"]["sort"]
    assert (enc["color"]["field"], enc["color"]["type"]) == ("actions", "quantitative")
    assert enc["color"]["scale"]["scheme"]["name"] == "greens"
    assert enc["color"]["condition"] == {"test": "datum.actions == 0", "value": "#ebedf0"}
    assert tooltip_fields(enc) == ["date", "actions"]
    assert enc["x"]["axis"]["labelAngle"] == 0


@pytest.mark.parametrize("weeks", [1, 26, 52])
def test_heatmap_data_is_a_full_grid_starting_on_a_monday(weeks):
    data = rows(charts.heatmap(daily_frame(), weeks=weeks, today=TODAY).to_dict())
    assert len(data) == weeks * 7
    first, last = date.fromisoformat(data[0]["day"]), date.fromisoformat(data[-1]["day"])
    assert first.weekday() == 0
    assert last == date(2026, 3, 15)  # the Sunday of today's week
    assert len({row["week"] for row in data}) == weeks


def test_heatmap_fills_missing_days_with_zero():
    data = rows(charts.heatmap(daily_frame(), weeks=2, today=TODAY).to_dict())
    actions = {row["day"]: row["actions"] for row in data}
    assert actions["2026-03-02"] == 3
    assert actions["2026-03-09"] == 1
    assert actions["2026-03-11"] == 2
    assert actions["2026-03-03"] == 0
    assert "2025-01-01" not in actions  # before the window
    assert sum(actions.values()) == 6


def test_heatmap_adds_up_rows_for_the_same_day():
    daily = pd.DataFrame({"day": dt("2026-03-10", "2026-03-10"), "actions": [2, 3]})
    data = rows(charts.heatmap(daily, weeks=1, today=TODAY).to_dict())
    assert {row["day"]: row["actions"] for row in data}["2026-03-10"] == 5


def test_heatmap_leaves_days_after_today_blank():
    spec = charts.heatmap(daily_frame(), weeks=1, today=TODAY).to_dict()
    future = [row["day"] for row in rows(spec) if row["future"]]
    assert future == ["2026-03-12", "2026-03-13", "2026-03-14", "2026-03-15"]
    assert {"filter": "!datum.future"} in spec["transform"]


def test_heatmap_labels_the_first_week_of_each_month():
    data = rows(charts.heatmap(daily_frame(), weeks=1, today=TODAY).to_dict())
    assert data[1]["date"] == "Tue 10 Mar 2026"
    assert data[0]["week"] == "2026-03-09"


@pytest.mark.parametrize("weeks", [0, -1])
def test_heatmap_rejects_fewer_than_one_week(weeks):
    with pytest.raises(ValueError):
        charts.heatmap(daily_frame(), weeks=weeks, today=TODAY)


# ---------------------------------------------------------------------------
# 2. streak_bars
# ---------------------------------------------------------------------------


def test_streak_bars_are_horizontal_and_longest_first():
    spec = charts.streak_bars(best_frame()).to_dict()
    assert marks(spec) == ["bar"]
    enc = spec["encoding"]
    assert (enc["y"]["field"], enc["y"]["type"], enc["y"]["sort"]) == ("streak", "nominal", "-x")
    assert (enc["x"]["field"], enc["x"]["type"]) == ("length", "quantitative")
    assert enc["x"]["title"] == "Days"
    assert tooltip_fields(enc) == ["start", "end", "length"]


def test_streak_bars_label_each_streak_with_its_dates():
    data = rows(charts.streak_bars(best_frame()).to_dict())
    assert [row["streak"] for row in data] == [
        "12 Mar – 2 Apr 2026", "28 Dec 2025 – 3 Jan 2026", "10 Jan 2026"]
    assert data[0]["start"] == "Thu 12 Mar 2026"
    assert data[0]["end"] == "Thu 2 Apr 2026"


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2026, 3, 12), date(2026, 4, 2), "12 Mar – 2 Apr 2026"),
        (date(2025, 12, 28), date(2026, 1, 3), "28 Dec 2025 – 3 Jan 2026"),
        (date(2026, 1, 10), date(2026, 1, 10), "10 Jan 2026"),
        (date(2026, 1, 1), date(2026, 1, 9), "1 Jan – 9 Jan 2026"),
    ],
    ids=["same_year", "across_years", "one_day", "same_month"],
)
def test_streak_label(start, end, expected):
    assert charts.streak_label(start, end) == expected


# ---------------------------------------------------------------------------
# 3. strength_line
# ---------------------------------------------------------------------------


def test_strength_line_is_a_percent_line_over_an_area():
    spec = charts.strength_line(strength_frame(), half_life_days=14).to_dict()
    assert marks(spec) == ["area", "line", "point", "rule"]
    for layer in spec["layer"]:
        enc = layer["encoding"]
        assert (enc["x"]["field"], enc["x"]["type"]) == ("day", "temporal")
        assert (enc["y"]["field"], enc["y"]["type"]) == ("score", "quantitative")
        assert enc["y"]["axis"]["format"] == ".0%"
        assert enc["y"]["scale"]["domain"] == [0, 1]
    tooltip = spec["layer"][3]["encoding"]["tooltip"]
    assert [t["field"] for t in tooltip] == ["day", "score"]
    assert tooltip[1]["format"] == ".0%"


def test_strength_line_marks_the_newest_day_with_a_dot_so_a_first_day_shows():
    spec = charts.strength_line(strength_frame().iloc[::-1], half_life_days=14).to_dict()
    dot = spec["layer"][2]
    assert dot["mark"]["type"] == "point" and dot["mark"]["filled"] is True
    window, keep = dot["transform"]
    assert [(w["op"], w["as"]) for w in window["window"]] == [("rank", "newest")]
    assert window["sort"] == [{"field": "day", "order": "descending"}]
    assert keep == {"filter": "datum.newest == 1"}


def test_strength_line_subtitle_mentions_the_half_life_in_lines_a_phone_shows_whole():
    spec = charts.strength_line(strength_frame(), half_life_days=14).to_dict()
    assert spec["title"]["subtitle"][0] == "Half-life 14 days:"
    assert all(len(line) <= 40 for line in spec["title"]["subtitle"])


# ---------------------------------------------------------------------------
# 4. weekly_time
# ---------------------------------------------------------------------------


def test_weekly_time_bars_in_hours_coloured_by_target_met():
    spec = charts.weekly_time(weekly_frame()).to_dict()
    assert marks(spec) == ["bar", "rule"]
    bars, rule = spec["layer"]
    assert (bars["encoding"]["x"]["field"], bars["encoding"]["x"]["type"]) == ("week", "temporal")
    assert bars["encoding"]["y"]["field"] == "hours"
    assert bars["encoding"]["y"]["title"] == "Hours"
    color = bars["encoding"]["color"]
    assert color["field"] == "met"
    assert color["legend"]["title"] == "Target met"
    assert color["scale"]["domain"] == ["Yes", "No"]
    assert set(color["scale"]["range"]) <= set(OKABE_ITO)
    assert rule["encoding"]["y"]["field"] == "target_hours"
    for layer in spec["layer"]:
        assert tooltip_fields(layer["encoding"]) == ["week", "minutes", "target_minutes", "met"]


def test_weekly_time_derives_hours_from_minutes():
    data = rows(charts.weekly_time(weekly_frame()).to_dict())
    assert [row["hours"] for row in data] == [200 / 60, 1.5, 185 / 60]
    assert {row["target_hours"] for row in data} == {3.0}
    assert [row["met"] for row in data] == ["Yes", "No", "Yes"]


# ---------------------------------------------------------------------------
# 5. persistence
# ---------------------------------------------------------------------------


def test_persistence_bars_per_attempt_in_order():
    spec = charts.persistence(by_attempt_frame()).to_dict()
    assert marks(spec) == ["bar"]
    assert spec["title"]["text"] == "Dialogs by attempt"
    enc = spec["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"]) == ("label", "ordinal")
    assert enc["x"]["sort"] == {"field": "attempt", "op": "min", "order": "ascending"}
    assert (enc["y"]["field"], enc["y"]["type"]) == ("dialogs", "quantitative")
    assert tooltip_fields(enc) == ["label", "dialogs"]
    assert [row["label"] for row in rows(spec)] == ["1st", "2nd", "3rd", "4th"]


@pytest.mark.parametrize(
    "n, expected",
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"),
     (13, "13th"), (21, "21st"), (22, "22nd"), (101, "101st"), (111, "111th")],
)
def test_ordinal(n, expected):
    assert charts.ordinal(n) == expected


# ---------------------------------------------------------------------------
# 6. reach_mix
# ---------------------------------------------------------------------------


def test_reach_mix_stacks_kinds_in_okabe_ito_colours():
    spec = charts.reach_mix(monthly_frame()).to_dict()
    assert marks(spec) == ["bar"]
    enc = spec["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"], enc["x"]["timeUnit"]) == (
        "month", "temporal", "yearmonth")
    assert (enc["y"]["field"], enc["y"]["aggregate"]) == ("people", "sum")
    color = enc["color"]
    assert (color["field"], color["type"]) == ("kind", "nominal")
    assert color["scale"]["domain"] == KINDS
    assert color["scale"]["range"] == OKABE_ITO
    assert color["sort"] == KINDS
    assert color["legend"]["values"] == ["Customer", "Competitor", "Press / analyst"]
    assert enc["order"]["field"] == "kind_order"
    assert tooltip_fields(enc) == ["month", "kind", "people"]


def test_reach_mix_maps_keys_and_unknown_kinds_into_the_domain():
    monthly = pd.DataFrame({
        "month": dt("2026-01-01", "2026-01-01", "2026-01-01"),
        "kind": ["customer", "Customer", "Astronaut"],
        "people": [1, 2, 4],
    })
    data = rows(charts.reach_mix(monthly).to_dict())
    assert {row["kind"]: row["people"] for row in data} == {"Customer": 3, "Other": 4}


def test_reach_mix_on_empty_frame_shows_no_legend_values():
    spec = charts.reach_mix(monthly_frame().iloc[0:0]).to_dict(validate=True)
    assert "values" not in spec["encoding"]["color"]["legend"]
    assert spec["encoding"]["color"]["scale"]["range"] == OKABE_ITO


# ---------------------------------------------------------------------------
# 7. call_funnel
# ---------------------------------------------------------------------------


def test_call_funnel_bars_of_share_with_benchmark_ticks():
    spec = charts.call_funnel(funnel_frame()).to_dict()
    assert marks(spec) == ["bar", "tick"]
    bars, ticks = spec["layer"]
    for layer in spec["layer"]:
        assert layer["encoding"]["y"]["sort"] == ["Dialed", "Picked up", "Talked"]
        assert tooltip_fields(layer["encoding"]) == ["stage", "count", "share", "typical"]
    assert (bars["encoding"]["x"]["field"], bars["encoding"]["x"]["type"]) == (
        "share", "quantitative")
    assert bars["encoding"]["x"]["axis"]["format"] == ".0%"
    assert bars["encoding"]["x"]["scale"]["domain"] == [0, 1]
    assert ticks["encoding"]["x"]["field"] == "benchmark"
    assert {"filter": "isValid(datum.benchmark)"} in ticks["transform"]


def test_call_funnel_data_keeps_counts_and_typical_shares():
    data = rows(charts.call_funnel(funnel_frame()).to_dict())
    by_stage = {row["stage"]: row for row in data}
    assert by_stage["Dialed"]["count"] == 20
    assert by_stage["Dialed"]["benchmark"] is None
    assert by_stage["Dialed"]["typical"] == "–"
    assert by_stage["Picked up"]["typical"] == "50%"
    assert by_stage["Talked"]["share"] == 0.15

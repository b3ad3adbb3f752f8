"""Chart builders for the weekly look back: plain DataFrames in, Altair charts out.

Every chart is sized for a phone first (390 px): it fills its container's width
(``width="container"``; the page passes it to ``st.altair_chart(chart,
width="stretch")``), keeps axis titles short, puts legends underneath, and
tells exact values in its tooltips. Categories use the Okabe-Ito palette,
counts a single-hue sequential scheme, so colour-blind readers lose nothing.

Dates reach the browser as text we formatted here, except on continuous time
axes, where Vega-Lite reads the naive local datetimes as local times.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

import altair as alt
import pandas as pd

from fieldkit.kinds import PERSON_KINDS

OKABE_ITO = [
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
]
ORANGE, SKY_BLUE, GREEN, _YELLOW, BLUE, _VERMILLION, _PURPLE, BLACK = OKABE_ITO

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
EMPTY_DAY = "#ebedf0"  # a day without actions: light grey, not the scheme's palest green
KIND_ORDER = list(PERSON_KINDS.values())
FUNNEL_STAGES = ["Dialed", "Picked up", "Talked"]

AUTOSIZE = {"type": "fit-x", "contains": "padding"}
# Altair's theme and data transformer are process-wide settings.
_SPEC_LOCK = threading.Lock()


def spec(chart: alt.TopLevelMixin) -> dict:
    """The chart as a Vega-Lite spec, its data inline: built once, drawn many times.

    For ``st.vega_lite_chart``. The schema check is left out (the tests
    validate every chart), and so is Altair's default theme, as
    ``st.altair_chart`` does.
    """
    with _SPEC_LOCK, alt.theme.enable("none"), alt.data_transformers.disable_max_rows():
        built = chart.to_dict(validate=False)
    # The width fits the page; the height is the chart's own. Streamlit would fit
    # both, and squeeze the plot of a chart with a title and a legend to a sliver.
    built.setdefault("autosize", AUTOSIZE)
    return built

DATE_FORMAT = "%a %-d %b %Y"  # d3-time-format: "Tue 10 Mar 2026"
# Month axis labels short enough for a phone: "Nov", "Dec", "2026", "Feb".
YEAR_OR_MONTH = (
    "timeFormat(datum.value, '%m') == '01' "
    "? timeFormat(datum.value, '%Y') : timeFormat(datum.value, '%b')"
)


def _legend(title: str, **kwargs) -> alt.Legend:
    # Underneath, so a legend never takes width from a 390 px plot.
    return alt.Legend(title=title, orient="bottom", **kwargs)


def _day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _as_dates(column: pd.Series) -> list[date]:
    return [ts.date() for ts in pd.to_datetime(column)]


# ---------------------------------------------------------------------------
# 1. Calendar heat map
# ---------------------------------------------------------------------------


def heatmap_days(daily: pd.DataFrame, *, weeks: int, today: date) -> pd.DataFrame:
    """Every day of the last ``weeks`` weeks ending with today's week, Monday first.

    Days missing from ``daily`` have 0 actions; days after ``today`` are
    marked ``future`` (drawn blank). Columns: day (ISO date), date (label),
    week (ISO date of its Monday), weekday (Mon..Sun), actions, future.
    """
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, not {weeks}")
    counts: dict[date, int] = {}
    for day, actions in zip(_as_dates(daily["day"]), daily["actions"]):
        counts[day] = counts.get(day, 0) + int(actions)
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    days = [first + timedelta(days=n) for n in range(7 * weeks)]
    return pd.DataFrame({
        "day": [d.isoformat() for d in days],
        "date": [_day_label(d) for d in days],
        "week": [(d - timedelta(days=d.weekday())).isoformat() for d in days],
        "weekday": [WEEKDAYS[d.weekday()] for d in days],
        "actions": [counts.get(d, 0) for d in days],
        "future": [d > today for d in days],
    })


def heatmap(daily: pd.DataFrame, *, weeks: int, today: date) -> alt.Chart:
    """A GitHub-style calendar of networking actions per day.

    ``daily`` has columns day (datetime64, local midnight) and actions (int),
    only for days with actions. The grid shows the last ``weeks`` weeks ending
    with today's week (26 suit a phone, 52 a wide screen): one column per week,
    Monday on top, a month's name over the first week that starts in it. Days
    without actions are light grey, others shades of green; days after today
    are left blank.
    """
    days = heatmap_days(daily, weeks=weeks, today=today)
    # The first Monday of a month carries its name; week labels are ISO dates.
    month_label = (
        f"toNumber(substring(datum.value, 8, 10)) <= 7 ? "
        f"{MONTHS!r}[toNumber(substring(datum.value, 5, 7)) - 1] : ''"
    )
    return (
        alt.Chart(days)
        .mark_rect(cornerRadius=2)
        .transform_filter("!datum.future")
        .encode(
            x=alt.X(
                "week:O",
                sort="ascending",
                title=None,
                scale=alt.Scale(paddingInner=0.15),
                # A month's name that would run into the last one's is left out.
                axis=alt.Axis(labelExpr=month_label, labelAngle=0, labelAlign="left",
                              labelOverlap="greedy", labelSeparation=6, ticks=False,
                              domain=False),
            ),
            y=alt.Y(
                "weekday:O",
                sort=WEEKDAYS,
                title=None,
                # Explicit, so a week with days still to come keeps all seven rows.
                scale=alt.Scale(domain=WEEKDAYS, paddingInner=0.15),
                axis=alt.Axis(ticks=False, domain=False, labelAngle=0),
            ),
            color=alt.Color(
                "actions:Q",
                scale=alt.Scale(scheme=alt.SchemeParams(name="greens", extent=[0.25, 1])),
                legend=_legend("Actions", direction="horizontal", gradientLength=120,
                               tickMinStep=1, format="d"),
                condition={"test": "datum.actions == 0", "value": EMPTY_DAY},
            ),
            tooltip=[
                alt.Tooltip("date:N", title="Date"),
                alt.Tooltip("actions:Q", title="Actions", format="d"),
            ],
        )
        .properties(width="container", height=alt.Step(15))
    )


# ---------------------------------------------------------------------------
# 2. Best streaks
# ---------------------------------------------------------------------------


def streak_label(start: date, end: date) -> str:
    """``12 Mar – 2 Apr 2026``; the year appears once unless the streak spans two."""
    if start == end:
        return f"{start.day} {start:%b %Y}"
    first = f"{start.day} {start:%b}" if start.year == end.year else f"{start.day} {start:%b %Y}"
    return f"{first} – {end.day} {end:%b %Y}"


def streak_bars(best: pd.DataFrame) -> alt.Chart:
    """The best streaks as horizontal bars, longest on top.

    ``best`` has columns start, end (datetime64) and length (days), up to ten
    rows. Each bar is labelled with its dates, e.g. ``12 Mar – 2 Apr 2026``.
    """
    starts, ends = _as_dates(best["start"]), _as_dates(best["end"])
    data = pd.DataFrame({
        "streak": [streak_label(s, e) for s, e in zip(starts, ends)],
        "start": [_day_label(s) for s in starts],
        "end": [_day_label(e) for e in ends],
        "length": [int(n) for n in best["length"]],
    })
    return (
        alt.Chart(data)
        .mark_bar(color=GREEN, cornerRadiusEnd=2)
        .encode(
            y=alt.Y("streak:N", sort="-x", title=None,
                    axis=alt.Axis(labelLimit=200, ticks=False)),
            x=alt.X("length:Q", title="Days", axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=[
                alt.Tooltip("start:N", title="Start"),
                alt.Tooltip("end:N", title="End"),
                alt.Tooltip("length:Q", title="Days", format="d"),
            ],
        )
        .properties(width="container", height=alt.Step(24))
    )


# ---------------------------------------------------------------------------
# 3. Habit strength
# ---------------------------------------------------------------------------


def strength_line(strength: pd.DataFrame, *, half_life_days: int) -> alt.LayerChart:
    """The habit-strength score over time, 0–100 %, as a line over a soft area.

    ``strength`` has columns day (datetime64) and score (0..1). A tap or hover
    anywhere shows the nearest day's exact score.
    """
    data = pd.DataFrame({
        "day": pd.to_datetime(strength["day"]),
        "score": strength["score"].astype(float),
    })
    base = alt.Chart(data).encode(
        x=alt.X("day:T", title=None,
                axis=alt.Axis(labelAngle=0, tickCount=4, labelOverlap=True)),
        y=alt.Y("score:Q", title="Strength", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format=".0%", tickCount=5)),
    )
    # Vega-Lite's "tooltip on the nearest point" pattern: an invisible rule per day.
    nearest = alt.selection_point(name="strength_hover", fields=["day"], nearest=True,
                                  on="pointerover", clear="pointerout", empty=False)
    tooltip = [
        alt.Tooltip("day:T", title="Day", format=DATE_FORMAT),
        alt.Tooltip("score:Q", title="Strength", format=".0%"),
    ]
    rule = base.mark_rule(color=BLACK).encode(
        opacity=alt.condition(nearest, alt.value(0.3), alt.value(0)), tooltip=tooltip,
    ).add_params(nearest)
    # The latest day as a dot: where the score stands now, and all a first day shows
    # (a line of one point draws nothing).
    latest = base.mark_point(color=BLUE, filled=True, size=60, opacity=1).encode(
        tooltip=tooltip,
    ).transform_window(
        newest="rank()", sort=[alt.SortField("day", order="descending")],
    ).transform_filter("datum.newest == 1")
    days = "day" if half_life_days == 1 else "days"
    return alt.layer(
        base.mark_area(color=BLUE, opacity=0.2),
        base.mark_line(color=BLUE, strokeWidth=2),
        latest,
        rule,
    ).properties(
        width="container",
        height=200,
        # Short lines: a phone's width shows them whole.
        title=alt.TitleParams("Habit strength",
                              subtitle=[f"Half-life {half_life_days} {days}:",
                                        "a missed day dents it, never zeroes it"],
                              anchor="start"),
    )


# ---------------------------------------------------------------------------
# 4. Weekly time against the target
# ---------------------------------------------------------------------------


def weekly_time(weekly: pd.DataFrame) -> alt.LayerChart:
    """Networking hours per week, coloured by whether the week met its target.

    ``weekly`` has columns week (datetime64, the Monday), minutes,
    target_minutes (ints) and met (bool). A black line across each week marks
    its target.
    """
    week = pd.to_datetime(weekly["week"])
    data = pd.DataFrame({
        "week": week,
        "week_end": week + pd.Timedelta(days=7),
        "minutes": weekly["minutes"].astype(int),
        "target_minutes": weekly["target_minutes"].astype(int),
        "met": ["Yes" if met else "No" for met in weekly["met"]],
    })
    data["hours"] = data["minutes"] / 60
    data["target_hours"] = data["target_minutes"] / 60
    tooltip = [
        alt.Tooltip("week:T", title="Week of", format=DATE_FORMAT),
        alt.Tooltip("minutes:Q", title="Minutes", format="d"),
        alt.Tooltip("target_minutes:Q", title="Target (min)", format="d"),
        alt.Tooltip("met:N", title="Target met"),
    ]
    base = alt.Chart(data).encode(
        x=alt.X("week:T", title=None,
                axis=alt.Axis(labelAngle=0, tickCount=4, labelOverlap=True)),
        x2="week_end:T",
        tooltip=tooltip,
    )
    bars = base.mark_bar(xOffset=1, x2Offset=-1).encode(
        y=alt.Y("hours:Q", title="Hours"),
        y2=alt.datum(0),  # with x and x2 set, a bar needs both ends of its height too
        color=alt.Color("met:N", scale=alt.Scale(domain=["Yes", "No"], range=[BLUE, ORANGE]),
                        legend=_legend("Target met")),
    )
    target = base.mark_rule(color=BLACK, strokeWidth=2).encode(y="target_hours:Q")
    return alt.layer(bars, target).properties(
        width="container",
        height=200,
        title=alt.TitleParams("Time per week", subtitle="Line: the weekly target",
                              anchor="start"),
    )


# ---------------------------------------------------------------------------
# 5. What persistence bought
# ---------------------------------------------------------------------------


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, ... 21st."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def persistence(by_attempt: pd.DataFrame) -> alt.Chart:
    """Dialogs by the attempt that brought them: 1st, 2nd, 3rd, ...

    ``by_attempt`` has columns attempt and dialogs (ints).
    """
    attempts = [int(n) for n in by_attempt["attempt"]]
    data = pd.DataFrame({
        "attempt": attempts,
        "label": [ordinal(n) for n in attempts],
        "dialogs": [int(n) for n in by_attempt["dialogs"]],
    })
    return (
        alt.Chart(data, title=alt.TitleParams("Dialogs by attempt", anchor="start"))
        .mark_bar(color=BLUE, cornerRadiusEnd=2)
        .encode(
            x=alt.X("label:O", title="Attempt",
                    sort=alt.EncodingSortField(field="attempt", op="min", order="ascending"),
                    axis=alt.Axis(labelAngle=0)),
            y=alt.Y("dialogs:Q", title="Dialogs", axis=alt.Axis(tickMinStep=1, format="d")),
            tooltip=[
                alt.Tooltip("label:N", title="Attempt"),
                alt.Tooltip("dialogs:Q", title="Dialogs", format="d"),
            ],
        )
        .properties(width="container", height=200)
    )


# ---------------------------------------------------------------------------
# 6. Reach: the mix of kinds met per month
# ---------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    if kind in PERSON_KINDS:  # a stored key rather than its label
        return PERSON_KINDS[kind]
    return kind if kind in KIND_ORDER else PERSON_KINDS["other"]


def reach_mix(monthly: pd.DataFrame) -> alt.Chart:
    """People met per month, stacked by kind of relationship.

    ``monthly`` has columns month (datetime64, first of the month), kind (the
    kind's label, e.g. "Press / analyst") and people. Each kind keeps its
    Okabe-Ito colour whatever months are shown; unknown kinds count as Other.
    """
    data = pd.DataFrame({
        "month": pd.to_datetime(monthly["month"]),
        "kind": [_kind_label(str(k)) for k in monthly["kind"]],
        "people": [int(n) for n in monthly["people"]],
    })
    data = data.groupby(["month", "kind"], as_index=False, sort=True)["people"].sum()
    data["kind_order"] = [KIND_ORDER.index(k) for k in data["kind"]]
    present = [k for k in KIND_ORDER if k in set(data["kind"])]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):T", title=None,
                    axis=alt.Axis(labelExpr=YEAR_OR_MONTH, labelAngle=0, labelOverlap=True,
                                  labelSeparation=4)),
            y=alt.Y("sum(people):Q", title="People", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "kind:N",
                sort=KIND_ORDER,
                scale=alt.Scale(domain=KIND_ORDER, range=OKABE_ITO),
                # Only the kinds on the chart: a shorter legend on a phone.
                legend=_legend("Kind", columns=2, labelLimit=150,
                               values=present or alt.Undefined),
            ),
            order=alt.Order("kind_order:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title="Month", format="%B %Y"),
                alt.Tooltip("kind:N", title="Kind"),
                alt.Tooltip("people:Q", title="People", format="d"),
            ],
        )
        .properties(width="container", height=220)
    )


# ---------------------------------------------------------------------------
# 7. Call funnel
# ---------------------------------------------------------------------------


def call_funnel(funnel: pd.DataFrame) -> alt.LayerChart:
    """Share of dials that were picked up and that became talks, beside the benchmark.

    ``funnel`` has columns stage ("Dialed", "Picked up", "Talked"), count,
    share (0..1) and benchmark (0..1 or None). Bars show the share; a black
    tick marks the benchmark (the essay: about 50 % pick up, 15 % talk).
    """
    benchmarks = [None if pd.isna(x) else float(x) for x in funnel["benchmark"]]
    data = pd.DataFrame({
        "stage": [str(s) for s in funnel["stage"]],
        "count": [int(n) for n in funnel["count"]],
        "share": [float(x) for x in funnel["share"]],
        "benchmark": benchmarks,
        # As text, so a stage without a benchmark reads "–", not "NaN%".
        "typical": ["–" if x is None else f"{x:.0%}" for x in benchmarks],
    })
    stages = FUNNEL_STAGES + [s for s in data["stage"] if s not in FUNNEL_STAGES]
    base = alt.Chart(data).encode(
        y=alt.Y("stage:N", sort=stages, title=None, axis=alt.Axis(ticks=False)),
        tooltip=[
            alt.Tooltip("stage:N", title="Stage"),
            alt.Tooltip("count:Q", title="Calls", format="d"),
            alt.Tooltip("share:Q", title="Share", format=".0%"),
            alt.Tooltip("typical:N", title="Typical"),
        ],
    )
    share = alt.X("share:Q", title="Share of dials", scale=alt.Scale(domain=[0, 1]),
                  axis=alt.Axis(format=".0%", tickCount=5))
    bars = base.mark_bar(color=SKY_BLUE, cornerRadiusEnd=2).encode(x=share)
    ticks = (
        base.mark_tick(color=BLACK, thickness=3)
        .transform_filter("isValid(datum.benchmark)")
        .encode(x=alt.X("benchmark:Q", title="Share of dials"))
    )
    return alt.layer(bars, ticks).properties(
        width="container",
        height=alt.Step(36),
        title=alt.TitleParams("Calls", subtitle="Tick: the essay's typical share",
                              anchor="start"),
    )

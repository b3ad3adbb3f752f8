"""Page data that is slow to gather, cached until the database changes.

Each cached function takes the database's path and its change generation
(``fieldkit.changes``) as its first arguments: any commit, by this app, by
another tab, by the command line or another process, gives a new generation
and so a new key, and the next run reads the database afresh. Values that
also depend on the clock take the day (and, where it matters, a time slot)
as part of the key.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from fieldkit import (
    calls,
    charts,
    clock,
    config,
    dashboard,
    db,
    events,
    imports,
    linkedin,
    merge,
    streaks,
    vcard,
)
from fieldkit.ui import database

# How long a dashboard may be reused while nothing is committed: only an
# open check-in's minutes and the day's boundary move with the clock.
DASHBOARD_SLOT_SECONDS = 300


def key() -> tuple[str, int]:
    """This run's database path and its change generation."""
    return database.generation()


@st.cache_data(show_spinner=False, max_entries=16)
def _dashboard(path: str, generation: int, period: str, weekdays_only: bool,
               slot: int) -> dashboard.Dashboard:
    del generation, slot  # parts of the key only
    with db.connect(path, migrate=False) as conn:
        settings = config.load(conn)
        return dashboard.build(conn, settings, period, weekdays_only=weekdays_only)


def dashboard_for(period: str, *, weekdays_only: bool,
                  now: datetime | None = None) -> dashboard.Dashboard:
    """dashboard.build for this database, reused until a commit or the next time slot."""
    now = now or clock.utc_now()
    slot = int(now.timestamp()) // DASHBOARD_SLOT_SECONDS
    return _dashboard(*key(), period, weekdays_only, slot)


@st.cache_data(show_spinner=False, max_entries=16)
def _chart_specs(path: str, generation: int, period: str, weekdays_only: bool, slot: int,
                 weeks: int) -> dict[str, dict]:
    board = _dashboard(path, generation, period, weekdays_only, slot)
    built = {
        "heatmap": charts.heatmap(board.daily, weeks=weeks, today=board.today),
        "strength": charts.strength_line(board.strength,
                                         half_life_days=streaks.HALF_LIFE_DAYS),
        "weekly": charts.weekly_time(board.weekly),
        "persistence": charts.persistence(board.by_attempt),
    }
    if len(board.best):
        built["streaks"] = charts.streak_bars(board.best)
    if len(board.reach_monthly):
        built["reach"] = charts.reach_mix(board.reach_monthly)
    if int(board.funnel["count"].iloc[0]):
        built["funnel"] = charts.call_funnel(board.funnel)
    return {name: _with_arrow_data(charts.spec(chart)) for name, chart in built.items()}


def _with_arrow_data(spec: dict) -> dict:
    """The spec with its datasets already in Arrow, as st.altair_chart would send them.

    Done once here, so a rerun only hands the bytes on.
    """
    from streamlit import dataframe_util

    spec["datasets"] = {
        name: dataframe_util.convert_anything_to_arrow_bytes(pd.DataFrame(rows))
        for name, rows in spec.get("datasets", {}).items()
    }
    return spec


def chart_specs(period: str, *, weekdays_only: bool, weeks: int,
                now: datetime | None = None) -> dict[str, dict]:
    """The metrics page's charts as Vega-Lite specs, built once per dashboard.

    Keys: heatmap, strength, weekly, persistence, and streaks, reach, funnel
    when there is something to draw.
    """
    now = now or clock.utc_now()
    slot = int(now.timestamp()) // DASHBOARD_SLOT_SECONDS
    return _chart_specs(*key(), period, weekdays_only, slot, weeks)


@st.cache_data(show_spinner=False, max_entries=8)
def _twins(path: str, generation: int, limit: int) -> list[tuple[merge.Pair, dict]]:
    del generation
    with db.connect(path, migrate=False) as conn:
        return [(pair, merge.preview(conn, pair.first["id"], pair.second["id"]))
                for pair in merge.candidates(conn, limit=limit)]


def twins(limit: int = 20) -> list[tuple[merge.Pair, dict]]:
    """Possible twins with their side-by-side previews, until the next commit."""
    return _twins(*key(), limit)


@st.cache_data(show_spinner=False, max_entries=8)
def _event_choices(path: str, generation: int) -> dict[int, str]:
    del generation
    with db.connect(path, migrate=False) as conn:
        return events.choices(conn)


def event_choices() -> dict[int, str]:
    """events.choices for the pickers (200 labels in each event's zone), until a change."""
    return _event_choices(*key())


_READERS = {"linkedin": linkedin, "vcard": vcard}


@st.cache_resource(show_spinner=False, max_entries=2)
def _import_preview(path: str, generation: int, kind: str, data: bytes,
                    filename: str) -> imports.Preview:
    del generation
    with db.connect(path, migrate=False) as conn:
        return _READERS[kind].preview(conn, data, filename, config.load(conn))


def import_preview(kind: str, data: bytes, filename: str) -> imports.Preview:
    """The preview of an uploaded file ("linkedin" or "vcard"), until the database changes.

    Kept as it is (not copied): callers only read it, and imports.apply
    matches every row again inside its transaction anyway.
    """
    return _import_preview(*key(), kind, data, filename)


@st.cache_resource(show_spinner=False, max_entries=8)
def _call_candidates(path: str, generation: int, kinds: tuple[str, ...] | None, due_only: bool,
                     minute: int) -> list[dict]:
    del generation
    with db.connect(path, migrate=False) as conn:
        return calls.candidates(conn, config.load(conn), kinds=kinds, due_only=due_only,
                                now=datetime.fromtimestamp(minute * 60, timezone.utc))


def call_candidates(kinds, *, due_only: bool, now: datetime | None = None) -> list[dict]:
    """calls.candidates at the start of this minute, until the database changes.

    Local times are shown to the minute, so one minute's list serves every
    rerun in it. Shared, not copied: callers only read it.
    """
    now = now or clock.utc_now()
    return _call_candidates(*key(), None if kinds is None else tuple(kinds), due_only,
                            int(now.timestamp()) // 60)

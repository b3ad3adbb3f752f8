"""Metrics (/metrics): the weekly look back — streaks, strength, time, follow-ups, reach."""

import streamlit as st

from fieldkit import calls, config, followups, metrics, streaks
from fieldkit.ui import cached, nav
from fieldkit.ui.gate import open_db

nav.bottom_bar()


def is_phone() -> bool:
    """A phone's browser: the heat map shows half a year instead of a whole one."""
    agent = st.context.headers.get("User-Agent", "")
    return any(word in agent for word in ("Mobi", "Android", "iPhone"))


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def chart(name: str) -> None:
    st.vega_lite_chart(specs[name], width="stretch")


st.title("Metrics")
with st.container(horizontal=True, vertical_alignment="center", wrap=True):
    period = st.pills("Period", metrics.PERIODS, default="quarter", key="metrics_period",
                      label_visibility="collapsed") or "quarter"
    weekdays = st.toggle("Weekdays only", key="metrics_weekdays",
                         help="Weekends neither break nor extend a streak.")

with open_db() as db:
    settings = config.load(db)
# Gathered once per change to the database (and time slot), not on every rerun.
board = cached.dashboard_for(period, weekdays_only=weekdays)

if board.is_empty:
    st.info("Nothing to measure yet. Capture the first person you meet, or load the sample "
            "data on Today, and your streaks and reach show up here.", icon=":material/insights:")
    st.page_link(nav.page("capture").file, label="Capture a card", icon=":material/person_add:",
                 width="stretch")
    st.stop()

weeks = 26 if is_phone() else 52
specs = cached.chart_specs(period, weekdays_only=weekdays, weeks=weeks)

st.subheader("Streaks")
with st.container(horizontal=True):
    st.metric("Current", f"{board.summary.current} d", border=True,
              help="Consecutive networking days through today (or yesterday).")
    st.metric("Longest", f"{board.summary.longest} d", border=True)
    st.metric("Triage", f"{board.triage_streak} d", border=True,
              help="Consecutive days the follow-up queue was cleared.")
chart("heatmap")
st.caption(f"Networking days, the last {weeks} weeks. A day counts with a new card, "
           "an attempt, a dialog, a call or a check-in.")
if len(board.best):
    chart("streaks")

st.subheader("Habit strength")
st.metric("Strength today", f"{board.strength_now:.0%}", border=True)
st.caption(f"Half-life {streaks.HALF_LIFE_DAYS} days: two weeks without networking halve "
           "the score.")
chart("strength")

st.subheader("Time each week")
target = settings["weekly_target_minutes"]
st.caption(f"Minutes of touches and events per week against your target of "
           f"{target // 60} h {target % 60:02d} min. Weeks in a row on target: "
           f"{board.weeks_met_streak}.")
chart("weekly")

st.subheader("Follow-up health")
health = board.health
hours = health.median_hours_to_first_followup
with st.container(horizontal=True):
    st.metric("To first follow-up", "–" if hours is None else f"{hours:.0f} h", border=True,
              help="Median time from meeting someone to the first attempt or dialog.")
    st.metric(f"Within {followups.FOLLOW_UP_HOURS} h", percent(health.followed_up_48h_share), border=True)
    st.metric("Response rate", percent(health.response_rate), border=True,
              help="Of those followed up, the share who reached a dialog.")
chart("persistence")
st.caption("What persistence bought: dialogs reached on the first, second, third… attempt.")

st.subheader("Reach")
reach = board.reach
with st.container(horizontal=True):
    st.metric("New people", reach.new_people, border=True)
    st.metric("Met again", reach.known_again, border=True)
    st.metric("Competitors", reach.competitors, border=True)
st.caption(f"Colleagues from {reach.colleague_departments} departments "
           f"({reach.colleagues_other_departments} people); arrived early at "
           f"{reach.events_arrived_early} of {reach.events_checked_in} events.")
if len(board.reach_monthly):
    chart("reach")

st.subheader("Calls")
if int(board.funnel["count"].iloc[0]):
    chart("funnel")
    st.caption(f"The ticks are the benchmark: {calls.BENCHMARK_NOTE}")
else:
    st.caption("No calls in this period. A call session on Calls fills this funnel.")

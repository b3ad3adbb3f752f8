"""Widgets the Events page draws: event rows, the event form, the scorecard.

Presentation only: every value comes from fieldkit.events and fieldkit.checkins,
and every piece of user text is escaped with ``md`` or shown with ``st.text``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta

import streamlit as st

from fieldkit import clock, events, followups
from fieldkit.kinds import EVENT_KINDS
from fieldkit.ui.text import md

OPEN_KEY = "event_id"  # the event whose detail is shown

# Event rows read as a list: their labels start at the left edge, as text does.
# The date pickers' range; Streamlit's default (ten years either side) is too short
# for a long networking history.
EARLIEST, LATEST = datetime(2000, 1, 1), datetime(2099, 12, 31, 23, 45)
FIELDS = ("name", "kind", "venue", "city", "tz", "starts", "ends",
          "goal_new_people", "goal_competitors", "notes")


def place(event: Mapping) -> str:
    """"Messe Berlin · Berlin", or "" when neither is known."""
    return " · ".join(p for p in (event.get("venue"), event.get("city")) if p)


def since(checkin: Mapping) -> str:
    """When a check-in began, in the event's zone: "08:24", or "Sat 08:24" on another day."""
    zone = clock.zone(checkin["tz"])
    arrived = clock.from_iso(checkin["checked_in_at"]).astimezone(zone)
    same_day = arrived.date() == clock.today(checkin["tz"])
    return f"{arrived:%H:%M}" if same_day else f"{arrived:%a %H:%M}"


def span(event: Mapping) -> str:
    """Start and end in the event's own zone, from ``events.get``'s naive datetimes."""
    starts, ends = event["starts"], event["ends"]
    if starts.date() == ends.date():
        return f"{starts:%a %d %b %Y}, {starts:%H:%M}–{ends:%H:%M}"
    return f"{starts:%a %d %b %Y, %H:%M} – {ends:%a %d %b %Y, %H:%M}"


PAST_STEP = 10  # past events listed at first, and added by each "Show older events"


def _toggle(event_id: int) -> None:
    opened = st.session_state.get(OPEN_KEY) == event_id
    st.session_state[OPEN_KEY] = None if opened else event_id




def dates(event: Mapping) -> str:
    """An event's dates without its hours, for a list: "20–23 Nov 2026", "15 Dec 2026"."""
    start, end = (clock.from_iso(event[k]).astimezone(clock.zone(event["tz"]))
                  for k in ("starts_at", "ends_at"))
    return f"{start:%d %b %Y}" if start.date() == end.date() else events.when(event)


def row(event: Mapping, label: str | None = None) -> None:
    """A full-width button naming the event; a tap opens or closes its detail."""
    is_open = st.session_state.get(OPEN_KEY) == event["id"]
    label = label or " · ".join(filter(None, (event["name"], dates(event), event.get("city"))))
    st.button(md(label), key=f"open_{event['id']}", width="stretch",
              icon=":material/expand_less:" if is_open else ":material/expand_more:",
              on_click=_toggle, args=(event["id"],))


def detail(event: Mapping) -> None:
    """What an event is: kind, dates in its own zone, venue, city, notes."""
    st.markdown(f"**{md(EVENT_KINDS.get(event['kind'], event['kind']))}** · "
                f"{md(span(event))}")
    st.caption(f"Times in {md(event['tz'])}")
    if where := place(event):
        st.markdown(f":material/location_on: {md(where)}")
    if event.get("notes"):
        st.text(event["notes"])


def goals(event: Mapping) -> None:
    """An event that has not started: only its goals."""
    wanted = [f"{event['goal_new_people']} new people" if event["goal_new_people"] else "",
              f"{event['goal_competitors']} competitors" if event["goal_competitors"] else ""]
    if text := " and ".join(w for w in wanted if w):
        st.markdown(f":material/flag: Goal: meet {text}.")


def scorecard(card: Mapping) -> None:
    """How the event went, as metrics that sit side by side on a phone."""
    # Two to a row: five side by side would be cramped on a 390 px phone.
    metrics = (
        ("People met", card["met"], "New cards and known people met again here."),
        ("Competitors", card["competitors"], "People met here who work for a competitor."),
        ("Followed up", card["followed_up_48h"],
         "People you tried to reach or talked to within "
         f"{followups.FOLLOW_UP_HOURS} hours of meeting."),
        ("Dialogs", card["dialogs"], "People met here you have since had a dialog with."),
    )
    for pair in (metrics[:2], metrics[2:]):
        with st.container(horizontal=True):
            for label, value, help_text in pair:
                st.metric(label, value, help=help_text, border=True)
    early = f"{card['arrived_early']} arrived early" if card["checkins"] else None
    st.metric("Check-ins", card["checkins"], delta=early, delta_arrow="off",
              delta_color="green", border=True,
              help="Arriving before the start counts as early, every day of the event.")
    for done, goal, progress, noun in (
        (card["met"], card["goal_new_people"], card["new_people_progress"], "new people"),
        (card["competitors"], card["goal_competitors"], card["competitors_progress"],
         "competitors"),
    ):
        if goal:
            st.progress(progress, text=f"{done} of {goal} {noun}")


def _default_times(tz: str) -> tuple[datetime, datetime]:
    tomorrow = clock.today(tz) + timedelta(days=1)
    return datetime.combine(tomorrow, time(9)), datetime.combine(tomorrow, time(18))


def clear(prefix: str) -> None:
    """Forget what was typed into the form whose widget keys start with ``prefix``."""
    for field in FIELDS:
        st.session_state.pop(f"{prefix}{field}", None)


def form_fields(prefix: str, initial: Mapping | None, user_tz: str) -> dict:
    """The event form's widgets (call inside ``st.form``); returns fields for events.clean."""
    initial = initial or {}
    starts, ends = _default_times(user_tz)
    zones = clock.timezone_names()
    tz = initial.get("tz", user_tz)
    key = {field: f"{prefix}{field}" for field in FIELDS}
    low = min(EARLIEST, initial.get("starts", EARLIEST), initial.get("ends", EARLIEST))
    return {
        "name": st.text_input("Name", initial.get("name", ""), key=key["name"],
                              placeholder="FleetTech Expo 2026"),
        "kind": st.pills("Kind", list(EVENT_KINDS), format_func=EVENT_KINDS.get,
                         default=initial.get("kind", "trade_show"), required=True,
                         key=key["kind"]),
        "venue": st.text_input("Venue", initial.get("venue") or "", key=key["venue"]),
        "city": st.text_input("City", initial.get("city") or "", key=key["city"]),
        "tz": st.selectbox("Time zone", zones, index=zones.index(tz) if tz in zones else None,
                           key=key["tz"], help="Start and end are in this time zone."),
        "starts": st.datetime_input("Starts", initial.get("starts", starts), low, LATEST,
                                    key=key["starts"], format="YYYY-MM-DD"),
        "ends": st.datetime_input("Ends", initial.get("ends", ends), low, LATEST,
                                  key=key["ends"], format="YYYY-MM-DD"),
        "goal_new_people": st.number_input(
            "Goal: new people to meet", min_value=0, max_value=10_000, step=1,
            value=initial.get("goal_new_people", 0), key=key["goal_new_people"]),
        "goal_competitors": st.number_input(
            "Goal: competitors to meet", min_value=0, max_value=10_000, step=1,
            value=initial.get("goal_competitors", 0), key=key["goal_competitors"]),
        "notes": st.text_area("Notes", initial.get("notes") or "", key=key["notes"],
                              placeholder="Booth number, who to look for, what to learn"),
    }

"""Events (/events): check in where you are, plan events, see how each one went."""

import streamlit as st

from fieldkit import checkins, clock, config, events
from fieldkit.ui import actions, nav
from fieldkit.ui import event_widgets as ew
from fieldkit.ui.gate import open_db
from fieldkit.ui.text import md

nav.bottom_bar()

NEW = "new_"  # widget-key prefix of the New event form
PAST = "events_past_limit"  # how many past events the list shows

# A form saved on the last run starts empty and closed on this one.
for prefix in st.session_state.pop("events_saved_forms", []):
    ew.clear(prefix)
    st.session_state.pop(f"{prefix}open", None)

with open_db() as db:
    user_tz = config.load(db)["timezone"]
    here = checkins.current(db)
    line = events.timeline(db, past_limit=st.session_state.get(PAST, ew.PAST_STEP))
    opened = card = None
    if open_id := st.session_state.get(ew.OPEN_KEY):
        try:
            opened, card = events.get(db, open_id), events.scorecard(db, open_id)
        except events.EventNotFound:
            st.session_state[ew.OPEN_KEY] = None

st.title("Events")
flash = st.session_state.pop("events_flash", None)


def say(where) -> None:
    """The confirmation of the last save, if it belongs here."""
    if flash and flash[0] == where:
        st.success(flash[1], icon=":material/check:")


def saved(prefix: str, message: str, where, event_id: int) -> None:
    st.session_state["events_saved_forms"] = [prefix]
    st.session_state["events_flash"] = (where, message)
    st.session_state[ew.OPEN_KEY] = event_id
    st.rerun()


def event_form(prefix: str, initial: dict | None, submit: str):
    """The event form; returns its fields when submitted, else None."""
    with st.form(f"{prefix}form", border=False):
        fields = ew.form_fields(prefix, initial, user_tz)
        submitted = st.form_submit_button(submit, type="primary", width="stretch")
    return fields if submitted else None


def open_detail(upcoming: bool) -> None:
    """The open event under its row: what it is, how it went, and its edit form."""
    event_id = opened["id"]
    with st.container(border=True):
        say(event_id)
        ew.detail(opened)
        if upcoming:
            ew.goals(opened)
        else:
            ew.scorecard(card)
        with st.expander("Edit event", icon=":material/edit:", key=f"edit{event_id}_open",
                         on_change="rerun"):
            prefix = f"edit{event_id}_"
            if ((fields := event_form(prefix, opened, "Save changes")) is not None
                    and actions.write(lambda db: events.update(db, event_id, fields))):
                saved(prefix, "Changes saved.", event_id, event_id)


def is_open(event: dict) -> bool:
    return bool(opened) and opened["id"] == event["id"]


def show(event: dict, upcoming: bool = False) -> None:
    ew.row(event)
    if is_open(event):
        open_detail(upcoming)


if here:
    with st.container(border=True):
        early = " · arrived early" if here["arrived_early"] else ""
        st.markdown(f":material/location_on: Checked in at **{md(here['name'])}** "
                    f"since {ew.since(here)}{early}")
        if (st.button("Check out", type="primary", icon=":material/logout:", width="stretch",
                      key="check_out")
                and actions.write(checkins.check_out)):
            st.session_state["events_flash"] = ("top", f"Checked out of **{md(here['name'])}**.")
            st.rerun()
say("top")

st.subheader("Now")
if not line.current:
    st.caption("No event is running now. Check-in opens at midnight on an event's first day.")
for event in line.current:
    with st.container(border=True):
        st.markdown(f"**{md(event['name'])}**  \n{md(events.when(event))}")
        if where := ew.place(event):
            st.caption(md(where))
        if here and here["event_id"] == event["id"]:
            st.caption(":material/check_circle: You are checked in here.")
        elif (st.button("Check in", key=f"check_in_{event['id']}", type="primary",
                        icon=":material/location_on:", width="stretch")
                and actions.write(lambda db, event_id=event["id"]: checkins.check_in(db, event_id))):
            st.rerun()
        ew.row(event, "Scorecard")
    if is_open(event):
        open_detail(upcoming=False)

say("new")
if opened and opened["id"] not in {e["id"] for e in line.current + line.upcoming + line.past}:
    # Just created, say, but older than the past events listed: show it here.
    open_detail(upcoming=opened["starts_at"] > clock.now_iso())
new_event = st.expander("New event", icon=":material/add:", key=f"{NEW}open", on_change="rerun",
                        expanded=not (line.current or line.upcoming or line.past))
# The form (its time zone picker offers every zone) is drawn only while open.
if new_event.open:
    with new_event:
        if ((fields := event_form(NEW, None, "Create event")) is not None
                and (created := actions.write(lambda db: events.create(db, fields)))):
            saved(NEW, f"Created **{md(fields['name'])}**.", "new", created.value)

st.subheader("Coming up")
if not line.upcoming:
    st.caption("Nothing planned. Add an event with New event.")
for event in line.upcoming:
    show(event, upcoming=True)

st.subheader("Past")
if not line.past:
    st.caption("No past events yet.")
for event in line.past:
    show(event)
if more := line.past_total - len(line.past):
    st.caption(f"{more} older " + ("event is" if more == 1 else "events are") + " not shown.")
    if st.button("Show older events", icon=":material/history:", width="stretch"):
        st.session_state[PAST] = len(line.past) + ew.PAST_STEP
        st.rerun()

"""Today (/): where you are, what is due, the streak, and what to do next."""

import functools

import streamlit as st

from fieldkit import checkins, config, reviews, sample, today
from fieldkit.ui import actions, gate, nav
from fieldkit.ui.review_widgets import review_list
from fieldkit.ui.gate import open_db
from fieldkit.ui.text import md

nav.bottom_bar()

with open_db() as db:
    settings = config.load(db)
    summary = today.summary(db, settings)
    waiting = reviews.pending(db)

st.title("Today")
st.caption(summary.today.strftime("%A, %d %B %Y"))
gate.exposure_warning()

if summary.is_empty:
    st.subheader("Welcome to FieldKit")
    st.write(
        "Meet people at events, follow up until you talk, and watch your "
        "networking habit grow. Your data stays in one file on this server."
    )
    if st.button("Load sample data", type="primary", icon=":material/auto_awesome:",
                 width="stretch"):
        with st.spinner("Writing a sample networking history…"):
            loaded = actions.write(sample.fill)
        if loaded:
            st.rerun()
    st.caption("Sample data is invented: a trade show this week and months of history.")
else:
    if summary.checkin:
        event = summary.checkin
        early = " · arrived early" if event["arrived_early"] else ""
        st.info(f"Checked in at **{md(event['name'])}** since "
                f"{summary.checked_in_local}{early}", icon=":material/location_on:")
    for event in summary.running[:2]:
        if (st.button(f"Check in at {md(event['name'])}", key=f"checkin_{event['id']}",
                      type="primary", icon=":material/where_to_vote:", width="stretch")
                and actions.write(functools.partial(checkins.check_in, event_id=event["id"]))):
            st.rerun()
    with st.container(horizontal=True):
        st.metric("Follow-ups due", summary.due,
                  delta=f"{summary.overdue} overdue" if summary.overdue else None,
                  delta_color="inverse", delta_arrow="off", border=True,
                  help="Due today and overdue, for people you have not let go.")
        st.metric("Streak", f"{summary.streak} " + ("day" if summary.streak == 1 else "days"),
                  border=True,
                  help="Consecutive days with a networking action (card, attempt, "
                  "dialog, check-in), through today.")
    if summary.met_today:
        st.subheader(f"Met today · {summary.met_today}")
        more = summary.met_today - len(summary.met_today_first)
        st.caption(" · ".join(md(person["name"]) for person in summary.met_today_first)
                   + (f" and {more} more" if more else "")
                   + ": a first note tonight starts the ladder.")
        st.page_link("pages/queue.py", label="Write the first notes", icon=":material/mail:",
                     query_params={"group": "met"}, width="stretch")
    review_list(waiting)

st.divider()
for spec in nav.PAGES[1:]:
    label = spec.title
    if spec.url_path == "queue" and not summary.is_empty and summary.due:
        label += f" · {summary.due} due"
    st.page_link(spec.file, label=label, icon=spec.icon, width="stretch")

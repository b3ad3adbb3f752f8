"""Follow-ups (/queue): evening triage — who is due, one tap per person, and undo."""

import streamlit as st

from fieldkit import clock, config, people, queue
from fieldkit.ui import queue_widgets as qw
from fieldkit.ui import style
from fieldkit.ui.session import open_db

style.apply()
qw.apply_style()

PAGE_SIZE = qw.PAGE_SIZE


def more() -> None:
    st.session_state["queue_limit"] = st.session_state.get("queue_limit", PAGE_SIZE) + PAGE_SIZE


with open_db() as db:
    settings = config.load(db)
    tz = settings["timezone"]
    today = clock.today(tz)
    counts = queue.due_counts(db, today)
    items = queue.due(db, today, ladder_gaps=settings["ladder_gaps"],
                      limit=st.session_state.get("queue_limit", PAGE_SIZE))
    newcomer = cleared = False
    if not counts["due"]:
        newcomer = people.search(db, people.Filters(), limit=0)[1] == 0
        # Nobody met yet is not a cleared queue: no triage day for it.
        cleared = not newcomer and queue.mark_cleared(db, tz)

st.title("Follow-ups")
st.caption(f"Evening triage · {today:%A %d %B}")
qw.just_done(today, {item["followup_id"] for item in items})

if newcomer:
    st.info("Nobody to follow up yet. Capture the people you meet: each one's first "
            "follow-up is due the next day.", icon=":material/person_add:")
    st.page_link("pages/capture.py", label="Capture a card", icon=":material/person_add:",
                 width="stretch")
elif cleared:
    st.success(qw.CLEARED, icon=":material/task_alt:")
else:
    with st.container(horizontal=True):
        st.metric("Due", counts["due"], border=True,
                  help="Due today and overdue, for people you have not let go.")
        st.metric("Overdue", counts["overdue"], border=True,
                  help="Due before today. Most overdue first; starred people first within a day.")
    for item in items:
        qw.card(item, settings)
    if counts["due"] > len(items):
        st.button(f"Show more ({counts['due'] - len(items):,} left)", on_click=more,
                  width="stretch", icon=":material/expand_more:")

st.divider()
qw.assumption_board(tz)

"""Follow-ups (/queue): evening triage, one person at a time: one tap, the next, undo."""

import streamlit as st

from fieldkit import clock, config, triage
from fieldkit.ui import queue_widgets as qw
from fieldkit.ui.gate import open_db

with open_db() as db:
    settings = config.load(db)
    tz = settings["timezone"]
    today = clock.today(tz)
    queue = triage.queue_state(db, today)
    skipped = qw.skipped(today)
    items = triage.due(db, today, ladder_gaps=settings["ladder_gaps"], limit=1 + qw.UP_NEXT,
                       exclude=skipped) if queue.state == triage.DUE else []

st.title("Follow-ups")
st.caption(f"Evening triage · {today:%A %d %B}")
done = qw.recent(today, {item["followup_id"] for item in items})

if queue.state == triage.NEWCOMER:
    st.info("Nobody to follow up yet. Capture the people you meet: each one's first "
            "follow-up is due the next day.", icon=":material/person_add:")
    st.page_link("pages/capture.py", label="Capture a card", icon=":material/person_add:",
                 width="stretch")
elif queue.state == triage.CLEARED:
    st.success(qw.CLEARED if queue.triage_day else qw.NOTHING_DUE, icon=":material/task_alt:")
    qw.last_done(done)
    qw.earlier_done(done)
else:
    if queue.due:
        with st.container(horizontal=True):
            st.metric("Due", queue.due, border=True,
                      help="Due today and overdue, for people you have not let go.")
            st.metric("Overdue", queue.overdue, border=True,
                      help="Due before today. Most overdue first; starred people first "
                           "within a day.")
    qw.last_done(done)
    if items:
        qw.card(items[0], settings)
    elif queue.due:
        st.info("Everyone still due is skipped for now.", icon=":material/skip_next:")
    left = queue.due - len(skipped) - len(items)
    qw.up_next(items[1:], max(left, 0), len(skipped))
    qw.earlier_done(done)

st.divider()
qw.assumption_board(tz)

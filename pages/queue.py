"""Follow-ups (/queue): evening triage, one person at a time: one tap, the next, undo."""

import streamlit as st

from fieldkit import clock, config, people, triage
from fieldkit.ui import queue_widgets as qw
from fieldkit.ui import style
from fieldkit.ui.gate import open_db

style.apply()
qw.apply_style()

with open_db() as db:
    settings = config.load(db)
    tz = settings["timezone"]
    today = clock.today(tz)
    counts = triage.due_counts(db, today)
    skipped = qw.skipped(today)
    items = triage.due(db, today, ladder_gaps=settings["ladder_gaps"], limit=1 + qw.UP_NEXT,
                      exclude=skipped)
    newcomer = cleared = False
    if not counts["due"]:
        newcomer = people.search(db, people.Filters(), limit=0)[1] == 0
        # Nobody met yet is not a cleared queue: no triage day for it.
        cleared = not newcomer and triage.mark_cleared(db, tz)

st.title("Follow-ups")
st.caption(f"Evening triage · {today:%A %d %B}")
done = qw.recent(today, {item["followup_id"] for item in items})

if newcomer:
    st.info("Nobody to follow up yet. Capture the people you meet: each one's first "
            "follow-up is due the next day.", icon=":material/person_add:")
    st.page_link("pages/capture.py", label="Capture a card", icon=":material/person_add:",
                 width="stretch")
elif cleared:
    st.success(qw.CLEARED, icon=":material/task_alt:")
    qw.last_done(done)
    qw.earlier_done(done)
else:
    if counts["due"]:
        with st.container(horizontal=True):
            st.metric("Due", counts["due"], border=True,
                      help="Due today and overdue, for people you have not let go.")
            st.metric("Overdue", counts["overdue"], border=True,
                      help="Due before today. Most overdue first; starred people first "
                           "within a day.")
    qw.last_done(done)
    if items:
        qw.card(items[0], settings)
    elif counts["due"]:
        st.info("Everyone still due is skipped for now.", icon=":material/skip_next:")
    left = counts["due"] - len(skipped) - len(items)
    qw.up_next(items[1:], max(left, 0), len(skipped))
    qw.earlier_done(done)

st.divider()
qw.assumption_board(tz)

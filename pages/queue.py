"""Follow-ups (/queue): evening triage, one person at a time: one tap, the next, undo."""

import streamlit as st

from fieldkit import clock, config, triage
from fieldkit.ui import nav, queue_widgets as qw
from fieldkit.ui.gate import open_db

nav.bottom_bar()

with open_db() as db:
    settings = config.load(db)
    tz = settings["timezone"]
    today = clock.today(tz)
    queue = triage.queue_state(db, today)
    met = triage.met_today_count(db, today, tz)
    skipped = qw.skipped(today)

st.title("Follow-ups")
st.caption(f"Evening triage · {today:%A %d %B}")
group = qw.group(queue.due, met)
with open_db() as db:
    if group == qw.MET:
        # Today's few, all at once: the skipped are left out here.
        waiting = [i for i in triage.met_today(db, today, tz, limit=500) if i["followup_id"]
                   not in skipped]
        items, left = waiting[:1 + qw.UP_NEXT], max(len(waiting) - 1 - qw.UP_NEXT, 0)
    elif queue.state == triage.DUE:
        items = triage.due(db, today, ladder_gaps=settings["ladder_gaps"],
                           limit=1 + qw.UP_NEXT, exclude=skipped)
        left = max(queue.due - len(skipped) - len(items), 0)
    else:
        items, left = [], 0
done = qw.recent(today, {item["followup_id"] for item in items})

if queue.state == triage.NEWCOMER:
    st.info("Nobody to follow up yet. Capture the people you meet: each one's first "
            "follow-up is due the next day.", icon=":material/person_add:")
    st.page_link("pages/capture.py", label="Capture a card", icon=":material/person_add:",
                 width="stretch")
elif group == qw.DUE and queue.state == triage.CLEARED:
    st.success(qw.CLEARED if queue.triage_day else qw.NOTHING_DUE, icon=":material/task_alt:")
    qw.last_done(done)
    qw.earlier_done(done)
else:
    if group == qw.MET:
        qw.met_today_intro(met)
    elif queue.due:
        with st.container(horizontal=True):
            st.metric("Due", queue.due, border=True,
                      help="Due today and overdue, for people you have not let go.")
            st.metric("Overdue", queue.overdue, border=True,
                      help="Due before today. Most overdue first; starred people first "
                           "within a day.")
    qw.last_done(done)
    if items:
        qw.card(items[0], settings)
    elif group == qw.MET or queue.due:
        st.info("Everyone still waiting is skipped for now.", icon=":material/skip_next:")
    qw.up_next(items[1:], left, len(skipped))
    qw.earlier_done(done)
qw.next_card(items)

st.divider()
qw.assumption_board(tz)

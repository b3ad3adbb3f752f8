"""Calls (/calls): call your customers, earliest time zones first, one tap per outcome."""

import streamlit as st

from fieldkit import calls, config
from fieldkit.errors import FieldkitError
from fieldkit.kinds import PERSON_KINDS
from fieldkit.ui import actions, cached, cues, nav
from fieldkit.ui import call_widgets as cw
from fieldkit.ui.gate import open_db
from fieldkit.ui.text import md

nav.bottom_bar()

ANY = "any"
LIST_LIMIT = 30
state = st.session_state
# Keep the choices while a view that does not draw their widgets is shown.
for name in ("calls_kind", "calls_due", "calls_outside"):
    if name in state:
        state[name] = state[name]
gen = state.setdefault("calls_gen", 0)  # bumped after each call: fresh notes and minutes

with open_db() as db:
    settings = config.load(db)
    if "calls_session" not in state:
        state["calls_session"] = calls.current(db)  # resume after a reload
    session_id, ended_id = state["calls_session"], state.get("calls_ended")
    if session_id:
        try:
            session = calls.call_session(db, session_id)
        except FieldkitError:
            session, state["calls_session"], session_id = None, None, None
    if session_id:
        audience = {"kinds": session["audience"].get("kinds"),
                    "due_only": bool(session["audience"].get("due_only"))}
    else:
        audience = {"kinds": None if state.get("calls_kind") == ANY
                    else [state.get("calls_kind", "customer")],
                    "due_only": state.get("calls_due", False)}
    people = cached.call_candidates(**audience)  # this minute's list, until a change
    result = calls.funnel(db, ended_id) if ended_id else None


def act(action, *args, undoable=False):
    """A core write (actions.write shows a refusal); done, rerun with its message."""
    if written := actions.write(lambda db: action(db, *args)):
        state.update(calls_message=written.value, calls_undoable=undoable)
        st.rerun()


def log_call(db, person_id, outcome):
    done = calls.record(db, session_id, person_id, outcome, settings,
                        minutes=state.get(f"calls_minutes_{gen}") if outcome == "talked" else None,
                        note=state.get(f"calls_note_{gen}"))
    state["calls_gen"] = gen + 1  # only once saved: a refused call keeps its notes
    cues.ask()  # the next person's name on screen
    return done.message


def outside_toggle():
    st.toggle("Show people outside calling hours", key="calls_outside")


def kinds_label(kinds):
    return "Any kind" if kinds is None else ", ".join(PERSON_KINDS[k] for k in kinds)


st.title("Calls")
hours = f"{settings['calling_hours_start']}–{settings['calling_hours_end']}"

if result is not None:
    st.subheader("Call session done")
    cw.funnel_view(result)
    if st.button("Back to the list", type="primary", width="stretch",
                 icon=":material/format_list_bulleted:"):
        state.pop("calls_ended")
        st.rerun()
    st.stop()

# Widgets' values are in session_state when the run starts, so the list can be
# filtered here and the toggle drawn where it reads best in each view.
listed = calls.call_list(people, outside_hours=state.get("calls_outside", False),
                         called=session["called"] if session_id else (),
                         skipped=state.get("calls_skipped", []) if session_id else ())
visible, hidden = listed.shown, listed.hidden
hidden_line = f" · {hidden} outside calling hours hidden" if hidden else ""

if not session_id:
    kinds = [*PERSON_KINDS, ANY]
    st.selectbox("Whom to call", kinds, key="calls_kind",
                 format_func=lambda k: kinds_label(None if k == ANY else [k]))
    st.toggle("Only those due", key="calls_due")
    outside_toggle()
    st.caption(f"Calling hours {hours} in each person's time zone{hidden_line}.")
    if st.button(f"Start a call session ({len(listed.to_dial)} to call)", type="primary",
                 width="stretch", icon=":material/phone_in_talk:", disabled=not listed.to_dial):
        def begin(db):
            state["calls_session"] = calls.start(db, audience)
            state["calls_skipped"] = []
        act(begin)
    if not visible:
        st.info("No one to call right now. Try another kind, or show people outside "
                "calling hours.", icon=":material/schedule:")
    cw.person_rows(visible[:LIST_LIMIT])
    if len(visible) > LIST_LIMIT:
        st.caption(f"… and {len(visible) - LIST_LIMIT} more.")
    st.stop()

skipped = state.setdefault("calls_skipped", [])
to_dial = listed.to_dial
due = " due" if audience["due_only"] else ""
st.caption(f"{kinds_label(audience['kinds'])}{due} · {len(session['called'])} called · "
           f"{len(to_dial)} to go{hidden_line}")
if message := state.get("calls_message"):
    with st.container(horizontal=True, vertical_alignment="center", wrap=False):
        st.success(md(message), icon=":material/check:", width="stretch")
        if state.get("calls_undoable") and st.button("Undo", key="calls_undo"):
            act(lambda db: f"Took back the call to {calls.undo_last(db, session_id)}.")

if to_dial:
    person = to_dial[0]
    cw.current_card(person)
    cues.give(view=cw.card_key(person))
    cw.interview_prompt()
    st.text_area("Notes", key=f"calls_note_{gen}", height=100,
                 placeholder="What you learned: role, how they use it, what surprised you")
    st.number_input("Minutes talked", min_value=0, max_value=1440, step=1, value=0,
                    key=f"calls_minutes_{gen}")
    if outcome := cw.outcome_buttons():
        act(log_call, person["id"], outcome, undoable=True)
    if st.button("Skip for now", key="calls_skip", type="tertiary",
                 icon=":material/skip_next:"):
        skipped.append(person["id"])
        state.pop("calls_message", None)
        cues.ask()
        st.rerun()
    if len(to_dial) > 1:
        st.caption("Up next")
        for upcoming in to_dial[1:4]:
            cw.person_row(upcoming)
else:
    st.success("Everyone on the list has been called or skipped.", icon=":material/done_all:")
outside_toggle()

if st.button("End the call session", key="calls_end", width="stretch", icon=":material/call_end:"):
    def finish(db):
        calls.end(db, session_id)
        state.update(calls_session=None, calls_ended=session_id, calls_skipped=[])
    act(finish)

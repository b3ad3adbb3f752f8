"""The Follow-ups page's pieces: the card of the person up now, who is next, what was done.

Triage goes one person at a time: the card of the first person due holds
every action, and the names after it show who comes next. Actions run in
widget callbacks (before the rerun), each with its own connection; the page
then shows the next person, and what was done moves above the card with an
Undo. ``st.session_state`` keeps only ids and the confirmation text.
User text is escaped with ``md`` or shown with ``st.text``/``st.code``/``st.dataframe``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date, timedelta

import streamlit as st
from sqlite_utils import Database

from fieldkit import clock, debriefs, followups, ladder, messages
from fieldkit.followups import ATTEMPT_CHANNELS, DIALOG_CHANNELS, SNOOZES, Done
from fieldkit.ui import actions, cues, mail_widgets, settings_card
from fieldkit.ui.gate import open_db
from fieldkit.ui.text import md

# Short pill labels: the group's label already says attempt or dialog.
ATTEMPT_PILLS = {"email": "Email", "sms": "Text", "message": "Message", "linkedin": "LinkedIn",
                 "call": "No answer", "voicemail": "Voicemail"}
DIALOG_PILLS = {"email": "Reply", "call": "Call", "video": "Video", "coffee": "Coffee",
                "meeting": "Meeting", "in_person": "In person"}
UP_NEXT = 4  # names shown after the card
DONE = "queue_done"  # followup id -> what was done to it this evening, for Undo
SKIPPED = "queue_skipped"  # {"day": iso date, "ids": follow-ups skipped for now}
RECENT = 5  # actions of tonight kept on screen, each with its Undo
PICK_DATE = "Pick a date"
WITH_NOTES = "With notes"  # a dialog pill that opens the debrief form instead of logging
LET_GO, DECLINED = "Let go", "Declined"
CLEARED = "Queue cleared for today — this day counts toward your triage streak."
NOTHING_DUE = "Nothing due today."
# The two groups of the evening: who is due, and who was met today (a first note).
DUE, MET = "due", "met"
GROUP = "queue_group"


def _state() -> dict:
    return st.session_state.setdefault(DONE, {})


def _key(name: str, followup_id: int) -> str:
    return f"queue_{name}_{followup_id}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def when_text(item: Mapping) -> str:
    """'met today', 'due today' or, in red, 'N days overdue'."""
    if item.get("met_today"):
        return "met today" + (f" at {md(item['event'])}" if item["event"] else "")
    late = item["days_overdue"]
    return "due today" if late <= 0 else f":red[{_plural(late, 'day')} overdue]"


def ask_text(item: Mapping, total: int) -> str:
    """What this follow-up asks for, escaped."""
    if item["reason"] == "next_step":
        return "Next step: " + md(item["followup_note"]) if item["followup_note"] else "Next step"
    if item["reason"] == "keep_in_touch" and not item.get("met_today"):
        return "Keep in touch"
    if item.get("met_today"):
        return "first note"
    return f"Attempt {item['rung']} of {total}"


def met_text(item: Mapping, tz: str) -> str:
    """Where and when the person was met, escaped."""
    if not item["met_at"] or item.get("met_today"):  # "met today at ..." says it all
        return ""
    day = clock.from_iso(item["met_at"]).astimezone(clock.zone(tz)).strftime("%d %b %Y")
    return f"met at {md(item['event'])}, {day}" if item["event"] else f"met {day}"


def header_markdown(item: Mapping) -> str:
    star = " :orange[★]" if item["important"] else ""
    company = f" · {md(item['company'])}" if item["company"] else ""
    return f"**{md(item['name'])}**{star}{company}"


def summary_markdown(item: Mapping, settings: Mapping) -> str:
    """The card's head: who, then when it is due, what it asks and where they met.

    One Markdown element with two paragraphs (the second styled as a caption):
    the page draws every element on each run, and each costs time.
    """
    ask = "" if item["exhausted"] else ask_text(item, ladder.rungs(settings["ladder_gaps"]))
    met = met_text(item, settings["timezone"])
    line = " · ".join(p for p in (when_text(item), ask, met) if p)
    return f"{header_markdown(item)}\n\n{line}"


def confirmation(entry: Mapping) -> str:
    """The confirmation line, as plain text (escape it before Markdown)."""
    due = entry["next_due"]
    return entry["message"] + (f" Next due {date.fromisoformat(due):%a %d %b}." if due else "")


# Actions: widget callbacks. They run before the page reruns; a refusal is kept
# and shown on the card.

def _run(item: Mapping, settings: Mapping, action: Callable[[Database], Done]) -> bool:
    fid, tz = item["followup_id"], settings["timezone"]
    written = actions.write(action, keep=_key("error", fid))
    if not written:
        return False
    cues.ask()  # the next person's name on screen
    done = written.value
    _state()[fid] = {
        "person_id": done.person_id, "touch_id": done.touch_id, "message": done.message,
        "next_due": done.next_due.isoformat() if done.next_due else None,
        "day": clock.today(tz).isoformat(),
    }
    return True


def _take(key: str):
    """A pill's value, and the pill cleared for the next time it is shown."""
    value = st.session_state.get(key)
    st.session_state[key] = None
    return value


def _attempt(item, settings) -> None:
    if channel := _take(_key("attempt", item["followup_id"])):
        _run(item, settings, lambda db: followups.log_attempt(
            db, item["person_id"], channel, settings, followup_id=item["followup_id"]))


def _dialog(item, settings) -> None:
    key = _key("dialog", item["followup_id"])
    if st.session_state.get(key) == WITH_NOTES:  # opens the form instead
        return
    if channel := _take(key):
        _run(item, settings, lambda db: followups.log_dialog(
            db, item["person_id"], channel, settings, followup_id=item["followup_id"]))


def _snooze_until(item, settings, until: date | None) -> bool:
    tz = settings["timezone"]
    return _run(item, settings, lambda db: followups.snooze(
        db, item["person_id"], until, tz=tz, followup_id=item["followup_id"]))


def _later(item, settings) -> None:
    """The "Snooze or stop" pills: snooze by days, let go or declined (a date: the picker)."""
    key = _key("snooze", item["followup_id"])
    choice = st.session_state.get(key)
    if choice in SNOOZES:
        days = SNOOZES[_take(key)]
        _snooze_until(item, settings, clock.today(settings["timezone"]) + timedelta(days=days))
    elif choice == LET_GO:
        _take(key)
        _let_go(item, settings)
    elif choice == DECLINED:
        _take(key)
        _declined(item, settings)


def _snooze_picked(item, settings) -> None:
    fid = item["followup_id"]
    if _snooze_until(item, settings, st.session_state.get(_key("snooze_on", fid))):
        st.session_state[_key("snooze", fid)] = None


def _let_go(item, settings) -> None:
    _run(item, settings, lambda db: followups.let_go(db, item["person_id"]))


def _declined(item, settings) -> None:
    _run(item, settings, lambda db: followups.declined(db, item["person_id"]))


def _dialog_with_notes(item, settings) -> None:
    fid, s = item["followup_id"], st.session_state

    def value(name):
        return s.get(_key(f"notes_{name}", fid))

    def action(db):
        debrief = debriefs.clean(
            validated=value("validated") or (), invalidated=value("invalidated") or (),
            why_not_us=value("why"), next_step=value("step"), next_step_on=value("step_on"),
            today=clock.today(settings["timezone"]))
        return followups.log_dialog(
            db, item["person_id"], value("channel"), settings, followup_id=fid,
            note=(value("note") or "").strip() or None, minutes=value("minutes"),
            debrief=debrief)

    if _run(item, settings, action):
        s[_key("dialog", fid)] = None  # close the form


def undo(followup_id: int) -> None:
    """Take back what was done to this follow-up, if it is still the person's last action."""
    entry = _state().get(followup_id)
    if entry is None:
        return
    if not actions.write(functools.partial(followups.undo, person_id=entry["person_id"],
                                           touch_id=entry["touch_id"]),
                         keep=_key("error", followup_id)):
        return
    del _state()[followup_id]
    st.session_state[_key("undone", followup_id)] = True
    cues.ask()  # the person is back on the card: their name on screen


# Drawing

def _show_error(followup_id: int) -> None:
    actions.show_kept(_key("error", followup_id))


def _reach(item: Mapping, settings: Mapping) -> None:
    ways = messages.reach(item, settings, messages.stage(item))
    links = [(label, url, icon) for label, url, icon in (
        ("Email", ways.email, ":material/mail:"), ("Text", ways.sms, ":material/sms:"),
        ("Call", ways.call, ":material/call:"), ("LinkedIn", ways.linkedin, ":material/work:"),
    ) if url]
    if messages.needs_name(settings):  # asked before the first message goes out
        links = [link for link in links if link[0] == "Call"]
    if links:
        with st.container(horizontal=True, gap="xsmall"):
            for label, url, icon in links:
                st.link_button(label, url, icon=icon, width="stretch")
    if messages.needs_name(settings):
        settings_card.ask_name(_key("my_name", item["followup_id"]))
    elif ways.linkedin:
        st.code(ways.linkedin_text, language=None, wrap_lines=True)


def _notes_form(item: Mapping, settings: Mapping) -> None:
    fid = item["followup_id"]
    with open_db() as db:
        assumptions = debriefs.open_assumptions(db)
    today = clock.today(settings["timezone"])
    with st.form(_key("notes_form", fid), border=False):
        channels = list(DIALOG_CHANNELS)
        st.selectbox("How", channels, index=channels.index("coffee"),
                     format_func=DIALOG_CHANNELS.get, key=_key("notes_channel", fid))
        st.number_input("Minutes", min_value=0, max_value=followups.MAX_MINUTES, value=None,
                        step=5, key=_key("notes_minutes", fid))
        st.text_area("Note", height=80, key=_key("notes_note", fid))
        for verdict in ("validated", "invalidated"):
            st.multiselect(f"Assumptions {verdict}", list(assumptions),
                           format_func=assumptions.get, key=_key(f"notes_{verdict}", fid),
                           placeholder="None" if assumptions else "No open assumptions")
        st.text_area("Why not us", height=80, key=_key("notes_why", fid),
                     help="What made them choose someone else, or nothing at all.")
        st.text_input("Next step", key=_key("notes_step", fid),
                      placeholder="e.g. send the route planning demo")
        st.date_input("Next step on", value=None, min_value=today,
                      key=_key("notes_step_on", fid))
        st.form_submit_button("Save dialog", type="primary", width="stretch",
                              icon=":material/save:", on_click=_dialog_with_notes,
                              args=(item, settings))


def card(item: dict, settings: dict) -> None:
    """The person up now, with every one-tap action; an action brings up the next person.

    Kept to a few elements: the head, the reach links and three pill groups.
    Less frequent actions open from a pill: the debrief form from "With
    notes", the date picker from "Pick a date".
    """
    fid = item["followup_id"]
    args = (item, settings)
    with st.container(border=True, key=_key("card", fid), gap="xsmall"):
        st.markdown(summary_markdown(item, settings))
        mail_widgets.bounce_marks(item["person_id"], settings["timezone"])
        _show_error(fid)
        if st.session_state.pop(_key("undone", fid), None):
            st.caption("Undone: as it was before.")
        exhausted = item["exhausted"]
        if exhausted:
            st.warning("Every rung tried without a dialog. Let go?", icon=":material/flag:")
            st.button(LET_GO, key=_key("let_go", fid), type="primary", width="stretch",
                      on_click=_let_go, args=args)
        _reach(item, settings)
        st.pills("Log an attempt", list(ATTEMPT_CHANNELS),
                 format_func=lambda c: ATTEMPT_PILLS.get(c, ATTEMPT_CHANNELS[c]),
                 key=_key("attempt", fid), on_change=_attempt, args=args)
        dialog_key = _key("dialog", fid)
        st.pills("Log a dialog", [*DIALOG_CHANNELS, WITH_NOTES],
                 format_func=lambda c: DIALOG_PILLS.get(c, c),
                 key=dialog_key, on_change=_dialog, args=args)
        if st.session_state.get(dialog_key) == WITH_NOTES:
            _notes_form(item, settings)
        snooze_key = _key("snooze", fid)
        # Met today is due tomorrow already: a snooze moves it further.
        snoozes = [label for label, days in SNOOZES.items()
                   if not item.get("met_today") or days > 1]
        later = [*snoozes, PICK_DATE, *([] if exhausted else [LET_GO]), DECLINED]
        st.pills("Snooze or stop", later, key=snooze_key, on_change=_later, args=args,
                 help="Let go: no more reminders. Declined: they said no.")
        if st.session_state.get(snooze_key) == PICK_DATE:
            today = clock.today(settings["timezone"])
            with st.container(horizontal=True, vertical_alignment="bottom"):
                st.date_input("Snooze until", value=today + timedelta(days=1),
                              min_value=today + timedelta(days=1),
                              max_value=today + timedelta(days=365), key=_key("snooze_on", fid))
                st.button("Snooze", key=_key("snooze_go", fid), on_click=_snooze_picked,
                          args=args)
        st.button("Skip for now", key=_key("skip", fid), type="tertiary",
                  icon=":material/skip_next:", on_click=skip, args=(fid, settings["timezone"]),
                  help="Come back to them later tonight; nothing is recorded.")


def next_card(items: list[Mapping]) -> None:
    """After an action: the next person's name on screen, or the page's top once none is left."""
    cues.give(**({"view": _key("card", items[0]["followup_id"])} if items else {"top": True}))


def group(due: int, met: int) -> str:
    """Which group the page goes through: the one chosen, else due people first.

    Today's "Met today" link opens the page on that group (?group=met).
    """
    state = st.session_state
    if st.query_params.get("group") in (DUE, MET):
        state[GROUP] = st.query_params.pop("group")
    if due and met:
        labels = {DUE: f"Due · {due}", MET: f"Met today · {met}"}
        state.setdefault(GROUP, DUE)
        return st.segmented_control("Who", list(labels), format_func=labels.get, key=GROUP,
                                    required=True, label_visibility="collapsed",
                                    width="stretch") or DUE
    return MET if met else DUE


def met_today_intro(count: int) -> None:
    who = "1 person" if count == 1 else f"{count} people"
    st.caption(f"{who} met today and not written to yet: tonight is the time for a first "
               "note. The ladder starts from the note you send.")


# Skipping: for this evening, in this tab only; nothing is written.

def skipped(today: date) -> list[int]:
    """Follow-ups skipped tonight in this tab."""
    entry = st.session_state.get(SKIPPED)
    return list(entry["ids"]) if entry and entry["day"] == today.isoformat() else []


def skip(followup_id: int, tz: str) -> None:
    cues.ask()
    today = clock.today(tz)
    st.session_state[SKIPPED] = {"day": today.isoformat(),
                                 "ids": [*skipped(today), followup_id]}


def bring_back() -> None:
    st.session_state.pop(SKIPPED, None)


def up_next(items: list[Mapping], left: int, skipped_count: int) -> None:
    """Who comes after the card, in one line; and the skipped, to bring back."""
    if items:
        names = " · ".join(md(i["name"]) + (f" ({md(i['company'])})" if i["company"] else "")
                           for i in items)
        more = f", and {left:,} more" if left else ""
        st.caption(f"Up next: {names}{more}")
    if skipped_count:
        who = "1 skipped person" if skipped_count == 1 else f"{skipped_count} skipped people"
        st.button(f"Bring back {who}", key="queue_bring_back", type="tertiary", icon=":material/undo:",
                  on_click=bring_back)


# Tonight's actions, each with its Undo

def recent(today: date, due_ids: set[int]) -> list[tuple[int, dict]]:
    """Tonight's actions whose people left the queue, newest first (at most RECENT).

    An action whose person is due again (undone elsewhere) or that was taken
    on another day is forgotten.
    """
    done = _state()
    for fid in [f for f, e in done.items() if f in due_ids or e["day"] != today.isoformat()]:
        del done[fid]
    return list(reversed(done.items()))[:RECENT]


def last_done(entries: list[tuple[int, dict]]) -> None:
    """The latest action, above the next person's card, with its Undo."""
    if not entries:
        return
    fid, entry = entries[0]
    with st.container(horizontal=True, vertical_alignment="center", wrap=False):
        st.success(md(confirmation(entry)), icon=":material/check:", width="stretch")
        st.button("Undo", key=_key("undo_recent", fid), on_click=undo, args=(fid,))
    _show_error(fid)


def earlier_done(entries: list[tuple[int, dict]]) -> None:
    """The actions before the latest, below the queue, each with its Undo."""
    if len(entries) < 2:
        return
    st.caption("Earlier tonight")
    for fid, entry in entries[1:]:
        with st.container(horizontal=True, vertical_alignment="center", wrap=False):
            st.text(confirmation(entry), width="stretch")
            st.button("Undo", key=_key("undo_recent", fid), on_click=undo, args=(fid,))
        _show_error(fid)


# The assumption board

def board_rows(board: list[Mapping], tz: str) -> list[dict]:
    return [
        {
            "Validated": row["validated"],
            "Invalidated": row["invalidated"],
            "Assumption": row["text"],
            "Last evidence": clock.local_date(row["last_at"], tz).isoformat()
            if row["last_at"] else "",
            "Status": "retired" if row["status"] == "retired" else "open",
        }
        for row in board
    ]


BOARD_ERROR = "queue_board_error"


def _add_assumption() -> None:
    s = st.session_state
    if actions.write(lambda db: debriefs.add_assumption(db, s.get("queue_board_text") or ""),
                     keep=BOARD_ERROR):
        s["queue_board_text"] = ""
        s["queue_board_flash"] = "Added to the board."


def _toggle_assumption(assumption_id: int, status: str) -> None:
    actions.write(functools.partial(debriefs.set_status, assumption_id=assumption_id,
                                    status=status), keep=BOARD_ERROR)


@st.fragment
def assumption_board(tz: str) -> None:
    """What coffee dates taught: evidence per assumption, and the form to add one."""
    board = st.expander("Assumption board", key="queue_board", on_change="rerun",
                        icon=":material/fact_check:")
    if not board.open:
        return
    with board:
        with open_db() as db:
            rows = debriefs.board(db)
        actions.show_kept(BOARD_ERROR)
        if flash := st.session_state.pop("queue_board_flash", None):
            st.success(flash, icon=":material/check:")
        if rows:
            # The counts first and narrow: on a phone the text would push them off screen.
            st.dataframe(board_rows(rows, tz), hide_index=True, width="stretch", column_config={
                "Validated": st.column_config.NumberColumn(
                    "For", width=56, help="Dialogs that validated it"),
                "Invalidated": st.column_config.NumberColumn(
                    "Against", width=72, help="Dialogs that invalidated it"),
                "Assumption": st.column_config.TextColumn(width="medium"),
            })
        else:
            st.caption("Nothing on the board yet. Write down what you believe about your "
                       "customers; every coffee debrief can then test it.")
        with st.form("queue_board_add", border=False):
            st.text_input("New assumption", key="queue_board_text", max_chars=300,
                          placeholder="e.g. Dispatchers plan routes the evening before")
            st.form_submit_button("Add to the board", icon=":material/add:", width="stretch",
                                  on_click=_add_assumption)
        if rows:
            texts = {row["id"]: row for row in rows}
            chosen = st.selectbox("Retire or reopen", list(texts), index=None,
                                  format_func=lambda i: texts[i]["text"],
                                  placeholder="Choose an assumption", key="queue_board_pick")
            if chosen is not None:
                retired = texts[chosen]["status"] == "retired"
                st.button("Reopen" if retired else "Retire", key="queue_board_toggle",
                          width="stretch", on_click=_toggle_assumption,
                          args=(chosen, "open" if retired else "retired"))

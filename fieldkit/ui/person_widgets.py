"""How one person looks on the People page: the card, history and edit form.

Presentation only: every piece of user text is escaped with ``md`` or shown
with ``st.text``/``st.dataframe``; links are built only from http(s),
mailto: and tel: addresses, percent-encoded.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from urllib.parse import quote

import streamlit as st

from fieldkit import clock, memos, normalise
from fieldkit.cards import Card
from fieldkit.kinds import CHANNELS, FOLLOWUP_REASONS, PERSON_KINDS, PERSON_STATUSES, TOUCH_KINDS
from fieldkit.ui import actions
from fieldkit.ui.text import md

# Characters a URL may keep as they are; anything else (spaces, parentheses,
# brackets that would end a Markdown link) is percent-encoded.
_URL_SAFE = ":/?#@!$&'*+,;=%-._~"


def result_label(row: Mapping) -> str:
    """A search result as a button label: star, name, company."""
    star = ":orange[★] " if row["important"] else ""
    company = f" · {md(row['company'])}" if row["company"] else ""
    return f"{star}**{md(row['name'])}**{company}"


def result_caption(row: Mapping, tz: str) -> str:
    """Kind, title and when/where met, escaped, for under a result."""
    parts = [PERSON_KINDS.get(row["kind"], row["kind"]), md(row["title"]) if row["title"] else "",
             f"met {_local(row['met_at'], tz, '%d %b %Y')}"]
    if row["status"] != "active":
        parts.append(PERSON_STATUSES.get(row["status"], row["status"]).lower())
    return " · ".join(p for p in parts if p)


def _local(at: str | None, tz: str, fmt: str) -> str:
    if not at:
        return ""
    return clock.from_iso(at).astimezone(clock.zone(tz)).strftime(fmt)


def _link(text: str, url: str) -> str:
    return f"[{md(text)}]({quote(url, safe=_URL_SAFE)})"


def card_markdown(person: Mapping, tz: str) -> str:
    """The card's details as Markdown lines; user text escaped, links safe."""
    kind = PERSON_KINDS.get(person["kind"], person["kind"])
    if person["kind"] == "colleague" and person["department"]:
        kind += f" · {md(person['department'])}"
    lines = [f"**{kind}**"]
    if person["title"] or person["company"]:
        lines.append(" at ".join(md(v) for v in (person["title"], person["company"]) if v))
    if person["email"]:
        lines.append(":material/mail: " + _link(person["email"], "mailto:" + person["email"]))
    if person["phone"]:
        shown = normalise.phone_display(person["phone"])
        lines.append(":material/call: " + _link(shown, "tel:" + person["phone"].replace(" ", "")))
    for icon, url in ((":material/work:", person["linkedin_url"]),
                      (":material/language:", person["website"])):
        if url and url.lower().startswith(("https://", "http://")):
            lines.append(f"{icon} " + _link(url.split("://", 1)[1], url))
        elif url:
            lines.append(f"{icon} {md(url)}")
    if person["tags"]:
        lines.append(":material/sell: " + ", ".join(md(t) for t in person["tags"]))
    met = f"Met {_local(person['met_at'], tz, '%d %b %Y, %H:%M')}"
    if person["event"]:
        met += f" at {md(person['event'])}"
    lines.append(met)
    if person["status"] != "active":
        lines.append(f"Status: {PERSON_STATUSES.get(person['status'], person['status'])}")
    return "  \n".join(lines)


def touch_rows(touches: list[Mapping], tz: str) -> list[dict]:
    """Every touch as a table row, times in the user's zone."""
    return [
        {
            "When": _local(t["at"], tz, "%Y-%m-%d %H:%M"),
            "What": TOUCH_KINDS.get(t["kind"], t["kind"]) + (" (undone)" if t["undone_at"] else ""),
            "Channel": CHANNELS.get(t["channel"], t["channel"] or ""),
            "Outcome": (t["outcome"] or "").replace("_", " "),
            "Minutes": t["minutes"],
            "Note": t["note"] or "",
            "Event": t["event"] or "",
        }
        for t in touches
    ]


def followup_line(followup: Mapping, today: date) -> str:
    """An open follow-up: due date, reason and rung, flagged when overdue."""
    due = date.fromisoformat(followup["due_on"])
    when = f"{due:%a %d %b %Y}"
    if due < today:
        when = f":red[{when}, overdue]"
    elif due == today:
        when += ", today"
    parts = [f"**Due {when}**", FOLLOWUP_REASONS.get(followup["reason"], followup["reason"])]
    if followup["rung"]:
        parts.append(f"attempt {followup['rung']}")
    if followup["note"]:
        parts.append(md(followup["note"]))
    return " · ".join(parts)


def edit_form(card: Card, form_key: str) -> dict | None:
    """A form prefilled from ``card``; the raw fields when submitted, else None.

    Widgets have no keys: their identity includes the stored value, so after a
    save the form shows what was stored, and after a refused save it keeps
    what was typed.
    """
    kinds = list(PERSON_KINDS)
    with st.form(form_key):
        fields = {
            "name": st.text_input("Name", card.name, max_chars=200),
            "kind": st.selectbox("Kind", kinds, index=kinds.index(card.kind),
                                 format_func=PERSON_KINDS.get),
            "department": st.text_input("Department", card.department or "",
                                        help="Kept for colleagues only."),
            "company": st.text_input("Company", card.company or ""),
            "title": st.text_input("Title", card.title or ""),
            "email": st.text_input("Email", card.email or ""),
            "phone": st.text_input("Phone", card.phone or "",
                                   help="With + and the country code, e.g. +49 30 123456."),
            "linkedin_url": st.text_input("LinkedIn", card.linkedin_url or ""),
            "website": st.text_input("Website", card.website or ""),
            "tags": st.text_input("Tags", ", ".join(card.tags), help="Separated by commas."),
            "note": st.text_area("Note", card.note or ""),
            "important": st.checkbox("Important", card.important),
        }
        if st.form_submit_button("Save changes", type="primary", width="stretch"):
            return fields
    return None


def _length(data: bytes) -> str:
    seconds = memos.seconds(data)
    return f" · {int(seconds) // 60}:{int(seconds) % 60:02d}" if seconds is not None else ""


def voice_memos(person_id: int, memo_list: list[Mapping], tz: str) -> None:
    """A person's voice memos, playable and deletable, and a recorder for a new one."""
    state = st.session_state
    for memo in memo_list:
        with st.container(horizontal=True, vertical_alignment="center", wrap=False):
            st.caption(f"Recorded {_local(memo['created_at'], tz, '%d %b %Y, %H:%M')}"
                       f"{_length(memo['data'])}", width="stretch")
            with st.popover("Delete", icon=":material/delete:"):
                if (st.button("Delete this memo for good", key=f"memo_del_{memo['id']}",
                              type="primary")
                        and actions.write(functools.partial(
                            memos.delete, person_id=person_id, memo_id=memo["id"]))):
                    state["people_flash"] = "Deleted the voice memo."
                    st.rerun()
        st.audio(memo["data"], format=memo["mime"])
    count = state.get(f"memo_gen_{person_id}", 0)
    recording = st.audio_input(
        "Record a voice memo", key=f"memo_{person_id}_{count}",
        help=f"Kept with the card; up to about {memos.MAX_MINUTES} minutes.")
    if recording is not None and actions.write(
            lambda db: memos.add(db, person_id, recording.getvalue())):
        state[f"memo_gen_{person_id}"] = count + 1  # a fresh, empty recorder
        state["people_flash"] = "Voice memo kept."
        st.rerun()

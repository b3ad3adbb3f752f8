"""How one person looks on the People page: the card, history and edit form.

Presentation only: every piece of user text is escaped with ``md`` or shown
with ``st.text``/``st.dataframe``; links are built only from http(s),
mailto: and tel: addresses, percent-encoded.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from datetime import date
from urllib.parse import quote

import streamlit as st

from fieldkit import cards, clock, labelled, memos, messages, normalise
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


_ICONS = {"email": ":material/mail:", "phone": ":material/call:",
          "url": ":material/language:", "address": ":material/home_pin:"}


def _web(url: str) -> str:
    if url.lower().startswith(("https://", "http://")):
        return _link(url.split("://", 1)[1], url)
    return md(url)  # kept as written, never a link


def value_markdown(value: labelled.Labelled) -> str:
    """One email, phone, web or postal address: a safe link where it is one, its label,
    and "not checked" when it did not validate and is kept as written."""
    if value.kind == "email":
        shown = _link(value.value, "mailto:" + value.value) if value.checked \
            else md(value.value)
    elif value.kind == "phone":
        # Every number dials: in E.164 form as it is, one kept as written by its digits.
        dialed = labelled.dial(value.value)
        shown = md(value.value) if dialed is None else _link(
            normalise.phone_display(value.value) if value.value.startswith("+")
            else value.value, "tel:" + dialed)
    elif value.kind == "url":
        shown = _web(value.value)
    else:
        shown = md(", ".join(labelled.address_lines(value.value)))
    label = f" :gray[{md(value.label)}]" if value.label else ""
    unchecked = " :orange[not checked]" if not value.checked else ""
    return f"{_ICONS[value.kind]} {shown}{label}{unchecked}"


def card_markdown(person: Mapping, tz: str) -> str:
    """The card's details as Markdown lines; user text escaped, links safe.

    ``person`` as people.person gives it: every email, phone, web and postal
    address is shown, the primary of each kind first.
    """
    kind = PERSON_KINDS.get(person["kind"], person["kind"])
    if person["kind"] == "colleague" and person["department"]:
        kind += f" · {md(person['department'])}"
    lines = [f"**{kind}**"]
    if person.get("named_from"):
        lines.append(f":gray[Named after the "
                     f"{cards.NAMED_FROM[person['named_from']]}: the card had no name]")
    if person["title"] or person["company"]:
        lines.append(" at ".join(md(v) for v in (person["title"], person["company"]) if v))
    values = labelled.every(person, person.get("more", ()))
    lines += [value_markdown(value) for value in values if value.kind in ("email", "phone")]
    if person["linkedin_url"]:
        lines.append(":material/work: " + _web(person["linkedin_url"]))
    lines += [value_markdown(value) for value in values if value.kind in ("url", "address")]
    if person["tags"]:
        lines.append(":material/sell: " + ", ".join(md(t) for t in person["tags"]))
    met = f"Met {_local(person['met_at'], tz, '%d %b %Y, %H:%M')}"
    if person["event"]:
        met += f" at {md(person['event'])}"
    lines.append(met)
    if person["status"] != "active":
        lines.append(f"Status: {PERSON_STATUSES.get(person['status'], person['status'])}")
    return "  \n".join(lines)


def reach_row(person: Mapping, settings: Mapping) -> None:
    """Call, Text and Email at the top of the card: the phone's own apps, a tap away.

    Text and Email carry the message of the person's stage once the user's
    name is known (messages.reach).
    """
    followup = person["followups"][0] if person["followups"] else {"reason": "keep_in_touch"}
    ways = messages.reach(person, settings, messages.stage(followup))
    links = [(label, url, icon) for label, url, icon in (
        ("Call", ways.call, ":material/call:"), ("Text", ways.sms, ":material/sms:"),
        ("Email", ways.email, ":material/mail:")) if url]
    if links:
        with st.container(horizontal=True, gap="xsmall", key="person_reach"):
            for label, url, icon in links:
                st.link_button(label, url, icon=icon, width="stretch")


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


# The labels offered for each kind of value; a label of the card's own is kept too,
# and the picker takes a new one typed.
LABELS = {"email": ("work", "home", "other"),
          "phone": ("mobile", "work", "home", "main", "work fax", "other"),
          "url": ("work", "homepage", "blog", "profile", "other")}
# Each kind's field: its label, the empty one's, and the keyboard it needs (the core
# checks the value on Save).
_FIELDS = {"email": ("Email", "Another email", "email"),
           "phone": ("Phone", "Another phone", "phone"),
           "url": ("Website", "Another web address", "url")}


def _stored_key(prefix: str, *stored: object) -> str:
    """A widget key made of the value as stored: after a save the form shows what was
    stored, after a refused save what was typed."""
    return prefix + hashlib.sha256(repr(stored).encode()).hexdigest()[:12]


def _value_rows(kind: str, values: list[labelled.Labelled], key: str,
                help: str | None) -> list[tuple]:
    """One field per value of ``kind``, its label picked with one tap under it, and an
    empty one to add a value. "label: value" typed in the field names a label of one's own."""
    typed = []
    rows = [*values, None]
    for n, value in enumerate(rows):
        row_key = _stored_key(f"{key}_{kind}_{n}_", value, len(rows))
        shown = "" if value is None else (
            normalise.phone_display(value.value) if kind == "phone" and value.checked
            else value.value)
        label = value.label if value else None
        choices = [*LABELS[kind], *([label] if label and label not in LABELS[kind] else [])]
        title, another, keyboard = _FIELDS[kind]
        text = st.text_input(title if value else another, shown, key=f"{row_key}_value",
                             type=keyboard, validate="", icon="", placeholder="",
                             help=help if n == 0 else None)
        picked = st.pills("Label", choices, default=label, key=f"{row_key}_label",
                          label_visibility="collapsed")
        for _, own, written in labelled.parse_lines(kind, text):
            picked, text = own or picked, written
        typed.append((kind, picked, text))
    return typed


def _address_inputs(parts: Mapping[str, str], label: str | None, key: str) -> tuple:
    """One postal address's inputs; PO box and extended address only when it has them.

    Keyed by the address as stored, as the form's other widgets are by their
    stored value: several addresses have inputs of the same label and value.
    """
    key = _stored_key(key, label, sorted(parts.items()))
    label = st.text_input("Label", label or "", placeholder="home, work, ...",
                          key=f"{key}_label")
    typed = {"street": st.text_area("Street", parts["street"], height=68,
                                    key=f"{key}_street")}
    for name in ("po_box", "extended"):
        if parts[name]:
            typed[name] = st.text_input(labelled.ADDRESS_PART_LABELS[name], parts[name],
                                        key=f"{key}_{name}")
    for name in ("postal_code", "locality", "region", "country"):
        typed[name] = st.text_input(labelled.ADDRESS_PART_LABELS[name], parts[name],
                                    key=f"{key}_{name}")
    return ("address", label, typed)


def edit_form(card: Card, form_key: str, phone_region: str) -> dict | None:
    """A form prefilled from ``card``; the raw fields when submitted, else None.

    Each email, phone and web address is a field of its own with a label
    picker, the main one first, and one more of each kind is offered empty;
    each postal address has its parts, and one more is offered empty
    (clearing a value removes it). Widgets
    have no keys, or keys made of the stored value: their identity changes
    with it, so after a save the form shows what was stored, and after a
    refused save it keeps what was typed.
    """
    kinds = list(PERSON_KINDS)
    values = card.values()
    with st.form(form_key):
        fields = {
            "name": st.text_input("Name", card.name, max_chars=200),
            "kind": st.selectbox("Kind", kinds, index=kinds.index(card.kind),
                                 format_func=PERSON_KINDS.get),
            "department": st.text_input("Department", card.department or "",
                                        help="Kept for colleagues only."),
            "company": st.text_input("Company", card.company or ""),
            "title": st.text_input("Title", card.title or ""),
        }
        typed = [
            *_value_rows("email", labelled.of_kind(values, "email"), form_key, None),
            *_value_rows("phone", labelled.of_kind(values, "phone"), form_key,
                         f"Without + and a country code, read as a {phone_region} number "
                         "(your phone country, in Settings). One that does not check out is "
                         "kept as written. A label of your own: type it first, "
                         "“reception: 0123…”."),
        ]
        fields["linkedin_url"] = st.text_input("LinkedIn", card.linkedin_url or "", type="url",
                                               validate="", icon="",
                                               placeholder="linkedin.com/in/…")
        typed += _value_rows("url", labelled.of_kind(values, "url"), form_key, None)
        addresses = [v for v in values if v.kind == "address"]
        for n, value in enumerate([*addresses, None]):
            st.caption(f"Postal address {n + 1}" if value is not None else
                       "Another postal address")
            parts = labelled.address_parts(value.value) if value is not None else \
                dict.fromkeys(labelled.ADDRESS_PARTS, "")
            typed.append(_address_inputs(parts, value.label if value else None,
                                         f"{form_key}_address_{n}_"))
        fields["values"] = typed
        fields.update({
            "tags": st.text_input("Tags", ", ".join(card.tags), help="Separated by commas."),
            "note": st.text_area("Note", card.note or ""),
            "important": st.checkbox("Important", card.important),
        })
        if st.form_submit_button("Save changes", type="primary", width="stretch"):
            return fields
    return None


def saved_message(before: Card, after: Card) -> str:
    """"Saved.", and which values just typed are kept as written, not checked."""
    known = labelled.as_written(before.values())
    new = [value for value in after.values()
           if not value.checked and (value.kind, value.value) not in known]
    if not new:
        return "Saved."
    shown = ", ".join(f"{labelled.NOUNS[v.kind][0]} {md(normalise.quoted(v.value))}"
                      for v in new)
    return f"Saved. Kept as written, not checked: {shown}."


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

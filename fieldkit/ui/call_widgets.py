"""How the Calls page draws people and the call session's funnel.

Presentation only: names, companies and titles are user text, escaped with
``md``; the tel: link is built from the stored E.164 number alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from urllib.parse import quote

import streamlit as st

from fieldkit import calls
from fieldkit.kinds import PERSON_KINDS
from fieldkit.ui.text import md


def place(tz: str) -> str:
    """A zone as a reader names it: "America/New_York" -> "New York"."""
    return tz.rsplit("/", 1)[-1].replace("_", " ")


def where_line(person: Mapping) -> str:
    """Local time, place and offset: "15:05 in Tokyo (UTC+9)"."""
    hours = "" if person["callable_now"] else " · :orange[outside calling hours]"
    return (f":material/schedule: **{md(person['local_time'])}** in {md(place(person['tz']))} "
            f"({md(person['offset_label'])}){hours}")


def row_markdown(person: Mapping) -> str:
    """One entry of the call list: name and company, then local time and phone."""
    company = f" · {md(person['company'])}" if person["company"] else ""
    star = ":orange[★] " if person["important"] else ""
    phone = (md(person["phone_display"]) if person["phone"]
             else ":gray[:material/phone_disabled: no phone]")
    return (f"{star}**{md(person['name'])}**{company}  \n"
            f":gray[{where_line(person)}] · {phone}")


def person_row(person: Mapping) -> None:
    """One line of the call list."""
    st.markdown(row_markdown(person))


def person_rows(people: Iterable[Mapping]) -> None:
    """Lines of the call list as one element: one paragraph per person."""
    if text := "\n\n".join(row_markdown(person) for person in people):
        st.markdown(text)


def card_key(person: Mapping) -> str:
    return f"calls_card_{person['id']}"


def current_card(person: Mapping) -> None:
    """The person to call now: who, where and when they are, and the Call button."""
    with st.container(border=True, key=card_key(person)):
        st.markdown(f"### {md(person['name'])}")
        about = [md(v) for v in (person["title"], person["company"]) if v]
        about.append(PERSON_KINDS.get(person["kind"], person["kind"]))
        st.caption(" · ".join(about))
        st.markdown(where_line(person))
        st.link_button(f"Call {person['phone_display']}",
                       f"tel:{quote(person['phone'], safe='+;=')}",
                       type="primary", icon=":material/call:", width="stretch")


def interview_prompt() -> None:
    """The essay's questions and reminders, folded away until needed."""
    with st.expander("Interview prompt", icon=":material/record_voice_over:"):
        st.markdown(calls.INTERVIEW)


OUTCOME_ICONS = {"no_answer": ":material/phone_missed:", "voicemail": ":material/voicemail:",
                 "busy": ":material/do_not_disturb_on:", "talked": ":material/forum:"}


def outcome_buttons() -> str | None:
    """One big button per outcome, two to a row; the outcome tapped, if any."""
    tapped = None
    outcomes = list(calls.OUTCOMES.items())
    for pair in (outcomes[:2], outcomes[2:]):
        with st.container(horizontal=True):
            for outcome, label in pair:
                with st.container():  # equal halves, whatever the label's length
                    if st.button(label, key=f"calls_{outcome}", width="stretch",
                                 icon=OUTCOME_ICONS[outcome],
                                 type="primary" if outcome == "talked" else "secondary"):
                        tapped = outcome
    return tapped


def funnel_view(result: Mapping) -> None:
    """Dialed, picked up and talked side by side, each rate next to the essay's."""
    bench = result["benchmark"]
    with st.container(horizontal=True):
        st.metric("Dialed", result["dialed"], border=True, height="stretch")
        for name, label in (("picked_up", "Picked up"), ("talked", "Talked")):
            rate = result[f"{name}_rate"]
            # Short enough that three fit side by side at 390 px; the sentence explains.
            st.metric(label, result[name], border=True, height="stretch",
                      delta=None if rate is None else calls.percent(rate),
                      delta_color="off", delta_arrow="off",
                      delta_description=f"≈{bench[name]:.0%}")
    st.markdown(calls.funnel_sentence(result))
    st.caption(f"Typical: {calls.BENCHMARK_NOTE}")
    if result["minutes"]:
        st.caption(f"{result['minutes']} minutes of conversation.")

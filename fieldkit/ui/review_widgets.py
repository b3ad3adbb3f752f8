"""Today's "Review" list: people stored without a look, each with one-tap answers."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import streamlit as st

from fieldkit import merge, reviews
from fieldkit.ui import actions
from fieldkit.ui.text import md


def _who(person: Mapping) -> str:
    company = f" ({md(person['company'])})" if person.get("company") else ""
    return f"**{md(person['name'])}**{company}"


def review_list(waiting: list[Mapping]) -> None:
    """Each person waiting for review: why, and one-tap answers (keep, merge into the one known,
    or open them to check)."""
    if not waiting:
        return
    st.subheader(f"Review · {len(waiting)}")
    st.caption("Cards sent from the booth page that look like someone you know, or whose "
               "fields were read from the card photo. They are saved; have a look.")
    for item in waiting:
        with st.container(border=True):
            twins = item["twins"]
            if item["reason"] == "twin":
                like = ", ".join(_who(twin) for twin in twins) or "someone you know"
                st.markdown(f"{_who(item)} {md(item['why'])}: {like}.")
            else:
                st.markdown(f"{_who(item)} {md(item['why'])}: open it and check what was read.")
            with st.container(horizontal=True):
                person_id = item["person_id"]
                if st.button("Keep both" if item["reason"] == "twin" else "Looks right",
                             key=f"review_keep_{person_id}", icon=":material/done_all:") \
                        and actions.write(functools.partial(reviews.done, person_id=person_id)):
                    st.rerun()
                if len(twins) == 1:
                    twin = twins[0]
                    if st.button(f"Merge into {md(twin['name'])}", key=f"review_merge_{person_id}",
                                 icon=":material/merge:") \
                            and actions.write(functools.partial(
                                merge.merge, keep_id=twin["id"], drop_id=person_id)):
                        st.rerun()
                st.page_link("pages/people.py", label="Open", icon=":material/person:",
                             query_params={"id": str(person_id)})

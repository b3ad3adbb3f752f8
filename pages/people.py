"""People (/people): find anyone met, open their card and history, edit or delete it."""

import streamlit as st

from fieldkit import cards, clock, config, followups, labelled, people
from fieldkit.errors import FieldkitError
from fieldkit.kinds import PERSON_KINDS
from fieldkit.ui import actions, cached, cues, mail_widgets, nav, phone_widgets
from fieldkit.ui import person_widgets as pw
from fieldkit.ui.gate import open_db
from fieldkit.ui.text import md

nav.bottom_bar()

FILTER_KEYS = ("people_query", "people_kind", "people_event", "people_tag")

# Keep the search and filters while a person is open: widget state that is
# re-assigned survives the runs in which its widget is not drawn.
for key in FILTER_KEYS:
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]

wanted = st.query_params.get("id")
if wanted is not None:
    st.session_state["person_id"] = int(wanted) if wanted.strip().isdigit() else 0
elif st.session_state.get("person_id") is not None:
    st.query_params["id"] = str(st.session_state["person_id"])


def open_person(person_id: int) -> None:
    st.session_state["person_id"] = person_id
    st.query_params["id"] = str(person_id)


def close_person() -> None:
    st.session_state.pop("person_id", None)
    st.session_state.pop("people_deleting", None)
    st.query_params.pop("id", None)


def more() -> None:
    st.session_state["people_limit"] = st.session_state.get("people_limit", people.PAGE_SIZE) \
        + people.PAGE_SIZE


def first_page() -> None:
    st.session_state.pop("people_limit", None)


def show_list(db, settings) -> None:
    st.title("People")
    if flash := st.session_state.pop("people_flash", None):
        st.success(flash, icon=":material/check:")
    # Filters as you type: a pause of a quarter of a second is a search.
    query = st.text_input("Search", placeholder="Name, company, title or note",
                          key="people_query", on_change=first_page, type="search", live=True,
                          label_visibility="collapsed", icon=":material/search:")
    choices = cached.event_choices()
    tags = people.tags_in_use(db)
    for key, known in (("people_event", choices), ("people_tag", tags)):
        if st.session_state.get(key) is not None and st.session_state[key] not in known:
            del st.session_state[key]
    # Drawn only while open: the event list can hold thousands of choices. The
    # choices made stay in session state (kept above) while it is closed.
    on = sum(st.session_state.get(key) is not None for key in FILTER_KEYS[1:])
    filters = st.expander(f"Filters · {on} on" if on else "Filters", key="people_filters",
                          icon=":material/filter_list:", on_change="rerun")
    if filters.open:
        with filters:
            st.selectbox("Kind", list(PERSON_KINDS), format_func=PERSON_KINDS.get,
                         index=None, placeholder="Any kind", key="people_kind",
                         on_change=first_page)
            st.selectbox("Event", list(choices), format_func=choices.get, index=None,
                         placeholder="Any event", key="people_event", on_change=first_page)
            st.selectbox("Tag", tags, index=None, placeholder="Any tag", key="people_tag",
                         on_change=first_page)
    kind, event_id, tag = (st.session_state.get(key) for key in FILTER_KEYS[1:])
    limit = st.session_state.get("people_limit", people.PAGE_SIZE)
    found, total = people.search(db, people.Filters(query or "", kind, event_id, tag),
                                 limit=limit)
    st.caption(f"{total:,} {'person' if total == 1 else 'people'}")
    if not total:
        st.info("Nobody found. Try fewer words or clear the filters."
                if query or kind or event_id or tag else
                "Nobody here yet. People you capture appear here, most recent first.")
    for row in found:
        st.button(pw.result_label(row), key=f"open_{row['id']}", width="stretch",
                  on_click=open_person, args=(row["id"],),
                  help=pw.result_caption(row, settings["timezone"]))
    if total > len(found):
        st.button(f"Show more ({total - len(found):,} left)", on_click=more, width="stretch",
                  icon=":material/expand_more:")


def show_person(db, settings, person_id: int) -> None:
    st.button("Back to the list", icon=":material/arrow_back:", on_click=close_person)
    try:
        person = people.person(db, person_id)
    except FieldkitError as exc:
        st.error(md(str(exc)))
        return
    tz = settings["timezone"]
    star = " :orange[★]" if person["important"] else ""
    st.title(md(person["name"]) + star)
    if flash := st.session_state.pop("people_flash", None):
        st.success(flash, icon=":material/check:")
        cues.give(top=True)  # the confirmation on screen, wherever the tap was
    pw.reach_row(person, settings)
    with st.container(border=True, key="person_card"):  # its links are thumb-sized rows
        st.markdown(pw.card_markdown(person, tz))
        mail_widgets.bounce_marks(person_id, tz)
        if person["note"]:
            st.text(person["note"])
        for photo in person["photos"]:
            st.image(photo["data"], caption="Card photo")
    phone_widgets.removed_from_phone(db, person_id, tz)

    st.subheader("Voice memos")
    pw.voice_memos(person_id, person["memos"], tz)

    st.subheader("Follow-ups")
    if person["followups"]:
        today = clock.today(tz)
        for followup in person["followups"]:
            st.markdown(pw.followup_line(followup, today))
    else:
        st.caption("Nothing open.")
    if followups.can_reopen(person["status"]) and (
            st.button("Follow up again", icon=":material/replay:", width="stretch",
                      help="Back in the queue, due per the ladder, today at the earliest.")
            and (done := actions.write(lambda db: followups.reopen(db, person_id, settings)))):
        st.session_state["people_flash"] = md(done.value.message)
        st.rerun()

    st.subheader("History")
    st.dataframe(pw.touch_rows(person["touches"], tz), hide_index=True, width="stretch")

    with st.expander("Edit", icon=":material/edit:"):
        card = cards.card_of(person)
        fields = pw.edit_form(card, f"edit_{person_id}", settings["phone_region"])

    def save(db) -> cards.Card:
        # An email or web address typed must check out; one kept as written
        # (from an import) may stay as it is.
        edited = cards.clean(fields, phone_region=settings.get("phone_region"),
                             checked_values=True, as_stored=labelled.as_written(card.values()))
        people.update(db, person_id, edited, cadence_days=person["cadence_days"],
                     tz=person["tz"])
        return edited

    if fields is not None and (saved := actions.write(save)):
        st.session_state["people_flash"] = pw.saved_message(card, saved.value)
        cues.ask()
        st.rerun()

    if st.session_state.get("people_deleting") != person_id:
        st.button("Delete", icon=":material/delete:", width="stretch",
                  on_click=lambda: st.session_state.update(people_deleting=person_id))
        return
    with st.container(border=True):
        sure = st.checkbox(f"Yes, delete {md(person['name'])} and their history",
                           key="people_delete_sure")
        st.caption("Their touches and follow-ups go too. Events and other people stay.")
        if (st.button("Delete for good", type="primary", width="stretch", disabled=not sure)
                and (deleted := actions.write(lambda db: people.delete(db, person_id)))):
            close_person()
            st.session_state["people_flash"] = f"Deleted {md(deleted.value)}."
            st.rerun()
        st.button("Cancel", width="stretch", on_click=st.session_state.pop,
                  args=("people_deleting", None))


with open_db() as db:
    settings = config.load(db)
    if st.session_state.get("person_id") is not None:
        show_person(db, settings, st.session_state["person_id"])
    else:
        show_list(db, settings)

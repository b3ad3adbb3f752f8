"""Capture (/capture): a card in ten seconds — name, one tap for the kind, save."""

import streamlit as st

from fieldkit import cards, checkins, config, photos
from fieldkit.errors import FieldkitError
from fieldkit.kinds import CONTACT_KINDS
from fieldkit.ui import cached, style
from fieldkit.ui.session import open_db
from fieldkit.ui.text import md

style.apply()

PHOTO_TYPES = ["jpg", "jpeg", "png", "webp"]
state = st.session_state
gen = state.setdefault("capture_gen", 0)  # bumped after a save: fresh, empty widgets


def key(name: str) -> str:
    return f"capture_{name}_{gen}"


with open_db() as db:
    settings = config.load(db)
    here = checkins.current(db)
    event_labels = cached.event_choices()
    recent = cards.recent_captures(db)

FIELDS = ("name", "kind", "important", "company", "title", "department", "email", "phone",
          "linkedin_url", "note", "tags")

# The actions are callbacks: they run before the page does, so saving a card
# takes one run of the page (an empty form, the card under "Just saved"), not
# a run that saves and a second one to show it.


def entered() -> tuple[cards.Card, photos.Photo | None, int | None]:
    """The form's card, photo and event, validated; raises ValidationError."""
    card = cards.clean({f: state.get(key(f)) for f in FIELDS},
                       phone_region=settings["phone_region"])
    upload = state.get(key("photo"))
    photo = photos.prepare(upload.getvalue()) if upload is not None else None
    return card, photo, state.get(key("event"))


def saved(message: str) -> None:
    state["capture_message"] = message
    state.pop("capture_twins", None)
    state["capture_gen"] = gen + 1


def failed(exc: FieldkitError) -> None:
    state["capture_error"] = str(exc)  # shown under the form; what was typed stays


def save_new() -> None:
    try:
        card, photo, event_id = entered()
        with open_db() as db:
            cards.save(db, card, settings=settings, event_id=event_id, photo=photo)
    except FieldkitError as exc:
        failed(exc)
    else:
        saved(f"Saved {md(card.name)}. Ready for the next person.")


def add_to(contact_id: int, name: str) -> None:
    try:
        card, photo, event_id = entered()
        with open_db() as db:
            cards.add_meeting(db, contact_id, card, settings=settings, event_id=event_id,
                              photo=photo)
    except FieldkitError as exc:
        failed(exc)
    else:
        saved(f"Added this meeting to {md(name)}.")


def submit() -> None:
    """Save card: save it, or first ask about the people it looks like."""
    state.pop("capture_twins", None)
    try:
        card, _, _ = entered()
        with open_db() as db:
            twins = cards.find_twins(db, card)
    except FieldkitError as exc:
        failed(exc)
        return
    if twins:
        state["capture_twins"] = twins
    else:
        save_new()


st.title("Capture")
if here:
    st.info(f"At **{md(here['name'])}**: new cards are tied to it.",
            icon=":material/location_on:")
else:
    st.caption("Not checked in: cards are saved without an event unless you pick one.")
if note := state.pop("capture_message", None):
    st.success(note, icon=":material/check:")

default_event = here["event_id"] if here else None
if here and default_event not in event_labels:
    event_labels = {default_event: here["name"], **event_labels}
event_options = [None, *event_labels]

with st.form(key("form"), border=False):
    st.text_input("Name", key=key("name"), placeholder="Who did you just meet?")
    st.pills("Kind", list(CONTACT_KINDS), format_func=CONTACT_KINDS.get, key=key("kind"))
    st.toggle("Important", key=key("important"))
    with st.expander("Company, contact details, note, photo"):
        st.text_input("Company", key=key("company"))
        st.text_input("Title", key=key("title"))
        st.text_input("Department (colleagues)", key=key("department"))
        st.text_input("Email", key=key("email"))
        st.text_input("Phone", key=key("phone"),
                      help=f"Without +country, read as a {settings['phone_region']} number.")
        st.text_input("LinkedIn", key=key("linkedin_url"), placeholder="linkedin.com/in/…")
        st.text_area("Note", key=key("note"), height=80)
        st.text_input("Tags", key=key("tags"), placeholder="comma, separated")
        st.selectbox("Event", event_options, key=key("event"),
                     index=event_options.index(default_event),
                     format_func=lambda e: "No event" if e is None else event_labels[e])
        st.file_uploader("Card photo: take one or choose a file", type=PHOTO_TYPES,
                         key=key("photo"))
    st.form_submit_button("Save card", type="primary", width="stretch",
                          icon=":material/save:", on_click=submit)

if error := state.pop("capture_error", None):
    st.error(md(error), icon=":material/error:")
if twins := state.get("capture_twins"):
    st.warning("This looks like someone you already know. Add this meeting to them "
               "instead of creating a twin?", icon=":material/group:")
    for twin in twins[:3]:
        where = f" · {md(twin['company'])}" if twin["company"] else ""
        st.button(f"Add to {md(twin['name'])}{where} ({', '.join(twin['why'])})",
                  key=f"twin_{twin['id']}_{gen}", width="stretch",
                  on_click=add_to, args=(twin["id"], twin["name"]))
    st.button("No, save as a new person", key=f"twin_new_{gen}", width="stretch",
              on_click=save_new)

if recent:
    st.subheader("Just saved")
    for capture in recent:
        what = "meeting added" if capture["added_meeting"] else CONTACT_KINDS[capture["kind"]]
        line = " · ".join(filter(None, [capture["name"], capture["company"], what]))
        with st.container(horizontal=True, vertical_alignment="center", wrap=False):
            st.text(line, width="stretch")
            undo = st.button("Undo", key=f"undo_{capture['touch_id']}")
        if undo:
            try:
                with open_db() as db:
                    name = cards.undo_capture(db, capture["touch_id"])
            except FieldkitError as exc:
                st.error(md(str(exc)))
            else:
                state["capture_message"] = f"Took back {md(name)}."
                st.rerun()

"""Capture (/capture): a card in ten seconds — name, one tap for the kind, save."""

import uuid

import streamlit as st

from fieldkit import cards, checkins, config, memos, photos
from fieldkit.errors import FieldkitError
from fieldkit.kinds import CONTACT_KINDS
from fieldkit.ui import cached
from fieldkit.ui import scan_widgets as scan
from fieldkit.ui import style
from fieldkit.ui.session import open_db
from fieldkit.ui.text import md

style.apply()

PHOTO_TYPES = ["jpg", "jpeg", "png", "webp"]
state = st.session_state
gen = state.setdefault("capture_gen", 0)  # bumped after a save: fresh, empty widgets


def key(name: str) -> str:
    return f"capture_{name}_{gen}"


# One id per form: a second Save of the same form (a double tap, a tap resent
# after a dropped connection) finds the card the first one stored.
uid = state.setdefault(key("uid"), str(uuid.uuid4()))


with open_db() as db:
    settings = config.load(db)
    here = checkins.current(db)
    event_labels = cached.event_choices()
    recent = cards.recent_captures(db)

st.title("Capture")
if here:
    st.info(f"At **{md(here['name'])}**: new cards are tied to it.",
            icon=":material/location_on:")
else:
    st.caption("Not checked in: cards are saved without an event unless you pick one.")
# Shown until the form changes again: a run cut short by a second tap must not eat it.
note_gen, note = state.get("capture_message", (None, None))
if note and note_gen == gen:
    st.success(note, icon=":material/check:")

default_event = here["event_id"] if here else None
if here and default_event not in event_labels:
    event_labels = {default_event: here["name"], **event_labels}
event_options = [None, *event_labels]

scan.apply_pending(key)  # a code read in the last run fills the empty fields
with st.form(key("form"), border=False):
    st.text_input("Name", key=key("name"), placeholder="Who did you just meet?")
    st.pills("Kind", list(CONTACT_KINDS), format_func=CONTACT_KINDS.get, key=key("kind"))
    st.toggle("Important", key=key("important"))
    with st.expander("Company, contact details, note, photo, voice memo",
                     expanded=scan.details_filled()):
        st.text_input("Company", key=key("company"))
        st.text_input("Title", key=key("title"))
        st.text_input("Department (colleagues)", key=key("department"))
        st.text_input("Email", key=key("email"))
        st.text_input("Phone", key=key("phone"),
                      help=f"Without +country, read as a {settings['phone_region']} number.")
        st.text_input("LinkedIn", key=key("linkedin_url"), placeholder="linkedin.com/in/…")
        st.text_input("Website", key=key("website"))
        st.text_area("Note", key=key("note"), height=80)
        st.audio_input("Voice memo", key=key("memo"),
                       help=f"Instead of typing; up to about {memos.MAX_MINUTES} minutes.")
        st.text_input("Tags", key=key("tags"), placeholder="comma, separated")
        st.selectbox("Event", event_options, key=key("event"),
                     index=event_options.index(default_event),
                     format_func=lambda e: "No event" if e is None else event_labels[e])
        st.file_uploader("Card photo: take one or choose a file", type=PHOTO_TYPES,
                         key=key("photo"))
    scan.scan_uploader(key)
    scan.code_picker(gen)
    with st.container(horizontal=True):
        submitted = st.form_submit_button("Save card", type="primary", width="stretch",
                                          icon=":material/save:")
        reading = st.form_submit_button("Read code", icon=":material/qr_code_scanner:")

FIELDS = ("name", "kind", "important", "company", "title", "department", "email", "phone",
          "linkedin_url", "website", "note", "tags")


def entered() -> tuple[cards.Card, dict, int | None]:
    """The form's card, its photo and memo, and the event, validated; raises ValidationError."""
    card = cards.clean({f: state.get(key(f)) for f in FIELDS},
                       phone_region=settings["phone_region"])
    upload, recording = state.get(key("photo")), state.get(key("memo"))
    extras = {"photo": photos.prepare(upload.getvalue()) if upload is not None else None,
              "memo": memos.prepare(recording.getvalue()) if recording is not None else None}
    return card, extras, state.get(key("event"))


def saved(message: str) -> None:
    state["capture_message"] = (gen + 1, message)
    state.pop("capture_twins", None)
    scan.forget()
    state["capture_gen"] = gen + 1
    st.rerun()


def save_new() -> None:
    card, extras, event_id = entered()
    with open_db() as db:
        cards.save(db, card, settings=settings, event_id=event_id, **extras, uid=uid,
                   source="scan" if scan.scanned() else "capture")
    saved(f"Saved {md(card.name)}. Ready for the next person.")


def add_to(contact_id: int, name: str) -> None:
    card, extras, event_id = entered()
    with open_db() as db:
        cards.add_meeting(db, contact_id, card, settings=settings, event_id=event_id, **extras)
    saved(f"Added this meeting to {md(name)}.")


if reading or (submitted and scan.pending(state.get(key("scan")))):
    submitted = False  # a code not read yet is read first: the card is checked, then saved
    scan.read_upload(state.get(key("scan")), gen)
scan.scan_result(gen)
try:
    if submitted:
        state.pop("capture_twins", None)
        card, _, _ = entered()
        with open_db() as db:
            again = cards.saved_uid(db, uid) is not None
            twins = [] if again else cards.find_twins(db, card)
        if again:
            saved(f"Saved {md(card.name)}. Ready for the next person.")
        elif twins:
            state["capture_twins"] = twins
        else:
            save_new()
    if twins := state.get("capture_twins"):
        st.warning("This looks like someone you already know. Add this meeting to them "
                   "instead of creating a twin?", icon=":material/group:")
        for twin in twins[:3]:
            where = f" · {md(twin['company'])}" if twin["company"] else ""
            if st.button(f"Add to {md(twin['name'])}{where} ({', '.join(twin['why'])})",
                         key=f"twin_{twin['id']}_{gen}", width="stretch"):
                add_to(twin["id"], twin["name"])
        if st.button("No, save as a new person", key=f"twin_new_{gen}", width="stretch"):
            save_new()
except FieldkitError as exc:
    st.error(md(str(exc)), icon=":material/error:")

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
                state["capture_message"] = (gen, f"Took back {md(name)}.")
                st.rerun()

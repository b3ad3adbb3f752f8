"""Capture (/capture): a card in ten seconds — name, one tap for the kind, save."""

import streamlit as st

from fieldkit import cards, checkins, config, memos, photos
from fieldkit.kinds import PERSON_KINDS
from fieldkit.ui import actions, cached, cues, nav
from fieldkit.ui import capture_actions as act
from fieldkit.ui import capture_fields as fields
from fieldkit.ui import read_widgets as card_read
from fieldkit.ui import scan_widgets as scan
from fieldkit.ui.gate import open_db
from fieldkit.ui.text import md

nav.bottom_bar()

PHOTO_TYPES = ["jpg", "jpeg", "png", "webp"]
state = st.session_state
# Saving, adding to a known person, reading a code and Undo are callbacks
# (fieldkit/ui/capture_actions.py): they have run before this line, so this
# run already shows their outcome.
gen = act.generation()
key = act.keys(gen)

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
note_gen, note = state.get(act.MESSAGE, (None, None))
if note and note_gen == gen:
    st.success(note, icon=":material/check:")

default_event = here["event_id"] if here else None
if here and default_event not in event_labels:
    event_labels = {default_event: here["name"], **event_labels}
event_options = [None, *event_labels]

st.file_uploader("Photo of a card or a code", type=PHOTO_TYPES, key=act.camera(gen),
                 on_change=card_read.read_photo, args=(key, gen),
                 max_upload_size=photos.MAX_UPLOAD_BYTES // 1048576,
                 help="One tap opens the camera. A QR code or barcode is read first, else "
                      "the card's text; it fills the empty fields, to check before Save.")
read_in = fields.read_in(gen)  # on screen under Name, with Save

with st.form(key("form"), border=False):
    st.text_input("Name", key=key("name"), placeholder="Who did you just meet?")
    for name in read_in:
        fields.field(name, key, settings)
    st.pills("Kind", list(PERSON_KINDS), format_func=PERSON_KINDS.get, key=key("kind"))
    st.toggle("Important", key=key("important"))
    # Keyed by the form: every new card starts with its details folded. Opening them asks
    # the server nothing (a run then would drop the answer to a photo picked at once).
    with st.expander("Company, contact details, note, photo, voice memo", key=key("details")):
        for name in fields.FIELDS:
            if name not in read_in:
                fields.field(name, key, settings)
        st.text_area("Note", key=key("note"), height=80)
        st.audio_input("Voice memo", key=key("memo"),
                       help=f"Instead of typing; up to about {memos.MAX_MINUTES} minutes.")
        st.text_input("Tags", key=key("tags"), placeholder="comma, separated")
        st.selectbox("Event", event_options, key=key("event"),
                     index=event_options.index(default_event),
                     format_func=lambda e: "No event" if e is None else event_labels[e])
        st.file_uploader("Card photo: take one or choose a file", type=PHOTO_TYPES,
                         key=key("photo"))
        card_read.read_button(key, gen)
        scan.scan_uploader(key)
        st.form_submit_button("Read code", icon=":material/qr_code_scanner:",
                              on_click=act.read_code, args=(gen,))
    scan.code_picker(gen)
    with st.container(key="capture_save"):  # stays on screen under the fields (phone.css)
        st.form_submit_button("Save card", type="primary", width="stretch",
                              icon=":material/save:", on_click=act.save, args=(gen,))

scan.notice()
scan.scan_result(gen)
card_read.notice()
card_read.read_result(key, gen)
actions.show_kept(act.ERROR)  # what was typed stays in the form
if twins := state.get(act.TWINS):
    st.warning("This looks like someone you already know. Add this meeting to them "
               "instead of creating a twin?", icon=":material/group:")
    for twin in twins[:3]:
        where = f" · {md(twin['company'])}" if twin["company"] else ""
        st.button(f"Add to {md(twin['name'])}{where} ({', '.join(twin['why'])})",
                  key=f"twin_{twin['id']}_{gen}", width="stretch",
                  on_click=act.add_to, args=(gen, twin["id"], twin["name"]))
    st.button("No, save as a new person", key=f"twin_new_{gen}", width="stretch",
              on_click=act.save_new, args=(gen,))

if recent:
    st.subheader("Just saved")
    undo_round = act.undo_round()
    for capture in recent:
        what = "meeting added" if capture["added_meeting"] else PERSON_KINDS[capture["kind"]]
        line = " · ".join(filter(None, [capture["name"], capture["company"], what]))
        with st.container(horizontal=True, vertical_alignment="center", wrap=False):
            st.text(line, width="stretch")
            st.button("Undo", key=f"undo_{capture['touch_id']}_{undo_round}",
                      on_click=act.undo, args=(undo_round, capture["touch_id"]))
actions.show_kept(act.UNDO_ERROR)
cues.give()

"""Settings' "My card" and "Messages", and the name asked for before the first message.

My card is what the user's own vCard and QR code carry (fieldkit.vcard.own_card);
its name signs the messages. The messages are one set per stage of a follow-up
(config.MESSAGE_STAGES), each editable. Every value is checked by
``config.save``, all or nothing; a confirmation shows under the form saved.
"""

from __future__ import annotations

import streamlit as st

from fieldkit import config
from fieldkit.ui import actions

CARD, MESSAGES = "My card", "Messages"
GROUPS = (CARD, MESSAGES)  # drawn here, not in the page's general form
SAVED = "settings_card_saved"  # (form, confirmation) of the last save
# What the phone's keyboard shows for each kind of setting here.
KEYBOARDS = {"email": "email", "phone": "phone", "url": "url"}
PLACEHOLDERS = {"my_linkedin_url": "linkedin.com/in/…"}


def _field(setting: config.Setting, value: str) -> str:
    key = f"setting_{setting.name}"  # as the page's own: Restore defaults clears them too
    if setting.kind == "text":
        return st.text_area(setting.label, value, help=setting.help, key=key, height=140)
    # The server checks every value (config.save); the browser's own check is off.
    return st.text_input(setting.label, value, help=setting.help, key=key,
                         type=KEYBOARDS.get(setting.kind, "default"), validate="",
                         placeholder=PLACEHOLDERS.get(setting.name))


def _saved(form: str) -> None:
    said = st.session_state.get(SAVED)
    if said and said[0] == form:
        st.session_state.pop(SAVED)
        st.success(said[1], icon=":material/check:")


def _save(form: str, entered: dict, values: dict, message: str) -> None:
    # Only what changed is stored: a default left alone follows FieldKit's own.
    changed = {name: value for name, value in entered.items() if value != values[name]}
    if actions.write(lambda db: config.save(db, changed)):
        st.session_state[SAVED] = (form, message if changed else "Nothing changed.")
        st.rerun()


def my_card(values: dict) -> None:
    """The user's own card: name, title, company, email, phone, website, LinkedIn."""
    st.subheader(CARD)
    st.caption("Your own card and its QR code (on Data) carry these; your name signs your "
               "messages.")
    with st.form("settings_my_card"):
        entered = {s.name: _field(s, values[s.name])
                   for s in config.SETTINGS.values() if s.group == CARD}
        submitted = st.form_submit_button("Save my card", type="primary", width="stretch")
    if submitted:
        _save(CARD, entered, values, "My card saved.")
    _saved(CARD)


def messages(values: dict) -> None:
    """The messages of each stage: first note, later attempts, keeping in touch."""
    st.subheader(MESSAGES)
    st.caption("Prefilled for Email, Text and LinkedIn on Follow-ups, one set for each "
               "stage of a follow-up.")
    with st.form("settings_messages"):
        entered = {}
        for stage, title in config.MESSAGE_STAGES.items():
            with st.expander(title):
                for channel in config.MESSAGE_CHANNELS:
                    setting = config.SETTINGS[config.template_name(stage, channel)]
                    entered[setting.name] = _field(setting, values[setting.name])
        submitted = st.form_submit_button("Save messages", type="primary", width="stretch")
    if submitted:
        _save(MESSAGES, entered, values, "Messages saved.")
    _saved(MESSAGES)


def ask_name(key: str) -> None:
    """Before the first message: the user's name, which signs it (My card's name)."""
    with st.form(key, border=False):
        name = st.text_input("Your name, to sign your messages", key=f"{key}_value",
                             placeholder="First and last name", autocomplete="name")
        saved = st.form_submit_button("Save my name", width="stretch",
                                      icon=":material/signature:")
    if not saved:
        return
    if not (name or "").strip():
        actions.show("Your name: write it, and your messages are signed with it.")
    elif actions.write(lambda db: config.save(db, {"my_name": name})):
        st.rerun()

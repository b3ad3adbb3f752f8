"""Settings (/settings): the user's time zone, targets, ladder, cadences, calling hours, mailbox;
signing out."""

from datetime import time

import streamlit as st

from fieldkit import clock, config
from fieldkit.ui import (actions, gate, mail_widgets, nav, phone_widgets, settings_card,
                         sign_in_widgets)
from fieldkit.ui.gate import open_db

nav.bottom_bar()

with open_db() as db:
    values = config.load(db)

st.title("Settings")
if saved := st.session_state.pop("settings_saved", None):
    st.success(saved, icon=":material/check:")


def ask(setting: config.Setting, value):
    """The widget for one setting; returns what the user entered."""
    key = f"setting_{setting.name}"
    if setting.kind == "timezone":
        zones = clock.timezone_names()
        index = zones.index(value) if value in zones else None
        return st.selectbox(setting.label, zones, index=index, help=setting.help, key=key)
    if setting.kind == "region":
        regions = config.phone_regions()
        return st.selectbox(setting.label, regions, index=regions.index(value),
                            help=setting.help, key=key)
    if setting.kind == "int":
        return st.number_input(setting.label, value=value, step=1, help=setting.help, key=key)
    if setting.kind == "line":
        return st.text_input(setting.label, value, help=setting.help, key=key)
    if setting.kind == "text":
        return st.text_area(setting.label, value, help=setting.help, key=key, height=140)
    if setting.kind == "days":
        return st.text_input(setting.label, ", ".join(map(str, value)), help=setting.help, key=key)
    hour, minute = map(int, value.split(":"))
    return st.time_input(setting.label, time(hour, minute), help=setting.help, key=key,
                         step=900)


with st.form("settings"):
    entered = {}
    groups = dict.fromkeys(s.group for s in config.SETTINGS.values()
                           if s.group not in settings_card.GROUPS)
    for group in groups:
        st.subheader(group)
        for setting in config.SETTINGS.values():
            if setting.group == group:
                entered[setting.name] = ask(setting, values[setting.name])
    submitted = st.form_submit_button("Save settings", type="primary", width="stretch")

if submitted:
    changes = {name: raw for name, raw in entered.items() if raw is not None}
    if actions.write(lambda db: config.save(db, changes)):
        st.session_state["settings_saved"] = "Settings saved."
        st.rerun()

settings_card.my_card(values)
settings_card.messages(values)

with st.expander("Restore the defaults"):
    st.write("Every setting goes back to its default value. Your people and history stay.")
    if st.button("Restore defaults") and actions.write(config.reset):
        for name in config.SETTINGS:
            st.session_state.pop(f"setting_{name}", None)
        st.session_state["settings_saved"] = "Defaults restored."
        st.rerun()

phone_widgets.connect_section(values["timezone"])

mail_widgets.section()
sign_in_widgets.devices_section(values["timezone"])
gate.provider_sign_out_button()

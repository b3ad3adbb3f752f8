"""Settings' sign-in section: this device and the others, and the addresses that guessed."""

from __future__ import annotations

import streamlit as st

from fieldkit import access, clock
from fieldkit.ui import actions, gate
from fieldkit.ui.gate import open_db


def devices_section(tz: str) -> None:
    """Sign out here or everywhere; see and clear the wrong passwords (with a password set).

    Times are shown in time zone ``tz``.
    """
    if not gate.password_guarded():
        return
    st.subheader("Signed-in devices")
    st.caption("Every phone or computer that gave the password stays signed in until it signs "
               "out or its days are over. A new password signs them all out.")
    if st.button("Sign out this device", icon=":material/logout:", width="stretch") and (
            actions.write(lambda db: access.sign_out_device(db, gate.device_token()))):
        st.rerun()
    if st.button("Sign out everywhere", icon=":material/devices:", width="stretch") and (
            actions.write(access.sign_out_everywhere)):
        st.rerun()
    _wrong_passwords(tz)


def _wrong_passwords(tz: str) -> None:
    with open_db() as db:
        found = access.guessers(db)
    st.subheader("Wrong passwords")
    if not found:
        st.caption("No wrong password in the last day.")
        return
    tries = sum(g.failures for g in found)
    st.caption(f"{tries} wrong password{'s' if tries != 1 else ''} in the last day from "
               f"{len(found)} address{'es' if len(found) != 1 else ''}. Each address waits "
               "longer after each one; others sign in as usual.")
    st.dataframe(
        [{"Address": g.client, "Wrong": g.failures,
          "Last": g.last_at.astimezone(clock.zone(tz)).strftime("%H:%M"),
          "Waits": f"{g.wait_seconds} s" if g.wait_seconds else "—"} for g in found],
        hide_index=True, width="stretch")
    if st.button("Clear the wrong passwords", icon=":material/restart_alt:", width="stretch",
                 help="Every address may try again at once.") and actions.write(
            access.clear_failures):
        st.session_state["settings_saved"] = "Wrong passwords cleared."
        st.rerun()

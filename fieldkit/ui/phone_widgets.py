"""The phone's own Contacts and Calendar in the app: Settings' "Connect your phone", and the
mark on a person removed from the phone's contacts.

Reads and writes through fieldkit.app_passwords, fieldkit.contacts_book,
fieldkit.calendar_feed and fieldkit.phone_setup; a new app password is shown
in the run that made it and never kept.
"""

from __future__ import annotations

import streamlit as st
from sqlite_utils import Database

from fieldkit import app_passwords, calendar_feed, clock, contacts_book, phone_setup
from fieldkit.errors import FieldkitError
from fieldkit.ui import actions
from fieldkit.ui.gate import open_db
from fieldkit.ui.text import md

IPHONE_STEPS = """\
1. Tap **iPhone profile** below and allow the download; or add the accounts by hand:
   Settings > Apps > Contacts > Contacts Accounts > Add Account > Other >
   **Add CardDAV Account**, and the same under Calendar with **Add CalDAV Account**.
2. Open Settings > General > VPN & Device Management, tap **FieldKit** and **Install**.
3. Give the app password when asked. The people appear in Contacts as the
   account **FieldKit**, the follow-ups in Calendar as **FieldKit follow-ups**.
"""

ANDROID_STEPS = """\
1. Install **DAVx⁵** (F-Droid or Google Play) and tap **+** > **Login with URL and user name**.
2. Give the server address, the username and the app password.
3. Choose the address book **FieldKit** and the calendar **FieldKit follow-ups**.
"""


def _origin() -> str | None:
    try:
        return phone_setup.origin_of(st.context.url)
    except FieldkitError:
        return None


def _day(stamp: str | None, tz: str) -> str:
    if not stamp:
        return "never"
    day = clock.local_date(stamp, tz)
    return f"{day.day} {day:%b %Y}"


def connect_section(tz: str) -> None:
    """Settings' "Connect your phone": the address, app passwords, the profile, the feed."""
    st.subheader("Connect your phone")
    st.caption("Your people in the phone's Contacts, your follow-ups in its Calendar with an "
               "alert at your evening triage time. Contacts sync both ways; the calendar is "
               "read-only.")
    origin = _origin()
    if origin is None:  # a page run without a browser (a test)
        st.caption("Open Settings in a browser to see the address a phone connects to.")
        return
    if phone_setup.needs_https(origin):
        st.warning("An iPhone sends no password over plain HTTP: reach FieldKit over HTTPS "
                   "(the README's Caddy recipe) and open this page there.",
                   icon=":material/lock:")
    st.caption("Server")
    st.code(phone_setup.server_address(origin), language=None)
    st.caption("Username")
    st.code(app_passwords.USERNAME, language=None)
    _new_password(origin)
    with st.expander("On an iPhone", icon=":material/phone_iphone:"):
        st.markdown(IPHONE_STEPS)
        st.download_button("iPhone profile (no password inside)",
                           phone_setup.mobileconfig(origin), phone_setup.PROFILE_NAME,
                           mime=phone_setup.PROFILE_TYPE, on_click="ignore",
                           icon=":material/download:", width="stretch")
    with st.expander("On Android (DAVx⁵)", icon=":material/android:"):
        st.markdown(ANDROID_STEPS)
    with open_db() as db:
        _devices(db, tz)
        _feed(db, origin)
        _removed(db, tz)


def _new_password(origin: str) -> None:
    with st.form("phone_new_password", clear_on_submit=True, border=True):
        name = st.text_input("Device name", placeholder="Ann's iPhone",
                             max_chars=app_passwords.NAME_LIMIT)
        inside = st.checkbox("Put the password in the iPhone profile",
                             help="Without it, the iPhone asks for the password on install.")
        made = st.form_submit_button("Make an app password", icon=":material/key:",
                                     type="primary", width="stretch")
    if not made:
        return
    done = actions.write(lambda db: app_passwords.new(db, name))
    if not done:
        return
    new = done.value
    st.success(f"App password for {md(new.name)}. Type it into the phone now: FieldKit "
               "keeps only a hash of it and shows it this once.", icon=":material/key:")
    st.code(new.password, language=None)
    st.download_button("iPhone profile" + (" with the password" if inside else ""),
                       phone_setup.mobileconfig(origin, password=new.password if inside else None),
                       phone_setup.PROFILE_NAME, mime=phone_setup.PROFILE_TYPE,
                       on_click="ignore", icon=":material/download:", width="stretch")


def _devices(db: Database, tz: str) -> None:
    found = app_passwords.listed(db)
    st.markdown("**Devices with an app password**")
    if not found:
        st.caption("None yet: no phone or computer syncs.")
    for item in found:
        text, button = st.columns([3, 1], vertical_alignment="center")
        text.markdown(f"{md(item.name)}  \n:gray[made {_day(item.created_at, tz)} · "
                      f"last used {_day(item.last_used_at, tz)}]")
        if button.button("Revoke", key=f"revoke_{item.name}", icon=":material/block:",
                         width="stretch") and actions.write(
                lambda db, name=item.name: app_passwords.revoke(db, name)):
            st.rerun()


def _feed(db: Database, origin: str) -> None:
    st.markdown("**Calendar feed**")
    st.caption("For a calendar that can only subscribe (Google Calendar, Outlook): a "
               "read-only address, refreshed hourly. Anyone with it sees your follow-ups.")
    token = calendar_feed.feed_token(db)
    if token:
        st.code(phone_setup.feed_url(origin, token), language=None)
    label = "New feed address (the old one stops working)" if token else "Make a feed address"
    if st.button(label, icon=":material/rss_feed:", width="stretch") and actions.write(
            calendar_feed.new_feed_token):
        st.rerun()


def _removed(db: Database, tz: str) -> None:
    gone = contacts_book.removed(db)
    if not gone:
        return
    st.markdown("**Removed from your phone's contacts**")
    st.caption("Deleted on a phone: still here with their history and follow-ups, only out of "
               "the phone's address book.")
    for person in gone:
        text, button = st.columns([3, 1], vertical_alignment="center")
        who = md(person["name"]) + (f" · {md(person['company'])}" if person["company"] else "")
        text.markdown(f"{who}  \n:gray[removed {_day(person['removed_at'], tz)}]")
        if button.button("Put back", key=f"put_back_{person['id']}", icon=":material/undo:",
                         width="stretch"):
            _put_back(person["id"])


def _put_back(person_id: int) -> None:
    if actions.write(lambda db: contacts_book.put_back(db, person_id)):
        st.rerun()


def removed_from_phone(db: Database, person_id: int, tz: str) -> None:
    """On a person's page: the mark of a person removed from the phone's contacts, and the
    way to put them back. Nothing for anyone else."""
    when = contacts_book.removed_at(db, person_id)
    if when is None:
        return
    st.info(f"Removed from your phone's contacts on {_day(when, tz)}: still here, with "
            "their history and follow-ups.", icon=":material/phonelink_erase:")
    if st.button("Put back in the phone's contacts", icon=":material/undo:", width="stretch",
                 key=f"put_back_person_{person_id}"):
        _put_back(person_id)

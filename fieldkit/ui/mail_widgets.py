"""The mailbox on the pages: its Settings section, and the mark of an address that bounced.

``section()`` is Settings' "Your mailbox": connect (host, port, user,
password, security), the last sync's time and result, a running sync's
progress, Sync now, Disconnect, and what the mailbox logged lately with an
Undo each. ``bounce_marks(person_id)`` is the line the person's card and the
Follow-ups card show under a person whose address bounced. The core does the
work (mail_account, mail_sync, mail_schedule); user text is escaped with
``md``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

from fieldkit import clock, config, followups, mail_account, mail_schedule, mail_sync, mailbox
from fieldkit.ui import actions, database
from fieldkit.ui.gate import open_db
from fieldkit.ui.text import md

FLASH = "mail_flash"
ERROR = "mail_error"
REFRESH_SECONDS = 1.0  # how often a running sync's progress is looked at
INTRO = ("FieldKit reads your mailbox read-only: mail you send to people you know logs an "
         "email attempt, their replies a dialog, and a bounce marks the address. Only headers "
         "are read (of a bounce, its delivery report too); nothing is marked read or moved, "
         "no message is kept.")
PROVIDERS = ("Gmail, iCloud and Fastmail: turn on two-step sign-in and use an app password. "
             "Microsoft 365 needs OAuth: run email-oauth2-proxy beside FieldKit (see "
             "docs/mailbox.md in FieldKit's folder).")


def _path() -> Path:
    # Absolute: the sync runs as a process of its own, from FieldKit's folder.
    return database.db_path().resolve()


def _local(stamp: str | None, tz: str) -> str:
    if not stamp:
        return "never"
    moment = clock.from_iso(stamp).astimezone(clock.zone(tz))
    return moment.strftime("%H:%M today" if moment.date() == clock.today(tz) else "%d %b %Y, %H:%M")


# Bounces, on a person's card and the Follow-ups card


def _bounced() -> dict[int, list[tuple[str, str]]]:
    return database.remember("mail_bounced", mail_sync.bounced)


def bounce_marks(person_id: int, tz: str) -> None:
    """A warning line per address of this person that bounced; nothing otherwise."""
    for address, at in _bounced().get(person_id, ()):
        st.markdown(f":orange[:material/unsubscribe: {md(address)} bounced "
                    f"{_local(at, tz)} ({followups.FROM_MAILBOX})]")


# Settings: connecting


def _connect() -> None:
    s = st.session_state

    def action(db) -> mailbox.Account:
        acct = mailbox.account(s.get("mail_host"), s.get("mail_port"), s.get("mail_user"),
                               s.get("mail_security"))
        return mail_account.connect(db, _path(), acct, s.get("mail_password") or "")

    written = actions.write(action, keep=ERROR)
    s["mail_password"] = ""  # never kept in the tab once used
    if written:
        mail_schedule.start_sync(_path())
        s[FLASH] = f"Connected: {written.value.describe()}. The first sync has started."


def _connect_form(days: int) -> None:
    with st.form("mail_connect", border=True):
        st.text_input("Host", key="mail_host", placeholder="imap.gmail.com",
                      help="Your mail provider's IMAP server.")
        st.selectbox("Security", list(mailbox.SECURITY), format_func=mailbox.SECURITY.get,
                     key="mail_security",
                     help="SSL/TLS (port 993) or STARTTLS (port 143); none only for a mail "
                          "server on this computer.")
        st.text_input("Port", key="mail_port", placeholder="993 for SSL/TLS, 143 otherwise")
        st.text_input("User", key="mail_user", placeholder="you@example.com",
                      autocomplete="off")
        # Not FieldKit's own password, which a browser would otherwise offer here.
        st.text_input("Password", key="mail_password", type="password", help=PROVIDERS,
                      autocomplete="new-password")
        st.caption(f"The password is kept in a file beside the database that only its owner "
                   f"can read, never in the database or a backup. The first sync reads the "
                   f"last {days} days.")
        st.form_submit_button("Connect", type="primary", width="stretch",
                              icon=":material/link:", on_click=_connect)


# Settings: connected


def _sync_now() -> None:
    if mail_schedule.start_sync(_path()) is None:
        st.session_state[FLASH] = "A sync is running already."


def _disconnect() -> None:
    if actions.write(lambda db: mail_account.disconnect(db, _path()), keep=ERROR):
        st.session_state[FLASH] = ("Disconnected: the mailbox is forgotten and its password "
                                   "file deleted. What it logged stays.")


def _undo(person_id: int, touch_id: int) -> None:
    if name := actions.write(functools.partial(followups.undo, person_id=person_id,
                                               touch_id=touch_id), keep=ERROR):
        st.session_state[FLASH] = f"Took back what the mailbox logged for {name.value}."


def _progress(found: mail_account.Status) -> None:
    total = found.total
    if total:
        st.progress(min(found.done / total, 1.0),
                    text=f"Syncing: {found.done:,} of {total:,} messages read")
    else:
        st.progress(0.0, text="Syncing: looking for what is new…")


def _state(tz: str) -> None:
    """The last sync, or the running one's progress; looks again while one runs."""
    path = _path()
    running = mail_schedule.running(path)
    with open_db() as db:
        found = mail_account.status(db, path, running=running)
    if found.account is None:  # disconnected meanwhile
        st.rerun()
    if found.problem:
        st.warning(md(found.problem), icon=":material/key_off:")
    if running:
        _progress(found)
    elif found.finished_at:
        line = f"Last sync {_local(found.finished_at, tz)}: {md(found.result)}"
        if found.ok:
            st.caption(line)
        else:
            st.error(line, icon=":material/sync_problem:")
    else:
        st.caption("Not synced yet.")
    if st.session_state.get("mail_was_running") and not running:
        st.session_state["mail_was_running"] = False
        st.rerun()  # the sync is over: the whole page, to stop looking
    st.session_state["mail_was_running"] = running


def _recent(tz: str) -> None:
    with open_db() as db:
        rows = mail_sync.recent(db)
    if not rows:
        return
    st.caption("Logged from your mailbox lately")
    for row in rows:
        what = "Email attempt to" if row["kind"] == "attempt" else "Reply from"
        line = f"{what} {md(row['name'])} · {_local(row['at'], tz)}"
        if row["subject"]:
            line += f" · {md(row['subject'])}"
        with st.container(horizontal=True, vertical_alignment="center", wrap=False):
            st.markdown(f":gray[{line} (undone)]" if row["undone"] else line, width="stretch")
            if row["undoable"] and not row["undone"]:
                st.button("Undo", key=f"mail_undo_{row['touch_id']}", on_click=_undo,
                          args=(row["person_id"], row["touch_id"]))


def section() -> None:
    """Settings' "Your mailbox"."""
    path = _path()
    with open_db() as db:
        found = mail_account.status(db, path)
        settings = config.load(db)
    tz = settings["timezone"]
    st.subheader("Your mailbox")
    if flash := st.session_state.pop(FLASH, None):
        st.success(md(flash), icon=":material/check:")
    actions.show_kept(ERROR)
    if found.account is None:
        st.caption(INTRO)
        _connect_form(settings["mail_first_days"])
        return
    st.markdown(f":material/mail: Connected: **{md(found.account.user)}** at "
                f"{md(found.account.host)}:{found.account.port} "
                f"({mailbox.SECURITY_SAID[found.account.security]})")
    st.caption(f"Read every {settings['mail_sync_minutes']} minutes while FieldKit runs. "
               f"{INTRO}")
    running = mail_schedule.running(path)
    st.fragment(_state, run_every=REFRESH_SECONDS if running else None, key="mail_state")(tz)
    with st.container(horizontal=True):
        st.button("Sync now", icon=":material/sync:", on_click=_sync_now, width="stretch",
                  disabled=running)
        st.button("Disconnect", icon=":material/link_off:", on_click=_disconnect,
                  width="stretch")
    _recent(tz)

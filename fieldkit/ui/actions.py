"""The one way the UI runs a write of the core, and shows what went wrong.

A write gets its own connection from ``gate.open_db`` (signed in, migrated)
and is one call of the core, which makes it one transaction. A FieldkitError
is meant for the user: its message is shown in place, or, from a widget
callback (which runs before the page is drawn), kept in the tab's state and
shown where the page calls ``show_kept``. Anything else is a bug and is
raised as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import streamlit as st
from sqlite_utils import Database

from fieldkit.errors import FieldkitError
from fieldkit.ui.gate import guard, open_db
from fieldkit.ui.text import md

T = TypeVar("T")

ICON = ":material/error:"


@dataclass(frozen=True)
class Written(Generic[T]):
    """What a write returned, or why it was refused (nothing was written then)."""

    value: T | None = None
    error: str | None = None

    def __bool__(self) -> bool:
        return self.error is None


def write(action: Callable[[Database], T], *, keep: str | None = None) -> Written[T]:
    """Run ``action(db)`` on a connection of its own; a refusal is shown, never raised.

    With ``keep`` (from a widget callback) the message is kept under that
    key for ``show_kept`` instead of being shown now.
    """
    def on_own_connection() -> T:
        with open_db() as db:
            return action(db)
    return run(on_own_connection, keep=keep)


def run(action: Callable[[], T], *, keep: str | None = None) -> Written[T]:
    """As ``write``, for a write that must not hold a connection (a restore replaces the file).

    Sign-in is checked first, as ``open_db`` does.
    """
    if keep is not None:
        st.session_state.pop(keep, None)
    try:
        guard()
        return Written(action())
    except FieldkitError as exc:
        if keep is not None:
            st.session_state[keep] = str(exc)
        else:
            show(str(exc))
        return Written(error=str(exc))


def show(message: str) -> None:
    """An error for the user; core messages may quote what was typed, so it is escaped."""
    st.error(md(message), icon=ICON)


def show_kept(key: str) -> None:
    """Show, once, the message a callback's write kept under ``key``."""
    if message := st.session_state.pop(key, None):
        show(message)


def show_notice(key: str, icon: str) -> None:
    """Show, once, what a capture-form button's callback kept under ``key``: (kind, text).

    An "error" shows as one; anything else as a warning with ``icon``.
    """
    said = st.session_state.pop(key, None)
    if said is None:
        return
    kind, text = said
    if kind == "error":
        st.error(text, icon=":material/error:")
    else:
        st.warning(text, icon=icon)

"""Cues to the phone's browser after a tap: what to bring on screen, what to focus.

A callback asks (``ask``); the page, drawing the element the cue is about,
gives it (``give``) as a hidden element that FieldKit's page script acts on
once the run has finished (fieldkit/cues.py). A cue is given once: a later
run (another widget changed) leaves the view where the user put it.
"""

from __future__ import annotations

import html

import streamlit as st

from fieldkit import cues

ASKED = "cues_asked"  # what the last action asked for, until a page gives it
COUNT = "cues_count"  # cues given in this session: each one new to the script


def ask(**cue: str | bool) -> None:
    """From a callback: after this run, ``view``/``focus`` the element with that key,
    or go to the ``top``."""
    st.session_state[ASKED] = cue


def give(**where: str | bool) -> None:
    """The cue an action of this run asked for (``ask``), completed with ``where`` (what
    the page knows the action led to: the next person's card); nothing if none was asked."""
    if ASKED not in st.session_state:
        return
    cue = {**where, **st.session_state.pop(ASKED)}
    if not cue:
        return
    number = st.session_state[COUNT] = st.session_state.get(COUNT, 0) + 1
    names = {"view": cues.VIEW, "focus": cues.FOCUS, "top": cues.TOP}
    attributes = "".join(
        f' {names[name]}="{html.escape(str(value), quote=True)}"'
        for name, value in cue.items() if value)
    st.html(f'<span hidden {cues.CUE}="{number}"{attributes}></span>')


def camera_key(name: str) -> str:
    """The key of a photo control that opens the camera from one tap."""
    return cues.CAMERA_KEY + name

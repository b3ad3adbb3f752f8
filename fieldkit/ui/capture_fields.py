"""The capture form's contact fields, each with the keyboard its value needs.

A photo read into the form (a code or a paper card) fills some of them: those
are drawn right under Name, on screen with Save, and the rest stay folded in
the details. Every value is checked by the core on Save (cards.clean), so the
browser's own format check is off: one set of rules, one kind of message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

from fieldkit.ui import read_widgets, scan_widgets

# Field: (label, the input's type, placeholder or None for the type's own). Streamlit's
# own for an email or a phone ("you@…", "+1 234…") would read as the user's, or American.
FIELDS = {
    "company": ("Company", "default", None),
    "title": ("Title", "default", None),
    "email": ("Email", "email", ""),
    "phone": ("Phone", "phone", ""),
    "linkedin_url": ("LinkedIn", "url", "linkedin.com/in/…"),
    "website": ("Website", "url", None),
    "department": ("Department (colleagues)", "default", None),
}


def field(name: str, key: Callable[[str], str], settings: Mapping) -> None:
    label, kind, placeholder = FIELDS[name]
    help_ = (f"Without +country, read as a {settings['phone_region']} number."
             if name == "phone" else None)
    st.text_input(label, key=key(name), type=kind, validate="", placeholder=placeholder,
                  help=help_, icon="")


def read_in(gen: int) -> list[str]:
    """The fields a photo read into the form of generation ``gen`` filled, in form order."""
    filled = {**scan_widgets.filled(gen), **read_widgets.filled(gen)}
    return [name for name in FIELDS if name in filled]

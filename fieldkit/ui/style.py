"""Phone-first touches to Streamlit's look. Static CSS only: no user text."""

from __future__ import annotations

import streamlit as st

_CSS = """
<style>
/* Thumb-sized targets: at least 48 px tall. */
div.stButton > button, div.stFormSubmitButton > button, a[data-testid="stPageLink-NavLink"] {
    min-height: 3rem;
}
@media (max-width: 640px) {
    [data-testid="stMainBlockContainer"] {
        padding-left: 1rem; padding-right: 1rem; padding-top: 3.5rem !important;
    }
}
/* Buttons that open an event or a person read as list rows: left-aligned. */
div[class*="st-key-open_"] button > div,
div[class*="st-key-open_"] button > div > span { justify-content: flex-start; text-align: left; }
a[data-testid="stPageLink-NavLink"] {
    border: 1px solid rgba(49, 51, 63, 0.2);
    border-radius: 0.5rem;
    padding: 0.5rem 0.75rem;
}
</style>
"""


def apply() -> None:
    """Add the style sheet to this run's page; each page calls it first.

    Called from app.py instead, it is lost when a page is opened by its own
    URL (/events): the frame's elements are not drawn on such a first load.
    """
    st.html(_CSS)

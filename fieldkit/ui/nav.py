"""The app's pages, in navigation order, with their URL paths, and the frame around them.

``frame()`` is the whole of what app.py runs, as a function so that another
entry (the benchmark's floor app, a frame script behind ``st.App``) runs the
same frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from fieldkit import contract, cues
from fieldkit.ui import database, gate

# Page files are named from here, not from the running script's folder, so
# that an entry script elsewhere (bench/floor_app.py) finds them too.
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    url_path: str  # "" is the home screen at /


# A page joins this list when it exists; the app never shows a placeholder.
PAGES = (
    PageSpec("pages/today.py", "Today", ":material/today:", ""),
    PageSpec("pages/capture.py", "Capture", ":material/person_add:",
             contract.CAPTURE_PATH.lstrip("/")),
    PageSpec("pages/events.py", "Events", ":material/event:", "events"),
    PageSpec("pages/people.py", "People", ":material/group:", "people"),
    PageSpec("pages/queue.py", "Follow-ups", ":material/checklist:",
             contract.QUEUE_PATH.lstrip("/")),
    PageSpec("pages/calls.py", "Calls", ":material/call:", "calls"),
    PageSpec("pages/metrics.py", "Metrics", ":material/insights:", "metrics"),
    PageSpec("pages/data.py", "Data", ":material/database:", "data"),
    PageSpec("pages/settings.py", "Settings", ":material/settings:", "settings"),
)


def page(url_path: str) -> PageSpec | None:
    """The page at ``url_path`` if the app has it yet."""
    return next((p for p in PAGES if p.url_path == url_path), None)


def frame(home: st.Page | None = None) -> None:
    """FieldKit's frame: page config, migrations once per process, the sign-in gate, navigation.

    ``home``, when given, stands at / in place of Today (the benchmark's
    empty page, to measure what the frame costs on its own).
    """
    st.set_page_config(
        page_title="FieldKit",
        page_icon="🧭",
        layout="centered",
        initial_sidebar_state="collapsed",
    )
    database.migrate_once()

    if gate.required():
        # Every page's URL leads to the sign-in page and nothing else runs; after
        # signing in, the page that was asked for opens.
        locked = [
            st.Page(gate.sign_in_page, title="Sign in", url_path=p.url_path or "sign-in",
                    default=p.url_path == "")
            for p in PAGES
        ]
        st.navigation(locked, position="hidden").run()
        st.stop()

    pages = [
        st.Page(ROOT / p.file, title=p.title, icon=p.icon, url_path=p.url_path or None,
                default=p.url_path == "")
        for p in PAGES
        if home is None or p.url_path != ""
    ]
    st.navigation(pages if home is None else [home, *pages], position="top").run()


# The pages of a day at an event, one tap away at the foot of a phone's screen
# (the others stay in the menu).
BOTTOM_BAR = ("", "capture", "queue", "people")


def bottom_bar() -> None:
    """The phone's bottom bar (phone.css shows it on narrow screens only), drawn first
    by every page: what the frame draws before a page other than Today does not stay."""
    with st.container(key=cues.BOTTOM_BAR_KEY, horizontal=True, gap=None, wrap=False):
        for spec in map(page, BOTTOM_BAR):
            with st.container():  # equal shares of the width
                st.page_link(spec.file, label=spec.title, icon=spec.icon, width="stretch")

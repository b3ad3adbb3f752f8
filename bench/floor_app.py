"""The framework's floor: app.py's frame with an empty page at / in place of Today.

Run under AppTest by bench/run.py; its rerun time is what Streamlit and the
frame cost before a page does anything of its own.
"""

from pathlib import Path

import streamlit as st

from fieldkit.ui import nav

EMPTY = Path(__file__).resolve().with_name("empty_page.py")

nav.frame(home=st.Page(EMPTY, title="Empty", url_path="empty", default=True))

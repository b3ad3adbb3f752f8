"""The framework's floor: the app's frame and navigation around an empty page.

Run under AppTest by bench/run.py; its rerun time is what Streamlit and the
frame cost before a page does anything of its own.
"""

from pathlib import Path

import streamlit as st

from fieldkit.ui import database, nav

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="FieldKit", page_icon="🧭", layout="centered",
                   initial_sidebar_state="collapsed")
database.migrate_once()
pages = [st.Page(str(HERE / "empty_page.py"), title="Empty", url_path="empty", default=True)]
pages += [st.Page(str(ROOT / p.file), title=p.title, icon=p.icon, url_path=p.url_path)
          for p in nav.PAGES if p.url_path]
st.navigation(pages, position="top").run()

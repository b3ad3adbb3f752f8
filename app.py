"""FieldKit's frame: page config, migrations once per process, navigation."""

import streamlit as st

from fieldkit.ui import nav, session

st.set_page_config(
    page_title="FieldKit",
    page_icon="🧭",
    layout="centered",
    initial_sidebar_state="collapsed",
)
session.migrate_once()

pages = [
    st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path or None,
            default=p.url_path == "")
    for p in nav.PAGES
]
st.navigation(pages, position="top").run()

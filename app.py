"""FieldKit's frame: page config, migrations once per process, the sign-in gate, navigation."""

import streamlit as st

from fieldkit.ui import gate, nav, session

st.set_page_config(
    page_title="FieldKit",
    page_icon="🧭",
    layout="centered",
    initial_sidebar_state="collapsed",
)
session.migrate_once()

if gate.required():
    # Only the sign-in page exists for this session: no other page can run.
    sign_in = st.Page(gate.sign_in_page, title="Sign in", url_path="sign-in", default=True)
    st.navigation([sign_in], position="hidden").run()
    st.stop()

pages = [
    st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path or None,
            default=p.url_path == "")
    for p in nav.PAGES
]
st.navigation(pages, position="top").run()

"""FieldKit's frame: page config, migrations once per process, the sign-in gate, navigation."""

import streamlit as st

from fieldkit.ui import database, gate, nav

st.set_page_config(
    page_title="FieldKit",
    page_icon="🧭",
    layout="centered",
    initial_sidebar_state="collapsed",
)
database.migrate_once()

if gate.required():
    # Every page's URL leads to the sign-in form and nothing else runs; after
    # signing in, the page that was asked for opens.
    locked = [
        st.Page(gate.sign_in_page, title="Sign in", url_path=p.url_path or "sign-in",
                default=p.url_path == "")
        for p in nav.PAGES
    ]
    st.navigation(locked, position="hidden").run()
    st.stop()

pages = [
    st.Page(p.file, title=p.title, icon=p.icon, url_path=p.url_path or None,
            default=p.url_path == "")
    for p in nav.PAGES
]
st.navigation(pages, position="top").run()

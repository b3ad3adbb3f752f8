"""FieldKit's entry: Streamlit's frame (frame.py) with FieldKit's HTTP routes and middleware.

`streamlit run app.py` (what `make run` does) finds ``app`` and serves it.
"""

from pathlib import Path

import streamlit as st
from streamlit import file_util

from fieldkit.web.routes import middleware, routes

HERE = Path(__file__).resolve().parent
STREAMLIT = Path(st.__file__).resolve().parent

app = st.App(
    "frame.py",
    routes=routes(Path(file_util.get_static_dir()) / "index.html"),
    # The icons a screen can show are named in FieldKit's code and Streamlit's.
    middleware=middleware(icon_sources=(HERE / "pages", HERE / "fieldkit", STREAMLIT)),
)

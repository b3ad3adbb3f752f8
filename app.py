"""FieldKit's entry: Streamlit's frame (frame.py) with FieldKit's HTTP routes, middleware
and what runs beside them (the mailbox's background sync).

`streamlit run app.py` (what `make run` does) finds ``app`` and serves it.
"""

import functools
import os
from pathlib import Path

import streamlit as st
from streamlit import file_util

from fieldkit import config
from fieldkit.ui.gate import provider_configured
from fieldkit.web.background import lifespan
from fieldkit.web.routes import middleware, routes

HERE = Path(__file__).resolve().parent
STREAMLIT = Path(st.__file__).resolve().parent

PAGE = Path(file_util.get_static_dir()) / "index.html"  # Streamlit's page, every URL's

app = st.App(
    "frame.py",
    # The database path is read from the environment per request (os.environ
    # is live), as the pages read it per run.
    routes=routes(PAGE, functools.partial(config.database_path, os.environ),
                  provider=provider_configured),
    # The icons a screen can show are named in FieldKit's code and Streamlit's.
    middleware=middleware(PAGE, icon_sources=(HERE / "pages", HERE / "fieldkit", STREAMLIT)),
    # The mailbox syncs in the background while the server runs.
    lifespan=lifespan(functools.partial(config.database_path, os.environ)),
)

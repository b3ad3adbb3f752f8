"""FieldKit's entry: Streamlit's frame (frame.py) with FieldKit's HTTP routes, middleware
and what runs beside them (the mailbox's background sync).

`streamlit run app.py` (what `make run` does) finds ``app`` and serves it.
"""

import os

import streamlit as st

from fieldkit import config
from fieldkit.ui import warm
from fieldkit.ui.gate import provider_allowed_emails
from fieldkit.web import kept_files, prepare
from fieldkit.web.background import lifespan
from fieldkit.web.routes import middleware, routes
from fieldkit.web.site import Site

PAGE = prepare.streamlit_page()  # Streamlit's page, every URL's

# The environment is read per request (os.environ is live), as the pages read
# it per run; names it cannot read stop the start here, with their message.
config.allowed_hosts(os.environ)
config.trusted_proxies(os.environ)
SITE = Site(os.environ, provider=provider_allowed_emails)

app = st.App(
    "frame.py",
    routes=routes(PAGE, SITE),
    # The icons a screen can show are named in FieldKit's code and Streamlit's.
    # What they make of Streamlit's files (compressed, cut) is kept for the next start.
    middleware=middleware(PAGE, icon_sources=prepare.icon_sources(),
                          site=SITE, start_up=(warm.warm_up,),
                          kept_in=kept_files.folder(os.environ)),
    # The mailbox syncs in the background while the server runs (started and
    # stopped with it: a lifespan, not a start-up task).
    lifespan=lifespan(SITE.database),
)

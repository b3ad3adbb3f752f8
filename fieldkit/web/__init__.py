"""FieldKit over HTTP: the routes and middleware that app.py gives st.App (``web.routes``).

The only part of fieldkit that speaks HTTP (and the only part that may
import Starlette); it never imports streamlit. Routes translate a request
into core calls and back; the files a browser runs (the service worker)
are plain JavaScript in ``static/``.
"""

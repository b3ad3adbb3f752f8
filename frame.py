"""FieldKit's Streamlit frame: page config, migrations, the sign-in gate, navigation.

app.py serves it (``st.App("frame.py", ...)``); Streamlit runs it for every
tab and every rerun, and it runs the page asked for.
"""

from fieldkit.ui import nav

nav.frame()

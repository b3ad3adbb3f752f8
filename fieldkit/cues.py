"""Cues a page gives the phone's browser, beyond what Streamlit's widgets do.

After a tap, a page can ask the browser to bring an element into view (the
next person's name after a triage outcome), to scroll back to the top (the
capture form after a save) or to focus an input (Name, for the next card);
and a photo control can open the phone's camera with one tap. The page draws
a hidden cue element (fieldkit.ui.cues), FieldKit's page script
(fieldkit/web/static/cues.js) acts on it once the run has finished. The
names both sides use are declared here, once, and handed to the script.
"""

from __future__ import annotations

CUE = "data-fk-cue"  # on the cue element: a number, new for every cue of a session
VIEW = "data-fk-view"  # the key of the element whose top is brought on screen
FOCUS = "data-fk-focus"  # the key of the element whose input gets the focus
TOP = "data-fk-top"  # present: back to the top of the page
# A file uploader whose key starts with this opens the camera from one tap.
CAMERA_KEY = "camera_"
# Below this width (px) the page is laid out for a phone: the side menu closes
# once a page is picked, and the bottom bar shows.
PHONE_WIDTH = 640
# The phone's bottom bar of pages (fieldkit.ui.nav), kept clear of the page's content.
BOTTOM_BAR_KEY = "bottom_bar"
# How long a page stays idle before the code of a later page is fetched (ms).
IDLE_MS = 3000


def script_names() -> dict[str, object]:
    """What the page script needs to know, as it is handed to it."""
    return {"cue": CUE, "view": VIEW, "focus": FOCUS, "top": TOP,
            "camera": f"st-key-{CAMERA_KEY}", "phoneWidth": PHONE_WIDTH,
            "bottomBar": f"st-key-{BOTTOM_BAR_KEY}", "idleMs": IDLE_MS}

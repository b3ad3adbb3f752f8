"""What the browser and the server must agree on, declared once.

The routes (fieldkit.web), the pages' gate (fieldkit.ui) and the scripts a
browser runs (fieldkit/web/static, where fieldkit.web.browser substitutes
them when they are served) all take paths, header and cookie names and the
theme colour from here; none types them. The limits and words of a card
(fields, kinds, statuses) stay with the core module that decides them
(booth, photos, kinds) and reach the scripts the same way.
"""

from __future__ import annotations

SIGN_IN_PATH = "/sign-in"
# The cookie /sign-in sets on a signed-in device: its token, HttpOnly.
DEVICE_COOKIE = "fieldkit_device"

BOOTH_PATH = "/booth"  # the page that takes cards with no network
CAPTURE_PATH = "/capture"  # the page a card is typed on; the booth stands in for it offline
QUEUE_PATH = "/queue"  # the Follow-ups page, which the calendar's events link back to
DAV_PATH = "/dav"  # the phone's Contacts and Calendar (CardDAV, CalDAV)
FEED_PATH = "/feeds/"  # the calendar for apps that only subscribe: /feeds/<token>.ics
STATIC_PREFIX = "/static/"  # Streamlit's own files, content-hashed
API_PREFIX = "/api/"
BOOTH_STATE_PATH = API_PREFIX + "booth"  # what the booth keeps for when it is offline
CARDS_PATH = API_PREFIX + "cards"  # where the outbox sends its cards
# Where a phone that must sign in before its cards can go is sent.
SIGN_IN_FROM_BOOTH = f"{SIGN_IN_PATH}?next={BOOTH_PATH}"

# The scripts FieldKit serves itself (fieldkit/web/static).
SW_PATH = "/sw.js"
SW_REGISTER_PATH = "/sw-register.js"
OUTBOX_PATH = "/outbox.js"
CONNECTION_PATH = "/connection.js"
MANIFEST_PATH = "/manifest.webmanifest"
ICON_PREFIX = "/icons/"

# The capture form's widgets are keyed "<CAPTURE_KEY>_<field>_<generation>" (Streamlit marks
# each with the class "st-key-<key>"): how the page's script reads a form it must keep.
CAPTURE_KEY = "capture"

# An answer of FieldKit's own (not Streamlit's page): the shell rewriting leaves it alone.
OWN_HEADER = "x-fieldkit-own"
# Streamlit's page made into the shell: what the service worker keeps.
SHELL_HEADER = "x-fieldkit-shell"
# On the service worker's kept page: how long it took to come, in ms.
TOOK_HEADER = "x-fieldkit-took-ms"

# The theme's primary colour (.streamlit/config.toml's primaryColor says the same; a test
# checks that it does).
THEME_COLOUR = "#0f766e"

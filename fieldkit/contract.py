"""What the browser and the server must agree on, declared once.

The routes (fieldkit.web), the pages' gate (fieldkit.ui) and the scripts a
browser runs (fieldkit/web/static, where these values are substituted when
served) all take paths, cookie names and limits from here; none types them.
"""

from __future__ import annotations

SIGN_IN_PATH = "/sign-in"
# The cookie /sign-in sets on a signed-in device: its token, HttpOnly.
DEVICE_COOKIE = "fieldkit_device"

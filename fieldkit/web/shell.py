"""The app shell a phone installs: manifest, icons, head tags, and the headers every answer carries.

Streamlit's page (its index.html, the same for every page URL) is the
shell. FieldKit adds to its head the links a phone needs to install it (the
manifest, the apple-touch-icon, the theme colour) and the script that
registers the service worker. Every response, Streamlit's own included,
carries the security headers; the page's Content-Security-Policy names the
hashes of the page's own inline scripts, so nothing else inline can run.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.util
import json
import re
from pathlib import Path

from fieldkit import __version__, contract, cues
from fieldkit.web.browser import served, static_text

NAME = "FieldKit"
THEME_COLOUR = contract.THEME_COLOUR
BACKGROUND = "#ffffff"
MANIFEST_PATH = contract.MANIFEST_PATH
SW_PATH = contract.SW_PATH
ICON_PREFIX = contract.ICON_PREFIX
CONNECTION_PATH = contract.CONNECTION_PATH  # what a page does when its connection drops

def head_tags() -> str:
    """What FieldKit adds to the page's head: install links, its fonts and phone-first styles,
    the worker's registration, and the script that offers the booth when the connection drops.

    The stylesheet and the registration are inline: a request each would cost
    a round trip before the page can start, and on a venue's Wi-Fi a round
    trip is a third of a second. The page's CSP allows the script by hash.
    The connection script is a file, deferred: nothing waits for it.
    """
    return (
        f'<link rel="manifest" href="{MANIFEST_PATH}">'
        f'<link rel="apple-touch-icon" href="{ICON_PREFIX}apple-touch-icon.png">'
        f'<meta name="theme-color" content="{THEME_COLOUR}">'
        '<meta name="mobile-web-app-capable" content="yes">'
        '<meta name="apple-mobile-web-app-capable" content="yes">'
        f'<meta name="apple-mobile-web-app-title" content="{NAME}">'
        f"<style>{served('fonts.css')}{served('phone.css')}</style>"
        f"<script>{served('sw-register.js')}</script>"
        f'<script src="{CONNECTION_PATH}" defer></script>'
    )


def manifest() -> dict:
    """The web app manifest: installs FieldKit as an app that opens on Today."""
    return {
        "name": NAME,
        "short_name": NAME,
        "description": "Networking at trade shows: capture, follow up, keep the habit.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": BACKGROUND,
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": f"{ICON_PREFIX}icon-192.png", "sizes": "192x192", "type": "image/png",
             "purpose": "any"},
            {"src": f"{ICON_PREFIX}icon-512.png", "sizes": "512x512", "type": "image/png",
             "purpose": "any"},
            {"src": f"{ICON_PREFIX}maskable-512.png", "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }


def manifest_bytes() -> bytes:
    return json.dumps(manifest(), indent=1).encode("utf-8")


_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_STATIC_REF = re.compile(rb"""(?:src|href)=["']\.?/(static/[^"']+)["']""")


def inline_script_hashes(html: bytes) -> list[str]:
    """CSP source expressions ('sha256-…') for each inline script of ``html``."""
    return ["'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
            for body in _INLINE_SCRIPT.findall(html)]


def static_files(html: bytes) -> list[str]:
    """The hashed static files the page itself loads ("/static/js/index.….js", …)."""
    return ["/" + path.decode() for path in dict.fromkeys(_STATIC_REF.findall(html))]


# The widgets FieldKit's pages show most (/capture shows them all). Streamlit
# loads a widget's code the first time a page shows one: only after the
# page's run has sent it, so on a phone that keeps the shell it is a second
# wave of loading and compiling before the Name box can appear. A page the
# service worker answers asks for them at once instead (preload-widgets.js).
WIDGETS = ("Html", "TextInput", "TextArea", "ButtonGroup", "Checkbox", "Selectbox",
           "FileUploader", "AudioInput", "PageLink")  # PageLink: the phone's bottom bar
# Found, not imported: FieldKit's core never imports Streamlit.
STREAMLIT_JS = Path(importlib.util.find_spec("streamlit").origin).with_name("static") / "static" / "js"
_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*["']\./([\w.-]+\.js)["']""")


# The charts' code (the Vega renderer, a megabyte), fetched when a page of a warm
# start has been idle a while (cues.js): Metrics then draws its charts with the page.
CHARTS = ("ArrowVegaLiteChart",)


@functools.cache
def widget_entries(js_dir: Path = STREAMLIT_JS, widgets: tuple[str, ...] | None = None
                   ) -> tuple[str, ...]:
    """The file of each of ``widgets``, by default WIDGETS ("/static/js/TextInput.….js", …)."""
    entries = []
    for widget in WIDGETS if widgets is None else widgets:
        names = [p.name for p in js_dir.glob(f"{widget}.*.js")
                 if re.fullmatch(rf"{widget}\.[\w-]{{8}}\.js", p.name)]
        if len(names) != 1:
            raise LookupError(f"Streamlit's code for {widget}: {names or 'none'} in {js_dir}")
        entries.append(f"/static/js/{names[0]}")
    return tuple(entries)


@functools.cache
def widget_files(js_dir: Path = STREAMLIT_JS) -> tuple[str, ...]:
    """The files of WIDGETS and everything they import: what the service worker keeps for them."""
    found, todo = {}, [entry.rsplit("/", 1)[1] for entry in widget_entries(js_dir)]
    while todo:
        name = todo.pop()
        if name not in found:
            found[name] = None
            todo += _IMPORT.findall((js_dir / name).read_text(encoding="utf-8"))
    return tuple(f"/static/js/{name}" for name in found)


def cue_names() -> dict:
    """What the page's cues script (cues.js) is handed: the names the pages' cues use,
    and the code of what a later page shows."""
    return {**cues.script_names(), "later": widget_entries(widgets=CHARTS),
            "busyPages": [contract.CAPTURE_PATH]}


def is_streamlit_page(html: bytes) -> bool:
    """Whether ``html`` is Streamlit's page (its app mounts on #root), not another HTML answer."""
    return b'<div id="root">' in html


# Streamlit finds the server by asking /<page>/_stcore/health first, then
# each shorter path: a round trip per step on a venue's Wi-Fi. FieldKit is
# served at its host's root, so it says so before Streamlit's scripts run.
# Given the host's settings too (the values Streamlit's /_stcore/host-config
# answers; no parent frame may talk to the page), Streamlit opens its
# websocket at once and asks for health and settings alongside: a phone
# opening FieldKit from its home screen saves two round trips.
BASE_URL_SCRIPT = (
    "<script>window.__streamlit = {BACKEND_BASE_URL: location.origin + \"/\", "
    "HOST_CONFIG: {allowedOrigins: [location.origin], useExternalAuthToken: false, "
    "enableCustomParentMessages: false, blockErrorDialogs: false}}</script>"
)
# Fonts the page preloads whether a page uses them or not: FieldKit's theme
# uses the phone's own fonts, so preloading Streamlit's would only cost bytes.
_FONT_PRELOAD = re.compile(rb'<link\s[^>]*rel="preload"[^>]*as="font"[^>]*>\s*', re.S | re.I)


def with_head_tags(html: bytes) -> bytes:
    """The page with FieldKit's installable-app tags in its head, and no font preloads."""
    head_start, head_end = html.lower().find(b"<head>"), html.lower().find(b"</head>")
    if head_start < 0 or head_end < head_start:
        return html
    head = html[head_start + len(b"<head>"):head_end]
    head = re.sub(rb"<title>.*?</title>", f"<title>{NAME}</title>".encode(), head, count=1,
                  flags=re.S)
    head = _FONT_PRELOAD.sub(b"", head)
    early_socket = f"<script>{static_text('early-socket.js')}</script>"
    # The widgets' own files: importing one brings what it imports.
    preload = static_text("preload-widgets.js").replace("__FILES__", json.dumps(widget_entries()))
    # Inline, as the page's own: a page the service worker answers has it too.
    page_cues = static_text("cues.js").replace("__CUES__", json.dumps(cue_names()))
    return (html[:head_start] + b"<head>" + BASE_URL_SCRIPT.encode() + early_socket.encode()
            + head + head_tags().encode() + f"<script>{preload}</script>".encode()
            + f"<script>{page_cues}</script>".encode() + html[head_end:])


def version(html: bytes) -> str:
    """A name for this FieldKit and this Streamlit's page: it changes when either does."""
    return hashlib.sha256(__version__.encode() + b"\0" + html).hexdigest()[:16]


# What the page may load, and from where: this server only. Streamlit's
# client needs inline styles (its components style themselves at run time)
# and data:/blob: images, fonts and media (charts, uploads it previews,
# audio it records, read back from a blob); no other host is ever named.
# Kept short: every answer carries it, and on a venue's Wi-Fi a hundred
# answers' headers are seconds.
_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "media-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'", "blob:"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}


def content_security_policy(script_hashes: list[str] = ()) -> str:
    """The Content-Security-Policy header, allowing the given inline scripts too."""
    policy = dict(_CSP, **{"script-src": [*_CSP["script-src"], *script_hashes]})
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


# Sent on answers that came over HTTPS: a year, for this host only (a LAN
# address behind Caddy's own authority is not a whole domain's to claim).
STRICT_TRANSPORT = "max-age=31536000"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    # The camera (card photos, codes) and the microphone (voice memos) for
    # this server's own pages only.
    "permissions-policy": "camera=(self), microphone=(self), geolocation=()",
}

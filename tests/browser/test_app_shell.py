"""FieldKit as an installed app on a phone: manifest, service worker, its own cache, its headers.

Served on 127.0.0.1, which browsers treat as a secure origin, so the
service worker registers as it would over HTTPS (test_https.py runs the
same behind Caddy).
"""

import io
import json

from PIL import Image

from fieldkit import db, sample
from fieldkit.ui import nav
from fieldkit.web import booth_page, shell

from .helpers import (
    CONNECTED,
    assert_no_errors,
    assert_no_horizontal_overflow,
    open_page,
    wait_controlled,
)

CONTROLLED = "() => navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL"


def _load(page, url):
    open_page(page, url)
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")


def test_manifest_is_valid_and_its_icons_load(server, phone_page):
    open_page(phone_page, f"{server.url}/capture")
    href = phone_page.get_attribute("link[rel=manifest]", "href")
    assert href == shell.MANIFEST_PATH
    manifest = phone_page.request.get(server.url + href)
    assert manifest.ok and manifest.headers["content-type"] == "application/manifest+json"
    data = json.loads(manifest.body())
    assert {k: data[k] for k in ("name", "short_name", "start_url", "display", "scope")} == {
        "name": "FieldKit", "short_name": "FieldKit", "start_url": "/",
        "display": "standalone", "scope": "/"}
    assert {icon["purpose"] for icon in data["icons"]} == {"any", "maskable"}
    for icon in data["icons"]:
        answer = phone_page.request.get(server.url + icon["src"])
        image = Image.open(io.BytesIO(answer.body()))
        assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"
    touch = phone_page.get_attribute("link[rel=apple-touch-icon]", "href")
    assert phone_page.request.get(server.url + touch).ok
    assert phone_page.get_attribute("meta[name=theme-color]", "content") == shell.THEME_COLOUR


def test_service_worker_controls_the_page_and_the_second_visit_fetches_no_static_file(
        server, phone_context):
    first = phone_context.new_page()
    _load(first, f"{server.url}/capture")
    # clients.claim(): the page that installed the worker is controlled at once.
    wait_controlled(first)
    assert first.evaluate(CONTROLLED) == f"{server.url}/sw.js"
    first.close()

    second = phone_context.new_page()
    open_page(second, f"{server.url}/capture")
    second.get_by_label("Name").wait_for()
    # How each static file came: transferSize 0 is from a cache on the phone (the
    # worker's, or the browser's for a file the shell does not keep), never the server.
    static = second.evaluate("""() => performance.getEntriesByType("resource")
        .filter((e) => new URL(e.name).pathname.startsWith("/static/"))
        .map((e) => [new URL(e.name).pathname, e.transferSize, e.deliveryType])""")
    assert [path for path, size, _ in static if size] == []
    kept = [path for path, _, how in static if how == "cache-storage"]
    assert len(kept) > 20  # the shell's scripts and styles, from the worker's cache
    assert set(shell.widget_entries()) <= set(kept)  # and the widgets' code, preloaded
    assert second.evaluate(CONTROLLED) == f"{server.url}/sw.js"


def test_nothing_personal_goes_into_the_cache(server, phone_context):
    page = phone_context.new_page()
    _load(page, f"{server.url}/people")
    wait_controlled(page)
    kept = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys())
            for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
        return urls;
    }""")
    paths = [url.removeprefix(server.url) for url in kept]
    assert "/" in paths
    # The shell, and the booth's own files (the same for everyone): nothing else.
    assert set(booth_page.OFFLINE) <= set(paths)
    assert all(p == "/" or p.startswith("/static/") or p in booth_page.OFFLINE
               for p in paths), paths


# Each Material icon on screen: its name, drawn width and font size, once fonts have loaded.
# The width is the text's own (a range), not the box's, which Streamlit fixes.
_ICON_WIDTHS = """async () => { await document.fonts.ready;
  return [...document.querySelectorAll('span')].filter(e => !e.children.length
      && getComputedStyle(e).fontFamily.includes('Material Symbols')).map(e => {
    const text = document.createRange(); text.selectNodeContents(e);
    return [e.textContent, text.getBoundingClientRect().width,
            parseFloat(getComputedStyle(e).fontSize)]; }); }"""


def test_every_page_has_the_security_headers_and_breaks_no_rule_of_its_csp(
        server, phone_page):
    with db.connect(server.db_path) as conn:
        sample.fill(conn)  # checked in at an event: pages show more icons
    answers = []
    phone_page.on("response", lambda r: answers.append(r) if r.request.resource_type == "document"
                  else None)
    icons_seen = 0
    for spec in nav.PAGES:
        open_page(phone_page, f"{server.url}/{spec.url_path}")
        phone_page.wait_for_selector(CONNECTED)
        assert_no_errors(phone_page)  # a CSP violation is a console error
        assert_no_horizontal_overflow(phone_page)
        icons = phone_page.evaluate(_ICON_WIDTHS)
        # An icon missing from the (cut) icon font shows its name in letters.
        assert all(width <= 1.5 * size for _, width, size in icons), (spec.url_path, icons)
        icons_seen += len(icons)
    assert icons_seen >= len(nav.PAGES)
    assert len(answers) >= len(nav.PAGES)
    for answer in answers:
        headers = answer.all_headers()
        for name, value in shell.SECURITY_HEADERS.items():
            assert headers[name] == value
        policy = headers["content-security-policy"]
        assert policy.startswith("default-src 'self'; script-src 'self' 'sha256-")
        assert "frame-ancestors 'self'" in policy

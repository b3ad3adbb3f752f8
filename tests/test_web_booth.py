"""fieldkit/web/booth_page: the booth's page and scripts served, kept by the worker, on every page.

The routes are tested with Starlette's TestClient around FieldKit's own
routes and middleware (no Streamlit server): what a browser gets for each
file, and what the service worker is told to keep. The page's behaviour
(offline, the outbox, sync) is tested in tests/browser/test_booth_offline.py.
"""

import gzip
import json
import re
from pathlib import Path

import brotli
import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit import file_util

from fieldkit.web import booth_page, browser, icons, routes, shell

PAGE_FILE = Path(file_util.get_static_dir()) / "index.html"
STATIC = Path(booth_page.__file__).with_name("static")


def client() -> TestClient:
    async def streamlit_page(request):
        return Response(PAGE_FILE.read_bytes(), media_type="text/html")

    app = Starlette(routes=[*routes.routes(PAGE_FILE), Route("/{page:path}", streamlit_page)],
                    middleware=routes.middleware())
    return TestClient(app, base_url="http://localhost")


@pytest.mark.parametrize("path, name, media_type", [
    ("/booth", "booth.html", "text/html"),
    ("/booth.css", "booth.css", "text/css"),
    ("/booth.js", "booth.js", "text/javascript"),
    ("/outbox.js", "outbox.js", "text/javascript"),
    ("/connection.js", "connection.js", "text/javascript"),
])
def test_each_file_is_served_with_the_contract_filled_in_and_its_type(path, name, media_type):
    answer = client().get(path, headers={"accept-encoding": "identity"})
    assert answer.status_code == 200
    assert answer.content == browser.served(name).encode()
    assert b"__FIELDKIT__" not in answer.content and b"__THEME_COLOUR__" not in answer.content
    assert answer.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert answer.headers["cache-control"] == "no-cache"
    assert "content-encoding" not in answer.headers
    # Not Streamlit's page: no head tags added, the strict policy of every answer.
    assert "x-fieldkit-shell" not in answer.headers
    policy = answer.headers["content-security-policy"]
    assert policy.startswith("default-src 'self'; script-src 'self'; ")
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress),
                                              ("gzip", gzip.decompress)])
def test_a_file_is_compressed_when_the_browser_accepts_it(encoding, decode):
    with client().stream("GET", "/booth.js", headers={"accept-encoding": encoding}) as answer:
        raw = b"".join(answer.iter_raw())
    assert answer.headers["content-encoding"] == encoding
    assert answer.headers["vary"] == "Accept-Encoding"
    original = browser.served("booth.js").encode()
    assert decode(raw) == original and len(raw) < len(original) / 2


def test_a_revalidation_with_the_same_etag_is_answered_not_modified():
    web = client()
    first = web.get("/booth", headers={"accept-encoding": "br"})
    again = web.get("/booth", headers={"accept-encoding": "br",
                                       "if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = web.get("/booth", headers={"accept-encoding": "gzip",
                                       "if-none-match": first.headers["etag"]})
    assert other.status_code == 200  # another encoding is another answer


def test_the_booth_page_loads_only_its_own_files_and_nothing_inline():
    html = (STATIC / "booth.html").read_text()
    assert shell.inline_script_hashes(html.encode()) == []  # the policy allows no inline script
    assert re.search(r"<[^>]*\son[a-z]+=", html) is None  # no inline handler either
    for path in ("/booth.css", "/booth.js", "/outbox.js", "/manifest.webmanifest",
                 "/sw-register.js"):
        assert f'"{path}"' in html
    # The form a thumb needs: the name first and required, a photo from the camera.
    assert '<input id="name" name="name" type="text"' in html and "required autofocus" in html
    assert 'type="file" accept="image/*" capture="environment"' in html


def test_the_page_and_its_scripts_stay_small():
    sizes = {name: len((STATIC / name).read_bytes())
             for name in ("booth.html", "booth.css", "booth.js", "outbox.js")}
    assert sum(sizes.values()) <= 60 * 1024, sizes


def test_streamlit_pages_load_the_connection_script_deferred():
    answer = client().get("/capture", headers={"accept-encoding": "identity"})
    assert answer.content.count(b'<script src="/connection.js" defer></script>') == 1


def test_the_service_worker_keeps_the_booth_and_imports_the_outbox():
    text = client().get("/sw.js").text
    assert "__OFFLINE__" not in text
    line = next(line for line in text.splitlines() if line.startswith("const OFFLINE = "))
    kept = json.loads(line.removeprefix("const OFFLINE = ").split(";")[0])
    assert kept == list(booth_page.OFFLINE)
    # The booth's page, its style, its scripts and the pages' own script, whatever the
    # lists in booth_page say.
    assert {"/booth", "/booth.css", "/booth.js", "/outbox.js", "/connection.js",
            "/sw-register.js"} <= set(kept)
    assert {"/manifest.webmanifest", "/icons/icon-192.png"} <= set(kept)
    assert not [path for path in kept if path.startswith(("/api/", "/_stcore/", "/media/"))]
    assert "importScripts(FIELDKIT.paths.outbox);" in text
    assert '"outbox":"/outbox.js"' in text
    # Every file the worker keeps is there to be kept.
    web = client()
    assert all(web.get(path).status_code == 200 for path in kept)


def test_the_service_worker_version_changes_with_the_booths_files(monkeypatch):
    before = routes.service_worker.__wrapped__(PAGE_FILE)
    original = browser.served.__wrapped__

    def changed(name):
        text = original(name)
        return text + "\n// changed" if name == "booth.js" else text

    monkeypatch.setattr(booth_page, "served", changed)
    after = routes.service_worker.__wrapped__(PAGE_FILE)

    def version(text):
        return next(line for line in text.splitlines() if line.startswith("const VERSION"))

    assert version(before) != version(after)


def test_the_booth_keeps_offline_the_icons_its_page_links_and_no_other():
    page = (Path(booth_page.__file__).with_name("static") / "booth.html").read_text()
    linked = {path for path in booth_page.OFFLINE if path.startswith("/icons/")}
    assert linked == set(re.findall(r'href="(/icons/[^"]+)"', page))
    assert all(name in icons.ICONS for name in booth_page.BOOTH_ICONS)

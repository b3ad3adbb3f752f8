"""fieldkit/web: static files compressed once, the page made a shell, headers on every answer.

The middleware is tested around a small Starlette app standing in for
Streamlit (a static file, a page, an image, a JSON answer), so each test
can count what reached it.
"""

import io
import threading
import time
import json
from pathlib import Path
from unittest import mock

import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit import file_util

from fieldkit import cues
from fieldkit.ui import warm
from fieldkit.web import compress, icons, routes, shell
from fieldkit.web.middleware import StartUp

SCRIPT = b"console.log('FieldKit');\n" * 400  # 10 KB of JavaScript
PAGE = (b'<!DOCTYPE html><html><head><title>Streamlit</title>'
        b'<link rel="preload" href="./static/media/Sans.woff2" as="font" crossorigin />'
        b'<script>window.prerenderReady = false</script>'
        b'<script type="module" src="./static/js/index.abc123.js"></script>'
        b'<link rel="modulepreload" href="./static/js/react.def456.js">'
        b'<link rel="stylesheet" href="./static/css/index.789.css">'
        b'</head><body><div id="root"></div></body></html>')


def _stand_in(calls: list[str]) -> list[Route]:
    """Streamlit's answers, as far as the middleware can tell; ``calls`` logs each path asked."""

    async def static(request):
        calls.append(request.url.path)
        if request.url.path.endswith(".png"):
            return Response(b"\x89PNG" + b"\0" * 4000, media_type="image/png")
        if request.url.path.endswith("tiny.js"):
            return Response(b"1;", media_type="text/javascript")
        return Response(SCRIPT, media_type="text/javascript",
                        headers={"etag": '"abc"', "cache-control": "public, immutable"})

    async def page(request):
        calls.append(request.url.path)
        return Response(PAGE, media_type="text/html")

    async def other_html(request):
        return Response("<html><body>not the app</body></html>", media_type="text/html")

    async def config(request):
        return JSONResponse({"ok": True})

    async def own_policy(request):
        return Response("form", headers={"referrer-policy": "same-origin"})

    return [Route("/static/{rest:path}", static), Route("/_stcore/host-config", config),
            Route("/other", other_html), Route("/own-policy", own_policy),
            Route("/{page:path}", page)]


def client(calls: list[str], *, with_routes: bool = False) -> TestClient:
    extra = routes.routes(_page_file()) if with_routes else []
    app = Starlette(routes=[*extra, *_stand_in(calls)], middleware=routes.middleware())
    return TestClient(app, base_url="http://localhost")


def _page_file() -> Path:
    """Streamlit's own page, as app.py hands it to the routes."""
    return Path(file_util.get_static_dir()) / "index.html"


# --------------------------------------------------------------- compression


@pytest.mark.parametrize("accept, chosen", [
    ("gzip, deflate, br, zstd", "br"),
    ("gzip", "gzip"),
    ("br;q=0, gzip", "gzip"),
    ("GZIP;q=0.5", "gzip"),
    ("*", "br"),
    ("identity", None),
    ("", None),
    ("br;q=0.0, gzip;q=0", None),
])
def test_chosen_encoding(accept, chosen):
    assert compress.chosen_encoding(accept) == chosen


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_static_file_is_compressed_once_then_served_from_memory(encoding):
    calls: list[str] = []
    web = client(calls)
    for _ in range(3):
        answer = web.get("/static/js/index.abc123.js", headers={"accept-encoding": encoding})
        assert answer.status_code == 200
        assert answer.headers["content-encoding"] == encoding
        assert answer.headers["vary"] == "Accept-Encoding"
        assert answer.headers["cache-control"] == "public, immutable"
        assert answer.headers["etag"] == f'"abc-{encoding}"'
        assert int(answer.headers["content-length"]) < len(SCRIPT) // 20
        assert answer.content == SCRIPT  # the client undoes the encoding
    assert calls == ["/static/js/index.abc123.js"]  # asked for once, for all three


def test_without_an_accepted_encoding_the_file_goes_out_as_it_is():
    calls: list[str] = []
    answer = client(calls).get("/static/js/index.abc123.js",
                               headers={"accept-encoding": "identity"})
    assert "content-encoding" not in answer.headers
    assert answer.content == SCRIPT


def test_a_revalidation_of_the_kept_file_is_answered_not_modified():
    calls: list[str] = []
    web = client(calls)
    web.get("/static/js/index.abc123.js", headers={"accept-encoding": "br"})
    answer = web.get("/static/js/index.abc123.js",
                     headers={"accept-encoding": "br", "if-none-match": '"abc-br"'})
    assert answer.status_code == 304 and answer.content == b""
    assert calls == ["/static/js/index.abc123.js"]


@pytest.mark.parametrize("path", ["/static/media/logo.png", "/static/js/tiny.js"])
def test_images_and_tiny_files_are_not_compressed(path):
    calls: list[str] = []
    answer = client(calls).get(path, headers={"accept-encoding": "br"})
    assert answer.status_code == 200 and "content-encoding" not in answer.headers


def test_other_answers_are_not_touched_by_the_static_compression():
    calls: list[str] = []
    answer = client(calls).get("/_stcore/host-config", headers={"accept-encoding": "br"})
    assert answer.json() == {"ok": True} and "content-encoding" not in answer.headers


# --------------------------------------------------------------- the page


def test_streamlit_page_gets_the_head_tags_its_csp_and_the_shell_mark():
    calls: list[str] = []
    answer = client(calls).get("/capture", headers={"accept-encoding": "identity"})
    html = answer.content
    assert html.count(b'<link rel="manifest" href="/manifest.webmanifest">') == 1
    # The worker's registration and the fonts are inline: no round trip before the page starts.
    assert html.count(b"navigator.serviceWorker.register(FIELDKIT.paths.sw") == 1
    assert b'"sw":"/sw.js"' in html  # the contract, filled in
    assert b'font-family: "Source Sans"' in html and b"</style>" in html
    # FieldKit's phone-first styles too, before the first paint of any page.
    style = html.split(b"<style>")[1].split(b"</style>")[0]
    assert b"min-height: 3rem" in style and b"st-key-queue_card_" in style
    assert b"<title>FieldKit</title>" in html
    assert b"Sans.woff2" not in html  # the theme uses the phone's fonts: no font preload
    assert answer.headers["x-fieldkit-shell"] == "1"
    assert answer.headers["cache-control"] == "no-cache"
    policy = answer.headers["content-security-policy"]
    # The page's inline scripts (Streamlit's, and FieldKit's: the base URL, the early
    # socket, the worker's registration, the widgets' preload, the page's cues) are
    # allowed by their hashes, nothing else inline.
    hashes = shell.inline_script_hashes(html)
    assert len(hashes) == 6 and shell.BASE_URL_SCRIPT.encode() in html
    # The cues' script is handed the names the pages' cues use (fieldkit/cues.py).
    page_cues = next(s for s in html.split(b"<script>") if s.startswith(b"// What FieldKit's"))
    assert json.dumps(shell.cue_names()).encode() in page_cues
    assert cues.script_names().items() <= shell.cue_names().items()
    head = html.split(b"</head>")[0]
    # The socket opens before Streamlit's scripts are even asked for.
    assert head.index(b'"/_stcore/stream"') < head.index(b"/static/js/index.")
    preload = next(s for s in html.split(b"<script>") if s.startswith(b"// On a page the service"))
    assert json.dumps(list(shell.widget_entries())).encode() in preload
    assert f"script-src 'self' {' '.join(hashes)};" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_the_page_is_compressed_once_per_version():
    calls: list[str] = []
    web = client(calls)
    first = web.get("/", headers={"accept-encoding": "br"})
    second = web.get("/people", headers={"accept-encoding": "br"})
    assert first.headers["content-encoding"] == second.headers["content-encoding"] == "br"
    assert int(first.headers["content-length"]) < len(shell.with_head_tags(PAGE))
    assert first.content == second.content
    assert b"/manifest.webmanifest" in first.content


def test_other_html_is_not_rewritten():
    calls: list[str] = []
    answer = client(calls).get("/other")
    assert answer.text == "<html><body>not the app</body></html>"
    assert "x-fieldkit-shell" not in answer.headers


@pytest.mark.parametrize("path", ["/", "/capture", "/static/js/index.abc123.js",
                                  "/_stcore/host-config", "/other", "/manifest.webmanifest",
                                  "/icons/nope.png"])
def test_every_answer_carries_the_security_headers(path):
    calls: list[str] = []
    answer = client(calls, with_routes=True).get(path)
    for name, value in shell.SECURITY_HEADERS.items():
        assert answer.headers[name] == value
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert "http:" not in policy and "https:" not in policy  # no other host, ever


# --------------------------------------------------------------- installable


def test_manifest_names_an_installable_app_and_its_icons_exist():
    web = client([], with_routes=True)
    answer = web.get("/manifest.webmanifest")
    assert answer.headers["content-type"] == "application/manifest+json"
    manifest = answer.json()
    assert (manifest["name"], manifest["short_name"], manifest["start_url"],
            manifest["display"]) == ("FieldKit", "FieldKit", "/", "standalone")
    assert manifest["theme_color"] == icons.TEAL
    purposes = {}
    for icon in manifest["icons"]:
        image = Image.open(io.BytesIO(web.get(icon["src"]).content))
        assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]
        purposes.setdefault(icon["purpose"], []).append(icon["sizes"])
    assert purposes == {"any": ["192x192", "512x512"], "maskable": ["512x512"]}


@pytest.mark.parametrize("name", list(icons.ICONS))
def test_each_icon_is_its_size_and_a_maskable_one_fills_its_square(name):
    size, maskable = icons.ICONS[name]
    image = Image.open(io.BytesIO(icons.png(name))).convert("RGBA")
    assert image.size == (size, size)
    corner = image.getpixel((1, 1))
    assert corner[3] == (255 if maskable else 0)  # a maskable icon has no transparent corner


@pytest.mark.parametrize("path", ["/icons/icon-192.png.bak", "/icons/app.py",
                                  "/icons/%2e%2e", "/icons/" + "x" * 5000])
def test_only_known_icons_are_served(path):
    answer = client([], with_routes=True).get(path)
    assert answer.status_code == 404
    assert answer.text == "No such icon." and answer.headers["content-type"].startswith(
        "text/plain")


@pytest.mark.parametrize("path", ["/icons/../app.py", "/icons/%2e%2e%2fapp.py",
                                  "/icons/..%2fapp.py"])
def test_a_path_that_climbs_out_of_the_icons_is_never_a_file(path):
    # Not an icon's name (a "/" in it, once decoded): Streamlit's page answers, as for any
    # unknown path; app.py itself is never sent.
    answer = client([], with_routes=True).get(path)
    assert answer.status_code == 200 and answer.content.startswith(b"<!DOCTYPE html>")
    assert b"st.App" not in answer.content


def test_service_worker_names_this_version_and_the_pages_static_files():
    web = client([], with_routes=True)
    answer = web.get("/sw.js")
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["cache-control"] == "no-cache"
    text = answer.text
    assert "__VERSION__" not in text and "__SHELL__" not in text
    shell_line = next(line for line in text.splitlines() if line.startswith("const SHELL = "))
    listed = json.loads(shell_line.removeprefix("const SHELL = ").split(";")[0])
    own = shell.static_files(shell.with_head_tags(_page_file().read_bytes()))
    # The page's own files first, then the code of the widgets it preloads from the cache.
    assert listed[:len(own)] == own
    assert set(listed[len(own):]) == set(shell.widget_files()) - set(own)
    assert len(listed) == len(set(listed))
    assert not [path for path in listed if path.endswith(".woff2")]  # no font preloaded: none kept
    assert all(path.startswith("/static/") for path in listed) and listed


def test_widget_files_are_each_widget_and_everything_it_imports(tmp_path):
    (tmp_path / "TextInput.AbCd_-12.js").write_text('import{a}from"./Input.x1234567.js";')
    (tmp_path / "TextInputs.AbCd_-12.js").write_text("")  # another widget's name
    (tmp_path / "Input.x1234567.js").write_text('import"./index.9ABCdef0.js";import{b}from "./Input.x1234567.js"')
    (tmp_path / "index.9ABCdef0.js").write_text('const c = import("./Lazy.00000000.js")')
    (tmp_path / "Lazy.00000000.js").write_text("")
    widgets = ("TextInput",)
    with mock.patch.object(shell, "WIDGETS", widgets):
        assert shell.widget_entries.__wrapped__(tmp_path) == ("/static/js/TextInput.AbCd_-12.js",)
        # Static imports, followed to the end once each; a dynamic import() is not followed.
        assert set(shell.widget_files.__wrapped__(tmp_path)) == {
            "/static/js/TextInput.AbCd_-12.js", "/static/js/Input.x1234567.js",
            "/static/js/index.9ABCdef0.js"}


def test_a_widget_streamlit_no_longer_has_is_said_by_name(tmp_path):
    with mock.patch.object(shell, "WIDGETS", ("Gone",)), \
            pytest.raises(LookupError, match="Streamlit's code for Gone: none"):
        shell.widget_entries.__wrapped__(tmp_path)


def test_every_widget_fieldkit_preloads_is_in_this_streamlit():
    entries = shell.widget_entries()
    assert [e.split("/")[-1].split(".")[0] for e in entries] == list(shell.WIDGETS)
    assert all((shell.STREAMLIT_JS / f.split("/")[-1]).is_file() for f in shell.widget_files())


def test_the_charts_code_fetched_once_a_page_is_idle_is_in_this_streamlit():
    (entry,) = shell.widget_entries(widgets=shell.CHARTS)
    assert (shell.STREAMLIT_JS / entry.split("/")[-1]).is_file()
    assert shell.cue_names()["later"] == (entry,)


def test_service_worker_version_changes_with_the_page():
    assert shell.version(PAGE) != shell.version(PAGE.replace(b"abc123", b"abc124"))


def test_a_tab_whose_connection_dropped_is_kept_for_a_working_day():
    # A phone in a pocket drops its websocket for minutes; Streamlit's default
    # (2 minutes) would start it over with an empty form.
    import tomllib

    settings = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml")
                             .read_text(encoding="utf-8"))
    assert settings["server"]["disconnectedSessionTTL"] == 12 * 3600


def test_an_answer_that_sets_its_own_policy_keeps_it_and_gets_the_rest():
    answer = client([]).get("/own-policy")
    assert answer.headers["referrer-policy"] == "same-origin"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-security-policy"].startswith("default-src 'self';")


def test_the_pages_own_files_are_compressed_at_start_up_before_anyone_asks():
    calls: list[str] = []
    app = Starlette(routes=_stand_in(calls), middleware=[
        Middleware(compress.StaticCompression, warm=["/static/js/index.abc123.js"])])
    with TestClient(app, base_url="http://localhost") as web:  # runs the lifespan: the server has started
        for _ in range(100):
            if calls:
                break
            time.sleep(0.02)
        assert calls == ["/static/js/index.abc123.js"]  # compressed by the warm-up
        answer = web.get("/static/js/index.abc123.js", headers={"accept-encoding": "br"})
        assert answer.headers["content-encoding"] == "br" and answer.content == SCRIPT
        assert calls == ["/static/js/index.abc123.js"]  # served from memory


def test_a_warm_up_that_finds_nothing_leaves_the_file_to_its_first_request():
    calls: list[str] = []
    app = Starlette(routes=_stand_in(calls), middleware=[
        Middleware(compress.StaticCompression, warm=["/static/media/logo.png"])])
    with TestClient(app, base_url="http://localhost") as web:
        for _ in range(100):
            if calls:
                break
            time.sleep(0.02)
        answer = web.get("/static/media/logo.png", headers={"accept-encoding": "br"})
        assert answer.status_code == 200 and "content-encoding" not in answer.headers


def test_the_pages_imports_are_loaded_as_the_server_starts_before_it_answers():
    ran = []

    def slow_task():
        time.sleep(0.3)
        ran.append(threading.current_thread())
    app = StartUp(Starlette(routes=[Route("/", lambda r: Response(str(len(ran))))]),
                  tasks=[slow_task])
    with TestClient(app) as web:  # the server has started: the task is done
        assert ran and web.get("/").text == "1"
    assert len(ran) == 1 and ran[0] is not threading.main_thread()  # in a worker thread
    assert {"fieldkit.ui.capture_actions", "fieldkit.cards", "pandas"} <= set(warm.page_imports())


def test_the_warm_up_maps_every_loaded_module_to_its_file_as_a_first_element_would(
        monkeypatch):
    import inspect
    monkeypatch.setattr(inspect, "_filesbymodname", {})
    monkeypatch.setattr(inspect, "modulesbyfile", {})
    warm.warm_up()
    mapped = set(inspect._filesbymodname)
    assert {"pandas", "altair", "fieldkit.cards", "fieldkit.ui.capture_actions"} <= mapped

"""The doors around the sign-in gate, at the HTTP level: hosts, client addresses, uploads, media,
metrics, the websocket's messages, HSTS, unknown static files, and the Streamlit internals they use.

Each door is tested through the middleware around a small app standing in for Streamlit, which
records what reached it; tests/test_server_doors.py tries the same doors on a real server.
"""

import json
from types import SimpleNamespace

import pytest
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.web.server.starlette import starlette_app_utils, starlette_websocket

from fieldkit import access, config, contract, db as fdb
from fieldkit.web import compress, doors, requests, routes, streamlit_account, uploads
from fieldkit.web.site import Site
from tests.factory import locked_file

PASSWORD = "correct horse battery"
STREAM_URL = "ws://127.0.0.1:8501" + doors.STREAM_PATH


def conn(headers=(), client=("203.0.113.5", 4000), server=("192.168.1.20", 8501),
         scheme="http") -> HTTPConnection:
    return HTTPConnection({
        "type": "http", "method": "GET", "path": "/", "scheme": scheme, "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
        "client": client, "server": server})


# --------------------------------------------------------------- host names


@pytest.mark.parametrize(("host", "name"), [
    ("localhost:8501", "localhost"),
    ("LOCALHOST", "localhost"),
    ("127.0.0.1:8501", "127.0.0.1"),
    ("[::1]:8501", "::1"),
    ("[::1]", "::1"),
    ("fieldkit.example.org.", "fieldkit.example.org"),
    ("192.168.001.020", None),  # not an address Python reads: not a name either
    ("", None),
    ("evil.example:80@127.0.0.1", None),
    ("a b", None),
    ("x/y", None),
    ("[::1]:port", None),
    ("host:port", None),
    ("[nonsense]", None),
])
def test_host_name_is_read_from_the_host_header(host, name):
    found = requests.host_name(conn([("host", host)]))
    if host == "192.168.001.020":
        assert found != "192.168.1.20"  # never taken for the server's own address
    else:
        assert found == name


@pytest.mark.parametrize(("host", "allowed"), [
    ("localhost:8501", True),
    ("phone.localhost", True),
    ("127.0.0.1:8501", True),
    ("127.0.0.2", True),
    ("[::1]:8501", True),
    ("192.168.1.20:8501", True),  # the address the request arrived on
    ("fieldkit.example.org", True),  # configured
    ("FieldKit.Example.org.", True),
    ("192.168.1.21", False),  # another machine's address
    ("evil.example", False),  # DNS rebinding: another site's name pointing here
    ("127.0.0.1.evil.example", False),
    ("localhost.evil.example", False),
    ("", False),
])
def test_host_allowed_only_for_this_servers_names(host, allowed):
    assert requests.host_allowed(conn([("host", host)]), {"fieldkit.example.org"}) is allowed


# ------------------------------------------------------------ client address


@pytest.mark.parametrize(("peer", "forwarded", "proxies", "client"), [
    ("203.0.113.5", [], (), "203.0.113.5"),
    # Anyone may write the header: from a peer that is not a proxy it is not believed.
    ("203.0.113.5", ["198.51.100.1"], (), "203.0.113.5"),
    # From a proxy on this machine: the last address the proxies did not add themselves.
    ("127.0.0.1", ["198.51.100.1"], (), "198.51.100.1"),
    ("127.0.0.1", ["6.6.6.6, 198.51.100.1"], (), "198.51.100.1"),  # the client's own entry left
    ("127.0.0.1", ["6.6.6.6", "198.51.100.1, 127.0.0.1"], (), "198.51.100.1"),
    ("10.0.0.5", ["198.51.100.1, 10.0.0.6"], ("10.0.0.0/24",), "198.51.100.1"),
    ("10.0.0.5", ["198.51.100.1"], ("10.1.0.0/16",), "10.0.0.5"),  # not a configured proxy
    ("127.0.0.1", ["not-an-address"], (), "127.0.0.1"),
    ("127.0.0.1", ["198.51.100.1, garbage"], (), "127.0.0.1"),  # unreadable: stop believing
    ("127.0.0.1", ["[2001:db8::1]"], (), "2001:db8::1"),
    ("::1", ["2001:DB8:0:0::1"], (), "2001:db8::1"),
    ("127.0.0.1", [], (), "127.0.0.1"),
])
def test_client_address_believes_forwarding_only_from_its_proxies(peer, forwarded, proxies,
                                                                  client):
    networks = config.trusted_proxies({config.PROXIES_ENV: ",".join(proxies)})
    request = conn([("x-forwarded-for", value) for value in forwarded], client=(peer, 1))
    assert requests.client_address(request, networks) == client


def test_trusted_proxies_and_hosts_refuse_what_they_cannot_read():
    with pytest.raises(config.SettingError, match="FIELDKIT_PROXIES"):
        config.trusted_proxies({config.PROXIES_ENV: "10.0.0.0/33"})
    with pytest.raises(config.SettingError, match="FIELDKIT_HOSTS"):
        config.allowed_hosts({config.HOSTS_ENV: "evil.example/x"})
    assert config.allowed_hosts({config.HOSTS_ENV: " A.example , [::1] 192.168.1.20"}) == {
        "a.example", "::1", "192.168.1.20"}


# ------------------------------------------------------------- the doors


@pytest.fixture
def locked(tmp_path):
    """A database with a password set, and a device's token signed in with it."""
    path = tmp_path / "fieldkit.db"
    return SimpleNamespace(path=path, token=locked_file(path, PASSWORD))


def stand_in(reached: list) -> list:
    """Streamlit's doors, as far as the middleware can tell; ``reached`` logs what got through."""

    async def upload(request):
        reached.append(("upload", request.method, len(await request.body())))
        return Response(status_code=204)

    async def media(request):
        reached.append(("media", request.url.path))
        return Response(b"\xff\xd8photo", media_type="image/jpeg")

    async def metrics(request):
        reached.append(("metrics",))
        return PlainTextResponse("cache_memory_bytes 42")

    async def page(request):
        reached.append(("page", request.url.path))
        return PlainTextResponse("the app")

    async def stream(websocket):
        await websocket.accept(subprotocol="streamlit")
        hello = ForwardMsg()
        hello.new_session.main_script_path = "/srv/fieldkit/frame.py"
        hello.new_session.initialize.environment_info.streamlit_version = "1.67.0"
        hello.new_session.initialize.environment_info.python_version = "3.11.7"
        hello.new_session.initialize.user_info.installation_id = "install-id"
        hello.new_session.initialize.session_id = "session-1"
        await websocket.send_bytes(hello.SerializeToString())
        while True:
            try:
                data = await websocket.receive_bytes()
            except WebSocketDisconnect:
                return
            message = BackMsg()
            message.ParseFromString(data)
            reached.append(("back", message.WhichOneof("type")))
            await websocket.send_text(json.dumps(reached[-1]))

    return [Route(doors.UPLOAD_PREFIX + "{session}/{file}", upload, methods=["PUT", "DELETE"]),
            Route("/media/{name}", media), Route(doors.METRICS_PATH, metrics),
            WebSocketRoute(doors.STREAM_PATH, stream), Route("/{path:path}", page)]


def doors_client(path, reached, *, environ=None, provider=None, **options) -> TestClient:
    site = Site({config.DB_ENV: str(path), **(environ or {})},
                provider=provider or (lambda: None))
    app = Starlette(routes=stand_in(reached), middleware=routes.middleware(site=site))
    return TestClient(app, base_url=options.pop("base_url", "http://127.0.0.1:8501"), **options)


@pytest.mark.parametrize("path", ["/", "/api/booth", "/_stcore/health", "/media/x.jpg",
                                  "/static/js/index.js"])
def test_another_host_name_gets_421_and_nothing_reaches_the_app(tmp_path, path):
    reached = []
    web = doors_client(tmp_path / "open.db", reached)  # no password: the rebinding case
    answer = web.get(path, headers={"host": "evil.example", "origin": "http://evil.example"})
    assert answer.status_code == 421 and "host name" in answer.text
    assert reached == []


def test_another_host_name_cannot_open_the_websocket(tmp_path):
    reached = []
    web = doors_client(tmp_path / "open.db", reached)
    with pytest.raises(WebSocketDisconnect) as closed:
        with web.websocket_connect(doors.STREAM_PATH, headers={"host": "evil.example"}):
            pass
    assert closed.value.code == 1008 and reached == []


def test_a_configured_host_name_is_served(tmp_path):
    reached = []
    web = doors_client(tmp_path / "open.db", reached,
                       environ={config.HOSTS_ENV: "fieldkit.example.org"})
    assert web.get("/", headers={"host": "fieldkit.example.org"}).text == "the app"


def test_an_unreadable_hosts_setting_serves_nothing_and_says_why(tmp_path):
    reached = []
    web = doors_client(tmp_path / "open.db", reached, environ={config.HOSTS_ENV: "a/b"})
    answer = web.get("/")
    assert answer.status_code == 500 and "FIELDKIT_HOSTS" in answer.text and reached == []


def test_an_upload_without_a_device_is_refused_before_its_body_is_read(locked):
    reached = []
    web = doors_client(locked.path, reached)
    read = []

    def body():
        read.append(1)
        yield b"x" * 1024

    answer = web.put(doors.UPLOAD_PREFIX + "session-1/file-1", content=body(),
                     headers={"content-type": "multipart/form-data; boundary=x"})
    assert answer.status_code == 401
    assert reached == [] and read == []
    assert web.delete(doors.UPLOAD_PREFIX + "session-1/file-1").status_code == 401


def test_an_upload_from_a_signed_in_device_goes_through(locked):
    reached = []
    web = doors_client(locked.path, reached, cookies={contract.DEVICE_COOKIE: locked.token})
    assert web.put(doors.UPLOAD_PREFIX + "session-1/file-1", content=b"x" * 100).status_code == 204
    assert reached == [("upload", "PUT", 100)]
    with fdb.connect(locked.path) as conn_:
        access.sign_out_everywhere(conn_)
    assert web.put(doors.UPLOAD_PREFIX + "session-1/file-2", content=b"x").status_code == 401


@pytest.mark.parametrize(("tab", "total", "size", "status"), [
    (0, 0, 100, 204),
    (uploads.PER_TAB_BYTES - 100, uploads.PER_TAB_BYTES - 100, 100, 204),  # exactly full
    (uploads.PER_TAB_BYTES - 100, uploads.PER_TAB_BYTES - 100, 101, 413),
    (0, uploads.TOTAL_BYTES - 50, 100, 503),
])
def test_uploads_are_capped_per_tab_and_in_total(locked, monkeypatch, tab, total, size, status):
    monkeypatch.setattr(uploads, "held", lambda session_id: (tab, total))
    reached = []
    web = doors_client(locked.path, reached, cookies={contract.DEVICE_COOKIE: locked.token})
    answer = web.put(doors.UPLOAD_PREFIX + "session-1/file-1", content=b"x" * size)
    assert answer.status_code == status
    assert reached == ([("upload", "PUT", size)] if status == 204 else [])


def test_an_upload_without_a_length_counts_as_streamlits_largest(locked, monkeypatch):
    # Room for 10 MB more: a length that is not declared may be all of the 25 MB allowed.
    monkeypatch.setattr(uploads, "held",
                        lambda session_id: (uploads.PER_TAB_BYTES - 10 * uploads.MiB, 0))
    reached = []
    web = doors_client(locked.path, reached, cookies={contract.DEVICE_COOKIE: locked.token})
    answer = web.put(doors.UPLOAD_PREFIX + "session-1/file-1", content=iter([b"x"]))
    assert answer.status_code == 413 and reached == []


@pytest.mark.parametrize("path", ["/media/0123abcd.jpg", doors.METRICS_PATH])
def test_media_and_metrics_need_a_signed_in_device(locked, path):
    reached = []
    web = doors_client(locked.path, reached)
    assert web.get(path).status_code == 401 and reached == []
    web.cookies.set(contract.DEVICE_COOKIE, locked.token)
    assert web.get(path).status_code == 200 and len(reached) == 1
    with fdb.connect(locked.path) as conn_:
        access.sign_out_everywhere(conn_)
    assert web.get(path).status_code == 401 and len(reached) == 1


def test_without_a_password_media_are_served_as_the_pages_are(tmp_path):
    reached = []
    assert doors_client(tmp_path / "open.db", reached).get("/media/a.jpg").status_code == 200


def _back(kind: str) -> bytes:
    message = BackMsg()
    if kind == "clear_cache":
        message.clear_cache = True
    else:
        message.rerun_script.query_string = ""
    return message.SerializeToString()


def _first(websocket) -> ForwardMsg:
    message = ForwardMsg()
    message.ParseFromString(websocket.receive_bytes())
    return message


def test_a_browser_not_signed_in_cannot_clear_the_caches_nor_learn_the_servers_details(locked):
    reached = []
    web = doors_client(locked.path, reached)
    with web.websocket_connect(STREAM_URL, subprotocols=["streamlit"]) as websocket:
        hello = _first(websocket)
        assert hello.new_session.main_script_path == ""
        assert hello.new_session.initialize.environment_info.streamlit_version == ""
        assert hello.new_session.initialize.environment_info.python_version == ""
        assert hello.new_session.initialize.user_info.installation_id == ""
        # Still there, empty: Streamlit's page fails on a hello without them.
        assert hello.new_session.initialize.HasField("environment_info")
        assert hello.new_session.initialize.HasField("user_info")
        assert hello.new_session.initialize.session_id == "session-1"  # what the page needs
        websocket.send_bytes(_back("clear_cache"))
        websocket.send_bytes(_back("rerun_script"))
        assert json.loads(websocket.receive_text()) == ["back", "rerun_script"]
    assert reached == [("back", "rerun_script")]


def test_a_signed_in_browser_clears_the_caches_and_gets_the_whole_hello(locked):
    reached = []
    web = doors_client(locked.path, reached, cookies={contract.DEVICE_COOKIE: locked.token})
    with web.websocket_connect(STREAM_URL, subprotocols=["streamlit"]) as websocket:
        hello = _first(websocket)
        assert hello.new_session.main_script_path == "/srv/fieldkit/frame.py"
        assert hello.new_session.initialize.environment_info.streamlit_version == "1.67.0"
        websocket.send_bytes(_back("clear_cache"))
        assert json.loads(websocket.receive_text()) == ["back", "clear_cache"]


def test_a_device_signed_out_while_connected_can_no_longer_clear_the_caches(locked):
    reached = []
    web = doors_client(locked.path, reached, cookies={contract.DEVICE_COOKIE: locked.token})
    with web.websocket_connect(STREAM_URL, subprotocols=["streamlit"]) as websocket:
        _first(websocket)
        with fdb.connect(locked.path) as conn_:
            access.sign_out_everywhere(conn_)
        websocket.send_bytes(_back("clear_cache"))
        websocket.send_bytes(_back("rerun_script"))
        assert json.loads(websocket.receive_text()) == ["back", "rerun_script"]


def test_garbage_on_the_websocket_is_passed_to_streamlit_to_refuse():
    assert doors.asks_to_clear_caches(b"\xff\xff\xff") is False
    assert doors.without_server_details(b"\xff\xff\xff") == b"\xff\xff\xff"


# ------------------------------------------------------------- HSTS


@pytest.mark.parametrize(("base_url", "client", "headers", "sent"), [
    ("https://localhost", ("203.0.113.5", 1), {}, True),
    ("http://localhost", ("203.0.113.5", 1), {}, False),
    ("http://localhost", ("127.0.0.1", 1), {"x-forwarded-proto": "https"}, True),  # Caddy
    ("http://localhost", ("203.0.113.5", 1), {"x-forwarded-proto": "https"}, False),
])
def test_hsts_only_on_answers_that_went_over_https(tmp_path, base_url, client, headers, sent):
    web = doors_client(tmp_path / "open.db", [], base_url=base_url, client=client)
    answer = web.get("/", headers=headers)
    assert answer.status_code == 200
    assert answer.headers.get("strict-transport-security") == (
        "max-age=31536000" if sent else None)


# ------------------------------------------------------------- unknown static files


def test_unknown_static_paths_are_a_plain_404_and_nothing_is_kept(tmp_path):
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "static" / "js" / "index.abc.js").write_text("console.log(1);" * 200)
    served = []

    async def static(request):
        served.append(request.url.path)
        return Response(b"console.log(1);" * 200, media_type="text/javascript")

    compression = compress.StaticCompression(Starlette(routes=[Route("/static/{p:path}", static)]),
                                             root=tmp_path)
    web = TestClient(compression)
    for n in range(2000):
        answer = web.get(f"/static/js/unknown{n}.js", headers={"accept-encoding": "br"})
        assert answer.status_code == 404 and answer.text == "Not found\n"
    for path in ("/static/../secret", "/static/js/../../secret", "/static/media/"
                 "MaterialSymbols-Rounded.x.woff2"):
        assert web.get(path).status_code == 404
    assert served == [] and compression._kept == {}
    assert web.get("/static/js/index.abc.js", headers={"accept-encoding": "br"}).headers[
        "content-encoding"] == "br"


# ------------------------------------------------------------- Streamlit's internals


def test_streamlits_upload_manager_is_as_fieldkit_reads_and_frees_it():
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    manager.add_file("tab", UploadedFileRec("f1", "card.jpg", "image/jpeg", b"x" * 10))
    with manager._lock:
        assert manager._total_bytes == 10
        assert list(manager.file_storage) == ["tab"]
    manager.remove_session_files("tab")
    assert manager._total_bytes == 0 and "tab" not in manager.file_storage


def test_gone_tabs_are_freed_after_the_grace_and_a_tab_back_in_time_keeps_its_files(monkeypatch):
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    for tab in ("here", "gone", "back"):
        manager.add_file(tab, UploadedFileRec("f", "card.jpg", "image/jpeg", b"x" * 10))
    connected = {"here"}
    monkeypatch.setattr(uploads, "_manager", lambda: manager)
    monkeypatch.setattr(uploads, "is_connected", lambda tab: tab in connected)
    now = [0.0]
    gone = uploads.GoneTabs(grace=600, clock=lambda: now[0])
    assert gone.sweep() == []  # "gone" and "back" seen gone from now
    now[0] = 300
    connected.add("back")  # reconnected within the grace
    assert gone.sweep() == []
    connected.discard("back")
    now[0] = 600
    assert gone.sweep() == ["gone"]
    assert set(manager.file_storage) == {"here", "back"}
    now[0] = 899
    assert gone.sweep() == []  # "back" has been gone only since 600
    now[0] = 1200
    assert gone.sweep() == ["back"]
    assert set(manager.file_storage) == {"here"}


def test_the_provider_account_is_read_from_streamlits_signed_cookie(monkeypatch):
    secret = "a long random string"
    monkeypatch.setattr(starlette_websocket, "get_cookie_secret", lambda: secret)
    origin = "https://fieldkit.example.org"

    def cookie(payload, signed_with=secret):
        value = starlette_app_utils.create_signed_value(
            signed_with, streamlit_account.AUTH_COOKIE_NAME, json.dumps(payload))
        return conn([("cookie", f"{streamlit_account.AUTH_COOKIE_NAME}={value.decode()}")])

    me = {"email": "me@example.org", "is_logged_in": True, "origin": origin}
    assert streamlit_account.email(cookie(me), origin) == "me@example.org"
    assert streamlit_account.email(cookie(me), "https://evil.example") is None
    assert streamlit_account.email(cookie(me, signed_with="another secret"), origin) is None
    assert streamlit_account.email(cookie({**me, "is_logged_in": False}), origin) is None
    assert streamlit_account.email(conn(), origin) is None


def test_with_a_provider_only_an_allowed_account_uploads(tmp_path, monkeypatch):
    monkeypatch.setattr(streamlit_account, "email",
                        lambda connection, origin: connection.headers.get("x-test-account"))
    reached = []
    web = doors_client(tmp_path / "open.db", reached, provider=lambda: ("me@example.org",))
    path = doors.UPLOAD_PREFIX + "session-1/file-1"
    assert web.put(path, content=b"x").status_code == 401
    assert web.put(path, content=b"x", headers={"x-test-account": "you@example.net"}
                   ).status_code == 401
    assert web.put(path, content=b"x", headers={"x-test-account": "me@example.org"}
                   ).status_code == 204

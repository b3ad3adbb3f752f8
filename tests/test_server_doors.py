"""The doors around the sign-in gate, tried as an attacker on the same Wi-Fi tries them: a real
`streamlit run app.py`, plain HTTP clients from two loopback addresses, and a real websocket.

Linux answers all of 127.0.0.0/8 on loopback, so 127.0.0.2 is another client on the same
network: the guesser, while the owner signs in from 127.0.0.1.
"""

import http.client
import re
import socket
import sqlite3
import time
import urllib.request
import uuid
from contextlib import closing
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from fieldkit import access, clock, contract, db as fdb
from fieldkit.web import doors, uploads
from tests.browser.launcher import Server
from tests.factory import locked_file

PASSWORD = "correct horse battery"
GUESSER = "127.0.0.2"
OWNER = "127.0.0.1"


def start(path, tmp_path, name="server") -> Server:
    server = Server(path, tmp_path / f"{name}.log")
    try:
        server.wait_healthy()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture
def locked(tmp_path):
    """A server with a password, and a device signed in with it (its token)."""
    path = tmp_path / "fieldkit.db"
    token = locked_file(path, PASSWORD)
    server = start(path, tmp_path)
    yield SimpleNamespace(server=server, path=path, token=token, tmp_path=tmp_path)
    server.stop()


def request(server, method, path, *, source=OWNER, headers=None, body=None):
    """(status, headers, body) of one request from ``source``; the Host is the server's own."""
    with closing(http.client.HTTPConnection("127.0.0.1", server.port, timeout=20,
                                            source_address=(source, 0))) as conn:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()


def sign_in(server, password, source):
    status, headers, _ = request(
        server, "POST", contract.SIGN_IN_PATH, source=source,
        body=urlencode({"next": "/", "password": password}),
        headers={"content-type": "application/x-www-form-urlencoded", "origin": server.url})
    return status, headers


def xsrf_cookie(server) -> str:
    with urllib.request.urlopen(server.url + "/_stcore/health") as answer:
        cookie = answer.headers["set-cookie"].split(";")[0]
    assert cookie.startswith("_streamlit_xsrf=")
    return cookie


def open_stream(server, cookies: str, host: str | None = None):
    """Streamlit's websocket, as a page of ``host`` (the server's own name by default) opens it."""
    if host is None:
        return connect(server.url.replace("http", "ws") + doors.STREAM_PATH,
                       subprotocols=["streamlit"], open_timeout=20,
                       additional_headers={"Origin": server.url, "Cookie": cookies})
    # Another name that leads here (DNS rebinding): the socket to this server, the name its.
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    return connect(f"ws://{host}{doors.STREAM_PATH}", sock=sock, subprotocols=["streamlit"],
                   open_timeout=20, additional_headers={"Origin": f"http://{host}",
                                                         "Cookie": cookies})


def run_page(websocket, query: str = "") -> list[ForwardMsg]:
    """Ask for a run of the page and return every message up to its end."""
    ask = BackMsg()
    ask.rerun_script.query_string = query
    websocket.send(ask.SerializeToString())
    messages = []
    while True:
        message = ForwardMsg()
        message.ParseFromString(websocket.recv(timeout=60))
        messages.append(message)
        if message.WhichOneof("type") == "script_finished":
            return messages


def hello(messages) -> ForwardMsg:
    return next(m for m in messages if m.WhichOneof("type") == "new_session")


# --------------------------------------------------------------- door 1: sign-in


def _has_guessed(path, times: int) -> None:
    """The guesser's last ``times`` wrong passwords, each as soon as it was allowed, up to now."""
    waits = [access.wait_after(n) for n in range(1, times)]
    with fdb.connect(path) as conn:
        at = clock.utc_now() - timedelta(seconds=sum(waits) + 1)
        for wait in [*waits, 0]:
            with pytest.raises(access.SignInRefused):
                access.sign_in_device(conn, "wrong", client=GUESSER, now=at)
            at += timedelta(seconds=wait)


def test_a_guesser_at_another_address_does_not_keep_the_owner_out(locked):
    server = locked.server
    _has_guessed(locked.path, 9)  # as fast as it may: now it waits 256 s
    status, headers = sign_in(server, PASSWORD, GUESSER)  # too soon, even when right
    assert status == 429 and int(headers["retry-after"]) > 100
    status, headers = sign_in(server, PASSWORD, OWNER)
    assert status == 303 and headers["set-cookie"].startswith(contract.DEVICE_COOKIE + "=")


def test_the_counts_survive_a_restart_and_the_owner_still_gets_in(locked):
    _has_guessed(locked.path, 9)  # the ninth a second ago: it waits 256 s
    locked.server.stop()
    server = start(locked.path, locked.tmp_path, "restarted")
    try:
        status, headers = sign_in(server, PASSWORD, GUESSER)
        assert status == 429 and int(headers["retry-after"]) > 100
        assert sign_in(server, PASSWORD, OWNER)[0] == 303
    finally:
        server.stop()


def test_each_address_is_counted_apart_also_behind_a_proxy_on_this_machine(locked):
    server = locked.server
    assert sign_in(server, "wrong password", GUESSER)[0] == 401
    for client in ("198.51.100.7", "198.51.100.8"):
        status, _, _ = request(
            server, "POST", contract.SIGN_IN_PATH,
            body=urlencode({"next": "/", "password": "wrong"}),
            headers={"content-type": "application/x-www-form-urlencoded",
                     "origin": server.url, "x-forwarded-for": client})
        assert status == 401  # each address its own first try: neither waits on the other
    with closing(sqlite3.connect(locked.path)) as conn:
        assert sorted(conn.execute("SELECT client FROM sign_in_failures").fetchall()) == [
            (GUESSER,), ("198.51.100.7",), ("198.51.100.8",)]


# --------------------------------------------------------------- door 2: uploads


def upload(server, session_id, cookies, *, declared=None, body=b"", xsrf=""):
    boundary = "fieldkit"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"card.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode() + body + (
        f"\r\n--{boundary}--\r\n").encode()
    with closing(http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)) as conn:
        conn.putrequest("PUT", f"{doors.UPLOAD_PREFIX}{session_id}/{uuid.uuid4().hex}")
        for name, value in {"Cookie": cookies, "X-Xsrftoken": xsrf, "Origin": server.url,
                            "Content-Type": f"multipart/form-data; boundary={boundary}",
                            "Content-Length": str(declared or len(form))}.items():
            conn.putheader(name, value)
        conn.endheaders()
        started = time.monotonic()
        if declared is None:
            conn.send(form)
        answer = conn.getresponse()  # with a declared length and no body: answered unread
        answer.read()
        return answer.status, time.monotonic() - started


def test_an_upload_from_a_browser_not_signed_in_is_refused_unread(locked):
    server = locked.server
    cookie = xsrf_cookie(server)
    xsrf = cookie.split("=", 1)[1]
    with open_stream(server, cookie) as websocket:
        session_id = hello(run_page(websocket)).new_session.initialize.session_id
        assert session_id
        # 200 MB announced, nothing sent: the answer comes at once, the body never read.
        status, waited = upload(server, session_id, cookie, declared=200 * 2**20, xsrf=xsrf)
    assert status == 401 and waited < 5


def test_a_signed_in_tab_uploads_within_its_cap(locked):
    server = locked.server
    cookie = xsrf_cookie(server)
    xsrf = cookie.split("=", 1)[1]
    cookies = f"{cookie}; {contract.DEVICE_COOKIE}={locked.token}"
    with open_stream(server, cookies) as websocket:
        session_id = hello(run_page(websocket)).new_session.initialize.session_id
        assert upload(server, session_id, cookies, body=b"\xff\xd8" + b"x" * 1000,
                      xsrf=xsrf)[0] == 204
        status, waited = upload(server, session_id, cookies, xsrf=xsrf,
                                declared=uploads.PER_TAB_BYTES + 1)
        assert status == 413 and waited < 5


# --------------------------------------------------------------- door 3: host names


def test_dns_rebinding_reads_nothing_from_a_server_without_a_password(tmp_path):
    path = tmp_path / "fieldkit.db"
    with fdb.connect(path):
        pass
    server = start(path, tmp_path)
    try:
        evil = {"host": f"evil.example:{server.port}", "origin": f"http://evil.example:{server.port}"}
        assert request(server, "GET", "/api/booth", headers=evil)[0] == 421
        card = ('{"cards": [{"id": "%s", "captured_at": "%s", "fields": {"name": "Planted"}}]}'
                % (uuid.uuid4(), clock.now_iso()))
        status, _, _ = request(server, "POST", "/api/cards", body=card,
                               headers={**evil, "content-type": "application/json"})
        assert status == 421
        with pytest.raises(InvalidStatus) as refused:
            open_stream(server, xsrf_cookie(server), host=f"evil.example:{server.port}")
        assert refused.value.response.status_code == 403
        # The same requests with the server's own name are answered.
        assert request(server, "GET", "/api/booth", headers={"origin": server.url})[0] == 200
    finally:
        server.stop()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM people").fetchone() == (0,)


# --------------------------------------------------------------- doors 5 and 9: the websocket


def metrics(server, cookies=""):
    status, _, body = request(server, "GET", doors.METRICS_PATH, headers={"cookie": cookies})
    return status, body.decode()


def cached_entries(text: str) -> int:
    """How many of Streamlit's caches hold something (FieldKit's connection cache, at least)."""
    return len(re.findall(r'^cache_memory_bytes\{cache_type="st_cache_(data|resource)"', text,
                          re.M))


def test_a_browser_not_signed_in_cannot_clear_the_caches(locked):
    server = locked.server
    cookie = xsrf_cookie(server)
    signed_in = f"{cookie}; {contract.DEVICE_COOKIE}={locked.token}"
    with open_stream(server, signed_in) as websocket:
        run_page(websocket)  # a page fills FieldKit's caches
    assert metrics(server)[0] == 401  # a stranger sees no metrics
    status, before = metrics(server, signed_in)
    assert status == 200 and cached_entries(before) > 0
    with open_stream(server, cookie) as stranger:
        run_page(stranger)
        clear = BackMsg()
        clear.clear_cache = True
        stranger.send(clear.SerializeToString())
        run_page(stranger)
    assert cached_entries(metrics(server, signed_in)[1]) == cached_entries(before)
    assert "Ignored a request to clear the caches" in server.log()
    with open_stream(server, signed_in) as owner:  # the owner may: the same message clears them
        run_page(owner)
        owner.send(clear.SerializeToString())
        deadline = time.monotonic() + 10
        while cached_entries(metrics(server, signed_in)[1]) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert cached_entries(metrics(server, signed_in)[1]) == 0


def test_a_browser_not_signed_in_is_not_told_the_servers_path_and_versions(locked):
    server = locked.server
    cookie = xsrf_cookie(server)
    with open_stream(server, cookie) as websocket:
        stranger = hello(run_page(websocket)).new_session
    assert stranger.main_script_path == ""
    assert stranger.initialize.environment_info.streamlit_version == ""
    assert stranger.initialize.environment_info.python_version == ""
    with open_stream(server, f"{cookie}; {contract.DEVICE_COOKIE}={locked.token}") as websocket:
        owner = hello(run_page(websocket)).new_session
    assert owner.main_script_path.endswith("frame.py")
    assert owner.initialize.environment_info.streamlit_version

"""/sign-in over HTTP: the form, the device cookie, and everything a hostile client may send.

The routes are served by a small Starlette app of their own against a temp
database; ``opened`` counts the requests that reached the database at all.
"""

import hashlib
import sqlite3
from contextlib import closing
from urllib.parse import urlencode

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from fieldkit import access, clock, config, db as fdb
from fieldkit.web import signin
from fieldkit.web.site import Site
from tests.factory import NOW

PASSWORD = "correct horse battery"
ORIGIN = "http://testserver"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "fieldkit.db"
    with fdb.connect(path) as conn:
        access.set_password(conn, PASSWORD)
    return path


@pytest.fixture
def opened():
    return []


class _Environ(dict):
    """The environment of a server on ``path``; ``opened`` gets a mark each time it is asked."""

    def __init__(self, path, opened):
        super().__init__({config.DB_ENV: str(path)})
        self.opened = opened

    def get(self, key, default=None):
        if key == config.DB_ENV:
            self.opened.append(1)
        return super().get(key, default)


def _client(path, opened, **options) -> TestClient:
    site = Site(_Environ(path, opened))
    return TestClient(Starlette(routes=signin.routes(site)), follow_redirects=False, **options)


@pytest.fixture
def client(path, opened):
    return _client(path, opened)


def _post(client, body, *, origin=ORIGIN, content_type=FORM, **headers):
    if origin is not None:
        headers["origin"] = origin
    if content_type is not None:
        headers["content-type"] = content_type
    return client.post("/sign-in", content=body, headers=headers)


def _sign_in_form(password=PASSWORD, next_path="/capture") -> bytes:
    return urlencode({"next": next_path, "password": password}).encode()


def _rows(path, sql):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def _untouched(path):
    """Nothing was counted and no device was added."""
    return (_rows(path, "SELECT count(*) FROM sign_in_failures") == [(0,)]
            and _rows(path, "SELECT count(*) FROM devices") == [(0,)])


# --------------------------------------------------------------- the page


def test_get_shows_the_form_with_the_page_asked_for(client):
    response = client.get("/sign-in", params={"next": "/people?id=5"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-fieldkit-own"] == "1"
    page = response.text
    assert '<form method="post" action="/sign-in">' in page
    assert '<input type="hidden" name="next" value="/people?id=5">' in page
    assert 'type="password" autocomplete="current-password"' in page
    assert '<button type="submit">Sign in</button>' in page
    assert "stays signed in for 30 days" in page
    assert '<link rel="stylesheet" href="/sign-in.css">' in page
    assert "<script" not in page and "<style" not in page and "style=" not in page


def test_get_shows_the_days_the_settings_say(client, path):
    with fdb.connect(path) as conn:
        config.save(conn, {"sign_in_days": 1})
    assert "stays signed in for 1 day." in client.get("/sign-in").text


def test_get_escapes_the_page_asked_for(client):
    page = client.get("/sign-in", params={"next": '/x"><script>alert(1)</script>'}).text
    assert 'value="/x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "<script" not in page


def test_get_without_password_goes_on(client, path):
    with fdb.connect(path) as conn:
        access.clear_password(conn)
    response = client.get("/sign-in", params={"next": "/capture"})
    assert response.status_code == 303
    assert response.headers["location"] == "/capture"
    assert response.headers["cache-control"] == "no-store"


def test_get_with_a_signed_in_device_goes_on(client, path):
    with fdb.connect(path) as conn:
        token = access.sign_in_device(conn, PASSWORD, client="192.0.2.10")
    client.cookies.set(signin.COOKIE, token)
    response = client.get("/sign-in", params={"next": "/capture"})
    assert response.status_code == 303
    assert response.headers["location"] == "/capture"


def test_get_with_a_signed_out_device_shows_the_form(client, path):
    with fdb.connect(path) as conn:
        token = access.sign_in_device(conn, PASSWORD, client="192.0.2.10")
        access.sign_out_everywhere(conn)
    client.cookies.set(signin.COOKIE, token)
    assert client.get("/sign-in").status_code == 200


def test_stylesheet(client):
    response = client.get("/sign-in.css")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert "min-height: 3rem" in response.text


# --------------------------------------------------------------- signing in


def test_post_right_password_sets_the_device_cookie_and_goes_on(client, path):
    response = _post(client, _sign_in_form())
    assert response.status_code == 303
    assert response.headers["location"] == "/capture"
    assert response.headers["cache-control"] == "no-store"
    cookies = response.headers.get_list("set-cookie")
    assert len(cookies) == 1
    name, _, rest = cookies[0].partition("=")
    token, _, attributes = rest.partition("; ")
    assert name == "fieldkit_device"
    assert attributes == "HttpOnly; SameSite=Strict; Path=/; Max-Age=2592000"
    # The file keeps the token's hash, never the token.
    assert _rows(path, "SELECT token_hash FROM devices") == [
        (hashlib.sha256(token.encode()).hexdigest(),)]
    with fdb.connect(path) as conn:
        assert access.device_signed_in(conn, token) is True
        assert token not in "\n".join(conn.conn.iterdump())


def test_post_cookie_lasts_the_days_the_settings_say(client, path):
    with fdb.connect(path) as conn:
        config.save(conn, {"sign_in_days": 7})
    cookie = _post(client, _sign_in_form()).headers["set-cookie"]
    assert cookie.endswith("; Max-Age=604800")


@pytest.mark.parametrize(("options", "headers", "secure"), [
    ({"base_url": "https://testserver"}, {"origin": "https://testserver"}, True),
    ({"client": ("127.0.0.1", 5000)}, {"x-forwarded-proto": "https",
                                       "origin": "https://testserver"}, True),
    ({"client": ("::1", 5000)}, {"x-forwarded-proto": "http, https",
                                 "origin": "https://testserver"}, True),
    ({"client": ("127.0.0.1", 5000)}, {}, False),
    # Anyone can send the header; from elsewhere than this machine it is not believed.
    ({"client": ("203.0.113.9", 5000)}, {"x-forwarded-proto": "https"}, False),
], ids=["https", "proxy", "proxy_ipv6_last_hop", "local_http", "untrusted_header"])
def test_post_cookie_is_secure_over_https_only(path, opened, options, headers, secure):
    client = _client(path, opened, **options)
    headers = {"origin": ORIGIN, **headers}
    response = _post(client, _sign_in_form(), **headers)
    assert response.status_code == 303
    assert response.headers["set-cookie"].endswith("; Secure") is secure


def test_post_wrong_password_shows_the_form_again_and_counts(client, path):
    response = _post(client, _sign_in_form("not the password"))
    assert response.status_code == 401
    assert response.headers["retry-after"] == "1"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-fieldkit-own"] == "1"
    assert "set-cookie" not in response.headers
    assert ('<p class="message" role="alert">Wrong password. You can try again in 1 s.</p>'
            in response.text)
    assert '<input type="hidden" name="next" value="/capture">' in response.text
    assert _rows(path, "SELECT client FROM sign_in_failures") == [("testclient",)]
    assert _rows(path, "SELECT count(*) FROM devices") == [(0,)]


def test_post_empty_password_is_a_wrong_one(client, path):
    response = _post(client, _sign_in_form(""))
    assert response.status_code == 401
    assert _rows(path, "SELECT client FROM sign_in_failures") == [("testclient",)]


def test_post_during_the_wait_is_refused_unchecked(client, path, monkeypatch):
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)  # both attempts in the same second
    _post(client, _sign_in_form("not the password"))
    response = _post(client, _sign_in_form())  # right, but within the second's wait
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert "Too many wrong passwords. Try again in 1 s." in response.text
    assert "set-cookie" not in response.headers
    assert _rows(path, "SELECT client FROM sign_in_failures") == [("testclient",)]
    assert _rows(path, "SELECT count(*) FROM devices") == [(0,)]


def test_post_without_password_set_goes_on_without_a_cookie(client, path):
    with fdb.connect(path) as conn:
        access.clear_password(conn)
    response = _post(client, _sign_in_form())
    assert response.status_code == 303
    assert response.headers["location"] == "/capture"
    assert "set-cookie" not in response.headers


def test_post_same_origin_referer_without_origin_is_accepted(client):
    response = _post(client, _sign_in_form(), origin=None,
                     referer="http://testserver/sign-in?next=/capture")
    assert response.status_code == 303


# --------------------------------------------------------------- where to go next


@pytest.mark.parametrize(("raw", "expected"), [
    ("/capture", "/capture"),
    ("/people?id=5&tab=notes", "/people?id=5&tab=notes"),
    ("/", "/"),
    ("/data/x:y", "/data/x:y"),
    ("//evil.example", "/"),
    ("///evil.example", "/"),
    ("https://evil.example", "/"),
    ("http:/evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("/\\evil.example", "/"),
    ("/x\\y", "/"),
    ("\\\\evil.example", "/"),
    ("/\t/evil.example", "/"),
    (" /capture", "/"),
    ("/capture\r\nSet-Cookie: evil=1", "/"),
    ("/capture\nx", "/"),
    ("/caf\u00e9", "/"),
    ("/" + "a" * 2001, "/"),
    ("/sign-in", "/"),
    ("/sign-in?next=/capture", "/"),
    ("capture", "/"),
    ("", "/"),
    (None, "/"),
])
def test_local_path_allows_only_this_servers_paths(raw, expected):
    assert signin.local_path(raw) == expected


@pytest.mark.parametrize("next_path", [
    "//evil.example", "https://evil.example", "/\\evil", "/x\r\nSet-Cookie: evil=1",
    "/x\r\nLocation: https://evil.example",
])
def test_post_sends_nowhere_but_this_server(client, next_path):
    response = _post(client, _sign_in_form(next_path=next_path))
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert len(response.headers.get_list("set-cookie")) == 1
    assert response.headers["set-cookie"].startswith("fieldkit_device=")


# --------------------------------------------------------------- refused before anything is read

FOREIGN = [
    ({"origin": "https://evil.example"}, 403),
    ({"origin": "http://testserver.evil.example"}, 403),
    ({"origin": "https://testserver"}, 403),  # another scheme is another origin
    ({"origin": "null"}, 403),
    ({"origin": ""}, 403),
    ({"origin": None}, 403),  # neither Origin nor Referer
    ({"origin": None, "referer": "https://evil.example/sign-in"}, 403),
    ({"origin": None, "referer": "http://testserver.evil.example/"}, 403),
    ({"origin": None, "referer": "http://[::1"}, 403),  # unreadable
    ({"origin": "https://evil.example", "referer": "http://testserver/sign-in"}, 403),
]


@pytest.mark.parametrize(("headers", "status"), FOREIGN,
                         ids=[f"foreign{n}" for n in range(len(FOREIGN))])
def test_post_from_another_origin_is_refused_and_nothing_counted(client, path, opened,
                                                                 headers, status):
    response = _post(client, _sign_in_form(), **headers)
    assert response.status_code == status
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    assert opened == []
    assert _untouched(path)


HOSTILE = [
    ({"content_type": "application/json"}, b'{"password": "x"}', 415),
    ({"content_type": "multipart/form-data; boundary=x"}, b"--x--", 415),
    ({"content_type": "text/plain"}, b"password=x", 415),
    ({"content_type": None}, b"password=x", 415),
    ({}, b"", 400),  # no body at all
    ({}, b"next=/capture", 400),  # no password field
    ({}, b"password=a&password=b", 400),  # two passwords
    ({}, b"\x00\xff\xfe binary \x89PNG", 400),
    ({}, b"password=%ff%fe", 400),  # not UTF-8
    ({}, "password=caf\u00e9".encode(), 400),  # a form body is ASCII
    ({}, b"&".join([b"a=1"] * 20), 400),  # too many fields
    ({}, b"password=" + b"x" * signin.MAX_BODY, 413),
    ({}, iter([b"password=", b"x" * 3000, b"x" * 3000]), 413),  # streamed, no length given
]


@pytest.mark.parametrize(("headers", "body", "status"), HOSTILE,
                         ids=[f"hostile{n}" for n in range(len(HOSTILE))])
def test_post_hostile_body_is_refused_and_nothing_counted(client, path, opened,
                                                          headers, body, status):
    response = _post(client, body, **headers)
    assert response.status_code == status
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    assert opened == []
    assert _untouched(path)


def test_post_declared_length_over_the_limit_is_refused_unread(client, opened):
    response = _post(client, b"password=x", **{"content-length": str(signin.MAX_BODY + 1)})
    assert response.status_code == 413
    assert opened == []


@pytest.mark.parametrize("password", ["~" * access.MAX_LENGTH, "\U0001f9ed" * 300],
                         ids=["ascii", "emoji"])
def test_post_long_password_fits_the_limit(client, path, password):
    response = _post(client, _sign_in_form(password))
    assert response.status_code == 401
    assert _rows(path, "SELECT client FROM sign_in_failures") == [("testclient",)]


def test_other_methods_are_not_allowed(client, opened):
    assert client.put("/sign-in", content=b"password=x").status_code == 405
    assert client.delete("/sign-in").status_code == 405
    assert opened == []


def test_app_routes_hold_sign_in_when_given_the_database(path):
    from fieldkit.web import routes

    page = path  # any file: only the route list is looked at
    with_database = {r.path for r in routes.routes(page, Site({"FIELDKIT_DB": str(path)}))}
    assert {"/sign-in", "/sign-in.css"} <= with_database
    assert not {"/sign-in", "/sign-in.css"} & {r.path for r in routes.routes(page)}

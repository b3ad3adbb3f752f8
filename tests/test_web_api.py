"""/api/booth and /api/cards over HTTP: signed-in devices of this server only, bounded, idempotent."""

import json
import sqlite3
import uuid
from contextlib import closing
from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from fieldkit import access, clock, db as fdb
from fieldkit.web import api, signin
from fieldkit.web.site import Site
from tests.factory import add_checkin, add_event

ORIGIN = "http://testserver"
PASSWORD = "correct horse battery"


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "fieldkit.db"
    with fdb.connect(path):
        pass
    return path


@pytest.fixture
def provider():
    return []  # append an address: an identity provider guards FieldKit, and allows it


@pytest.fixture
def client(path, provider):
    site = Site({"FIELDKIT_DB": str(path)}, provider=lambda: tuple(provider) or None)
    return TestClient(Starlette(routes=api.routes(site)))


def card(name="Amara Okafor", **fields):
    return {"id": str(uuid.uuid4()),
            "captured_at": (clock.utc_now() - timedelta(minutes=20)).isoformat(),
            "fields": {"name": name, **fields}, "photo": None}


def post(client, body, *, origin=ORIGIN, content_type="application/json", **headers):
    if origin is not None:
        headers["origin"] = origin
    if content_type is not None:
        headers["content-type"] = content_type
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/api/cards", content=data, headers=headers)


def people(path):
    with closing(sqlite3.connect(path)) as conn:
        return [name for (name,) in conn.execute("SELECT name FROM people ORDER BY id")]


def test_cards_are_stored_once_each_in_the_order_sent(client, path):
    cards = [card("Amara Okafor"), card("Kenji Watanabe", email="bad"), card("Sofia Rossi")]
    response = post(client, {"cards": cards})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    results = response.json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        (cards[0]["id"], "stored"), (cards[1]["id"], "invalid"), (cards[2]["id"], "stored")]
    assert results[1]["message"].startswith("Email:") and results[1]["person_id"] is None
    assert people(path) == ["Amara Okafor", "Sofia Rossi"]
    # The answer was lost: the phone sends the same cards again.
    again = post(client, {"cards": cards}).json()["results"]
    assert [r["status"] for r in again] == ["already", "invalid", "already"]
    assert [r["person_id"] for r in again] == [r["person_id"] for r in results]
    assert people(path) == ["Amara Okafor", "Sofia Rossi"]


def test_hostile_text_is_stored_and_answered_literally(client, path):
    name = '<script>alert(1)</script> "Bobby" \'); DROP TABLE people;--'
    response = post(client, {"cards": [card(name, note="![x](http://evil/x) {{7*7}}")]})
    assert response.json()["results"][0]["status"] == "stored"
    assert people(path) == [name]
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("origin", [None, "http://evil.example", "null", "http://testserver.evil",
                                    "https://testserver"])
def test_a_post_from_another_origin_is_refused_and_stores_nothing(client, path, origin):
    response = post(client, {"cards": [card()]}, origin=origin)
    assert response.status_code == 403 and "own pages" in response.json()["error"]
    assert people(path) == []


@pytest.mark.parametrize("body, status, message", [
    (b"", 400, "not JSON"),
    (b"\xff\xfe{", 400, "not JSON"),
    (b"[1, 2]", 400, 'Send {"cards": [...]}'),
    (b'{"cards": {}}', 400, 'Send {"cards": [...]}'),
    (b'{"cards": []}', 400, "no card"),
    (json.dumps({"cards": [card() for _ in range(api.MAX_CARDS + 1)]}).encode(), 400,
     f"At most {api.MAX_CARDS} cards"),
    (b"[" * 100_000 + b"]" * 100_000, 400, "not JSON"),
    (b'{"cards": [' + b'"' + b"x" * (api.MAX_REQUEST_BYTES) + b'"]}', 413, "too large"),
])
def test_a_malformed_request_is_refused_whole_and_stores_nothing(client, path, body, status,
                                                                 message):
    response = post(client, body)
    assert response.status_code == status and message in response.json()["error"]
    assert people(path) == []


def test_a_declared_length_over_the_limit_is_refused_before_reading(client, path):
    response = post(client, {"cards": [card()]},
                    **{"content-length": str(api.MAX_REQUEST_BYTES + 1)})
    assert response.status_code == 413
    assert people(path) == []


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data"])
def test_only_json_is_taken(client, path, content_type):
    assert post(client, {"cards": [card()]}, content_type=content_type).status_code == 415
    assert people(path) == []


def test_items_that_are_not_cards_are_refused_one_by_one(client, path):
    results = post(client, {"cards": [None, 5, "x", [], card()]}).json()["results"]
    assert [r["status"] for r in results] == ["invalid"] * 4 + ["stored"]
    assert people(path) == ["Amara Okafor"]


def test_with_a_password_only_a_signed_in_device_gets_in(client, path):
    with fdb.connect(path) as conn:
        access.set_password(conn, PASSWORD)
    for token in (None, "forged-token", ""):
        if token is not None:
            client.cookies.set(signin.COOKIE, token)
        refused = post(client, {"cards": [card()]})
        assert refused.status_code == 401
        assert refused.json() == {"error": "Sign in on this phone to send cards.",
                                  "sign_in": "/sign-in?next=/booth"}
        assert client.get("/api/booth").status_code == 401
    assert people(path) == []
    with fdb.connect(path) as conn:
        token = access.sign_in_device(conn, PASSWORD, client="192.0.2.10", days=30)
    client.cookies.set(signin.COOKIE, token)
    assert post(client, {"cards": [card()]}).json()["results"][0]["status"] == "stored"
    assert client.get("/api/booth").status_code == 200
    with fdb.connect(path) as conn:
        access.sign_out_everywhere(conn)
    assert post(client, {"cards": [card("Late")]}).status_code == 401
    assert people(path) == ["Amara Okafor"]


def test_an_identity_provider_guards_the_api_too(client, path, provider):
    provider.append("me@example.org")
    assert post(client, {"cards": [card()]}).status_code == 401
    assert people(path) == []


def test_the_booths_state_is_the_event_checked_in_to(client, path):
    with fdb.connect(path) as conn:
        add_checkin(conn, add_event(conn, name="FleetTech Expo", ends_at="2099-01-01T00:00:00Z"),
                    clock.utc_now() - timedelta(hours=1))
    response = client.get("/api/booth")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    state = response.json()
    assert list(state) == ["event"] and state["event"]["name"] == "FleetTech Expo"


@pytest.mark.parametrize("headers", [{"origin": "http://evil.example"},
                                     {"sec-fetch-site": "cross-site"},
                                     {"sec-fetch-site": "same-site"}])
def test_the_booths_state_is_not_given_to_another_site(client, headers):
    assert client.get("/api/booth", headers=headers).status_code == 403


def test_other_methods_are_not_allowed(client, path):
    assert client.get("/api/cards").status_code == 405
    assert client.put("/api/cards", headers={"origin": ORIGIN}).status_code == 405
    assert client.post("/api/booth", headers={"origin": ORIGIN}).status_code == 405

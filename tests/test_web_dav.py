"""/dav/ over HTTP: the answers iOS and DAVx5 need, and the doors an attacker tries.

Radicale runs behind FieldKit's gate in a Starlette app, as in the server
(the real server, with real clients, is tests/test_dav_clients.py).
"""

import sqlite3
import threading
from contextlib import closing
from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from fieldkit import (access, app_passwords, calendar_feed, cards, clock, contacts_book,
                      db as fdb, people, sync_log)
from fieldkit.web import dav
from fieldkit.web.site import Site
from tests.davclient import (basic, dav as ask, hrefs_in, multiget_body, propfind_body,
                             responses, sync_body, sync_token, tag, text_of)
from tests.factory import save_card

BOOK = "/dav/fieldkit/contacts/"
CALENDAR = "/dav/fieldkit/followups/"


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "fieldkit.db"
    with fdb.connect(path) as db:
        for name, company in (("Ines Moreau", "Kalm Health"), ("Kenji Watanabe", "Sora"),
                              ("Amara Okafor", None)):
            save_card(db, name, company=company, phone="+1 415 555 0100", at=None)
    return path


@pytest.fixture
def password(path):
    with fdb.connect(path) as db:
        return app_passwords.new(db, "Test phone").password


def site(path):
    return Site({"FIELDKIT_DB": str(path)})


@pytest.fixture
def client(path):
    return TestClient(Starlette(routes=dav.routes(site(path))))


@pytest.fixture
def auth(password):
    return basic(password)


def person_ids(path):
    with closing(sqlite3.connect(path)) as conn:
        return [i for (i,) in conn.execute("SELECT id FROM people ORDER BY id")]


def snapshot(path):
    with fdb.connect(path) as db:
        return ([people.person(db, i)["name"] for i in person_ids(path)],
                sync_log.token(db, "contacts"), contacts_book.removed(db))


# ---------------------------------------------------------------- who may ask

def test_no_credentials_no_dav(client):
    answer = ask(client, "PROPFIND", "/dav/", propfind_body("d:current-user-principal"),
                 depth="0")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith('Basic realm="FieldKit"')


def test_the_sign_in_password_and_the_device_cookie_open_no_dav(client, path, password):
    with fdb.connect(path) as db:
        access.set_password(db, "correct horse battery")
        token = access.sign_in_device(db, "correct horse battery", client="10.0.0.9")
    for headers in (basic("correct horse battery"), {"cookie": f"fieldkit_device={token}"}):
        client.cookies.clear()
        answer = ask(client, "PROPFIND", BOOK, propfind_body("d:getetag"), depth="1",
                     auth=headers)
        assert answer.status_code in (401, 429)
    assert "Ines" not in answer.text


def test_an_app_password_opens_dav_and_a_revoked_one_at_once_no_more(client, path, auth):
    assert ask(client, "PROPFIND", BOOK, propfind_body("d:getetag"), depth="1",
               auth=auth).status_code == 207
    with fdb.connect(path) as db:
        app_passwords.revoke(db, "Test phone")
    assert ask(client, "PROPFIND", BOOK, propfind_body("d:getetag"), depth="1",
               auth=auth).status_code == 401


def wrong_again(path, client, times=7):
    # More wrong attempts from ``client``, so that its wait (2 ** times s) outlasts a
    # slow machine's next request.
    with fdb.connect(path) as db:
        for _ in range(times):
            access.count_wrong(db, client)


def test_wrong_passwords_wait_longer_each_time(client, path, auth):
    first = ask(client, "PROPFIND", "/dav/", depth="0", auth=basic("wron-gwro-ngwr-ongw"))
    assert first.status_code == 401 and "Try again in 1 s" in first.text
    wrong_again(path, "testclient")
    soon = ask(client, "PROPFIND", "/dav/", depth="0", auth=auth)  # even the right one waits
    assert soon.status_code == 429 and int(soon.headers["retry-after"]) > 100


def test_wrong_app_passwords_and_sign_in_passwords_are_one_throttle(client, path, auth):
    # Counted per client address in fieldkit.access, as wrong sign-in passwords are.
    with fdb.connect(path) as db:
        access.set_password(db, "correct horse battery")
        with pytest.raises(access.SignInRefused):
            access.sign_in_device(db, "wrong horse", client="testclient")
    wrong_again(path, "testclient")
    answer = ask(client, "PROPFIND", "/dav/", depth="0", auth=auth)
    assert answer.status_code == 429  # the sign-in form's wrong one makes DAV wait too
    with fdb.connect(path) as db:
        assert access.attempts(db, "10.0.0.8").wait_seconds == 0  # another address does not
        access.count_wrong(db, "10.0.0.8")
        assert access.attempts(db, "10.0.0.8").failures == 1
        access.forget_wrong(db, "10.0.0.8")
        assert access.attempts(db, "10.0.0.8").failures == 0


def test_a_right_app_password_forgets_the_wrong_ones(client, path, auth):
    with fdb.connect(path) as db:
        access.count_wrong(db, "testclient", now=clock.utc_now() - timedelta(minutes=10))
    assert ask(client, "PROPFIND", "/dav/", depth="0", auth=auth).status_code == 207
    with fdb.connect(path) as db:
        assert access.attempts(db, "testclient").failures == 0


@pytest.mark.parametrize("headers", [
    {"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"},
    {"origin": "null"}])
def test_a_web_page_of_another_site_is_refused(client, auth, headers):
    answer = ask(client, "PROPFIND", BOOK, propfind_body("d:getetag"), depth="1", auth=auth,
                 **headers)
    assert answer.status_code == 403


def test_this_servers_own_origin_is_let_through(client, auth):
    answer = ask(client, "PROPFIND", BOOK, propfind_body("d:getetag"), depth="1", auth=auth,
                 origin="http://testserver")
    assert answer.status_code == 207


# ---------------------------------------------------------------- hostile bodies

def card_text(name="Lea Roth", uid="lea"):
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nN:;{name};;;\r\nUID:{uid}\r\nEND:VCARD\r\n"


@pytest.mark.parametrize("method, url, body, headers, status", [
    ("PUT", BOOK + "lea.vcf", b"x" * (dav.MAX_CARD_BYTES + 1),
     {"content-type": "text/vcard"}, 413),
    ("REPORT", BOOK, b"<x/>" * (dav.MAX_XML_BYTES // 4 + 1),
     {"content-type": "application/xml"}, 413),
    ("PUT", BOOK + "lea.vcf", card_text().encode("utf-16"), {"content-type": "text/vcard"}, 400),
    ("PUT", BOOK + "lea.vcf", card_text().replace("Lea", "L\xe9a").encode("latin-1"),
     {"content-type": "text/vcard"}, 400),
    ("PUT", BOOK + "lea.vcf", b"BEGIN:VCARD\r\nFN:broken", {"content-type": "text/vcard"}, 400),
    ("PUT", BOOK + "lea.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:x\r\nEND:VCARD\r\n",
     {"content-type": "text/vcard"}, 400),
    ("PUT", BOOK + "two.vcf", (card_text("A", "a") + card_text("B", "b")).encode(),
     {"content-type": "text/vcard"}, 400),
    ("PUT", BOOK + "%2e%2e/%2e%2e/lea.vcf", card_text().encode(), {}, 403),
    ("PUT", "/dav/fieldkit/other/lea.vcf", card_text().encode(), {}, 403),
    ("PUT", BOOK, card_text().encode(), {"content-type": "text/vcard"}, 403),
    ("MKCOL", "/dav/fieldkit/new/", b"", {}, 403),
    ("DELETE", BOOK, b"", {}, 403),
    ("PROPFIND", BOOK, b"<not xml", {"content-type": "application/xml"}, 400),
])
def test_hostile_requests_get_a_clear_4xx_and_change_nothing(client, path, auth, method, url,
                                                              body, headers, status):
    before = snapshot(path)
    answer = client.request(method, url, content=body, headers={**auth, **headers})
    assert answer.status_code == status, answer.text
    assert snapshot(path) == before


def test_a_body_longer_than_it_says_is_cut_at_the_limit(client, auth, path):
    before = snapshot(path)

    def chunks():
        for _ in range(dav.MAX_CARD_BYTES // 65536 + 2):
            yield b"x" * 65536

    answer = client.request("PUT", BOOK + "big.vcf", content=chunks(),
                            headers={**auth, "content-type": "text/vcard"})
    assert answer.status_code == 413 and snapshot(path) == before


def test_a_sent_script_name_does_not_move_the_paths(client, auth):
    # Radicale takes X-Script-Name over the mount's own prefix: a client could
    # make every href of the answer point elsewhere.
    answer = ask(client, "PROPFIND", "/dav/fieldkit/", propfind_body("d:displayname"),
                 depth="1", auth=auth, **{"x-script-name": "/elsewhere"})
    assert set(responses(answer)) == {"/dav/fieldkit/", BOOK, CALENDAR}


def test_radicale_gets_no_proxy_header_and_no_password(path, password):
    # Behind Caddy every request carries X-Forwarded-*, with which Radicale strips
    # its prefix a second time (tests/browser/test_dav_https.py runs the recipe).
    seen = {}

    async def radicale(scope, receive, send):
        seen.update(scope)
        await send({"type": "http.response.start", "status": 207, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    gate = dav.DavGate(radicale, site(path))
    client = TestClient(Starlette(routes=[Mount("/dav", app=gate)]))
    client.request("PROPFIND", "/dav/fieldkit/", content=b"<x/>", headers={
        **basic(password), "x-forwarded-for": "10.0.0.9", "x-forwarded-host": "evil.example",
        "x-forwarded-proto": "https", "forwarded": "for=10.0.0.9", "x-remote-user": "root",
        "transfer-encoding": "chunked"})
    names = [name for name, _ in seen["headers"]]
    assert not [n for n in names if n.startswith(b"x-forwarded") or n in (
        b"forwarded", b"x-remote-user", b"authorization", b"transfer-encoding")]
    assert dict(seen["headers"])[b"content-length"] == b"4"
    assert seen["fieldkit.dav"]["device"] == "Test phone"


# ---------------------------------------------------------------- discovery

@pytest.mark.parametrize("well_known", dav.WELL_KNOWN)
@pytest.mark.parametrize("method", ["PROPFIND", "GET"])
def test_well_known_addresses_lead_to_dav(client, well_known, method):
    answer = client.request(method, well_known, follow_redirects=False)
    assert answer.status_code == 301 and answer.headers["location"] == "/dav/"


def test_ios_and_davx5_find_the_principal_and_its_homes(client, auth):
    answer = ask(client, "PROPFIND", "/dav/", propfind_body(
        "d:current-user-principal", "d:principal-URL", "d:resourcetype"), depth="0", auth=auth)
    assert hrefs_in(responses(answer)["/dav/"], "d:current-user-principal") == ["/dav/fieldkit/"]
    answer = ask(client, "PROPFIND", "/dav/fieldkit/", propfind_body(
        "card:addressbook-home-set", "cal:calendar-home-set", "d:displayname",
        "d:principal-collection-set", "d:current-user-principal"), depth="0", auth=auth)
    principal = responses(answer)["/dav/fieldkit/"]
    assert hrefs_in(principal, "card:addressbook-home-set") == ["/dav/fieldkit/"]
    assert hrefs_in(principal, "cal:calendar-home-set") == ["/dav/fieldkit/"]


def test_the_home_holds_the_address_book_and_the_read_only_calendar(client, auth):
    answer = ask(client, "PROPFIND", "/dav/fieldkit/", propfind_body(
        "d:resourcetype", "d:displayname", "cs:getctag", "d:sync-token",
        "d:current-user-privilege-set", "card:supported-address-data",
        "cal:supported-calendar-component-set", "d:supported-report-set"), depth="1", auth=auth)
    found = responses(answer)
    book, calendar = found[BOOK], found[CALENDAR]
    assert book[tag("d:resourcetype")].find(tag("card:addressbook")) is not None
    assert text_of(book, "d:displayname") == "FieldKit"
    # vCard 3.0 only: iOS and macOS drop 4.0 cards and fail the whole sync.
    versions = [t.get("version") for t in book[tag("card:supported-address-data")]]
    assert versions == ["3.0"]
    assert calendar[tag("d:resourcetype")].find(tag("cal:calendar")) is not None
    assert text_of(calendar, "d:displayname") == "FieldKit follow-ups"
    assert [c.get("name") for c in calendar[tag("cal:supported-calendar-component-set")]] == [
        "VEVENT"]
    privileges = {p[0].tag for p in calendar[tag("d:current-user-privilege-set")]}
    assert tag("d:read") in privileges and tag("d:write-content") not in privileges
    assert tag("d:write-content") in {p[0].tag for p in book[tag("d:current-user-privilege-set")]}
    reports = {r[0][0].tag for r in book[tag("d:supported-report-set")]}
    assert {tag("d:sync-collection"), tag("card:addressbook-multiget")} <= reports


# ---------------------------------------------------------------- syncing

def full_sync(client, auth):
    """A phone's first sync: every href and ETag, then the cards in batches."""
    listing = ask(client, "REPORT", BOOK, sync_body(), depth="1", auth=auth)
    assert listing.status_code == 207
    etags = {href: text_of(props, "d:getetag") for href, props in responses(listing).items()}
    cards = {}
    hrefs = sorted(etags)
    for start in range(0, len(hrefs), 2):
        batch = ask(client, "REPORT", BOOK, multiget_body(hrefs[start:start + 2]), depth="1",
                    auth=auth)
        for href, props in responses(batch).items():
            cards[href] = (text_of(props, "d:getetag"), text_of(props, "card:address-data"))
    return sync_token(listing), etags, cards


def test_a_first_sync_gets_every_card_and_a_second_nothing(client, path, auth):
    token, etags, got = full_sync(client, auth)
    assert len(etags) == len(person_ids(path)) == 3
    assert {href: etag for href, (etag, _) in got.items()} == etags
    for href, (_, text) in got.items():
        # XML reads every line end as a line feed.
        assert text.startswith("BEGIN:VCARD\nVERSION:3.0\n")
        assert client.get(href, headers=auth).text.replace("\r\n", "\n") == text
    again = ask(client, "REPORT", BOOK, sync_body(token), depth="1", auth=auth)
    assert responses(again) == {} and sync_token(again) == token
    assert full_sync(client, auth)[1] == etags  # the same ETags: nothing moves


def test_one_change_is_one_card_to_fetch(client, path, auth):
    token, etags, _ = full_sync(client, auth)
    person = person_ids(path)[1]
    with fdb.connect(path) as db:
        row = cards.person_row(db, person)
        people.update(db, person, cards.clean({**row, "title": "CTO"}))
    changed = ask(client, "REPORT", BOOK, sync_body(token), depth="1", auth=auth)
    found = responses(changed)
    assert len(found) == 1
    (href, props), = found.items()
    assert text_of(props, "d:getetag") != etags[href]
    card = ask(client, "REPORT", BOOK, multiget_body([href]), depth="1", auth=auth)
    assert "TITLE:CTO" in text_of(responses(card)[href], "card:address-data")


@pytest.mark.parametrize("stale", ["http://fieldkit.invalid/ns/sync/0123456789abcdef-1",
                                   "http://radicale.org/ns/sync/abc", "garbage"])
def test_a_stale_token_tells_the_phone_to_start_over(client, auth, stale):
    answer = ask(client, "REPORT", BOOK, sync_body(stale), depth="1", auth=auth)
    assert answer.status_code == 403
    assert b"valid-sync-token" in answer.content


def test_a_card_deleted_on_the_phone_is_gone_from_the_book_only(client, path, auth):
    token, etags, _ = full_sync(client, auth)
    href = sorted(etags)[0]
    answer = client.delete(href, headers={**auth, "if-match": etags[href]})
    assert answer.status_code == 200
    assert client.get(href, headers=auth).status_code == 404
    gone = responses(ask(client, "REPORT", BOOK, sync_body(token), depth="1", auth=auth))
    assert gone == {href: {"status": "HTTP/1.1 404 Not Found"}}
    assert len(person_ids(path)) == 3
    with fdb.connect(path) as db:
        assert [p["name"] for p in contacts_book.removed(db)] != []


def test_a_card_written_on_the_phone_comes_back_as_written(client, path, auth):
    text = card_text("Lea Roth", "0C1F-lea")
    answer = client.put(BOOK + "0C1F-lea.vcf", content=text.encode(),
                        headers={**auth, "content-type": "text/vcard; charset=utf-8",
                                 "if-none-match": "*"})
    assert answer.status_code == 201 and answer.headers["etag"]
    got = client.get(BOOK + "0C1F-lea.vcf", headers=auth)
    assert got.text == text and got.headers["etag"] == answer.headers["etag"]
    with fdb.connect(path) as db:
        assert [p["name"] for p in (people.person(db, i) for i in person_ids(path))][-1] == "Lea Roth"


def test_a_card_the_server_changed_comes_back_without_an_etag(client, auth):
    text = ("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Lea Roth\r\nUID:lea4\r\n"
            "TEL;VALUE=uri;TYPE=cell:tel:+1-415-555-0199\r\nEND:VCARD\r\n")
    answer = client.put(BOOK + "lea4.vcf", content=text.encode(),
                        headers={**auth, "content-type": "text/vcard"})
    assert answer.status_code == 201 and "etag" not in answer.headers
    assert "VERSION:3.0" in client.get(BOOK + "lea4.vcf", headers=auth).text


def test_an_edit_with_an_old_etag_is_refused(client, auth):
    _, etags, got = full_sync(client, auth)
    href = sorted(etags)[0]
    text = got[href][1].replace("END:VCARD", "NICKNAME:Ines\r\nEND:VCARD")
    first = client.put(href, content=text.encode(),
                       headers={**auth, "if-match": etags[href], "content-type": "text/vcard"})
    assert first.status_code == 204
    second = client.put(href, content=text.encode(),
                        headers={**auth, "if-match": etags[href], "content-type": "text/vcard"})
    assert second.status_code == 412


def test_the_address_books_colour_is_kept_but_not_its_kind(client, auth):
    body = ('<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" '
            'xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop>'
            '<a:calendar-color>#0F766EFF</a:calendar-color></d:prop></d:set></d:propertyupdate>')
    assert ask(client, "PROPPATCH", BOOK, body, auth=auth).status_code == 207
    answer = ask(client, "PROPFIND", BOOK, propfind_body("d:resourcetype"), depth="0",
                 auth=auth)
    assert responses(answer)[BOOK][tag("d:resourcetype")].find(tag("card:addressbook")) is not None
    assert ask(client, "PROPPATCH", CALENDAR, body, auth=auth).status_code == 403


# ---------------------------------------------------------------- the calendar

def calendar_items(client, auth):
    answer = ask(client, "PROPFIND", CALENDAR, propfind_body("d:getetag"), depth="1",
                 auth=auth)
    return {href: text_of(props, "d:getetag") for href, props in responses(answer).items()
            if href != CALENDAR}


def test_the_calendar_is_read_only_and_a_change_is_refused(client, auth):
    items = calendar_items(client, auth)
    assert len(items) == 3
    href = sorted(items)[0]
    before = client.get(href, headers=auth).text
    moved = before.replace("DTSTART;VALUE=DATE:", "DTSTART;VALUE=DATE:2099")
    assert client.put(href, content=moved.encode(),
                      headers={**auth, "content-type": "text/calendar"}).status_code == 403
    assert client.delete(href, headers=auth).status_code == 403
    new = before.replace("@fieldkit", "-copy@fieldkit")
    assert client.put(CALENDAR + "new.ics", content=new.encode(),
                      headers={**auth, "content-type": "text/calendar"}).status_code == 403
    assert client.get(href, headers=auth).text == before
    assert calendar_items(client, auth) == items


def test_calendar_events_link_back_to_this_server(client, auth):
    href = sorted(calendar_items(client, auth))[0]
    text = client.get(href, headers=auth).text
    assert "URL:http://testserver/queue" in text and "TRIGGER:PT19H" in text


def test_the_calendar_syncs_incrementally_too(client, path, auth):
    listing = ask(client, "REPORT", CALENDAR, sync_body(), depth="1", auth=auth)
    token = sync_token(listing)
    assert len(responses(listing)) == 3
    with fdb.connect(path) as db:
        from fieldkit import config, followups
        followups.log_attempt(db, person_ids(path)[0], "email", config.load(db))
    found = responses(ask(client, "REPORT", CALENDAR, sync_body(token), depth="1", auth=auth))
    assert sorted(props.get("status", "found") for props in found.values()) == [
        "HTTP/1.1 404 Not Found", "found"]


# ---------------------------------------------------------------- the feed

def test_the_feed_answers_its_token_only_and_a_new_one_ends_it(client, path):
    assert client.get("/feeds/anything.ics").status_code == 404
    with fdb.connect(path) as db:
        first = calendar_feed.new_feed_token(db)
    answer = client.get(f"/feeds/{first}.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    assert answer.text.count("BEGIN:VEVENT") == 3 and "REFRESH-INTERVAL" in answer.text
    with fdb.connect(path) as db:
        second = calendar_feed.new_feed_token(db)
    assert client.get(f"/feeds/{first}.ics").status_code == 404
    assert client.get(f"/feeds/{second}.ics").status_code == 200


def test_requests_at_once_each_get_their_answer(client, auth):
    # Radicale serves each request in a thread of its own; the storage's
    # connection is per thread.
    results = []

    def sync():
        results.append(full_sync(client, auth)[1])

    threads = [threading.Thread(target=sync) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(r == results[0] for r in results)


def test_radicale_runs_in_a_process_of_its_own():
    # FieldKit's process answers pages; a first sync's work is not in its interpreter.
    import subprocess
    import sys
    script = ("import sys, fieldkit.web.routes, fieldkit.web.dav; "
              "print('radicale' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_radicales_process_takes_only_the_cpu_the_pages_leave(client, auth):
    import os
    assert client.request("PROPFIND", "/dav/", headers={**auth, "depth": "0"}).status_code == 207
    pid = dav.WORKER._process.pid  # noqa: SLF001 - the process a sync runs in
    assert os.sched_getscheduler(pid) == os.SCHED_IDLE
    assert os.getpriority(os.PRIO_PROCESS, pid) == 19


def test_a_dead_radicale_process_is_started_again(client, auth):
    assert ask(client, "PROPFIND", BOOK, propfind_body("d:getetag"), depth="0",
               auth=auth).status_code == 207
    dav.WORKER._process.kill()  # noqa: SLF001 - as a crash would
    dav.WORKER._process.wait()  # noqa: SLF001
    assert ask(client, "PROPFIND", BOOK, propfind_body("d:getetag"), depth="0",
               auth=auth).status_code == 207


def test_a_relative_database_path_is_the_same_file_for_radicale(path, password, monkeypatch):
    # FIELDKIT_DB may be relative to where FieldKit was started, not to the project.
    monkeypatch.chdir(path.parent)
    client = TestClient(Starlette(routes=dav.routes(Site({"FIELDKIT_DB": path.name}))))
    answer = ask(client, "REPORT", BOOK, sync_body(), depth="1", auth=basic(password))
    assert answer.status_code == 207 and len(responses(answer)) == 3

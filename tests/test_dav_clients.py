"""Real clients against a running FieldKit: vdirsyncer two-way, the caldav library, a
phone's requests through the whole server (its middleware included).

The server is `streamlit run app.py` as the browser tests start it
(tests/browser/launcher.py), on the sample data anchored today; each test
picks its people by a rule, not by name.
"""

import http.client
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import caldav
import httpx2 as httpx
import pytest

from fieldkit import access, app_passwords, cards, clock, config, db as fdb, people, sample
from tests.browser.launcher import Server
from tests.davclient import basic, dav, multiget_body, propfind_body, responses, sync_body

VDIRSYNCER = str(Path(sys.executable).with_name("vdirsyncer"))


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """A FieldKit server on the sample, with an app password: (server, password)."""
    folder = tmp_path_factory.mktemp("dav-server")
    with fdb.connect(folder / "fieldkit.db") as db:
        sample.fill(db, 1)
        password = app_passwords.new(db, "Test phone").password
    with Server(folder / "fieldkit.db", folder / "streamlit.log") as server:
        server.wait_healthy()
        yield server, password


def vdirsyncer(config_file, *args):
    done = subprocess.run([VDIRSYNCER, "-c", str(config_file), *args], input="y\n" * 4,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def person_by_uid(path, uid):
    with fdb.connect(path) as db:
        row = db.execute("SELECT id FROM people WHERE uid = ?", [uid]).fetchone()
        return people.person(db, row[0]) if row else None


def test_vdirsyncer_syncs_the_address_book_both_ways(running, tmp_path):
    server, password = running
    local = tmp_path / "contacts"
    config_file = tmp_path / "config"
    config_file.write_text(f"""[general]
status_path = "{tmp_path / 'status'}/"
[pair fieldkit]
a = "fieldkit_remote"
b = "fieldkit_local"
collections = ["from a"]
[storage fieldkit_remote]
type = "carddav"
url = "{server.url}/"
username = "fieldkit"
password = "{password}"
[storage fieldkit_local]
type = "filesystem"
path = "{local}/"
fileext = ".vcf"
""")
    # Discovery starts at /.well-known/carddav and finds the one address book.
    assert '"contacts" ("FieldKit")' in vdirsyncer(config_file, "discover")
    vdirsyncer(config_file, "sync")
    files = sorted((local / "contacts").glob("*.vcf"))
    with fdb.connect(server.db_path) as db:
        in_book = db.execute("SELECT count(*) FROM people WHERE status != 'merged'").fetchone()[0]
    assert len(files) == in_book
    # (It keeps what the multiget's XML gave: lines end in a line feed.)
    assert all(f.read_bytes().startswith(b"BEGIN:VCARD\nVERSION:3.0\n") for f in files)
    # A second sync changes nothing, on either side.
    before = {f.name: f.read_bytes() for f in files}
    assert "Copying" not in vdirsyncer(config_file, "sync")
    assert {f.name: f.read_bytes() for f in sorted((local / "contacts").glob("*.vcf"))} == before

    # The client edits a card (a number added, a name fixed) and makes a new one.
    edited = files[0]
    text = edited.read_bytes().decode()
    uid = re.search(r"^UID:(.+?)\r?$", text, re.M)[1]
    old_name = person_by_uid(server.db_path, uid)["name"]
    text = text.replace(f"FN:{old_name}", f"FN:{old_name} Jr.")
    edited.write_bytes(text.replace("END:VCARD", "TEL;TYPE=CELL:+1 415 555 0142\r\nEND:VCARD")
                       .encode())
    (local / "contacts" / "new-from-client.vcf").write_bytes(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Nadia Rahman\r\nN:Rahman;Nadia;;;\r\n"
        "EMAIL;TYPE=INTERNET:nadia@example.org\r\nBDAY:1990-02-03\r\n"
        "UID:new-from-client\r\nEND:VCARD\r\n".encode())
    out = vdirsyncer(config_file, "sync")
    assert "Copying (uploading) item new-from-client to fieldkit_remote" in out
    changed = person_by_uid(server.db_path, uid)
    assert changed["name"] == f"{old_name} Jr."
    assert "+14155550142" in [v.value for v in changed["more"]] + [changed["phone"]]
    with fdb.connect(server.db_path) as db:
        row = db.execute("SELECT person_id FROM phone_cards WHERE card_uid = 'new-from-client'"
                         ).fetchone()
        nadia = people.person(db, row[0])
    assert (nadia["name"], nadia["kind"], nadia["followups"]) == ("Nadia Rahman", "other", [])
    # Nothing bounces back: the next sync copies nothing either way.
    snapshot = {f.name: f.read_bytes() for f in (local / "contacts").glob("*.vcf")}
    assert "Copying" not in vdirsyncer(config_file, "sync")
    assert {f.name: f.read_bytes() for f in (local / "contacts").glob("*.vcf")} == snapshot

    # An edit in FieldKit reaches the client at its next sync, with what the client wrote.
    with fdb.connect(server.db_path) as db:
        row = cards.person_row(db, nadia["id"])
        people.update(db, nadia["id"], cards.clean({**row, "title": "Head of Ops",
                                                   "values": list(nadia["more"])}))
    assert "Copying (updating) item new-from-client" in vdirsyncer(config_file, "sync")
    now = (local / "contacts" / "new-from-client.vcf").read_bytes().decode()
    assert "TITLE:Head of Ops" in now and "BDAY:1990-02-03" in now


def test_the_caldav_library_reads_the_follow_ups_calendar(running):
    server, password = running
    with fdb.connect(server.db_path) as db:
        settings = config.load(db)
        open_followups = db.execute(
            "SELECT count(*) FROM followups f JOIN people p ON p.id = f.person_id "
            "WHERE f.status = 'open' AND p.status = 'active'").fetchone()[0]
    with caldav.DAVClient(url=f"{server.url}/dav/", username="fieldkit",
                          password=password) as client:
        (calendar,) = client.principal().calendars()
        assert calendar.get_display_name() == "FieldKit follow-ups"
        events = calendar.events()
        assert len(events) == open_followups
        event = events[0].icalendar_component
        assert str(event["summary"]).startswith("Follow up: ")
        hour, minute = map(int, settings["triage_time"].split(":"))
        assert event.walk("VALARM")[0].decoded("trigger") == timedelta(hours=hour,
                                                                      minutes=minute)
        today = clock.utc_now().replace(tzinfo=None)  # the sample's day, also under --today
        soon = calendar.search(start=today - timedelta(days=400), end=today + timedelta(days=400),
                               event=True)
        assert len(soon) == open_followups
        events[0].icalendar_component["summary"] = "Moved by the client"
        with pytest.raises(caldav.lib.error.AuthorizationError):
            events[0].save()
        assert str(calendar.events()[0].icalendar_component["summary"]).startswith("Follow up: ")


def test_a_phones_sync_through_the_whole_server(running):
    server, password = running
    auth = basic(password)
    with httpx.Client(base_url=server.url) as client:
        found = client.request("PROPFIND", "/.well-known/carddav")
        assert found.status_code == 301 and found.headers["location"] == "/dav/"
        listing = dav(client, "REPORT", "/dav/fieldkit/contacts/", sync_body(), depth="1",
                      auth=auth)
        assert listing.status_code == 207
        hrefs = sorted(responses(listing))
        cards_ = dav(client, "REPORT", "/dav/fieldkit/contacts/", multiget_body(hrefs[:10]),
                     depth="1", auth=auth, **{"accept-encoding": "gzip"})
        assert len(responses(cards_)) == 10
        # FieldKit's middleware leaves the answers alone: no app page, no shell.
        assert "x-fieldkit-shell" not in cards_.headers
        principal = dav(client, "PROPFIND", "/dav/fieldkit/",
                        propfind_body("d:displayname"), depth="1", auth=auth)
        assert set(responses(principal)) == {"/dav/fieldkit/", "/dav/fieldkit/contacts/",
                                             "/dav/fieldkit/followups/"}


def test_wrong_passwords_are_throttled_per_client_address(running):
    server, password = running

    def propfind(source, secret):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10,
                                          source_address=(source, 0))
        try:
            conn.request("PROPFIND", "/dav/", headers={**basic(secret), "depth": "0"})
            return conn.getresponse().status
        finally:
            conn.close()

    assert propfind("127.0.0.2", "wron-gwro-ngwr-ongw") == 401
    with fdb.connect(server.db_path) as db:  # a wait that outlasts a slow machine
        for _ in range(7):
            access.count_wrong(db, "127.0.0.2")
    assert propfind("127.0.0.2", password) == 429  # waits, even with the right one
    assert propfind("127.0.0.1", password) == 207  # another address does not


def test_vdirsyncer_is_the_one_next_to_this_python():
    assert shutil.which(VDIRSYNCER), "pip install -r requirements-dev.txt"

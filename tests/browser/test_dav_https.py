"""The phone's contacts and calendar behind the Caddy recipe over HTTPS, as an iPhone
reaches them (it sends no password over plain HTTP).

Caddy adds X-Forwarded-For, -Host and -Proto, with which Radicale would strip
/dav a second time: the paths must come back whole. Clients trust Caddy's own
local authority, nothing else.
"""

import ssl

import caldav
import httpx2 as httpx
import pytest

from fieldkit import app_passwords, db as fdb
from tests.davclient import basic, dav, multiget_body, propfind_body, responses, sync_body
from tests.factory import save_card

from .test_https import https_url  # noqa: F401 - the fixture: FieldKit behind Caddy


@pytest.fixture
def phone(server, https_url, tmp_path):  # noqa: F811
    """(https url, app password, Caddy's root certificate) with two people and follow-ups."""
    with fdb.connect(server.db_path) as db:
        save_card(db, "Ines Moreau", company="Kalm Health", at=None)
        save_card(db, "Kenji Watanabe", at=None)
        password = app_passwords.new(db, "iPhone").password
    root = tmp_path / "caddy-data" / "pki" / "authorities" / "local" / "root.crt"
    assert root.exists()
    return https_url, password, str(root)


def test_over_https_discovery_and_sync_keep_the_dav_paths_whole(phone):
    url, password, root = phone
    with httpx.Client(base_url=url, verify=ssl.create_default_context(cafile=root)) as client:
        assert dav(client, "PROPFIND", "/dav/", depth="0").status_code == 401
        found = client.request("PROPFIND", "/.well-known/carddav")
        assert found.status_code == 301 and found.headers["location"] == "/dav/"
        auth = basic(password)
        home = dav(client, "PROPFIND", "/dav/fieldkit/", propfind_body("d:resourcetype"),
                   depth="1", auth=auth)
        assert set(responses(home)) == {"/dav/fieldkit/", "/dav/fieldkit/contacts/",
                                        "/dav/fieldkit/followups/"}
        listing = dav(client, "REPORT", "/dav/fieldkit/contacts/", sync_body(), depth="1",
                      auth=auth)
        hrefs = sorted(responses(listing))
        assert len(hrefs) == 2 and all(h.startswith("/dav/fieldkit/contacts/") for h in hrefs)
        got = dav(client, "REPORT", "/dav/fieldkit/contacts/", multiget_body(hrefs),
                  depth="1", auth=auth)
        assert len(responses(got)) == 2


def test_over_https_the_caldav_library_reads_events_that_link_back_over_https(phone):
    url, password, root = phone
    with caldav.DAVClient(url=f"{url}/dav/", username="fieldkit", password=password,
                          ssl_verify_cert=root) as client:
        (calendar,) = client.principal().calendars()
        events = calendar.events()
        assert len(events) == 2
        assert {str(e.icalendar_component["url"]) for e in events} == {f"{url}/queue"}

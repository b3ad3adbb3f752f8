"""Where a phone finds FieldKit, and the iPhone's configuration profile."""

import plistlib

import pytest

from fieldkit import phone_setup
from fieldkit.errors import ValidationError


@pytest.mark.parametrize("url, origin", [
    ("https://fieldkit.example/settings", "https://fieldkit.example"),
    ("http://192.168.1.20:8501/settings?x=1", "http://192.168.1.20:8501"),
])
def test_the_origin_of_the_settings_page(url, origin):
    assert phone_setup.origin_of(url) == origin
    assert phone_setup.server_address(origin) == f"{origin}/dav/"


@pytest.mark.parametrize("url", ["", "ftp://x/", "settings", None])
def test_an_address_that_is_no_web_address_is_refused(url):
    with pytest.raises(ValidationError):
        phone_setup.origin_of(url)


@pytest.mark.parametrize("origin, needs", [
    ("https://fieldkit.example", False), ("http://localhost:8501", False),
    ("http://192.168.1.20:8501", True)])
def test_an_iphone_needs_https_off_this_machine(origin, needs):
    assert phone_setup.needs_https(origin) == needs


def test_the_feed_address_is_webcal():
    assert (phone_setup.feed_url("https://fieldkit.example:8443", "abc")
            == "webcal://fieldkit.example:8443/feeds/abc.ics")


def accounts(data):
    profile = plistlib.loads(data)
    assert profile["PayloadType"] == "Configuration" and profile["PayloadVersion"] == 1
    return profile, {p["PayloadType"]: p for p in profile["PayloadContent"]}


def test_the_profile_is_a_plist_with_a_carddav_and_a_caldav_account():
    profile, found = accounts(phone_setup.mobileconfig("https://fieldkit.example"))
    assert set(found) == {"com.apple.carddav.account", "com.apple.caldav.account"}
    card, cal = found["com.apple.carddav.account"], found["com.apple.caldav.account"]
    assert (card["CardDAVHostName"], card["CardDAVPort"], card["CardDAVUseSSL"]) == (
        "fieldkit.example", 443, True)
    assert card["CardDAVPrincipalURL"] == cal["CalDAVPrincipalURL"] == "/dav/fieldkit/"
    assert card["CardDAVUsername"] == cal["CalDAVUsername"] == "fieldkit"
    assert "CardDAVPassword" not in card and "CalDAVPassword" not in cal
    uuids = [profile["PayloadUUID"], card["PayloadUUID"], cal["PayloadUUID"]]
    assert len(set(uuids)) == 3


def test_the_profile_carries_the_password_only_when_asked():
    _, found = accounts(phone_setup.mobileconfig("http://192.168.1.20:8501",
                                                 password="abcd-efgh-ijkm-npqr"))
    card, cal = found["com.apple.carddav.account"], found["com.apple.caldav.account"]
    assert card["CardDAVPassword"] == cal["CalDAVPassword"] == "abcd-efgh-ijkm-npqr"
    assert (card["CardDAVPort"], card["CardDAVUseSSL"]) == (8501, False)

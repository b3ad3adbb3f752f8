"""Where a phone finds FieldKit's contacts and calendar, and the iPhone's one-tap profile.

The addresses are declared here once: fieldkit.web.dav serves them, Settings
and the command line show them. The configuration profile (.mobileconfig)
holds a CardDAV and a CalDAV account for the iPhone's Settings to add with
one tap; it carries the app password only when asked to (otherwise the
iPhone asks for it while installing).
"""

from __future__ import annotations

import plistlib
import uuid
from urllib.parse import urlsplit

from fieldkit import contract
from fieldkit.app_passwords import USERNAME
from fieldkit.errors import ValidationError

DAV_PATH = contract.DAV_PATH
PRINCIPAL_PATH = f"{DAV_PATH}/{USERNAME}/"
FEED_PATH = contract.FEED_PATH
PROFILE_TYPE = "application/x-apple-aspen-config"
PROFILE_NAME = "FieldKit.mobileconfig"


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL the browser shows (Settings' own address)."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("This page's address is not a web address FieldKit can name.")
    return f"{parts.scheme}://{parts.netloc}"


def server_address(origin: str) -> str:
    """What a phone's CardDAV or CalDAV account takes as its server: FieldKit's /dav/."""
    return f"{origin}{DAV_PATH}/"


def feed_url(origin: str, token: str) -> str:
    """The webcal address of the calendar feed, for a calendar that subscribes."""
    parts = urlsplit(origin)
    return f"webcal://{parts.netloc}{FEED_PATH}{token}.ics"


def needs_https(origin: str) -> bool:
    """Whether an iPhone would refuse this address: it sends no password over plain
    HTTP, except to this machine itself."""
    parts = urlsplit(origin)
    return parts.scheme != "https" and parts.hostname not in ("localhost", "127.0.0.1", "::1")


def _account(kind: str, origin: str, identifier: str, description: str,
             password: str | None) -> dict:
    parts = urlsplit(origin)
    secure = parts.scheme == "https"
    prefix = {"carddav": "CardDAV", "caldav": "CalDAV"}[kind]
    account = {
        "PayloadType": f"com.apple.{kind}.account",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{identifier}.{kind}",
        "PayloadUUID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{origin}#{kind}")).upper(),
        "PayloadDisplayName": description,
        f"{prefix}AccountDescription": description,
        f"{prefix}HostName": parts.hostname,
        f"{prefix}Port": parts.port or (443 if secure else 80),
        f"{prefix}UseSSL": secure,
        f"{prefix}PrincipalURL": PRINCIPAL_PATH,
        f"{prefix}Username": USERNAME,
    }
    if password:
        account[f"{prefix}Password"] = password
    return account


def mobileconfig(origin: str, *, password: str | None = None) -> bytes:
    """A configuration profile adding FieldKit's contacts and calendar to an iPhone.

    ``origin`` is the server as the phone reaches it (``https://host``).
    Without ``password`` the iPhone asks for the app password on install.
    """
    host = urlsplit(origin).hostname
    if not host:
        raise ValidationError("The server's address has no host name.")
    identifier = "fieldkit." + ".".join(reversed(host.split(".")))
    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier,
        "PayloadUUID": str(uuid.uuid5(uuid.NAMESPACE_URL, origin)).upper(),
        "PayloadDisplayName": "FieldKit",
        "PayloadDescription": "FieldKit's people in Contacts and its follow-ups in Calendar.",
        "PayloadRemovalDisallowed": False,
        "PayloadContent": [
            _account("carddav", origin, identifier, "FieldKit", password),
            _account("caldav", origin, identifier, "FieldKit follow-ups", password),
        ],
    }
    return plistlib.dumps(profile, fmt=plistlib.FMT_XML, sort_keys=True)

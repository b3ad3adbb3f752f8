"""Replaying what phones send to /dav/: their request bodies, and reading the answers.

The bodies are those iOS (dataaccessd) and DAVx5 send, trimmed of properties
no answer here depends on. Plain functions over any client with a
``request(method, url, headers=, content=)`` (Starlette's TestClient, httpx).
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

NS = {"d": "DAV:", "card": "urn:ietf:params:xml:ns:carddav",
      "cal": "urn:ietf:params:xml:ns:caldav", "cs": "http://calendarserver.org/ns/"}
_DECLARED = " ".join(f'xmlns:{p}="{uri}"' for p, uri in NS.items())


def basic(password: str, username: str = "fieldkit") -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"authorization": f"Basic {token}"}


def propfind_body(*props: str) -> str:
    inner = "".join(f"<{p}/>" for p in props)
    return f'<?xml version="1.0" encoding="UTF-8"?><d:propfind {_DECLARED}><d:prop>{inner}</d:prop></d:propfind>'


def sync_body(token: str = "", *props: str) -> str:
    inner = "".join(f"<{p}/>" for p in props or ("d:getetag",))
    return (f'<?xml version="1.0" encoding="UTF-8"?><d:sync-collection {_DECLARED}>'
            f"<d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>"
            f"<d:prop>{inner}</d:prop></d:sync-collection>")


def multiget_body(hrefs, kind: str = "card") -> str:
    data = "card:address-data" if kind == "card" else "cal:calendar-data"
    root = "card:addressbook-multiget" if kind == "card" else "cal:calendar-multiget"
    refs = "".join(f"<d:href>{h}</d:href>" for h in hrefs)
    return (f'<?xml version="1.0" encoding="UTF-8"?><{root} {_DECLARED}><d:prop><d:getetag/>'
            f"<{data}/></d:prop>{refs}</{root}>")


def dav(client, method: str, url: str, body: str | None = None, *, depth: str | None = None,
        auth: dict | None = None, **headers):
    if depth is not None:
        headers["depth"] = depth
    if body is not None:
        headers.setdefault("content-type", "application/xml; charset=utf-8")
    return client.request(method, url, headers={**(auth or {}), **headers},
                          content=body.encode() if isinstance(body, str) else body)


def responses(answer) -> dict[str, dict[str, ET.Element]]:
    """href -> {property tag: element} of the found properties of a 207 multistatus."""
    root = ET.fromstring(answer.content)
    found = {}
    for response in root.findall("d:response", NS):
        href = response.findtext("d:href", namespaces=NS)
        props = {}
        for propstat in response.findall("d:propstat", NS):
            if "200" in (propstat.findtext("d:status", namespaces=NS) or ""):
                for prop in propstat.find("d:prop", NS):
                    props[prop.tag] = prop
        status = response.findtext("d:status", namespaces=NS)
        if status is not None:
            props["status"] = status
        found[href] = props
    return found


def tag(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{NS[prefix]}}}{local}"


def sync_token(answer) -> str:
    return ET.fromstring(answer.content).findtext("d:sync-token", namespaces=NS)


def text_of(props: dict, name: str) -> str | None:
    element = props.get(tag(name))
    return None if element is None else (element.text or "")


def hrefs_in(props: dict, name: str) -> list[str]:
    element = props.get(tag(name))
    return [] if element is None else [h.text for h in element.findall("d:href", NS)]

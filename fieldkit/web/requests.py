"""What a request says of itself: the host it asks for, where it comes from, over what.

Plain functions over Starlette's ``HTTPConnection`` (a request or a
websocket), used by the routes and the middleware alike. Headers a client
can write (Host, Origin, X-Forwarded-*) are believed only as far as the
server can check them.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Collection, Sequence
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection, Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str | None) -> Address | None:
    try:
        return ipaddress.ip_address((text or "").strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None


def _trusted(address: Address | None, proxies: Sequence[Network]) -> bool:
    """Whether ``address`` is a proxy whose forwarding headers are believed."""
    if address is None:
        return False
    if address.is_loopback:
        return True
    return any(address.version == net.version and address in net for net in proxies)


def _peer(conn: HTTPConnection) -> Address | None:
    return _address(conn.client.host if conn.client else None)


def client_address(conn: HTTPConnection, proxies: Sequence[Network] = ()) -> str:
    """The address of the browser behind this request, as sign-in counts it.

    The peer's own address, unless the peer is a trusted proxy (loopback, or
    one of ``proxies``): then the last address in X-Forwarded-For that is not
    a trusted proxy, read from the right, where each proxy adds the one it
    saw. A client that writes its own X-Forwarded-For only adds entries to
    the left of the one its proxy wrote, which are never reached.
    """
    peer = _peer(conn)
    named = peer.compressed if peer is not None else (conn.client.host if conn.client else "")
    if not _trusted(peer, proxies):
        return named
    hops = ",".join(conn.headers.getlist("x-forwarded-for")).split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # not written by a proxy of ours: stop believing here
        if not _trusted(address, proxies):
            return address.compressed
    return named


def is_https(conn: HTTPConnection, proxies: Sequence[Network] = ()) -> bool:
    """Whether the browser reached this server over HTTPS.

    The scope says so when uvicorn served HTTPS itself, or when it trusted a
    proxy's X-Forwarded-Proto. The header is also taken here from a trusted
    proxy (loopback, or one of ``proxies``), so the answer does not depend on
    how the server was started. From anywhere else it is ignored: any client
    can send it. Believing it wrongly could only make the cookie Secure, the
    origin check stricter and HSTS sent, never let anyone in.
    """
    if conn.url.scheme in ("https", "wss"):
        return True
    forwarded = conn.headers.get("x-forwarded-proto", "")
    return _trusted(_peer(conn), proxies) and forwarded.split(",")[-1].strip().lower() == "https"


def host_name(conn: HTTPConnection) -> str | None:
    """The host the request asks for (the Host header without its port), or None if unreadable."""
    raw = conn.headers.get("host", "").strip().lower()
    if not raw or any(c.isspace() or c in "/\\@?#" for c in raw):
        return None
    if raw.startswith("["):  # [IPv6]:port
        inside, _, rest = raw[1:].partition("]")
        address = _address(inside)
        if address is None or (rest and not (rest[0] == ":" and rest[1:].isdigit())):
            return None
        return address.compressed
    name, colon, port = raw.rpartition(":") if raw.count(":") == 1 else (raw, "", "")
    if colon and not port.isdigit():
        return None
    address = _address(name)
    return address.compressed if address is not None else name.rstrip(".")


@functools.cache
def _machine_names() -> frozenset[str]:
    """This machine's own names: its host name, and that name on the local network (mDNS)."""
    name = socket.gethostname().lower().rstrip(".")
    return frozenset({name, f"{name}.local"}) if name else frozenset()


def host_allowed(conn: HTTPConnection, configured: Collection[str] = ()) -> bool:
    """Whether this server answers for the host the request names.

    Loopback names and addresses, the address the request arrived on, this
    machine's own names, and those ``configured`` (FIELDKIT_HOSTS). Any other
    name is a page of another site that made its name point here (DNS
    rebinding): it would read the answers as its own.
    """
    host = host_name(conn)
    if host is None:
        return False
    if host in configured or host in _machine_names():
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = _address(host)
    if address is None:
        return False
    if address.is_loopback:
        return True
    server = conn.scope.get("server")
    arrived_on = _address(server[0]) if server else None
    return arrived_on is not None and address == arrived_on


def own_origin(conn: HTTPConnection, proxies: Sequence[Network] = ()) -> str:
    """This server's origin as the browser sees it: ``scheme://host[:port]``."""
    scheme = "https" if is_https(conn, proxies) else "http"
    return f"{scheme}://{conn.headers.get('host', '')}".lower()


def same_origin(conn: HTTPConnection, proxies: Sequence[Network] = ()) -> bool:
    """Whether the request came from a page of this server (Origin, else Referer).

    A form on another site can post here, and the browser would store what it
    gets back or act on it; only this server's own page may. A request with
    neither header is refused: browsers send Origin with every POST.
    """
    origin = conn.headers.get("origin")
    if origin is None:
        referer = conn.headers.get("referer")
        if not referer:
            return False
        try:
            parts = urlsplit(referer)
        except ValueError:
            return False
        origin = f"{parts.scheme}://{parts.netloc}"
    return origin.strip().lower() == own_origin(conn, proxies)


async def body_at_most(request: Request, limit: int) -> bytes | None:
    """The request's body, or None when it is longer than ``limit`` bytes (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)

"""This server as FieldKit's routes and middleware see it: its file, its names, who may in.

app.py makes one ``Site`` from the environment (read live, as the pages
read it per run) and the pages' knowledge of an identity provider, and hands
it to every route and middleware, so that each asks the same questions the
same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread
from starlette.requests import HTTPConnection

from fieldkit import access, config, contract, db as fdb
from fieldkit.web import requests, streamlit_account


def _no_provider() -> Sequence[str] | None:
    return None


@dataclass(frozen=True)
class Site:
    """Where the database is, which names and proxies to believe, and who may open FieldKit."""

    environ: Mapping[str, str] = field(default_factory=dict)
    # The addresses allowed in when an identity provider signs people in
    # (secrets.toml, read by the pages' gate); None when none is set up.
    provider: Callable[[], Sequence[str] | None] = _no_provider

    def database(self) -> Path:
        return config.database_path(self.environ)

    def hosts(self) -> frozenset[str]:
        return config.allowed_hosts(self.environ)

    def proxies(self) -> tuple[requests.Network, ...]:
        return config.trusted_proxies(self.environ)

    def client(self, conn: HTTPConnection) -> str:
        """The browser's address, as sign-in counts wrong passwords."""
        return requests.client_address(conn, self.proxies())

    def is_https(self, conn: HTTPConnection) -> bool:
        return requests.is_https(conn, self.proxies())

    def same_origin(self, conn: HTTPConnection) -> bool:
        return requests.same_origin(conn, self.proxies())

    def own_origin(self, conn: HTTPConnection) -> str:
        return requests.own_origin(conn, self.proxies())

    def host_allowed(self, conn: HTTPConnection) -> bool:
        return requests.host_allowed(conn, self.hosts())

    async def admits(self, conn: HTTPConnection) -> bool:
        """Whether the browser behind ``conn`` may open FieldKit (``access.may_open``).

        Reads the file in a worker thread; raises FieldkitError when it cannot.
        """
        allowed = self.provider()
        if allowed is not None:
            account = access.Provider(streamlit_account.email(conn, self.own_origin(conn)),
                                      tuple(allowed))
            return access.may_open(provider=account, password_set=False,
                                   device_signed_in=lambda: False)
        return await anyio.to_thread.run_sync(self.device_admits,
                                              conn.cookies.get(contract.DEVICE_COOKIE))

    def device_admits(self, token: str | None) -> bool:
        """Whether a browser holding device ``token`` may open FieldKit (no provider set up)."""
        with fdb.connect(self.database()) as db:
            return access.may_open(provider=None,
                                   password_set=access.password_stamp(db) is not None,
                                   device_signed_in=lambda: access.device_signed_in(db, token))

"""FieldKit's own HTTP routes beside Streamlit's: the app shell, /booth, /sign-in, the API.

Each route reads the request, asks the core or the shell, answers. The
shell's routes (manifest, worker, icons) answer the same to anyone; /sign-in
(fieldkit.web.signin) is where a browser gives the password; /booth
(fieldkit.web.booth_page) takes cards with no network, for everyone alike; /api/*
(fieldkit.web.api) holds personal data and is guarded as the pages are.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fieldkit.web import api, booth_page, dav, icons, shell, signin, sockets
from fieldkit.web.browser import served
from fieldkit.web.compress import StaticCompression
from fieldkit.web.doors import Doors
from fieldkit.web.icon_font import IconFont
from fieldkit.web.middleware import SecurityHeaders, ShellPage, StartUp
from fieldkit.web.site import Site

# Asked for again each time the page is: a new FieldKit shows up at once.
REVALIDATE = "no-cache"
# Icons never change for a version; a day is long enough to matter, short
# enough for a new drawing to arrive.
ICON_CACHE = "public, max-age=86400"


@functools.cache
def service_worker(page_file: Path) -> str:
    """sw.js with this version's name, the static files FieldKit's page loads and the booth's."""
    html = page_file.read_bytes()
    script = served("sw.js")
    name = shell.version(shell.with_head_tags(html) + script.encode() + booth_page.fingerprint())
    return (script
            .replace("__VERSION__", name)
            .replace("__SHELL__", json.dumps(shell_files(html)))
            .replace("__OFFLINE__", json.dumps(list(booth_page.OFFLINE))))


def shell_files(html: bytes) -> list[str]:
    """What the worker keeps: the files the page loads, then the widgets' code it preloads."""
    own = shell.static_files(shell.with_head_tags(html))
    return own + [f for f in shell.widget_files() if f not in own]


def middleware(page_file: Path | None = None, icon_sources: Iterable[Path] = (),
               site: Site | None = None,
               start_up: Iterable[Callable[[], object]] = (),
               kept_in: Path | None = None) -> list[Middleware]:
    """Outermost first: headers on every answer, the host and Streamlit's own doors
    checked (``site`` says who may open FieldKit), the page made a shell, static files
    compressed (the page's own, ``page_file``'s, at start-up), the icon font cut to the
    icons named in ``icon_sources`` (folders of code); both kept in ``kept_in`` across
    starts (fieldkit.web.kept_files). ``start_up`` runs in worker threads as the server
    starts, before it answers (after TCP_NODELAY on its sockets, fieldkit.web.sockets)."""
    warm = shell_files(page_file.read_bytes()) if page_file else ()
    site = site or Site()
    return [Middleware(StartUp, tasks=(sockets.answer_at_once, *start_up)),
            Middleware(SecurityHeaders, site=site), Middleware(Doors, site=site),
            Middleware(ShellPage, own=booth_page.FILES),
            Middleware(StaticCompression, warm=warm,
                       root=page_file.parent if page_file else None, kept_in=kept_in),
            Middleware(IconFont, sources=tuple(icon_sources),
                       root=page_file.parent if page_file else None, kept_in=kept_in)]


def routes(page_file: Path, site: Site | None = None) -> list[Route]:
    """The routes app.py adds to Streamlit's; ``page_file`` is Streamlit's index.html.

    ``site`` says where the database is and who may open FieldKit, for
    /sign-in and /api/*; without it (a test of the shell alone) there are
    neither.
    """

    async def manifest(request: Request) -> Response:
        return Response(shell.manifest_bytes(), media_type="application/manifest+json",
                        headers={"cache-control": REVALIDATE})

    async def worker(request: Request) -> Response:
        return Response(service_worker(page_file), media_type="text/javascript",
                        headers={"cache-control": REVALIDATE})

    async def icon(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in icons.ICONS:
            return Response("No such icon.", status_code=404, media_type="text/plain")
        return Response(icons.png(name), media_type="image/png",
                        headers={"cache-control": ICON_CACHE})

    return [
        Route(shell.MANIFEST_PATH, manifest, methods=["GET"]),
        Route(shell.SW_PATH, worker, methods=["GET"]),
        Route(shell.ICON_PREFIX + "{name}", icon, methods=["GET"]),
        *booth_page.routes(),
        *(signin.routes(site) if site is not None else []),
        *(api.routes(site) if site is not None else []),
        *(dav.routes(site) if site is not None else []),
    ]

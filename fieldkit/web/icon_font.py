"""Streamlit's icon font cut down to the icons that can be shown: 375 kB becomes about 20 kB.

Material Symbols draws each icon from its name by a ligature ("save" turns
into the save glyph), and Streamlit sends the whole font, four thousand
icons, to a phone that shows a few dozen. FieldKit sends a subset: the
glyphs of every icon named in FieldKit's code (``:material/save:``) and in
Streamlit's own (its scripts and Python package, so no screen of its own
loses an icon), plus the letters the names are spelt with. The names are
read from the installed code and the subset made once, in the background as
the server starts (a first phone would otherwise wait three seconds for it),
and kept; the font's URL stays the same.
"""

from __future__ import annotations

import io
import re
import string
from collections.abc import Iterable
from pathlib import Path

import anyio
import anyio.to_thread
from fontTools import subset as font_subset
from fontTools.ttLib import TTFont
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from fieldkit.web import kept_files
from fieldkit.web.compress import after_start_up, plain_get, whole_answer

FONT_PATH = re.compile(r"^/static/media/MaterialSymbols-[A-Za-z]+\.[\w-]+\.woff2$")
_NAMED = re.compile(rb"material/([a-z0-9_]+)")
_SPELLING = string.ascii_lowercase + string.digits + "_"
_SCANNED = (".py", ".js")


def icon_names(roots: Iterable[Path]) -> set[str]:
    """Every icon named as ``material/<name>`` in the .py and .js files under ``roots``."""
    names: set[str] = set()
    for root in roots:
        for path in root.rglob("*"):
            if path.suffix in _SCANNED and path.is_file():
                names.update(name.decode() for name in _NAMED.findall(path.read_bytes()))
    return names


def ligatures(font: TTFont) -> dict[str, str]:
    """Each icon's name, as spelt in letters, and the glyph its ligature makes.

    Read from the spelling, not from the glyph's name: an icon with two names
    (``location_on`` and ``place``) has one glyph, named after only one.
    """
    letters = {glyph: chr(code) for code, glyph in font.getBestCmap().items()}
    made: dict[str, str] = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            table = getattr(table, "ExtSubTable", table)
            for first, found in getattr(table, "ligatures", {}).items():
                for ligature in found:
                    spelt = [letters.get(glyph) for glyph in (first, *ligature.Component)]
                    if None not in spelt:
                        made.setdefault("".join(spelt), ligature.LigGlyph)
    return made


def subset(font_data: bytes, names: Iterable[str]) -> bytes:
    """The woff2 font with only the icons ``names`` (those it has) and the letters to spell them."""
    font = TTFont(io.BytesIO(font_data))
    cmap = font.getBestCmap()
    letters = [ord(c) for c in _SPELLING if ord(c) in cmap]
    made = ligatures(font)
    icons = sorted({made[name] for name in names if name in made})
    options = font_subset.Options()
    options.layout_features = ["*"]
    # Keep a ligature only when its icon was asked for: without this the
    # subsetter would follow every ligature the letters can make (all of them).
    options.layout_closure = False
    options.flavor = "woff2"
    options.name_IDs = ["*"]
    options.notdef_outline = True
    cutter = font_subset.Subsetter(options)
    cutter.populate(glyphs=icons + [cmap[u] for u in letters], unicodes=letters)
    cutter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def cut(font_data: bytes, sources: Iterable[Path], kept_in: Path | None = None) -> bytes:
    """The subset of ``font_data`` with the icons named in ``sources``; read back from
    ``kept_in`` when an earlier start (or fieldkit.web.prepare) cut the same, else kept."""
    names = sorted(icon_names(sources))
    return kept_files.made(
        kept_in, kept_files.name_for("woff2", font_data, "\n".join(names).encode()),
        lambda: subset(font_data, names), good=lambda kept: kept[:4] == b"wOF2")


class IconFont:
    """ASGI middleware: Streamlit's Material Symbols font answered by its subset, made once."""

    def __init__(self, app: ASGIApp, sources: Iterable[Path] = (), root: Path | None = None,
                 kept_in: Path | None = None):
        self.app = app
        self.kept_in = kept_in  # where earlier starts kept their cut (None: nowhere)
        self.sources = tuple(sources)
        # Streamlit's static folder, where the fonts to cut at start-up are (None: none).
        self.root = root
        self._kept: dict[str, tuple[list, bytes]] = {}
        self._lock = anyio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" and self.root is not None and self.sources:
            await self.app(scope, receive, after_start_up(send, self._cut_at_start))
            return
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or not FONT_PATH.match(scope["path"]) or not self.sources):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path not in self._kept:
            async with self._lock:
                if path not in self._kept:
                    kept = await self._cut(scope, receive)
                    if kept is None:
                        await self.app(scope, receive, send)
                        return
                    self._kept[path] = kept
        headers, body = self._kept[path]
        if Headers(scope=scope).get("if-none-match") == dict(headers).get(b"etag", b"").decode():
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else body})

    async def _cut_at_start(self) -> None:
        """Cut each Material Symbols font of the static folder before a phone asks for it."""
        for font in sorted((self.root / "static" / "media").glob("MaterialSymbols-*.woff2")):
            path = f"/static/media/{font.name}"
            if not FONT_PATH.match(path):
                continue
            scope, receive = plain_get(path)
            try:
                async with self._lock:
                    if path not in self._kept and (kept := await self._cut(scope, receive)):
                        self._kept[path] = kept
            except Exception:  # left to its first request, which tries again
                pass

    async def _cut(self, scope: Scope, receive: Receive) -> tuple[list, bytes] | None:
        start, body = await whole_answer(self.app, scope, receive)
        if start.get("status") != 200:
            return None
        font = await anyio.to_thread.run_sync(cut, body, self.sources, self.kept_in)
        original = Headers(raw=start["headers"])
        etag = (original.get("etag") or '"font"').rstrip('"') + '-fieldkit"'
        headers = [(k, v) for k, v in start["headers"]
                   if k not in (b"content-length", b"etag", b"last-modified", b"accept-ranges")]
        headers += [(b"content-length", str(len(font)).encode()), (b"etag", etag.encode())]
        return headers, font

"""``python -m fieldkit.web.prepare``: what the server makes of Streamlit's files at a
start (the page's scripts compressed, the icon font cut), made ahead of time.

The server keeps what it makes in the kept-files folder (fieldkit.web.kept_files) and
reads it back at its next start; made here first, by ``make run`` when it installs, even
the first start after an install answers its first phone without waiting for it. The
server makes whatever is missing itself, as before.
"""

from __future__ import annotations

import argparse
import mimetypes
import os
import sys
from pathlib import Path

import fieldkit
from fieldkit.web import compress, icon_font, kept_files
from fieldkit.web.routes import shell_files

ROOT = Path(fieldkit.__file__).resolve().parents[1]


def icon_sources() -> tuple[Path, ...]:
    """The code whose icons a screen can show: FieldKit's pages and core, and Streamlit."""
    import streamlit
    return ROOT / "pages", ROOT / "fieldkit", Path(streamlit.__file__).resolve().parent


def streamlit_page() -> Path:
    """Streamlit's page (index.html), in the folder its /static/ files are served from."""
    from streamlit import file_util
    return Path(file_util.get_static_dir()) / "index.html"


def prepare(kept_in: Path, page: Path | None = None,
            sources: tuple[Path, ...] | None = None) -> tuple[int, int]:
    """(scripts compressed, fonts cut) into ``kept_in``, as a start would make them."""
    page = page or streamlit_page()
    scripts = fonts = 0
    for path in shell_files(page.read_bytes()):
        file = page.parent / path.lstrip("/")
        kind = mimetypes.guess_type(file.name)[0] or ""
        if not file.is_file() or kind.startswith(compress.SKIPPED_TYPES):
            continue
        body = file.read_bytes()
        if len(body) >= compress.MINIMUM_BYTES:
            compress.compressed(body, "br", kept_in)
            scripts += 1
    for font in sorted((page.parent / "static" / "media").glob("MaterialSymbols-*.woff2")):
        icon_font.cut(font.read_bytes(), sources or icon_sources(), kept_in)
        fonts += 1
    return scripts, fonts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fieldkit.web.prepare",
                                     description=__doc__.split("\n\n")[0].split(": ", 1)[1])
    parser.parse_args(argv)
    folder = kept_files.folder(os.environ)
    scripts, fonts = prepare(folder)
    print(f"{scripts} scripts compressed and {fonts} icon font cut, kept in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

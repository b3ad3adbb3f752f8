"""What the server makes from Streamlit's installed files, kept on disk across starts.

Compressing Streamlit's scripts with brotli's best quality and cutting the icon font
take seconds of CPU. Made in memory only, every start paid them again, and the first
phone after a restart at a venue waited for them. Kept here, only the first start
after an install (or an upgrade of Streamlit) makes them; a restart reads them back.

The folder is ``$FIELDKIT_CACHE``, else ``$XDG_CACHE_HOME/fieldkit``, else
``~/.cache/fieldkit``. Nothing personal is ever kept here: only forms of files any
visitor may download. A file is named by a hash of everything it was made from and
is written whole (a temporary file, then renamed), so a name never holds anything
else; a file made for another version is simply never asked for again. It is all best
effort: a folder that cannot be read or written, or a file that fails its check, means
the thing is made afresh, as without a folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

CACHE_ENV = "FIELDKIT_CACHE"


def folder(environ: Mapping[str, str]) -> Path:
    """Where the kept files are, for this environment."""
    if chosen := environ.get(CACHE_ENV, "").strip():
        return Path(chosen)
    base = environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "fieldkit"


def name_for(kind: str, *sources: bytes) -> str:
    """A file name that changes when any of ``sources`` does (``kind``: what was made)."""
    digest = hashlib.sha256()
    for source in sources:
        digest.update(len(source).to_bytes(8, "big"))
        digest.update(source)
    return f"{digest.hexdigest()}.{kind}"


def made(place: Path | None, name: str, make: Callable[[], bytes],
         good: Callable[[bytes], bool] = bool) -> bytes:
    """What ``make`` makes: read from ``place / name`` when an earlier start kept it there
    and it is ``good``, else made now and kept (``place`` None: made, kept nowhere)."""
    if place is None:
        return make()
    path = place / name
    with contextlib.suppress(OSError):
        kept = path.read_bytes()
        with contextlib.suppress(Exception):
            if good(kept):
                return kept
    fresh = make()
    _keep(path, fresh)
    return fresh


def _keep(path: Path, data: bytes) -> None:
    temporary = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".", delete=False) as out:
            temporary = out.name
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)

"""What the server loads before its first phone asks: the modules the pages import.

A page's first run in a new server process imports what it uses (FieldKit's
modules, pandas, Altair, the code readers): two thirds of a second that the
first phone at a venue would wait for. app.py has the web part call
``warm_up`` in a worker thread as the server starts.
"""

from __future__ import annotations

import ast
import importlib
import inspect

from fieldkit.ui import nav


def page_imports() -> list[str]:
    """Every module a page imports, in the order the pages name them."""
    found: dict[str, None] = {}
    for spec in nav.PAGES:
        tree = ast.parse((nav.ROOT / spec.file).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found[node.module] = None
                # "from fieldkit.ui import capture_actions" names a module too.
                found.update(dict.fromkeys(f"{node.module}.{alias.name}" for alias in node.names))
    return list(found)


def warm_up() -> None:
    """Import what the pages import, as their first run would; then map every module
    loaded to its file, as the first element a session draws would."""
    for name in page_imports():
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:  # "fieldkit.ui.text.md": a name in a module, not one
            pass
    # Streamlit's first element checks once whether it runs in a REPL (inspect.stack()),
    # and inspect maps each loaded module to its real path on the way: a third of a
    # second for the ~1,900 modules, in the first phone's first run. inspect keeps
    # that map; filled here, the check finds it ready.
    inspect.stack()

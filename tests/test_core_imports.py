"""The layers, tested: the core imports neither streamlit, starlette, fieldkit.web nor fieldkit.ui;
fieldkit.web and fieldkit.ui do not import each other; no import cycle anywhere.

fieldkit.ui is the pages' part (Streamlit's script API); fieldkit.web is the HTTP part (Starlette,
and Streamlit's server internals listed in docs/architecture.md). Only app.py and the frame put
the two together.
"""

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import fieldkit

ROOT = Path(__file__).resolve().parents[1]
EDGE = ("fieldkit.ui", "fieldkit.web")
# What the core must never load: the user interface, the web, or what they are built on.
NOT_IN_THE_CORE = ("streamlit", "starlette", "fieldkit.web", "fieldkit.ui")


def core_modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.walk_packages(fieldkit.__path__, prefix="fieldkit.")
        if not m.name.startswith(EDGE) and m.name != "fieldkit.__main__"
    )


def loaded_by(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    """The modules under ``prefixes`` that importing ``modules`` loads, in a fresh interpreter."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules\n"
        f"                        if any(m == p or m.startswith(p + '.') for p in {prefixes!r}))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_core_modules_are_found():
    assert {"fieldkit.db", "fieldkit.config", "fieldkit.sample", "fieldkit.access"} <= set(
        core_modules())
    assert not any(m.startswith(EDGE) for m in core_modules())


def test_core_modules_import_neither_the_ui_nor_the_web_nor_what_they_are_built_on():
    assert loaded_by(core_modules(), NOT_IN_THE_CORE) == []


@pytest.mark.parametrize(("module", "expected"), [
    ("fieldkit.ui.database", "streamlit"),
    ("fieldkit.web.api", "starlette"),
    ("fieldkit.web.api", "fieldkit.web"),
])
def test_the_check_sees_what_an_edge_module_loads(module, expected):
    # Guards the test above against passing because nothing was looked for.
    assert expected in loaded_by([module], (expected,))


def test_the_web_and_the_ui_do_not_import_each_other():
    graph = import_graph(ROOT / "fieldkit")
    crossing = sorted((a, b) for a, targets in graph.items() for b in targets
                      if (a.startswith("fieldkit.web") and b.startswith("fieldkit.ui"))
                      or (a.startswith("fieldkit.ui") and b.startswith("fieldkit.web")))
    assert crossing == []


def test_the_web_and_ui_check_sees_a_crossing(tmp_path):
    package = tmp_path / "fieldkit"
    for sub in ("web", "ui"):
        (package / sub).mkdir(parents=True)
        (package / sub / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "web" / "a.py").write_text("from fieldkit.ui import b\n")
    (package / "ui" / "b.py").write_text("import os\n")
    assert "fieldkit.ui" in import_graph(package)["fieldkit.web.a"]


# --- no import cycle inside fieldkit ----------------------------------------------


def import_graph(package: Path) -> dict[str, set[str]]:
    """Which modules of ``package`` each of its modules imports, read from the source.

    Every import counts, also one inside a function: a cycle hidden in a
    function is still a cycle, only one that breaks later.
    """
    name = package.name
    modules = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for module, path in modules.items():
        here = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                # "from fieldkit import cards" imports the module fieldkit.cards.
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
            graph[module] |= {t for t in targets if t in modules and t != module
                              and t.split(".")[0] == name and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path that returns to where it began, or None."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return path[path.index(module):] + [module]
        if module in done:
            return None
        for target in sorted(graph[module]):
            if cycle := visit(target, [*path, module]):
                return cycle
        done.add(module)
        return None

    for module in sorted(graph):
        if cycle := visit(module, []):
            return cycle
    return None


def test_fieldkit_has_no_import_cycle():
    graph = import_graph(ROOT / "fieldkit")
    assert {"fieldkit.cards", "fieldkit.ui.gate"} <= set(graph)
    assert "fieldkit.db" in graph["fieldkit.cards"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_import_cycle_is_found_also_through_an_import_inside_a_function(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("from .. import c\n")
    (package / "c.py").write_text("import os\n\ndef later():\n    from pkg import a\n")
    graph = import_graph(package)
    assert graph == {"pkg": set(), "pkg.sub": set(), "pkg.a": {"pkg.sub", "pkg.sub.b"},
                     "pkg.sub.b": {"pkg.c"}, "pkg.c": {"pkg.a"}}
    assert find_cycle(graph) == ["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]
    (package / "c.py").write_text("import os\n")
    assert find_cycle(import_graph(package)) is None

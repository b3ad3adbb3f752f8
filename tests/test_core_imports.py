"""The core never imports streamlit; only fieldkit.ui may."""

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import fieldkit

ROOT = Path(__file__).resolve().parents[1]


def core_modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.walk_packages(fieldkit.__path__, prefix="fieldkit.")
        if not m.name.startswith("fieldkit.ui") and m.name != "fieldkit.__main__"
    )


def test_core_modules_are_found():
    assert {"fieldkit.db", "fieldkit.config", "fieldkit.sample"} <= set(core_modules())


def test_core_modules_do_not_import_streamlit():
    script = (
        "import importlib, json, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []


def test_ui_package_does_import_streamlit():
    # Guards the test above against passing because nothing was imported.
    script = "import sys, fieldkit.ui.session; print('streamlit' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"

"""What the browser tests and the benchmark start: a Streamlit server and a phone Chromium.

`Server` is `streamlit run app.py` on a free port of 127.0.0.1 against a
database file of its own, its output in a log file; `wait_healthy()` waits on
/_stcore/health and `stop()` ends it. The browser suite (conftest.py) serves
every test this way, and bench/run.py serves the app it measures the same way,
through bench/serve.py (which takes the same arguments and logs each script
run's time).

Why here: it is test infrastructure, not product code, so not in fieldkit/.
The browser tests are its first user and must run without the benchmark,
while the benchmark already drives its pages with tests/browser/helpers.py:
so bench/ imports tests/browser/ and never the other way round. It needs the
standard library only (no pytest), and bench/run.py, run as
`python -m bench.run` from the repository, imports it as
`tests.browser.launcher`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from fieldkit.processes import end

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    # The sandbox needs user namespaces that containers and CI runners often lack.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Chromium otherwise phones home (updates, sync, field trials); there is no network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A microphone that plays a tone, allowed without asking: voice memos can be recorded.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
PHONE = dict(
    # A phone's own user agent: pages may size for it (the heat map shows 26 weeks).
    user_agent=("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                "(KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"),
    viewport={"width": 390, "height": 844},
    is_mobile=True,
    has_touch=True,
    device_scale_factor=2,
)


def find_chromium() -> str | None:
    """Path of the Chromium binary to drive (FIELDKIT_CHROMIUM overrides), or None."""
    override = os.environ.get("FIELDKIT_CHROMIUM")
    if override:
        # An explicit choice that is wrong should not silently fall back to another binary.
        return override if os.access(override, os.X_OK) else None
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


class ServerDidNotStart(RuntimeError):
    """The server exited, or did not answer /_stcore/health in time; the message holds its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    """Whether the Streamlit server at ``url`` answers its health check with ``ok``."""
    # An empty ProxyHandler: a proxy from the environment must not see localhost traffic.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:  # refused while starting, reset, timed out
        return False


class Server:
    """`python -m <module> run <script>` from the repository, started on construction.

    ``module`` is "streamlit", or a wrapper that takes the same arguments
    (bench/serve.py); ``env`` is added to this process's environment after
    FIELDKIT_DB, which names ``db_path``. Use as a context manager, or call
    ``stop()``, so that no server outlives its user.
    """

    def __init__(self, db_path: Path, log_path: Path, *, script: str = "app.py",
                 module: str = "streamlit", env: dict[str, str] | None = None):
        self.db_path = Path(db_path)
        self.log_path = Path(log_path)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", module, "run", script,
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--server.fileWatcherType", "none",
        ]
        environment = dict(os.environ, FIELDKIT_DB=str(self.db_path), **(env or {}))
        # Taken just before the spawn: the benchmark's cold start counts from here.
        self.started = time.perf_counter()
        # A file, not a pipe: nobody reads a pipe while the server runs, and a full one blocks it.
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=environment, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        """Return once /_stcore/health answers; raise ServerDidNotStart if it never does."""
        deadline = time.monotonic() + timeout
        while not healthy(self.url):
            if self.process.poll() is not None:
                raise ServerDidNotStart(
                    f"streamlit exited with code {self.process.returncode} before answering "
                    f"/_stcore/health:\n{self.log()}"
                )
            if time.monotonic() > deadline:
                raise ServerDidNotStart(
                    f"streamlit did not answer {self.url}/_stcore/health within "
                    f"{timeout:.0f} s:\n{self.log()}"
                )
            # Short: the benchmark's cold start includes the time spent here.
            time.sleep(0.05)

    def stop(self) -> None:
        end(self.process)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

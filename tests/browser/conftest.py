"""Browser-test harness: a real `streamlit run` per test, one Chromium per session.

Run with `python -m pytest tests/browser`. Chromium comes from Debian
(`apt-get install chromium`), never from `playwright install`; set
FIELDKIT_CHROMIUM to use another binary and FIELDKIT_SCREENSHOTS to keep the
screenshots somewhere you can look at them.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from .helpers import watch

REPO_ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

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
SERVER_START_TIMEOUT = 30.0

_screenshot_dirs = []


def unavailable(reason):
    """Skip on a developer's machine, but fail in CI, where a skip would hide a broken setup."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def find_chromium():
    """Path of the Chromium binary to drive, or None."""
    override = os.environ.get("FIELDKIT_CHROMIUM")
    if override:
        # An explicit choice that is wrong should not silently fall back to another binary.
        return override if os.access(override, os.X_OK) else None
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _health_ok(url):
    # An empty ProxyHandler: a proxy from the environment must not see localhost traffic.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@dataclass
class Server:
    url: str
    db_path: Path
    process: subprocess.Popen
    log_path: Path

    def log(self):
        return self.log_path.read_text(errors="replace")


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real Streamlit server with Chromium")


def pytest_collection_modifyitems(items):
    # Marked so that `-m "not browser"` gives a quick run without Chromium.
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    for folder in _screenshot_dirs:
        terminalreporter.write_line(f"browser screenshots: {folder}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Kept on the item so that fixtures can tell, at teardown, whether the test failed.
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        override = os.environ.get("FIELDKIT_CHROMIUM")
        if override:
            unavailable(f"FIELDKIT_CHROMIUM={override} is not an executable file")
        unavailable(
            "no Chromium found (looked at "
            + ", ".join(CHROMIUM_CANDIDATES)
            + " and chromium/chromium-browser on PATH); "
            "install it with `apt-get install chromium` or set FIELDKIT_CHROMIUM"
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        unavailable(f"playwright is not importable ({error}); pip install -r requirements-dev.txt")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_context(browser):
    context = browser.new_context(**PHONE)
    yield context
    context.close()


@pytest.fixture
def phone_page(request, phone_context, screenshot_dir):
    """A page in the phone context, already watched for errors and reruns."""
    page = phone_context.new_page()
    watch(page)
    yield page
    if getattr(request.node, "browser_test_failed", False):
        # What the page looked like when the assertion failed, for a CI log or a developer.
        try:
            page.screenshot(path=str(screenshot_dir / f"failed-{request.node.name}.png"), full_page=True)
        except Exception as error:  # best effort: the failure itself is already reported
            print(f"no failure screenshot: {error}")


@pytest.fixture
def server(tmp_path):
    """`streamlit run app.py` on a free port against a database file of its own."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    db_path = tmp_path / "fieldkit.db"
    log_path = tmp_path / "streamlit.log"
    env = dict(os.environ, FIELDKIT_DB=str(db_path))
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
    ]
    # A file, not a pipe: nobody reads a pipe while the test runs, and a full one blocks the server.
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT,
        )
    running = Server(url=url, db_path=db_path, process=process, log_path=log_path)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _health_ok(url):
            if process.poll() is not None:
                pytest.fail(
                    f"streamlit exited with code {process.returncode} before answering "
                    f"/_stcore/health:\n{running.log()}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit did not answer {url}/_stcore/health within "
                    f"{SERVER_START_TIMEOUT:.0f} s:\n{running.log()}",
                    pytrace=False,
                )
            time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory):
    folder = os.environ.get("FIELDKIT_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    _screenshot_dirs.append(path)
    return path


@pytest.fixture
def screenshot(screenshot_dir):
    """`screenshot(page, "name.png")` saves a full-page PNG for a developer to look at."""

    def take(page, name):
        path = screenshot_dir / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return take

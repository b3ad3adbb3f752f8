"""Browser-test harness: a real `streamlit run` per test, one Chromium per session.

Run with `python -m pytest tests/browser`. Chromium comes from Debian
(`apt-get install chromium`), never from `playwright install`; set
FIELDKIT_CHROMIUM to use another binary and FIELDKIT_SCREENSHOTS to keep the
screenshots somewhere you can look at them. The server and the phone are
started as launcher.py starts them, for the benchmark too.
"""

import os
from pathlib import Path

import pytest

from .helpers import watch, whole_page
from .launcher import (
    CHROMIUM_ARGS,
    CHROMIUM_CANDIDATES,
    PHONE,
    Server,
    ServerDidNotStart,
    find_chromium,
)

HERE = Path(__file__).resolve().parent

_screenshot_dirs = []


def unavailable(reason):
    """Skip on a developer's machine, but fail in CI, where a skip would hide a broken setup."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


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
    with Server(tmp_path / "fieldkit.db", tmp_path / "streamlit.log") as running:
        try:
            running.wait_healthy()
        except ServerDidNotStart as error:
            pytest.fail(str(error), pytrace=False)
        yield running


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory):
    folder = os.environ.get("FIELDKIT_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    _screenshot_dirs.append(path)
    return path


@pytest.fixture
def screenshot(screenshot_dir):
    """`screenshot(page, "name.png")` saves a full-page PNG for a developer to look at;
    with `whole=True` also the whole page, as tall as it is ("name-whole.png")."""

    def take(page, name, whole=False):
        path = screenshot_dir / name
        page.screenshot(path=str(path), full_page=True)
        if whole:
            whole_page(page, path.with_name(path.stem + "-whole.png"))
        return path

    return take

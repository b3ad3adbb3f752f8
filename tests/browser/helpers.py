"""What browser tests do to a Streamlit page: open it, wait for reruns, check it."""

import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlparse

from google.protobuf.message import DecodeError
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture reports it: a skip locally, a failure in CI
    expect = None

CONNECTED = "[data-testid=stApp][data-test-connection-state=CONNECTED]"
NOT_RUNNING = "[data-testid=stApp][data-test-script-state=notRunning]"
EXCEPTION = "[data-testid=stException]"
# Streamlit loads many elements' code on first use and shows this placeholder meanwhile.
SKELETON = "[data-testid=stSkeleton]"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

_watches = weakref.WeakKeyDictionary()


@dataclass
class Watch:
    """What a page has said since `watch` was called on it."""

    finished_runs: int = 0
    page_errors: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    outside_requests: list = field(default_factory=list)


def _base_path_probe(text, url):
    """Streamlit's own 404s while it finds its base path on a deep link (/events).

    Opened at /events, the frontend first asks /events/_stcore/health and
    /events/_stcore/host-config, gets 404, and then uses the server root.
    """
    path = urlparse(url).path
    return (
        "404" in text
        and path.endswith(("/_stcore/health", "/_stcore/host-config"))
        and not path.startswith("/_stcore/")
    )


def watch(page):
    """Start recording a page's script runs, errors and requests; call before `goto`."""
    if page in _watches:
        return _watches[page]
    seen = Watch()
    _watches[page] = seen

    def on_frame(payload):
        if isinstance(payload, str):
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except DecodeError as error:
            seen.page_errors.append(f"undecodable frame on /_stcore/stream: {error}")
            return
        # A run cut short for a rerun (st.rerun, a click during a run) is followed by
        # another; only a run that ran to its end means the page is settled.
        if (
            msg.WhichOneof("type") == "script_finished"
            and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
        ):
            seen.finished_runs += 1

    def on_websocket(websocket):
        if urlparse(websocket.url).path.endswith("/_stcore/stream"):
            websocket.on("framereceived", on_frame)

    def on_console(message):
        where = message.location.get("url", "")
        if message.type == "error" and not _base_path_probe(message.text, where):
            seen.console_errors.append(f"{message.text} ({where})")

    def on_request(request):
        url = urlparse(request.url)
        if url.scheme in {"http", "https", "ws", "wss"} and url.hostname not in LOOPBACK:
            seen.outside_requests.append(request.url)

    page.on("websocket", on_websocket)
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
    page.on("console", on_console)
    page.on("request", on_request)
    return seen


def open_page(page, url, timeout=30.0):
    """Go to `url` and wait until the app is connected and its first run has finished."""
    watch(page)
    page.goto(url)
    page.locator(CONNECTED).wait_for(timeout=timeout * 1000)
    settle(page, timeout)


def settle(page, timeout=15.0):
    """Wait until no run is going and every element has been drawn, not just placed.

    After a run, an element whose code is still loading is a grey skeleton:
    text assertions on it fail, or pass on some other element, and
    screenshots show empty boxes.
    """
    page.locator(NOT_RUNNING).wait_for(timeout=timeout * 1000)
    page.wait_for_function(
        f"() => !document.querySelector({SKELETON!r})", timeout=timeout * 1000
    )


@contextmanager
def rerun(page, timeout=15.0):
    """Wait, after the block, for at least one more script run to finish.

    `with rerun(page): page.get_by_role("button", name="Save").tap()`
    Watching the script state alone misses fast runs, so this counts the
    `script_finished` messages on the websocket instead.
    """
    if page not in _watches:
        raise RuntimeError("rerun() needs watch(page) (or open_page) before the page was opened")
    seen = _watches[page]
    before = seen.finished_runs
    yield
    deadline = time.monotonic() + timeout
    while seen.finished_runs <= before:
        if time.monotonic() > deadline:
            raise AssertionError(f"no script run finished within {timeout:.0f} s")
        # A Playwright call, not time.sleep: the sync API only delivers events while one runs.
        page.wait_for_timeout(50)
    settle(page, timeout)


# A service worker controls the page: at once, or on its controllerchange. An evaluate,
# not wait_for_function, whose polling builds its predicate with eval, which the page's
# CSP (no 'unsafe-eval') refuses.
_CONTROLLED_JS = """(ms) => navigator.serviceWorker.controller !== null || new Promise(
  (resolve, reject) => {
    navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true));
    setTimeout(() => reject(new Error(`no service worker controls the page after ${ms} ms`)), ms);
  })"""


def wait_controlled(page, timeout=30.0):
    """Wait until FieldKit's service worker controls the page (it claims the page that installed it)."""
    page.evaluate(_CONTROLLED_JS, int(timeout * 1000))


def assert_no_errors(page):
    """No JavaScript error, console error, request off this machine, or Streamlit exception."""
    seen = _watches.get(page, Watch())
    problems = []
    problems += [f"page error: {text}" for text in seen.page_errors]
    problems += [f"console error: {text}" for text in seen.console_errors]
    problems += [f"request off this machine: {url}" for url in seen.outside_requests]
    exceptions = page.locator(EXCEPTION)
    problems += [f"Streamlit exception shown: {text}" for text in exceptions.all_inner_texts()]
    assert not problems, "\n".join(problems)


_OVERFLOW_JS = """
() => {
  const limit = window.innerWidth + 1;
  const main = document.querySelector('[data-testid="stMain"]');
  // Content inside a horizontally scrolling box of its own (a table, a code block)
  // is reachable by the user, so it only counts when that box itself overflows.
  const scrollsInside = (el) => {
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= limit) {
        return true;
      }
    }
    return false;
  };
  const offenders = [];
  for (const el of document.body.querySelectorAll('*')) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0 || rect.right <= limit) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (main && main.contains(el) && scrollsInside(el)) continue;
    const holder = el.parentElement && el.parentElement.closest('[data-testid]');
    offenders.push({
      tag: el.tagName.toLowerCase(),
      testid: el.getAttribute('data-testid') || '',
      within: holder ? holder.getAttribute('data-testid') : '',
      cls: (el.getAttribute('class') || '').slice(0, 80),
      right: Math.round(rect.right),
      width: Math.round(rect.width),
    });
  }
  return {
    innerWidth: window.innerWidth,
    main: main ? {scrollWidth: main.scrollWidth, clientWidth: main.clientWidth} : null,
    offenders,
  };
}
"""


def assert_no_horizontal_overflow(page):
    """Nothing sticks out past the right edge of the viewport, and stMain does not scroll sideways."""
    found = page.evaluate(_OVERFLOW_JS)
    problems = []
    main = found["main"]
    if main is None:
        problems.append("no [data-testid=stMain] on the page")
    elif main["scrollWidth"] > main["clientWidth"]:
        problems.append(
            f"stMain scrolls sideways: scrollWidth {main['scrollWidth']} > "
            f"clientWidth {main['clientWidth']}"
        )
    for item in found["offenders"][:20]:
        problems.append(
            f"<{item['tag']}> data-testid={item['testid'] or '-'} within={item['within'] or '-'} "
            f"class={item['cls'] or '-'!r} right={item['right']} width={item['width']}"
        )
    if len(found["offenders"]) > 20:
        problems.append(f"... and {len(found['offenders']) - 20} more elements")
    assert not problems, (
        f"horizontal overflow at innerWidth {found['innerWidth']}:\n" + "\n".join(problems)
    )


# What a thumb taps: links, buttons, fields, pills, switches, menus. A box or a
# switch is tapped through its label; a file input through its button.
_SMALL_TARGETS_JS = """
(minimum) => {
  const selector = 'a[href], button, summary, select, textarea, input:not([type=hidden]), ' +
    '[role=button], [role=link], [role=checkbox], [role=switch], [role=radio], [role=tab], ' +
    '[role=combobox], [role=option], [role=slider], [role=spinbutton], ' +
    '[tabindex]:not([tabindex="-1"])';
  const seen = new Set();
  const small = [];
  for (const element of document.querySelectorAll(selector)) {
    if (element.matches('input[type=file]')) continue;
    const target = element.matches('input[type=checkbox], input[type=radio]')
      ? (element.closest('label') || element) : element;
    if (seen.has(target)) continue;
    seen.add(target);
    const style = getComputedStyle(target);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const box = target.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right <= 0 || box.left >= window.innerWidth) continue;  // a closed side menu
    if (target.closest('[aria-hidden=true]')) continue;
    if (box.height + 0.5 >= minimum) continue;
    const keyed = target.closest('[class*="st-key-"]');
    const holder = target.closest('[data-testid]');
    small.push({
      what: target.tagName.toLowerCase() + (target.getAttribute('role') ? `[${target.getAttribute('role')}]` : ''),
      within: holder ? holder.getAttribute('data-testid') : '',
      key: keyed ? (keyed.className.match(/st-key-\\S+/) || [''])[0] : '',
      text: (target.innerText || target.getAttribute('aria-label') || '').trim().slice(0, 40),
      height: Math.round(box.height),
    });
  }
  return small;
}
"""


def small_tap_targets(page, minimum=44):
    """Every visible link, button, field, pill or switch on the page less than ``minimum`` px tall."""
    return page.evaluate(_SMALL_TARGETS_JS, minimum)


_BAND_JS = """
(element) => {
  const header = document.querySelector('[data-testid="stHeader"]');
  const bar = document.querySelector('.st-key-bottom_bar');
  const top = header ? header.getBoundingClientRect().bottom : 0;
  const barTop = bar && bar.offsetParent ? bar.getBoundingClientRect().top : window.innerHeight;
  const box = element.getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, bandTop: top, bandBottom: barTop};
}
"""


def on_screen(locator):
    """Whether the element is whole within the screen, below the header and above the bottom bar."""
    where = locator.evaluate(_BAND_JS)
    return where["top"] >= where["bandTop"] - 1 and where["bottom"] <= where["bandBottom"] + 1


def whole_page(page, path):
    """A screenshot of the whole page, 390 px wide: the viewport made as tall as the page.

    Streamlit's page does not scroll itself (its main block does), so a full-page
    screenshot would show the first screen only.
    """
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 16000)})
    try:
        settle(page)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)


def charts_drawn(page, timeout=30.0):
    """Wait until every chart on the page has drawn its picture."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
        ".every((c) => c.querySelector('svg, canvas'))", timeout=timeout * 1000)


CAPTURE_DETAILS = "Company, contact details, note, photo, voice memo"


def open_details(page):
    """Open /capture's folded details (a tap asks the server nothing) and wait for them."""
    page.get_by_text(CAPTURE_DETAILS, exact=True).tap()
    expect(page.get_by_label("Company", exact=True)).to_be_visible()

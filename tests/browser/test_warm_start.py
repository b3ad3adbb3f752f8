"""FieldKit opened again from the phone: the socket opened early, the widgets' code ready.

early-socket.js opens Streamlit's websocket at the top of the page and hands
it over when Streamlit asks; preload-widgets.js loads the widgets' code from
the phone's cache while that socket opens. Both must be invisible: the page
works as Streamlit alone would, and falls back to Streamlit's own ways
whenever the early socket cannot serve.
"""

import sqlite3
from contextlib import closing

from fieldkit.web import shell

from .helpers import assert_no_errors, expect, open_page, rerun, wait_controlled

# Every websocket the page creates: when, and whether the page was still being read.
# With window.__loseFirst set, the first socket is closed at once, as a network would.
SOCKETS_SEEN = """(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = function (url, protocols) {
    window.__sockets.push({ url: String(url), loading: document.readyState === "loading" });
    const socket = new Native(url, protocols);
    if (window.__loseFirst && window.__sockets.length === 1) socket.close();
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) window.WebSocket[name] = Native[name];
})();"""


def people(db_path):
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute("SELECT name FROM people").fetchall()


def save_card(page, name):
    page.get_by_label("Name", exact=True).fill(name)
    with rerun(page):
        page.get_by_role("button", name="Save card").tap()
    expect(page.get_by_text(f"Saved {name}")).to_be_visible()


def test_streamlit_runs_on_the_socket_opened_while_the_page_was_read(server, phone_page):
    page = phone_page
    page.add_init_script(SOCKETS_SEEN)
    # A browser that opened FieldKit before holds Streamlit's XSRF cookie; each answer
    # of the server masks its token anew, and the socket is still the one asked for.
    page.request.get(f"{server.url}/_stcore/health")
    open_page(page, f"{server.url}/capture")
    save_card(page, "Ezra Early")
    assert people(server.db_path) == [("Ezra Early",)]
    sockets = page.evaluate("() => window.__sockets")
    # One socket, opened before Streamlit's scripts ran, and it is the one Streamlit uses.
    assert sockets == [{"url": server.url.replace("http", "ws") + "/_stcore/stream",
                        "loading": True}]
    assert page.evaluate("() => window.WebSocket.name") != "Early"  # handed over: the browser's own
    assert_no_errors(page)


def test_a_socket_lost_before_streamlit_asks_is_replaced_by_its_own(server, phone_page):
    page = phone_page
    page.add_init_script("window.__loseFirst = true;")
    page.add_init_script(SOCKETS_SEEN)
    open_page(page, f"{server.url}/capture")
    save_card(page, "Lena Late")
    assert people(server.db_path) == [("Lena Late",)]
    sockets = page.evaluate("() => window.__sockets")
    assert [s["loading"] for s in sockets] == [True, False]  # Streamlit opened its own


def test_a_socket_for_another_token_is_not_handed_over(server, phone_page):
    """Streamlit sends the XSRF cookie as it finds it when it connects; a socket opened
    with another value would not be the one it asked for."""
    page = phone_page
    page.add_init_script(SOCKETS_SEEN)
    page.request.get(f"{server.url}/_stcore/health")  # the browser holds a cookie now
    # ... which is gone by the time Streamlit asks (DOMContentLoaded comes before).
    page.add_init_script("""document.addEventListener("DOMContentLoaded", () => {
        document.cookie = "_streamlit_xsrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
    });""")
    open_page(page, f"{server.url}/capture")
    assert [s["loading"] for s in page.evaluate("() => window.__sockets")] == [True, False]
    save_card(page, "Theo Token")
    assert people(server.db_path) == [("Theo Token",)]


def test_a_page_the_worker_answers_loads_the_widgets_code_at_once(server, phone_context):
    loaded_js = """(files) => files.filter((file) =>
        performance.getEntriesByName(location.origin + file).length)"""
    entries = list(shell.widget_entries())
    audio = next(e for e in entries if "/AudioInput." in e)

    first = phone_context.new_page()
    open_page(first, f"{server.url}/")  # Today: no voice memo on it
    assert audio not in first.evaluate(loaded_js, entries)  # a first visit asks nothing extra
    wait_controlled(first)
    first.close()

    second = phone_context.new_page()
    open_page(second, f"{server.url}/")
    second.wait_for_function(f"() => ({loaded_js})({entries!r}).length === {len(entries)}")
    assert_no_errors(second)


def test_the_kept_page_remembers_how_long_it_took_to_come(server, phone_context):
    page = phone_context.new_page()
    open_page(page, f"{server.url}/capture")
    wait_controlled(page)
    took = page.evaluate("""async () => {
        const kept = await caches.match("/");
        return kept && kept.headers.get("x-fieldkit-took-ms");
    }""")
    assert took is not None and 0 <= int(took) < 60_000

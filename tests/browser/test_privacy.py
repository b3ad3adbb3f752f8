"""Nothing leaves the server and user text stays text; a password closes every page.

The sample data gets hostile text in every free-text field: Markdown images
and links, HTML, ``javascript:`` links, bare URLs, Streamlit directives,
right-to-left and zero-width characters, emoji and long unbroken words. Every
page is visited on a phone and must fetch nothing from outside, link nowhere,
show the text as typed and still fit the screen.
"""

import sqlite3
from contextlib import closing

from fieldkit import access, db, sample
from fieldkit.ui import nav

from .helpers import (
    CONNECTED,
    assert_no_errors,
    assert_no_horizontal_overflow,
    expect,
    open_page,
    rerun,
)

PIXEL = "![pixel](http://tracker.example/p.png)"
LINK = "[tap me](javascript:alert(1))"
HTML = '<img src="http://tracker.example/i.png" onerror="alert(1)">'
SCRIPT = "<script>alert('x')</script>"
BARE = "http://autolink.example/path"
DIRECTIVE = ":red[alarm] :material/warning:"
RTL = "\u202eevil\u202c"
ZERO_WIDTH = "zero\u200bwidth\u200d"
EMOJI = "🧭🎉👩‍💻"
LONG = "W" * 120  # one unbroken word, wider than a phone
HOSTILE = [PIXEL, LINK, HTML, SCRIPT, BARE, DIRECTIVE, RTL, ZERO_WIDTH, EMOJI, LONG]
EVERYTHING = " ".join(HOSTILE)

# Free-text columns the pages show; each gets hostile text appended.
FREE_TEXT = {
    "people": {"name", "company", "title", "department", "note"},
    "events": {"name", "venue", "city", "notes"},
    "debriefs": {"why_not_us", "next_step"},
    "assumptions": {"text"},
    "evidence": {"note"},
    "call_sessions": {"note"},
    "touches": {"note"},
    "followups": {"note"},
}

_DOM_CHECK = """
() => {
  const outside = (url) => { try { const u = new URL(url, location.href);
      return !['127.0.0.1', 'localhost'].includes(u.hostname) && !['data:', 'blob:'].includes(u.protocol);
    } catch (e) { return true; } };
  const found = [];
  for (const img of document.querySelectorAll('img[src], source[src], video[src], audio[src]'))
    if (outside(img.getAttribute('src'))) found.push('img ' + img.getAttribute('src'));
  for (const a of document.querySelectorAll('[data-testid=stMain] a[href]')) {
    const href = a.getAttribute('href');
    // mailto:/sms: links may carry the user's text in their body; what must
    // not exist is a script link or one whose target came from user text.
    let url = null; try { url = new URL(href, location.href); } catch (e) {}
    if (!url || url.protocol === 'javascript:' || /(tracker|autolink)\\.example$/.test(url.hostname))
      found.push('link ' + href.slice(0, 120));
  }
  for (const s of document.querySelectorAll('[data-testid=stMain] script')) found.push('script');
  return found;
}
"""


def _columns(conn, table):
    return {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}


def _fill_hostile(path):
    with db.connect(path) as conn:
        sample.fill(conn)
    with closing(sqlite3.connect(path)) as conn, conn:
        for table, wanted in FREE_TEXT.items():
            for column in sorted(wanted & _columns(conn, table)):
                conn.execute(
                    f"UPDATE [{table}] SET [{column}] = coalesce([{column}], '') || ' ' || ?",
                    [EVERYTHING],
                )
        conn.execute("UPDATE person_tags SET tag = tag || ?", ["<b>x</b>"])
        first = conn.execute(
            "SELECT id FROM people WHERE status = 'active' ORDER BY id LIMIT 1"
        ).fetchone()[0]
    return first


def _assert_clean(page):
    assert_no_errors(page)
    assert page.evaluate(_DOM_CHECK) == []
    assert_no_horizontal_overflow(page)


def test_privacy_hostile_text_every_page_fetches_nothing_and_shows_text(
        server, phone_page, screenshot):
    page = phone_page
    person = _fill_hostile(server.db_path)
    for spec in nav.PAGES:
        open_page(page, f"{server.url}/{spec.url_path}")
        _assert_clean(page)
        screenshot(page, f"hostile-{spec.url_path or 'today'}.png")

    open_page(page, f"{server.url}/people?id={person}")
    main = page.get_by_test_id("stMain")
    for text in (PIXEL, LINK, HTML, SCRIPT, BARE, DIRECTIVE):
        expect(main.get_by_text(text, exact=False).first).to_be_visible()
    _assert_clean(page)
    screenshot(page, "hostile-person.png")


PASSWORD = "correct horse battery"


def _sign_in_link(page):
    return page.get_by_test_id("stMain").get_by_role("link", name="Sign in", exact=True)


def test_privacy_password_every_url_shows_only_sign_in(server, phone_page, screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
        access.set_password(conn, PASSWORD)
        names = [row[0] for row in conn.execute("SELECT name FROM people LIMIT 200")]
    for spec in nav.PAGES:
        open_page(page, f"{server.url}/{spec.url_path}")
        main = page.get_by_test_id("stMain")
        expect(_sign_in_link(page)).to_have_attribute(
            "href", f"/sign-in?next=%2F{spec.url_path}")
        # The password is never typed into Streamlit's page.
        expect(page.locator("input")).to_have_count(0)
        shown = main.inner_text()
        assert [name for name in names if name in shown] == []
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        to_pages = [h for h in hrefs if any(h.rstrip("/").endswith("/" + p.url_path)
                                            for p in nav.PAGES if p.url_path)]
        assert to_pages == [], f"navigation shown on /{spec.url_path}"
        assert_no_errors(page)
    screenshot(page, "sign-in.png")

    # The link opens FieldKit's own sign-in page in the same tab.
    _sign_in_link(page).tap()
    page.wait_for_url(f"{server.url}/sign-in?next=%2F{nav.PAGES[-1].url_path}")
    page.get_by_label("Password", exact=True).fill("not it at all")
    page.get_by_role("button", name="Sign in").tap()
    expect(page.get_by_role("alert")).to_have_text("Wrong password. You can try again in 1 s.")
    assert [name for name in names if name in page.inner_text("body")] == []

    page.wait_for_timeout(1100)  # the first wait after a wrong password is 1 s
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    # The page that was asked for opens: the loop above ended on the last one.
    page.wait_for_url(f"{server.url}/{nav.PAGES[-1].url_path}")
    page.locator(CONNECTED).wait_for(timeout=30_000)
    expect(page.get_by_role("heading", name=nav.PAGES[-1].title)).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "signed-in.png")

    # A dropped connection does not sign the tab out.
    page.context.set_offline(True)
    page.wait_for_timeout(4000)
    page.context.set_offline(False)
    page.locator(CONNECTED).wait_for(timeout=30_000)
    with rerun(page):
        page.get_by_role("button", name="Save settings").tap()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    expect(_sign_in_link(page)).to_have_count(0)
    for label in ("Sign out this device", "Sign out everywhere"):
        button = page.get_by_role("button", name=label)
        button.scroll_into_view_if_needed()
        expect(button).to_be_visible()
    screenshot(page, "settings-sign-out.png")

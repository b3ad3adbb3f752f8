"""Signed in once per device: a reload and a second tab stay in; Sign out everywhere ends both."""

from fieldkit import access, db, sample

from .helpers import (
    CONNECTED,
    assert_no_errors,
    assert_no_horizontal_overflow,
    expect,
    open_page,
    rerun,
    watch,
)
# Caddy in front with TLS, as the README's HTTPS recipe has it.
from .test_https import https_url, trusting_phone  # noqa: F401  (fixtures)

PASSWORD = "correct horse battery"


def _sign_in_link(page):
    return page.get_by_test_id("stMain").get_by_role("link", name="Sign in", exact=True)


def _fits_the_phone(page):
    """The /sign-in page (not Streamlit's): nothing wider than the screen."""
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width


def test_device_sign_in_survives_reload_and_second_tab_until_sign_out_everywhere(
        server, phone_page, screenshot):
    page = phone_page
    with db.connect(server.db_path) as conn:
        sample.fill(conn)
        access.set_password(conn, PASSWORD)

    open_page(page, f"{server.url}/capture")
    expect(page.get_by_role("heading", name="Capture")).to_have_count(0)
    _sign_in_link(page).tap()

    # FieldKit's own page: thumb-sized, asks for the saved password, sets the cookie.
    page.wait_for_url(f"{server.url}/sign-in?next=%2Fcapture")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("autocomplete", "current-password")
    button = page.get_by_role("button", name="Sign in")
    for box in (password.bounding_box(), button.bounding_box()):
        assert box["height"] >= 48 and box["width"] >= 340, box
    _fits_the_phone(page)
    screenshot(page, "device-sign-in.png")
    password.fill(PASSWORD)
    button.tap()

    page.wait_for_url(f"{server.url}/capture")
    page.locator(CONNECTED).wait_for(timeout=30_000)
    expect(page.get_by_role("heading", name="Capture")).to_be_visible()
    [cookie] = [c for c in page.context.cookies() if c["name"] == "fieldkit_device"]
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"], cookie["path"]) == (
        True, "Strict", False, "/")
    assert page.evaluate("() => document.cookie").find("fieldkit_device") == -1
    assert_no_errors(page)
    assert_no_horizontal_overflow(page)

    # A reload is a new connection: the cookie signs it in again.
    page.reload()
    page.locator(CONNECTED).wait_for(timeout=30_000)
    expect(page.get_by_role("heading", name="Capture")).to_be_visible()
    expect(_sign_in_link(page)).to_have_count(0)

    # So does a second tab of the same browser.
    other = page.context.new_page()
    watch(other)
    open_page(other, f"{server.url}/people")
    expect(other.get_by_role("heading", name="People")).to_be_visible()

    open_page(page, f"{server.url}/settings")
    everywhere = page.get_by_role("button", name="Sign out everywhere")
    everywhere.scroll_into_view_if_needed()
    screenshot(page, "device-settings.png")
    with rerun(page):
        everywhere.tap()
    expect(_sign_in_link(page)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out everywhere")).to_have_count(0)

    # The second tab's next run (a search) shows the sign-in page, and so does a reload.
    with rerun(other):
        other.get_by_label("Search").fill("a")
        other.get_by_label("Search").press("Enter")
    expect(_sign_in_link(other)).to_be_visible()
    expect(other.get_by_role("heading", name="People")).to_have_count(0)
    other.reload()
    other.locator(CONNECTED).wait_for(timeout=30_000)
    expect(_sign_in_link(other)).to_be_visible()
    assert_no_errors(other)
    assert_no_errors(page)
    screenshot(other, "device-signed-out.png")


def test_device_sign_out_this_device_keeps_other_devices(server, phone_page):
    page = phone_page
    with db.connect(server.db_path) as conn:
        access.set_password(conn, PASSWORD)
        # Another phone, signed in before this one.
        theirs = access.sign_in_device(conn, PASSWORD, client="192.0.2.10")

    page.goto(f"{server.url}/sign-in?next=%2Fsettings")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(f"{server.url}/settings")
    page.locator(CONNECTED).wait_for(timeout=30_000)
    this_device = page.get_by_role("button", name="Sign out this device")
    this_device.scroll_into_view_if_needed()
    with rerun(page):
        this_device.tap()
    expect(_sign_in_link(page)).to_be_visible()
    with db.connect(server.db_path) as conn:
        assert access.device_signed_in(conn, theirs) is True
        assert conn.execute("SELECT count(*) FROM devices").fetchone()[0] == 1
    # The cookie this browser still holds signs nothing in any more.
    page.reload()
    page.locator(CONNECTED).wait_for(timeout=30_000)
    expect(_sign_in_link(page)).to_be_visible()


def test_device_sign_in_over_https_behind_a_proxy_sets_a_secure_cookie(
        server, https_url, trusting_phone):  # noqa: F811  (fixtures)
    # Behind the proxy the browser's origin is https://...: the sign-in's
    # origin check must see the proxy's https, and the cookie must be Secure.
    with db.connect(server.db_path) as conn:
        access.set_password(conn, PASSWORD)
    page = trusting_phone.new_page()
    watch(page)
    open_page(page, f"{https_url}/capture")
    _sign_in_link(page).tap()
    page.wait_for_url(f"{https_url}/sign-in?next=%2Fcapture")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(f"{https_url}/capture")
    page.locator(CONNECTED).wait_for(timeout=30_000)
    expect(page.get_by_role("heading", name="Capture")).to_be_visible()
    [cookie] = [c for c in trusting_phone.cookies() if c["name"] == "fieldkit_device"]
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (True, "Strict", True)
    assert_no_errors(page)

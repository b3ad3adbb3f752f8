"""FieldKit behind Caddy over HTTPS, as a phone reaches it: page, websocket, service worker.

Caddy (Debian's `caddy`) terminates TLS with a certificate from its own
local authority (`tls internal`), as the README's LAN recipe does, and
proxies to the app. Chromium is told to trust exactly the certificate
Caddy serves (its public key's hash), not to ignore certificate errors:
with any error a browser refuses to register a service worker.
"""

import base64
import hashlib
import os
import shutil
import ssl
import subprocess
import time
import urllib.request

import pytest

from .conftest import unavailable
from .helpers import CONNECTED, assert_no_errors, expect, open_page, rerun, watch
from .launcher import CHROMIUM_ARGS, PHONE, free_port

CADDYFILE = """\
{{
	admin off
	auto_https disable_redirects
	skip_install_trust
	storage file_system {storage}
}}
https://localhost:{port} {{
	tls internal
	reverse_proxy 127.0.0.1:{upstream}
}}
"""


def _der_items(der: bytes, start: int, end: int):
    """(tag, start of the item, start of its content, end) for each DER item in der[start:end]."""
    at = start
    while at < end:
        tag, length, content = der[at], der[at + 1], at + 2
        if length & 0x80:
            size = length & 0x7F
            length = int.from_bytes(der[content:content + size], "big")
            content += size
        yield tag, at, content, content + length
        at = content + length


def public_key_pin(certificate_der: bytes) -> str:
    """base64(sha256(SubjectPublicKeyInfo)) of a certificate, as Chromium's pins name it."""
    (_, _, cert_content, cert_end), = _der_items(certificate_der, 0, len(certificate_der))
    _, _, tbs_content, tbs_end = next(_der_items(certificate_der, cert_content, cert_end))
    fields = list(_der_items(certificate_der, tbs_content, tbs_end))
    if fields[0][0] == 0xA0:  # the explicit version comes first when present
        fields = fields[1:]
    # serial, signature algorithm, issuer, validity, subject, subjectPublicKeyInfo
    _, spki_start, _, spki_end = fields[5]
    return base64.b64encode(hashlib.sha256(certificate_der[spki_start:spki_end]).digest()).decode()


def _answers(url: str) -> bool:
    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=2, context=unverified) as answer:
            return answer.status == 200 and answer.read() == b"ok"
    except OSError:
        return False


@pytest.fixture
def https_url(server, tmp_path):
    """The app at https://localhost:<port>, through Caddy with its own local authority."""
    caddy = shutil.which("caddy")
    if caddy is None:
        unavailable("no caddy on PATH; install it with `apt-get install caddy` (.ci/run does)")
    port = free_port()
    config = tmp_path / "Caddyfile"
    config.write_text(CADDYFILE.format(storage=tmp_path / "caddy-data", port=port,
                                       upstream=server.port))
    home = tmp_path / "caddy-home"
    home.mkdir()
    log = open(tmp_path / "caddy.log", "wb")
    process = subprocess.Popen(
        [caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
        env=dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home), XDG_CONFIG_HOME=str(home)),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"https://localhost:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"{url}/_stcore/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("Caddy did not serve FieldKit:\n"
                            + (tmp_path / "caddy.log").read_text(errors="replace")[-2000:])
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def trusting_phone(browser, chromium_path, https_url):
    """A phone whose browser trusts the certificate Caddy serves, and nothing else unusual."""
    port = int(https_url.rsplit(":", 1)[1])
    pin = public_key_pin(ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("localhost", port))))
    trusting = browser.browser_type.launch(
        executable_path=chromium_path, headless=True,
        args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={pin}"])
    context = trusting.new_context(**PHONE)
    yield context
    context.close()
    trusting.close()


def test_public_key_pin_reads_the_certificates_key(https_url):
    port = int(https_url.rsplit(":", 1)[1])
    der = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("localhost", port)))
    pin = public_key_pin(der)
    assert len(base64.b64decode(pin)) == 32
    # The key is inside the certificate, and the pin is of its DER encoding.
    assert pin != base64.b64encode(hashlib.sha256(der).digest()).decode()


def test_over_https_the_page_loads_the_websocket_works_and_the_worker_registers(
        https_url, trusting_phone):
    page = trusting_phone.new_page()
    watch(page)
    open_page(page, f"{https_url}/capture")
    page.wait_for_selector(CONNECTED)
    assert page.evaluate("window.isSecureContext") is True
    assert page.evaluate("location.protocol") == "https:"
    # A tap is a round trip on the websocket, through Caddy.
    page.get_by_label("Name", exact=True).fill("Ines Moreau")
    with rerun(page):
        page.get_by_role("button", name="Save card").tap()
    expect(page.get_by_text("Saved Ines Moreau")).to_be_visible()
    page.wait_for_function(
        "() => navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{https_url}/sw.js"
    answer = page.reload()  # the browser's own request, through Caddy
    assert answer.status == 200 and answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-security-policy"].startswith("default-src 'self';")
    assert_no_errors(page)

"""bench/link.py: the venue link emulator delays, paces, counts and closes as it says.

Small round trips and high rates keep each test under two seconds. Delays
are asserted as lower bounds (the link can only add time); upper bounds are
generous, for a busy two-core machine.
"""

import socket
import socketserver
import threading
import time

import pytest

from bench import link

RTT = 0.2
FAST = 100_000  # kbps: pacing too quick to matter where a test checks the delay


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while data := self.request.recv(65536):
            self.request.sendall(data)


class Sink(socketserver.BaseRequestHandler):
    """Reads to the end, answers with the byte count, closes."""

    def handle(self):
        total = 0
        while data := self.request.recv(65536):
            total += len(data)
        self.request.sendall(str(total).encode())
        self.request.shutdown(socket.SHUT_WR)


class Source(socketserver.BaseRequestHandler):
    """Sends the number of bytes asked for in the first line, then closes."""

    def handle(self):
        size = int(self.request.makefile("rb").readline())
        self.request.sendall(b"x" * size)
        self.request.shutdown(socket.SHUT_WR)


def serve(handler):
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return server


@pytest.fixture
def echo():
    server = serve(Echo)
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def sink():
    server = serve(Sink)
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def source():
    server = serve(Source)
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def connect(port):
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def read_all(conn):
    chunks = []
    while data := conn.recv(65536):
        chunks.append(data)
    return b"".join(chunks)


def test_a_round_trip_takes_at_least_the_links_round_trip(echo):
    with link.Link(echo, rtt=RTT, down_kbps=FAST, up_kbps=FAST, handshake=False) as venue:
        with connect(venue.port) as conn:
            times = []
            for _ in range(3):
                start = time.monotonic()
                conn.sendall(b"ping")
                assert conn.recv(16) == b"ping"
                times.append(time.monotonic() - start)
    assert all(RTT <= t < RTT + 1.0 for t in times), times


def test_a_new_connection_pays_the_handshake_round_trip_first(echo):
    with link.Link(echo, rtt=RTT, down_kbps=FAST, up_kbps=FAST) as venue:
        start = time.monotonic()
        with connect(venue.port) as conn:
            conn.sendall(b"ping")
            assert conn.recv(16) == b"ping"
            first = time.monotonic() - start
    assert 2 * RTT <= first < 2 * RTT + 1.0


def test_uploads_are_paced_at_the_up_rate_and_counted(sink):
    size, kbps = 100_000, 2000  # 0.4 s at 2 Mbps
    with link.Link(sink, rtt=0.02, down_kbps=FAST, up_kbps=kbps, handshake=False) as venue:
        start = time.monotonic()
        with connect(venue.port) as conn:
            conn.sendall(b"u" * size)
            conn.shutdown(socket.SHUT_WR)
            answer = read_all(conn)
        elapsed = time.monotonic() - start
        assert venue.wait_quiet(0.05, timeout=5)
        assert (venue.up_bytes, venue.down_bytes) == (size, len(answer))
    assert answer == str(size).encode()
    assert size * 8 / (kbps * 1000) <= elapsed < 3 * size * 8 / (kbps * 1000) + 1.0


def test_downloads_are_paced_at_the_down_rate(source):
    size, kbps = 200_000, 4000  # 0.4 s at 4 Mbps
    with link.Link(source, rtt=0.02, down_kbps=kbps, up_kbps=FAST, handshake=False) as venue:
        start = time.monotonic()
        with connect(venue.port) as conn:
            conn.sendall(f"{size}\n".encode())
            got = read_all(conn)
        elapsed = time.monotonic() - start
        assert venue.wait_quiet(0.05, timeout=5)
        assert venue.down_bytes == size
    assert len(got) == size
    assert size * 8 / (kbps * 1000) <= elapsed < 3 * size * 8 / (kbps * 1000) + 1.0


def test_two_connections_share_one_budget(source):
    """Two downloads at once take as long as their sum alone would: the link is shared."""
    size, kbps = 100_000, 4000  # each alone 0.2 s; both 0.4 s
    results = {}

    def download(name, port):
        with connect(port) as conn:
            conn.sendall(f"{size}\n".encode())
            results[name] = (len(read_all(conn)), time.monotonic())

    with link.Link(source, rtt=0.02, down_kbps=kbps, up_kbps=FAST, handshake=False) as venue:
        start = time.monotonic()
        threads = [threading.Thread(target=download, args=(n, venue.port)) for n in "ab"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        assert venue.wait_quiet(0.05, timeout=5)
        assert venue.down_bytes == 2 * size
    assert [results[n][0] for n in "ab"] == [size, size]
    both = 2 * size * 8 / (kbps * 1000)
    last = max(done for _, done in results.values()) - start
    first = min(done for _, done in results.values()) - start
    assert both <= last < 3 * both + 1.0
    # They took turns: neither finished while the other had barely begun.
    assert first >= 0.6 * both


def test_the_server_closing_reaches_the_browser_after_its_data(source):
    with link.Link(source, rtt=RTT, down_kbps=FAST, up_kbps=FAST, handshake=False) as venue:
        with connect(venue.port) as conn:
            conn.sendall(b"5\n")
            start = time.monotonic()
            assert read_all(conn) == b"xxxxx"  # then end of stream: recv returned b""
            assert time.monotonic() - start >= RTT / 2
        deadline = time.monotonic() + 5
        while venue.open_connections and time.monotonic() < deadline:
            time.sleep(0.02)
        assert venue.open_connections == 0  # the proxy let go of both sockets


def test_the_browser_closing_reaches_the_server(sink):
    with link.Link(sink, rtt=RTT, down_kbps=FAST, up_kbps=FAST, handshake=False) as venue:
        with connect(venue.port) as conn:
            conn.sendall(b"abc")
            conn.shutdown(socket.SHUT_WR)  # the sink answers only once it sees the end
            start = time.monotonic()
            assert read_all(conn) == b"3"
            assert time.monotonic() - start >= RTT - 0.01
        deadline = time.monotonic() + 5
        while venue.open_connections and time.monotonic() < deadline:
            time.sleep(0.02)
        assert venue.open_connections == 0


def test_http_requests_are_read_without_being_changed(echo):
    request = (b"POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
               b"GET /static/js/main.js HTTP/1.1\r\nHost: a\r\n\r\n")
    with link.Link(echo, rtt=0.02, down_kbps=FAST, up_kbps=FAST, handshake=False) as venue:
        with connect(venue.port) as conn:
            conn.sendall(request)
            got = b""
            while len(got) < len(request):
                got += conn.recv(65536)
        assert got == request
        assert [(r.method, r.path) for r in venue.requests] == [
            ("POST", "/api/x"), ("GET", "/static/js/main.js")]
        venue.reset()
        assert (venue.requests, venue.down_bytes, venue.up_bytes) == ([], 0, 0)


def test_a_cut_link_stalls_an_open_connection_until_it_is_restored(echo):
    with link.Link(echo, rtt=RTT, down_kbps=FAST, up_kbps=FAST, handshake=False) as venue:
        with connect(venue.port) as conn:
            conn.sendall(b"before")
            assert conn.recv(16) == b"before"
            venue.cut()
            conn.sendall(b"during")
            conn.settimeout(1.0)
            with pytest.raises(socket.timeout):
                conn.recv(16)  # nothing gets through while the link is cut
            conn.settimeout(10)
            venue.restore()
            start = time.monotonic()
            assert conn.recv(16) == b"during"  # what waited arrives once it is back
            assert time.monotonic() - start < 1.0 + RTT

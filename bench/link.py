"""A venue's Wi-Fi on this machine: a TCP proxy with one slow, distant link.

    with link.Link(server_port) as venue:       # 300 ms round trip, 768/256 kbps
        browser_page.goto(f"http://127.0.0.1:{venue.port}/capture")
        venue.down_bytes                         # what the phone downloaded

Everything the browser says to the server, and back, crosses one emulated
link. Each direction is one shared byte budget, whatever the number of
connections: a chunk waits its turn on the link (paced at the link's rate,
first come first served), and once sent it arrives half a round trip later,
in order on its connection. A connection reads its next chunk only when the
link starts sending the previous one, so a big download cannot queue itself
whole ahead of everything else: like TCP, the sender is held back, and two
downloads share the link. The websocket is just another connection.

A new connection also pays the TCP handshake's round trip before its first
byte reaches the server (the browser's connect to this proxy is instant;
a real one is not).

The proxy reads the HTTP requests that pass (request line and headers only;
nothing is changed) so that the benchmark can tell which files the server
answered and how many bytes came back for each. It runs its own event loop
in a thread, so a synchronous caller (Playwright's sync API) can use it.

Standard library only.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass

RTT_S = 0.300
DOWN_KBPS = 768
UP_KBPS = 256
# Small enough that connections sharing the link take turns often (4 KB is
# 43 ms at 768 kbps), big enough that Python keeps up at these rates.
CHUNK = 4096


class Direction:
    """One direction of the link: a single queue at ``kbps`` kilobits per second.

    ``reserve(n)`` books the next free slot on the link for ``n`` bytes and
    says when their sending starts and ends (time.monotonic() seconds).
    """

    def __init__(self, kbps: float):
        self.bytes_per_s = kbps * 1000 / 8
        self._free_at = 0.0  # when the link has sent everything booked so far

    def reserve(self, size: int, now: float) -> tuple[float, float]:
        start = max(now, self._free_at)
        self._free_at = start + size / self.bytes_per_s
        return start, self._free_at


@dataclass
class Request:
    """An HTTP request the server got through the link, and the bytes that came back for it."""

    connection: int
    method: str
    path: str
    at: float  # time.monotonic() when the proxy read it
    down_bytes: int = 0  # everything the server sent on this connection until the next request
    websocket: bool = False


class _RequestReader:
    """Finds request lines and headers in what a browser sends; never alters a byte.

    Browsers send one request at a time per connection over HTTP/1.1, so the
    bytes coming back on a connection belong to its latest request. A body
    (Content-Length) is skipped; after a websocket upgrade nothing more is read.
    """

    def __init__(self, link: Link, connection: int):
        self.link, self.connection = link, connection
        self.buffer = b""
        self.body_left = 0
        self.done = False
        self.current: Request | None = None

    def feed(self, data: bytes) -> None:
        if self.done:
            return
        self.buffer += data
        while not self.done:
            if self.body_left:
                taken = min(self.body_left, len(self.buffer))
                self.body_left -= taken
                self.buffer = self.buffer[taken:]
                if self.body_left:
                    return
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > 65536:  # not HTTP as expected: stop looking
                    self.done = True
                return
            head, self.buffer = self.buffer[:end].decode("latin-1"), self.buffer[end + 4:]
            line, *fields = head.split("\r\n")
            parts = line.split(" ")
            headers = {}
            for field in fields:
                name, _, value = field.partition(":")
                headers[name.strip().lower()] = value.strip()
            websocket = headers.get("upgrade", "").lower() == "websocket"
            self.current = Request(self.connection, parts[0], parts[1] if len(parts) > 1 else "",
                                   time.monotonic(), websocket=websocket)
            self.link._record(self.current)
            if websocket:
                self.done = True
            with contextlib.suppress(ValueError):
                self.body_left = int(headers.get("content-length", "0"))

    def answered(self, size: int) -> None:
        if self.current is not None:
            self.current.down_bytes += size


class Link:
    """The proxy: listens on 127.0.0.1:``port`` and forwards to ``target_port``.

    A context manager: entering starts the proxy (in a thread of its own),
    leaving stops it and closes every connection. ``down_bytes`` and
    ``up_bytes`` count what has been delivered each way; ``requests`` lists
    the HTTP requests that reached the server; ``reset()`` starts both anew.
    """

    def __init__(self, target_port: int, *, target_host: str = "127.0.0.1",
                 rtt: float = RTT_S, down_kbps: float = DOWN_KBPS, up_kbps: float = UP_KBPS,
                 handshake: bool = True):
        self.target = (target_host, target_port)
        self.rtt = rtt
        self.down_kbps, self.up_kbps = down_kbps, up_kbps
        self.handshake = handshake
        self.port = 0
        self.down_bytes = 0
        self.up_bytes = 0
        self.requests: list[Request] = []
        self.last_activity = time.monotonic()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        # Cleared while the link is cut: nothing is delivered either way (what
        # was sent waits, as TCP retransmits it) until it is restored.
        self._carrying = asyncio.Event()
        self._carrying.set()

    # ---------------------------------------------------------------- for the caller

    def __enter__(self) -> Link:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                server = loop.run_until_complete(
                    asyncio.start_server(self._accept, "127.0.0.1", 0))
            except BaseException as error:  # reported to start()'s caller
                failure.append(error)
                ready.set()
                return
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._close(server))
                loop.close()

        self.down = Direction(self.down_kbps)
        self.up = Direction(self.up_kbps)
        self._thread = threading.Thread(target=run, name="venue-link", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop = self._thread = None

    def cut(self) -> None:
        """The Wi-Fi is gone: open connections stall (the websocket too), new ones hang."""
        self._loop.call_soon_threadsafe(self._carrying.clear)

    def restore(self) -> None:
        """The Wi-Fi is back: what waited is delivered, in order, and traffic goes on."""
        self._loop.call_soon_threadsafe(self._carrying.set)

    def reset(self) -> None:
        """Count bytes and requests from zero again (the link's queue is left as it is)."""
        with self._lock:
            self.down_bytes = self.up_bytes = 0
            self.requests = []

    @property
    def open_connections(self) -> int:
        """Connections the proxy still holds (each one a browser's socket and the server's)."""
        return len(self._tasks)

    def quiet_for(self) -> float:
        """Seconds since the last byte was delivered either way."""
        return time.monotonic() - self.last_activity

    def wait_quiet(self, quiet: float = 1.0, timeout: float = 60.0) -> bool:
        """Wait until no byte has crossed for ``quiet`` seconds; False if ``timeout`` came first."""
        deadline = time.monotonic() + timeout
        while self.quiet_for() < quiet:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    # ---------------------------------------------------------------- inside the loop

    async def _close(self, server: asyncio.Server) -> None:
        server.close()
        # Cut every connection and let its task end on its own (a cancelled
        # connection task makes asyncio's stream callback log an error).
        for writer in list(self._writers):
            writer.transport.abort()
        if self._tasks:
            _, pending = await asyncio.wait(list(self._tasks), timeout=5)
            for task in pending:
                task.cancel()
        await server.wait_closed()

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _count(self, downstream: bool, size: int) -> None:
        with self._lock:
            if downstream:
                self.down_bytes += size
            else:
                self.up_bytes += size
            self.last_activity = time.monotonic()

    async def _accept(self, client_reader: asyncio.StreamReader,
                      client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        accepted = time.monotonic()
        server_writer = None
        self._writers.add(client_writer)
        try:
            try:
                server_reader, server_writer = await asyncio.open_connection(*self.target)
            except OSError:
                return
            self._writers.add(server_writer)
            requests = _RequestReader(self, next(self._ids))

            def abort() -> None:  # one side is gone: so is the connection
                client_writer.transport.abort()
                server_writer.transport.abort()

            # SYN and SYN-ACK cross the link before the browser's first byte can.
            opened = accepted + self.rtt if self.handshake else accepted
            await asyncio.gather(
                self._pump(client_reader, server_writer, self.up, opened, requests.feed, abort),
                self._pump(server_reader, client_writer, self.down, accepted,
                           lambda data: requests.answered(len(data)), abort),
            )
        finally:
            for writer in (client_writer, server_writer):
                if writer is not None:
                    self._writers.discard(writer)
                    writer.close()
                    with contextlib.suppress(OSError, RuntimeError):
                        await writer.wait_closed()
            self._tasks.discard(task)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    direction: Direction, not_before: float, observe, abort) -> None:
        """Carry one direction of one connection across the link, its end included."""
        downstream = direction is self.down
        arrivals: deque[tuple[float, bytes]] = deque()  # b"": the end of the stream
        more = asyncio.Event()

        async def deliver() -> None:
            # Chunks arrive in the order they were sent, each at its own time.
            while True:
                while not arrivals:
                    more.clear()
                    await more.wait()
                at, data = arrivals.popleft()
                delay = at - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                await self._carrying.wait()
                try:
                    if not data:
                        if writer.can_write_eof():
                            writer.write_eof()
                        return
                    writer.write(data)
                    await writer.drain()
                except (OSError, RuntimeError):  # the other end is gone
                    abort()
                    return
                self._count(downstream, len(data))

        delivering = asyncio.create_task(deliver())
        try:
            wait = not_before - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            while True:
                try:
                    data = await reader.read(CHUNK)
                except ConnectionError:
                    data = b""
                if data:
                    observe(data)
                # The end of the stream (FIN) takes its turn on the link as data does.
                start, end = direction.reserve(len(data), time.monotonic())
                arrivals.append((end + self.rtt / 2, data))
                more.set()
                if not data:
                    break
                # Read on once the link starts sending this chunk, not before: the
                # sender waits its turn, as a TCP sender would.
                wait = start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            await delivering
        finally:
            if not delivering.done():
                delivering.cancel()

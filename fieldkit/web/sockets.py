"""Answers leave at once: TCP_NODELAY on the server's listening sockets.

Streamlit binds its listening socket itself, without naming the protocol, and asyncio
turns Nagle's algorithm off only for sockets that name it. So each answer on a kept
connection (its headers in one write, its body in the next) waited for the phone's
delayed acknowledgement: about 40 ms per static file, most of a second for the page's
hundred-odd files. Connections accepted by a socket with TCP_NODELAY inherit it (Linux,
the BSDs and macOS), so setting it on the listening socket once, as the server starts,
is enough.
"""

from __future__ import annotations

import contextlib
import os
import socket

FDS = "/dev/fd"  # this process's open files (Linux and macOS)


def answer_at_once() -> int:
    """Set TCP_NODELAY on every listening TCP socket of this process; how many there were."""
    count = 0
    try:
        fds = [int(name) for name in os.listdir(FDS) if name.isdigit()]
    except OSError:
        return 0
    for fd in fds:
        try:
            copy = os.dup(fd)
        except OSError:  # closed meanwhile
            continue
        try:
            probe = socket.socket(fileno=copy)
        except OSError:  # not a socket
            os.close(copy)
            continue
        with probe, contextlib.suppress(OSError):
            if (probe.family in (socket.AF_INET, socket.AF_INET6)
                    and probe.type == socket.SOCK_STREAM
                    and probe.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)):
                probe.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                count += 1
    return count

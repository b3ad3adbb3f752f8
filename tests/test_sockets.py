"""fieldkit.web.sockets: the server's listening sockets, and the connections they accept,
send each write at once (TCP_NODELAY): no answer waits for a delayed acknowledgement."""

import os
import socket
from contextlib import closing

from fieldkit.web import sockets


def nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def listening(family=socket.AF_INET, address="127.0.0.1") -> socket.socket:
    # As Streamlit binds it: the protocol not named, so asyncio leaves Nagle on.
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind((address, 0))
    server.listen()
    return server


def test_a_listening_socket_and_what_it_accepts_send_at_once():
    with closing(listening()) as server:
        assert not nodelay(server)
        assert sockets.answer_at_once() >= 1
        assert nodelay(server)
        with closing(socket.create_connection(server.getsockname())) as phone:
            accepted, _ = server.accept()
            with closing(accepted):
                assert nodelay(accepted)  # inherited: every connection, not only the listener
                phone.sendall(b"GET / HTTP/1.1\r\n\r\n")
                assert accepted.recv(100).startswith(b"GET /")


def test_other_files_and_sockets_are_left_alone(tmp_path):
    with open(tmp_path / "a.txt", "w") as file, \
            closing(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)) as datagram, \
            closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as unbound, \
            closing(listening()) as server:
        before = len(os.listdir("/dev/fd"))
        counted = sockets.answer_at_once()
        assert counted >= 1 and nodelay(server) and not nodelay(unbound)
        assert len(os.listdir("/dev/fd")) == before  # no descriptor left open
        assert not file.closed and datagram.fileno() >= 0

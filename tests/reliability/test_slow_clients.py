"""Slow clients that trickle their headers do not starve other requests.

gunicorn's gthread worker gives each connection a thread once its first bytes
arrive, and that thread does the TLS handshake and reads the request. A client
that trickles bytes holds its thread, so the test keeps the slow clients below
the threads of one worker: wherever they land, every worker has threads left.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time

import pytest
from helpers.live_server import LiveServer
from helpers.tls_client import client_context
from helpers.traffic import Traffic

pytestmark = pytest.mark.server

SLOW_CLIENTS = 12
TRICKLE = b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + b"z" * 200
BYTE_EVERY = 0.1
BOUNDED_LATENCY = 2.0


class SlowClient(threading.Thread):
    """Connects, completes the handshake, then sends one header byte at a time."""

    def __init__(self, port: int, context: ssl.SSLContext) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.context = context
        self.connected = threading.Event()
        self.stop = threading.Event()
        self.sent = 0
        self.error: str | None = None

    def run(self) -> None:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=10) as raw:
                with self.context.wrap_socket(raw, server_hostname="localhost") as tls:
                    self.connected.set()
                    self._trickle(tls)
        except OSError as error:
            self.error = repr(error)
            self.connected.set()

    def _trickle(self, tls: ssl.SSLSocket) -> None:
        while not self.stop.is_set() and self.sent < len(TRICKLE):
            tls.sendall(TRICKLE[self.sent : self.sent + 1])
            self.sent += 1
            self.stop.wait(BYTE_EVERY)


def test_slow_clients_do_not_starve_normal_requests(
    server: LiveServer, server_threads: int
) -> None:
    assert SLOW_CLIENTS < server_threads
    context = client_context(server.ca_file)
    slow = [SlowClient(server.port, context) for _ in range(SLOW_CLIENTS)]
    for client in slow:
        client.start()
    for client in slow:
        assert client.connected.wait(10)

    with Traffic(server.port, server.ca_file, clients=2) as traffic:
        time.sleep(3.0)
    for client in slow:
        client.stop.set()
        client.join(timeout=10)

    assert [client.error for client in slow] == [None] * SLOW_CLIENTS
    assert min(client.sent for client in slow) >= 20
    assert len(traffic.sent) >= 10
    assert [sent.error for sent in traffic.sent if not sent.ok] == []
    assert max(sent.seconds for sent in traffic.sent) < BOUNDED_LATENCY

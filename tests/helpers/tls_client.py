"""Plain TLS clients for the real server: contexts and one request per connection.

``requests`` hides handshake failures behind its own exceptions and keeps
connections in a pool; these helpers use ``ssl`` and ``http.client`` so a test
sees exactly which TLS version, certificate and connection it used.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


def client_context(
    ca_file: str,
    *,
    cert_file: str | None = None,
    key_file: str | None = None,
) -> ssl.SSLContext:
    """A client context trusting ``ca_file``, presenting a certificate if given."""
    context = ssl.create_default_context(cafile=ca_file)
    if cert_file is not None:
        context.load_cert_chain(cert_file, key_file)
    return context


def post(
    port: int,
    path: str,
    body: bytes | Iterable[bytes],
    *,
    context: ssl.SSLContext,
    content_type: str = "application/json",
    timeout: float = 10.0,
) -> Answer:
    """POST on a new connection to ``localhost:port`` and read the whole answer.

    An iterable body is sent with ``Transfer-Encoding: chunked``.
    """
    started = time.perf_counter()
    connection = http.client.HTTPSConnection(
        "localhost", port, context=context, timeout=timeout
    )
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": content_type},
            encode_chunked=not isinstance(body, bytes),
        )
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return Answer(response.status, data, time.perf_counter() - started)


def post_headers_only(
    port: int, path: str, *, length: int, context: ssl.SSLContext
) -> Answer:
    """Announce a JSON body of ``length`` bytes, send none, read the answer."""
    started = time.perf_counter()
    connection = http.client.HTTPSConnection(
        "localhost", port, context=context, timeout=10
    )
    try:
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(length))
        connection.endheaders()
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return Answer(response.status, data, time.perf_counter() - started)


def handshake(port: int, *, context: ssl.SSLContext) -> str:
    """Complete a TLS handshake with ``localhost:port``; the version agreed."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            version = tls.version()
    assert version is not None
    return version


def post_streaming(
    port: int,
    path: str,
    *,
    length: int,
    piece: bytes,
    context: ssl.SSLContext,
) -> tuple[Answer, int]:
    """Stream ``length`` bytes of ``piece`` after piece, stopping at an early answer.

    Like Go's HTTP client (the apiserver's), it reads the answer as soon as one
    arrives instead of insisting on sending the whole body. Returns the answer
    and the number of body bytes sent.
    """
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            head = (
                f"POST {path} HTTP/1.1\r\nHost: localhost\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {length}\r\n\r\n"
            )
            tls.sendall(head.encode())
            sent = 0
            while sent < length and not select.select([tls], [], [], 0)[0]:
                try:
                    tls.sendall(piece)
                except OSError:
                    break  # the server answered and closed between two pieces
                sent += len(piece)
            response = http.client.HTTPResponse(tls)
            response.begin()
            data = response.read()
    return Answer(response.status, data, time.perf_counter() - started), sent

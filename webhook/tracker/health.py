"""``/healthz`` and ``/metrics`` on a small HTTP port.

The tracker's loops beat a heart on every turn: the worker while leading, the
lease loop while following. ``/healthz`` fails when no loop has turned for
``stale_after`` seconds (a wedged process the kubelet should restart) and once
shutdown has begun.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class Health:
    """Liveness of the tracker's loops."""

    def __init__(
        self, *, stale_after: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stale_after = stale_after
        self._clock = clock
        self._last_beat = clock()
        self._stopping = False

    def beat(self) -> None:
        self._last_beat = self._clock()

    def stopping(self) -> None:
        self._stopping = True

    def problem(self) -> str | None:
        """Why the tracker is unhealthy, or None."""
        if self._stopping:
            return "The tracker is shutting down."
        silent = self._clock() - self._last_beat
        if silent > self.stale_after:
            return f"No tracker loop has run for {silent:.0f} seconds."
        return None


def make_app(*, registry: CollectorRegistry, health: Health) -> WSGIApp:
    metrics_app = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return metrics_app(environ, start_response)  # type: ignore[no-any-return]
        if path == "/healthz":
            return _health(health, start_response)
        return _plain(start_response, "404 Not Found", "Try /healthz or /metrics.")

    return app


def _health(health: Health, start_response: StartResponse) -> Iterable[bytes]:
    problem = health.problem()
    if problem is None:
        return _plain(start_response, "200 OK", "ok")
    return _plain(start_response, "503 Service Unavailable", problem)


def _plain(start_response: StartResponse, status: str, text: str) -> Iterable[bytes]:
    body = (text + "\n").encode()
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]


def parse_bind(bind: str) -> tuple[str, int]:
    """``host:port`` (``[::]:9090`` for IPv6) as a host and a port."""
    host, separator, port = bind.rpartition(":")
    if not separator or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{bind!r} is not host:port (for example 0.0.0.0:9090).")
    return host.strip("[]") or "0.0.0.0", int(port)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _IPv6Server(_Server):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Probes every few seconds would drown the useful log lines."""


def serve(bind: str, app: WSGIApp) -> WSGIServer:
    """Serve ``app`` on ``bind`` from a daemon thread; ``shutdown()`` stops it."""
    host, port = parse_bind(bind)
    server_class = _IPv6Server if ":" in host else _Server
    server = make_server(
        host, port, app, server_class=server_class, handler_class=_QuietHandler
    )
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name="tracker-http",
        daemon=True,
    )
    thread.start()
    return server

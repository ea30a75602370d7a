"""A local HTTP server that replays recorded kube-apiserver answers.

Each route (method, path, watch or not) has a queue of replies, taken in order; a
route's ``then`` reply answers once the queue is empty. Watch replies are streamed
the way the apiserver streams them: chunked, one JSON event per line, the
connection held open for a while afterwards (an idle watch). Every request is kept
with its query and decoded body, so tests assert exactly what the client sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

RECORDED = Path(__file__).parents[1] / "data" / "apiserver"


def recorded(name: str) -> Any:
    """A recorded answer: ``.json`` is one object, ``.jsonl`` a list of events."""
    text = (RECORDED / name).read_text()
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None
    events: list[dict[str, Any]] | None = None
    """When set, a watch stream of these events."""
    hold: float = 0.0
    """Seconds a watch stream stays open after its events."""

    @classmethod
    def of(cls, name: str, status: int = 200) -> Reply:
        return cls(status=status, body=recorded(name))

    @classmethod
    def stream(cls, name: str, hold: float = 0.0) -> Reply:
        return cls(events=recorded(name), hold=hold)


IDLE_WATCH = Reply(events=[], hold=0.1)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any

    @property
    def watch(self) -> bool:
        return self.query.get("watch") == ["true"]

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class _Route:
    replies: deque[Reply] = field(default_factory=deque)
    then: Reply | None = None


class ReplayApiserver:
    def __init__(self) -> None:
        self._routes: dict[tuple[str, str, bool], _Route] = {}
        self._lock = threading.Condition()
        self.requests: list[Request] = []
        self.unexpected: list[Request] = []
        self.closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReplayApiserver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()

    def expect(
        self,
        method: str,
        path: str,
        *replies: Reply,
        watch: bool = False,
        then: Reply | None = None,
    ) -> None:
        with self._lock:
            route = self._routes.setdefault((method, path, watch), _Route())
            route.replies.extend(replies)
            if then is not None:
                route.then = then

    def sent(
        self, method: str, path: str, *, watch: bool | None = None
    ) -> list[Request]:
        with self._lock:
            return [
                request
                for request in self.requests
                if request.method == method
                and request.path == path
                and (watch is None or request.watch == watch)
            ]

    def wait_for(
        self,
        count: int,
        method: str,
        path: str,
        *,
        timeout: float = 5.0,
        watch: bool | None = None,
    ) -> list[Request]:
        """Block until ``count`` such requests arrived; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [
                    r
                    for r in self.requests
                    if r.method == method
                    and r.path == path
                    and (watch is None or r.watch == watch)
                ]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [f"{r.method} {r.path}" for r in self.requests]
                    raise AssertionError(
                        f"expected {count} x {method} {path}, got {len(found)}; "
                        f"requests: {seen}"
                    )
                self._lock.wait(left)

    def _answer(self, request: Request) -> Reply | None:
        with self._lock:
            self.requests.append(request)
            self._lock.notify_all()
            route = self._routes.get((request.method, request.path, request.watch))
            if route is not None and route.replies:
                return route.replies.popleft()
            if route is not None and route.then is not None:
                return route.then
            self.unexpected.append(request)
            return None


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def _handler_for(replay: ReplayApiserver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._serve()

        do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

        def _serve(self) -> None:
            request = self._request()
            reply = replay._answer(request)
            if reply is None:
                message = f"no recorded answer for {request.method} {request.path}"
                self._json(500, _status(500, "InternalError", message))
            elif reply.events is not None:
                self._stream(reply)
            else:
                self._json(reply.status, reply.body)

        def _request(self) -> Request:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            return Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=json.loads(raw) if raw else None,
            )

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for event in reply.events or ():
                    self._chunk(json.dumps(event).encode() + b"\n")
                replay.closing.wait(reply.hold)
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            except OSError:
                self.close_connection = True

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler

"""Serving the app with gunicorn: gthread workers, TLS that follows the files.

This module is imported by ``batchguard serve`` only after the metrics directory
is set up, because prometheus_client picks its multi-process mode at import time.
The app (and with it every metric) is built in the workers only, so the master
process never shows up in the metrics as a process of its own.
"""

from __future__ import annotations

import logging
import ssl
from typing import Any

from gunicorn.app.base import BaseApplication

from webhook.server.tls import ReloadingContext, TLSFiles
from webhook.settings import Settings

logger = logging.getLogger(__name__)

_contexts: dict[TLSFiles, ReloadingContext] = {}


def _ssl_context(files: TLSFiles) -> ssl.SSLContext:
    if files not in _contexts:
        _contexts[files] = ReloadingContext(files)
    return _contexts[files].get()


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    serve = settings.serve
    options: dict[str, Any] = {
        "bind": [serve.bind],
        "workers": serve.workers,
        "worker_class": "gthread",
        "threads": serve.threads,
        "timeout": serve.timeout,
        "graceful_timeout": serve.graceful_timeout,
        "keepalive": serve.keepalive,
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": serve.log_level,
        "proc_name": "batchguard",
        "child_exit": _forget_worker,
    }
    if not serve.insecure_http:
        files = TLSFiles(
            settings.tls.cert_file, settings.tls.key_file, settings.tls.client_ca_file
        )
        options["certfile"] = str(files.cert_file)
        options["keyfile"] = str(files.key_file)
        options["ssl_context"] = lambda _conf, _factory: _ssl_context(files)
    return options


def _forget_worker(_server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


class WebhookServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured in code rather than from its command line."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in gunicorn_options(self._settings).items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from webhook.server.app import create_app

        return create_app(self._settings)


def run(settings: Settings) -> None:
    if not settings.serve.insecure_http:
        files = TLSFiles(
            settings.tls.cert_file, settings.tls.key_file, settings.tls.client_ca_file
        )
        _ssl_context(files)
    WebhookServer(settings).run()

"""``python -m bench.baseline_server``: the baseline app under batchguard's gunicorn.

The options come from ``webhook.server.gunicorn_app.gunicorn_options``, the very
function ``batchguard serve`` uses, so both servers share workers, threads,
timeouts, keep-alive and the TLS context; only the application differs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from webhook.server.gunicorn_app import gunicorn_options
from webhook.settings import ServeSettings, Settings, TLSSettings


def baseline_options(settings: Settings) -> dict[str, Any]:
    options = gunicorn_options(settings)
    # batchguard's hook tidies its metrics files when a worker exits; no metrics here.
    del options["child_exit"]
    options["proc_name"] = "bench-baseline"
    return options


class BaselineServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in baseline_options(self._settings).items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from bench.baseline_app import app

        return app


def settings_from(args: Sequence[str]) -> Settings:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline_server")
    parser.add_argument("--bind", required=True)
    parser.add_argument("--cert-file", type=Path, required=True)
    parser.add_argument("--key-file", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=ServeSettings.workers)
    parser.add_argument("--threads", type=int, default=ServeSettings.threads)
    options = parser.parse_args(list(args))
    return Settings(
        tls=TLSSettings(cert_file=options.cert_file, key_file=options.key_file),
        serve=ServeSettings(
            bind=options.bind, workers=options.workers, threads=options.threads
        ),
    )


def main() -> None:
    BaselineServer(settings_from(sys.argv[1:])).run()


if __name__ == "__main__":
    main()

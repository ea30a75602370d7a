"""Settings, grouped by concern, read from flags and ``BATCHGUARD_*`` variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

FailureMode = Literal["deny", "allow"]

ENV_PREFIX = "BATCHGUARD_"
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


class SettingsError(ValueError):
    """A setting from the environment or a flag has an unusable value."""


def _require(condition: bool, name: str, value: object, expected: str) -> None:
    if not condition:
        raise SettingsError(
            f"{ENV_PREFIX}{name.upper()} is {value!r}; it must be {expected}."
        )


@dataclass(frozen=True)
class TLSSettings:
    cert_file: Path = Path("certs/tls.crt")
    """Serving certificate (PEM, chain allowed). Re-read when it changes on disk."""
    key_file: Path = Path("certs/tls.key")
    """Private key of the serving certificate (PEM)."""
    client_ca_file: Path | None = None
    """When set, clients must present a certificate signed by this CA (mTLS)."""
    generate_dev_certs: bool = False
    """Create a CA and a localhost certificate when the files are missing."""


@dataclass(frozen=True)
class PolicySettings:
    policy_dir: tuple[Path, ...] = (Path("policies"),)
    """Directories (read flat) or files holding BatchPolicy documents."""
    reload_interval: float = 1.0
    """Seconds between checks of the policy files for changes."""

    def __post_init__(self) -> None:
        _require(
            self.reload_interval > 0, "reload_interval", self.reload_interval, "> 0"
        )


@dataclass(frozen=True)
class ServerSettings:
    max_body_bytes: int = 4 * 1024 * 1024
    """Largest accepted request body. The apiserver caps objects near 3 MiB, so a
    review of an UPDATE (object and oldObject) fits."""
    max_json_depth: int = 100
    """Deepest nesting accepted in a JSON body."""
    failure_mode: FailureMode = "deny"
    """What an unexpected internal error answers: deny (default) or allow."""
    review_enabled: bool = True
    """Serve ``POST /review`` (the dry-run review endpoint)."""
    review_token_file: Path | None = None
    """When set, ``/review`` requires ``Authorization: Bearer <token in file>``."""
    metrics_enabled: bool = True
    """Serve ``GET /metrics``."""

    def __post_init__(self) -> None:
        _require(self.max_body_bytes > 0, "max_body_bytes", self.max_body_bytes, "> 0")
        _require(self.max_json_depth > 0, "max_json_depth", self.max_json_depth, "> 0")
        _require(
            self.failure_mode in ("deny", "allow"),
            "failure_mode",
            self.failure_mode,
            "'deny' or 'allow'",
        )


@dataclass(frozen=True)
class ServeSettings:
    bind: str = "127.0.0.1:8443"
    workers: int = 2
    threads: int = 16
    """gthread worker threads: the apiserver keeps connections alive, and a client
    that trickles its headers holds a thread (see docs/performance.md)."""
    timeout: int = 8
    """Seconds a worker may stay silent before it is restarted: below the
    apiserver's default webhook timeout (10 s). gunicorn counts a worker's boot
    against it too, so it is not set lower: on a busy node, importing the app
    can take a few seconds, and a worker killed while booting boots again."""
    graceful_timeout: int = 4
    """Seconds a stopping worker has to finish its requests: also below 5 s, so
    what it finishes is still awaited by the apiserver."""
    keepalive: int = 75
    insecure_http: bool = False
    """Serve plain HTTP. For local development only."""
    metrics_dir: Path | None = None
    """Directory for multi-process metrics (a temporary one is made when unset)."""
    log_format: Literal["text", "json"] = "json"
    log_level: str = "info"

    def __post_init__(self) -> None:
        host, _, port = self.bind.rpartition(":")
        _require(
            bool(host) and port.isdigit() and 0 < int(port) < 65536,
            "bind",
            self.bind,
            "host:port",
        )
        _require(1 <= self.workers <= 64, "workers", self.workers, "from 1 to 64")
        _require(1 <= self.threads <= 256, "threads", self.threads, "from 1 to 256")
        _require(self.timeout > 0, "timeout", self.timeout, "> 0")
        _require(
            self.graceful_timeout > 0, "graceful_timeout", self.graceful_timeout, "> 0"
        )
        _require(
            self.log_format in ("text", "json"),
            "log_format",
            self.log_format,
            "'text' or 'json'",
        )
        _require(
            self.log_level.lower() in LOG_LEVELS,
            "log_level",
            self.log_level,
            "one of " + ", ".join(LOG_LEVELS),
        )


@dataclass(frozen=True)
class Settings:
    tls: TLSSettings = field(default_factory=TLSSettings)
    policies: PolicySettings = field(default_factory=PolicySettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)


def _convert(value: str, default: Any, annotation: str) -> Any:
    if "bool" in annotation:
        lowered = value.strip().lower()
        if lowered not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
            raise ValueError(f"{value!r} is not a boolean (use true or false)")
        return lowered in {"1", "true", "yes", "on"}
    if "tuple[Path" in annotation:
        return tuple(Path(part) for part in value.split(os.pathsep) if part)
    if "Path" in annotation:
        return Path(value) if value else None
    if "int" in annotation and "float" not in annotation:
        return int(value)
    if "float" in annotation:
        return float(value)
    return value


def _section_from_env(section: Any, env: Mapping[str, str]) -> Any:
    changes: dict[str, Any] = {}
    for item in fields(section):
        name = ENV_PREFIX + item.name.upper()
        if name in env:
            try:
                changes[item.name] = _convert(
                    env[name], getattr(section, item.name), str(item.type)
                )
            except ValueError as error:
                raise SettingsError(f"{name}: {error}") from None
    return type(section)(**{**section.__dict__, **changes})


def settings_from_env(
    env: Mapping[str, str] | None = None, base: Settings | None = None
) -> Settings:
    """``base`` (defaults when None) overridden by ``BATCHGUARD_*`` variables."""
    env = os.environ if env is None else env
    base = base or Settings()
    return Settings(
        tls=_section_from_env(base.tls, env),
        policies=_section_from_env(base.policies, env),
        server=_section_from_env(base.server, env),
        serve=_section_from_env(base.serve, env),
    )

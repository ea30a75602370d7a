"""``batchguard serve``: the admission webhook over TLS, under gunicorn."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

import click

from webhook import certs
from webhook.settings import Settings, SettingsError, settings_from_env

METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def _prepare_metrics_dir(settings: Settings) -> Path:
    directory = settings.serve.metrics_dir or Path(
        tempfile.mkdtemp(prefix="batchguard-metrics-")
    )
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ[METRICS_ENV] = str(directory)
    from prometheus_client import values

    values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
    return directory


def _ensure_dev_certs(settings: Settings) -> None:
    tls = settings.tls
    if tls.cert_file.is_file() and tls.key_file.is_file():
        return
    if tls.cert_file.parent != tls.key_file.parent:
        raise click.UsageError(
            "--dev-certs needs the certificate and key in the same directory."
        )
    files = certs.generate(tls.cert_file.parent, names=certs.dev_names())
    click.echo(
        f"Generated development certificates in {tls.cert_file.parent}/ "
        f"(trust {files.ca_cert} in clients).",
        err=True,
    )


def _settings(overrides: dict[str, object]) -> Settings:
    try:
        base = settings_from_env()
    except SettingsError as error:
        raise click.UsageError(str(error)) from None
    sections = {}
    for section_name in ("tls", "policies", "server", "serve"):
        section = getattr(base, section_name)
        known = {f.name for f in dataclasses.fields(section)}
        changes = {k: v for k, v in overrides.items() if k in known and v is not None}
        try:
            sections[section_name] = dataclasses.replace(section, **changes)
        except SettingsError as error:
            raise click.UsageError(str(error)) from None
    return Settings(**sections)


@click.command()
@click.option("--bind", help="host:port to listen on [default: 127.0.0.1:8443].")
@click.option(
    "--cert-file", type=click.Path(path_type=Path), help="Serving certificate."
)
@click.option("--key-file", type=click.Path(path_type=Path), help="Its private key.")
@click.option(
    "--client-ca-file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Require client certificates signed by this CA (mTLS).",
)
@click.option(
    "--policy-dir",
    "--policies",
    "policy_dir",
    type=click.Path(path_type=Path, exists=True),
    multiple=True,
    help="Policy directory or file (repeatable) [default: policies].",
)
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--threads", type=click.IntRange(1, 256), help="Threads per worker.")
@click.option(
    "--failure-mode",
    type=click.Choice(["deny", "allow"]),
    help="Answer to an internal error [default: deny].",
)
@click.option("--metrics-dir", type=click.Path(path_type=Path), help="Metrics files.")
@click.option("--log-format", type=click.Choice(["json", "text"]))
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]))
@click.option(
    "--dev-certs",
    is_flag=True,
    default=None,
    help="Generate a CA and a localhost certificate when the files are missing.",
)
@click.option(
    "--insecure-http",
    is_flag=True,
    default=None,
    help="Serve plain HTTP. For local development only; never in a cluster.",
)
def serve(**options: object) -> int:
    """Serve /mutate, /validate, /review, /healthz, /readyz and /metrics."""
    policy_dirs = options.pop("policy_dir")
    options["policy_dir"] = tuple(policy_dirs) if policy_dirs else None  # type: ignore[arg-type]
    options["generate_dev_certs"] = options.pop("dev_certs")
    settings = _settings(options)
    if settings.tls.generate_dev_certs and not settings.serve.insecure_http:
        _ensure_dev_certs(settings)
    _check_startup(settings)
    _prepare_metrics_dir(settings)

    from webhook.server.gunicorn_app import run
    from webhook.server.logs import configure_logging

    configure_logging(settings.serve.log_level, settings.serve.log_format)
    run(settings)
    return 0


def _check_startup(settings: Settings) -> None:
    from webhook.policy.loader import PolicyLoadError, load_policies

    try:
        load_policies(settings.policies.policy_dir)
    except PolicyLoadError as error:
        raise click.ClickException(f"Cannot start: {error}") from None
    if settings.serve.insecure_http:
        click.echo("WARNING: serving plain HTTP (--insecure-http).", err=True)
        return
    for path in (settings.tls.cert_file, settings.tls.key_file):
        if not path.is_file():
            raise click.ClickException(
                f"Cannot start: TLS file {str(path)!r} does not exist; pass "
                "--cert-file/--key-file, or --dev-certs to generate development ones."
            )

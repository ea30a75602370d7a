"""``batchguard tracker``: record each tracked Job's outcome, then release it."""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click
from kubernetes.client import ApiClient

from webhook.cli.main import EXIT_OK, EXIT_USAGE
from webhook.kube import KubeConfigError, load_api_client, service_account_namespace
from webhook.policy.rules.finalizer import JOB_CONTROLLER_FINALIZER
from webhook.tracker.health import parse_bind
from webhook.tracker.settings import (
    FINALIZER,
    TRACKED_LABEL,
    LeaseSettings,
    TrackerSettings,
)


class KubeAccessError(click.ClickException):
    exit_code = EXIT_USAGE


@click.command()
@click.option("--namespace", help="Watch one namespace [default: all namespaces].")
@click.option(
    "--finalizer",
    default=FINALIZER,
    show_default=True,
    help="The finalizer the webhook adds and the tracker removes.",
)
@click.option(
    "--label-selector",
    default=f"{TRACKED_LABEL}=true",
    show_default=True,
    help="Which Jobs to watch.",
)
@click.option("--outcome-url", help="Also POST each outcome there as a JSON line.")
@click.option(
    "--outcome-timeout",
    type=click.FloatRange(0.1, 60),
    default=5.0,
    show_default=True,
    help="Seconds one POST may take.",
)
@click.option(
    "--metrics-bind",
    default="0.0.0.0:9090",
    show_default=True,
    help="host:port of /metrics and /healthz; empty to serve neither.",
)
@click.option(
    "--leader-elect/--no-leader-elect",
    default=True,
    show_default=True,
    help="Take a Lease so that only one replica releases finalizers.",
)
@click.option("--lease-name", default="batchguard-tracker", show_default=True)
@click.option(
    "--lease-namespace",
    envvar=["BATCHGUARD_TRACKER_LEASE_NAMESPACE", "POD_NAMESPACE"],
    help="Namespace of the Lease [default: the pod's namespace].",
)
@click.option(
    "--identity",
    envvar=["BATCHGUARD_TRACKER_IDENTITY", "POD_NAME"],
    help="This replica's name in the Lease and in Events [default: host name].",
)
@click.option("--kubeconfig", type=click.Path(dir_okay=False), help="Kubeconfig file.")
@click.option("--context", help="Kubeconfig context.")
@click.option(
    "--log-format",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    envvar=["BATCHGUARD_TRACKER_LOG_FORMAT", "BATCHGUARD_LOG_FORMAT"],
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
def tracker(
    *,
    namespace: str | None,
    finalizer: str,
    label_selector: str,
    outcome_url: str | None,
    outcome_timeout: float,
    metrics_bind: str,
    leader_elect: bool,
    lease_name: str,
    lease_namespace: str | None,
    identity: str | None,
    kubeconfig: str | None,
    context: str | None,
    log_format: str,
    log_level: str,
) -> int:
    """Record each tracked Job's outcome, then remove batchguard's finalizer.

    Runs until SIGTERM or SIGINT. See docs/tracker.md.
    """
    _check_finalizer(finalizer)
    _check_bind(metrics_bind)
    settings = TrackerSettings(
        identity=identity or socket.gethostname(),
        finalizer=finalizer,
        label_selector=label_selector,
        namespace=namespace,
        outcome_url=outcome_url,
        outcome_timeout=outcome_timeout,
    )
    lease = _lease(leader_elect, name=lease_name, namespace=lease_namespace)
    api_client = _api_client(kubeconfig=kubeconfig, context=context)

    from webhook.server.logs import configure_logging
    from webhook.tracker import runner

    configure_logging(log_level, log_format)
    with _stop_on_signals() as stop:
        runner.run(
            api_client=api_client,
            settings=settings,
            lease=lease,
            stop=stop,
            metrics_bind=metrics_bind or None,
        )
    return EXIT_OK


def _check_finalizer(finalizer: str) -> None:
    if finalizer == JOB_CONTROLLER_FINALIZER:
        raise click.UsageError(
            f"--finalizer {finalizer!r} belongs to the job controller, which puts it "
            "on Pods; use batchguard's own, such as "
            f"{FINALIZER!r}."
        )


def _check_bind(bind: str) -> None:
    if not bind:
        return
    try:
        parse_bind(bind)
    except ValueError as error:
        raise click.UsageError(f"--metrics-bind: {error}") from None


def _lease(enabled: bool, *, name: str, namespace: str | None) -> LeaseSettings | None:
    if not enabled:
        return None
    namespace = namespace or service_account_namespace()
    if not namespace:
        raise click.UsageError(
            "--lease-namespace is needed outside a pod (or pass --no-leader-elect "
            "to run a single replica)."
        )
    return LeaseSettings(namespace=namespace, name=name)


def _api_client(*, kubeconfig: str | None, context: str | None) -> ApiClient:
    try:
        return load_api_client(kubeconfig=kubeconfig, context=context)
    except KubeConfigError as error:
        raise KubeAccessError(str(error)) from None


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event that SIGTERM and SIGINT set, for a graceful shutdown."""
    stop = threading.Event()
    handled = (signal.SIGTERM, signal.SIGINT)
    previous = {number: signal.getsignal(number) for number in handled}
    for number in handled:
        signal.signal(number, lambda *_: stop.set())
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)

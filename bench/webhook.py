"""Webhook benchmark: batchguard against a bare Flask app, same gunicorn, same TLS.

Both servers run at once on loopback, with the workers and threads of
``batchguard serve``'s defaults, and take turns under the same keep-alive load of
AdmissionReview CREATE requests for a typical Job on ``/mutate`` (the endpoint
that computes patches). Targets: throughput at least 0.85 of the baseline's, p99
latency at most 1.5 times the baseline's, at each concurrency.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import load, servers, workloads
from bench.results import Target, heading, say
from webhook.settings import ServeSettings

CONNECTIONS = (4, 16)
PATH = "/mutate"
THROUGHPUT_BOUND = 0.85
P99_BOUND = 1.5
WARM_UP = 1.0
NAMES = ("baseline", "batchguard")


@dataclass(frozen=True)
class Run:
    server: str
    connections: int
    result: load.LoadResult
    cpu_seconds: float
    """CPU time the server's processes spent during the run."""

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_seconds * 1e3 / max(self.result.requests, 1)


def _check_answer(server: servers.Server, *, tls: servers.Certificates) -> str:
    """One request by hand: the answer must carry the uid of the request."""
    uid = "0b7e6a35-3f5e-4a8b-9d3c-2f1e0a9c8b7d"
    body = workloads.admission_body(workloads.job(), uid=uid)
    status, answer = servers.post(
        server, PATH, body, context=servers.client_context(tls)
    )
    response = answer.get("response", {}) if isinstance(answer, dict) else {}
    if status != 200 or response.get("uid") != uid:
        raise RuntimeError(
            f"The {server.name} server answered {status} {answer!r}; expected an "
            f"AdmissionReview response with uid {uid!r}."
        )
    patched = "with a patch" if response.get("patch") else "without a patch"
    return f"{server.name}: allowed={response.get('allowed')} {patched}"


@contextmanager
def _both_servers(
    workdir: Path, *, tls: servers.Certificates, probe: bytes
) -> Iterator[dict[str, servers.Server]]:
    defaults = ServeSettings()
    sizing = {"workers": defaults.workers, "threads": defaults.threads}
    ports = {name: servers.free_port() for name in NAMES}
    commands = {
        "baseline": servers.baseline_command(ports["baseline"], tls=tls, **sizing),
        "batchguard": servers.batchguard_command(
            ports["batchguard"], tls=tls, workdir=workdir, **sizing
        ),
    }
    say(
        f"servers: gunicorn gthread, {defaults.workers} workers x "
        f"{defaults.threads} threads, TLS, keep-alive {defaults.keepalive} s"
    )
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(
                servers.running(
                    name,
                    commands[name],
                    port=ports[name],
                    workdir=workdir,
                    probe=probe,
                    tls=tls,
                )
            )
            for name in NAMES
        }


def _measure(
    running: dict[str, servers.Server],
    *,
    body_file: Path,
    tls: servers.Certificates,
    duration: float,
) -> list[Run]:
    body = body_file.read_bytes()
    context = servers.client_context(tls)
    endpoints = {
        name: load.Endpoint(server.port, PATH, body, body_file, context)
        for name, server in running.items()
    }
    for endpoint in endpoints.values():
        load.generate(endpoint, connections=CONNECTIONS[-1], duration=WARM_UP)
    runs = []
    for connections in CONNECTIONS:
        for name in NAMES:
            runs.append(
                _one_run(
                    running[name],
                    endpoints[name],
                    connections=connections,
                    duration=duration,
                )
            )
            say(_run_line(runs[-1]))
    return runs


def _one_run(
    server: servers.Server,
    endpoint: load.Endpoint,
    *,
    connections: int,
    duration: float,
) -> Run:
    processes = [server.process.pid, *servers.children(server.process.pid)]
    before = servers.cpu_seconds(processes)
    result = load.generate(endpoint, connections=connections, duration=duration)
    used = servers.cpu_seconds(processes) - before
    return Run(server.name, connections, result, used)


def _run_line(run: Run) -> str:
    result = run.result
    return (
        f"{run.connections:>3} connections  {run.server:<10} "
        f"{result.rate:9,.0f} req/s  p50 {result.p50_ms:7.2f} ms  "
        f"p99 {result.p99_ms:7.2f} ms  server CPU {run.cpu_ms_per_request:5.2f} "
        f"ms/req  errors {result.errors}"
    )


def _memory_lines(running: dict[str, servers.Server]) -> list[str]:
    lines = []
    for name, server in running.items():
        workers = servers.children(server.process.pid)
        sizes = [servers.resident_kib(pid) for pid in workers]
        shown = ", ".join(
            f"pid {pid}: {size / 1024:.1f} MiB"
            for pid, size in zip(workers, sizes, strict=True)
            if size is not None
        )
        lines.append(f"RSS after load, {name} workers: {shown or 'none found'}")
    return lines


def targets(runs: list[Run]) -> list[Target]:
    found: list[Target] = []
    for connections in CONNECTIONS:
        at = {run.server: run.result for run in runs if run.connections == connections}
        guard, base = at["batchguard"], at["baseline"]
        found.append(
            Target(
                f"webhook: throughput vs baseline, {connections} connections",
                guard.rate / base.rate,
                "at least",
                THROUGHPUT_BOUND,
            )
        )
        found.append(
            Target(
                f"webhook: p99 latency vs baseline, {connections} connections",
                guard.p99_ms / base.p99_ms,
                "at most",
                P99_BOUND,
            )
        )
    return found


def run(*, duration: float) -> list[Target]:
    """Measure and print the webhook figures; return the targets they judge."""
    heading("Webhook: batchguard vs a bare Flask app, same gunicorn and TLS")
    say(load.generator_label())
    say(f"load: POST {PATH}, AdmissionReview CREATE of a typical Job, {duration:g} s")
    with tempfile.TemporaryDirectory(prefix="batchguard-bench-") as scratch:
        workdir = Path(scratch)
        tls = servers.Certificates.generate(workdir / "certs")
        body_file = workdir / "review.json"
        body_file.write_bytes(workloads.admission_body(workloads.job()))
        probe = body_file.read_bytes()
        with _both_servers(workdir, tls=tls, probe=probe) as running:
            for server in running.values():
                say(_check_answer(server, tls=tls))
            runs = _measure(running, body_file=body_file, tls=tls, duration=duration)
            for line in _memory_lines(running):
                say(line)
    for line in _ratio_lines(runs):
        say(line)
    return targets(runs)


def _ratio_lines(runs: list[Run]) -> list[str]:
    lines = []
    for connections in CONNECTIONS:
        at = {run.server: run for run in runs if run.connections == connections}
        guard, base = at["batchguard"], at["baseline"]
        lines.append(
            f"{connections:>3} connections: batchguard serves "
            f"{guard.result.rate / base.result.rate:.2f} of the baseline's requests/s "
            f"and spends {guard.cpu_ms_per_request / base.cpu_ms_per_request:.2f} "
            "times its server CPU per request"
        )
    return lines

"""``python -m bench``: run the benchmarks and print the results table."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence

from bench.results import Target, heading, say, table

SECTIONS = ("webhook", "engine", "cli")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks of batchguard, judged against same-run baselines.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short runs and fewer files: a smoke test in under a minute",
    )
    parser.add_argument(
        "--only",
        choices=SECTIONS,
        action="append",
        help="run only this section (repeatable) [default: all]",
    )
    parser.add_argument(
        "--duration",
        type=float,
        help="seconds of load per webhook run [default: 10, or 2 with --quick]",
    )
    return parser


def _section(name: str, options: argparse.Namespace) -> Callable[[], list[Target]]:
    if name == "webhook":
        from bench import webhook

        duration = options.duration or (2.0 if options.quick else 10.0)
        return lambda: webhook.run(duration=duration)
    if name == "engine":
        from bench import engine

        return lambda: engine.run(quick=options.quick)
    from bench import check

    return lambda: check.run(quick=options.quick)


def machine() -> str:
    """What the figures were measured on: they only compare within one run."""
    from importlib.metadata import version

    load = os.getloadavg()[0]
    return (
        f"machine: {os.cpu_count()} cores, load average {load:.2f} at start; "
        f"Python {platform.python_version()}, gunicorn {version('gunicorn')}, "
        f"Flask {version('flask')}"
    )


def run(args: Sequence[str]) -> int:
    """Run the chosen sections; 0 when they ran, whatever the verdicts."""
    options = parser().parse_args(list(args))
    if options.duration is not None and options.duration <= 0:
        parser().error(f"--duration must be positive, not {options.duration!r}")
    started = time.monotonic()
    say(machine())
    targets: list[Target] = []
    for name in options.only or SECTIONS:
        targets.extend(_section(name, options)())
    heading(f"Results ({time.monotonic() - started:.0f} s)")
    for line in table(targets):
        say(line)
    return 0


def main() -> None:
    sys.exit(run(sys.argv[1:]))

"""Options and helpers shared by ``check``, ``fix``, ``test`` and ``review``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from webhook.cli.main import EXIT_USAGE
from webhook.policy.loader import PolicyLoadError, default_policy_dir, load_policies
from webhook.policy.model import PolicySet
from webhook.report import DEFAULT_FORMAT, FORMATTERS

F = TypeVar("F", bound=Callable[..., Any])


class BadInput(click.ClickException):
    """Input that cannot be used (a policy or test file): exit status 2."""

    exit_code = EXIT_USAGE


def policies_option(function: F) -> F:
    return click.option(
        "--policies",
        "policy_paths",
        type=click.Path(path_type=Path, exists=True),
        multiple=True,
        envvar="BATCHGUARD_POLICIES",
        help=(
            "Policy directory or file (repeatable) "
            "[default: ./policies, else the shipped policies]."
        ),
    )(function)


def report_options(function: F) -> F:
    """``--format`` and ``--output``, for commands that report.

    The parameter is named ``format`` so that its variable is
    ``BATCHGUARD_<COMMAND>_FORMAT``.
    """
    function = click.option(
        "--output",
        "-o",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Write the report to this file instead of standard output.",
    )(function)
    return click.option(
        "--format",
        "format",
        type=click.Choice(sorted(FORMATTERS)),
        default=DEFAULT_FORMAT,
        show_default=True,
        help="Report format.",
    )(function)


def namespace_option(function: F) -> F:
    return click.option(
        "--namespace",
        "-n",
        help="Namespace assumed for objects that name none.",
    )(function)


def manifest_paths_argument(function: F) -> F:
    return click.argument(
        "paths",
        nargs=-1,
        required=True,
        type=click.Path(exists=True, allow_dash=True),
    )(function)


def build_policies(paths: Sequence[Path]) -> PolicySet:
    """The policies to apply: those named, else the default directory, else none."""
    if not paths:
        default = default_policy_dir()
        if not default.is_dir():
            click.echo(
                f"note: no policies given and {default} does not exist; only the "
                "built-in Kubernetes checks run.",
                err=True,
            )
            return PolicySet()
        paths = [default]
    try:
        return load_policies(paths)
    except PolicyLoadError as error:
        raise BadInput(str(error)) from None


def use_color(*, to_terminal: bool) -> bool:
    """Colour only for a terminal, and never when ``NO_COLOR`` is set."""
    return to_terminal and not os.environ.get("NO_COLOR")


def is_terminal(name: Literal["stdout", "stderr"]) -> bool:
    """Whether the standard stream ``stdout`` or ``stderr`` is a terminal."""
    stream = sys.stdout if name == "stdout" else sys.stderr
    return stream is not None and stream.isatty()


def stdout_is_terminal() -> bool:
    return is_terminal("stdout")

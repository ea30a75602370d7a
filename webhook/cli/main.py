"""Entry point of the ``batchguard`` command.

Every sub-command lives in its own module and is registered in ``COMMANDS``. Exit
codes are documented in the README: 0 clean, 1 denials found, 2 usage error or
unreadable input.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

from webhook import __version__

EXIT_OK = 0
EXIT_DENIED = 1
EXIT_USAGE = 2


class LazyGroup(click.Group):
    """A group whose commands are imported when they are first needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from webhook.cli.commands import COMMANDS

        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from webhook.cli.commands import COMMANDS

        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target!r} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="batchguard")
def cli() -> None:
    """Admission control and policy checks for Kubernetes Jobs and CronJobs."""


def run(args: Sequence[str]) -> int:
    """Run the CLI in-process and return the exit code (tests call this)."""
    try:
        result = cli.main(
            args=list(args),
            prog_name="batchguard",
            standalone_mode=False,
            auto_envvar_prefix="BATCHGUARD",
        )
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_USAGE
    except click.ClickException as error:
        error.show()
        return EXIT_USAGE if isinstance(error, click.UsageError) else error.exit_code
    return result if isinstance(result, int) else EXIT_OK


def main() -> None:
    sys.exit(run(sys.argv[1:]))

"""``batchguard policy``: the policy schema and a linter for policy files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from webhook.cli.main import EXIT_DENIED, EXIT_OK, EXIT_USAGE
from webhook.policy.lint import lint as lint_policies
from webhook.policy.loader import PolicyLoadError, load_policies
from webhook.policy.schema import policy_schema


@click.group(name="policy")
def policy_group() -> None:
    """Work with BatchPolicy files."""


@policy_group.command()
def schema() -> int:
    """Print the JSON Schema of policy files (for editors and CI)."""
    click.echo(json.dumps(policy_schema(), indent=2, sort_keys=False))
    return EXIT_OK


@policy_group.command()
@click.argument(
    "paths", nargs=-1, type=click.Path(path_type=Path, exists=True), required=True
)
def lint(paths: tuple[Path, ...]) -> int:
    """Load policies and report errors, conflicts and rules that never apply.

    Exit status: 0 clean or warnings only, 1 errors, 2 a file does not load.
    """
    try:
        policies = load_policies(paths)
    except PolicyLoadError as error:
        click.echo(f"error: {error}", err=True)
        return EXIT_USAGE
    findings = lint_policies(policies)
    for finding in findings:
        click.echo(finding.render())
    errors = sum(1 for f in findings if f.severity == "error")
    click.echo(
        f"{len(policies.policies)} policies, {errors} errors, "
        f"{len(findings) - errors} warnings",
        err=True,
    )
    return EXIT_DENIED if errors else EXIT_OK

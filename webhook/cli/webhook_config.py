"""``batchguard webhook-config check``: webhook configurations that can stall a cluster.

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 a file cannot be read
or the input holds no webhook configuration.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence

import click
import yaml

from webhook.cli.main import EXIT_DENIED, EXIT_OK, EXIT_USAGE
from webhook.webhook_config import CheckedConfiguration, Severity, check_documents


class UnreadableInputError(Exception):
    """A file cannot be read, or is not YAML."""


def read_documents(source: str) -> list[object]:
    """Every YAML document in ``source`` (a path, or ``-`` for standard input)."""
    try:
        with click.open_file(source, encoding="utf-8") as stream:
            text = stream.read()
        return list(yaml.safe_load_all(text))
    except OSError as error:
        raise UnreadableInputError(
            f"{source}: cannot read: {error.strerror}."
        ) from None
    except UnicodeDecodeError:
        raise UnreadableInputError(f"{source}: not UTF-8 text.") from None
    except yaml.YAMLError as error:
        raise UnreadableInputError(f"{source}: not valid YAML: {error}") from None


def render_text(results: Sequence[CheckedConfiguration]) -> str:
    lines = [
        f"{result.source}: {result.kind} {result.name!r}: {finding.render()}"
        for result in results
        for finding in result.findings
    ]
    findings = [finding for result in results for finding in result.findings]
    errors = sum(finding.severity is Severity.ERROR for finding in findings)
    warnings = len(findings) - errors
    lines.append(
        f"Checked {len(results)} webhook configuration(s): "
        f"{errors} error(s), {warnings} warning(s)."
    )
    return "\n".join(lines)


def render_json(results: Sequence[CheckedConfiguration]) -> str:
    rows = [
        {
            "source": result.source,
            "kind": result.kind,
            "name": result.name,
            "path": finding.path,
            "severity": str(finding.severity),
            "check": finding.check,
            "message": finding.message,
            "hint": finding.hint,
        }
        for result in results
        for finding in result.findings
    ]
    return json.dumps(rows, indent=2)


FORMATTERS: dict[str, Callable[[Sequence[CheckedConfiguration]], str]] = {
    "json": render_json,
    "text": render_text,
}


def collect(sources: Iterable[str]) -> tuple[list[CheckedConfiguration], list[str]]:
    """The checked configurations of every readable source, and the problems."""
    results: list[CheckedConfiguration] = []
    problems: list[str] = []
    for source in sources:
        try:
            documents = read_documents(source)
        except UnreadableInputError as error:
            problems.append(str(error))
            continue
        results.extend(check_documents(documents, source=source))
    return results, problems


@click.group(name="webhook-config")
def webhook_config_group() -> None:
    """Check Mutating- and ValidatingWebhookConfigurations."""


@webhook_config_group.command(name="check")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True)
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATTERS)),
    default="text",
    show_default=True,
    help="Output format.",
)
def check(files: tuple[str, ...], output_format: str) -> int:
    """Flag webhook configurations that can deadlock or slow a cluster.

    FILES are YAML streams ("-" reads standard input), such as the output of
    "kubectl kustomize" or "kubectl get ... -o yaml"; other kinds are skipped.
    Exit 0 without errors, 1 with errors, 2 when a file cannot be read or no
    webhook configuration is found.
    """
    results, problems = collect(files)
    if not results and not problems:
        problems.append(
            "No MutatingWebhookConfiguration or ValidatingWebhookConfiguration "
            f"found in {_describe(files)}."
        )
    click.echo(FORMATTERS[output_format](results))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        return EXIT_USAGE
    return EXIT_DENIED if any(result.errors for result in results) else EXIT_OK


def _describe(files: Sequence[str]) -> str:
    return ", ".join("standard input" if name == "-" else name for name in files)

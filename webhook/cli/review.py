"""``batchguard review``: what admission would do to a manifest, as a diff.

Without ``--server`` the engine runs here with local policies; with it, the file is
sent to the server's ``POST /review`` and the answer is printed the same way.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import click

from webhook.cli.main import EXIT_DENIED, EXIT_OK
from webhook.cli.options import (
    BadInput,
    build_policies,
    namespace_option,
    policies_option,
    stdout_is_terminal,
    use_color,
)
from webhook.manifests import STDIN, STDIN_NAME, ManifestError, decode, read_bytes
from webhook.review import review_documents, to_json

TIMEOUT_SECONDS: Final = 30
_LEVEL_COLOURS: Final = {"deny": "red", "warn": "yellow", "audit": "cyan"}


def review_locally(
    text: str,
    *,
    file: str,
    policy_paths: tuple[Path, ...],
    namespace: str | None,
    operation: str,
) -> dict[str, Any]:
    policies = build_policies(policy_paths)
    try:
        reviews = review_documents(
            text, namespace=namespace, operation=operation, policies=policies, file=file
        )
    except ManifestError as error:
        raise BadInput(str(error)) from None
    return to_json(reviews)


def _server_request(
    server: str,
    text: str,
    *,
    file: str,
    namespace: str | None,
    operation: str,
    token: str | None,
) -> urllib.request.Request:
    query = urllib.parse.urlencode(
        {"operation": operation, **({"namespace": namespace} if namespace else {})}
    )
    is_json = file.endswith(".json") or text.lstrip().startswith("{")
    headers = {
        "Content-Type": "application/json" if is_json else "application/yaml",
        "Accept": "application/json",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return urllib.request.Request(
        f"{server.rstrip('/')}/review?{query}",
        data=text.encode("utf-8"),
        headers=headers,
        method="POST",
    )


def _error_message(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read())["error"])
    except (ValueError, KeyError, TypeError):
        return error.reason


def review_remotely(
    server: str, request: urllib.request.Request, *, ca_file: Path | None
) -> dict[str, Any]:
    context = ssl.create_default_context(cafile=ca_file) if ca_file else None
    try:
        with urllib.request.urlopen(
            request, context=context, timeout=TIMEOUT_SECONDS
        ) as response:
            answer: dict[str, Any] = json.load(response)
    except urllib.error.HTTPError as error:
        raise BadInput(
            f"{server} answered {error.code}: {_error_message(error)}"
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise BadInput(f"Cannot reach {server}: {reason}") from None
    except ValueError:
        raise BadInput(f"{server} did not answer with JSON.") from None
    return answer


def render_answer(answer: Mapping[str, Any], *, color: bool) -> str:
    """The review answer for people: a diff and the findings of each object."""

    def styled(text: str, colour: str) -> str:
        return click.style(text, fg=colour, bold=True) if color else text

    lines: list[str] = []
    for item in answer.get("objects", []):
        verdict = (
            styled("allowed", "green") if item["allowed"] else styled("denied", "red")
        )
        where = (
            f"{item['namespace']}/{item['name']}" if item["namespace"] else item["name"]
        )
        lines.append(f"{item['kind']} {where} (line {item['line']}): {verdict}")
        if item.get("skipped"):
            lines.append(f"  not reviewed: {item['skipped']}")
        lines += item["diff"].splitlines() or ["  no changes"]
        for level in ("violations", "warnings", "audits"):
            for finding in item[level]:
                lines.append(_finding_line(finding, styled))
        lines += [_exemption_line(e, color=color) for e in item.get("exemptions", [])]
    if not lines:
        lines.append("No Job or CronJob in the input.")
    return "\n".join(lines) + "\n"


def _finding_line(finding: Mapping[str, Any], styled: Any) -> str:
    level = finding["enforcement"]
    text = (
        f"{finding['path']}: {finding['message']}"
        if finding["path"]
        else (finding["message"])
    )
    if finding.get("hint"):
        text += f" ({finding['hint']})"
    return (
        f"  {styled(f'{level:<5}', _LEVEL_COLOURS[level])} line {finding['line']}: "
        f"{text} [{finding['rule']}]"
    )


def _exemption_line(exemption: Mapping[str, Any], *, color: bool) -> str:
    label = click.style("exempt", dim=True) if color else "exempt"
    return (
        f"  {label}  {exemption['policy']}/{exemption['rule']}: {exemption['reason']}"
    )


@click.command(name="review")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--server", help="Base URL of a batchguard server, e.g. https://host:8443."
)
@click.option(
    "--ca",
    "ca",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="CA certificate that signed the server's certificate.",
)
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="File holding the bearer token for the server's /review endpoint.",
)
@namespace_option
@click.option(
    "--operation",
    type=click.Choice(["CREATE", "UPDATE"]),
    default="CREATE",
    show_default=True,
)
@policies_option
def review_command(
    file: str,
    server: str | None,
    ca: Path | None,
    token_file: Path | None,
    namespace: str | None,
    operation: str,
    policy_paths: tuple[Path, ...],
) -> int:
    """Show what admission would do to FILE: a diff and the violations.

    Exit status: 0 every object allowed, 1 an object would be denied, 2 usage error,
    unreadable input or no answer from the server.
    """
    if server is None and (ca or token_file):
        raise click.UsageError("--ca and --token-file need --server.")
    if server is not None and policy_paths:
        raise click.UsageError("--policies applies to local reviews; drop --server.")
    name = STDIN_NAME if file == STDIN else file
    try:
        text = decode(read_bytes(file), file=name)
    except ManifestError as error:
        raise BadInput(str(error)) from None
    if server is None:
        answer = review_locally(
            text,
            file=name,
            policy_paths=policy_paths,
            namespace=namespace,
            operation=operation,
        )
    else:
        token = token_file.read_text().strip() if token_file else None
        request = _server_request(
            server,
            text,
            file=name,
            namespace=namespace,
            operation=operation,
            token=token,
        )
        answer = review_remotely(server, request, ca_file=ca)
    color = use_color(to_terminal=stdout_is_terminal())
    click.echo(render_answer(answer, color=color), nl=False, color=color)
    return EXIT_OK if answer.get("allowed", False) else EXIT_DENIED

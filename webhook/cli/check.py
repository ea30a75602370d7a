"""``batchguard check``: review manifest files as admission would, for CI.

Exit status: 0 clean (warnings allowed), 1 an object would be denied, 2 a usage
error, unreadable input (a YAML error names the file and line) or paths that hold
no manifest file at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import click

from webhook.cli.main import EXIT_DENIED, EXIT_OK, EXIT_USAGE
from webhook.cli.options import (
    BadInput,
    build_policies,
    is_terminal,
    manifest_paths_argument,
    namespace_option,
    policies_option,
    report_options,
    stdout_is_terminal,
    use_color,
)
from webhook.manifests import STDIN, STDIN_NAME, ManifestError, find_files, read_file
from webhook.policy.model import PolicySet
from webhook.report import (
    FORMATTERS,
    InputError,
    Located,
    ObjectRef,
    ObjectResult,
    Report,
)
from webhook.review import ObjectReview, review_manifest


class Progress:
    """A file counter on stderr, shown only on a terminal once a run gets long."""

    def __init__(
        self,
        *,
        enabled: bool,
        after: float = 2.0,
        every: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self.clock = clock
        self.every = every
        self.next_update = clock() + after
        self.shown = False

    def update(self, files: int) -> None:
        if not self.enabled or self.clock() < self.next_update:
            return
        self.next_update = self.clock() + self.every
        self.shown = True
        click.echo(f"\rChecked {files} files...", err=True, nl=False, color=True)

    def close(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False, color=True)


def located(review: ObjectReview) -> tuple[Located, ...]:
    manifest = review.manifest
    found = (Located(f, manifest.line_of(f.path)) for f in review.findings)
    return tuple(sorted(found, key=lambda located: located.line))


def object_result(review: ObjectReview) -> ObjectResult:
    manifest = review.manifest
    return ObjectResult(
        location=manifest.location,
        object=ObjectRef(manifest.kind, manifest.name, review.namespace),
        findings=located(review),
        skipped_reason=review.skipped_reason,
        exemptions=review.exempted,
    )


def build_report(
    paths: Sequence[str],
    *,
    policies: PolicySet,
    namespace: str | None,
    progress: Progress,
) -> Report:
    """Read and review every manifest under ``paths``, one file at a time."""
    report = Report()
    for file in find_files(paths):
        report.files.append(STDIN_NAME if file == STDIN else file)
        try:
            for manifest in read_file(file):
                review = review_manifest(
                    manifest, policies=policies, namespace=namespace
                )
                report.results.append(object_result(review))
        except ManifestError as error:
            report.errors.append(InputError(error.file, error.message, error.line))
        progress.update(len(report.files))
    progress.close()
    return report


def require_files(report: Report, paths: Sequence[str]) -> None:
    """Refuse a run that read no file at all: a mistyped path must not pass CI."""
    if report.files:
        return
    named = ", ".join(repr(path) for path in paths)
    raise BadInput(
        f"No manifest files (.yaml, .yml or .json) were found under {named}; "
        f"check the path{'s' * (len(paths) != 1)}."
    )


def exit_status(report: Report) -> int:
    if report.errors:
        return EXIT_USAGE
    return EXIT_DENIED if report.denied else EXIT_OK


def write_output(
    text: str | Iterable[str], output: Path | None, *, color: bool = False
) -> None:
    """Print the text (keeping its colours when ``color``), or write it to a file.

    The text may come in pieces, which are written as they come.
    """
    pieces = [text] if isinstance(text, str) else text
    if output is None:
        for piece in pieces:
            click.echo(piece, nl=False, color=color)
        return
    try:
        with output.open("w", encoding="utf-8") as stream:
            stream.writelines(pieces)
    except OSError as error:
        raise click.FileError(str(output), hint=error.strerror) from None


@click.command()
@manifest_paths_argument
@policies_option
@namespace_option
@report_options
def check(
    paths: tuple[str, ...],
    policy_paths: tuple[Path, ...],
    namespace: str | None,
    format: str,
    output: Path | None,
) -> int:
    """Check Job and CronJob manifests against the policies.

    PATHS are files or directories (searched recursively for .yaml, .yml and
    .json files); - reads standard input. Exit status: 0 clean (warnings
    allowed), 1 an object would be denied, 2 usage error, unreadable input or
    no manifest file under PATHS.
    """
    policies = build_policies(policy_paths)
    progress = Progress(enabled=is_terminal("stderr"))
    report = build_report(
        paths, policies=policies, namespace=namespace, progress=progress
    )
    require_files(report, paths)
    color = use_color(to_terminal=output is None and stdout_is_terminal())
    formatter = FORMATTERS[format](color=color)
    write_output(formatter.chunks(report), output, color=color)
    return exit_status(report)

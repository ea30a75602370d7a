"""``batchguard fix``: write the policies' mutations back into manifest files.

Only the values the engine changes are rewritten; comments, key order, quoting
and the layout of every other line stay byte for byte. Files are replaced
atomically, and a file that cannot be read or rewritten faithfully is left alone.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from webhook.cli.main import EXIT_DENIED, EXIT_OK, EXIT_USAGE
from webhook.cli.options import (
    build_policies,
    manifest_paths_argument,
    namespace_option,
    policies_option,
)
from webhook.manifests import (
    STDIN,
    STDIN_NAME,
    Change,
    ManifestError,
    apply_patches,
    decode,
    encode,
    find_files,
    read_bytes,
    read_text,
)
from webhook.policy.model import PolicySet
from webhook.review import review_manifest


@dataclass(frozen=True)
class Fixed:
    """A file's text before and after the mutations."""

    file: str
    before: str
    after: str
    original: bytes
    changes: int

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"a/{self.file}",
                tofile=f"b/{self.file}",
            )
        )


def fix_text(
    data: bytes, *, file: str, policies: PolicySet, namespace: str | None
) -> Fixed:
    """Review every object in a file and apply the patches to its text."""
    text = decode(data, file=file)
    changes = []
    for manifest in read_text(text, file=file):
        patch = review_manifest(manifest, policies=policies, namespace=namespace).patch
        if patch:
            location = manifest.location
            changes.append(Change(location.document, patch, location.item))
    json_style = file.endswith(".json")
    after = apply_patches(text, changes, file=file, json_style=json_style)
    return Fixed(file, text, after, data, len(changes))


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` through a temporary file in its directory."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _fix_one(
    file: str, *, policies: PolicySet, namespace: str | None
) -> Fixed | ManifestError:
    name = STDIN_NAME if file == STDIN else file
    try:
        return fix_text(
            read_bytes(file), file=name, policies=policies, namespace=namespace
        )
    except ManifestError as error:
        return error


def _apply(fixed: Fixed, *, show_diff: bool, check_only: bool, stdin: bool) -> None:
    if stdin and not (show_diff or check_only):
        click.echo(fixed.after, nl=False)
        return
    if show_diff:
        click.echo(fixed.diff(), nl=False)
    if not fixed.changed or show_diff or check_only:
        return
    try:
        write_atomically(Path(fixed.file), encode(fixed.after, like=fixed.original))
    except OSError as error:
        raise click.FileError(fixed.file, hint=error.strerror) from None
    click.echo(f"fixed {fixed.file} ({fixed.changes} objects changed)", err=True)


def run_fix(
    paths: Sequence[str],
    *,
    policies: PolicySet,
    namespace: str | None,
    show_diff: bool,
    check_only: bool,
) -> int:
    unreadable = changed = 0
    for file in find_files(paths):
        fixed = _fix_one(file, policies=policies, namespace=namespace)
        if isinstance(fixed, ManifestError):
            click.echo(f"error: {fixed} (the file was left untouched)", err=True)
            unreadable += 1
            continue
        changed += fixed.changed
        _apply(fixed, show_diff=show_diff, check_only=check_only, stdin=file == STDIN)
    verb = "would change" if check_only or show_diff else "changed"
    click.echo(f"{changed} files {verb}, {unreadable} unreadable.", err=True)
    if unreadable:
        return EXIT_USAGE
    return EXIT_DENIED if check_only and changed else EXIT_OK


@click.command()
@manifest_paths_argument
@policies_option
@namespace_option
@click.option("--diff", "diff", is_flag=True, help="Print a diff; write nothing.")
@click.option(
    "--check",
    "check",
    is_flag=True,
    help="Write nothing; exit 1 when a file would change.",
)
def fix(
    paths: tuple[str, ...],
    policy_paths: tuple[Path, ...],
    namespace: str | None,
    diff: bool,
    check: bool,
) -> int:
    """Apply the policies' mutations to manifest files in place.

    PATHS are files or directories (searched recursively); - reads standard
    input and writes the result to standard output. Exit status: 0 done (or
    nothing to change), 1 with --check when a file would change, 2 usage error or
    unreadable input.
    """
    policies = build_policies(policy_paths)
    return run_fix(
        paths, policies=policies, namespace=namespace, show_diff=diff, check_only=check
    )

"""Jobs and CronJobs from manifest files, with the line of every field path."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from webhook.manifests.parse import (
    MAX_DOCUMENT_CHARS,
    MAX_FILE_BYTES,
    Builder,
    JSONPath,
    ManifestError,
    compose_documents,
    decode,
    is_merge_key,
)
from webhook.manifests.scalars import json_text
from webhook.policy.findings import Enforcement, Finding
from webhook.policy.rules.base import Kind, containers, job_specs, pod_spec

MANIFEST_SUFFIXES: Final = (".yaml", ".yml", ".json")
STDIN: Final = "-"
STDIN_NAME: Final = "<stdin>"
REVIEWED_KINDS: Final = frozenset({"Job", "CronJob"})
SERVED_VERSION: Final = "batch/v1"
RULE_PREFIX: Final = "manifests"
_TYPE_NAMES: Final = {bool: "boolean", int: "integer", float: "number"}


@dataclass(frozen=True, slots=True)
class Location:
    """Where an object starts: file, line (1-based), document (0-based), List item."""

    file: str
    line: int
    document: int
    item: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


_PATH_TOKEN: Final = re.compile(r"\[([^\]]*)\]|([^.\[]+)")


def _path_tokens(path: str) -> list[tuple[str | int, bool]]:
    """Split ``a.b[0][key]`` into ``(token, may_join_with_next_dotted)`` pairs."""
    tokens: list[tuple[str | int, bool]] = []
    for bracketed, dotted in _PATH_TOKEN.findall(path):
        if dotted:
            tokens.append((dotted, True))
        else:
            tokens.append((int(bracketed) if bracketed.isdigit() else bracketed, False))
    return tokens


def format_path(path: JSONPath) -> str:
    """``("spec", "containers", 0, "env")`` as ``spec.containers[0].env``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class LineMap:
    """The line of every field path of one object."""

    lines: Mapping[JSONPath, int]
    prefix: JSONPath = ()

    def line_of(self, path: str) -> int:
        """The line of ``path``, or of its nearest ancestor present in the source.

        Accepts apiserver notation (``metadata.labels[example.com/x]``) and dotted
        keys (``metadata.labels.example.com/x``).
        """
        current = self.prefix
        line = self.lines.get(current, 1)
        tokens = _path_tokens(path)
        index = 0
        while index < len(tokens):
            step = self._step(current, tokens, index)
            if step is None:
                break
            current, index = step
            line = self.lines[current]
        return line

    def _step(
        self, current: JSONPath, tokens: list[tuple[str | int, bool]], index: int
    ) -> tuple[JSONPath, int] | None:
        token, dotted = tokens[index]
        if not dotted:
            candidate = (*current, token)
            return (candidate, index + 1) if candidate in self.lines else None
        end = index
        while end + 1 < len(tokens) and tokens[end + 1][1]:
            end += 1
        for last in range(end, index - 1, -1):
            key = ".".join(str(t) for t, _ in tokens[index : last + 1])
            candidate = (*current, key)
            if candidate in self.lines:
                return candidate, last + 1
        return None


@dataclass(frozen=True)
class Manifest:
    """One Job or CronJob read from a file, with what the reader found about it."""

    obj: dict[str, Any]
    location: Location
    lines: LineMap
    findings: tuple[Finding, ...] = ()
    """Problems found while reading (duplicate keys, unquoted non-strings, ...)."""
    reviewable: bool = True
    """False when the object cannot be trusted, e.g. it has duplicate keys."""

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind"))

    @property
    def metadata(self) -> Mapping[str, Any]:
        metadata = self.obj.get("metadata")
        return metadata if isinstance(metadata, dict) else {}

    @property
    def name(self) -> str | None:
        name = self.metadata.get("name") or self.metadata.get("generateName")
        return name if isinstance(name, str) else None

    @property
    def namespace(self) -> str | None:
        namespace = self.metadata.get("namespace")
        return namespace if isinstance(namespace, str) else None

    def line_of(self, path: str) -> int:
        return self.lines.line_of(path)


def read_text(text: str, *, file: str) -> Iterator[Manifest]:
    """Yield the Jobs and CronJobs in ``text``, one document at a time.

    Other kinds are skipped; items of ``kind: List`` (and ``*List``) are expanded.
    Raises ``ManifestError`` at the first document that cannot be read, after
    yielding the ones before it.
    """
    for index, node in enumerate(compose_documents(text, file=file)):
        if node is not None:
            yield from _document_manifests(node, file=file, document=index)


def load_documents(text: str, *, file: str) -> Iterator[Any]:
    """Every document of ``text`` as a JSON value, empty ones as None."""
    for node in compose_documents(text, file=file):
        yield None if node is None else Builder(file=file).value(node, (), 0)


def read_file(path: str | Path) -> Iterator[Manifest]:
    """Like ``read_text`` for a file, or standard input when ``path`` is ``-``."""
    file = STDIN_NAME if str(path) == STDIN else str(path)
    yield from read_text(decode(read_bytes(path), file=file), file=file)


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a file (``-`` is standard input), at most ``MAX_FILE_BYTES``.

    Larger input is cut at one byte over the limit, for ``decode`` to refuse.
    """
    file = STDIN_NAME if str(path) == STDIN else str(path)
    try:
        if str(path) == STDIN:
            return _read_bounded(sys.stdin.buffer)
        with open(path, "rb") as stream:
            return _read_bounded(stream)
    except OSError as error:
        raise ManifestError(
            f"cannot read the file: {error.strerror}", file=file
        ) from None


def _read_bounded(stream: BinaryIO) -> bytes:
    # NB: read(n) allocates n bytes up front, so read in chunks up to the limit.
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_FILE_BYTES:
        chunk = stream.read(min(_CHUNK_BYTES, MAX_FILE_BYTES + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


_CHUNK_BYTES: Final = 1024 * 1024


def find_files(paths: Sequence[str | Path]) -> Iterator[str]:
    """The manifest files named by ``paths``: files as given, directories walked.

    Directories are walked recursively in name order for ``.yaml``, ``.yml`` and
    ``.json`` files, skipping hidden entries. ``-`` stands for standard input.
    """
    for path in paths:
        if str(path) == STDIN:
            yield STDIN
        elif Path(path).is_dir():
            yield from _walk(Path(path))
        else:
            yield str(path)


def _walk(directory: Path) -> Iterator[str]:
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry)
        elif entry.suffix in MANIFEST_SUFFIXES and entry.is_file():
            yield str(entry)


def _root_kind(node: Node) -> str | None:
    """The ``kind`` of a document without building it, or ``"?"`` when unclear."""
    if not isinstance(node, MappingNode):
        return None
    kind: str | None = None
    for key_node, value_node in node.value:
        if is_merge_key(key_node):
            return "?"
        if isinstance(key_node, ScalarNode) and key_node.value == "kind":
            is_text = isinstance(value_node, ScalarNode)
            kind = value_node.value if is_text else None
    return kind


def _is_list_kind(kind: str | None) -> bool:
    return kind is not None and kind.endswith("List")


def _document_manifests(node: Node, *, file: str, document: int) -> Iterator[Manifest]:
    kind = _root_kind(node)
    if kind not in REVIEWED_KINDS and kind != "?" and not _is_list_kind(kind):
        return
    size = node.end_mark.index - node.start_mark.index
    if size > MAX_DOCUMENT_CHARS:
        raise ManifestError(
            f"document {document} is {size} characters long; the limit is "
            f"{MAX_DOCUMENT_CHARS} (the apiserver's request size limit)",
            file=file,
            line=node.start_mark.line + 1,
        )
    builder = Builder(file=file)
    if _is_list_kind(kind):
        yield from _list_manifests(node, builder, document=document)
        return
    builder.lines[()] = node.start_mark.line + 1
    value = builder.value(node, (), 0)
    if isinstance(value, dict) and _is_list_kind(value.get("kind")):
        yield from _list_manifests(node, Builder(file=file), document=document)
    elif isinstance(value, dict):
        yield from manifests_of(value, builder, prefix=(), document=document)


def _list_manifests(
    node: Node, builder: Builder, *, document: int
) -> Iterator[Manifest]:
    items = None
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == "items":
            items = value_node
    if not isinstance(items, SequenceNode):
        return
    for index, item in enumerate(items.value):
        if _root_kind(item) not in (*REVIEWED_KINDS, "?"):
            continue
        prefix: JSONPath = ("items", index)
        builder.lines[prefix] = item.start_mark.line + 1
        value = builder.value(item, prefix, 2)
        if isinstance(value, dict):
            yield from manifests_of(
                value, builder, prefix=prefix, document=document, item=index
            )


def manifests_of(
    obj: dict[str, Any],
    builder: Builder,
    *,
    prefix: JSONPath,
    document: int,
    item: int | None = None,
) -> Iterator[Manifest]:
    kind = obj.get("kind")
    api_version = obj.get("apiVersion")
    if kind not in REVIEWED_KINDS:
        return
    if isinstance(api_version, str) and not api_version.startswith("batch/"):
        return
    view = _SourceView(builder, prefix)
    duplicates = list(view.duplicate_findings())
    findings = (
        *duplicates,
        *_api_version_findings(kind, api_version),
        *_not_a_string_findings(obj, kind, view),
        *view.sexagesimal_findings(),
    )
    yield Manifest(
        obj=obj,
        location=Location(
            file=builder.file,
            line=builder.lines[prefix],
            document=document,
            item=item,
        ),
        lines=LineMap(builder.lines, prefix),
        findings=tuple(findings),
        reviewable=not duplicates,
    )


def _finding(
    path: str,
    message: str,
    check: str,
    *,
    enforcement: Enforcement = Enforcement.DENY,
    hint: str | None = None,
) -> Finding:
    return Finding(
        path=path,
        message=message,
        rule=f"{RULE_PREFIX}.{check}",
        enforcement=enforcement,
        hint=hint,
    )


@dataclass(frozen=True)
class _SourceView:
    """What the builder noted, for the paths of one object (relative to it)."""

    builder: Builder
    prefix: JSONPath

    def _relative(self, path: JSONPath) -> JSONPath | None:
        size = len(self.prefix)
        return path[size:] if path[:size] == self.prefix else None

    def unquoted(self, path: JSONPath) -> str | None:
        return self.builder.unquoted.get((*self.prefix, *path))

    def duplicate_findings(self) -> Iterator[Finding]:
        for duplicate in self.builder.duplicates:
            parent = self._relative(duplicate.parent)
            if parent is None:
                continue
            where = format_path(parent) or "the top level"
            yield _finding(
                format_path((*parent, duplicate.key)),
                f"duplicate key {duplicate.key!r} in {where} "
                f"(lines {duplicate.first_line} and {duplicate.second_line})",
                "duplicate-key",
                hint="remove one of them; Kubernetes tools disagree on which one wins",
            )

    def sexagesimal_findings(self) -> Iterator[Finding]:
        for path, text in self.builder.sexagesimal.items():
            relative = self._relative(path)
            if relative is None:
                continue
            yield _finding(
                format_path(relative),
                f"The unquoted value {text!r} is a string for Kubernetes, but YAML "
                "1.1 tools such as PyYAML read it as a base-60 number.",
                "ambiguous-scalar",
                enforcement=Enforcement.WARN,
                hint=f'quote it: "{text}"',
            )


def _api_version_findings(kind: str, api_version: Any) -> Iterator[Finding]:
    if api_version == SERVED_VERSION:
        return
    if not isinstance(api_version, str) or not api_version:
        yield _finding(
            "apiVersion",
            f"Required value: a {kind} needs apiVersion {SERVED_VERSION}.",
            "api-version",
        )
    elif kind == "CronJob" and api_version == "batch/v1beta1":
        yield _finding(
            "apiVersion",
            "batch/v1beta1 CronJob is no longer served since Kubernetes 1.25; "
            "use batch/v1",
            "api-version",
        )
    else:
        yield _finding(
            "apiVersion",
            f"{api_version} {kind} is not served by Kubernetes; use {SERVED_VERSION}",
            "api-version",
        )


def _not_a_string_findings(
    obj: Mapping[str, Any], kind: str, view: _SourceView
) -> Iterator[Finding]:
    for path, what in _string_fields(obj, kind):
        value = _get(obj, path)
        if type(value) not in _TYPE_NAMES:
            continue
        text = view.unquoted(path) or json_text(value)
        yield _finding(
            format_path(path),
            f"Kubernetes reads the unquoted value {text!r} as the "
            f"{_TYPE_NAMES[type(value)]} {json_text(value)}, but {what} must be a "
            "string.",
            "not-a-string",
            hint=f'quote it: "{text}"',
        )


def _get(obj: Any, path: JSONPath) -> Any:
    for part in path:
        obj = obj[part]
    return obj


def _string_fields(obj: Mapping[str, Any], kind: str) -> Iterator[tuple[JSONPath, str]]:
    """Paths where Kubernetes requires a string, and what the field is."""
    job_kind: Kind = "Job" if kind == "Job" else "CronJob"
    yield from _metadata_string_fields(obj, ("metadata",))
    for spec_path, spec in job_specs(obj, job_kind):
        parts = tuple(spec_path.split("."))
        if job_kind == "CronJob":
            yield from _metadata_string_fields(obj, (*parts[:-1], "metadata"))
        yield from _metadata_string_fields(obj, (*parts, "template", "metadata"))
        pod = pod_spec(spec)
        if pod is not None:
            yield from _pod_string_fields(pod, (*parts, "template", "spec"))


def _mapping_at(obj: Any, path: JSONPath) -> Mapping[str, Any]:
    for part in path:
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj if isinstance(obj, dict) else {}


def _metadata_string_fields(
    obj: Mapping[str, Any], path: JSONPath
) -> Iterator[tuple[JSONPath, str]]:
    metadata = _mapping_at(obj, path)
    for field_name, what in (
        ("labels", "a label value"),
        ("annotations", "an annotation value"),
    ):
        for key in _mapping_at(metadata, (field_name,)):
            yield (*path, field_name, key), what


def _pod_string_fields(
    pod: Mapping[str, Any], path: JSONPath
) -> Iterator[tuple[JSONPath, str]]:
    for key in _mapping_at(pod, ("nodeSelector",)):
        yield (*path, "nodeSelector", key), "a node selector value"
    for list_name, index, container in containers(pod):
        base = (*path, list_name, index)
        for field_name in ("command", "args"):
            items = container.get(field_name)
            for position in range(len(items) if isinstance(items, list) else 0):
                yield (*base, field_name, position), f"each {field_name} item"
        env = container.get("env")
        for position, variable in enumerate(env if isinstance(env, list) else []):
            if isinstance(variable, dict) and "value" in variable:
                yield (*base, "env", position, "value"), "an env var value"

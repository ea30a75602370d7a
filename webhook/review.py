"""Dry-run review of manifests: what admission would do, as data and as a diff.

``review_documents`` is what ``POST /review`` and ``batchguard review`` answer: for
each Job and CronJob in a YAML or JSON text, whether admission would allow it, its
violations and warnings, the exemptions that applied, the JSON Patch, the mutated
object and a unified diff of the YAML before and after. ``to_json`` gives the exact
answer shape (documented in ``docs/cli.md``). Pure: no files, no sockets.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from webhook.manifests import Manifest, ManifestError, read_text
from webhook.policy.engine import Outcome, review
from webhook.policy.findings import Enforcement, Finding
from webhook.policy.match import Exempted
from webhook.policy.model import PolicySet
from webhook.policy.rules.base import Operation

__all__ = [
    "ManifestError",
    "ObjectReview",
    "review_documents",
    "review_manifest",
    "to_json",
    "yaml_diff",
]


WRONG_TYPE_RULE = "kubernetes.fieldType"
_MAP_KEY = re.compile(r"\[([^\]]*[^\]0-9][^\]]*)\]")


def _same_field(path: str) -> str:
    """A field path with map keys written as ``.key``, to compare two notations."""
    return _MAP_KEY.sub(r".\1", path)


@dataclass(frozen=True)
class ObjectReview:
    """The review of one object read from a manifest."""

    manifest: Manifest
    outcome: Outcome | None
    """None when the reader found the object unfit for review (duplicate keys)."""
    assumed_namespace: str | None = None
    """The namespace assumed for an object that names none (``--namespace``)."""

    @property
    def namespace(self) -> str | None:
        """The namespace policies were matched against: the object's, else assumed."""
        return self.manifest.namespace or self.assumed_namespace

    @property
    def findings(self) -> tuple[Finding, ...]:
        engine = self.outcome.findings if self.outcome is not None else ()
        said = {_same_field(f.path) for f in self.manifest.findings}
        # NB: a value the reader already called "not a string" is the same fault
        # the apiserver check reports as a wrong type; say it once, the reader's
        # way, since its message says how to quote it.
        engine = tuple(
            f
            for f in engine
            if not (f.rule == WRONG_TYPE_RULE and _same_field(f.path) in said)
        )
        return (*self.manifest.findings, *engine)

    @property
    def allowed(self) -> bool:
        return not self.at(Enforcement.DENY)

    @property
    def patch(self) -> list[dict[str, Any]]:
        return list(self.outcome.patch) if self.outcome is not None else []

    @property
    def mutated(self) -> Mapping[str, Any]:
        return self.outcome.mutated if self.outcome is not None else self.manifest.obj

    @property
    def skipped_reason(self) -> str | None:
        return self.outcome.skipped_reason if self.outcome is not None else None

    @property
    def exempted(self) -> tuple[Exempted, ...]:
        return self.outcome.exempted if self.outcome is not None else ()

    def at(self, level: Enforcement) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.enforcement == level)

    def diff(self, *, label: str | None = None) -> str:
        """A unified diff of the object's YAML before and after mutation."""
        return yaml_diff(self.manifest.obj, self.mutated, label=label or self.title)

    @property
    def title(self) -> str:
        name = self.manifest.name or "(unnamed)"
        where = f"{self.namespace}/{name}" if self.namespace else name
        return f"{self.manifest.kind} {where}"


def review_manifest(
    manifest: Manifest,
    *,
    policies: PolicySet,
    namespace: str | None = None,
    operation: Operation = "CREATE",
    old: Mapping[str, Any] | None = None,
) -> ObjectReview:
    """Review one manifest as admission would; ``namespace`` is the fallback."""
    if not manifest.reviewable:
        return ObjectReview(manifest, outcome=None, assumed_namespace=namespace)
    outcome = review(
        manifest.obj,
        policies=policies,
        operation=operation,
        old=old,
        namespace=manifest.namespace or namespace,
        kind=manifest.kind,
    )
    return ObjectReview(manifest, outcome=outcome, assumed_namespace=namespace)


def review_documents(
    text: str,
    *,
    namespace: str | None,
    operation: str,
    policies: PolicySet,
    file: str = "<request>",
) -> list[ObjectReview]:
    """Review every Job and CronJob in ``text`` (YAML or JSON, one or many).

    ``operation`` is ``CREATE`` or ``UPDATE`` (``ValueError`` otherwise). Raises
    ``ManifestError`` (its str() names the line) for input that cannot be read;
    other kinds are skipped.
    """
    checked = _operation(operation)
    return [
        review_manifest(
            manifest, policies=policies, namespace=namespace, operation=checked
        )
        for manifest in read_text(text, file=file)
    ]


def _operation(operation: str) -> Operation:
    if operation == "CREATE":
        return "CREATE"
    if operation == "UPDATE":
        return "UPDATE"
    raise ValueError(
        f"The operation {operation!r} is not reviewed; use CREATE or UPDATE."
    )


def _dump(obj: Mapping[str, Any]) -> list[str]:
    text = yaml.safe_dump(
        obj, sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096
    )
    return text.splitlines(keepends=True)


def yaml_diff(
    before: Mapping[str, Any], after: Mapping[str, Any], *, label: str
) -> str:
    """A unified diff of two objects dumped as YAML (empty when they are equal)."""
    return "".join(
        difflib.unified_diff(
            _dump(before),
            _dump(after),
            fromfile=f"{label} (submitted)",
            tofile=f"{label} (after batchguard)",
        )
    )


def _finding_json(finding: Finding, manifest: Manifest) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "path": finding.path,
        "line": manifest.line_of(finding.path),
        "message": finding.message,
        "hint": finding.hint,
        "policy": finding.policy,
        "enforcement": finding.enforcement.value,
    }


def _review_json(item: ObjectReview) -> dict[str, Any]:
    manifest = item.manifest
    location = manifest.location

    def listed(level: Enforcement) -> list[dict[str, Any]]:
        return [_finding_json(f, manifest) for f in item.at(level)]

    return {
        "kind": manifest.kind,
        "namespace": item.namespace,
        "name": manifest.name,
        "document": location.document,
        "item": location.item,
        "line": location.line,
        "allowed": item.allowed,
        "skipped": item.skipped_reason,
        "violations": listed(Enforcement.DENY),
        "warnings": listed(Enforcement.WARN),
        "audits": listed(Enforcement.AUDIT),
        "exemptions": [e.as_json() for e in item.exempted],
        "patch": item.patch,
        "mutated": item.mutated,
        "diff": item.diff(),
    }


def to_json(reviews: Sequence[ObjectReview]) -> dict[str, Any]:
    """The JSON answer of ``POST /review`` (see docs/cli.md for the shape)."""
    return {
        "allowed": all(item.allowed for item in reviews),
        "objects": [_review_json(item) for item in reviews],
    }

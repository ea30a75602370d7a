"""A JSON report for scripts: one record per object and per finding."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from webhook.report.model import Located, ObjectResult, Report

SCHEMA_VERSION = 1


class JsonFormatter:
    """The whole run as one JSON document (``schemaVersion`` 1)."""

    def __init__(self, *, color: bool = False) -> None:
        del color

    def render(self, report: Report) -> str:
        return "".join(self.chunks(report))

    def chunks(self, report: Report) -> Iterator[str]:
        """The document piece by piece, so that no whole copy is held in memory.

        The text is exactly ``json.dumps(document, indent=2)``.
        """
        summary = {
            "files": len(report.files),
            "objects": len(report.results),
            "denied": report.denied,
            "warned": report.warned,
            "unreadable": len({error.file for error in report.errors}),
        }
        yield f'{{\n  "schemaVersion": {SCHEMA_VERSION},\n  "summary": '
        yield _indented(summary, depth=1)
        yield ',\n  "objects": '
        yield from _array(_object(result) for result in report.results)
        yield ',\n  "findings": '
        yield from _array(_finding(r, located) for r, located in report.located())
        yield ',\n  "errors": '
        yield from _array(
            {"file": e.file, "line": e.line, "message": e.message}
            for e in report.errors
        )
        yield "\n}\n"


def _indented(value: Any, *, depth: int) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * depth)


def _array(items: Iterable[Any]) -> Iterator[str]:
    """A list at depth 1, as ``json.dumps(..., indent=2)`` writes it."""
    opened = False
    for item in items:
        yield ",\n    " if opened else "[\n    "
        yield _indented(item, depth=2)
        opened = True
    yield "\n  ]" if opened else "[]"


def _place(result: ObjectResult) -> dict[str, Any]:
    location = result.location
    return {
        "file": location.file,
        "document": location.document,
        "item": location.item,
        "kind": result.object.kind,
        "namespace": result.object.namespace,
        "name": result.object.name,
    }


def _object(result: ObjectResult) -> dict[str, Any]:
    return {
        **_place(result),
        "line": result.location.line,
        "allowed": not result.denied,
        "skipped": result.skipped_reason,
        "exemptions": [e.as_json() for e in result.exemptions],
    }


def _finding(result: ObjectResult, located: Located) -> dict[str, Any]:
    finding = located.finding
    return {
        **_place(result),
        "line": located.line,
        "path": finding.path,
        "rule": finding.rule,
        "enforcement": finding.enforcement.value,
        "message": finding.message,
        "hint": finding.hint,
        "policy": finding.policy,
    }

"""A JSON report for scripts: one record per object and per finding."""

from __future__ import annotations

import json
from typing import Any

from webhook.report.model import Located, ObjectResult, Report

SCHEMA_VERSION = 1


class JsonFormatter:
    """The whole run as one JSON document (``schemaVersion`` 1)."""

    def __init__(self, *, color: bool = False) -> None:
        del color

    def render(self, report: Report) -> str:
        document = {
            "schemaVersion": SCHEMA_VERSION,
            "summary": {
                "files": len(report.files),
                "objects": len(report.results),
                "denied": report.denied,
                "warned": report.warned,
                "unreadable": len({error.file for error in report.errors}),
            },
            "objects": [_object(result) for result in report.results],
            "findings": [_finding(r, located) for r, located in report.located()],
            "errors": [
                {"file": e.file, "line": e.line, "message": e.message}
                for e in report.errors
            ],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


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

"""SARIF 2.1.0, the format code-scanning services read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, Final
from urllib.parse import quote

from webhook import __version__
from webhook.report.help import UNREADABLE_RULE, rule_help
from webhook.report.model import LEVELS, InputError, Located, ObjectResult, Report

SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION: Final = "2.1.0"


class SarifFormatter:
    """One run; a rule per rule id seen; a result per finding and unreadable file."""

    def __init__(self, *, color: bool = False) -> None:
        del color

    def chunks(self, report: Report) -> Iterator[str]:
        yield self.render(report)

    def render(self, report: Report) -> str:
        rules = sorted(
            {located.finding.rule for _, located in report.located()}
            | ({UNREADABLE_RULE} if report.errors else set())
        )
        index = {rule: position for position, rule in enumerate(rules)}
        results = [_result(r, located, index) for r, located in report.located()]
        results += [_error_result(error, index) for error in report.errors]
        run = {
            "tool": {
                "driver": {
                    "name": "batchguard",
                    "version": __version__,
                    "rules": [_rule(rule) for rule in rules],
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }
        document = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _uri(file: str) -> str:
    path = PurePath(file)
    return path.as_uri() if path.is_absolute() else quote(path.as_posix())


def _rule(rule: str) -> dict[str, Any]:
    text = rule_help(rule)
    return {
        "id": rule,
        "shortDescription": {"text": text.split(". ")[0].rstrip(".") + "."},
        "help": {"text": text},
    }


def _location(file: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(file)}}
    if line:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _result(
    result: ObjectResult, located: Located, index: dict[str, int]
) -> dict[str, Any]:
    finding = located.finding
    location = _location(result.location.file, located.line)
    location["logicalLocations"] = [
        {
            "name": finding.path or str(result.object),
            "fullyQualifiedName": f"{result.object}: {finding.path}".rstrip(": "),
            "kind": "object",
        }
    ]
    properties = {
        "document": result.location.document,
        "enforcement": finding.enforcement.value,
    }
    if result.location.item is not None:
        properties["item"] = result.location.item
    if finding.policy:
        properties["policy"] = finding.policy
    return {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": LEVELS[finding.enforcement],
        "message": {"text": f"{result.object}: {finding.render()}"},
        "locations": [location],
        "properties": properties,
    }


def _error_result(error: InputError, index: dict[str, int]) -> dict[str, Any]:
    return {
        "ruleId": UNREADABLE_RULE,
        "ruleIndex": index[UNREADABLE_RULE],
        "level": "error",
        "message": {"text": error.message},
        "locations": [_location(error.file, error.line)],
    }

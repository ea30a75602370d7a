"""The Kubernetes checks against the case tables in ``tests/data/kubernetes``.

Each table has a ``base`` object and ``cases``; a case's ``object`` (and ``old``)
is merged onto the base, and its ``findings`` are the exact ``path: message``
lines the apiserver would report, in order. One test runs per case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from webhook.policy.findings import Finding
from webhook.policy.kubernetes import validate

CASES = Path(__file__).parents[1] / "data" / "kubernetes"


def merged(base: Any, overlay: Any) -> Any:
    """``overlay`` on ``base``: mappings merge, ``None`` removes, the rest replaces."""
    if not (isinstance(base, dict) and isinstance(overlay, dict)):
        return overlay
    result = dict(base)
    for key, value in overlay.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merged(base.get(key), value)
    return result


def cases(table: str) -> list[Any]:
    document = yaml.safe_load((CASES / table).read_text())
    base = document["base"]
    return [
        pytest.param(
            {
                "object": merged(base, case["object"]),
                "old": merged(base, case["old"]) if "old" in case else None,
                "operation": case.get("operation", "CREATE"),
                "findings": case["findings"],
            },
            id=case["description"],
        )
        for case in document["cases"]
    ]


def lines(findings: list[Finding]) -> list[str]:
    return [f"{finding.path}: {finding.message}" for finding in findings]


def findings_for(case: dict[str, Any]) -> list[Finding]:
    return list(
        validate(
            case["object"],
            kind=case["object"]["kind"],
            operation=case["operation"],
            old=case["old"],
        )
    )


@pytest.mark.parametrize("case", cases("job_cases.yaml"))
def test_a_job_gets_the_apiservers_findings(case: dict[str, Any]) -> None:
    assert lines(findings_for(case)) == case["findings"]


@pytest.mark.parametrize("case", cases("cronjob_cases.yaml"))
def test_a_cronjob_gets_the_apiservers_findings(case: dict[str, Any]) -> None:
    assert lines(findings_for(case)) == case["findings"]


@pytest.mark.parametrize("case", cases("job_cases.yaml") + cases("cronjob_cases.yaml"))
def test_every_kubernetes_finding_is_a_denial_with_a_hint(
    case: dict[str, Any],
) -> None:
    for finding in findings_for(case):
        assert finding.enforcement == "deny"
        assert finding.rule.startswith("kubernetes.")
        assert finding.hint


def test_merging_replaces_lists_and_removes_keys_given_null() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 2}

    assert merged(base, {"a": {"c": [3]}, "d": None}) == {"a": {"b": 1, "c": [3]}}

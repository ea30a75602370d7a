"""The Kubernetes checks on every Job and CronJob of the shared manifest corpus.

The corpus holds real manifests from public projects. Each batch/v1 Job and
CronJob document is checked as a CREATE, and its findings must be exactly those
recorded in ``tests/data/kubernetes/corpus_findings.yaml``. Schedule and time
zone findings belong to the schedule checks and their own tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from webhook.policy.kubernetes import validate

DATA = Path(__file__).parents[1] / "data"
MANIFESTS = sorted((DATA / "manifests").glob("*.yaml"))
EXPECTED = yaml.safe_load((DATA / "kubernetes" / "corpus_findings.yaml").read_text())

UNPARSABLE = {
    "029-k8sweb-job-pfp-ignore-tab.yaml": (
        "the file deliberately does not parse: a tab indents a key, which YAML forbids"
    )
}

SCHEDULE_PATHS = ("spec.schedule", "spec.timeZone")


def batch_documents(documents: list[Any]) -> dict[int, dict[str, Any]]:
    return {
        index: document
        for index, document in enumerate(documents)
        if isinstance(document, dict)
        and document.get("apiVersion") == "batch/v1"
        and document.get("kind") in ("Job", "CronJob")
    }


def findings(document: dict[str, Any]) -> list[str]:
    return [
        f"{finding.path}: {finding.message}"
        for finding in validate(document, kind=document["kind"], operation="CREATE")
        if not finding.path.startswith(SCHEDULE_PATHS)
    ]


@pytest.mark.parametrize("path", MANIFESTS, ids=[path.name for path in MANIFESTS])
def test_a_corpus_manifest_gets_exactly_the_recorded_findings(path: Path) -> None:
    if path.name in UNPARSABLE:
        pytest.skip(UNPARSABLE[path.name])
    documents = batch_documents(list(yaml.safe_load_all(path.read_text())))

    found = {index: findings(document) for index, document in documents.items()}

    assert found == EXPECTED.get(path.name, {})


def test_the_unparsable_corpus_file_does_not_parse() -> None:
    for name in UNPARSABLE:
        with pytest.raises(yaml.YAMLError):
            list(yaml.safe_load_all((DATA / "manifests" / name).read_text()))


def test_every_recorded_corpus_file_exists() -> None:
    assert set(EXPECTED) <= {path.name for path in MANIFESTS}

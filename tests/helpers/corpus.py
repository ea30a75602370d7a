"""The shared manifest corpus (tests/data/manifests), as the tests walk it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

MANIFESTS = sorted((Path(__file__).parents[1] / "data" / "manifests").glob("*.yaml"))
UNPARSEABLE = frozenset({"029-k8sweb-job-pfp-ignore-tab.yaml"})
"""Files that deliberately do not parse (see tests/data/manifests/SOURCES.md)."""


def batch_objects(
    document: Any, *, versions: tuple[str, ...] = ("batch/v1",)
) -> Iterator[dict[str, Any]]:
    """The Jobs and CronJobs of one YAML document, List items included."""
    items = document.get("items", []) if isinstance(document, dict) else []
    for obj in [document, *items]:
        if (
            isinstance(obj, dict)
            and obj.get("apiVersion") in versions
            and obj.get("kind") in ("Job", "CronJob")
        ):
            yield obj


def corpus_objects() -> Iterator[tuple[str, dict[str, Any]]]:
    """``(file#document, object)`` for every batch/v1 Job and CronJob."""
    for path in MANIFESTS:
        if path.name in UNPARSEABLE:
            continue
        for index, document in enumerate(yaml.safe_load_all(path.read_text())):
            for obj in batch_objects(document):
                yield f"{path.stem}#{index}", obj

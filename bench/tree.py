"""A generated tree of manifests, like a large GitOps repository.

Files hold Jobs and CronJobs mixed with other kinds; one in five holds several
documents. The tree is the same for a given size, so runs compare.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench import workloads

FILES_PER_DIRECTORY = 100
SCHEDULES = ("0 3 * * *", "*/15 * * * *", "30 1 * * 1-5", "@hourly", "0 0 1 * *")


def _config_map(index: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"settings-{index}", "namespace": workloads.NAMESPACE},
        "data": {"LOG_LEVEL": "info", "BATCH_SIZE": str(100 + index % 900)},
    }


def _service(index: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"api-{index}", "namespace": workloads.NAMESPACE},
        "spec": {
            "selector": {"app": f"api-{index}"},
            "ports": [{"port": 80, "targetPort": 8080}],
        },
    }


def _deployment(index: int) -> dict[str, Any]:
    spec = workloads.job_spec()["template"]
    spec["spec"]["restartPolicy"] = "Always"
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"api-{index}", "namespace": workloads.NAMESPACE},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": spec["metadata"]["labels"]},
            "template": spec,
        },
    }


def _job(index: int) -> dict[str, Any]:
    return workloads.job(name=f"etl-{index}", containers=1 + index % 3)


def _cronjob(index: int) -> dict[str, Any]:
    schedule = SCHEDULES[index % len(SCHEDULES)]
    return workloads.cronjob(name=f"report-{index}", schedule=schedule)


Builder = Callable[[int], dict[str, Any]]

# (share of files, the documents of one file)
FILE_KINDS: tuple[tuple[int, tuple[Builder, ...]], ...] = (
    (35, (_job,)),
    (25, (_cronjob,)),
    (10, (_job, _config_map, _service)),
    (10, (_cronjob, _job, _config_map)),
    (10, (_deployment,)),
    (10, (_config_map,)),
)


def _documents(index: int, chooser: random.Random) -> list[dict[str, Any]]:
    builders = chooser.choices(
        [builders for _, builders in FILE_KINDS],
        weights=[share for share, _ in FILE_KINDS],
    )[0]
    return [build(index * 10 + offset) for offset, build in enumerate(builders)]


def write_tree(root: Path, *, files: int) -> int:
    """Write ``files`` manifest files under ``root``; return the document count."""
    chooser = random.Random(files)
    documents = 0
    for index in range(files):
        directory = root / f"team-{index // FILES_PER_DIRECTORY:03d}"
        directory.mkdir(parents=True, exist_ok=True)
        content = _documents(index, chooser)
        documents += len(content)
        (directory / f"manifest-{index:05d}.yaml").write_text(
            yaml.safe_dump_all(content, sort_keys=False)
        )
    return documents

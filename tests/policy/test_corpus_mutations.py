"""Every Job and CronJob of the shared corpus through the engine, with real policies.

For each object: the patch applies, the mutated object is as schema-valid as the
original, a second review changes nothing, and a Job UPDATE that only changes a
label never touches the pod template.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonpatch
import pytest
from helpers.corpus import corpus_objects
from helpers.kube_schema import schema_error

from webhook.policy.engine import review
from webhook.policy.loader import load_policies

ROOT = Path(__file__).parents[2]

POLICY_SETS = {
    "shipped": load_policies([ROOT / "policies"]),
    "strict": load_policies(
        [ROOT / "policies", ROOT / "policies" / "examples" / "production-strict.yaml"]
    ),
    "tracking": load_policies(
        [ROOT / "policies", ROOT / "policies" / "examples" / "job-tracking.yaml"]
    ),
}


OBJECTS = list(corpus_objects())
CASES = [
    pytest.param(name, obj, policies, id=f"{name}-{policies}")
    for name, obj in OBJECTS
    for policies in POLICY_SETS
]


def test_the_corpus_has_jobs_and_cronjobs() -> None:
    kinds = [obj["kind"] for _, obj in OBJECTS]

    assert kinds.count("Job") >= 30
    assert kinds.count("CronJob") >= 10


@pytest.mark.parametrize(("name", "obj", "policies"), CASES)
def test_mutation_applies_keeps_the_schema_and_is_idempotent(
    name: str, obj: dict[str, Any], policies: str
) -> None:
    policy_set = POLICY_SETS[policies]
    namespace = obj["metadata"].get("namespace") or "default"

    first = review(obj, policies=policy_set, namespace=namespace)
    second = review(first.mutated, policies=policy_set, namespace=namespace)

    assert jsonpatch.apply_patch(obj, first.patch) == first.mutated
    assert schema_error(dict(first.mutated)) == schema_error(obj)
    assert second.patch == []


@pytest.mark.parametrize(
    ("name", "obj"),
    [(name, obj) for name, obj in OBJECTS if obj["kind"] == "Job"],
    ids=[name for name, obj in OBJECTS if obj["kind"] == "Job"],
)
def test_a_job_update_of_one_label_never_touches_the_pod_template(
    name: str, obj: dict[str, Any]
) -> None:
    new = copy.deepcopy(obj)
    new["metadata"].setdefault("labels", {})["example.com/tier"] = "b"

    outcome = review(new, policies=POLICY_SETS["strict"], operation="UPDATE", old=obj)

    touched = [op["path"] for op in outcome.patch]
    assert [path for path in touched if path.startswith("/spec/template")] == []
    assert [path for path in touched if path.startswith("/metadata/finalizers")] == []

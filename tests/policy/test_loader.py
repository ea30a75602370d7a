"""Loading policy files: schema errors name file, document and path; reloads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from webhook.policy.loader import PolicyLoadError, PolicyStore, load_policies

GOOD = """\
apiVersion: batchguard.io/v1alpha1
kind: BatchPolicy
metadata: {name: %(name)s}
spec:
  priority: %(priority)s
  rules:
    ttlSecondsAfterFinished: {default: 60}
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path


def good(name: str = "cleanup", priority: int = 0) -> str:
    return GOOD % {"name": name, "priority": priority}


def test_policies_load_in_precedence_order(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", good("low", 0))
    write(tmp_path, "b.yaml", good("high", 10) + "---\n" + good("also-high", 10))

    policies = load_policies([tmp_path])

    assert [p.name for p in policies.policies] == ["also-high", "high", "low"]
    assert policies.policies[1].source == f"{tmp_path}/b.yaml#0"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            good().replace("default: 60", "default: -1"),
            "document 0: spec.rules.ttlSecondsAfterFinished.default: "
            "-1 is less than the minimum of 0",
        ),
        (
            good().replace("ttlSecondsAfterFinished", "ttlSecondAfterFinished"),
            "document 0: spec.rules: Additional properties are not allowed "
            "('ttlSecondAfterFinished' was unexpected)",
        ),
        (
            good().replace("v1alpha1", "v1"),
            "document 0: apiVersion: 'batchguard.io/v1alpha1' was expected",
        ),
        (
            good() + "---\n" + good().replace("priority: 0", "priority: high"),
            "document 1: spec.priority: 'high' is not of type 'integer'",
        ),
        ("spec: [unclosed", "not valid YAML"),
        ("? [a, b]\n: 1\n", "a mapping key must be a scalar"),
        (
            good().replace("  priority: 0\n", "  priority: 0\n  priority: 1\n"),
            "duplicate key 'priority' (first on line 5)",
        ),
    ],
    ids=[
        "negative-default",
        "misspelt-rule",
        "wrong-api-version",
        "second-document",
        "not-yaml",
        "list-as-key",
        "duplicate-key",
    ],
)
def test_a_bad_policy_file_is_reported_with_file_document_and_path(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, "bad.yaml", text)

    with pytest.raises(PolicyLoadError) as raised:
        load_policies([tmp_path])

    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)


def test_duplicate_policy_names_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", good("same"))
    write(tmp_path, "b.yaml", good("same"))

    with pytest.raises(PolicyLoadError, match="policy name 'same' is already used"):
        load_policies([tmp_path])


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyLoadError, match="no such policy file or directory"):
        load_policies([tmp_path / "absent"])


def test_configmap_mount_internals_are_not_read_twice(tmp_path: Path) -> None:
    data = tmp_path / "..2026_12_03_12_00_00.000000001"
    data.mkdir()
    write(data, "cleanup.yaml", good())
    os.symlink(data.name, tmp_path / "..data")
    os.symlink("..data/cleanup.yaml", tmp_path / "cleanup.yaml")

    policies = load_policies([tmp_path])

    assert [p.name for p in policies.policies] == ["cleanup"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_store_reloads_changed_files_and_keeps_the_last_good_set(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "p.yaml", good("first"))
    clock = FakeClock()
    results: list[bool] = []
    store = PolicyStore([tmp_path], clock=clock, on_reload=results.append)
    first = store.current()

    path.write_text(good("second-name-is-longer"))
    clock.now += 2
    second = store.current()

    path.write_text("spec: [broken")
    clock.now += 2
    third = store.current()

    assert first is not None and first.policies[0].name == "first"
    assert second is not None and second.policies[0].name == "second-name-is-longer"
    assert third is second
    assert store.status.loaded is True
    assert store.status.error is not None and "not valid YAML" in store.status.error
    assert results == [True, True, False]


def test_the_store_does_not_look_at_the_files_between_checks(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", good("first"))
    clock = FakeClock()
    store = PolicyStore([tmp_path], clock=clock, check_interval=5)

    path.write_text(good("second-name-is-longer"))
    clock.now += 1
    policies = store.current()

    assert policies is not None and policies.policies[0].name == "first"


def test_schema_errors_say_what_the_property_is_for(tmp_path: Path) -> None:
    text = good().replace(
        "ttlSecondsAfterFinished: {default: 60}",
        "trackingFinalizer: "
        "{trackerDeployed: true, name: batch.kubernetes.io/job-tracking}",
    )
    write(tmp_path, "p.yaml", text)

    with pytest.raises(PolicyLoadError) as raised:
        load_policies([tmp_path])

    assert (
        "spec.rules.trackingFinalizer.name: 'batch.kubernetes.io/job-tracking' is not "
        "allowed here: The finalizer name: domain-qualified, and the one the tracker "
        "removes. Never 'batch.kubernetes.io/job-tracking'"
    ) in str(raised.value)

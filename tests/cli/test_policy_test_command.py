"""``batchguard test``: policy unit tests from YAML files, pytest-style output."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path
from textwrap import dedent

import pytest

POLICIES = Path(__file__).parent / "policies"
TESTS = POLICIES / "tests"

OBJECT = """\
    object:
      apiVersion: batch/v1
      kind: Job
      metadata: {name: j}
      spec:
        template:
          spec:
            restartPolicy: Never
            containers: [{name: m, image: registry.example/m:1}]
"""


def write_tests(directory: Path, body: str) -> Path:
    """A tests directory beside a copy of the team policies."""
    (directory / "team.yaml").write_text((POLICIES / "team.yaml").read_text())
    tests = directory / "tests"
    tests.mkdir()
    (tests / "cases.yaml").write_text(dedent(body))
    return tests


def test_passing_tests_are_listed_and_exit_zero(batchguard) -> None:
    result = batchguard("test", TESTS)

    assert result.code == 0
    assert result.out == (
        f"{TESTS}/team.yaml::a Job without a TTL gets the default PASSED\n"
        f"{TESTS}/team.yaml::a TTL above the maximum is denied PASSED\n"
        f"{TESTS}/team.yaml::a high backoffLimit only warns, also on UPDATE PASSED\n"
        + " 3 passed ".center(72, "=")
        + "\n"
    )


def test_failures_show_what_differs_and_exit_one(batchguard, tmp_path: Path) -> None:
    tests = write_tests(
        tmp_path,
        "tests:\n  - name: wrong on every count\n"
        + OBJECT
        + "    expect:\n"
        + "      allowed: false\n"
        + "      patch: [{op: add, path: /spec/suspend, value: true}]\n"
        + "      violations: [{rule: suspend.required, path: spec.suspend}]\n",
    )

    result = batchguard("test", tests)

    case = f"{tests}/cases.yaml::wrong on every count"
    assert result.code == 1
    assert result.out == "\n".join(
        [
            f"{case} FAILED",
            " FAILURES ".center(72, "="),
            f" {case} ".center(72, "_"),
            "allowed: expected False, got True",
            "patch differs:",
            "--- expected patch",
            "+++ actual patch",
            "@@ -1,7 +1,7 @@",
            " [",
            "   {",
            '     "op": "add",',
            '-    "path": "/spec/suspend",',
            '-    "value": true',
            '+    "path": "/spec/ttlSecondsAfterFinished",',
            '+    "value": 3600',
            "   }",
            " ]",
            'missing violation: {"rule": "suspend.required", "path": "spec.suspend", '
            '"enforcement": "deny"}',
            " 1 failed, 0 passed ".center(72, "="),
            "",
        ]
    )


def test_an_unexpected_finding_fails_the_test(batchguard, tmp_path: Path) -> None:
    tests = write_tests(
        tmp_path,
        "tests:\n  - name: expects silence\n"
        + OBJECT.replace("    spec:\n", "    spec:\n        backoffLimit: 12\n", 1)
        + "    expect: {warnings: []}\n",
    )

    result = batchguard("test", tests)

    assert result.code == 1
    assert (
        'unexpected warning: {"rule": "backoffLimit.maximum", "path": '
        '"spec.backoffLimit", "message": "backoffLimit 12 is above the policy '
        'maximum 10.", "enforcement": "warn"}'
    ) in result.out.splitlines()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "tests:\n  - name: no expectation\n" + OBJECT + "    expect: {}\n",
            "tests.0.expect: {} should be non-empty",
        ),
        ("tests:\n  - name: no object\n    expect: {allowed: true}\n", "'object' is"),
        ("tests: [\n", "not valid YAML"),
    ],
    ids=["empty-expect", "no-object", "not-yaml"],
)
def test_an_invalid_test_file_exits_two(
    batchguard, tmp_path: Path, body: str, message: str
) -> None:
    tests = write_tests(tmp_path, body)

    result = batchguard("test", tests)

    assert result.code == 2
    assert message in result.err


def test_a_directory_without_tests_exits_two(batchguard, tmp_path: Path) -> None:
    result = batchguard("test", tmp_path)

    assert (result.code, result.err) == (
        2,
        f"Error: No policy tests found in {tmp_path}.\n",
    )


def test_the_default_directory_is_policies_tests(
    batchguard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = batchguard("test")
    (tmp_path / "policies").mkdir()
    write_tests(
        tmp_path / "policies",
        "tests:\n  - name: default\n" + OBJECT + "    expect: {allowed: true}\n",
    )

    found = batchguard("test")

    assert missing.code == 2
    assert "No DIRECTORY given and policies/tests does not exist." in missing.err
    assert (found.code, found.out.splitlines()[0]) == (
        0,
        "policies/tests/cases.yaml::default PASSED",
    )


def test_junit_output_has_a_case_per_test(batchguard, tmp_path: Path) -> None:
    tests = write_tests(
        tmp_path,
        "tests:\n  - name: passes\n"
        + OBJECT
        + "    expect: {allowed: true}\n  - name: fails\n"
        + OBJECT
        + "    expect: {allowed: false}\n",
    )

    result = batchguard("test", tests, "--format", "junit")

    root = ElementTree.fromstring(result.out.encode())
    assert result.code == 1
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    assert [
        (case.get("name"), [f.get("message") for f in case.iter("failure")])
        for case in root.iter("testcase")
    ] == [("passes", []), ("fails", ["allowed: expected False, got True"])]

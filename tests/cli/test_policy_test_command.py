"""``batchguard test``: policy unit tests from YAML files, pytest-style output."""

from __future__ import annotations

import json
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


UNQUOTED = OBJECT.replace(
    "metadata: {name: j}", "metadata: {name: j, labels: {a: no}}"
).replace(
    "image: registry.example/m:1}",
    "image: registry.example/m:1, env: [{name: X, value: 08}]}",
)
LABEL_PATH = "metadata.labels.a"
LABEL_MESSAGE = (
    "Kubernetes reads the unquoted value 'no' as the boolean false, but a label "
    "value must be a string."
)
ENV_PATH = "spec.template.spec.containers[0].env[0].value"
ENV_MESSAGE = (
    "Kubernetes reads the unquoted value '08' as the integer 8, but an env var "
    "value must be a string."
)


def unexpected_violation(path: str, message: str) -> str:
    finding = {
        "rule": "manifests.not-a-string",
        "path": path,
        "message": message,
        "enforcement": "deny",
    }
    return f"unexpected violation: {json.dumps(finding)}"


def test_what_the_reader_finds_fails_a_test_as_check_denies_it(
    batchguard, tmp_path: Path
) -> None:
    tests = write_tests(
        tmp_path,
        "tests:\n  - name: unquoted values\n"
        + UNQUOTED
        + "    expect: {allowed: true, violations: []}\n",
    )
    (tmp_path / "deploy").mkdir()
    manifest = tmp_path / "deploy" / "job.yaml"
    manifest.write_text(dedent(UNQUOTED.replace("    object:\n", "")))

    result = batchguard("test", tests)
    checked = batchguard(
        "check", manifest, "--policies", tmp_path / "team.yaml", "--format", "json"
    )

    case = f"{tests}/cases.yaml::unquoted values"
    assert (result.code, result.out) == (
        1,
        "\n".join(
            [
                f"{case} FAILED",
                " FAILURES ".center(72, "="),
                f" {case} ".center(72, "_"),
                "allowed: expected True, got False",
                unexpected_violation(LABEL_PATH, LABEL_MESSAGE),
                unexpected_violation(ENV_PATH, ENV_MESSAGE),
                " 1 failed, 0 passed ".center(72, "="),
                "",
            ]
        ),
    )
    assert checked.code == 1
    assert [
        (f["rule"], f["path"], f["message"])
        for f in json.loads(checked.out)["findings"]
    ] == [
        ("manifests.not-a-string", LABEL_PATH, LABEL_MESSAGE),
        ("manifests.not-a-string", ENV_PATH, ENV_MESSAGE),
    ]


def test_a_test_can_expect_what_the_reader_finds(batchguard, tmp_path: Path) -> None:
    tests = write_tests(
        tmp_path,
        "tests:\n  - name: unquoted values\n"
        + UNQUOTED
        + "    expect:\n"
        + "      allowed: false\n"
        + "      violations:\n"
        + "        - {rule: manifests.not-a-string, path: metadata.labels.a}\n"
        + "        - rule: manifests.not-a-string\n"
        + "          path: spec.template.spec.containers[0].env[0].value\n",
    )

    result = batchguard("test", tests)

    assert (result.code, result.out.splitlines()[0]) == (
        0,
        f"{tests}/cases.yaml::unquoted values PASSED",
    )


def test_an_object_with_a_duplicate_key_is_not_reviewed_further(
    batchguard, tmp_path: Path
) -> None:
    tests = write_tests(
        tmp_path,
        "tests:\n  - name: twice\n"
        + OBJECT.replace("metadata: {name: j}", "metadata: {name: j, name: k}")
        + "    expect: {allowed: false, patch: [], violations: [{rule: "
        + "manifests.duplicate-key, path: metadata.name}]}\n",
    )

    result = batchguard("test", tests)

    assert (result.code, result.out.splitlines()[0]) == (
        0,
        f"{tests}/cases.yaml::twice PASSED",
    )


def test_a_test_name_used_twice_in_a_file_exits_two(batchguard, tmp_path: Path) -> None:
    case = "  - name: same\n" + OBJECT + "    expect: {allowed: true}\n"
    tests = write_tests(tmp_path, "tests:\n" + case + case)

    result = batchguard("test", tests)

    assert (result.code, result.out, result.err) == (
        2,
        "",
        f"Error: {tests}/cases.yaml: the test name 'same' is used more than once; "
        "names must be unique in a file.\n",
    )


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

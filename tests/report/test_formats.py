"""Report formats: exact documents for a small run, checked against their schemas."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from webhook import __version__
from webhook.manifests import Location
from webhook.policy.findings import Enforcement, Finding
from webhook.policy.match import Exempted
from webhook.report import (
    FORMATTERS,
    InputError,
    Located,
    ObjectRef,
    ObjectResult,
    Report,
)
from webhook.report.help import rule_help

SCHEMAS = Path(__file__).parents[1] / "data" / "schemas"

DENY = Finding(
    path="spec.ttlSecondsAfterFinished",
    message="ttlSecondsAfterFinished 999999 is above the policy maximum 86400.",
    rule="ttlSecondsAfterFinished.maximum",
    enforcement=Enforcement.DENY,
    policy="team",
    hint="set it to 86400 or less",
)
WARN = Finding(
    path="metadata.annotations.example.com/window",
    message="The unquoted value '1:30' is a string for Kubernetes, but YAML 1.1 "
    "tools such as PyYAML read it as a base-60 number.",
    rule="manifests.ambiguous-scalar",
    enforcement=Enforcement.WARN,
    hint='quote it: "1:30"',
)
AUDIT = Finding(
    path="spec.backoffLimit",
    message="backoffLimit 12 is above the policy maximum 10.",
    rule="backoffLimit.maximum",
    enforcement=Enforcement.AUDIT,
    policy="team",
)

EXEMPTED = Exempted(
    rule="resources",
    policy="team-defaults",
    reason="Legacy reports are sized by the data team (TICKET-123).",
)


@pytest.fixture
def report() -> Report:
    return Report(
        files=["jobs/a.yaml", "jobs/b.yaml", "jobs/c.yaml"],
        results=[
            ObjectResult(
                location=Location("jobs/a.yaml", line=1, document=0),
                object=ObjectRef("Job", "nightly", "team-a"),
                findings=(Located(WARN, 5), Located(AUDIT, 6), Located(DENY, 7)),
            ),
            ObjectResult(
                location=Location("jobs/c.yaml", line=9, document=1, item=1),
                object=ObjectRef("CronJob", "report"),
            ),
        ],
        errors=[
            InputError(
                "jobs/b.yaml",
                "not valid YAML: found a tab character that violates indentation "
                "(while scanning a plain scalar at line 23)",
                line=24,
            )
        ],
    )


def render(name: str, report: Report, *, color: bool = False) -> str:
    return FORMATTERS[name](color=color).render(report)


def test_formats_are_picked_by_name() -> None:
    assert sorted(FORMATTERS) == ["json", "junit", "sarif", "text"]


def test_the_text_report_groups_findings_by_file_and_object(report: Report) -> None:
    assert render("text", report) == (
        "jobs/a.yaml\n"
        "  Job team-a/nightly (line 1)\n"
        "       5  warn   metadata.annotations.example.com/window: The unquoted "
        "value '1:30' is a string for Kubernetes, but YAML 1.1 tools such as PyYAML "
        'read it as a base-60 number. (quote it: "1:30") [manifests.ambiguous-scalar]\n'
        "       6  audit  spec.backoffLimit: backoffLimit 12 is above the policy "
        "maximum 10. [backoffLimit.maximum]\n"
        "       7  deny   spec.ttlSecondsAfterFinished: ttlSecondsAfterFinished "
        "999999 is above the policy maximum 86400. (set it to 86400 or less) "
        "[ttlSecondsAfterFinished.maximum]\n"
        "jobs/b.yaml\n"
        "  error  line 24: not valid YAML: found a tab character that violates "
        "indentation (while scanning a plain scalar at line 23)\n"
        "Checked 2 objects in 3 files: 1 denied, 1 unreadable file.\n"
    )


def test_the_coloured_text_report_marks_levels(report: Report) -> None:
    text = render("text", report, color=True)

    assert "\x1b[31mdeny \x1b[0m" in text
    assert "\x1b[33mwarn \x1b[0m" in text
    assert "\x1b[36maudit\x1b[0m" in text
    assert text.startswith("\x1b[1mjobs/a.yaml\x1b[0m\n")


def test_the_json_report_is_exact(report: Report) -> None:
    place = {
        "file": "jobs/a.yaml",
        "document": 0,
        "item": None,
        "kind": "Job",
        "namespace": "team-a",
        "name": "nightly",
    }

    def finding(found: Finding, line: int) -> dict[str, object]:
        return {
            **place,
            "line": line,
            "path": found.path,
            "rule": found.rule,
            "enforcement": found.enforcement.value,
            "message": found.message,
            "hint": found.hint,
            "policy": found.policy,
        }

    assert json.loads(render("json", report)) == {
        "schemaVersion": 1,
        "summary": {
            "files": 3,
            "objects": 2,
            "denied": 1,
            "warned": 0,
            "unreadable": 1,
        },
        "objects": [
            {
                **place,
                "line": 1,
                "allowed": False,
                "skipped": None,
                "exemptions": [],
            },
            {
                "file": "jobs/c.yaml",
                "document": 1,
                "item": 1,
                "kind": "CronJob",
                "namespace": None,
                "name": "report",
                "line": 9,
                "allowed": True,
                "skipped": None,
                "exemptions": [],
            },
        ],
        "findings": [finding(WARN, 5), finding(AUDIT, 6), finding(DENY, 7)],
        "errors": [
            {
                "file": "jobs/b.yaml",
                "line": 24,
                "message": "not valid YAML: found a tab character that violates "
                "indentation (while scanning a plain scalar at line 23)",
            }
        ],
    }


def exempted_report() -> Report:
    return Report(
        files=["jobs/a.yaml"],
        results=[
            ObjectResult(
                location=Location("jobs/a.yaml", line=1, document=0),
                object=ObjectRef("Job", "nightly", "legacy-a"),
                findings=(Located(AUDIT, 6),),
                exemptions=(EXEMPTED,),
            ),
        ],
    )


def test_the_text_report_lists_exemptions_after_the_findings() -> None:
    assert render("text", exempted_report()) == (
        "jobs/a.yaml\n"
        "  Job legacy-a/nightly (line 1)\n"
        "       6  audit  spec.backoffLimit: backoffLimit 12 is above the policy "
        "maximum 10. [backoffLimit.maximum]\n"
        "          exempt  team-defaults/resources: Legacy reports are sized by the "
        "data team (TICKET-123).\n"
        "Checked 1 object in 1 file: no problems.\n"
    )


def test_the_json_report_lists_exemptions_per_object() -> None:
    document = json.loads(render("json", exempted_report()))

    assert [o["exemptions"] for o in document["objects"]] == [
        [
            {
                "policy": "team-defaults",
                "rule": "resources",
                "reason": "Legacy reports are sized by the data team (TICKET-123).",
            }
        ]
    ]


def expected_sarif_result(
    found: Finding, line: int, level: str, index: int
) -> dict[str, object]:
    return {
        "ruleId": found.rule,
        "ruleIndex": index,
        "level": level,
        "message": {"text": f"Job team-a/nightly: {found.render()}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "jobs/a.yaml"},
                    "region": {"startLine": line},
                },
                "logicalLocations": [
                    {
                        "name": found.path,
                        "fullyQualifiedName": f"Job team-a/nightly: {found.path}",
                        "kind": "object",
                    }
                ],
            }
        ],
        "properties": {"document": 0, "enforcement": found.enforcement.value}
        | ({"policy": "team"} if found.policy else {}),
    }


def test_the_sarif_report_is_exact(report: Report) -> None:
    rules = [
        "backoffLimit.maximum",
        "manifests.ambiguous-scalar",
        "manifests.unreadable",
        "ttlSecondsAfterFinished.maximum",
    ]

    document = json.loads(render("sarif", report))

    assert document == {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "batchguard",
                        "version": __version__,
                        "rules": [
                            {
                                "id": rule,
                                "shortDescription": {
                                    "text": rule_help(rule).split(". ")[0].rstrip(".")
                                    + "."
                                },
                                "help": {"text": rule_help(rule)},
                            }
                            for rule in rules
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    expected_sarif_result(WARN, 5, "warning", 1),
                    expected_sarif_result(AUDIT, 6, "note", 0),
                    expected_sarif_result(DENY, 7, "error", 3),
                    {
                        "ruleId": "manifests.unreadable",
                        "ruleIndex": 2,
                        "level": "error",
                        "message": {
                            "text": "not valid YAML: found a tab character that "
                            "violates indentation (while scanning a plain scalar "
                            "at line 23)"
                        },
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": "jobs/b.yaml"},
                                    "region": {"startLine": 24},
                                }
                            }
                        ],
                    },
                ],
            }
        ],
    }


def test_the_sarif_report_is_valid_against_the_sarif_2_1_0_schema(
    report: Report,
) -> None:
    schema = json.loads((SCHEMAS / "sarif-2.1.0.json").read_text())

    document = json.loads(render("sarif", report))

    jsonschema.Draft4Validator(schema).validate(document)


@pytest.mark.parametrize(
    ("rule", "help_text"),
    [
        (
            "manifests.duplicate-key",
            "A mapping repeats a key. Kubernetes tools disagree on which value "
            "wins, so the object is not checked until one is removed.",
        ),
        (
            "kubernetes.restartPolicy",
            "A check the Kubernetes apiserver makes: it would reject the object "
            "(restartPolicy).",
        ),
        ("nosuchrule.check", "The policy rule 'nosuchrule.check'."),
    ],
    ids=["manifest-rule", "kubernetes-rule", "unknown-rule"],
)
def test_every_rule_id_has_help_text(rule: str, help_text: str) -> None:
    assert rule_help(rule) == help_text


def test_sarif_uris_are_encoded_relative_paths_or_file_uris() -> None:
    report = Report(
        files=["my jobs/a.yaml", "/abs/b.yaml"],
        errors=[InputError("my jobs/a.yaml", "bad"), InputError("/abs/b.yaml", "bad")],
    )

    results = json.loads(render("sarif", report))["runs"][0]["results"]

    assert [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
    ] == ["my%20jobs/a.yaml", "file:///abs/b.yaml"]


JUNIT_EXPECTED = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="batchguard" tests="3" failures="1" errors="1" skipped="0">
  <testsuite name="jobs/a.yaml" tests="1" failures="1" errors="0" skipped="0">
    <testcase name="Job team-a/nightly (line 1)" classname="jobs/a.yaml">
      <failure message="spec.ttlSecondsAfterFinished: ttlSecondsAfterFinished \
999999 is above the policy maximum 86400. (set it to 86400 or less)" \
type="ttlSecondsAfterFinished.maximum">jobs/a.yaml:7: \
spec.ttlSecondsAfterFinished: ttlSecondsAfterFinished 999999 is above the policy \
maximum 86400. (set it to 86400 or less) [ttlSecondsAfterFinished.maximum]</failure>
      <system-out>jobs/a.yaml:5: warn: metadata.annotations.example.com/window: \
The unquoted value '1:30' is a string for Kubernetes, but YAML 1.1 tools such as \
PyYAML read it as a base-60 number. (quote it: "1:30") [manifests.ambiguous-scalar]
jobs/a.yaml:6: audit: spec.backoffLimit: backoffLimit 12 is above the policy \
maximum 10. [backoffLimit.maximum]</system-out>
    </testcase>
  </testsuite>
  <testsuite name="jobs/b.yaml" tests="1" failures="0" errors="1" skipped="0">
    <testcase name="read the file" classname="jobs/b.yaml">
      <error message="not valid YAML: found a tab character that violates \
indentation (while scanning a plain scalar at line 23)" type="unreadable">\
jobs/b.yaml:24: not valid YAML: found a tab character that violates indentation \
(while scanning a plain scalar at line 23)</error>
    </testcase>
  </testsuite>
  <testsuite name="jobs/c.yaml" tests="1" failures="0" errors="0" skipped="0">
    <testcase name="CronJob report (line 9)" classname="jobs/c.yaml" />
  </testsuite>
</testsuites>
"""


def test_the_junit_report_is_exact(report: Report) -> None:
    assert render("junit", report) == JUNIT_EXPECTED


# The elements and attributes the common JUnit XML schema (Jenkins junit-10.xsd,
# which Ant, Maven Surefire and CI test viewers follow) allows.
JUNIT_ATTRIBUTES = {
    "testsuites": {
        "name",
        "time",
        "tests",
        "failures",
        "errors",
        "skipped",
        "disabled",
    },
    "testsuite": {
        "name",
        "tests",
        "failures",
        "errors",
        "skipped",
        "time",
        "disabled",
        "timestamp",
        "hostname",
        "id",
        "package",
    },
    "testcase": {"name", "classname", "assertions", "time", "status"},
    "failure": {"message", "type"},
    "error": {"message", "type"},
    "skipped": {"message"},
    "system-out": set(),
}
JUNIT_CHILDREN = {
    "testsuites": {"testsuite"},
    "testsuite": {"testcase", "properties", "system-out", "system-err"},
    "testcase": {"skipped", "error", "failure", "system-out", "system-err"},
}


def test_the_junit_report_follows_the_common_junit_schema(report: Report) -> None:
    root = ElementTree.fromstring(render("junit", report).encode())

    assert root.tag == "testsuites"
    for element in root.iter():
        assert set(element.attrib) <= JUNIT_ATTRIBUTES[element.tag], element.tag
        children = {child.tag for child in element}
        assert children <= JUNIT_CHILDREN.get(element.tag, set()), element.tag
    for suite in root:
        cases = list(suite)
        assert int(suite.get("tests", "")) == len(cases)
        for outcome, attribute in (("failure", "failures"), ("error", "errors")):
            count = sum(1 for case in cases if case.find(outcome) is not None)
            assert int(suite.get(attribute, "")) == count


@pytest.mark.parametrize(
    "build", [lambda: Report(), exempted_report], ids=["empty", "with-objects"]
)
def test_the_streamed_json_report_is_exactly_json_dumps_indent_2(build: Any) -> None:
    built = build()

    text = "".join(FORMATTERS["json"]().chunks(built))

    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_the_json_report_of_a_fixture_round_trips_through_the_streamed_form(
    report: Report,
) -> None:
    streamed = "".join(FORMATTERS["json"]().chunks(report))

    assert (
        streamed
        == json.dumps(json.loads(streamed), indent=2, ensure_ascii=False) + "\n"
    )
    assert json.loads(streamed) == json.loads(render("json", report))

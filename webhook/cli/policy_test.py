"""``batchguard test``: unit tests for policies, written as YAML files.

Each test file holds ``tests:``, a list of cases with names unique in the file. A
case names the policies to load (paths relative to the test file; omitted: the
policies in the directory above the tests directory), an ``object`` to review,
optionally ``operation``, ``oldObject`` and ``namespace``, and what to ``expect``:
``allowed``, the exact ``patch``, and the ``violations`` and ``warnings`` (each
``{rule, path, message?, enforcement?}``). The object is read and judged exactly as
``batchguard check`` judges a manifest, so what the YAML reader finds (unquoted
``no`` or ``08`` where Kubernetes needs a string, duplicate keys) counts too. The
format is documented in docs/cli.md.
"""

from __future__ import annotations

import difflib
import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import click
import jsonschema

from webhook.cli.main import EXIT_DENIED, EXIT_OK
from webhook.cli.options import BadInput, stdout_is_terminal, use_color
from webhook.manifests import (
    JSONPath,
    Manifest,
    ManifestError,
    compose_documents,
    find_files,
    read_bytes,
)
from webhook.manifests import decode as decode_text
from webhook.manifests.parse import Builder

# NB: the reader's own step from a built value to a Manifest, so that a test's
# object gets exactly the findings ``batchguard check`` reports for it.
from webhook.manifests.reader import manifests_of
from webhook.policy.engine import review
from webhook.policy.findings import Enforcement, Finding
from webhook.policy.loader import PolicyLoadError, load_policies
from webhook.policy.model import PolicySet
from webhook.policy.rules.base import Operation
from webhook.review import review_manifest

DEFAULT_TEST_DIR: Final = Path("policies/tests")

_FINDING: Final = {
    "type": "object",
    "required": ["rule", "path"],
    "additionalProperties": False,
    "properties": {
        "rule": {"type": "string"},
        "path": {"type": "string"},
        "message": {"type": "string"},
        "enforcement": {"enum": ["deny", "warn", "audit"]},
    },
}
TEST_FILE_SCHEMA: Final = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["tests"],
    "additionalProperties": False,
    "properties": {
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "object", "expect"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "policies": {"type": "array", "items": {"type": "string"}},
                    "namespace": {"type": "string"},
                    "operation": {"enum": ["CREATE", "UPDATE"]},
                    "object": {"type": "object"},
                    "oldObject": {"type": "object"},
                    "expect": {
                        "type": "object",
                        "minProperties": 1,
                        "additionalProperties": False,
                        "properties": {
                            "allowed": {"type": "boolean"},
                            "patch": {"type": "array", "items": {"type": "object"}},
                            "violations": {"type": "array", "items": _FINDING},
                            "warnings": {"type": "array", "items": _FINDING},
                        },
                    },
                },
            },
        }
    },
}


@dataclass(frozen=True)
class PolicyTest:
    """One case from a test file."""

    file: str
    name: str
    policies: tuple[Path, ...]
    case: Mapping[str, Any]
    manifest: Manifest | None = None
    """The object as ``check`` reads it; None when check would skip it."""

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


class Verdict(Protocol):
    """What a case's expectations are compared with."""

    @property
    def allowed(self) -> bool: ...

    @property
    def patch(self) -> list[dict[str, Any]]: ...

    @property
    def findings(self) -> tuple[Finding, ...]: ...


@dataclass
class TestResult:
    test: PolicyTest
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


# Reading test files.


def _schema_errors(document: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(TEST_FILE_SCHEMA)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in errors
    ]


def _build(node: Any, *, file: str) -> tuple[Any, Builder]:
    builder = Builder(file=file)
    return (None if node is None else builder.value(node, (), 0)), builder


def _read_documents(file: str) -> list[tuple[Any, Builder]]:
    """Each document as a JSON value, with the builder that noted its source."""
    try:
        text = decode_text(read_bytes(file), file=file)
        return [_build(node, file=file) for node in compose_documents(text, file=file)]
    except ManifestError as error:
        raise BadInput(str(error)) from None


def _cases(
    document: Any,
    builder: Builder,
    *,
    number: int,
    path: Path,
    default_policies: Sequence[Path],
) -> Iterator[PolicyTest]:
    for index, case in enumerate(document["tests"]):
        named = case.get("policies")
        policies = (
            tuple(path.parent / p for p in named) if named else tuple(default_policies)
        )
        prefix: JSONPath = ("tests", index, "object")
        read = manifests_of(case["object"], builder, prefix=prefix, document=number)
        yield PolicyTest(str(path), case["name"], policies, case, next(read, None))


def _refuse_repeated_names(tests: Sequence[PolicyTest], *, file: str) -> None:
    seen: set[str] = set()
    for test in tests:
        if test.name in seen:
            raise BadInput(
                f"{file}: the test name {test.name!r} is used more than once; "
                "names must be unique in a file."
            )
        seen.add(test.name)


def read_tests(path: Path, *, default_policies: Sequence[Path]) -> list[PolicyTest]:
    """The cases of one test file; ``BadInput`` when it is not a valid test file."""
    file = str(path)
    tests: list[PolicyTest] = []
    for number, (document, builder) in enumerate(_read_documents(file)):
        errors = _schema_errors(document)
        if errors:
            raise BadInput(f"{file}: not a test file: {'; '.join(errors[:3])}")
        tests += _cases(
            document,
            builder,
            number=number,
            path=path,
            default_policies=default_policies,
        )
    _refuse_repeated_names(tests, file=file)
    return tests


class _PolicyCache:
    def __init__(self) -> None:
        self._sets: dict[tuple[Path, ...], PolicySet] = {}

    def get(self, paths: tuple[Path, ...], *, test: PolicyTest) -> PolicySet:
        key = tuple(p.resolve() for p in paths)
        if key not in self._sets:
            try:
                self._sets[key] = load_policies(list(paths))
            except PolicyLoadError as error:
                raise BadInput(f"{test.id}: {error}") from None
        return self._sets[key]


# Running one case.


def judge(test: PolicyTest, policies: PolicySet) -> Verdict:
    """Review the case's object exactly as ``batchguard check`` would."""
    case = test.case
    operation: Operation = "UPDATE" if case.get("operation") == "UPDATE" else "CREATE"
    if test.manifest is None:
        # Not a batch Job or CronJob: check skips it, and the engine says why.
        return review(
            case["object"],
            policies=policies,
            operation=operation,
            old=case.get("oldObject"),
            namespace=case.get("namespace"),
        )
    return review_manifest(
        test.manifest,
        policies=policies,
        namespace=case.get("namespace"),
        operation=operation,
        old=case.get("oldObject"),
    )


def _as_expected(finding: Finding) -> dict[str, str]:
    return {
        "rule": finding.rule,
        "path": finding.path,
        "message": finding.message,
        "enforcement": finding.enforcement.value,
    }


def _compare_findings(
    label: str, expected: list[Mapping[str, str]], actual: list[Finding], default: str
) -> Iterator[str]:
    remaining = [_as_expected(f) for f in actual]
    for wanted in expected:
        wanted = {**wanted, "enforcement": wanted.get("enforcement", default)}
        match = next(
            (a for a in remaining if all(a[k] == v for k, v in wanted.items())), None
        )
        if match is None:
            yield f"missing {label}: {json.dumps(wanted, ensure_ascii=False)}"
        else:
            remaining.remove(match)
    for extra in remaining:
        yield f"unexpected {label}: {json.dumps(extra, ensure_ascii=False)}"


def _json_lines(value: Any) -> list[str]:
    return json.dumps(value, indent=2, ensure_ascii=False).splitlines(keepends=True)


def check_expectations(expect: Mapping[str, Any], verdict: Verdict) -> Iterator[str]:
    """Describe each way the verdict differs from what the test expects."""
    if "allowed" in expect and expect["allowed"] != verdict.allowed:
        yield f"allowed: expected {expect['allowed']}, got {verdict.allowed}"
    if "patch" in expect and expect["patch"] != verdict.patch:
        diff = difflib.unified_diff(
            _json_lines(expect["patch"]),
            _json_lines(verdict.patch),
            "expected patch",
            "actual patch",
        )
        yield "patch differs:\n" + "".join(diff).rstrip("\n")
    warned = [f for f in verdict.findings if f.enforcement == Enforcement.WARN]
    others = [f for f in verdict.findings if f.enforcement != Enforcement.WARN]
    if "violations" in expect:
        yield from _compare_findings("violation", expect["violations"], others, "deny")
    if "warnings" in expect:
        yield from _compare_findings("warning", expect["warnings"], warned, "warn")


def run_test(test: PolicyTest, cache: _PolicyCache) -> TestResult:
    verdict = judge(test, cache.get(test.policies, test=test))
    return TestResult(test, list(check_expectations(test.case["expect"], verdict)))


# Reporting.


def render_text(results: Sequence[TestResult], *, color: bool) -> str:
    def styled(text: str, colour: str) -> str:
        return click.style(text, fg=colour, bold=True) if color else text

    lines = [
        f"{r.test.id} "
        + (styled("PASSED", "green") if r.passed else styled("FAILED", "red"))
        for r in results
    ]
    failed = [r for r in results if not r.passed]
    if failed:
        lines.append(" FAILURES ".center(72, "="))
        for result in failed:
            lines.append(f" {result.test.id} ".center(72, "_"))
            lines += result.failures
    passed = len(results) - len(failed)
    summary = (
        f" {len(failed)} failed, {passed} passed " if failed else f" {passed} passed "
    )
    lines.append(styled(summary.center(72, "="), "red" if failed else "green"))
    return "\n".join(lines) + "\n"


def render_junit(results: Sequence[TestResult]) -> str:
    root = ElementTree.Element("testsuites", name="batchguard test")
    files = sorted({r.test.file for r in results})
    for file in files:
        in_file = [r for r in results if r.test.file == file]
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=file,
            tests=str(len(in_file)),
            failures=str(sum(1 for r in in_file if not r.passed)),
            errors="0",
        )
        for result in in_file:
            case = ElementTree.SubElement(
                suite, "testcase", name=result.test.name, classname=file
            )
            if result.failures:
                failure = ElementTree.SubElement(
                    case, "failure", message=result.failures[0].splitlines()[0]
                )
                failure.text = "\n".join(result.failures)
    root.set("tests", str(len(results)))
    root.set("failures", str(sum(1 for r in results if not r.passed)))
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def collect(directory: Path, *, policies: Sequence[Path]) -> list[PolicyTest]:
    tests_dir = directory if directory.is_dir() else directory.parent
    default = list(policies) or [tests_dir.resolve().parent]
    tests = [
        test
        for file in find_files([directory])
        if not file.endswith(".json")
        for test in read_tests(Path(file), default_policies=default)
    ]
    if not tests:
        raise BadInput(f"No policy tests found in {directory}.")
    return tests


@click.command(name="test")
@click.argument(
    "directory",
    required=False,
    type=click.Path(path_type=Path, exists=True, file_okay=True),
)
@click.option(
    "--policies",
    "policy_paths",
    type=click.Path(path_type=Path, exists=True),
    multiple=True,
    help="Policies for cases that name none [default: the directory above DIRECTORY].",
)
@click.option(
    "--format",
    "format",
    type=click.Choice(["text", "junit"]),
    default="text",
    show_default=True,
)
def policy_test(
    directory: Path | None, policy_paths: tuple[Path, ...], format: str
) -> int:
    """Run the policy unit tests in DIRECTORY [default: policies/tests].

    Exit status: 0 all passed, 1 a test failed, 2 a test or policy file is invalid.
    """
    if directory is None:
        if not DEFAULT_TEST_DIR.is_dir():
            raise click.UsageError(
                f"No DIRECTORY given and {DEFAULT_TEST_DIR} does not exist."
            )
        directory = DEFAULT_TEST_DIR
    tests = collect(directory, policies=policy_paths)
    cache = _PolicyCache()
    results = [run_test(test, cache) for test in tests]
    if format == "junit":
        click.echo(render_junit(results), nl=False)
    else:
        color = use_color(to_terminal=stdout_is_terminal())
        click.echo(render_text(results, color=color), nl=False, color=color)
    return EXIT_OK if all(r.passed for r in results) else EXIT_DENIED

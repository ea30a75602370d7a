"""JUnit XML: a test suite per file, a test case per object, denials as failures."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator

from webhook.policy.findings import Enforcement
from webhook.report.model import InputError, ObjectResult, Report


class JunitFormatter:
    """Well-formed for the common JUnit schema; no timings (the run is pure)."""

    def __init__(self, *, color: bool = False) -> None:
        del color

    def chunks(self, report: Report) -> Iterator[str]:
        yield self.render(report)

    def render(self, report: Report) -> str:
        root = ElementTree.Element("testsuites", name="batchguard")
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for file, results, errors in report.by_file():
            suite = _suite(file, results, errors)
            root.append(suite)
            for name in totals:
                totals[name] += int(suite.get(name, "0"))
        for name, value in totals.items():
            root.set(name, str(value))
        ElementTree.indent(root)
        body = ElementTree.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _suite(
    file: str, results: list[ObjectResult], errors: list[InputError]
) -> ElementTree.Element:
    suite = ElementTree.Element("testsuite", name=file)
    cases = [_error_case(file, error) for error in errors]
    cases += [_case(file, result) for result in results]
    suite.set("tests", str(len(cases)))
    for tag, attribute in (
        ("failure", "failures"),
        ("error", "errors"),
        ("skipped", "skipped"),
    ):
        suite.set(attribute, str(sum(1 for c in cases if c.find(tag) is not None)))
    suite.extend(cases)
    return suite


def _case(file: str, result: ObjectResult) -> ElementTree.Element:
    name = f"{result.object} (line {result.location.line})"
    case = ElementTree.Element("testcase", name=name, classname=file)
    denials = [f for f in result.findings if f.finding.enforcement == Enforcement.DENY]
    others = [f for f in result.findings if f.finding.enforcement != Enforcement.DENY]
    if denials:
        failure = ElementTree.SubElement(
            case,
            "failure",
            message=denials[0].finding.render(),
            type=denials[0].finding.rule,
        )
        failure.text = "\n".join(
            f"{file}:{f.line}: {f.finding.render()} [{f.finding.rule}]" for f in denials
        )
    elif result.skipped_reason:
        ElementTree.SubElement(case, "skipped", message=result.skipped_reason)
    if others:
        output = ElementTree.SubElement(case, "system-out")
        output.text = "\n".join(
            f"{file}:{f.line}: {f.finding.enforcement.value}: {f.finding.render()} "
            f"[{f.finding.rule}]"
            for f in others
        )
    return case


def _error_case(file: str, error: InputError) -> ElementTree.Element:
    case = ElementTree.Element("testcase", name="read the file", classname=file)
    where = f"{file}:{error.line}" if error.line else file
    element = ElementTree.SubElement(case, "error", message=error.message)
    element.set("type", "unreadable")
    element.text = f"{where}: {error.message}"
    return case

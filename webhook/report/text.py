"""The default report: findings grouped by file and object, for people."""

from __future__ import annotations

from collections.abc import Iterator

import click

from webhook.policy.findings import Enforcement
from webhook.report.model import InputError, ObjectResult, Report

_COLOURS = {
    Enforcement.DENY: "red",
    Enforcement.WARN: "yellow",
    Enforcement.AUDIT: "cyan",
}


class TextFormatter:
    """Findings grouped by file, then object; a summary line at the end."""

    def __init__(self, *, color: bool = False) -> None:
        self.color = color

    def chunks(self, report: Report) -> Iterator[str]:
        yield self.render(report)

    def render(self, report: Report) -> str:
        lines: list[str] = []
        for file, results, errors in report.by_file():
            block = self._file(results, errors)
            if block:
                lines += [self._style(file, bold=True), *block]
        lines.append(self._summary(report))
        return "\n".join(lines) + "\n"

    def _style(
        self,
        text: str,
        *,
        fg: str | None = None,
        bold: bool | None = None,
        dim: bool | None = None,
    ) -> str:
        if not self.color:
            return text
        return click.style(text, fg=fg, bold=bold, dim=dim)

    def _file(self, results: list[ObjectResult], errors: list[InputError]) -> list[str]:
        lines = [self._error(error) for error in errors]
        for result in results:
            if result.findings or result.exemptions:
                lines += self._object(result)
        return lines

    def _error(self, error: InputError) -> str:
        where = f"line {error.line}: " if error.line else ""
        return f"  {self._style('error', fg='red', bold=True)}  {where}{error.message}"

    def _object(self, result: ObjectResult) -> list[str]:
        lines = [f"  {result.object} (line {result.location.line})"]
        for located in result.findings:
            finding = located.finding
            level = finding.enforcement.value
            styled = self._style(f"{level:<5}", fg=_COLOURS[finding.enforcement])
            rule = self._style(f"[{finding.rule}]", dim=True)
            lines.append(f"    {located.line:>4}  {styled}  {finding.render()} {rule}")
        exempt = self._style("exempt", dim=True)
        for e in result.exemptions:
            lines.append(f"          {exempt}  {e.policy}/{e.rule}: {e.reason}")
        return lines

    def _summary(self, report: Report) -> str:
        objects = len(report.results)
        files = len(report.files)
        text = (
            f"Checked {objects} object{'s' * (objects != 1)} in "
            f"{files} file{'s' * (files != 1)}: "
        )
        parts = []
        if report.denied:
            parts.append(self._style(f"{report.denied} denied", fg="red", bold=True))
        if report.warned:
            parts.append(self._style(f"{report.warned} with warnings", fg="yellow"))
        if report.errors:
            unreadable = len({error.file for error in report.errors})
            parts.append(
                self._style(f"{unreadable} unreadable", fg="red", bold=True)
                + f" file{'s' * (unreadable != 1)}"
            )
        return text + (", ".join(parts) if parts else "no problems") + "."

"""What a check reports: findings about objects, located in files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from webhook.manifests import Location
from webhook.policy.findings import Enforcement, Finding
from webhook.policy.match import Exempted


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """The object a finding is about."""

    kind: str
    name: str | None = None
    namespace: str | None = None

    def __str__(self) -> str:
        name = self.name or "(unnamed)"
        return (
            f"{self.kind} {self.namespace}/{name}"
            if self.namespace
            else (f"{self.kind} {name}")
        )


@dataclass(frozen=True, slots=True)
class Located:
    """A finding with the line its field path starts on."""

    finding: Finding
    line: int


@dataclass(frozen=True, slots=True)
class ObjectResult:
    """Everything found about one object."""

    location: Location
    object: ObjectRef
    findings: tuple[Located, ...] = ()
    skipped_reason: str | None = None
    """Why the engine did not review the object, if it did not."""
    exemptions: tuple[Exempted, ...] = ()
    """The policy rules an exemption kept from applying to the object."""

    @property
    def denied(self) -> bool:
        return any(f.finding.enforcement == Enforcement.DENY for f in self.findings)

    @property
    def warned(self) -> bool:
        return any(f.finding.enforcement == Enforcement.WARN for f in self.findings)


@dataclass(frozen=True)
class InputError:
    """A file that could not be read, or a document in it."""

    file: str
    message: str
    line: int | None = None


@dataclass
class Report:
    """The results of one run, in the order the files were read."""

    results: list[ObjectResult] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def denied(self) -> int:
        return sum(1 for result in self.results if result.denied)

    @property
    def warned(self) -> int:
        return sum(1 for result in self.results if result.warned and not result.denied)

    def by_file(self) -> Iterator[tuple[str, list[ObjectResult], list[InputError]]]:
        """Each file with its results and errors, in reading order (one pass)."""
        results: dict[str, list[ObjectResult]] = {}
        for result in self.results:
            results.setdefault(result.location.file, []).append(result)
        errors: dict[str, list[InputError]] = {}
        for error in self.errors:
            errors.setdefault(error.file, []).append(error)
        for file in self.files:
            yield file, results.get(file, []), errors.get(file, [])

    def located(self) -> Iterator[tuple[ObjectResult, Located]]:
        for result in self.results:
            for located in result.findings:
                yield result, located


LEVELS: dict[Enforcement, str] = {
    Enforcement.DENY: "error",
    Enforcement.WARN: "warning",
    Enforcement.AUDIT: "note",
}
"""SARIF's name for each enforcement (also used by the text report)."""

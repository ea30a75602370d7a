"""The contract every policy rule implements.

A rule is configured by one block under ``spec.rules.<name>`` of a policy file. It
may *mutate* (change the working copy of the object in place and yield what it
did) and may *validate* (yield findings about the object). Rules never raise for
bad objects: a malformed field is a finding, or the rule does not apply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard

from webhook.policy.findings import Applied, Enforcement, Finding

Operation = Literal["CREATE", "UPDATE", "DELETE", "CONNECT"]
Kind = Literal["Job", "CronJob"]
JSONObject = dict[str, Any]


@dataclass(frozen=True)
class RuleContext:
    """Everything a rule may look at. ``obj`` is the working copy."""

    obj: JSONObject
    kind: Kind
    operation: Operation
    config: Mapping[str, Any]
    """This rule's block from the policy that owns the rule for this object."""
    policy: str
    """The name of that policy."""
    rule: str
    """The rule's name (its key under ``spec.rules``)."""
    old: Mapping[str, Any] | None = None
    namespace: str | None = None
    default_enforcement: Enforcement = Enforcement.DENY
    """The rule's level when its config block does not set ``enforcement``."""

    @property
    def enforcement(self) -> Enforcement:
        return Enforcement(self.config.get("enforcement", self.default_enforcement))

    @property
    def creating(self) -> bool:
        return self.operation == "CREATE"

    @property
    def pod_template_mutable(self) -> bool:
        """A Job's pod template is immutable after creation; a CronJob's is not."""
        return self.kind == "CronJob" or self.creating

    def finding(
        self,
        path: str,
        message: str,
        *,
        check: str | None = None,
        hint: str | None = None,
        enforcement: Enforcement | None = None,
    ) -> Finding:
        """A finding attributed to this rule and policy."""
        return Finding(
            path=path,
            message=message,
            rule=f"{self.rule}.{check}" if check else self.rule,
            enforcement=enforcement or self.enforcement,
            policy=self.policy,
            hint=hint,
        )

    def applied(self, path: str, message: str) -> Applied:
        return Applied(rule=self.rule, path=path, message=message, policy=self.policy)


Event = Finding | Applied
Mutator = Callable[[RuleContext], Iterator[Event]]
Validator = Callable[[RuleContext], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    """A named rule: its config schema and what it does."""

    name: str
    description: str
    schema: Mapping[str, Any]
    """JSON Schema of the rule's config block (``enforcement`` is added for it)."""
    kinds: frozenset[Kind] = frozenset({"Job", "CronJob"})
    mutate: Mutator | None = None
    validate: Validator | None = None
    default_enforcement: Enforcement = Enforcement.DENY
    examples: tuple[Mapping[str, Any], ...] = field(default=())


def job_specs(obj: Mapping[str, Any], kind: Kind) -> Iterator[tuple[str, JSONObject]]:
    """Yield ``(path, JobSpec)`` for a Job's spec or a CronJob's job template spec.

    Nothing is yielded when the object does not have that shape (wrong types are
    for the Kubernetes checks to report, not for policy rules to trip over).
    """
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    if kind == "Job":
        yield "spec", spec
        return
    template = spec.get("jobTemplate")
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        yield "spec.jobTemplate.spec", template["spec"]


def cronjob_spec(obj: Mapping[str, Any], kind: Kind) -> JSONObject | None:
    """A CronJob's own spec, or None for a Job or a malformed object."""
    spec = obj.get("spec")
    return spec if kind == "CronJob" and isinstance(spec, dict) else None


def pod_spec(job_spec: Mapping[str, Any]) -> JSONObject | None:
    """The pod spec inside a JobSpec, or None if it is missing or malformed."""
    template = job_spec.get("template")
    if not isinstance(template, dict):
        return None
    spec = template.get("spec")
    return spec if isinstance(spec, dict) else None


ContainerList = Literal["initContainers", "containers"]


def containers(
    pod: Mapping[str, Any],
    lists: tuple[ContainerList, ...] = ("initContainers", "containers"),
) -> Iterator[tuple[str, int, JSONObject]]:
    """Yield ``(list name, index, container)`` for well-formed containers."""
    for list_name in lists:
        items = pod.get(list_name)
        if not isinstance(items, list):
            continue
        for index, container in enumerate(items):
            if isinstance(container, dict):
                yield list_name, index, container


def is_int(value: Any) -> TypeGuard[int]:
    """True for JSON integers (``bool`` is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)

"""The ``resources`` rule: default, cap and require container requests and limits.

Defaults fill only what a container leaves out, and never make its resources
invalid:

- An explicit value always wins; values are compared as quantities (``0.7`` is
  ``700m``), never as strings.
- A default limit below the container's explicit request is not added (the pod
  would be rejected); a warning names the container and the request. The
  container then has no limit for that resource, as its author wrote it.
- A default request above the container's limit (explicit or just defaulted) is
  not added: Kubernetes copies the limit into a missing request, which keeps the
  pod valid.

For the same reason, a request counts as set when a limit is set: a required
request is satisfied by a limit, and the request maximum applies to a limit that
stands in for a missing request.

Defaults go into the pod template, which is immutable once a Job exists: on a Job
UPDATE nothing is added, and a warning says so if a default would have applied.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from webhook.policy.findings import Enforcement, Finding
from webhook.policy.quantity import Quantity, QuantityError
from webhook.policy.rules.base import (
    ContainerList,
    Event,
    JSONObject,
    Rule,
    RuleContext,
    containers,
    job_specs,
    pod_spec,
)

Section = Literal["requests", "limits"]
SECTIONS: tuple[Section, ...] = ("requests", "limits")
RESOURCE_NAMES = ("cpu", "memory", "ephemeral-storage")
CONTAINER_LISTS: tuple[ContainerList, ...] = ("initContainers", "containers")

IMMUTABLE_TEMPLATE = (
    "resource defaults not applied: spec.template of an existing Job is immutable"
)


@dataclass(frozen=True)
class Amount:
    """A quantity from the policy, and the text written into objects for it."""

    raw: Any
    quantity: Quantity

    @property
    def text(self) -> str:
        return self.raw if isinstance(self.raw, str) else str(self.quantity)


Amounts = dict[Section, dict[str, Amount]]


@dataclass(frozen=True)
class Target:
    """A well-formed container of the pod template."""

    path: str
    """Path of the container, such as ``spec.template.spec.containers[0]``."""
    name: str
    body: JSONObject
    resources: Mapping[str, Any]
    """The container's ``resources`` (empty when absent)."""

    def value(self, section: Section, name: str) -> Any:
        return (self.resources.get(section) or {}).get(name)

    def value_path(self, section: Section, name: str) -> str:
        return f"{self.path}.resources.{section}.{name}"


@dataclass
class Plan:
    """What the defaults add to one container, and which limits they hold back."""

    additions: dict[Section, dict[str, str]] = field(
        default_factory=lambda: {"requests": {}, "limits": {}}
    )
    withheld_limits: list[tuple[str, Quantity]] = field(default_factory=list)
    """``(resource, explicit request)`` for each default limit below the request."""

    def __bool__(self) -> bool:
        return any(self.additions.values())


def _mutate(ctx: RuleContext) -> Iterator[Event]:
    defaults = _amounts(ctx.config.get("defaults"))
    if not any(defaults.values()):
        return

    for spec_path, spec in job_specs(ctx.obj, ctx.kind):
        plans = [
            (target, _plan(target, defaults))
            for target in _targets(ctx, spec_path, spec)
        ]
        if ctx.pod_template_mutable:
            for target, plan in plans:
                yield from _apply(ctx, target, plan)
        elif any(plan for _, plan in plans):
            yield ctx.finding(
                f"{spec_path}.template",
                IMMUTABLE_TEMPLATE,
                check="immutable",
                enforcement=Enforcement.WARN,
            )


def _plan(target: Target, defaults: Amounts) -> Plan:
    plan = Plan()
    for name in RESOURCE_NAMES:
        try:
            request = _explicit(target, "requests", name)
            limit = _explicit(target, "limits", name)
        except QuantityError:
            continue
        _plan_resource(plan, name, request=request, limit=limit, defaults=defaults)
    return plan


def _plan_resource(
    plan: Plan,
    name: str,
    *,
    request: Quantity | None,
    limit: Quantity | None,
    defaults: Amounts,
) -> None:
    default_limit = defaults["limits"].get(name)
    if limit is None and default_limit is not None:
        if request is not None and default_limit.quantity < request:
            plan.withheld_limits.append((name, request))
        else:
            limit = default_limit.quantity
            plan.additions["limits"][name] = default_limit.text

    default_request = defaults["requests"].get(name)
    if request is None and default_request is not None:
        if limit is None or default_request.quantity <= limit:
            plan.additions["requests"][name] = default_request.text


def _apply(ctx: RuleContext, target: Target, plan: Plan) -> Iterator[Event]:
    for name, request in plan.withheld_limits:
        yield ctx.finding(
            target.value_path("limits", name),
            f"default {name} limit not applied to container {target.name}: "
            f"below explicit request {request}",
            check="withheld",
            enforcement=Enforcement.WARN,
        )
    if not plan:
        return

    resources = target.body.get("resources")
    if resources is None:
        resources = target.body["resources"] = {}
    for section in SECTIONS:
        yield from _add_section(
            ctx,
            target,
            resources=resources,
            section=section,
            added=plan.additions[section],
        )


def _add_section(
    ctx: RuleContext,
    target: Target,
    *,
    resources: JSONObject,
    section: Section,
    added: dict[str, str],
) -> Iterator[Event]:
    if not added:
        return
    if resources.get(section) is None:
        resources[section] = dict(added)
    else:
        resources[section].update(added)
    for name, text in added.items():
        yield ctx.applied(
            target.value_path(section, name),
            f"Set {section}.{name} of container {target.name!r} "
            f"to the policy default {text!r}.",
        )


def _validate(ctx: RuleContext) -> Iterator[Finding]:
    maximums = _amounts(ctx.config.get("maximums"))
    required = _required(ctx.config.get("required"))
    for spec_path, spec in job_specs(ctx.obj, ctx.kind):
        for target in _targets(ctx, spec_path, spec):
            yield from _check_quantities(ctx, target)
            yield from _check_maximums(ctx, target, maximums)
            yield from _check_required(ctx, target, required)


def _check_quantities(ctx: RuleContext, target: Target) -> Iterator[Finding]:
    for section in SECTIONS:
        for name in RESOURCE_NAMES:
            raw = target.value(section, name)
            if raw is None:
                continue
            try:
                _resource_quantity(raw)
            except QuantityError as error:
                yield ctx.finding(
                    target.value_path(section, name),
                    f"Container {target.name!r}: {error}",
                    check="quantity",
                )


def _check_maximums(
    ctx: RuleContext, target: Target, maximums: Amounts
) -> Iterator[Finding]:
    for section in SECTIONS:
        for name, maximum in maximums[section].items():
            value = _effective(target, section, name)
            if value is None:
                continue
            source, raw = value
            try:
                above = _resource_quantity(raw) > maximum.quantity
            except QuantityError:
                continue
            if above:
                yield ctx.finding(
                    target.value_path(section, name),
                    _above_maximum(
                        target,
                        section=section,
                        name=name,
                        source=source,
                        raw=raw,
                        maximum=maximum,
                    ),
                    check="maximum",
                    hint=f"set it to {maximum.text} or less",
                )


def _above_maximum(
    target: Target,
    *,
    section: Section,
    name: str,
    source: Section,
    raw: Any,
    maximum: Amount,
) -> str:
    subject = f"{section}.{name} of container {target.name!r}"
    if source != section:
        return (
            f"{subject} is not set and defaults to the limit {raw!r}, "
            f"above the policy maximum {maximum.text!r}."
        )
    return f"{subject} is {raw!r}, above the policy maximum {maximum.text!r}."


def _check_required(
    ctx: RuleContext, target: Target, required: list[tuple[Section, str]]
) -> Iterator[Finding]:
    for section, name in required:
        if _effective(target, section, name) is None:
            yield ctx.finding(
                target.value_path(section, name),
                f"{section}.{name} of container {target.name!r} is required "
                "by this policy and is not set.",
                check="required",
            )


def _effective(
    target: Target, section: Section, name: str
) -> tuple[Section, Any] | None:
    """Where a value comes from: itself, or for a missing request, the limit."""
    raw = target.value(section, name)
    if raw is not None:
        return section, raw
    limit = target.value("limits", name)
    if section == "requests" and limit is not None:
        return "limits", limit
    return None


def _targets(ctx: RuleContext, spec_path: str, spec: JSONObject) -> Iterator[Target]:
    pod = pod_spec(spec)
    if pod is None:
        return
    for list_name, index, body in containers(pod, _container_lists(ctx.config)):
        resources = _well_formed_resources(body.get("resources"))
        if resources is None:
            continue
        name = body.get("name")
        yield Target(
            path=f"{spec_path}.template.spec.{list_name}[{index}]",
            name=name if isinstance(name, str) else f"{list_name}[{index}]",
            body=body,
            resources=resources,
        )


def _well_formed_resources(resources: Any) -> Mapping[str, Any] | None:
    """The resources map, ``{}`` when absent, or None when it cannot be read."""
    if resources is None:
        return {}
    if not isinstance(resources, dict):
        return None
    sections = (resources.get(section) for section in SECTIONS)
    if all(value is None or isinstance(value, dict) for value in sections):
        return resources
    return None


def _explicit(target: Target, section: Section, name: str) -> Quantity | None:
    raw = target.value(section, name)
    return None if raw is None else _resource_quantity(raw)


def _resource_quantity(raw: Any) -> Quantity:
    quantity = Quantity.parse(raw)
    if quantity.amount < 0:
        raise QuantityError(
            f"{raw!r} is negative; resource quantities must be zero or more."
        )
    return quantity


def _amounts(block: Any) -> Amounts:
    """Parse a ``{requests: {...}, limits: {...}}`` block; drop what does not parse."""
    amounts: Amounts = {"requests": {}, "limits": {}}
    if not isinstance(block, Mapping):
        return amounts
    for section in SECTIONS:
        values = block.get(section)
        if isinstance(values, Mapping):
            amounts[section] = dict(_parsed(values))
    return amounts


def _parsed(values: Mapping[str, Any]) -> Iterator[tuple[str, Amount]]:
    for name in RESOURCE_NAMES:
        raw = values.get(name)
        try:
            yield name, Amount(raw, _resource_quantity(raw))
        except QuantityError:
            continue


def _required(entries: Any) -> list[tuple[Section, str]]:
    if not isinstance(entries, list):
        return []
    pairs = (entry.split(".", 1) for entry in entries if isinstance(entry, str))
    return [
        (section, name)
        for section, name in (pair for pair in pairs if len(pair) == 2)
        if section in SECTIONS and name in RESOURCE_NAMES
    ]


def _container_lists(config: Mapping[str, Any]) -> tuple[ContainerList, ...]:
    chosen = config.get("containers")
    if not isinstance(chosen, list):
        return CONTAINER_LISTS
    return tuple(name for name in CONTAINER_LISTS if name in chosen)


_QUANTITY = {
    "type": ["string", "number"],
    "minimum": 0,
    "pattern": (
        r"^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$"
    ),
}


def _amounts_schema(description: str) -> dict[str, Any]:
    resource_map = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            name: {**_QUANTITY, "description": f"A {name} quantity, such as {example}."}
            for name, example in (
                ("cpu", "500m or 0.5"),
                ("memory", "512Mi"),
                ("ephemeral-storage", "1Gi"),
            )
        },
    }
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "properties": {
            "requests": {**resource_map, "description": "Container requests."},
            "limits": {**resource_map, "description": "Container limits."},
        },
    }


SCHEMA = {
    "type": "object",
    "description": "Requests and limits of the containers in a Job's pod template.",
    "additionalProperties": False,
    "properties": {
        "defaults": _amounts_schema(
            "Values added where a container sets none. Explicit values win; a "
            "default limit below an explicit request, or a default request above "
            "the limit, is not added. New Jobs and CronJob templates only."
        ),
        "maximums": _amounts_schema(
            "Largest values allowed. A missing request is compared through the "
            "limit Kubernetes copies into it."
        ),
        "required": {
            "type": "array",
            "description": (
                "Values every container must set. A request counts as set when "
                "the limit is set."
            ),
            "uniqueItems": True,
            "items": {
                "enum": [
                    f"{section}.{name}"
                    for section in SECTIONS
                    for name in RESOURCE_NAMES
                ]
            },
        },
        "containers": {
            "type": "array",
            "description": (
                "Which container lists the rule covers (default: both; sidecars "
                "are initContainers)."
            ),
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": list(CONTAINER_LISTS)},
        },
    },
}

RESOURCES = Rule(
    name="resources",
    description="Default, cap and require container requests and limits.",
    schema=SCHEMA,
    mutate=_mutate,
    validate=_validate,
)

RULES: tuple[Rule, ...] = (RESOURCES,)

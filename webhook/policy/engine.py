"""The engine: one review of one object, the same for every door.

``review`` mutates a copy of the object with the rules its policies bind, computes
the JSON Patch from the original to that copy, and validates the result with the
built-in Kubernetes checks and the policy rules. It is pure and deterministic, and
idempotent: reviewing the mutated object again yields an empty patch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from webhook.policy import kubernetes
from webhook.policy.findings import Applied, Enforcement, Finding
from webhook.policy.match import Exempted, RuleBinding, Subject, bind_rules
from webhook.policy.model import PolicySet
from webhook.policy.patch import make_patch
from webhook.policy.rules import RULES
from webhook.policy.rules.base import JSONObject, Kind, Operation, RuleContext

SUPPORTED_KINDS: frozenset[str] = frozenset({"Job", "CronJob"})

# NB: on UPDATE the apiserver lets a Job change only these spec fields; everything
# else (the pod template above all) is immutable, so a patch must not touch it.
JOB_SPEC_MUTABLE_ON_UPDATE = frozenset(
    {
        "activeDeadlineSeconds",
        "backoffLimit",
        "maxFailedIndexes",
        "parallelism",
        "suspend",
        "ttlSecondsAfterFinished",
    }
)


@dataclass(frozen=True)
class Outcome:
    """The answer of one review."""

    kind: str | None
    original: Mapping[str, Any]
    mutated: Mapping[str, Any]
    patch: list[dict[str, Any]] = field(default_factory=list)
    notes: tuple[Finding, ...] = ()
    """What the mutation stage reports (e.g. a default it chose not to apply)."""
    violations: tuple[Finding, ...] = ()
    """What the validation of the mutated object found."""
    applied: tuple[Applied, ...] = ()
    exempted: tuple[Exempted, ...] = ()
    skipped_reason: str | None = None
    """Why the object was not reviewed (other kinds, DELETE, being deleted...)."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.notes + self.violations

    @property
    def denials(self) -> tuple[Finding, ...]:
        return self._at(Enforcement.DENY)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return self._at(Enforcement.WARN)

    @property
    def audits(self) -> tuple[Finding, ...]:
        return self._at(Enforcement.AUDIT)

    @property
    def allowed(self) -> bool:
        return not self.denials

    def _at(self, level: Enforcement) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.enforcement == level)


def object_kind(obj: Mapping[str, Any]) -> str | None:
    """``Job`` or ``CronJob`` for a ``batch/*`` object, else None."""
    api_version = obj.get("apiVersion")
    kind = obj.get("kind")
    if not isinstance(api_version, str) or not api_version.startswith("batch/"):
        return None
    return kind if isinstance(kind, str) and kind in SUPPORTED_KINDS else None


def review(
    obj: Mapping[str, Any],
    *,
    policies: PolicySet,
    operation: Operation = "CREATE",
    old: Mapping[str, Any] | None = None,
    namespace: str | None = None,
    kind: str | None = None,
    validate_as_mutated: bool = True,
    from_cronjob_controller: bool = False,
) -> Outcome:
    """Review one object as admission would: mutate, then validate.

    ``kind`` overrides what the object says (the admission request names the kind
    even when the object omits it). ``namespace`` is the request's namespace, or
    the one the CLI assumes for objects that name none.

    ``validate_as_mutated`` judges the object after batchguard's own mutations, as
    the CLI and ``/review`` do. The validating webhook passes False: it receives
    the object after every mutating webhook ran, and when mutation failed open it
    must judge what will really be stored. ``from_cronjob_controller`` says that
    the request was made by the CronJob controller itself (its user name, not an
    ``ownerReferences`` entry anyone can write), which lets a policy soften its
    denials for Jobs created from an admitted CronJob.
    """
    kind = kind or object_kind(obj)
    skipped = _skip_reason(obj, kind=kind, operation=operation)
    if skipped is not None or kind not in SUPPORTED_KINDS:
        return Outcome(kind=kind, original=obj, mutated=obj, skipped_reason=skipped)
    job_kind: Kind = "Job" if kind == "Job" else "CronJob"

    subject = Subject.of(obj, kind=job_kind, namespace=namespace)
    bindings, exempted = bind_rules(policies, subject)
    request = _Request(
        kind=job_kind,
        operation=operation,
        old=old,
        namespace=subject.namespace,
        from_cronjob_controller=from_cronjob_controller,
    )

    mutated, applied, notes = _mutate(obj, bindings=bindings, request=request)
    patch = make_patch(obj, mutated)
    judged = mutated if validate_as_mutated else json_copy(obj)
    violations = _soften(
        list(_validate(judged, bindings=bindings, request=request)),
        obj=obj,
        policies=policies,
        request=request,
        bindings=bindings,
    )
    return Outcome(
        kind=job_kind,
        original=obj,
        mutated=mutated,
        patch=patch,
        notes=tuple(notes),
        violations=tuple(violations),
        applied=tuple(applied),
        exempted=tuple(exempted),
    )


@dataclass(frozen=True)
class _Request:
    kind: Kind
    operation: Operation
    old: Mapping[str, Any] | None
    namespace: str
    from_cronjob_controller: bool = False


def _skip_reason(
    obj: Mapping[str, Any], *, kind: str | None, operation: str
) -> str | None:
    if kind not in SUPPORTED_KINDS:
        return "not a batch Job or CronJob"
    if operation not in ("CREATE", "UPDATE"):
        return f"{operation} is not reviewed"
    metadata = obj.get("metadata")
    if isinstance(metadata, dict) and metadata.get("deletionTimestamp"):
        return "the object is being deleted"
    return None


def _context(
    binding: RuleBinding, *, obj: JSONObject, request: _Request
) -> RuleContext:
    return RuleContext(
        obj=obj,
        kind=request.kind,
        operation=request.operation,
        config=binding.config,
        policy=binding.policy.name,
        rule=binding.rule,
        old=request.old,
        namespace=request.namespace,
        default_enforcement=RULES[binding.rule].default_enforcement,
    )


def _applicable(bindings: Iterable[RuleBinding], kind: Kind) -> Iterator[RuleBinding]:
    return (b for b in bindings if b.rule in RULES and kind in RULES[b.rule].kinds)


def _mutate(
    obj: Mapping[str, Any], *, bindings: list[RuleBinding], request: _Request
) -> tuple[JSONObject, list[Applied], list[Finding]]:
    working: JSONObject = json_copy(obj)
    applied: list[Applied] = []
    notes: list[Finding] = []
    for binding in _applicable(bindings, request.kind):
        mutate = RULES[binding.rule].mutate
        if mutate is None:
            continue
        for event in mutate(_context(binding, obj=working, request=request)):
            if isinstance(event, Applied):
                applied.append(event)
            else:
                notes.append(event)
    if request.kind == "Job" and request.operation == "UPDATE":
        _restore_immutable_job_fields(working, original=obj)
    return working, applied, notes


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (maps, lists, scalars), several times
    faster than ``copy.deepcopy``, which the engine would pay on every review."""
    if isinstance(value, Mapping):
        return {key: json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_copy(item) for item in value]
    return value


def _restore_immutable_job_fields(
    working: JSONObject, *, original: Mapping[str, Any]
) -> None:
    """Undo any change to a Job's spec that the apiserver forbids on UPDATE."""
    before = original.get("spec")
    after = working.get("spec")
    if not isinstance(before, dict) or not isinstance(after, dict):
        if "spec" in original:
            working["spec"] = json_copy(before)
        else:
            working.pop("spec", None)
        return
    for key in set(before) | set(after):
        if key in JOB_SPEC_MUTABLE_ON_UPDATE:
            continue
        if key in before:
            after[key] = json_copy(before[key])
        else:
            del after[key]


def _validate(
    obj: JSONObject, *, bindings: list[RuleBinding], request: _Request
) -> Iterator[Finding]:
    yield from kubernetes.validate(
        obj, kind=request.kind, operation=request.operation, old=request.old
    )
    yield from _policy_findings(obj, bindings=bindings, request=request)


def _policy_findings(
    obj: Mapping[str, Any], *, bindings: list[RuleBinding], request: _Request
) -> Iterator[Finding]:
    for binding in _applicable(bindings, request.kind):
        validate = RULES[binding.rule].validate
        if validate is not None:
            yield from validate(_context(binding, obj=dict(obj), request=request))


def _soften(
    findings: list[Finding],
    *,
    obj: Mapping[str, Any],
    policies: PolicySet,
    request: _Request,
    bindings: list[RuleBinding],
) -> list[Finding]:
    """Turn policy denials into warnings where denying would be wrong.

    Ratcheting: on UPDATE, a policy finding the old object already had is not the
    update's fault. CronJob-owned Jobs: a policy tightened after the CronJob was
    admitted warns instead of silently stopping it, unless the policy says
    ``cronJobOwnedJobs: enforce``.
    """
    preexisting = _preexisting(bindings=bindings, request=request)
    owned = (
        request.kind == "Job"
        and request.from_cronjob_controller
        and _owned_by_cronjob(obj)
    )
    softened = []
    for finding in findings:
        policy = finding.policy
        if finding.enforcement == Enforcement.DENY and policy is not None:
            if _key(finding) in preexisting:
                finding = _downgrade(finding, "it predates this update")
            elif owned and not _enforces_owned(policies, policy):
                finding = _downgrade(finding, "the Job was created by a CronJob")
        softened.append(finding)
    return softened


def _key(finding: Finding) -> tuple[str, str, str]:
    return (finding.rule, finding.path, finding.message)


def _preexisting(
    *, bindings: list[RuleBinding], request: _Request
) -> set[tuple[str, str, str]]:
    if request.operation != "UPDATE" or not isinstance(request.old, dict):
        return set()
    old_request = replace(request, old=None)
    return {
        _key(f)
        for f in _policy_findings(request.old, bindings=bindings, request=old_request)
    }


def _owned_by_cronjob(obj: Mapping[str, Any]) -> bool:
    metadata = obj.get("metadata")
    owners = metadata.get("ownerReferences") if isinstance(metadata, dict) else None
    return isinstance(owners, list) and any(
        isinstance(owner, dict)
        and owner.get("kind") == "CronJob"
        and owner.get("controller") is True
        for owner in owners
    )


def _enforces_owned(policies: PolicySet, policy_name: str) -> bool:
    policy = policies.by_name(policy_name)
    return policy is not None and policy.owned_jobs == "enforce"


def _downgrade(finding: Finding, why: str) -> Finding:
    return replace(
        finding,
        enforcement=Enforcement.WARN,
        message=f"{finding.message} [not denied: {why}]",
    )

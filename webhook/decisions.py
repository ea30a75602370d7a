"""From an admission request to a verdict: what /mutate and /validate answer.

``/mutate`` answers with the patch and the notes of the mutation stage and never
denies; ``/validate`` answers with the verdict of the validation stage. Both run the
same engine review, so the CLI and the dry-run endpoint see the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from webhook.admission import AdmissionRequest, Verdict
from webhook.policy.engine import Outcome, review
from webhook.policy.findings import Enforcement, Finding
from webhook.policy.model import PolicySet

Endpoint = Literal["mutate", "validate"]

# NB: the CronJob controller authenticates as its own service account when the
# controller manager uses per-controller credentials (the default of kubeadm and
# most distributions), else as the controller manager itself.
CRONJOB_CONTROLLER_USERS = frozenset(
    {
        "system:serviceaccount:kube-system:cronjob-controller",
        "system:kube-controller-manager",
    }
)


@dataclass(frozen=True)
class Decision:
    """A verdict and the outcome behind it (None when nothing was reviewed)."""

    verdict: Verdict
    outcome: Outcome | None
    skipped_reason: str | None = None


def skip_reason(request: AdmissionRequest) -> str | None:
    """Why a request is allowed untouched without a review, or None."""
    if not request.is_batch_workload:
        kind = request.kind
        return f"{kind['group'] or 'core'}/{kind['kind']} is not reviewed"
    if request.sub_resource:
        return f"the {request.sub_resource!r} subresource is not reviewed"
    if request.operation not in ("CREATE", "UPDATE"):
        return f"{request.operation} is not reviewed"
    return None


def decide(
    request: AdmissionRequest, *, endpoint: Endpoint, policies: PolicySet
) -> Decision:
    """Review the request's object and turn the outcome into a verdict."""
    skipped = skip_reason(request)
    if skipped is not None or request.object is None:
        return Decision(Verdict(), None, skipped)
    outcome = review(
        request.object,
        policies=policies,
        operation="CREATE" if request.operation == "CREATE" else "UPDATE",
        old=request.old_object,
        namespace=request.namespace,
        kind=request.kind["kind"],
        validate_as_mutated=endpoint == "mutate",
        from_cronjob_controller=request.username in CRONJOB_CONTROLLER_USERS,
    )
    if outcome.skipped_reason is not None:
        return Decision(Verdict(), outcome, outcome.skipped_reason)
    if endpoint == "mutate":
        return Decision(mutate_verdict(outcome), outcome)
    return Decision(validate_verdict(outcome, request=request), outcome)


def mutate_verdict(outcome: Outcome) -> Verdict:
    notes = [f for f in outcome.notes if f.enforcement == Enforcement.WARN]
    annotations = {}
    if outcome.applied:
        annotations["mutations"] = _compact(sorted({a.rule for a in outcome.applied}))
    return Verdict(
        patch=outcome.patch or None,
        warnings=tuple(f.render() for f in notes),
        audit_annotations=annotations or None,
    )


def validate_verdict(outcome: Outcome, *, request: AdmissionRequest) -> Verdict:
    violations = outcome.violations
    denials = [f for f in violations if f.enforcement == Enforcement.DENY]
    warnings = tuple(
        f.render() for f in violations if f.enforcement == Enforcement.WARN
    )
    annotations = _validation_annotations(outcome) or None
    if not denials:
        return Verdict(warnings=warnings, audit_annotations=annotations)
    return Verdict(
        allowed=False,
        code=403,
        reason="Forbidden",
        message=denial_message(denials, request=request),
        warnings=warnings,
        audit_annotations=annotations,
    )


def denial_message(denials: Iterable[Finding], *, request: AdmissionRequest) -> str:
    """One message that lists every violation with its field path."""
    listed = list(denials)
    name = request.object_name or "(unnamed)"
    where = f"{request.namespace}/" if request.namespace else ""
    subject = f"{request.kind['kind']} {where}{name}"
    count = f"{len(listed)} violation{'s' if len(listed) != 1 else ''}"
    items = "; ".join(f"[{i}] {f.render()}" for i, f in enumerate(listed, 1))
    return f"batchguard refused {subject}: {count}: {items}"


def _validation_annotations(outcome: Outcome) -> dict[str, str]:
    """Audit annotation values; keys carry no ``/`` (the apiserver prefixes them)."""
    annotations: dict[str, str] = {}
    if outcome.audits:
        annotations["audit-findings"] = _compact([f.render() for f in outcome.audits])
    if outcome.exempted:
        annotations["exemptions"] = _compact(
            [f"{e.policy}/{e.rule}: {e.reason}" for e in outcome.exempted]
        )
    return annotations


def _compact(values: list[str]) -> str:
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False)

"""The HTTP routes: admission, health, readiness, metrics."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Blueprint, Response, jsonify, request

from webhook.admission import AdmissionRequest, Verdict, build_response, parse_review
from webhook.decisions import Decision, Endpoint, decide
from webhook.server import metrics
from webhook.server.body import read_json
from webhook.server.services import Services, current_services

logger = logging.getLogger(__name__)

blueprint = Blueprint("batchguard", __name__)

INTERNAL_ERROR_MESSAGE = (
    "batchguard could not review this request because of an internal error "
    "(request uid {uid}); the request is {verb} per the configured failure mode. "
    "See the batchguard logs."
)


@blueprint.post("/mutate")
def mutate() -> Response:
    return _admission("mutate")


@blueprint.post("/validate")
def validate() -> Response:
    return _admission("validate")


def _admission(endpoint: Endpoint) -> Response:
    started = time.perf_counter()
    services = current_services()
    body = read_json(request, max_depth=services.settings.server.max_json_depth)
    admission = parse_review(body)
    decision = _decide_or_fail(admission, endpoint=endpoint, services=services)
    elapsed = time.perf_counter() - started
    try:
        _observe(admission, decision, endpoint=endpoint, elapsed=elapsed)
    except Exception:
        # NB: the decision stands; a broken metric or log must not fail admission.
        logger.exception("Could not record the decision for %s", admission.uid)
    return jsonify(
        build_response(admission.api_version, admission.uid, decision.verdict)
    )


def _decide_or_fail(
    admission: AdmissionRequest, *, endpoint: Endpoint, services: Services
) -> Decision:
    try:
        policies = services.policies.current()
        if policies is None:
            raise RuntimeError("no policies have been loaded")
        return decide(admission, endpoint=endpoint, policies=policies)
    except Exception:
        logger.exception(
            "Internal error reviewing request %s",
            admission.uid,
            extra={"uid": admission.uid, "endpoint": endpoint},
        )
        metrics.INTERNAL_ERRORS.labels(endpoint=endpoint).inc()
        return Decision(_failure_verdict(admission, services), None, "internal error")


def _failure_verdict(admission: AdmissionRequest, services: Services) -> Verdict:
    allow = services.settings.server.failure_mode == "allow"
    message = INTERNAL_ERROR_MESSAGE.format(
        uid=admission.uid, verb="allowed" if allow else "denied"
    )
    if allow:
        return Verdict(warnings=(message,))
    return Verdict(allowed=False, code=500, reason="InternalError", message=message)


def _observe(
    admission: AdmissionRequest,
    decision: Decision,
    *,
    endpoint: Endpoint,
    elapsed: float,
) -> None:
    label = _decision_label(decision)
    rules = _count(admission, decision, endpoint=endpoint, label=label, elapsed=elapsed)
    _log_decision(
        admission,
        decision,
        endpoint=endpoint,
        label=label,
        rules=rules,
        elapsed=elapsed,
    )


def _decision_label(decision: Decision) -> str:
    if not decision.verdict.allowed:
        return "denied"
    return "skipped" if decision.skipped_reason else "allowed"


def _count(
    admission: AdmissionRequest,
    decision: Decision,
    *,
    endpoint: Endpoint,
    label: str,
    elapsed: float,
) -> list[str]:
    """Update the metrics; return the rules that fired, for the log line."""
    kind = admission.kind["kind"] or "unknown"
    metrics.ADMISSION_REQUESTS.labels(
        endpoint=endpoint, kind=kind, operation=admission.operation, decision=label
    ).inc()
    metrics.ADMISSION_DURATION.labels(endpoint=endpoint).observe(elapsed)
    outcome = decision.outcome
    if outcome is None:
        return []
    rules = []
    for finding in outcome.violations if endpoint == "validate" else outcome.notes:
        metrics.VIOLATIONS.labels(
            rule=finding.rule, enforcement=finding.enforcement.value
        ).inc()
        rules.append(finding.rule)
    if endpoint == "mutate":
        for applied in outcome.applied:
            metrics.MUTATIONS.labels(rule=applied.rule).inc()
            rules.append(applied.rule)
    return sorted(set(rules))


def _log_decision(
    admission: AdmissionRequest,
    decision: Decision,
    *,
    endpoint: Endpoint,
    label: str,
    rules: list[str],
    elapsed: float,
) -> None:
    kind = admission.kind["kind"] or "unknown"
    logger.info(
        "%s %s %s %s/%s: %s",
        endpoint,
        admission.operation,
        kind,
        admission.namespace or "",
        admission.object_name,
        label,
        extra={
            "uid": admission.uid,
            "endpoint": endpoint,
            "kind": kind,
            "namespace": admission.namespace,
            "object_name": admission.object_name or None,
            "operation": admission.operation,
            "allowed": decision.verdict.allowed,
            "patched": bool(decision.verdict.patch),
            "rules": rules,
            "skipped": decision.skipped_reason,
            "duration_ms": round(elapsed * 1000, 3),
            "dry_run": admission.dry_run,
        },
    )


@blueprint.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    services = current_services()
    services.policies.current()
    status = services.policies.status
    report: dict[str, Any] = {
        "policies": {
            "loaded": status.loaded,
            "count": status.policy_count,
            "fingerprint": status.fingerprint,
            "lastError": status.error,
        }
    }
    ready = status.loaded
    if services.certificate is not None:
        not_after = services.certificate.not_after()
        report["certificate"] = {
            "loaded": not_after is not None,
            "notAfter": not_after.isoformat() if not_after else None,
        }
        if not_after is not None:
            metrics.CERTIFICATE_EXPIRY.set(not_after.timestamp())
        ready = ready and not_after is not None
    report["status"] = "ready" if ready else "not ready"
    return jsonify(report), 200 if ready else 503


@blueprint.get("/metrics")
def metrics_endpoint() -> Response:
    services = current_services()
    if not services.settings.server.metrics_enabled:
        return Response("metrics are disabled\n", status=404, mimetype="text/plain")
    if services.certificate is not None:
        not_after = services.certificate.not_after()
        if not_after is not None:
            metrics.CERTIFICATE_EXPIRY.set(not_after.timestamp())
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)

"""The batch/v1 defaults that change what validation concludes.

The admission webhook sees objects after the apiserver has defaulted them; the CLI
and the dry-run review endpoint see raw manifests. Applying the same defaults
first lets one set of checks serve both: on a defaulted object this is a no-op.
Only defaults that can change a verdict are applied (``backoffLimit`` and the
history limits, for instance, cannot).

These functions fill in the cleaned copy made by ``shapes.conform``, in place.
"""

from __future__ import annotations

from typing import Any

from webhook.policy.rules.base import JSONObject


def default_job_spec(spec: JSONObject) -> None:
    """``SetDefaults_Job`` and the pod defaults that Job validation depends on."""
    _default_counts(spec)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("manualSelector", False)
    spec.setdefault("podReplacementPolicy", _replacement_policy(spec))
    _default_condition_statuses(spec.get("podFailurePolicy"))
    _default_restart_policy(spec)


def default_cronjob_spec(spec: JSONObject) -> None:
    """``SetDefaults_CronJob`` for the fields it validates, then the job template."""
    if not spec.get("concurrencyPolicy"):
        spec["concurrencyPolicy"] = "Allow"
    template = spec.setdefault("jobTemplate", {})
    default_job_spec(template.setdefault("spec", {}))


def _default_counts(spec: JSONObject) -> None:
    # NB: completions stays unset when only parallelism is given (work queues).
    if "parallelism" not in spec and "completions" not in spec:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)


def _replacement_policy(spec: JSONObject) -> str:
    return "Failed" if "podFailurePolicy" in spec else "TerminatingOrFailed"


def _default_condition_statuses(policy: Any) -> None:
    for rule in _items(policy.get("rules") if isinstance(policy, dict) else None):
        for pattern in _items(rule.get("onPodConditions")):
            if not pattern.get("status"):
                pattern["status"] = "True"


def _default_restart_policy(spec: JSONObject) -> None:
    template = spec.setdefault("template", {})
    pod = template.setdefault("spec", {})
    if not pod.get("restartPolicy"):
        pod["restartPolicy"] = "Always"


def _items(value: Any) -> list[JSONObject]:
    return [item for item in value if isinstance(item, dict)] if value else []

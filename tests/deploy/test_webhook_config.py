"""The webhook configuration checks behind ``batchguard webhook-config check``."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from webhook.webhook_config import (
    MUTATING,
    VALIDATING,
    Severity,
    check_documents,
    iter_findings,
)

ERROR = Severity.ERROR
WARNING = Severity.WARNING
REMOVE = object()

BR05_EXAMPLE = """
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: example-job-policy}
webhooks:
- name: jobs.example.com
  failurePolicy: Fail
  timeoutSeconds: 30
  rules: [{apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}]
  clientConfig:
    service: {name: example-webhook, namespace: example-system, path: /mutate}
  sideEffects: None
  admissionReviewVersions: ["v1"]
"""

WELL_SCOPED: dict[str, Any] = {
    "name": "validate.jobs.example.com",
    "admissionReviewVersions": ["v1"],
    "sideEffects": "None",
    "failurePolicy": "Fail",
    "timeoutSeconds": 5,
    "clientConfig": {
        "service": {
            "name": "example-webhook",
            "namespace": "example-system",
            "path": "/validate",
        }
    },
    "rules": [
        {
            "apiGroups": ["batch"],
            "apiVersions": ["v1"],
            "resources": ["jobs", "cronjobs"],
            "operations": ["CREATE", "UPDATE"],
        }
    ],
    "namespaceSelector": {
        "matchExpressions": [
            {
                "key": "kubernetes.io/metadata.name",
                "operator": "NotIn",
                "values": ["kube-system", "example-system"],
            }
        ]
    },
}


def configuration(kind: str = VALIDATING, **changes: Any) -> dict[str, Any]:
    webhook = copy.deepcopy(WELL_SCOPED)
    webhook.update(changes)
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": kind,
        "metadata": {"name": "example"},
        "webhooks": [{k: v for k, v in webhook.items() if v is not REMOVE}],
    }


def rule(**changes: Any) -> list[dict[str, Any]]:
    return [{**WELL_SCOPED["rules"][0], **changes}]


def service(**changes: Any) -> dict[str, Any]:
    return {"service": {**WELL_SCOPED["clientConfig"]["service"], **changes}}


def selector(*expressions: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"matchExpressions": list(expressions), **fields} if expressions else fields


def name_label(operator: str, *values: str) -> dict[str, Any]:
    expression: dict[str, Any] = {
        "key": "kubernetes.io/metadata.name",
        "operator": operator,
    }
    return {**expression, "values": list(values)} if values else expression


def findings_for(kind: str = VALIDATING, **changes: Any) -> list[tuple[str, str, str]]:
    return [
        (finding.check, finding.severity, finding.path)
        for finding in iter_findings(configuration(kind, **changes))
    ]


def message_for(kind: str = VALIDATING, **changes: Any) -> str:
    (finding,) = iter_findings(configuration(kind, **changes))
    return finding.message


def test_an_unscoped_fail_closed_webhook_gives_three_errors_and_a_warning() -> None:
    findings = list(iter_findings(yaml.safe_load(BR05_EXAMPLE)))

    assert [(f.path, f.severity, f.message) for f in findings] == [
        (
            "webhooks[0].failurePolicy",
            WARNING,
            "failurePolicy 'Fail' on a mutating webhook blocks every matched Job "
            "and CronJob write while the webhook is unreachable.",
        ),
        (
            "webhooks[0].namespaceSelector",
            ERROR,
            "The namespaceSelector does not exclude 'kube-system' and "
            "'example-system': while the webhook is unreachable, writes there "
            "depend on it, including the ones that would bring it back.",
        ),
        (
            "webhooks[0].rules[0]",
            ERROR,
            "The rule is wider than batch/v1 jobs and cronjobs on CREATE and UPDATE: "
            "it also matches apiGroups ['*'], apiVersions ['*'], resources ['*'], "
            "operations ['*']. Each extra match is a write that waits on the "
            "webhook, or fails, while the webhook is down.",
        ),
        (
            "webhooks[0].timeoutSeconds",
            ERROR,
            "timeoutSeconds 30 lets each Job and CronJob write wait 30 seconds on "
            "an unreachable webhook.",
        ),
    ]
    assert [f.hint for f in findings] == [
        "set failurePolicy: Ignore for mutation (best effort) and keep Fail only on "
        "the validating webhook, with kube-system and the webhook's namespace "
        "excluded",
        "add {key: kubernetes.io/metadata.name, operator: NotIn, values: "
        "[kube-system, example-system]} to namespaceSelector.matchExpressions",
        "use apiGroups: [batch], apiVersions: [v1], resources: [jobs, cronjobs] and "
        "operations: [CREATE, UPDATE]; never '*', pods or a '/status' subresource",
        "set timeoutSeconds: 5 or less",
    ]


@pytest.mark.parametrize(
    ("kind", "failure_policy"),
    [(VALIDATING, "Fail"), (MUTATING, "Ignore")],
    ids=["validating-fail", "mutating-ignore"],
)
def test_a_well_scoped_configuration_has_no_findings(
    kind: str, failure_policy: str
) -> None:
    assert findings_for(kind, failurePolicy=failure_policy) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"rules": rule(resources=["pods"])},
            [("rules", ERROR, "webhooks[0].rules[0]")],
        ),
        (
            {"rules": rule(resources=["jobs", "jobs/status"])},
            [("rules", ERROR, "webhooks[0].rules[0]")],
        ),
        (
            {"rules": rule(operations=["CREATE", "DELETE"])},
            [("rules", ERROR, "webhooks[0].rules[0]")],
        ),
        (
            {"rules": [*rule(), *rule(apiGroups=["apps"], resources=["deployments"])]},
            [("rules", ERROR, "webhooks[0].rules[1]")],
        ),
        ({"rules": rule(resources=["jobs"], operations=["CREATE"])}, []),
        (
            {"rules": rule(resources=[])},
            [("rules", ERROR, "webhooks[0].rules[0].resources")],
        ),
        (
            {"namespaceSelector": REMOVE},
            [("namespace-selector", ERROR, "webhooks[0].namespaceSelector")],
        ),
        (
            {"namespaceSelector": selector(name_label("NotIn", "example-system"))},
            [("namespace-selector", ERROR, "webhooks[0].namespaceSelector")],
        ),
        (
            {
                "namespaceSelector": selector(
                    {"key": "team", "operator": "NotIn", "values": ["kube-system"]}
                )
            },
            [("namespace-selector", ERROR, "webhooks[0].namespaceSelector")],
        ),
        (
            {
                "namespaceSelector": selector(
                    matchLabels={"batchguard.io/enabled": "true"}
                )
            },
            [("namespace-selector", ERROR, "webhooks[0].namespaceSelector")],
        ),
        (
            {
                "namespaceSelector": selector(
                    matchLabels={"kubernetes.io/metadata.name": "team-a"}
                )
            },
            [],
        ),
        (
            {"namespaceSelector": selector(name_label("In", "team-a", "team-b"))},
            [],
        ),
        ({"namespaceSelector": selector(name_label("DoesNotExist"))}, []),
        (
            {
                "clientConfig": {"url": "https://hooks.example.com/validate"},
                "namespaceSelector": selector(name_label("NotIn", "kube-system")),
            },
            [],
        ),
        (
            {"timeoutSeconds": REMOVE},
            [("timeout", ERROR, "webhooks[0].timeoutSeconds")],
        ),
        ({"timeoutSeconds": 6}, [("timeout", ERROR, "webhooks[0].timeoutSeconds")]),
        ({"timeoutSeconds": 31}, [("timeout", ERROR, "webhooks[0].timeoutSeconds")]),
        ({"timeoutSeconds": 0}, [("timeout", ERROR, "webhooks[0].timeoutSeconds")]),
        ({"timeoutSeconds": "5"}, [("timeout", ERROR, "webhooks[0].timeoutSeconds")]),
        ({"timeoutSeconds": 1}, []),
        ({"failurePolicy": REMOVE}, []),
        (
            {"failurePolicy": "Retry"},
            [("failure-policy", ERROR, "webhooks[0].failurePolicy")],
        ),
        (
            {"sideEffects": REMOVE},
            [("side-effects", ERROR, "webhooks[0].sideEffects")],
        ),
        (
            {"sideEffects": "Some"},
            [("side-effects", ERROR, "webhooks[0].sideEffects")],
        ),
        ({"sideEffects": "NoneOnDryRun"}, []),
        (
            {"admissionReviewVersions": ["v1beta1"]},
            [
                (
                    "admission-review-versions",
                    ERROR,
                    "webhooks[0].admissionReviewVersions",
                )
            ],
        ),
        (
            {"admissionReviewVersions": ["v1", "v1"]},
            [
                (
                    "admission-review-versions",
                    ERROR,
                    "webhooks[0].admissionReviewVersions[1]",
                )
            ],
        ),
        ({"admissionReviewVersions": ["v1", "v1beta1"]}, []),
        ({"name": "jobs.example"}, [("name", ERROR, "webhooks[0].name")]),
        ({"name": "Jobs.Example.Com"}, [("name", ERROR, "webhooks[0].name")]),
        ({"name": REMOVE}, [("name", ERROR, "webhooks[0].name")]),
        (
            {"clientConfig": service(path="/validate_jobs")},
            [("client-config", ERROR, "webhooks[0].clientConfig.service.path")],
        ),
        (
            {"clientConfig": service(path="validate")},
            [("client-config", ERROR, "webhooks[0].clientConfig.service.path")],
        ),
        (
            {"clientConfig": service(path="/validate//jobs")},
            [("client-config", ERROR, "webhooks[0].clientConfig.service.path")],
        ),
        ({"clientConfig": service(path="/validate/cronjobs")}, []),
        ({"clientConfig": service(path="/")}, []),
        (
            {"clientConfig": service(port=0)},
            [("client-config", ERROR, "webhooks[0].clientConfig.service.port")],
        ),
        (
            {"clientConfig": service(name="")},
            [("client-config", ERROR, "webhooks[0].clientConfig.service.name")],
        ),
        (
            {"clientConfig": {**service(), "url": "https://hooks.example.com"}},
            [("client-config", ERROR, "webhooks[0].clientConfig")],
        ),
        (
            {"clientConfig": {}},
            [("client-config", ERROR, "webhooks[0].clientConfig")],
        ),
        (
            {
                "clientConfig": {"url": "http://hooks.example.com/validate?x=1"},
                "namespaceSelector": selector(name_label("NotIn", "kube-system")),
            },
            [
                ("client-config", ERROR, "webhooks[0].clientConfig.url"),
                ("client-config", ERROR, "webhooks[0].clientConfig.url"),
            ],
        ),
        (
            {"matchPolicy": "Fuzzy"},
            [("match-policy", ERROR, "webhooks[0].matchPolicy")],
        ),
    ],
    ids=[
        "rules-pods",
        "rules-status-subresource",
        "rules-delete",
        "rules-second-rule-wider",
        "rules-narrower-is-fine",
        "rules-empty-resources",
        "selector-missing",
        "selector-without-kube-system",
        "selector-on-another-label",
        "selector-opt-in-label-only",
        "selector-one-named-namespace",
        "selector-in-named-namespaces",
        "selector-name-label-does-not-exist",
        "url-needs-only-kube-system-excluded",
        "timeout-unset",
        "timeout-6",
        "timeout-31",
        "timeout-0",
        "timeout-string",
        "timeout-1",
        "failure-policy-unset-on-validating",
        "failure-policy-unknown",
        "side-effects-missing",
        "side-effects-some",
        "side-effects-none-on-dry-run",
        "review-versions-without-v1",
        "review-versions-duplicate",
        "review-versions-v1-and-v1beta1",
        "name-two-segments",
        "name-uppercase",
        "name-missing",
        "path-underscore",
        "path-without-slash",
        "path-empty-segment",
        "path-two-segments",
        "path-root",
        "service-port-0",
        "service-name-empty",
        "client-config-both",
        "client-config-neither",
        "url-http-with-query",
        "match-policy-unknown",
    ],
)
def test_findings_by_field(
    changes: dict[str, Any], expected: list[tuple[str, str, str]]
) -> None:
    assert findings_for(**changes) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"failurePolicy": REMOVE}, [("failure-policy", WARNING)]),
        ({"failurePolicy": "Fail"}, [("failure-policy", WARNING)]),
        ({"failurePolicy": "Ignore", "reinvocationPolicy": "IfNeeded"}, []),
        (
            {"failurePolicy": "Ignore", "reinvocationPolicy": "Always"},
            [("reinvocation-policy", ERROR)],
        ),
    ],
    ids=["fail-by-default", "fail", "ignore", "unknown-reinvocation"],
)
def test_mutating_webhooks(
    changes: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    findings = findings_for(MUTATING, **changes)

    assert [(check, severity) for check, severity, _ in findings] == expected


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"timeoutSeconds": REMOVE},
            "timeoutSeconds is not set, so each call may wait the default 10 "
            "seconds on an unreachable webhook.",
        ),
        (
            {"timeoutSeconds": 31},
            "timeoutSeconds 31 is refused by the apiserver, which accepts 1 to 30 "
            "seconds.",
        ),
        (
            {"namespaceSelector": selector(name_label("NotIn", "kube-system"))},
            "The namespaceSelector does not exclude 'example-system': while the "
            "webhook is unreachable, writes there depend on it, including the ones "
            "that would bring it back.",
        ),
        (
            {"clientConfig": service(path="/validate_jobs")},
            "Segment 'validate_jobs' of service path '/validate_jobs' is not a "
            "lowercase DNS subdomain (letters, digits, '-' and '.'); the apiserver "
            "refuses it.",
        ),
        (
            {"name": "jobs.example"},
            "Webhook name 'jobs.example' should be a domain with at least three "
            "segments separated by dots.",
        ),
        (
            {"sideEffects": "Some"},
            "sideEffects 'Some' is refused by the apiserver, which accepts only None "
            "or NoneOnDryRun; dry-run requests would fail.",
        ),
        (
            {"admissionReviewVersions": ["v1beta1"]},
            "admissionReviewVersions ['v1beta1'] does not include 'v1', the version "
            "batchguard answers.",
        ),
        (
            {"rules": rule(resources=["jobs", "jobs/status", "pods"])},
            "The rule is wider than batch/v1 jobs and cronjobs on CREATE and UPDATE: "
            "it also matches resources ['jobs/status', 'pods']. Each extra match is "
            "a write that waits on the webhook, or fails, while the webhook is down.",
        ),
    ],
    ids=[
        "timeout-unset",
        "timeout-out-of-range",
        "selector-missing-own-namespace",
        "path-segment",
        "name-segments",
        "side-effects",
        "review-versions",
        "rules-listing-only-the-extras",
    ],
)
def test_messages_name_the_offending_value(
    changes: dict[str, Any], message: str
) -> None:
    assert message_for(**changes) == message


def test_the_unset_failure_policy_message_says_it_defaults_to_fail() -> None:
    assert message_for(MUTATING, failurePolicy=REMOVE) == (
        "failurePolicy is not set and defaults to 'Fail', which on a mutating "
        "webhook blocks every matched Job and CronJob write while the webhook is "
        "unreachable."
    )


def test_a_v1beta1_configuration_is_refused_without_further_checks() -> None:
    document = {**configuration(), "apiVersion": "admissionregistration.k8s.io/v1beta1"}

    (finding,) = iter_findings(document)

    assert (finding.path, finding.check, finding.message) == (
        "apiVersion",
        "api-version",
        "apiVersion 'admissionregistration.k8s.io/v1beta1' is no longer served "
        "(since Kubernetes 1.22), and its defaults differ: failurePolicy Ignore, "
        "timeout 30s.",
    )


def test_duplicate_webhook_names_are_refused() -> None:
    document = configuration()
    document["webhooks"].append(copy.deepcopy(document["webhooks"][0]))

    assert [(f.check, f.path) for f in iter_findings(document)] == [
        ("name", "webhooks[1].name")
    ]


@pytest.mark.parametrize(
    ("webhooks", "path"),
    [({"name": "x"}, "webhooks"), (["jobs.example.com"], "webhooks[0]")],
    ids=["webhooks-not-a-list", "webhook-not-a-map"],
)
def test_malformed_configurations_are_findings_not_exceptions(
    webhooks: Any, path: str
) -> None:
    document = {**configuration(), "webhooks": webhooks}

    assert [(f.check, f.path) for f in iter_findings(document)] == [("structure", path)]


def test_documents_of_other_kinds_are_skipped_and_lists_are_opened() -> None:
    documents = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}},
        {"apiVersion": "v1", "kind": "List", "items": [configuration(MUTATING)]},
        None,
        configuration(),
    ]

    results = check_documents(documents, source="stream.yaml")

    assert [(r.source, r.kind, r.name, len(r.findings)) for r in results] == [
        ("stream.yaml", MUTATING, "example", 1),
        ("stream.yaml", VALIDATING, "example", 0),
    ]
    assert [r.errors for r in results] == [(), ()]

"""Checks for webhook configurations that could stall or deadlock a cluster.

``iter_findings`` reads one ``MutatingWebhookConfiguration`` or
``ValidatingWebhookConfiguration`` as a dict and yields two kinds of finding:

- what the kube-apiserver refuses when the configuration is applied: webhook names,
  ``sideEffects``, ``admissionReviewVersions``, ``clientConfig``, the timeout range;
- what it accepts but what blocks a cluster while the webhook is down: rules wider
  than Jobs and CronJobs, a ``namespaceSelector`` that does not exclude
  ``kube-system`` and the webhook's own namespace, a timeout above five seconds,
  and ``failurePolicy: Fail`` on a mutating webhook (a warning).

Errors fail ``batchguard webhook-config check``; warnings do not.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard
from urllib.parse import urlsplit

API_VERSION = "admissionregistration.k8s.io/v1"
MUTATING = "MutatingWebhookConfiguration"
VALIDATING = "ValidatingWebhookConfiguration"
KINDS = (MUTATING, VALIDATING)

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""Set by the apiserver on every namespace to its name; nobody can change it."""
ALWAYS_EXCLUDED_NAMESPACES = ("kube-system",)
MAX_TIMEOUT_SECONDS = 5
DEFAULT_TIMEOUT_SECONDS = 10
ALLOWED_RULE: Mapping[str, tuple[str, ...]] = {
    "apiGroups": ("batch",),
    "apiVersions": ("v1",),
    "resources": ("jobs", "cronjobs"),
    "operations": ("CREATE", "UPDATE"),
}
RULE_HINT = (
    "use apiGroups: [batch], apiVersions: [v1], resources: [jobs, cronjobs] and "
    "operations: [CREATE, UPDATE]; never '*', pods or a '/status' subresource"
)
SIDE_EFFECTS = ("None", "NoneOnDryRun")
FAILURE_POLICIES = ("Fail", "Ignore")
MATCH_POLICIES = ("Equivalent", "Exact")
REINVOCATION_POLICIES = ("IfNeeded", "Never")

_DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = re.compile(rf"{_DNS1123_LABEL}(\.{_DNS1123_LABEL})*")
_DNS1123_SUBDOMAIN_MAX = 253


class Severity(enum.StrEnum):
    """Whether a finding fails the check."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ConfigFinding:
    """One problem in a webhook configuration, at a path such as
    ``webhooks[0].rules[0]``."""

    path: str
    severity: Severity
    message: str
    check: str
    hint: str | None = None

    def render(self) -> str:
        """The one-line form used in CLI output."""
        text = f"{self.path}: {self.severity}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


@dataclass(frozen=True)
class CheckedConfiguration:
    """The findings for one webhook configuration read from ``source``."""

    source: str
    kind: str
    name: str
    findings: tuple[ConfigFinding, ...]

    @property
    def errors(self) -> tuple[ConfigFinding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)


@dataclass(frozen=True)
class WebhookContext:
    """One entry of ``webhooks``, as the checks see it."""

    spec: Mapping[str, Any]
    index: int
    mutating: bool
    check: str = ""

    def path(self, *parts: str | int) -> str:
        text = f"webhooks[{self.index}]"
        for part in parts:
            text += f"[{part}]" if isinstance(part, int) else f".{part}"
        return text

    def error(self, path: str, message: str, hint: str | None = None) -> ConfigFinding:
        return ConfigFinding(path, Severity.ERROR, message, self.check, hint)

    def warning(
        self, path: str, message: str, hint: str | None = None
    ) -> ConfigFinding:
        return ConfigFinding(path, Severity.WARNING, message, self.check, hint)

    @property
    def service_namespace(self) -> str | None:
        client_config = self.spec.get("clientConfig")
        if not isinstance(client_config, Mapping):
            return None
        service = client_config.get("service")
        if not isinstance(service, Mapping):
            return None
        namespace = service.get("namespace")
        return namespace if isinstance(namespace, str) and namespace else None


Check = Callable[[WebhookContext], Iterator[ConfigFinding]]


def is_webhook_configuration(document: object) -> TypeGuard[Mapping[str, Any]]:
    """Whether a parsed YAML document is a webhook configuration of any version."""
    return isinstance(document, Mapping) and document.get("kind") in KINDS


def check_documents(
    documents: Iterable[object], *, source: str
) -> list[CheckedConfiguration]:
    """Check every webhook configuration among ``documents`` (others are skipped).

    ``kind: List`` documents, as ``kubectl get -o yaml`` prints them, are opened.
    """
    return [
        CheckedConfiguration(
            source=source,
            kind=document["kind"],
            name=_name_of(document),
            findings=tuple(iter_findings(document)),
        )
        for document in _flatten(documents)
        if is_webhook_configuration(document)
    ]


def iter_findings(configuration: Mapping[str, Any]) -> Iterator[ConfigFinding]:
    """Every finding for one webhook configuration, in a stable order."""
    api_version = configuration.get("apiVersion")
    if api_version != API_VERSION:
        yield _api_version_finding(api_version)
        return

    webhooks = configuration.get("webhooks") or []
    if not isinstance(webhooks, list):
        yield _structure_error("webhooks", "webhooks must be a list")
        return

    yield from _duplicate_names(webhooks)
    mutating = configuration.get("kind") == MUTATING
    for index, spec in enumerate(webhooks):
        if not isinstance(spec, Mapping):
            yield _structure_error(f"webhooks[{index}]", "each webhook must be a map")
            continue
        context = WebhookContext(spec=spec, index=index, mutating=mutating)
        for name, check in CHECKS.items():
            yield from check(dataclasses.replace(context, check=name))


def _flatten(documents: Iterable[object]) -> Iterator[object]:
    for document in documents:
        if _is_list(document):
            yield from document["items"]
        else:
            yield document


def _is_list(document: object) -> TypeGuard[Mapping[str, Any]]:
    return (
        isinstance(document, Mapping)
        and str(document.get("kind", "")).endswith("List")
        and isinstance(document.get("items"), list)
    )


def _name_of(document: Mapping[str, Any]) -> str:
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) else ""


def _api_version_finding(api_version: object) -> ConfigFinding:
    hint = f"use apiVersion: {API_VERSION}"
    if api_version == "admissionregistration.k8s.io/v1beta1":
        message = (
            f"apiVersion {api_version!r} is no longer served (since Kubernetes "
            "1.22), and its defaults differ: failurePolicy Ignore, timeout 30s."
        )
    else:
        message = f"apiVersion {api_version!r} is not a webhook configuration version."
    return ConfigFinding("apiVersion", Severity.ERROR, message, "api-version", hint)


def _structure_error(path: str, what: str) -> ConfigFinding:
    message = f"The configuration cannot be read: {what}."
    return ConfigFinding(path, Severity.ERROR, message, "structure")


def _duplicate_names(webhooks: list[Any]) -> Iterator[ConfigFinding]:
    seen: set[str] = set()
    for index, spec in enumerate(webhooks):
        name = spec.get("name") if isinstance(spec, Mapping) else None
        if not isinstance(name, str) or not name:
            continue
        if name in seen:
            message = (
                f"Webhook name {name!r} is used twice; the apiserver requires "
                "unique names within a configuration."
            )
            yield ConfigFinding(
                f"webhooks[{index}].name", Severity.ERROR, message, "name"
            )
        seen.add(name)


def _string_list(value: object) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def _is_dns1123_subdomain(value: str) -> bool:
    return (
        len(value) <= _DNS1123_SUBDOMAIN_MAX
        and _DNS1123_SUBDOMAIN.fullmatch(value) is not None
    )


def _check_admission_review_versions(
    context: WebhookContext,
) -> Iterator[ConfigFinding]:
    path = context.path("admissionReviewVersions")
    hint = "set admissionReviewVersions: [v1]"
    versions = _string_list(context.spec.get("admissionReviewVersions"))
    if not versions:
        message = (
            "admissionReviewVersions is missing; the apiserver requires it, and "
            "batchguard answers AdmissionReview v1."
        )
        yield context.error(path, message, hint)
        return

    for index, version in enumerate(versions):
        if version in versions[:index]:
            message = f"Version {version!r} is listed twice; the apiserver refuses it."
            yield context.error(context.path("admissionReviewVersions", index), message)
    if "v1" not in versions:
        message = (
            f"admissionReviewVersions {versions!r} does not include 'v1', the "
            "version batchguard answers."
        )
        yield context.error(path, message, hint)


def _check_client_config(context: WebhookContext) -> Iterator[ConfigFinding]:
    client_config = context.spec.get("clientConfig")
    if not isinstance(client_config, Mapping):
        client_config = {}
    url = client_config.get("url")
    service = client_config.get("service")
    if (url is None) == (service is None):
        message = (
            "clientConfig must set exactly one of url or service; "
            f"it sets {'both' if url is not None else 'neither'}."
        )
        yield context.error(context.path("clientConfig"), message)
        return

    if url is not None:
        yield from _url_findings(context, url)
    else:
        yield from _service_findings(context, service)


def _url_findings(context: WebhookContext, url: object) -> Iterator[ConfigFinding]:
    path = context.path("clientConfig", "url")
    parts = urlsplit(url) if isinstance(url, str) else None
    problems = (
        ["it is not a string"]
        if parts is None
        else [
            problem
            for problem, present in (
                ("the scheme must be https", parts.scheme != "https"),
                ("it has no host", not parts.hostname),
                ("it carries user information", bool(parts.username)),
                ("it has a query", bool(parts.query)),
                ("it has a fragment", bool(parts.fragment)),
            )
            if present
        ]
    )
    for problem in problems:
        message = f"clientConfig.url {url!r} is refused by the apiserver: {problem}."
        yield context.error(path, message)


def _service_findings(
    context: WebhookContext, service: object
) -> Iterator[ConfigFinding]:
    if not isinstance(service, Mapping):
        message = "clientConfig.service must be a map with a name and a namespace."
        yield context.error(context.path("clientConfig", "service"), message)
        return

    for key in ("name", "namespace"):
        value = service.get(key)
        if not isinstance(value, str) or not value:
            message = f"clientConfig.service.{key} is required by the apiserver."
            yield context.error(context.path("clientConfig", "service", key), message)
    port = service.get("port", 443)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        message = f"Service port {port!r} is not a port number from 1 to 65535."
        yield context.error(context.path("clientConfig", "service", "port"), message)
    yield from _service_path_findings(context, service.get("path"))


def _service_path_findings(
    context: WebhookContext, path_value: object
) -> Iterator[ConfigFinding]:
    path = context.path("clientConfig", "service", "path")
    if path_value is None or path_value in ("", "/"):
        return
    if not isinstance(path_value, str) or not path_value.startswith("/"):
        message = f"Service path {path_value!r} must start with '/'."
        yield context.error(path, message, "for example: /validate")
        return

    for index, segment in enumerate(path_value[1:].split("/")):
        if not segment:
            message = (
                f"Service path {path_value!r} has an empty segment {index}; "
                "the apiserver refuses it."
            )
            yield context.error(path, message)
        elif not _is_dns1123_subdomain(segment):
            message = (
                f"Segment {segment!r} of service path {path_value!r} is not a "
                "lowercase DNS subdomain (letters, digits, '-' and '.'); the "
                "apiserver refuses it."
            )
            yield context.error(path, message, "write '-' for '_' and use lowercase")


def _check_failure_policy(context: WebhookContext) -> Iterator[ConfigFinding]:
    path = context.path("failurePolicy")
    policy = context.spec.get("failurePolicy")
    if policy is not None and policy not in FAILURE_POLICIES:
        message = f"failurePolicy {policy!r} is not one of 'Fail' or 'Ignore'."
        yield context.error(path, message)
        return
    if not context.mutating or policy == "Ignore":
        return

    stated = (
        "failurePolicy is not set and defaults to 'Fail', which on a mutating "
        "webhook blocks"
        if policy is None
        else "failurePolicy 'Fail' on a mutating webhook blocks"
    )
    message = (
        f"{stated} every matched Job and CronJob write while the webhook is "
        "unreachable."
    )
    hint = (
        "set failurePolicy: Ignore for mutation (best effort) and keep Fail only "
        "on the validating webhook, with kube-system and the webhook's namespace "
        "excluded"
    )
    yield context.warning(path, message, hint)


def _check_match_policy(context: WebhookContext) -> Iterator[ConfigFinding]:
    policy = context.spec.get("matchPolicy")
    if policy is not None and policy not in MATCH_POLICIES:
        message = f"matchPolicy {policy!r} is not one of 'Equivalent' or 'Exact'."
        yield context.error(context.path("matchPolicy"), message)


def _check_name(context: WebhookContext) -> Iterator[ConfigFinding]:
    path = context.path("name")
    name = context.spec.get("name")
    hint = "name webhooks like validate.jobs.example.com"
    if not isinstance(name, str) or not name:
        yield context.error(path, "The webhook name is required.", hint)
    elif not _is_dns1123_subdomain(name):
        message = f"Webhook name {name!r} is not a lowercase DNS subdomain."
        yield context.error(path, message, hint)
    elif len(name.split(".")) < 3:
        message = (
            f"Webhook name {name!r} should be a domain with at least three "
            "segments separated by dots."
        )
        yield context.error(path, message, hint)


def _check_namespace_selector(context: WebhookContext) -> Iterator[ConfigFinding]:
    required = [*ALWAYS_EXCLUDED_NAMESPACES]
    if context.service_namespace and context.service_namespace not in required:
        required.append(context.service_namespace)
    selector = context.spec.get("namespaceSelector")
    if not isinstance(selector, Mapping):
        selector = {}
    missing = [name for name in required if not _excludes(selector, name)]
    if not missing:
        return

    names = " and ".join(repr(name) for name in missing)
    message = (
        f"The namespaceSelector does not exclude {names}: while the webhook is "
        "unreachable, writes there depend on it, including the ones that would "
        "bring it back."
    )
    hint = (
        f"add {{key: {NAMESPACE_NAME_LABEL}, operator: NotIn, values: "
        f"[{', '.join(required)}]}} to namespaceSelector.matchExpressions"
    )
    yield context.error(context.path("namespaceSelector"), message, hint)


def _excludes(selector: Mapping[str, Any], namespace: str) -> bool:
    """Whether no namespace called ``namespace`` can match, whatever its labels.

    Only the name label counts: any other label can be added by whoever may edit
    the namespace.
    """
    match_labels = selector.get("matchLabels")
    if isinstance(match_labels, Mapping) and NAMESPACE_NAME_LABEL in match_labels:
        if match_labels[NAMESPACE_NAME_LABEL] != namespace:
            return True
    expressions = selector.get("matchExpressions")
    if not isinstance(expressions, list):
        return False
    return any(_expression_excludes(item, namespace) for item in expressions)


def _expression_excludes(expression: object, namespace: str) -> bool:
    if not isinstance(expression, Mapping):
        return False
    if expression.get("key") != NAMESPACE_NAME_LABEL:
        return False
    operator = expression.get("operator")
    values = _string_list(expression.get("values")) or []
    if operator == "NotIn":
        return namespace in values
    if operator == "In":
        return namespace not in values
    return operator == "DoesNotExist"


def _check_reinvocation_policy(context: WebhookContext) -> Iterator[ConfigFinding]:
    policy = context.spec.get("reinvocationPolicy")
    if not context.mutating or policy is None or policy in REINVOCATION_POLICIES:
        return

    message = f"reinvocationPolicy {policy!r} is not one of 'IfNeeded' or 'Never'."
    yield context.error(context.path("reinvocationPolicy"), message)


def _check_rules(context: WebhookContext) -> Iterator[ConfigFinding]:
    rules = context.spec.get("rules") or []
    if not isinstance(rules, list):
        yield context.error(context.path("rules"), "rules must be a list.")
        return

    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            yield context.error(context.path("rules", index), "Each rule is a map.")
            continue
        yield from _empty_rule_fields(context, index, rule)
        yield from _rule_scope(context, index, rule)


def _empty_rule_fields(
    context: WebhookContext, index: int, rule: Mapping[str, Any]
) -> Iterator[ConfigFinding]:
    for field in ALLOWED_RULE:
        if not _string_list(rule.get(field)):
            message = (
                f"{field} must be a non-empty list of strings; the apiserver "
                "requires at least one entry."
            )
            yield context.error(context.path("rules", index, field), message, RULE_HINT)


def _rule_scope(
    context: WebhookContext, index: int, rule: Mapping[str, Any]
) -> Iterator[ConfigFinding]:
    wider = {
        field: extra
        for field, allowed in ALLOWED_RULE.items()
        if (extra := _beyond(rule.get(field), allowed))
    }
    if not wider:
        return

    matches = ", ".join(f"{field} {extra!r}" for field, extra in wider.items())
    message = (
        "The rule is wider than batch/v1 jobs and cronjobs on CREATE and UPDATE: "
        f"it also matches {matches}. Each extra match is a write that waits on "
        "the webhook, or fails, while the webhook is down."
    )
    yield context.error(context.path("rules", index), message, RULE_HINT)


def _beyond(values: object, allowed: tuple[str, ...]) -> list[str]:
    return [value for value in _string_list(values) or [] if value not in allowed]


def _check_side_effects(context: WebhookContext) -> Iterator[ConfigFinding]:
    path = context.path("sideEffects")
    side_effects = context.spec.get("sideEffects")
    hint = "set sideEffects: None"
    if side_effects is None:
        message = "sideEffects is required by the apiserver: None or NoneOnDryRun."
        yield context.error(path, message, hint)
    elif side_effects not in SIDE_EFFECTS:
        message = (
            f"sideEffects {side_effects!r} is refused by the apiserver, which "
            "accepts only None or NoneOnDryRun; dry-run requests would fail."
        )
        yield context.error(path, message, hint)


def _check_timeout(context: WebhookContext) -> Iterator[ConfigFinding]:
    path = context.path("timeoutSeconds")
    timeout = context.spec.get("timeoutSeconds")
    hint = f"set timeoutSeconds: {MAX_TIMEOUT_SECONDS} or less"
    if timeout is None:
        message = (
            f"timeoutSeconds is not set, so each call may wait the default "
            f"{DEFAULT_TIMEOUT_SECONDS} seconds on an unreachable webhook."
        )
        yield context.error(path, message, hint)
    elif isinstance(timeout, bool) or not isinstance(timeout, int):
        yield context.error(path, f"timeoutSeconds {timeout!r} is not an integer.")
    elif not 1 <= timeout <= 30:
        message = (
            f"timeoutSeconds {timeout!r} is refused by the apiserver, which "
            "accepts 1 to 30 seconds."
        )
        yield context.error(path, message, hint)
    elif timeout > MAX_TIMEOUT_SECONDS:
        message = (
            f"timeoutSeconds {timeout!r} lets each Job and CronJob write wait "
            f"{timeout} seconds on an unreachable webhook."
        )
        yield context.error(path, message, hint)


CHECKS: Mapping[str, Check] = {
    "admission-review-versions": _check_admission_review_versions,
    "client-config": _check_client_config,
    "failure-policy": _check_failure_policy,
    "match-policy": _check_match_policy,
    "name": _check_name,
    "namespace-selector": _check_namespace_selector,
    "reinvocation-policy": _check_reinvocation_policy,
    "rules": _check_rules,
    "side-effects": _check_side_effects,
    "timeout": _check_timeout,
}
"""Every check by name, sorted; each yields the findings for one webhook."""

"""``batchguard audit``: what the policies would do to a cluster's Jobs and CronJobs.

Each object is listed from the apiserver (in pages, following ``continue``), shown
as YAML the way ``kubectl get -o yaml`` prints it (keys sorted, ``managedFields``
left out) and reviewed as a CREATE of that YAML, exactly as ``batchguard check``
reviews a file. Line numbers in the report refer to that YAML. Mutations the
policies would make are reported as notes (enforcement ``audit``).

Exit status: 0 nothing would be denied, 1 an object would be denied, 2 a usage
error, unusable kubeconfig, or an apiserver that refused the listing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import yaml
from kubernetes import client
from urllib3.exceptions import HTTPError

from webhook.cli.check import exit_status, object_result, write_output
from webhook.cli.main import EXIT_USAGE
from webhook.cli.options import (
    build_policies,
    policies_option,
    report_options,
    stdout_is_terminal,
    use_color,
)
from webhook.kube import (
    DEFAULT_PAGE_SIZE,
    ApiException,
    JSONObject,
    KubeConfigError,
    default_namespace,
    describe_error,
    list_items,
    load_api_client,
)
from webhook.manifests import read_text
from webhook.policy.findings import Applied, Enforcement, Finding
from webhook.policy.model import PolicySet
from webhook.report import FORMATTERS, Located, ObjectResult, Report
from webhook.review import ObjectReview, review_manifest

REQUEST_TIMEOUT = (10.0, 60.0)
RESOURCES = {"Job": "jobs", "CronJob": "cronjobs"}


class ClusterError(click.ClickException):
    """The cluster could not be reached or refused to list: exit status 2."""

    exit_code = EXIT_USAGE


def list_batch_objects(
    api_client: client.ApiClient,
    *,
    namespaces: Sequence[str] | None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> list[JSONObject]:
    """Every Job and CronJob of ``namespaces`` (None: all), by namespace and name."""
    batch: Any = client.BatchV1Api(api_client)
    listings = (
        ("jobs", batch.list_job_for_all_namespaces, batch.list_namespaced_job),
        (
            "cronjobs",
            batch.list_cron_job_for_all_namespaces,
            batch.list_namespaced_cron_job,
        ),
    )
    found: list[JSONObject] = []
    for resource, every, namespaced in listings:
        found += _list(resource, every, namespaced, namespaces, page_size)
    return sorted(found, key=_sort_key)


def _list(
    resource: str,
    every: Callable[..., Any],
    namespaced: Callable[..., Any],
    namespaces: Sequence[str] | None,
    page_size: int,
) -> Iterator[JSONObject]:
    if namespaces is None:
        yield from _fetch(resource, "all namespaces", every, page_size)
        return
    for namespace in namespaces:
        where = f"namespace {namespace!r}"
        yield from _fetch(resource, where, namespaced, page_size, namespace=namespace)


def _fetch(
    resource: str,
    where: str,
    call: Callable[..., Any],
    page_size: int,
    **params: Any,
) -> list[JSONObject]:
    try:
        items, _ = list_items(
            call, limit=page_size, _request_timeout=REQUEST_TIMEOUT, **params
        )
    except (ApiException, HTTPError, OSError, ValueError) as error:
        raise ClusterError(
            f"Cannot list {resource} in {where}: {describe_error(error)}."
        ) from None
    return items


def _sort_key(obj: JSONObject) -> tuple[str, str, str]:
    metadata = obj.get("metadata") or {}
    return (
        str(metadata.get("namespace", "")),
        str(obj.get("kind", "")),
        str(metadata.get("name", "")),
    )


def resource_path(obj: JSONObject) -> str:
    """``namespaces/<ns>/<jobs|cronjobs>/<name>``: where the object lives."""
    metadata = obj.get("metadata") or {}
    resource = RESOURCES.get(str(obj.get("kind")), str(obj.get("kind")).lower())
    return f"namespaces/{metadata.get('namespace')}/{resource}/{metadata.get('name')}"


def as_yaml(obj: JSONObject) -> str:
    """The object as ``kubectl get -o yaml`` shows it: sorted, no managedFields."""
    metadata = {
        key: value
        for key, value in (obj.get("metadata") or {}).items()
        if key != "managedFields"
    }
    return yaml.safe_dump(
        {**obj, "metadata": metadata},
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=1 << 16,
    )


def audit_object(obj: JSONObject, *, policies: PolicySet) -> ObjectResult:
    """Review one listed object; its mutations become notes beside the findings."""
    path = resource_path(obj)
    [manifest] = read_text(as_yaml(obj), file=path)
    review = review_manifest(manifest, policies=policies)
    result = object_result(review)
    notes = tuple(_mutation_notes(review))
    if not notes:
        return result
    findings = sorted((*result.findings, *notes), key=lambda located: located.line)
    return replace(result, findings=tuple(findings))


def _mutation_notes(review: ObjectReview) -> Iterator[Located]:
    applied: tuple[Applied, ...] = review.outcome.applied if review.outcome else ()
    for change in applied:
        note = Finding(
            path=change.path,
            message=f"Admission would change this object: {change.message}",
            rule=change.rule,
            enforcement=Enforcement.AUDIT,
            policy=change.policy,
        )
        yield Located(note, review.manifest.line_of(change.path))


def build_report(objects: Sequence[JSONObject], *, policies: PolicySet) -> Report:
    report = Report()
    for obj in objects:
        result = audit_object(obj, policies=policies)
        report.files.append(result.location.file)
        report.results.append(result)
    return report


def _namespaces(
    namespaces: tuple[str, ...],
    *,
    all_namespaces: bool,
    kubeconfig: str | None,
    context: str | None,
) -> list[str] | None:
    if all_namespaces and namespaces:
        raise click.UsageError("Give --namespace or --all-namespaces, not both.")
    if all_namespaces:
        return None
    if namespaces:
        return list(dict.fromkeys(namespaces))
    return [default_namespace(kubeconfig=kubeconfig, context=context)]


def _api_client(*, kubeconfig: str | None, context: str | None) -> client.ApiClient:
    try:
        return load_api_client(kubeconfig=kubeconfig, context=context)
    except KubeConfigError as error:
        raise ClusterError(str(error)) from None


@click.command()
@click.option(
    "--namespace",
    "-n",
    "namespaces",
    multiple=True,
    help="Namespace to audit (repeatable) [default: the context's namespace].",
)
@click.option("--all-namespaces", "-A", is_flag=True, help="Audit every namespace.")
@click.option("--kubeconfig", type=click.Path(dir_okay=False), help="Kubeconfig file.")
@click.option("--context", help="Kubeconfig context.")
@policies_option
@report_options
@click.option(
    "--page-size",
    type=click.IntRange(1, 10000),
    default=DEFAULT_PAGE_SIZE,
    show_default=True,
    help="Objects per list request (limit); pages follow continue tokens.",
)
def audit(
    *,
    namespaces: tuple[str, ...],
    all_namespaces: bool,
    kubeconfig: str | None,
    context: str | None,
    policy_paths: tuple[Path, ...],
    format: str,
    output: Path | None,
    page_size: int,
) -> int:
    """Report what the policies would deny, warn about and change in a cluster.

    Lists the Jobs and CronJobs of the chosen namespaces and reviews each as if
    it were created now. Exit status: 0 nothing would be denied, 1 something
    would be, 2 usage error or the cluster could not be listed.
    """
    chosen = _namespaces(
        namespaces,
        all_namespaces=all_namespaces,
        kubeconfig=kubeconfig,
        context=context,
    )
    policies = build_policies(policy_paths)
    api_client = _api_client(kubeconfig=kubeconfig, context=context)
    with api_client:
        objects = list_batch_objects(api_client, namespaces=chosen, page_size=page_size)
    report = build_report(objects, policies=policies)
    color = use_color(to_terminal=output is None and stdout_is_terminal())
    write_output(FORMATTERS[format](color=color).chunks(report), output)
    return exit_status(report)

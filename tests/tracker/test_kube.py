"""The shared Kubernetes helpers: namespaces, and the shape of listed items."""

from __future__ import annotations

import pytest
from tracker.replay_apiserver import ReplayApiserver, Reply

from webhook.kube import (
    KubeConfigError,
    default_namespace,
    list_items,
    load_api_client,
    service_account_namespace,
)


def test_the_pods_namespace_is_read_from_the_service_account_file(tmp_path):
    path = tmp_path / "namespace"
    path.write_text("batchguard-system\n")

    assert service_account_namespace(path) == "batchguard-system"


def test_outside_a_pod_there_is_no_service_account_namespace(tmp_path):
    assert service_account_namespace(tmp_path / "missing") is None


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        pytest.param(None, "default", id="current-context-without-namespace"),
        pytest.param("team-a", "team-a", id="named-context-with-namespace"),
    ],
)
def test_the_default_namespace_is_the_contexts(kubeconfig, context, expected):
    assert default_namespace(kubeconfig=str(kubeconfig), context=context) == expected


def test_an_unreadable_kubeconfig_falls_back_to_the_default_namespace(tmp_path):
    missing = str(tmp_path / "missing")

    assert default_namespace(kubeconfig=missing) == "default"


def test_an_unknown_context_is_reported_with_the_file(kubeconfig):
    with pytest.raises(KubeConfigError, match=f"Cannot load {str(kubeconfig)!r}"):
        load_api_client(kubeconfig=str(kubeconfig), context="no-such-context")


def test_listed_items_get_back_the_kind_and_api_version_the_apiserver_left_off(
    apiserver: ReplayApiserver, api_client
):
    from kubernetes import client

    apiserver.expect(
        "GET",
        "/apis/batch/v1/jobs",
        Reply.of("jobs-list-page-1.json"),
        Reply.of("jobs-list-page-2.json"),
    )
    batch = client.BatchV1Api(api_client)

    items, version = list_items(batch.list_job_for_all_namespaces, limit=1)

    assert version == "48190"
    assert [(i["apiVersion"], i["kind"], i["metadata"]["name"]) for i in items] == [
        ("batch/v1", "Job", "nightly-report-28745120"),
        ("batch/v1", "Job", "etl-load"),
    ]

"""deploy/: valid Kubernetes objects, in the shape docs/deploy.md promises."""

from __future__ import annotations

import base64
import dataclasses
import shutil
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import trustme
import yaml

from webhook.settings import ENV_PREFIX, Settings
from webhook.tracker.settings import LeaseSettings
from webhook.webhook_config import check_documents

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BASE = DEPLOY / "base"
OVERLAYS = ("cert-manager", "git-policies", "manual-certs")
KUBERNETES_VERSIONS = ("1.33", "1.37")
"""The oldest release the manifests target, and the newest kubernetes-validate knows."""
CRD_GROUPS = ("cert-manager.io/",)
"""Custom resources: not in the Kubernetes schema, checked by shape below."""
SERVICE_DNS_NAMES = [
    "batchguard-webhook.batchguard-system.svc",
    "batchguard-webhook.batchguard-system.svc.cluster.local",
]


def load_all(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def find(documents: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [
        doc
        for doc in documents
        if doc["kind"] == kind and doc["metadata"]["name"] == name
    ]
    return found


def kustomizations() -> list[Path]:
    return sorted(
        path
        for path in DEPLOY.rglob("kustomization.yaml")
        if "generated" not in path.parts
    )


def referenced_files(kustomization: Path) -> dict[str, list[Path]]:
    """The files a kustomization reads, by role."""
    spec = yaml.safe_load(kustomization.read_text())
    directory = kustomization.parent
    generators = [
        *spec.get("configMapGenerator", []),
        *spec.get("secretGenerator", []),
    ]
    generated = [
        entry.split("=", 1)[-1]
        for generator in generators
        for entry in [*generator.get("files", []), *generator.get("envs", [])]
    ]
    return {
        "resources": [directory / entry for entry in spec.get("resources", [])],
        "patches": [
            directory / patch["path"]
            for patch in spec.get("patches", [])
            if "path" in patch
        ],
        "generated": [directory / entry for entry in generated],
    }


def resource_files() -> list[Path]:
    return sorted(
        {
            path.resolve()
            for kustomization in kustomizations()
            for path in referenced_files(kustomization)["resources"]
            if path.is_file()
        }
    )


def kubernetes_objects() -> list[Any]:
    return [
        pytest.param(document, id=f"{path.relative_to(DEPLOY)}:{document['kind']}")
        for path in resource_files()
        for document in load_all(path)
        if not document["apiVersion"].startswith(CRD_GROUPS)
    ]


def base_documents() -> list[dict[str, Any]]:
    return [
        document
        for path in resource_files()
        if path.parent == BASE
        for document in load_all(path)
    ]


def pod_templates(documents: list[dict[str, Any]]) -> list[Any]:
    return [
        pytest.param(doc["spec"]["template"]["spec"], id=doc["metadata"]["name"])
        for doc in documents
        if doc["kind"] == "Deployment"
    ]


def restricted_violations(pod: dict[str, Any]) -> list[str]:
    """What the ``restricted`` Pod Security Standard refuses in a pod spec."""
    pod_context = pod.get("securityContext", {})
    problems = []
    for container in [*pod.get("initContainers", []), *pod["containers"]]:
        context = container.get("securityContext", {})
        seccomp = context.get("seccompProfile", pod_context.get("seccompProfile"))
        checks = {
            "allowPrivilegeEscalation is not false": (
                context.get("allowPrivilegeEscalation") is not False
            ),
            "capabilities do not drop ALL": (
                context.get("capabilities", {}).get("drop") != ["ALL"]
            ),
            "runAsNonRoot is not true": not context.get(
                "runAsNonRoot", pod_context.get("runAsNonRoot")
            ),
            "seccompProfile is not RuntimeDefault": seccomp
            != {"type": "RuntimeDefault"},
            "the root filesystem is writable": not context.get(
                "readOnlyRootFilesystem"
            ),
        }
        problems += [
            f"{container['name']}: {c}" for c, failed in checks.items() if failed
        ]
    return problems


BASE_DOCUMENTS = base_documents()
WEBHOOK = find(BASE_DOCUMENTS, "Deployment", "batchguard-webhook")
WEBHOOK_POD = WEBHOOK["spec"]["template"]["spec"]
(WEBHOOK_CONTAINER,) = WEBHOOK_POD["containers"]
TRACKER = find(BASE_DOCUMENTS, "Deployment", "batchguard-tracker")
(TRACKER_CONTAINER,) = TRACKER["spec"]["template"]["spec"]["containers"]


def env_of(container: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item.get("value") for item in container.get("env", [])}


def mount_of(container: dict[str, Any], volume: str) -> str:
    (path,) = [
        mount["mountPath"]
        for mount in container["volumeMounts"]
        if mount["name"] == volume
    ]
    return str(path)


def volume(pod: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        item for item in pod["volumes"] if item["name"] == name
    ]
    (only,) = found
    return only


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("document", kubernetes_objects())
def test_every_manifest_is_a_valid_kubernetes_object(
    document: dict[str, Any], version: str
) -> None:
    kubernetes_validate.validate(document, version, strict=True)


def test_every_file_in_deploy_is_read_by_a_kustomization() -> None:
    read = {
        path.resolve()
        for kustomization in kustomizations()
        for paths in referenced_files(kustomization).values()
        for path in paths
    } | {path.resolve() for path in kustomizations()}
    manifests = {
        path.resolve()
        for pattern in ("*.yaml", "*.yml", "*.json", "*.env")
        for path in DEPLOY.rglob(pattern)
        if "generated" not in path.parts
    }

    assert manifests - read == set()


@pytest.mark.parametrize("pod", pod_templates(BASE_DOCUMENTS))
def test_every_pod_meets_the_restricted_pod_security_standard(
    pod: dict[str, Any],
) -> None:
    assert restricted_violations(pod) == []


def test_the_namespace_enforces_the_restricted_pod_security_standard() -> None:
    namespace = find(BASE_DOCUMENTS, "Namespace", "batchguard-system")

    labels = namespace["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_the_webhook_runs_two_replicas_spread_across_nodes() -> None:
    spread = WEBHOOK_POD["topologySpreadConstraints"]

    assert WEBHOOK["spec"]["replicas"] == 2
    assert WEBHOOK["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert [(c["topologyKey"], c["whenUnsatisfiable"]) for c in spread] == [
        ("kubernetes.io/hostname", "DoNotSchedule"),
        ("topology.kubernetes.io/zone", "ScheduleAnyway"),
    ]
    assert all(
        c["labelSelector"]["matchLabels"] == WEBHOOK["spec"]["selector"]["matchLabels"]
        for c in spread
    )


@pytest.mark.parametrize(
    ("probe", "path"),
    [("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")],
    ids=["readiness", "liveness"],
)
def test_probes_call_the_health_endpoints_over_https(probe: str, path: str) -> None:
    action = WEBHOOK_CONTAINER[probe]["httpGet"]

    assert action == {"path": path, "port": "https", "scheme": "HTTPS"}


def test_the_webhook_serves_tls_on_8443_from_the_mounted_secret() -> None:
    env = env_of(WEBHOOK_CONTAINER)
    tls_dir = mount_of(WEBHOOK_CONTAINER, "tls")

    assert WEBHOOK_CONTAINER["args"] == ["serve"]
    assert WEBHOOK_CONTAINER["ports"] == [
        {"name": "https", "containerPort": 8443, "protocol": "TCP"}
    ]
    assert env["BATCHGUARD_BIND"] == "0.0.0.0:8443"
    assert env["BATCHGUARD_CERT_FILE"] == f"{tls_dir}/tls.crt"
    assert env["BATCHGUARD_KEY_FILE"] == f"{tls_dir}/tls.key"
    assert volume(WEBHOOK_POD, "tls")["secret"]["secretName"] == "batchguard-tls"


def test_policies_come_from_the_generated_configmap() -> None:
    env = env_of(WEBHOOK_CONTAINER)

    assert env["BATCHGUARD_POLICY_DIR"] == mount_of(WEBHOOK_CONTAINER, "policies")
    assert volume(WEBHOOK_POD, "policies")["configMap"] == {
        "name": "batchguard-policies"
    }


def test_every_writable_path_is_an_emptydir() -> None:
    env = env_of(WEBHOOK_CONTAINER)

    assert mount_of(WEBHOOK_CONTAINER, "tmp") == "/tmp"
    assert env["BATCHGUARD_METRICS_DIR"] == mount_of(WEBHOOK_CONTAINER, "metrics")
    assert "emptyDir" in volume(WEBHOOK_POD, "tmp")
    assert "emptyDir" in volume(WEBHOOK_POD, "metrics")


def test_the_review_endpoint_is_off_until_a_token_is_configured() -> None:
    env = env_of(WEBHOOK_CONTAINER)

    assert env["BATCHGUARD_REVIEW_ENABLED"] == "false"
    assert "BATCHGUARD_REVIEW_TOKEN_FILE" not in env


@pytest.mark.parametrize("document", pod_templates(BASE_DOCUMENTS))
def test_every_container_requests_and_limits_cpu_and_memory(
    document: dict[str, Any],
) -> None:
    for container in document["containers"]:
        resources = container["resources"]
        assert set(resources["requests"]) == {"cpu", "memory"}
        assert set(resources["limits"]) == {"cpu", "memory"}


def test_the_service_maps_443_to_the_https_container_port() -> None:
    service = find(BASE_DOCUMENTS, "Service", "batchguard-webhook")

    assert service["spec"]["selector"] == WEBHOOK["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"] == [
        {"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP"}
    ]


def test_a_disruption_budget_keeps_one_webhook_pod() -> None:
    budget = find(BASE_DOCUMENTS, "PodDisruptionBudget", "batchguard-webhook")

    assert budget["spec"]["minAvailable"] == 1
    assert budget["spec"]["selector"] == WEBHOOK["spec"]["selector"]


def test_the_autoscaler_never_goes_below_two_webhook_pods() -> None:
    autoscaler = find(BASE_DOCUMENTS, "HorizontalPodAutoscaler", "batchguard-webhook")

    assert autoscaler["spec"]["minReplicas"] == 2
    assert autoscaler["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "batchguard-webhook",
    }


def test_the_network_policy_opens_only_the_https_port_to_every_source() -> None:
    policy = find(BASE_DOCUMENTS, "NetworkPolicy", "batchguard-webhook")

    assert policy["spec"]["podSelector"] == WEBHOOK["spec"]["selector"]
    assert policy["spec"]["ingress"] == [
        {"ports": [{"port": "https", "protocol": "TCP"}]}
    ]


def test_the_webhook_has_no_kubernetes_api_token() -> None:
    account = find(BASE_DOCUMENTS, "ServiceAccount", "batchguard-webhook")

    assert account["automountServiceAccountToken"] is False
    assert WEBHOOK_POD["automountServiceAccountToken"] is False


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        (
            "ClusterRole",
            "batchguard-tracker",
            [
                {
                    "apiGroups": ["batch"],
                    "resources": ["jobs"],
                    "verbs": ["get", "list", "watch", "patch"],
                },
                {
                    "apiGroups": [""],
                    "resources": ["events"],
                    "verbs": ["get", "create"],
                },
            ],
        ),
        (
            "Role",
            "batchguard-tracker-leader-election",
            [
                {
                    "apiGroups": ["coordination.k8s.io"],
                    "resources": ["leases"],
                    "verbs": ["create"],
                },
                {
                    "apiGroups": ["coordination.k8s.io"],
                    "resources": ["leases"],
                    "resourceNames": ["batchguard-tracker"],
                    "verbs": ["get", "update"],
                },
            ],
        ),
    ],
    ids=["cluster-role", "leader-election-role"],
)
def test_the_tracker_holds_only_the_permissions_it_uses(
    kind: str, name: str, expected: list[dict[str, Any]]
) -> None:
    assert find(BASE_DOCUMENTS, kind, name)["rules"] == expected


@pytest.mark.parametrize(
    ("kind", "name", "role"),
    [
        ("ClusterRoleBinding", "batchguard-tracker", "batchguard-tracker"),
        (
            "RoleBinding",
            "batchguard-tracker-leader-election",
            "batchguard-tracker-leader-election",
        ),
    ],
    ids=["cluster-role-binding", "role-binding"],
)
def test_the_tracker_bindings_name_only_its_service_account(
    kind: str, name: str, role: str
) -> None:
    binding = find(BASE_DOCUMENTS, kind, name)

    assert binding["roleRef"]["name"] == role
    assert binding["subjects"] == [
        {
            "kind": "ServiceAccount",
            "name": "batchguard-tracker",
            "namespace": "batchguard-system",
        }
    ]


@pytest.mark.parametrize(
    ("kind", "path", "failure_policy", "extra"),
    [
        (
            "MutatingWebhookConfiguration",
            "/mutate",
            "Ignore",
            {"reinvocationPolicy": "IfNeeded"},
        ),
        ("ValidatingWebhookConfiguration", "/validate", "Fail", {}),
    ],
    ids=["mutating", "validating"],
)
def test_webhook_configurations_match_only_job_and_cronjob_writes(
    kind: str, path: str, failure_policy: str, extra: dict[str, str]
) -> None:
    (webhook,) = find(BASE_DOCUMENTS, kind, "batchguard")["webhooks"]
    settings = {key: webhook.get(key) for key in [*extra, "failurePolicy"]}

    assert webhook["rules"] == [
        {
            "apiGroups": ["batch"],
            "apiVersions": ["v1"],
            "resources": ["jobs", "cronjobs"],
            "operations": ["CREATE", "UPDATE"],
            "scope": "Namespaced",
        }
    ]
    assert webhook["namespaceSelector"] == {
        "matchExpressions": [
            {
                "key": "kubernetes.io/metadata.name",
                "operator": "NotIn",
                "values": ["kube-system", "batchguard-system"],
            }
        ]
    }
    assert webhook["clientConfig"]["service"] == {
        "name": "batchguard-webhook",
        "namespace": "batchguard-system",
        "path": path,
        "port": 443,
    }
    assert settings == {**extra, "failurePolicy": failure_policy}
    assert webhook["sideEffects"] == "None"
    assert webhook["admissionReviewVersions"] == ["v1"]
    assert webhook["matchPolicy"] == "Equivalent"
    assert webhook["timeoutSeconds"] <= 5


def test_the_shipped_webhook_configurations_pass_webhook_config_check() -> None:
    results = check_documents(BASE_DOCUMENTS, source="deploy/base")

    assert [(result.kind, result.findings) for result in results] == [
        ("MutatingWebhookConfiguration", ()),
        ("ValidatingWebhookConfiguration", ()),
    ]


def test_the_base_carries_an_exact_copy_of_the_default_policies() -> None:
    tracking = ROOT / "policies" / "examples" / "job-tracking.yaml"
    policy_files = {
        path.name: path.read_bytes()
        for pattern in ("*.yaml", "*.yml", "*.json")
        for path in (ROOT / "policies").glob(pattern)
    } | {tracking.name: tracking.read_bytes()}
    copies = {
        path.name: path.read_bytes()
        for path in (BASE / "policies").iterdir()
        if path.name != "kustomization.yaml"
    }
    (generator,) = yaml.safe_load(
        (BASE / "policies" / "kustomization.yaml").read_text()
    )["configMapGenerator"]

    assert copies == policy_files, "run deploy/sync-policies.sh"
    assert sorted(generator.get("files", [])) == sorted(policy_files)


def test_cert_manager_issues_the_serving_certificate_for_the_service() -> None:
    overlay = DEPLOY / "overlays" / "cert-manager"
    certificate = find(
        load_all(overlay / "certificate.yaml"), "Certificate", "batchguard-webhook"
    )
    issuers = load_all(overlay / "issuers.yaml")
    ca_issuer = find(issuers, "Issuer", certificate["spec"]["issuerRef"]["name"])
    ca = find(issuers, "Certificate", "batchguard-ca")

    assert certificate["spec"]["dnsNames"] == SERVICE_DNS_NAMES
    assert certificate["spec"]["secretName"] == "batchguard-tls"
    assert ca_issuer["spec"]["ca"]["secretName"] == ca["spec"]["secretName"]
    assert ca["spec"]["isCA"] is True
    assert find(issuers, "Issuer", ca["spec"]["issuerRef"]["name"])["spec"] == {
        "selfSigned": {}
    }


def test_cert_manager_injects_the_ca_into_both_webhook_configurations() -> None:
    spec = yaml.safe_load(
        (DEPLOY / "overlays" / "cert-manager" / "kustomization.yaml").read_text()
    )
    patched = {
        (patch["kind"], patch["metadata"]["name"]): patch["metadata"]["annotations"]
        for patch in (yaml.safe_load(item["patch"]) for item in spec["patches"])
    }

    assert patched == {
        (kind, "batchguard"): {
            "cert-manager.io/inject-ca-from": "batchguard-system/batchguard-webhook"
        }
        for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
    }


def test_git_sync_shares_the_policy_volume_and_never_gives_up() -> None:
    patch = yaml.safe_load(
        (
            DEPLOY / "components" / "git-policies" / "webhook-deployment-patch.yaml"
        ).read_text()
    )
    pod = patch["spec"]["template"]["spec"]
    (init,) = pod["initContainers"]
    webhook, sidecar = pod["containers"]

    assert init["image"] == sidecar["image"]
    assert init["image"].startswith("registry.k8s.io/git-sync/git-sync:v4.")
    assert env_of(init)["GITSYNC_ONE_TIME"] == "true"
    assert env_of(sidecar)["GITSYNC_MAX_FAILURES"] == "-1"
    assert mount_of(init, "policies") == mount_of(sidecar, "policies") == "/git"
    assert env_of(webhook)["BATCHGUARD_POLICY_DIR"] == (
        f"{mount_of(WEBHOOK_CONTAINER, 'policies')}/{env_of(sidecar)['GITSYNC_LINK']}"
    )
    assert (
        restricted_violations({"initContainers": [init], "containers": [sidecar]}) == []
    )


def write_manual_certificates(overlay: Path) -> bytes:
    """What deploy/render-manual-certs.sh writes, made with a throwaway CA."""
    authority = trustme.CA()
    server = authority.issue_cert(*SERVICE_DNS_NAMES)
    generated = overlay / "generated"
    generated.mkdir()
    ca_pem = authority.cert_pem.bytes()
    (generated / "ca.crt").write_bytes(ca_pem)
    (generated / "tls.crt").write_bytes(server.cert_chain_pems[0].bytes())
    (generated / "tls.key").write_bytes(server.private_key_pem.bytes())
    bundle = base64.b64encode(ca_pem).decode()
    (generated / "ca-bundle.yaml").write_text(
        f"- op: add\n  path: /webhooks/0/clientConfig/caBundle\n  value: {bundle}\n"
    )
    return ca_pem


@dataclasses.dataclass(frozen=True)
class Rendered:
    overlays: dict[str, list[dict[str, Any]]]
    manual_ca: bytes


@pytest.fixture(scope="module")
def rendered(kustomize: Any, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """Every overlay rendered once, from a copy with manual certificates in place."""
    deploy = tmp_path_factory.mktemp("render") / "deploy"
    shutil.copytree(DEPLOY, deploy, ignore=shutil.ignore_patterns("generated"))
    manual_ca = write_manual_certificates(deploy / "overlays" / "manual-certs")
    overlays = {name: kustomize(deploy / "overlays" / name) for name in OVERLAYS}
    return Rendered(overlays=overlays, manual_ca=manual_ca)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_renders_to_valid_objects_that_pass_the_checks(
    overlay: str, rendered: Rendered
) -> None:
    documents = rendered.overlays[overlay]

    for document in documents:
        for version in KUBERNETES_VERSIONS:
            if not document["apiVersion"].startswith(CRD_GROUPS):
                kubernetes_validate.validate(document, version, strict=True)
    results = check_documents(documents, source=overlay)
    assert [(result.kind, result.findings) for result in results] == [
        ("MutatingWebhookConfiguration", ()),
        ("ValidatingWebhookConfiguration", ()),
    ]
    for document in documents:
        if document["kind"] == "Deployment":
            assert restricted_violations(document["spec"]["template"]["spec"]) == []


def test_manual_certs_put_the_ca_into_both_webhook_configurations(
    rendered: Rendered,
) -> None:
    documents = rendered.overlays["manual-certs"]

    (secret,) = [doc for doc in documents if doc["kind"] == "Secret"]
    deployment = find(documents, "Deployment", "batchguard-webhook")
    pod = deployment["spec"]["template"]["spec"]
    bundles = [
        base64.b64decode(doc["webhooks"][0]["clientConfig"]["caBundle"])
        for doc in documents
        if doc["kind"].endswith("WebhookConfiguration")
    ]
    assert bundles == [rendered.manual_ca, rendered.manual_ca]
    assert secret["type"] == "kubernetes.io/tls"
    assert sorted(secret["data"]) == ["ca.crt", "tls.crt", "tls.key"]
    assert volume(pod, "tls")["secret"]["secretName"] == secret["metadata"]["name"]


def test_git_policies_replace_the_policy_configmap(rendered: Rendered) -> None:
    documents = rendered.overlays["git-policies"]

    config_maps = [
        doc["metadata"]["name"] for doc in documents if doc["kind"] == "ConfigMap"
    ]
    deployment = find(documents, "Deployment", "batchguard-webhook")
    pod = deployment["spec"]["template"]["spec"]
    assert [name.rsplit("-", 1)[0] for name in config_maps] == ["batchguard-git-sync"]
    assert volume(pod, "policies") == {
        "name": "policies",
        "emptyDir": {"sizeLimit": "256Mi"},
    }


def test_every_webhook_variable_is_a_setting_batchguard_reads() -> None:
    known = {
        f"{ENV_PREFIX}{item.name.upper()}"
        for section in dataclasses.fields(Settings)
        for item in dataclasses.fields(getattr(Settings(), section.name))
    }

    assert set(env_of(WEBHOOK_CONTAINER)) - known == set()


def test_the_tracker_serves_health_on_the_port_its_probe_calls() -> None:
    args = TRACKER_CONTAINER["args"]
    bind = args[args.index("--metrics-bind") + 1]

    assert args[0] == "tracker"
    assert TRACKER_CONTAINER["ports"] == [
        {
            "name": "http-metrics",
            "containerPort": int(bind.rsplit(":", 1)[1]),
            "protocol": "TCP",
        }
    ]
    assert TRACKER_CONTAINER["livenessProbe"]["httpGet"] == {
        "path": "/healthz",
        "port": "http-metrics",
    }


def test_the_tracker_names_itself_and_its_lease_namespace_from_the_pod() -> None:
    sources = {
        item["name"]: item["valueFrom"]["fieldRef"]["fieldPath"]
        for item in TRACKER_CONTAINER["env"]
        if "valueFrom" in item
    }

    assert sources == {
        "POD_NAME": "metadata.name",
        "POD_NAMESPACE": "metadata.namespace",
    }


def test_the_leader_election_role_names_the_lease_the_tracker_takes() -> None:
    role = find(BASE_DOCUMENTS, "Role", "batchguard-tracker-leader-election")

    assert "--lease-name" not in TRACKER_CONTAINER["args"]
    assert role["rules"][1]["resourceNames"] == [LeaseSettings(namespace="x").name]

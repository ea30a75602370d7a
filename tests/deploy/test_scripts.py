"""deploy/render-manual-certs.sh and deploy/sync-policies.sh, run on a copy."""

from __future__ import annotations

import base64
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import trustme
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None, reason="the scripts need bash"
)


def run_script(
    script: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(script), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def bundle_fingerprints(generated: Path) -> list[bytes]:
    (patch,) = yaml.safe_load((generated / "ca-bundle.yaml").read_text())
    pem = base64.b64decode(patch["value"])
    certificates = x509.load_pem_x509_certificates(pem)
    return [certificate.fingerprint(hashes.SHA256()) for certificate in certificates]


def fingerprint(path: Path) -> bytes:
    certificate = x509.load_pem_x509_certificate(path.read_bytes())
    return certificate.fingerprint(hashes.SHA256())


def write_cli_wrapper(path: Path) -> None:
    """An executable that runs this checkout's ``batchguard`` command."""
    path.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from webhook.cli.main import main\n"
        "main()\n"
    )
    path.chmod(0o755)


def copy_deploy(target: Path) -> Path:
    shutil.copytree(ROOT / "deploy", target, ignore=shutil.ignore_patterns("generated"))
    return target


def render_in(
    deploy: Path, *args: str, command: Path | str
) -> subprocess.CompletedProcess[str]:
    return run_script(
        deploy / "render-manual-certs.sh", *args, env={"BATCHGUARD": str(command)}
    )


def seed_certificates(generated: Path) -> None:
    """Certificates as an earlier render left them, made without the CLI."""
    authority = trustme.CA()
    server = authority.issue_cert("batchguard-webhook.batchguard-system.svc")
    generated.mkdir()
    (generated / "ca.crt").write_bytes(authority.cert_pem.bytes())
    (generated / "tls.crt").write_bytes(server.cert_chain_pems[0].bytes())
    (generated / "tls.key").write_bytes(server.private_key_pem.bytes())


@pytest.fixture(scope="module")
def first_render(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """deploy/ copied once and rendered once with this checkout's CLI."""
    base = tmp_path_factory.mktemp("first-render")
    command = base / "batchguard"
    write_cli_wrapper(command)
    deploy = copy_deploy(base / "deploy")
    return deploy, render_in(deploy, command=command)


@pytest.fixture
def render(deploy_copy: Path, tmp_path: Path) -> Any:
    command = tmp_path / "batchguard"
    write_cli_wrapper(command)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return render_in(deploy_copy, *args, command=command)

    return run


@pytest.fixture
def generated(deploy_copy: Path) -> Path:
    return deploy_copy / "overlays" / "manual-certs" / "generated"


def test_the_first_render_writes_certificates_and_the_ca_bundle_patch(
    first_render: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    deploy, result = first_render
    generated = deploy / "overlays" / "manual-certs" / "generated"

    assert result.returncode == 0, result.stderr
    (patch,) = yaml.safe_load((generated / "ca-bundle.yaml").read_text())
    assert patch["op"] == "add"
    assert patch["path"] == "/webhooks/0/clientConfig/caBundle"
    assert base64.b64decode(patch["value"]) == (generated / "ca.crt").read_bytes()
    assert sorted(p.name for p in generated.iterdir()) == [
        "ca-bundle.yaml",
        "ca.crt",
        "ca.key",
        "tls.crt",
        "tls.key",
    ]
    for key in ("ca.key", "tls.key"):
        assert stat.S_IMODE((generated / key).stat().st_mode) == 0o600


def test_the_rendered_overlay_builds(
    first_render: tuple[Path, subprocess.CompletedProcess[str]], kustomize: Any
) -> None:
    deploy, _ = first_render
    overlay = deploy / "overlays" / "manual-certs"

    documents = kustomize(overlay)

    bundles = {
        base64.b64decode(doc["webhooks"][0]["clientConfig"]["caBundle"])
        for doc in documents
        if doc["kind"].endswith("WebhookConfiguration")
    }
    assert bundles == {(overlay / "generated" / "ca.crt").read_bytes()}


def test_rendering_again_keeps_the_certificates(render: Any, generated: Path) -> None:
    seed_certificates(generated)
    before = fingerprint(generated / "tls.crt")

    result = render()

    assert result.returncode == 0, result.stderr
    assert fingerprint(generated / "tls.crt") == before
    assert bundle_fingerprints(generated) == [fingerprint(generated / "ca.crt")]


def test_rotation_trusts_the_new_and_the_previous_ca_until_dropped(
    render: Any, generated: Path
) -> None:
    seed_certificates(generated)
    old_ca = fingerprint(generated / "ca.crt")

    rotated = render("--rotate")
    new_ca = fingerprint(generated / "ca.crt")
    during = bundle_fingerprints(generated)
    dropped = render("--drop-previous-ca")

    assert (rotated.returncode, dropped.returncode) == (0, 0)
    assert new_ca != old_ca
    assert during == [new_ca, old_ca]
    assert bundle_fingerprints(generated) == [new_ca]
    assert not (generated / "previous-ca.crt").exists()


def test_an_unknown_argument_prints_the_usage_and_exits_2(render: Any) -> None:
    result = render("--frobnicate")

    assert result.returncode == 2
    assert "render-manual-certs.sh --rotate" in result.stderr


def test_dropping_a_ca_before_any_render_fails_with_advice(render: Any) -> None:
    result = render("--drop-previous-ca")

    assert result.returncode == 1
    assert "generated/ holds no CA yet" in result.stderr


def test_a_failing_certificate_command_leaves_nothing_behind(
    deploy_copy: Path, generated: Path
) -> None:
    result = run_script(
        deploy_copy / "render-manual-certs.sh", env={"BATCHGUARD": "false"}
    )

    assert result.returncode == 1
    assert "generated/ is unchanged" in result.stderr
    assert list(generated.iterdir()) == []


def test_a_failed_rotation_keeps_the_current_certificates(
    deploy_copy: Path, generated: Path
) -> None:
    seed_certificates(generated)
    before = fingerprint(generated / "ca.crt")

    result = run_script(
        deploy_copy / "render-manual-certs.sh",
        "--rotate",
        env={"BATCHGUARD": "false"},
    )

    assert result.returncode == 1
    assert fingerprint(generated / "ca.crt") == before
    assert sorted(p.name for p in generated.iterdir()) == [
        "ca.crt",
        "tls.crt",
        "tls.key",
    ]


def test_sync_policies_mirrors_the_policy_directory(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    policies = tmp_path / "policies"
    (policies / "examples").mkdir(parents=True)
    (policies / "teams.yaml").write_text("kind: BatchPolicy\n")
    (policies / "limits.json").write_text("{}\n")
    (policies / ".draft.yaml").write_text("kind: BatchPolicy\n")
    (policies / "README.md").write_text("Policies.\n")
    (policies / "examples" / "nested.yaml").write_text("kind: BatchPolicy\n")
    target = tmp_path / "deploy" / "base" / "policies"
    (target / "stale.yaml").write_text("kind: BatchPolicy\n")

    result = run_script(tmp_path / "deploy" / "sync-policies.sh")

    (generator,) = yaml.safe_load((target / "kustomization.yaml").read_text())[
        "configMapGenerator"
    ]
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in target.iterdir()) == [
        "kustomization.yaml",
        "limits.json",
        "teams.yaml",
    ]
    assert sorted(generator["files"]) == ["limits.json", "teams.yaml"]
    assert (target / "teams.yaml").read_text() == "kind: BatchPolicy\n"

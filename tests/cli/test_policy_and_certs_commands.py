"""``batchguard policy`` and ``batchguard certs``: exit codes and exact outputs."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import jsonschema
import pytest
import yaml
from cryptography import x509

from webhook.cli.main import run
from webhook.policy.schema import policy_schema

ROOT = Path(__file__).parents[2]


def test_the_published_schema_is_the_one_the_loader_uses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["policy", "schema"]) == 0

    printed = json.loads(capsys.readouterr().out)
    published = json.loads((ROOT / "webhook" / "policy" / "schema.json").read_text())
    assert printed == published == policy_schema()
    jsonschema.Draft202012Validator.check_schema(published)


def test_every_shipped_policy_validates_against_the_published_schema() -> None:
    validator = jsonschema.Draft202012Validator(policy_schema())
    files = sorted(ROOT.glob("policies/*.yaml")) + sorted(
        ROOT.glob("policies/examples/*.yaml")
    )

    errors = [
        (path.name, error.message)
        for path in files
        for document in yaml.safe_load_all(path.read_text())
        for error in validator.iter_errors(document)
    ]

    assert len(files) >= 3
    assert errors == []


def test_lint_of_the_shipped_policies_finds_no_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["policy", "lint", str(ROOT / "policies")]) == 0

    assert capsys.readouterr().err == "2 policies, 0 errors, 0 warnings\n"


POLICY = """\
apiVersion: batchguard.io/v1alpha1
kind: BatchPolicy
metadata: {name: %s}
spec:
  priority: %d
  match: %s
  rules: %s
"""


def write_policy(
    directory: Path, name: str, *, priority: int = 0, match: str = "{}", rules: str
) -> None:
    (directory / f"{name}.yaml").write_text(POLICY % (name, priority, match, rules))


def test_lint_reports_conflicts_and_rules_that_never_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_policy(
        tmp_path, "team", priority=10, rules="{ttlSecondsAfterFinished: {default: 60}}"
    )
    write_policy(tmp_path, "base", rules="{ttlSecondsAfterFinished: {default: 600}}")
    write_policy(
        tmp_path,
        "jobs-only",
        match="{kinds: [Job]}",
        rules="{historyLimits: {successfulJobsHistoryLimit: {maximum: 5}}}",
    )
    write_policy(
        tmp_path,
        "nowhere",
        match='{namespaces: ["team-*"], excludeNamespaces: ["team-*"]}',
        rules="{backoffLimit: {maximum: 3}}",
    )
    write_policy(tmp_path, "dormant", rules="{trackingFinalizer: {}}")

    assert run(["policy", "lint", str(tmp_path)]) == 1

    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{tmp_path}/base.yaml#0: warning: policies 'team' (priority 10) and 'base' "
        "(priority 0) configure rule 'ttlSecondsAfterFinished' differently for "
        "objects both can match; 'team' wins [conflict]",
        f"{tmp_path}/dormant.yaml#0: warning: policy 'dormant' configures "
        "trackingFinalizer without trackerDeployed: true, so no finalizer is "
        "injected; deploy the tracker and set trackerDeployed: true, or remove the "
        "rule [finalizer-without-tracker]",
        f"{tmp_path}/jobs-only.yaml#0: error: rule 'historyLimits' of policy "
        "'jobs-only' applies only to CronJob, which the policy does not match "
        "(kinds ['Job']) [rule-never-applies]",
        f"{tmp_path}/nowhere.yaml#0: error: policy 'nowhere' can never match: every "
        "namespace glob in ['team-*'] is excluded by ['team-*'] [never-matches]",
    ]


def test_lint_of_an_invalid_file_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_policy(tmp_path, "bad", rules="{ttlSecondsAfterFinished: {default: -5}}")

    assert run(["policy", "lint", str(tmp_path)]) == 2

    assert capsys.readouterr().err.startswith(
        f"error: {tmp_path}/bad.yaml: document 0: "
    )


def test_certs_generate_writes_a_ca_and_a_serving_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "certs"

    code = run(
        [
            "certs",
            "generate",
            "--service",
            "batchguard",
            "--namespace",
            "ops",
            "--out",
            str(out),
        ]
    )

    assert code == 0
    bundle = capsys.readouterr().out.strip()
    assert base64.b64decode(bundle) == (out / "ca.crt").read_bytes()
    assert stat.S_IMODE((out / "tls.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "ca.key").stat().st_mode) == 0o600
    serving = x509.load_pem_x509_certificate((out / "tls.crt").read_bytes())
    names = serving.extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    ).value
    assert names.get_values_for_type(x509.DNSName) == [
        "batchguard",
        "batchguard.ops",
        "batchguard.ops.svc",
        "batchguard.ops.svc.cluster.local",
        "localhost",
    ]
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == [
        "127.0.0.1",
        "::1",
    ]
    ca = x509.load_pem_x509_certificate((out / "ca.crt").read_bytes())
    serving.verify_directly_issued_by(ca)


def test_certs_generate_refuses_to_overwrite_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "certs",
        "generate",
        "--service",
        "s",
        "--namespace",
        "n",
        "--out",
        str(tmp_path),
    ]
    assert run(args) == 0

    assert run(args) == 2
    assert "already exists; pass --force to replace it." in capsys.readouterr().err
    assert run([*args, "--force"]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--service", "Bad_Svc", "--namespace", "n"],
            "Invalid value for --service: 'Bad_Svc': a lowercase RFC 1123 label",
        ),
        (
            ["--service", "s", "--namespace", "-ns"],
            "Invalid value for --namespace: '-ns': a lowercase RFC 1123 label",
        ),
    ],
    ids=["service", "namespace"],
)
def test_certs_generate_refuses_names_that_are_not_dns_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(["certs", "generate", *args, "--out", str(tmp_path)]) == 2

    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_certs_generate_into_an_unwritable_place_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")

    code = run(
        [
            "certs",
            "generate",
            "--service",
            "s",
            "--namespace",
            "n",
            "--out",
            str(blocker / "x"),
        ]
    )

    assert code == 2
    err = capsys.readouterr().err
    assert f"Cannot write the certificates to '{blocker}/x': " in err
    assert "Traceback" not in err


def test_lint_reports_defaults_that_can_never_be_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_policy(
        tmp_path,
        "odd",
        match="{kinds: [CronJob]}",
        rules=(
            "{timeZone: {default: Mars/Base}, resources: {defaults: "
            "{requests: {memory: 1Gi}, limits: {memory: 512Mi}}}}"
        ),
    )

    assert run(["policy", "lint", str(tmp_path)]) == 1

    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path}/odd.yaml#0: error: the timeZone default 'Mars/Base' of policy "
        "'odd' is not one the apiserver accepts (unknown time zone Mars/Base), so it "
        "is never applied [time-zone-default]",
        f"{tmp_path}/odd.yaml#0: warning: policy 'odd' defaults the memory request "
        "('1Gi') above the memory limit ('512Mi'); a container that gets both "
        "defaults keeps only the limit's value [request-above-limit]",
    ]


def test_check_reads_the_policies_of_the_current_directory_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "policies").mkdir()
    write_policy(
        tmp_path / "policies",
        "strict",
        rules="{ttlSecondsAfterFinished: {maximum: 60, enforcement: deny}}",
    )
    manifest = tmp_path / "job.yaml"
    manifest.write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: a}\n"
        "spec:\n  ttlSecondsAfterFinished: 600\n  template:\n    spec:\n"
        "      restartPolicy: Never\n      containers: [{name: c, image: i}]\n"
    )
    monkeypatch.chdir(tmp_path)

    assert run(["check", "job.yaml", "--format", "json"]) == 1

    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["rule"], f["policy"]) for f in findings] == [
        ("ttlSecondsAfterFinished.maximum", "strict")
    ]

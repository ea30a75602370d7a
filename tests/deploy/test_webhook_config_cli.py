"""``batchguard webhook-config check``: output and exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from webhook.cli.main import run

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [
    str(ROOT / "deploy" / "base" / "mutatingwebhookconfiguration.yaml"),
    str(ROOT / "deploy" / "base" / "validatingwebhookconfiguration.yaml"),
]
UNSCOPED = """\
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


@pytest.fixture
def unscoped(tmp_path: Path) -> Path:
    path = tmp_path / "unscoped.yaml"
    path.write_text(UNSCOPED)
    return path


def test_the_shipped_configurations_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["webhook-config", "check", *SHIPPED])

    assert code == 0
    assert capsys.readouterr().out == (
        "Checked 2 webhook configuration(s): 0 error(s), 0 warning(s).\n"
    )


def test_errors_exit_1_and_print_one_line_per_finding(
    unscoped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["webhook-config", "check", str(unscoped)])

    lines = capsys.readouterr().out.splitlines()
    prefix = f"{unscoped}: MutatingWebhookConfiguration 'example-job-policy': "
    assert code == 1
    assert [line.removeprefix(prefix).split(":")[:2] for line in lines[:-1]] == [
        ["webhooks[0].failurePolicy", " warning"],
        ["webhooks[0].namespaceSelector", " error"],
        ["webhooks[0].rules[0]", " error"],
        ["webhooks[0].timeoutSeconds", " error"],
    ]
    assert lines[-1] == "Checked 1 webhook configuration(s): 3 error(s), 1 warning(s)."


def test_warnings_alone_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mutating.yaml"
    path.write_text(Path(SHIPPED[0]).read_text().replace("failurePolicy: Ignore", ""))

    code = run(["webhook-config", "check", str(path)])

    assert code == 0
    assert capsys.readouterr().out.endswith("0 error(s), 1 warning(s).\n")


def test_json_output_carries_every_field(
    unscoped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["webhook-config", "check", "--format", "json", str(unscoped)])

    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {
        "source": str(unscoped),
        "kind": "MutatingWebhookConfiguration",
        "name": "example-job-policy",
        "path": "webhooks[0].failurePolicy",
        "severity": "warning",
        "check": "failure-policy",
        "message": "failurePolicy 'Fail' on a mutating webhook blocks every matched "
        "Job and CronJob write while the webhook is unreachable.",
        "hint": "set failurePolicy: Ignore for mutation (best effort) and keep Fail "
        "only on the validating webhook, with kube-system and the webhook's "
        "namespace excluded",
    }
    assert [row["severity"] for row in rows] == ["warning", "error", "error", "error"]


def test_a_dash_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(UNSCOPED))

    code = run(["webhook-config", "check", "-"])

    assert code == 1
    assert capsys.readouterr().out.startswith(
        "-: MutatingWebhookConfiguration 'example-job-policy': "
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read: No such file or directory."),
        ("webhooks: [unclosed\n", "not valid YAML: "),
        (b"\xff\xfe", "not UTF-8 text."),
        ("apiVersion: v1\nkind: Namespace\n", "No MutatingWebhookConfiguration"),
    ],
    ids=["missing", "not-yaml", "not-utf8", "no-configuration"],
)
def test_unreadable_input_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | bytes | None,
    message: str,
) -> None:
    path = tmp_path / "input.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)

    code = run(["webhook-config", "check", str(path)])

    assert code == 2
    assert message in capsys.readouterr().err


def test_one_unreadable_file_exits_2_after_reporting_the_others(
    tmp_path: Path, unscoped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["webhook-config", "check", str(unscoped), str(tmp_path / "gone.yaml")])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out.endswith("3 error(s), 1 warning(s).\n")
    assert (
        captured.err
        == f"{tmp_path / 'gone.yaml'}: cannot read: No such file or directory.\n"
    )

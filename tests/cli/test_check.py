"""``batchguard check``: exit codes, inputs, outputs and the manifest corpus."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest
import yaml

from webhook.cli import check as check_module
from webhook.cli.check import Progress
from webhook.cli.commands import COMMANDS

POLICIES = Path(__file__).parent / "policies"
CORPUS = Path(__file__).parents[1] / "data" / "manifests"

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: j
spec:
  backoffLimit: 12
  ttlSecondsAfterFinished: 999999
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: registry.example/m:1}]
"""

CLEAN_JOB = JOB.replace("  backoffLimit: 12\n  ttlSecondsAfterFinished: 999999\n", "")

EXEMPTING_POLICY = """\
apiVersion: batchguard.io/v1alpha1
kind: BatchPolicy
metadata: {name: team-defaults}
spec:
  exemptions:
    - rules: [backoffLimit]
      names: [j]
      reason: Legacy reports retry by design.
  rules:
    backoffLimit: {maximum: 10, enforcement: deny}
"""

# What the cluster (and the test policies) would say about each corpus file:
# 1 for v1beta1 CronJobs, objects the apiserver refuses; 2 for the file with a tab.
CORPUS_EXIT_CODES = {
    "006-gke-jax-job-kustomize-patch.yaml": 1,
    "022-k8sapi-roundtrip-cronjob-v1beta1-v133.yaml": 1,
    "024-k8sweb-cronjob-v1beta1-historical.yaml": 1,
    "029-k8sweb-job-pfp-ignore-tab.yaml": 2,
    "032-k8sweb-job-tmpl-item.yaml": 1,
    "039-kyverno-memory-1000m-multidoc.yaml": 1,
    "044-kia1-cronjob-v1beta1-list-schedule.yaml": 1,
    "053-kubeaudit-cronjob-hostns-v1beta1.yaml": 1,
    "054-kubelinter-restart-policy-multidoc.yaml": 1,
    "058-kubescore-cronjob-restartpolicy-invalid.yaml": 1,
    "059-kubescore-cronjob-restartpolicy-not-set.yaml": 1,
    "060-kubescore-cronjob-v1beta1-deadline.yaml": 1,
    "062-kubescore-netpol-cronjob-multidoc.yaml": 1,
}
CORPUS_FILES = sorted(path.name for path in CORPUS.glob("*.yaml"))


@pytest.fixture
def job_file(tmp_path: Path) -> Path:
    path = tmp_path / "job.yaml"
    path.write_text(JOB)
    return path


def test_the_corpus_has_every_file_listed_in_its_sources() -> None:
    sources = (CORPUS / "SOURCES.md").read_text()

    assert len(CORPUS_FILES) == 62
    assert all(f"`{name}`" in sources for name in CORPUS_FILES)


@pytest.mark.parametrize("name", CORPUS_FILES, ids=lambda name: name[:3])
def test_every_corpus_file_exits_as_the_cluster_would_answer(
    batchguard, name: str
) -> None:
    result = batchguard("check", CORPUS / name, "--policies", POLICIES)

    assert result.code == CORPUS_EXIT_CODES.get(name, 0), result.out


def test_a_denial_and_a_warning_are_listed_by_file_object_and_line(
    batchguard, job_file: Path
) -> None:
    result = batchguard("check", job_file, "--policies", POLICIES)

    assert result.code == 1
    assert result.out == (
        f"{job_file}\n"
        "  Job j (line 1)\n"
        "       6  warn   spec.backoffLimit: backoffLimit 12 is above the policy "
        "maximum 10. (set it to 10 or less) [backoffLimit.maximum]\n"
        "       7  deny   spec.ttlSecondsAfterFinished: ttlSecondsAfterFinished "
        "999999 is above the policy maximum 86400. (set it to 86400 or less) "
        "[ttlSecondsAfterFinished.maximum]\n"
        "Checked 1 object in 1 file: 1 denied.\n"
    )


def test_warnings_alone_exit_zero(batchguard, tmp_path: Path) -> None:
    path = tmp_path / "warn.yaml"
    path.write_text(JOB.replace("  ttlSecondsAfterFinished: 999999\n", ""))

    result = batchguard("check", path, "--policies", POLICIES)

    assert (result.code, result.out.splitlines()[-1]) == (
        0,
        "Checked 1 object in 1 file: 1 with warnings.",
    )


def test_a_clean_tree_exits_zero_and_says_so(batchguard, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CLEAN_JOB)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "b.yml").write_text(CLEAN_JOB)
    (tmp_path / "nested" / "c.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "ConfigMap"})
    )
    (tmp_path / "notes.txt").write_text("kind: [")
    (tmp_path / ".hidden.yaml").write_text("kind: [")

    result = batchguard("check", tmp_path, "--policies", POLICIES)

    assert (result.code, result.out) == (
        0,
        "Checked 2 objects in 3 files: no problems.\n",
    )


@pytest.mark.parametrize(
    "contents",
    [{}, {"notes.txt": "kind: Job", ".hidden.yaml": CLEAN_JOB}],
    ids=["empty", "no-manifest-suffix"],
)
def test_a_directory_without_manifest_files_exits_two(
    batchguard, tmp_path: Path, contents: dict[str, str]
) -> None:
    for name, text in contents.items():
        (tmp_path / name).write_text(text)

    result = batchguard("check", tmp_path, "--policies", POLICIES)

    assert (result.code, result.out, result.err) == (
        2,
        "",
        f"Error: No manifest files (.yaml, .yml or .json) were found under "
        f"{str(tmp_path)!r}; check the path.\n",
    )


def test_a_file_without_jobs_still_counts_as_a_manifest_file(
    batchguard, tmp_path: Path
) -> None:
    (tmp_path / "config.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")

    result = batchguard("check", tmp_path, "--policies", POLICIES)

    assert (result.code, result.out) == (
        0,
        "Checked 0 objects in 1 file: no problems.\n",
    )


def test_a_yaml_error_exits_two_naming_file_and_line(
    batchguard, tmp_path: Path
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("apiVersion: batch/v1\nkind: Job\nmetadata: {name: [}\n")

    result = batchguard("check", path, "--policies", POLICIES)

    assert result.code == 2
    assert result.out.splitlines()[1] == (
        "  error  line 3: not valid YAML: did not find expected node content "
        "(while parsing a flow node at line 3)"
    )


def test_unreadable_input_wins_over_denials(
    batchguard, job_file: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: [\n")

    result = batchguard("check", job_file, broken, "--policies", POLICIES)

    assert result.code == 2
    assert result.out.endswith(": 1 denied, 1 unreadable file.\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "Missing argument 'PATHS...'"),
        (["check", "missing.yaml"], "'missing.yaml' does not exist"),
        (["check", "-", "--format", "xml"], "'xml' is not one of"),
    ],
    ids=["no-paths", "missing-file", "unknown-format"],
)
def test_usage_errors_exit_two(batchguard, args: list[str], message: str) -> None:
    result = batchguard(*args)

    assert result.code == 2
    assert message in result.err


def test_a_bad_policy_file_exits_two(
    batchguard, job_file: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "bad.yaml"
    policy.write_text("apiVersion: batchguard.io/v1alpha1\nkind: BatchPolicy\n")

    result = batchguard("check", job_file, "--policies", policy)

    assert result.code == 2
    assert result.err.startswith(f"Error: {policy}: document 0: ")


def test_standard_input_is_read_for_a_dash(batchguard, stdin) -> None:
    stdin(JOB.encode())

    result = batchguard("check", "-", "--policies", POLICIES, "--format", "json")

    assert result.code == 1
    assert {f["file"] for f in json.loads(result.out)["findings"]} == {"<stdin>"}


def test_the_json_report_lists_objects_findings_and_errors(
    batchguard, job_file: Path
) -> None:
    result = batchguard("check", job_file, "--policies", POLICIES, "--format", "json")

    place = {
        "file": str(job_file),
        "document": 0,
        "item": None,
        "kind": "Job",
        "namespace": None,
        "name": "j",
    }
    assert json.loads(result.out) == {
        "schemaVersion": 1,
        "summary": {
            "files": 1,
            "objects": 1,
            "denied": 1,
            "warned": 0,
            "unreadable": 0,
        },
        "objects": [
            {
                **place,
                "line": 1,
                "allowed": False,
                "skipped": None,
                "exemptions": [],
            }
        ],
        "findings": [
            {
                **place,
                "line": 6,
                "path": "spec.backoffLimit",
                "rule": "backoffLimit.maximum",
                "enforcement": "warn",
                "message": "backoffLimit 12 is above the policy maximum 10.",
                "hint": "set it to 10 or less",
                "policy": "team",
            },
            {
                **place,
                "line": 7,
                "path": "spec.ttlSecondsAfterFinished",
                "rule": "ttlSecondsAfterFinished.maximum",
                "enforcement": "deny",
                "message": "ttlSecondsAfterFinished 999999 is above the policy "
                "maximum 86400.",
                "hint": "set it to 86400 or less",
                "policy": "team",
            },
        ],
        "errors": [],
    }


def test_exemptions_are_listed_per_object_in_text_and_json(
    batchguard, job_file: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(EXEMPTING_POLICY)

    text = batchguard("check", job_file, "--policies", policy)
    report = json.loads(
        batchguard("check", job_file, "--policies", policy, "--format", "json").out
    )

    assert (text.code, text.out) == (
        0,
        f"{job_file}\n"
        "  Job j (line 1)\n"
        "          exempt  team-defaults/backoffLimit: Legacy reports retry by "
        "design.\n"
        "Checked 1 object in 1 file: no problems.\n",
    )
    assert [o["exemptions"] for o in report["objects"]] == [
        [
            {
                "policy": "team-defaults",
                "rule": "backoffLimit",
                "reason": "Legacy reports retry by design.",
            }
        ]
    ]


def test_the_report_goes_to_the_output_file(
    batchguard, job_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "report.sarif"

    result = batchguard(
        "check", job_file, "--policies", POLICIES, "--format", "sarif", "-o", output
    )

    assert (result.code, result.out) == (1, "")
    assert json.loads(output.read_text())["version"] == "2.1.0"


def test_text_is_coloured_on_a_terminal_unless_no_color_is_set(
    batchguard, job_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check_module, "stdout_is_terminal", lambda: True)

    coloured = batchguard("check", job_file, "--policies", POLICIES)
    monkeypatch.setenv("NO_COLOR", "1")
    plain = batchguard("check", job_file, "--policies", POLICIES)

    assert "\x1b[31mdeny " in coloured.out
    assert "\x1b[" not in plain.out


def test_options_can_come_from_the_environment(
    batchguard, job_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATCHGUARD_CHECK_FORMAT", "json")

    result = batchguard("check", job_file, "--policies", POLICIES)

    assert json.loads(result.out)["summary"]["denied"] == 1


def test_the_namespace_option_fills_in_objects_without_one(
    batchguard, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        dedent(
            """\
            apiVersion: batchguard.io/v1alpha1
            kind: BatchPolicy
            metadata: {name: team-only}
            spec:
              match: {namespaces: [team-*]}
              rules:
                backoffLimit: {maximum: 1, enforcement: deny}
            """
        )
    )
    job = tmp_path / "job.yaml"
    job.write_text(CLEAN_JOB.replace("spec:\n", "spec:\n  backoffLimit: 2\n", 1))

    elsewhere = batchguard("check", job, "--policies", policy)
    in_team = batchguard("check", job, "--policies", policy, "--namespace", "team-a")

    assert (elsewhere.code, in_team.code) == (0, 1)


def test_the_namespace_option_is_shown_for_objects_without_one(
    batchguard, job_file: Path
) -> None:
    args = ("check", job_file, "--policies", POLICIES, "--namespace", "team-a")

    text = batchguard(*args)
    report = json.loads(batchguard(*args, "--format", "json").out)

    assert text.out.splitlines()[1] == "  Job team-a/j (line 1)"
    assert {o["namespace"] for o in report["objects"] + report["findings"]} == {
        "team-a"
    }


def test_progress_shows_on_stderr_only_once_the_run_is_long(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = [0.0]
    progress = Progress(enabled=True, after=2.0, every=0.5, clock=lambda: now[0])

    progress.update(1)
    now[0] = 2.0
    progress.update(7)
    now[0] = 2.1
    progress.update(8)
    progress.close()

    assert capsys.readouterr().err == "\rChecked 7 files...\r\x1b[K"


def test_progress_is_silent_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    progress = Progress(enabled=False, after=0.0, clock=lambda: 10.0)

    progress.update(3)
    progress.close()

    assert capsys.readouterr().err == ""


def test_the_pre_commit_hooks_run_the_check_and_fix_commands() -> None:
    hooks = yaml.safe_load(
        (Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text()
    )

    assert [(h["id"], h["entry"], h["language"]) for h in hooks] == [
        ("batchguard-check", "batchguard check", "python"),
        ("batchguard-fix", "batchguard fix", "python"),
    ]
    assert {h["entry"].split()[1] for h in hooks} <= set(COMMANDS)

"""Contract tests: ``batchguard audit`` against recorded apiserver answers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from tracker.replay_apiserver import ReplayApiserver, Reply

from webhook.cli.main import run

TEAM_A_JOBS = "/apis/batch/v1/namespaces/team-a/jobs"
TEAM_A_CRONJOBS = "/apis/batch/v1/namespaces/team-a/cronjobs"
ALL_JOBS = "/apis/batch/v1/jobs"
ALL_CRONJOBS = "/apis/batch/v1/cronjobs"
SECOND_PAGE_TOKEN = (
    "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NTEwMDIsInN0YXJ0IjoidGVhbS1hL2V0bC1sb2Fk"
    "XHUwMDAwIn0"
)
POLICY = """\
apiVersion: batchguard.io/v1alpha1
kind: BatchPolicy
metadata:
  name: audit-strict
spec:
  match:
    kinds: [Job, CronJob]
  rules:
    ttlSecondsAfterFinished:
      default: 3600
      maximum: 86400
      enforcement: deny
    resources:
      defaults:
        requests: {cpu: 100m, memory: 128Mi}
      enforcement: warn
    historyLimits:
      successfulJobsHistoryLimit: {maximum: 10}
      failedJobsHistoryLimit: {maximum: 10}
      enforcement: deny
"""


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY)
    return path


@pytest.fixture
def team_a(apiserver: ReplayApiserver) -> ReplayApiserver:
    apiserver.expect(
        "GET",
        TEAM_A_JOBS,
        Reply.of("audit-jobs-team-a-page-1.json"),
        Reply.of("audit-jobs-team-a-page-2.json"),
    )
    apiserver.expect("GET", TEAM_A_CRONJOBS, Reply.of("audit-cronjobs-team-a.json"))
    return apiserver


@pytest.fixture
def everywhere(apiserver: ReplayApiserver) -> ReplayApiserver:
    apiserver.expect("GET", ALL_JOBS, Reply.of("audit-jobs-all.json"))
    apiserver.expect("GET", ALL_CRONJOBS, Reply.of("audit-cronjobs-all.json"))
    return apiserver


def audit(kubeconfig: Path, policy: Path, *args: str) -> int:
    return run(
        ["audit", "--kubeconfig", str(kubeconfig), "--policies", str(policy), *args]
    )


def test_a_namespace_is_listed_page_by_page_following_continue_tokens(
    team_a, kubeconfig, policy
):
    code = audit(kubeconfig, policy, "--namespace", "team-a", "--page-size", "2")

    assert code == 0
    first, second = team_a.sent("GET", TEAM_A_JOBS)
    assert first.query == {"limit": ["2"]}
    assert second.query == {"limit": ["2"], "continue": [SECOND_PAGE_TOKEN]}
    [cronjobs] = team_a.sent("GET", TEAM_A_CRONJOBS)
    assert cronjobs.query == {"limit": ["2"]}
    assert team_a.unexpected == []


def test_the_text_report_shows_what_admission_would_change_and_refuse(
    team_a, kubeconfig, policy, capsys
):
    audit(kubeconfig, policy, "-n", "team-a")

    assert capsys.readouterr().out == (
        "namespaces/team-a/jobs/adhoc-backfill\n"
        "  Job team-a/adhoc-backfill (line 1)\n"
        "      15  audit  spec.ttlSecondsAfterFinished: Admission would change this "
        "object: Set ttlSecondsAfterFinished to the policy default 3600. "
        "[ttlSecondsAfterFinished]\n"
        "      40  audit  spec.template.spec.containers[0].resources.requests.cpu: "
        "Admission would change this object: Set requests.cpu of container 'main' "
        "to the policy default '100m'. [resources]\n"
        "      40  audit  spec.template.spec.containers[0].resources.requests.memory: "
        "Admission would change this object: Set requests.memory of container "
        "'main' to the policy default '128Mi'. [resources]\n"
        "Checked 4 objects in 4 files: no problems.\n"
    )


def test_all_namespaces_are_listed_at_the_cluster_paths_and_a_denial_exits_1(
    everywhere, kubeconfig, policy, capsys
):
    code = audit(kubeconfig, policy, "--all-namespaces", "--format", "json")

    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == {
        "files": 4,
        "objects": 4,
        "denied": 1,
        "warned": 0,
        "unreadable": 0,
    }
    [denial] = [f for f in report["findings"] if f["enforcement"] == "deny"]
    assert (denial["file"], denial["path"], denial["rule"]) == (
        "namespaces/team-b/cronjobs/sync-hourly",
        "spec.successfulJobsHistoryLimit",
        "historyLimits.maximum",
    )
    assert [o["file"] for o in report["objects"]] == [
        "namespaces/team-a/cronjobs/nightly-report",
        "namespaces/team-a/jobs/adhoc-backfill",
        "namespaces/team-b/cronjobs/sync-hourly",
        "namespaces/team-b/jobs/etl-load",
    ]


def test_sarif_and_junit_reports_carry_the_denial(
    everywhere, kubeconfig, policy, tmp_path
):
    everywhere.expect("GET", ALL_JOBS, Reply.of("audit-jobs-all.json"))
    everywhere.expect("GET", ALL_CRONJOBS, Reply.of("audit-cronjobs-all.json"))
    sarif, junit = tmp_path / "audit.sarif", tmp_path / "audit.xml"

    audit(kubeconfig, policy, "-A", "--format", "sarif", "--output", str(sarif))
    audit(kubeconfig, policy, "-A", "--format", "junit", "--output", str(junit))

    results = json.loads(sarif.read_text())["runs"][0]["results"]
    errors = [r["ruleId"] for r in results if r["level"] == "error"]
    assert errors == ["historyLimits.maximum"]
    failures = ElementTree.parse(junit).getroot().iter("failure")
    assert [f.get("type") for f in failures] == ["historyLimits.maximum"]


def test_without_a_namespace_the_contexts_namespace_is_audited(
    team_a, kubeconfig, policy
):
    code = audit(kubeconfig, policy, "--context", "team-a")

    assert code == 0
    assert len(team_a.sent("GET", TEAM_A_JOBS)) == 2


def test_namespace_and_all_namespaces_together_are_a_usage_error(
    kubeconfig, policy, capsys
):
    code = audit(kubeconfig, policy, "-n", "team-a", "-A")

    assert code == 2
    assert "Give --namespace or --all-namespaces, not both." in capsys.readouterr().err


def test_a_refused_listing_names_the_resource_and_namespace(
    apiserver, kubeconfig, policy, capsys
):
    forbidden = "/apis/batch/v1/namespaces/team-c/jobs"
    apiserver.expect("GET", forbidden, Reply.of("status-403-jobs-list.json", 403))

    code = audit(kubeconfig, policy, "-n", "team-c")

    assert code == 2
    assert (
        "Cannot list jobs in namespace 'team-c': HTTP 403 Forbidden."
        in capsys.readouterr().err
    )

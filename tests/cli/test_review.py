"""Dry-run review: ``review_documents``, its JSON answer and ``batchguard review``."""

from __future__ import annotations

import json
import ssl
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme

from webhook.manifests import ManifestError
from webhook.policy.loader import load_policies
from webhook.review import review_documents, to_json

POLICIES = Path(__file__).parent / "policies"

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: j
  namespace: team-a
spec:
  backoffLimit: 12
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: registry.example/m:1}]
"""

DIFF = """\
--- Job team-a/j (submitted)
+++ Job team-a/j (after batchguard)
@@ -11,3 +11,4 @@
       containers:
       - name: m
         image: registry.example/m:1
+  ttlSecondsAfterFinished: 3600
"""


@pytest.fixture(scope="module")
def policies():
    return load_policies([POLICIES])


def test_the_review_answer_has_verdict_findings_patch_object_and_diff(
    policies,
) -> None:
    reviews = review_documents(
        JOB + "---\nkind: ConfigMap\n",
        namespace=None,
        operation="CREATE",
        policies=policies,
    )

    answer = to_json(reviews)

    mutated = json.loads(json.dumps(answer["objects"][0]["mutated"]))
    assert mutated["spec"]["ttlSecondsAfterFinished"] == 3600
    assert answer == {
        "allowed": True,
        "objects": [
            {
                "kind": "Job",
                "namespace": "team-a",
                "name": "j",
                "document": 0,
                "item": None,
                "line": 1,
                "allowed": True,
                "skipped": None,
                "violations": [],
                "warnings": [
                    {
                        "rule": "backoffLimit.maximum",
                        "path": "spec.backoffLimit",
                        "line": 7,
                        "message": "backoffLimit 12 is above the policy maximum 10.",
                        "hint": "set it to 10 or less",
                        "policy": "team",
                        "enforcement": "warn",
                    }
                ],
                "audits": [],
                "exemptions": [],
                "patch": [
                    {
                        "op": "add",
                        "path": "/spec/ttlSecondsAfterFinished",
                        "value": 3600,
                    }
                ],
                "mutated": answer["objects"][0]["mutated"],
                "diff": DIFF,
            }
        ],
    }


def test_reader_findings_deny_in_the_review_too(policies) -> None:
    [review] = review_documents(
        JOB.replace("name: j\n", "name: j\n  labels: {dry-run: no}\n"),
        namespace=None,
        operation="CREATE",
        policies=policies,
    )

    assert not review.allowed
    assert [f.rule for f in review.findings][:1] == ["manifests.not-a-string"]


def test_an_object_without_a_namespace_shows_the_assumed_one(policies) -> None:
    answer = to_json(
        review_documents(
            JOB.replace("  namespace: team-a\n", ""),
            namespace="team-b",
            operation="CREATE",
            policies=policies,
        )
    )

    [item] = answer["objects"]
    assert (item["namespace"], item["diff"].splitlines()[:2]) == (
        "team-b",
        ["--- Job team-b/j (submitted)", "+++ Job team-b/j (after batchguard)"],
    )


def test_the_object_namespace_wins_over_the_assumed_one(policies) -> None:
    [item] = to_json(
        review_documents(JOB, namespace="team-b", operation="CREATE", policies=policies)
    )["objects"]

    assert item["namespace"] == "team-a"


EXEMPTING_POLICY = """\
apiVersion: batchguard.io/v1alpha1
kind: BatchPolicy
metadata: {name: team-defaults}
spec:
  exemptions:
    - rules: [backoffLimit]
      namespaces: [team-a]
      reason: Legacy reports retry by design.
  rules:
    backoffLimit: {maximum: 10, enforcement: deny}
"""


def test_exemptions_are_in_the_answer_and_printed(batchguard, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(EXEMPTING_POLICY)
    path = tmp_path / "job.yaml"
    path.write_text(JOB)

    [item] = to_json(
        review_documents(
            JOB,
            namespace=None,
            operation="CREATE",
            policies=load_policies([policy]),
        )
    )["objects"]
    result = batchguard("review", path, "--policies", policy)

    assert item["exemptions"] == [
        {
            "policy": "team-defaults",
            "rule": "backoffLimit",
            "reason": "Legacy reports retry by design.",
        }
    ]
    assert (result.code, result.out) == (
        0,
        "Job team-a/j (line 1): allowed\n"
        "  no changes\n"
        "  exempt  team-defaults/backoffLimit: Legacy reports retry by design.\n",
    )


def test_bad_input_is_a_manifest_error_with_its_line(policies) -> None:
    with pytest.raises(ManifestError) as caught:
        review_documents(
            "kind: Job\nspec: [\n",
            namespace=None,
            operation="CREATE",
            policies=policies,
        )

    assert str(caught.value).startswith("<request>:3: not valid YAML: ")


def test_only_create_and_update_are_reviewed(policies) -> None:
    with pytest.raises(ValueError, match="'DELETE' is not reviewed"):
        review_documents(JOB, namespace=None, operation="DELETE", policies=policies)


def test_the_command_prints_the_diff_and_the_findings(
    batchguard, tmp_path: Path
) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(JOB)

    result = batchguard("review", path, "--policies", POLICIES)

    assert result.code == 0
    assert result.out == (
        "Job team-a/j (line 1): allowed\n"
        + DIFF
        + "  warn  line 7: spec.backoffLimit: backoffLimit 12 is above the policy "
        "maximum 10. (set it to 10 or less) [backoffLimit.maximum]\n"
    )


def test_the_command_exits_one_for_a_denied_object(batchguard, stdin) -> None:
    stdin(
        JOB.replace(
            "  backoffLimit: 12\n", "  ttlSecondsAfterFinished: 999999\n"
        ).encode()
    )

    result = batchguard("review", "-", "--policies", POLICIES)

    assert result.code == 1
    assert result.out.splitlines()[0] == "Job team-a/j (line 1): denied"
    assert result.out.splitlines()[1:] == [
        "  no changes",
        "  deny  line 7: spec.ttlSecondsAfterFinished: ttlSecondsAfterFinished "
        "999999 is above the policy maximum 86400. (set it to 86400 or less) "
        "[ttlSecondsAfterFinished.maximum]",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ca", "job.yaml"], "--ca and --token-file need --server."),
        (
            ["--server", "https://127.0.0.1:1", "--policies", str(POLICIES)],
            "--policies applies to local reviews; drop --server.",
        ),
    ],
    ids=["ca-without-server", "policies-with-server"],
)
def test_option_combinations_that_make_no_sense_exit_two(
    batchguard,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job.yaml").write_text(JOB)

    result = batchguard("review", "job.yaml", *args)

    assert result.code == 2
    assert message in result.err


# Against a server: a stand-in for POST /review that answers with review_documents.


class ReviewServer(ThreadingHTTPServer):
    requests: list[dict[str, Any]]
    status: int = 200


class ReviewHandler(BaseHTTPRequestHandler):
    server: ReviewServer

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.requests.append(
            {
                "path": url.path,
                "query": query,
                "type": self.headers["Content-Type"],
                "auth": self.headers.get("Authorization"),
            }
        )
        if self.server.status != 200:
            answer: dict[str, Any] = {"error": "No policies are loaded.", "status": 400}
        else:
            reviews = review_documents(
                body,
                namespace=query.get("namespace"),
                operation=query["operation"],
                policies=load_policies([POLICIES]),
            )
            answer = to_json(reviews)
        data = json.dumps(answer).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ReviewServer, Path]]:
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    review_server = ReviewServer(("127.0.0.1", 0), ReviewHandler)
    review_server.requests = []
    review_server.socket = context.wrap_socket(review_server.socket, server_side=True)
    thread = threading.Thread(
        target=review_server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield review_server, ca_file
    review_server.shutdown()
    review_server.server_close()
    thread.join(timeout=5)


def test_with_a_server_the_file_is_posted_and_the_answer_printed(
    batchguard, server: tuple[ReviewServer, Path], tmp_path: Path
) -> None:
    review_server, ca_file = server
    path = tmp_path / "job.yaml"
    path.write_text(JOB)
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    url = f"https://127.0.0.1:{review_server.server_address[1]}"

    remote = batchguard(
        "review",
        path,
        "--server",
        url,
        "--ca",
        ca_file,
        "--token-file",
        token,
        "--namespace",
        "team-b",
        "--operation",
        "UPDATE",
    )
    local = batchguard(
        "review",
        path,
        "--policies",
        POLICIES,
        "--namespace",
        "team-b",
        "--operation",
        "UPDATE",
    )

    assert remote.code == local.code == 0
    assert remote.out == local.out
    assert review_server.requests == [
        {
            "path": "/review",
            "query": {"operation": "UPDATE", "namespace": "team-b"},
            "type": "application/yaml",
            "auth": "Bearer s3cret",
        }
    ]


def test_a_server_error_exits_two_with_its_message(
    batchguard, server: tuple[ReviewServer, Path], tmp_path: Path
) -> None:
    review_server, ca_file = server
    review_server.status = 400
    path = tmp_path / "job.json"
    path.write_text(json.dumps({"apiVersion": "batch/v1", "kind": "Job"}))
    url = f"https://127.0.0.1:{review_server.server_address[1]}"

    result = batchguard("review", path, "--server", url, "--ca", ca_file)

    assert result.code == 2
    assert result.err == f"Error: {url} answered 400: No policies are loaded.\n"
    assert review_server.requests[0]["type"] == "application/json"


def test_an_untrusted_server_certificate_exits_two(
    batchguard, server: tuple[ReviewServer, Path], tmp_path: Path
) -> None:
    review_server, _ = server
    path = tmp_path / "job.yaml"
    path.write_text(JOB)
    url = f"https://127.0.0.1:{review_server.server_address[1]}"

    result = batchguard("review", path, "--server", url)

    assert result.code == 2
    assert result.err.startswith(f"Error: Cannot reach {url}: ")
    assert "CERTIFICATE_VERIFY_FAILED" in result.err

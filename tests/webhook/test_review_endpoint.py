"""``POST /review``: the dry-run review of manifests over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonpatch
import pytest
import yaml
from flask.testing import FlaskClient
from helpers.corpus import MANIFESTS, UNPARSEABLE, batch_objects

from webhook.server.app import create_app
from webhook.settings import PolicySettings, ServerSettings, ServeSettings, Settings

AUDIT_POLICIES = Path(__file__).parents[1] / "data" / "policies" / "audit"

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: example-job
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: registry.example/app:1
"""

CRONJOB_V1BETA1 = """\
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * 7"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: main
            image: registry.example/app:1
"""


def post(client: FlaskClient, body: str, **query: str) -> tuple[int, Any]:
    response = client.post(
        "/review", data=body, content_type="application/yaml", query_string=query
    )
    return response.status_code, response.get_json()


def test_a_job_gets_its_patch_mutated_object_and_diff(client: FlaskClient) -> None:
    status, body = post(client, JOB, namespace="team-a")

    assert status == 200
    [item] = body["objects"]
    assert item["allowed"] is True
    assert item["patch"] == [
        {"op": "add", "path": "/spec/ttlSecondsAfterFinished", "value": 86400}
    ]
    assert item["mutated"]["spec"]["ttlSecondsAfterFinished"] == 86400
    assert "+  ttlSecondsAfterFinished: 86400" in item["diff"]
    assert item["violations"] == []


def test_the_namespace_in_the_query_is_shown_for_an_object_without_one(
    client: FlaskClient,
) -> None:
    status, body = post(client, JOB, namespace="team-a")

    [item] = body["objects"]
    assert (status, item["namespace"], item["diff"].splitlines()[0]) == (
        200,
        "team-a",
        "--- Job team-a/example-job (submitted)",
    )


def test_the_exemptions_used_are_listed_per_object() -> None:
    settings = Settings(
        policies=PolicySettings(policy_dir=(AUDIT_POLICIES,)),
        server=ServerSettings(),
        serve=ServeSettings(insecure_http=True),
    )
    client = create_app(settings).test_client()
    text = JOB.replace("name: example-job", "name: legacy-etl").replace(
        "spec:\n  template", "spec:\n  backoffLimit: 5\n  template"
    )

    status, body = post(client, text)

    [item] = body["objects"]
    assert (status, item["violations"], item["exemptions"]) == (
        200,
        [],
        [
            {
                "policy": "observe",
                "rule": "backoffLimit",
                "reason": "Legacy jobs retry by design.",
            }
        ],
    )


def test_a_denial_is_reported_with_its_field_path(client: FlaskClient) -> None:
    text = JOB.replace(
        "spec:\n  template", "spec:\n  ttlSecondsAfterFinished: 9999999\n  template"
    )

    status, body = post(client, text)

    assert status == 200
    [item] = body["objects"]
    assert item["allowed"] is False
    assert [v["path"] for v in item["violations"]] == ["spec.ttlSecondsAfterFinished"]


def test_several_documents_are_reviewed_each(client: FlaskClient) -> None:
    status, body = post(client, JOB + "---\n" + CRONJOB_V1BETA1)

    assert status == 200
    assert [item["kind"] for item in body["objects"]] == ["Job", "CronJob"]
    cronjob = body["objects"][1]
    assert cronjob["allowed"] is False
    assert any(
        "end of range (7) above maximum (6)" in v["message"]
        for v in cronjob["violations"]
    )


def test_a_duplicate_key_is_a_denial_with_both_lines(client: FlaskClient) -> None:
    text = JOB.replace("  name: example-job\n", "  name: a\n  name: b\n")

    status, body = post(client, text)

    assert status == 200
    [item] = body["objects"]
    assert item["allowed"] is False
    assert [(v["path"], v["line"], v["message"]) for v in item["violations"]] == [
        ("metadata.name", 5, "duplicate key 'name' in metadata (lines 4 and 5)")
    ]


def test_json_bodies_are_accepted(client: FlaskClient) -> None:
    response = client.post("/review", json=yaml.safe_load(JOB))

    assert response.status_code == 200
    assert len(response.get_json()["objects"]) == 1


@pytest.mark.parametrize(
    ("body", "content_type", "query", "message"),
    [
        ("spec: [unclosed", "application/yaml", {}, "The manifest cannot be read: "),
        (JOB, "image/png", {}, "Content-Type 'image/png' is not supported;"),
        (
            JOB,
            "application/yaml",
            {"operation": "DELETE"},
            "operation 'DELETE' is not supported",
        ),
    ],
    ids=["not-yaml", "wrong-content-type", "wrong-operation"],
)
def test_bad_input_gets_400_with_a_json_error(
    client: FlaskClient,
    body: str,
    content_type: str,
    query: dict[str, str],
    message: str,
) -> None:
    response = client.post(
        "/review", data=body, content_type=content_type, query_string=query
    )

    assert response.status_code == 400
    assert response.get_json()["error"].startswith(message)


def test_the_endpoint_can_be_disabled(make_client: Any) -> None:
    client = make_client(review_enabled=False)

    response = client.post("/review", data=JOB, content_type="application/yaml")

    assert response.status_code == 404
    assert (
        response.get_json()["error"]
        == "The review endpoint is disabled on this server."
    )


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (None, 401),
        ("Bearer wrong", 401),
        ("Basic s3cret", 401),
        ("Bearer s3cret", 200),
    ],
    ids=["no-token", "wrong-token", "wrong-scheme", "right-token"],
)
def test_a_token_file_requires_a_bearer_token(
    make_client: Any, tmp_path: Path, header: str | None, status: int
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s3cret\n")
    client = make_client(review_token_file=token_file)
    headers = {"Authorization": header} if header else {}

    response = client.post(
        "/review", data=JOB, content_type="application/yaml", headers=headers
    )

    assert response.status_code == status


def test_a_body_over_the_limit_gets_400(make_client: Any) -> None:
    client = make_client(max_body_bytes=256)

    response = client.post("/review", data=JOB * 3, content_type="application/yaml")

    assert response.status_code == 400


def batch_object_count(text: str) -> int:
    versions = ("batch/v1", "batch/v1beta1")
    documents = yaml.safe_load_all(text)
    return sum(1 for d in documents for _ in batch_objects(d, versions=versions))


@pytest.mark.parametrize("path", MANIFESTS, ids=[p.name for p in MANIFESTS])
def test_every_corpus_file_gets_a_review_of_each_job_and_cronjob(
    client: FlaskClient, path: Path
) -> None:
    text = path.read_text()

    status, body = post(client, text, namespace="corpus")

    if path.name in UNPARSEABLE:
        assert status == 400
        assert body["error"].startswith("The manifest cannot be read: ")
        return
    assert status == 200
    assert len(body["objects"]) == batch_object_count(text)
    for item in body["objects"]:
        assert isinstance(item["allowed"], bool)
        assert item["namespace"] is not None
        assert (
            jsonpatch.apply_patch(yaml_object(text, item), item["patch"])
            == item["mutated"]
        )


def yaml_object(text: str, item: dict[str, Any]) -> Any:
    document = list(yaml.safe_load_all(text))[item["document"]]
    return document if item["item"] is None else document["items"][item["item"]]


def test_a_value_that_is_not_a_string_is_reported_once(client: FlaskClient) -> None:
    text = JOB.replace(
        "  template:\n    spec:\n",
        "  template:\n    metadata: {annotations: {sci: 1e3}}\n    spec:\n",
    )

    status, body = post(client, text)

    assert status == 200
    [item] = body["objects"]
    assert [(v["rule"], v["path"]) for v in item["violations"]] == [
        ("manifests.not-a-string", "spec.template.metadata.annotations.sci")
    ]

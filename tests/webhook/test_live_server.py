"""The real server: gunicorn over TLS on loopback, fed the shared corpus."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonpatch
import pytest
import requests
from helpers.admission import review
from helpers.corpus import corpus_objects
from helpers.kube_schema import schema_error
from helpers.live_server import LiveServer, live_server

pytestmark = pytest.mark.server

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
ADMISSION = sorted((DATA / "admission").glob("*.json"))

BARE_REQUESTS = {
    "007-kw-bare-create-job-minimal.json",
    "008-kw-bare-create-job-root.json",
    "009-kw-bare-delete-deployment.json",
    "010-kw-bare-update-deployment-oldobject.json",
}
# The API round-trip fixture uses placeholder values such as "operationValue".
PLACEHOLDER_OPERATION = {
    "001-k8sapi-roundtrip-admissionreview-v1.json",
    "002-k8sapi-roundtrip-admissionreview-v1beta1.json",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("live")
    with live_server(workdir, policy_dirs=[ROOT / "policies"]) as running:
        yield running


def post(server: LiveServer, path: str, body: Any) -> requests.Response:
    return requests.post(
        f"{server.url}{path}", json=body, verify=server.ca_file, timeout=10
    )


BATCH_DOCUMENTS = list(corpus_objects())


@pytest.mark.parametrize("path", ADMISSION, ids=[p.name for p in ADMISSION])
@pytest.mark.parametrize("endpoint", ["/mutate", "/validate"])
def test_every_corpus_review_gets_a_well_formed_answer(
    server: LiveServer, endpoint: str, path: Path
) -> None:
    body = json.loads(path.read_text())

    response = post(server, endpoint, body)

    if path.name in BARE_REQUESTS | PLACEHOLDER_OPERATION:
        assert response.status_code == 400
        assert set(response.json()) == {"error", "status"}
        return
    assert response.status_code == 200
    answer = response.json()
    assert answer["apiVersion"] == body["apiVersion"]
    assert answer["kind"] == "AdmissionReview"
    assert answer["response"]["uid"] == body["request"]["uid"]
    assert isinstance(answer["response"]["allowed"], bool)


@pytest.mark.parametrize(
    ("name", "obj"), BATCH_DOCUMENTS, ids=[name for name, _ in BATCH_DOCUMENTS]
)
def test_every_corpus_object_is_patched_into_a_schema_valid_object(
    server: LiveServer, name: str, obj: dict[str, Any]
) -> None:
    request = review(obj, kind=obj["kind"], name=obj["metadata"].get("name", ""))

    answer = post(server, "/mutate", request).json()["response"]

    assert answer["allowed"] is True
    patched = copy.deepcopy(obj)
    if "patch" in answer:
        assert answer["patchType"] == "JSONPatch"
        patch = json.loads(base64.b64decode(answer["patch"]))
        patched = jsonpatch.apply_patch(obj, patch)
    before = schema_error(obj)
    assert schema_error(patched) == before, name


def test_validate_answers_every_corpus_object(server: LiveServer) -> None:
    answers = [
        post(server, "/validate", review(obj, kind=obj["kind"])).json()["response"]
        for _, obj in BATCH_DOCUMENTS
    ]

    assert all("patch" not in answer for answer in answers)
    assert all(isinstance(answer["allowed"], bool) for answer in answers)

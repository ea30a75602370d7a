"""Fuzzing the admission endpoints, the engine and /review with generated input.

Whatever arrives, the webhook answers a 400 with a JSON error or a well-formed
AdmissionReview for the same uid, never a 500 and never an internal error; any
patch applies to the object sent; the engine never raises and is idempotent.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import jsonpatch
import yaml
from flask.testing import FlaskClient
from helpers.job_strategies import JSON, WORKLOADS, admission_reviews
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from webhook.policy.engine import review
from webhook.policy.model import PolicySet


def fuzz(examples: int) -> settings:
    """Reproducible runs (the same examples every time), kept short for CI."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


ENDPOINTS = ("mutate", "validate")
INTERNAL_ERROR = "internal error"


def post_json(client: FlaskClient, endpoint: str, body: Any) -> TestResponse:
    return client.post(
        f"/{endpoint}", data=json.dumps(body), content_type="application/json"
    )


def assert_refused(response: TestResponse) -> None:
    body = response.get_json()
    assert response.status_code == 400, response.get_data(as_text=True)
    assert isinstance(body["error"], str) and body["error"]


def decoded(patch: str) -> list[dict[str, Any]]:
    operations: list[dict[str, Any]] = json.loads(base64.b64decode(patch))
    return operations


def assert_answers(response: TestResponse, *, sent: Any, endpoint: str) -> None:
    """A 400 JSON error, or the AdmissionReview answer for ``sent``."""
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert_refused(response)
        return
    body = response.get_json()
    answer = body["response"]
    assert (body["apiVersion"], body["kind"]) == (sent["apiVersion"], "AdmissionReview")
    assert answer["uid"] == sent["request"]["uid"]
    assert isinstance(answer["allowed"], bool)
    assert INTERNAL_ERROR not in answer.get("status", {}).get("message", "")
    if endpoint == "validate":
        assert "patch" not in answer and "patchType" not in answer
    elif "patch" in answer:
        assert answer["patchType"] == "JSONPatch"
        jsonpatch.apply_patch(sent["request"]["object"], decoded(answer["patch"]))


@fuzz(60)
@given(body=JSON)
def test_any_json_that_is_not_a_review_is_refused_with_a_json_error(
    client: FlaskClient, body: Any
) -> None:
    for endpoint in ENDPOINTS:
        response = post_json(client, endpoint, body)

        assert_refused(response)


@fuzz(60)
@given(body=st.binary(max_size=200))
def test_any_bytes_are_refused_with_a_json_error(
    client: FlaskClient, body: bytes
) -> None:
    for endpoint in ENDPOINTS:
        response = client.post(
            f"/{endpoint}", data=body, content_type="application/json"
        )

        assert_refused(response)


@fuzz(50)
@given(sent=admission_reviews())
def test_admission_reviews_get_an_answer_for_their_uid_and_patches_apply(
    client: FlaskClient, sent: dict[str, Any]
) -> None:
    for endpoint in ENDPOINTS:
        response = post_json(client, endpoint, sent)

        assert_answers(response, sent=sent, endpoint=endpoint)


@fuzz(60)
@given(
    obj=WORKLOADS,
    old=st.none() | WORKLOADS,
    operation=st.sampled_from(["CREATE", "UPDATE"]),
)
def test_the_engine_never_raises_its_patch_applies_and_a_second_review_changes_nothing(
    default_policies: PolicySet, obj: dict[str, Any], old: Any, operation: Any
) -> None:
    sent = copy.deepcopy(obj)

    outcome = review(
        obj, policies=default_policies, operation=operation, old=old, namespace="ns"
    )
    again = review(
        outcome.mutated,
        policies=default_policies,
        operation=operation,
        old=old,
        namespace="ns",
    )

    assert obj == sent
    assert jsonpatch.apply_patch(obj, outcome.patch) == outcome.mutated
    assert again.patch == []


def assert_review_answer(response: TestResponse) -> None:
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert_refused(response)
        return
    body = response.get_json()
    assert isinstance(body["allowed"], bool)
    for item in body["objects"]:
        assert isinstance(item["patch"], list)
        assert isinstance(item["allowed"], bool)


@fuzz(60)
@given(text=st.text(max_size=300))
def test_review_answers_any_text_with_json_never_a_500(
    client: FlaskClient, text: str
) -> None:
    response = client.post("/review", data=text, content_type="application/yaml")

    assert_review_answer(response)


@fuzz(30)
@given(documents=st.lists(WORKLOADS | JSON, min_size=1, max_size=3))
def test_review_answers_generated_manifests_with_json_never_a_500(
    client: FlaskClient, documents: list[Any]
) -> None:
    text = yaml.safe_dump_all(documents)

    response = client.post("/review", data=text, content_type="application/yaml")

    assert_review_answer(response)

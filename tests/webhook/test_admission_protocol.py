"""The AdmissionReview protocol as the apiserver expects it, via the test client."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers.admission import decoded_patch, job, review

from webhook.server.app import create_app
from webhook.settings import PolicySettings, ServeSettings, Settings

UID = "00000000-0000-0000-0000-000000000001"
TTL_PATCH = [{"op": "add", "path": "/spec/ttlSecondsAfterFinished", "value": 86400}]


def post(client: FlaskClient, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    response = client.post(path, json=body)
    return response.status_code, response.get_json()


def test_mutate_adds_the_default_ttl_as_a_base64_json_patch(
    client: FlaskClient,
) -> None:
    status, body = post(client, "/mutate", review(job()))

    assert status == 200
    assert body["apiVersion"] == "admission.k8s.io/v1"
    assert body["kind"] == "AdmissionReview"
    assert body["response"]["uid"] == UID
    assert body["response"]["allowed"] is True
    assert body["response"]["patchType"] == "JSONPatch"
    assert decoded_patch(body) == TTL_PATCH


def test_mutate_sends_no_patch_fields_when_nothing_changes(client: FlaskClient) -> None:
    status, body = post(client, "/mutate", review(job(ttlSecondsAfterFinished=600)))

    assert status == 200
    assert body == {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": {"uid": UID, "allowed": True},
    }


def test_v1beta1_review_is_answered_in_v1beta1(client: FlaskClient) -> None:
    body = review(job(), version="admission.k8s.io/v1beta1")

    status, answer = post(client, "/mutate", body)

    assert status == 200
    assert answer["apiVersion"] == "admission.k8s.io/v1beta1"
    assert decoded_patch(answer) == TTL_PATCH


def test_validate_denies_with_403_and_every_violation_with_its_path(
    client: FlaskClient,
) -> None:
    status, body = post(
        client, "/validate", review(job(ttlSecondsAfterFinished=999999))
    )

    assert status == 200
    response = body["response"]
    assert response["allowed"] is False
    assert response["status"]["code"] == 403
    assert response["status"]["reason"] == "Forbidden"
    assert response["status"]["message"].startswith(
        "batchguard refused Job example-ns/example-job: 1 violation: "
        "[1] spec.ttlSecondsAfterFinished: "
    )
    assert "patch" not in response
    assert "patchType" not in response


def test_validate_never_returns_a_patch(client: FlaskClient) -> None:
    status, body = post(client, "/validate", review(job()))

    assert status == 200
    assert body["response"] == {"uid": UID, "allowed": True}


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"kind": "Deployment", "group": "apps"}, "another kind"),
        ({"kind": "Pod", "group": ""}, "a core kind"),
        ({"operation": "DELETE"}, "DELETE"),
        ({"operation": "CONNECT"}, "CONNECT"),
        ({"subResource": "status"}, "the status subresource"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
@pytest.mark.parametrize("path", ["/mutate", "/validate"])
def test_requests_outside_scope_are_allowed_untouched(
    client: FlaskClient, path: str, changes: dict[str, Any], why: str
) -> None:
    status, body = post(client, path, review(job(), **changes))

    assert status == 200
    assert body["response"] == {"uid": UID, "allowed": True}, why


def test_an_object_being_deleted_is_not_mutated(client: FlaskClient) -> None:
    obj = job()
    obj["metadata"]["deletionTimestamp"] = "2026-12-03T12:00:00Z"

    status, body = post(
        client, "/mutate", review(obj, operation="UPDATE", oldObject=job())
    )

    assert status == 200
    assert body["response"] == {"uid": UID, "allowed": True}


def _bare_request() -> dict[str, Any]:
    request: dict[str, Any] = review(job())["request"]
    return request


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"{not json", "application/json", "The request body is not valid JSON: "),
        (
            b"",
            "application/json",
            "The request body is empty; send an AdmissionReview.",
        ),
        (
            b"[]",
            "application/json",
            "The request body must be a JSON object, got list.",
        ),
        (
            json.dumps(review(job())).encode(),
            "text/plain",
            "Content-Type 'text/plain' is not supported; send application/json.",
        ),
        (
            json.dumps(
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}
            ).encode(),
            "application/json",
            "request must be a JSON object, got null.",
        ),
        (
            json.dumps(review(job(), uid="")).encode(),
            "application/json",
            "request.uid must be a non-empty string.",
        ),
        (
            json.dumps(_bare_request()).encode(),
            "application/json",
            "The body is a bare AdmissionRequest; send it wrapped in an "
            "AdmissionReview",
        ),
        (
            json.dumps({**review(job()), "apiVersion": "admission.k8s.io/v2"}).encode(),
            "application/json",
            "apiVersion 'admission.k8s.io/v2' is not supported;",
        ),
        (
            json.dumps(review(job(), operation="PATCH")).encode(),
            "application/json",
            "request.operation 'PATCH' is not one of CREATE, UPDATE, DELETE, CONNECT.",
        ),
        (
            json.dumps(review(job(), object=["not", "an", "object"])).encode(),
            "application/json",
            "request.object must be a JSON object, got list.",
        ),
        (
            b"[" * 150 + b"]" * 150,
            "application/json",
            "The JSON body is nested more than 100 levels deep.",
        ),
        (
            b'{"a":' * 150 + b"1" + b"}" * 150,
            "application/json",
            "The JSON body is nested more than 100 levels deep.",
        ),
        (
            json.dumps(review(job())).replace('"Never"', "NaN").encode(),
            "application/json",
            "The request body is not valid JSON: NaN is not a JSON number",
        ),
        (
            json.dumps(review(None)).encode(),
            "application/json",
            "request.object is required for CREATE.",
        ),
        (
            json.dumps(review(job(), operation="UPDATE")).encode(),
            "application/json",
            "request.oldObject is required for UPDATE.",
        ),
    ],
    ids=[
        "not-json",
        "empty",
        "array",
        "wrong-content-type",
        "no-request",
        "empty-uid",
        "bare-request",
        "unknown-version",
        "unknown-operation",
        "object-not-a-mapping",
        "deep-array",
        "deep-object",
        "nan",
        "create-without-object",
        "update-without-old-object",
    ],
)
@pytest.mark.parametrize("path", ["/mutate", "/validate"])
def test_malformed_reviews_get_400_with_a_json_error(
    client: FlaskClient, path: str, body: bytes, content_type: str, message: str
) -> None:
    response = client.post(path, data=body, content_type=content_type)

    assert response.status_code == 400
    error = response.get_json()
    assert error["status"] == 400
    assert error["error"].startswith(message)
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_body_over_the_size_limit_gets_400(make_client: Any) -> None:
    client = make_client(max_body_bytes=1024)
    obj = job()
    obj["metadata"]["annotations"] = {"filler": "x" * 2048}

    response = client.post("/mutate", json=review(obj))

    assert response.status_code == 400
    assert response.get_json() == {
        "error": "The request body is larger than the limit of 1024 bytes.",
        "status": 400,
    }


def test_wrong_method_gets_a_json_405(client: FlaskClient) -> None:
    response = client.get("/mutate")

    assert response.status_code == 405
    assert response.get_json()["status"] == 405


def _explode(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("boom")


def test_an_internal_error_denies_by_default(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("webhook.server.routes.decide", _explode)

    status, body = post(client, "/validate", review(job()))

    assert status == 200
    assert body["response"]["allowed"] is False
    assert body["response"]["status"] == {
        "code": 500,
        "status": "Failure",
        "reason": "InternalError",
        "message": (
            "batchguard could not review this request because of an internal error "
            f"(request uid {UID}); the request is denied per the configured failure "
            "mode. See the batchguard logs."
        ),
    }


def test_an_internal_error_allows_with_a_warning_in_allow_mode(
    make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("webhook.server.routes.decide", _explode)

    status, body = post(make_client(failure_mode="allow"), "/mutate", review(job()))

    assert status == 200
    assert body["response"]["allowed"] is True
    assert body["response"]["warnings"][0].startswith(
        "batchguard could not review this request because of an internal error"
    )


def test_healthz_answers_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_reports_the_loaded_policies(client: FlaskClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["policies"]["loaded"] is True
    assert body["policies"]["count"] == 1
    assert body["policies"]["lastError"] is None


AUDIT_POLICIES = Path(__file__).parents[1] / "data" / "policies" / "audit"
QUALIFIED_KEY = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")


def audit_client() -> FlaskClient:
    settings = Settings(
        policies=PolicySettings(policy_dir=(AUDIT_POLICIES,)),
        serve=ServeSettings(insecure_http=True),
    )
    return create_app(settings).test_client()


def test_audit_findings_and_exemptions_become_audit_annotations() -> None:
    obj = job(ttlSecondsAfterFinished=7200, backoffLimit=10)
    obj["metadata"]["name"] = "legacy-report"

    status, body = post(audit_client(), "/validate", review(obj))

    assert status == 200
    response = body["response"]
    assert response["allowed"] is True
    assert response["auditAnnotations"] == {
        "audit-findings": json.dumps(
            [
                "spec.ttlSecondsAfterFinished: ttlSecondsAfterFinished 7200 is above "
                "the policy maximum 3600. (set it to 3600 or less)"
            ],
            separators=(",", ":"),
        ),
        "exemptions": '["observe/backoffLimit: Legacy jobs retry by design."]',
    }
    assert all(QUALIFIED_KEY.match(key) for key in response["auditAnnotations"])


@pytest.mark.parametrize("path", ["/mutate", "/validate", "/review"])
def test_a_chunked_body_over_the_limit_gets_400_not_a_truncated_read(
    make_client: Any, path: str
) -> None:
    client = make_client(max_body_bytes=1024)
    body = json.dumps(review(job(), annotations={"x": "y" * 4096})).encode()

    response = client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
    )

    assert response.status_code == 400
    assert response.get_json() == {
        "error": "The request body is larger than the limit of 1024 bytes.",
        "status": 400,
    }

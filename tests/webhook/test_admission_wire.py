"""Building responses the apiserver accepts: patch encoding, warnings, status."""

from __future__ import annotations

import base64
import json

import pytest

from webhook.admission import Verdict, build_response, clean_warning, clean_warnings


def test_an_allowed_verdict_without_patch_has_only_uid_and_allowed() -> None:
    assert build_response("admission.k8s.io/v1", "u1", Verdict()) == {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": {"uid": "u1", "allowed": True},
    }


def test_a_patch_is_base64_json_with_its_type() -> None:
    patch = [{"op": "add", "path": "/metadata/labels/a~1b", "value": "c"}]

    response = build_response("admission.k8s.io/v1", "u1", Verdict(patch=patch))

    assert response["response"]["patchType"] == "JSONPatch"
    assert json.loads(base64.b64decode(response["response"]["patch"])) == patch


def test_a_denial_carries_code_status_and_message() -> None:
    verdict = Verdict(allowed=False, code=403, reason="Forbidden", message="no")

    response = build_response("admission.k8s.io/v1beta1", "u2", verdict)

    assert response == {
        "apiVersion": "admission.k8s.io/v1beta1",
        "kind": "AdmissionReview",
        "response": {
            "uid": "u2",
            "allowed": False,
            "status": {
                "code": 403,
                "status": "Failure",
                "message": "no",
                "reason": "Forbidden",
            },
        },
    }


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("plain", "plain"),
        ("line one\nline two", "line one line two"),
        ("tab\there\r\n", "tab here"),
        ("bell\x07 and del\x7f", "bell  and del"),
        ("x" * 300, "x" * 255 + "…"),
    ],
    ids=["plain", "newline", "tab-and-crlf", "control-characters", "too-long"],
)
def test_warnings_lose_control_characters_and_stay_short(
    text: str, cleaned: str
) -> None:
    assert clean_warning(text) == cleaned


def test_warnings_are_deduplicated_and_bounded_in_total() -> None:
    texts = ["same", "same", ""] + [f"{i:03d}" + "y" * 250 for i in range(40)]

    kept = clean_warnings(texts)

    assert kept[0] == "same"
    assert kept.count("same") == 1
    assert "" not in kept
    assert sum(len(text) for text in kept) <= 4096
    assert len(kept) == 1 + 4092 // 253

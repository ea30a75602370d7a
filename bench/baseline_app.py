"""The baseline the webhook is measured against: parse the review, allow it.

It does the least any admission webhook must do (read the AdmissionReview JSON and
answer with its uid), so the ratio against it isolates what batchguard adds.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

app = Flask(__name__)


@app.post("/mutate")
@app.post("/validate")
def allow() -> Response:
    review = request.get_json(force=True)
    return jsonify(
        {
            "apiVersion": review["apiVersion"],
            "kind": "AdmissionReview",
            "response": {"uid": review["request"]["uid"], "allowed": True},
        }
    )

"""Reading manifests as Kubernetes reads them: scalars, duplicates, limits, lines."""

from __future__ import annotations

import math
import tracemalloc
from pathlib import Path
from textwrap import dedent

import pytest

from webhook import manifests
from webhook.manifests import (
    LineMap,
    Location,
    ManifestError,
    key_string,
    load_documents,
    read_file,
    read_text,
    resolve_plain,
)
from webhook.policy.findings import Enforcement, Finding

DATA = Path(__file__).parents[1] / "data"
CORPUS = DATA / "manifests"


def read(text: str, file: str = "jobs/example.yaml") -> list[manifests.Manifest]:
    return list(read_text(dedent(text), file=file))


def error_of(text: str, file: str = "jobs/example.yaml") -> str:
    with pytest.raises(ManifestError) as caught:
        read(text, file=file)
    return str(caught.value)


# Scalars, as go-yaml v2 resolves them (BR-22 and the rules of its resolve.go).


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no", False),
        ("n", False),
        ("N", False),
        ("off", False),
        ("y", True),
        ("Y", True),
        ("yes", True),
        ("on", True),
        ("True", True),
        ("null", None),
        ("~", None),
        ("", None),
        ("08", 8.0),
        ("09.5", 9.5),
        ("0755", 493),
        ("0o17", 15),
        ("0x1F", 31),
        ("0b101", 5),
        ("-0b101", -5),
        ("+12", 12),
        ("1_000", 1000),
        ("1.10", 1.1),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("18446744073709551615", 18446744073709551615),
        ("99999999999999999999", 1e20),
        ("0xFFFFFFFFFFFFFFFFFFFF", 0xFFFFFFFFFFFFFFFFFFFF),
        ("1:30", "1:30"),
        ("2001-12-14", "2001-12-14"),
        ("2001-12-14T21:59:43.10-05:00", "2001-12-14T21:59:43.10-05:00"),
        ("yes please", "yes please"),
        ("nO", "nO"),
        ("-", "-"),
        (".inf", math.inf),
        ("-.Inf", -math.inf),
        (".5_0", ".5_0"),
        ("Norway", "Norway"),
    ],
    ids=lambda value: repr(value),
)
def test_plain_scalars_resolve_as_go_yaml_v2_resolves_them(
    text: str, expected: object
) -> None:
    value = resolve_plain(text)

    assert value == expected
    assert type(value) is type(expected)


def test_not_a_number_is_a_float() -> None:
    assert math.isnan(resolve_plain(".NaN"))


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("name", "name"),
        (True, "true"),
        (False, "false"),
        (8, "8"),
        (1.5, "1.5"),
        (1e6, "1e+06"),
        (123456789.0, "1.2345679e+08"),
        (1e-05, "1e-05"),
        (0.0001, "0.0001"),
        (math.inf, ".inf"),
        (None, None),
    ],
    ids=[
        "string",
        "true",
        "false",
        "int",
        "float",
        "large-float",
        "float32-rounding",
        "small-float",
        "fixed-small",
        "infinity",
        "null",
    ],
)
def test_keys_become_strings_as_sigs_k8s_io_yaml_writes_them(
    key: object, expected: str | None
) -> None:
    assert key_string(key) == expected


def test_values_reach_the_engine_as_the_apiserver_receives_them() -> None:
    [job] = read(
        """\
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: "x"
          annotations: {a: '08', b: "yes", c: 2001-12-14}
        spec:
          backoffLimit: 06
          parallelism: 1e1
          completions: !!float 3
          activeDeadlineSeconds: !!int "30"
          ttlSecondsAfterFinished: 1.5
        """
    )

    assert job.obj["metadata"]["annotations"] == {
        "a": "08",
        "b": "yes",
        "c": "2001-12-14",
    }
    assert [(v, type(v)) for v in job.obj["spec"].values()] == [
        (6, int),
        (10, int),
        (3, int),
        (30, int),
        (1.5, float),
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int 08", "jobs/example.yaml:4: cannot read '08' as !!int"),
        ("!!bool maybe", "jobs/example.yaml:4: cannot read 'maybe' as !!bool"),
        (
            ".inf",
            "jobs/example.yaml:4: the value '.inf' has no JSON form; Kubernetes "
            "cannot read it",
        ),
    ],
    ids=["octal-looking-int", "not-a-bool", "infinity"],
)
def test_values_kubernetes_cannot_read_are_errors_with_their_line(
    value: str, message: str
) -> None:
    text = f"apiVersion: batch/v1\nkind: Job\nspec:\n  backoffLimit: {value}\n"

    assert error_of(text) == message


# BR-22: a scalar Kubernetes would not read as a string where one is required.

BR22 = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: example-sync
  labels: {example.com/dry-run: no, example.com/tier: y}
  annotations: {example.com/build: 0755, example.com/window: 1:30}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: registry.example/sync:1.0
        env: [{name: RETRIES, value: 08}, {name: MODE, value: 0o17}]
"""


def not_a_string(path: str, text: str, reads_as: str, what: str) -> Finding:
    return Finding(
        path=path,
        message=f"Kubernetes reads the unquoted value {text!r} as the {reads_as}, "
        f"but {what} must be a string.",
        rule="manifests.not-a-string",
        enforcement=Enforcement.DENY,
        hint=f'quote it: "{text}"',
    )


def test_unquoted_non_strings_are_errors_with_lines_and_a_hint_to_quote() -> None:
    [job] = read(BR22)

    assert [(job.line_of(f.path), f) for f in job.findings] == [
        (
            5,
            not_a_string(
                "metadata.labels.example.com/dry-run",
                "no",
                "boolean false",
                "a label value",
            ),
        ),
        (
            5,
            not_a_string(
                "metadata.labels.example.com/tier", "y", "boolean true", "a label value"
            ),
        ),
        (
            6,
            not_a_string(
                "metadata.annotations.example.com/build",
                "0755",
                "integer 493",
                "an annotation value",
            ),
        ),
        (
            14,
            not_a_string(
                "spec.template.spec.containers[0].env[0].value",
                "08",
                "integer 8",
                "an env var value",
            ),
        ),
        (
            14,
            not_a_string(
                "spec.template.spec.containers[0].env[1].value",
                "0o17",
                "integer 15",
                "an env var value",
            ),
        ),
        (
            6,
            Finding(
                path="metadata.annotations.example.com/window",
                message="The unquoted value '1:30' is a string for Kubernetes, but "
                "YAML 1.1 tools such as PyYAML read it as a base-60 number.",
                rule="manifests.ambiguous-scalar",
                enforcement=Enforcement.WARN,
                hint='quote it: "1:30"',
            ),
        ),
    ]
    assert job.obj["metadata"]["annotations"]["example.com/window"] == "1:30"
    assert job.reviewable


def test_command_args_and_node_selectors_of_a_cronjob_must_be_strings() -> None:
    [cronjob] = read(
        """\
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: report}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            metadata:
              labels: {tier: on}
            spec:
              template:
                spec:
                  nodeSelector: {gpu: true}
                  containers:
                  - name: main
                    command: [sleep, 30]
                    args: ["--x", 1.5]
        """
    )

    assert [(cronjob.line_of(f.path), f.path) for f in cronjob.findings] == [
        (8, "spec.jobTemplate.metadata.labels.tier"),
        (12, "spec.jobTemplate.spec.template.spec.nodeSelector.gpu"),
        (15, "spec.jobTemplate.spec.template.spec.containers[0].command[1]"),
        (16, "spec.jobTemplate.spec.template.spec.containers[0].args[1]"),
    ]


def test_quoted_and_null_values_are_not_reported() -> None:
    [job] = read(
        """\
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: quoted
          labels: {a: "no", b: 'y', c: ~}
        spec:
          template:
            spec:
              containers: [{name: m, env: [{name: A, value: "08"}]}]
        """
    )

    assert job.findings == ()


# BR-23: duplicate keys, and merge keys that are not duplicates.

BR23 = """\
apiVersion: batch/v1
kind: Job
metadata: {name: example-dup, namespace: example-ns}
spec:
  ttlSecondsAfterFinished: 600
  podFailurePolicy:
    rules: [{action: FailJob, onExitCodes: {operator: In, values: [3]}}]
  template:
    spec:
      restartPolicy: OnFailure
      restartPolicy: Never
      containers: [{name: main, image: registry.example/app:1.0}]
  ttlSecondsAfterFinished: 60
"""


def test_duplicate_keys_are_errors_naming_both_lines() -> None:
    [job] = read(BR23)

    assert [(f.message, job.line_of(f.path)) for f in job.findings] == [
        (
            "duplicate key 'restartPolicy' in spec.template.spec (lines 10 and 11)",
            11,
        ),
        ("duplicate key 'ttlSecondsAfterFinished' in spec (lines 5 and 13)", 13),
    ]
    assert {f.rule for f in job.findings} == {"manifests.duplicate-key"}
    assert {f.enforcement for f in job.findings} == {Enforcement.DENY}
    assert not job.reviewable


def test_keys_equal_after_resolution_are_duplicates_too() -> None:
    [job] = read("apiVersion: batch/v1\nkind: Job\nmetadata:\n  1: a\n  01: b\n")

    assert [f.message for f in job.findings] == [
        "duplicate key '1' in metadata (lines 4 and 5)"
    ]


def test_merge_keys_that_override_anchored_values_are_not_duplicates() -> None:
    [job] = read(
        """\
        base: &base {restartPolicy: Never, serviceAccountName: batch}
        apiVersion: batch/v1
        kind: Job
        metadata: {name: merged}
        spec:
          template:
            spec:
              <<: *base
              restartPolicy: OnFailure
              containers: [{name: m, image: i}]
        """
    )

    assert job.findings == ()
    assert job.obj["spec"]["template"]["spec"] == {
        "restartPolicy": "OnFailure",
        "serviceAccountName": "batch",
        "containers": [{"name": "m", "image": "i"}],
    }


def test_earlier_merge_sources_win_over_later_ones() -> None:
    [value] = load_documents(
        "a: &a {x: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n", file="m.yaml"
    )

    assert value["c"] == {"x": 1, "z": 2}


# Which objects come out of a file, and where they are.


def test_other_kinds_and_empty_documents_are_skipped_but_counted() -> None:
    jobs = read(
        """\
        # only a comment
        ---
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: j}
        ---
        apiVersion: example.com/v1
        kind: Job
        metadata: {name: not-a-batch-job}
        """
    )

    assert [(j.name, j.location) for j in jobs] == [
        ("j", Location("jobs/example.yaml", 8, 2))
    ]


def test_list_items_are_expanded_with_their_index() -> None:
    jobs = read(
        """\
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Service
          metadata: {name: s}
        - apiVersion: batch/v1
          kind: CronJob
          metadata: {name: c, namespace: team}
          spec: {schedule: "0 3 * * *"}
        ---
        apiVersion: batch/v1
        kind: JobList
        items:
        - {apiVersion: batch/v1, kind: Job, metadata: {name: j, labels: {a: no}}}
        """
    )

    assert [(j.kind, j.namespace, j.name, j.location) for j in jobs] == [
        ("CronJob", "team", "c", Location("jobs/example.yaml", 7, 0, item=1)),
        ("Job", None, "j", Location("jobs/example.yaml", 15, 1, item=0)),
    ]
    assert jobs[0].line_of("spec.schedule") == 10
    assert [f.path for f in jobs[1].findings] == ["metadata.labels.a"]


def test_a_batch_v1beta1_cronjob_is_reported_and_still_read() -> None:
    [cronjob] = list(read_file(CORPUS / "024-k8sweb-cronjob-v1beta1-historical.yaml"))

    assert cronjob.findings == (
        Finding(
            path="apiVersion",
            message="batch/v1beta1 CronJob is no longer served since Kubernetes "
            "1.25; use batch/v1",
            rule="manifests.api-version",
        ),
    )
    assert cronjob.reviewable


def test_a_job_without_api_version_is_reported() -> None:
    [job] = read("kind: Job\nmetadata: {name: j}\n")

    assert [f.render() for f in job.findings] == [
        "apiVersion: Required value: a Job needs apiVersion batch/v1."
    ]


def test_json_manifests_read_like_yaml() -> None:
    [job] = list(read_text('{"apiVersion": "batch/v1", "kind": "Job"}', file="j.json"))

    assert job.obj == {"apiVersion": "batch/v1", "kind": "Job"}


def test_documents_are_yielded_before_a_later_document_fails() -> None:
    documents = read_text(
        "apiVersion: batch/v1\nkind: Job\n---\nkind: [\n", file="stream.yaml"
    )

    assert next(documents).kind == "Job"
    with pytest.raises(ManifestError, match=r"^stream\.yaml:5: not valid YAML"):
        next(documents)


def test_a_file_that_is_not_yaml_names_file_and_line() -> None:
    path = CORPUS / "029-k8sweb-job-pfp-ignore-tab.yaml"

    with pytest.raises(ManifestError) as caught:
        list(read_file(path))

    assert str(caught.value) == (
        f"{path}:24: not valid YAML: found a tab character that violates "
        "indentation (while scanning a plain scalar at line 23)"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"kind: Job\nname: \xff\n",
            "x.yaml:2: not UTF-8 text (byte 0xff cannot be decoded)",
        ),
        (
            b"kind: Job\x00\n",
            "x.yaml:1: not valid YAML: character '\\x00' is not allowed",
        ),
    ],
    ids=["not-utf8", "control-character"],
)
def test_bytes_that_are_not_text_are_errors_with_their_line(
    data: bytes, message: str
) -> None:
    with pytest.raises(ManifestError) as caught:
        list(read_text(manifests.decode(data, file="x.yaml"), file="x.yaml"))

    assert str(caught.value) == message


# Limits.

BILLION_LAUGHS = """\
apiVersion: batch/v1
kind: Job
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.timeout(5)
def test_a_billion_laughs_document_fails_without_expanding() -> None:
    message = error_of(BILLION_LAUGHS, file="laughs.yaml")

    assert message.startswith(
        "laughs.yaml:3: the document expands aliases excessively ("
    )


def test_an_alias_inside_its_own_anchor_is_an_error() -> None:
    message = error_of("apiVersion: batch/v1\nkind: Job\nspec: &s {again: *s}\n")

    assert message == (
        "jobs/example.yaml:3: an alias refers to a node that contains it"
    )


def test_nesting_deeper_than_the_limit_is_an_error() -> None:
    deep = "[" * (manifests.MAX_DEPTH + 5) + "]" * (manifests.MAX_DEPTH + 5)

    message = error_of(f"apiVersion: batch/v1\nkind: Job\nspec: {deep}\n")

    assert message == (
        f"jobs/example.yaml:3: the document nests deeper than "
        f"{manifests.MAX_DEPTH} levels"
    )


def test_documents_over_the_size_limit_are_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(manifests.reader, "MAX_DOCUMENT_CHARS", 40)

    message = error_of(
        "kind: ConfigMap\ndata: {}\n---\napiVersion: batch/v1\nkind: Job\n"
        "metadata: {name: long-enough-to-exceed}\n"
    )

    assert message == (
        "jobs/example.yaml:4: document 1 is 71 characters long; the limit is 40 "
        "(the apiserver's request size limit)"
    )


def test_files_over_the_size_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifests.parse, "MAX_FILE_BYTES", 10)

    with pytest.raises(ManifestError) as caught:
        manifests.decode(b"kind: Job # and more\n", file="big.yaml")

    assert str(caught.value) == "big.yaml: the file is larger than 10 bytes, the limit"


def test_memory_stays_flat_while_reading_many_files(tmp_path: Path) -> None:
    job = (CORPUS / "030-k8sweb-job-pi.yaml").read_bytes()
    for index in range(150):
        (tmp_path / f"{index:03}.yaml").write_bytes(job)
    files = sorted(tmp_path.iterdir())

    def peak_after(count: int) -> int:
        tracemalloc.start()
        for path in files[:count]:
            for manifest in read_file(path):
                assert manifest.kind == "Job"
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    assert peak_after(150) < peak_after(15) * 1.5


# Lines of field paths.


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("", 1),
        ("spec", 7),
        ("spec.template.spec.restartPolicy", 10),
        ("spec.template.spec.containers[0].image", 13),
        ("spec.template.spec.containers[0].env[1].value", 14),
        ("metadata.labels.example.com/tier", 5),
        ("metadata.labels[example.com/tier]", 5),
        ("metadata.annotations[example.com/window]", 6),
        ("spec.template.spec.containers[3].image", 11),
        ("spec.template.spec.activeDeadlineSeconds", 9),
        ("status.active", 1),
    ],
    ids=lambda value: str(value),
)
def test_field_paths_map_to_their_line_or_their_nearest_ancestor(
    path: str, line: int
) -> None:
    [job] = read(BR22)

    assert job.line_of(path) == line


def test_line_maps_of_list_items_are_relative_to_the_item() -> None:
    lines = LineMap({("items", 0): 4, ("items", 0, "spec"): 6}, prefix=("items", 0))

    assert (lines.line_of("spec"), lines.line_of("kind")) == (6, 4)

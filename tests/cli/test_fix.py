"""``batchguard fix`` and the patch writer: changes land, nothing else moves."""

from __future__ import annotations

import os
from pathlib import Path
from textwrap import dedent

import pytest

from webhook.cli import fix as fix_module
from webhook.manifests import Change, ManifestError, apply_patches, read_text
from webhook.policy.loader import load_policies
from webhook.review import review_manifest

POLICIES = Path(__file__).parent / "policies"
CORPUS = Path(__file__).parents[1] / "data" / "manifests"


def add(path: str, value: object) -> dict[str, object]:
    return {"op": "add", "path": path, "value": value}


def patched(text: str, *patch: dict[str, object], **options: bool) -> str:
    return apply_patches(
        dedent(text), [Change(0, list(patch))], file="job.yaml", **options
    )


# The writer, on its own.


def test_comments_quoting_and_odd_indentation_are_kept_byte_for_byte() -> None:
    before = """\
        # A Job written by hand.
        apiVersion: batch/v1
        kind: Job
        metadata:
            name: odd   # four spaces here
            labels:
                team: 'a'
        spec:
            backoffLimit: 6     # the default
            template:
                spec:
                    restartPolicy: Never
                    containers:
                    -   name: main
                        image: "registry.example/app:1.0"
                        args: [--x, "y"]
                    -   name: side
                        image: registry.example/side:1.0
                        resources: {}
        """

    after = patched(
        before,
        add("/spec/ttlSecondsAfterFinished", 3600),
        {"op": "replace", "path": "/spec/backoffLimit", "value": 3},
        add("/metadata/labels/example.com~1owner", "no"),
        add("/spec/template/spec/containers/0/resources", {"limits": {"cpu": "1"}}),
        add("/spec/template/spec/containers/1/resources/requests", {"cpu": "100m"}),
        add("/spec/template/spec/containers/0/args/-", "08"),
        add("/metadata/finalizers", ["batchguard.io/job-tracking"]),
    )

    assert after == dedent(
        """\
        # A Job written by hand.
        apiVersion: batch/v1
        kind: Job
        metadata:
            name: odd   # four spaces here
            labels:
                team: 'a'
                example.com/owner: "no"
            finalizers:
            - batchguard.io/job-tracking
        spec:
            backoffLimit: 3     # the default
            template:
                spec:
                    restartPolicy: Never
                    containers:
                    -   name: main
                        image: "registry.example/app:1.0"
                        args: [--x, "y", "08"]
                        resources:
                            limits:
                                cpu: "1"
                    -   name: side
                        image: registry.example/side:1.0
                        resources:
                            requests:
                                cpu: 100m
            ttlSecondsAfterFinished: 3600
        """
    )


def test_removals_take_their_lines_and_leave_neighbouring_comments() -> None:
    before = """\
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: a
          finalizers:
          - example.com/keep
          - example.com/drop   # goes
        spec:
          suspend: false
          # about the TTL
          ttlSecondsAfterFinished: 5
        """

    after = patched(
        before,
        {"op": "remove", "path": "/metadata/finalizers/1"},
        {"op": "remove", "path": "/spec/suspend"},
        add("/spec/backoffLimit", 2),
    )

    assert after == dedent(
        """\
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: a
          finalizers:
          - example.com/keep
        spec:
          # about the TTL
          ttlSecondsAfterFinished: 5
          backoffLimit: 2
        """
    )


def test_new_keys_follow_a_block_scalar_without_changing_it() -> None:
    before = """\
        apiVersion: batch/v1
        kind: Job
        spec:
          template:
            spec:
              containers:
              - name: main
                command:
                - sh
                - -c
                - |
                  echo hi

                  echo bye
              # trailing comment
        """

    after = patched(before, add("/spec/template/spec/containers/0/image", "x:1"))

    assert after == dedent(
        """\
        apiVersion: batch/v1
        kind: Job
        spec:
          template:
            spec:
              containers:
              - name: main
                command:
                - sh
                - -c
                - |
                  echo hi

                  echo bye
                image: x:1
              # trailing comment
        """
    )


def test_anchors_and_merge_keys_survive_a_change_elsewhere() -> None:
    before = """\
        x-defaults: &defaults
          restartPolicy: Never
        apiVersion: batch/v1
        kind: Job
        spec:
          template:
            spec:
              <<: *defaults
              containers: [{name: m, image: i}]
        """

    after = patched(
        before,
        add("/spec/ttlSecondsAfterFinished", 60),
        add("/spec/template/spec/serviceAccountName", "batch"),
    )

    assert after == dedent(
        """\
        x-defaults: &defaults
          restartPolicy: Never
        apiVersion: batch/v1
        kind: Job
        spec:
          template:
            spec:
              <<: *defaults
              containers: [{name: m, image: i}]
              serviceAccountName: batch
          ttlSecondsAfterFinished: 60
        """
    )


def test_a_change_through_an_alias_is_refused() -> None:
    before = """\
        apiVersion: batch/v1
        kind: List
        items:
        - apiVersion: batch/v1
          kind: Job
          spec:
            template:
              spec:
                containers: &shared
                - {name: m, image: i}
        - apiVersion: batch/v1
          kind: Job
          spec:
            template:
              spec:
                containers: *shared
        """

    with pytest.raises(ManifestError) as caught:
        apply_patches(
            dedent(before),
            [Change(0, [add("/spec/template/spec/containers/0/tty", True)], item=1)],
            file="list.yaml",
        )

    assert str(caught.value) == (
        "list.yaml:9: cannot write the change at "
        "items[1].spec.template.spec.containers back into the file: it goes through "
        "a YAML anchor or alias"
    )


def test_flow_style_documents_get_flow_style_changes() -> None:
    before = (CORPUS / "025-k8sweb-indexed-job-flowstyle.yaml").read_text()

    after = apply_patches(
        before,
        [Change(0, [add("/spec/ttlSecondsAfterFinished", 60)])],
        file="flow.yaml",
    )

    assert after == before.replace(
        "      },\n    },\n  },\n}",
        "      },\n    }, ttlSecondsAfterFinished: 60,\n  },\n}",
    )


def test_json_files_stay_json_and_crlf_stays_crlf() -> None:
    before = (
        '{\r\n  "apiVersion": "batch/v1",\r\n  "kind": "Job",\r\n'
        '  "metadata": {"name": "j"}\r\n}\r\n'
    )

    after = apply_patches(
        before,
        [Change(0, [add("/metadata/labels", {"tier": "y"})])],
        file="job.json",
        json_style=True,
    )

    assert after == before.replace(
        '{"name": "j"}', '{"name": "j", "labels": {"tier": "y"}}'
    )


def test_block_lines_added_to_a_crlf_file_end_in_crlf() -> None:
    before = "apiVersion: batch/v1\r\nkind: Job\r\nspec:\r\n  backoffLimit: 6\r\n"

    after = apply_patches(
        before,
        [Change(0, [add("/spec/suspend", True)])],
        file="crlf.yaml",
    )

    assert after == before + "  suspend: true\r\n"


def test_only_the_documents_and_list_items_that_change_are_touched() -> None:
    before = dedent(
        """\
        apiVersion: v1
        kind: ConfigMap
        data: {a: b}
        ---
        apiVersion: v1
        kind: List
        items:
        - {apiVersion: batch/v1, kind: Job, metadata: {name: a}}
        - apiVersion: batch/v1
          kind: Job
          metadata:
            name: b
        """
    )

    after = apply_patches(
        before, [Change(1, [add("/spec", {"suspend": True})], item=1)], file="m.yaml"
    )

    assert after == before + "  spec:\n    suspend: true\n"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("no", '"no"'),
        ("y", '"y"'),
        ("08", '"08"'),
        ("1:30", '"1:30"'),
        ("2024-01-01", '"2024-01-01"'),
        ("", '""'),
        ("- x", '"- x"'),
        ("a: b", '"a: b"'),
        ("#x", '"#x"'),
        ("line\nbreak", '"line\\nbreak"'),
        ("plain text", "plain text"),
        ("-c", "-c"),
        ("registry.example/app:1.0", "registry.example/app:1.0"),
        (3, "3"),
        (0.5, "0.5"),
        (False, "false"),
        (None, "null"),
    ],
    ids=lambda value: repr(value),
)
def test_new_scalars_are_quoted_whenever_a_reader_could_misread_them(
    value: object, written: str
) -> None:
    after = patched("kind: Job\nmetadata: {}\n", add("/metadata/x", value))

    assert after == f"kind: Job\nmetadata:\n  x: {written}\n"


# The command.


@pytest.fixture
def job(tmp_path: Path) -> Path:
    path = tmp_path / "job.yaml"
    path.write_text(
        "# nightly export\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n"
        "spec:\n  template:\n    spec:\n      restartPolicy: Never\n"
        "      containers: [{name: m, image: registry.example/m:1}]\n"
    )
    return path


def test_fix_writes_the_mutations_into_the_file(batchguard, job: Path) -> None:
    before = job.read_text()

    result = batchguard("fix", job, "--policies", POLICIES)

    assert result.code == 0
    assert job.read_text() == before + "  ttlSecondsAfterFinished: 3600\n"
    assert result.err == (
        f"fixed {job} (1 objects changed)\n1 files changed, 0 unreadable.\n"
    )


def test_a_fixed_file_needs_no_further_fix(batchguard, job: Path) -> None:
    batchguard("fix", job, "--policies", POLICIES)

    result = batchguard("fix", job, "--check", "--policies", POLICIES)

    assert (result.code, result.err) == (0, "0 files would change, 0 unreadable.\n")


def test_diff_prints_the_change_and_writes_nothing(batchguard, job: Path) -> None:
    before = job.read_text()

    result = batchguard("fix", job, "--diff", "--policies", POLICIES)

    assert result.code == 0
    assert job.read_text() == before
    assert result.out.splitlines()[-2:] == [
        "       containers: [{name: m, image: registry.example/m:1}]",
        "+  ttlSecondsAfterFinished: 3600",
    ]


def test_check_exits_one_when_a_file_would_change(batchguard, job: Path) -> None:
    before = job.read_text()

    result = batchguard("fix", job, "--check", "--policies", POLICIES)

    assert (result.code, result.out) == (1, "")
    assert job.read_text() == before


def test_a_file_that_does_not_parse_is_left_untouched(
    batchguard, job: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: Job\nspec: [\n")

    result = batchguard("fix", broken, job, "--policies", POLICIES)

    assert result.code == 2
    assert broken.read_text() == "kind: Job\nspec: [\n"
    assert result.err.startswith(f"error: {broken}:3: not valid YAML: ")
    assert "ttlSecondsAfterFinished: 3600" in job.read_text()


def test_a_failed_write_leaves_the_original_and_no_temporary_file(
    batchguard, job: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = job.read_bytes()

    def fail(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("webhook.cli.fix.os.replace", fail)

    result = batchguard("fix", job, "--policies", POLICIES)

    assert result.code == 1
    assert "No space left on device" in result.err
    assert job.read_bytes() == before
    assert os.listdir(job.parent) == ["job.yaml"]


def test_a_rewritten_file_keeps_its_permissions_and_byte_order_mark(
    batchguard, job: Path
) -> None:
    job.write_bytes(b"\xef\xbb\xbf" + job.read_bytes())
    job.chmod(0o640)

    batchguard("fix", job, "--policies", POLICIES)

    assert job.read_bytes().startswith(b"\xef\xbb\xbf# nightly export\n")
    assert job.stat().st_mode & 0o777 == 0o640


def test_standard_input_is_fixed_to_standard_output(batchguard, stdin) -> None:
    stdin(b"apiVersion: batch/v1\nkind: Job\nspec: {}\n")

    result = batchguard("fix", "-", "--policies", POLICIES)

    assert (result.code, result.out) == (
        0,
        "apiVersion: batch/v1\nkind: Job\nspec:\n  ttlSecondsAfterFinished: 3600\n",
    )


@pytest.mark.parametrize(
    "name",
    [
        path.name
        for path in sorted(CORPUS.glob("*.yaml"))
        if not path.name.startswith("029")
    ],
    ids=lambda name: name[:3],
)
def test_every_fixed_corpus_file_reviews_clean_of_mutations(name: str) -> None:
    policies = load_policies([POLICIES])
    text = (CORPUS / name).read_text()
    fixed = fix_module.fix_text(
        text.encode(), file=name, policies=policies, namespace=None
    )

    again = [
        review_manifest(manifest, policies=policies).patch
        for manifest in read_text(fixed.after, file=name)
    ]

    assert all(patch == [] for patch in again)
    kept = fixed.after.splitlines()
    assert all(
        any(line.startswith(old.rstrip(", ")) for line in kept)
        for old in text.splitlines()
    )

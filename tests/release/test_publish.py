"""Publishing: release contents, immutability, checksums, versions, the approval gate (CLI and flow)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import flows.publish as publish_flow_module
from flows.cli import app
from pipeline.errors import InputError, ReleaseError
from pipeline.models import Ladder
from pipeline.release.emit import OCCURRENCE_COLUMNS, emit_dataset
from pipeline.release.publish import (
    diff_refs,
    latest_release,
    list_releases,
    load_candidate,
    load_release,
    plan_release,
    publish_release,
    release_created,
    resolve_ladder,
    verify_release,
)
from tests.tiny_ladder import make_ladder

CREATED = "2025-01-31T12:00:00Z"
TABLE_NAMES = [
    "behaviors",
    "competencies",
    "competency_aliases",
    "competency_covers",
    "levels",
    "occurrences",
    "progressions",
    "roles",
    "tracks",
]
RELEASE_FILES = sorted(
    [
        "CHANGELOG.md",
        "datapackage.json",
        "ladder.json",
        "ladder.schema.json",
        "report.html",
        "report.md",
        *(f"{t}.{ext}" for t in TABLE_NAMES for ext in ("csv", "parquet")),
    ]
)
runner = CliRunner()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An output folder holding the candidate dataset of the tiny ladder, as `ladder run` leaves it."""
    folder = tmp_path / "normalized"
    emit_dataset(make_ladder(), folder)
    return folder


def publish(out: Path, ladder: Ladder, version: str | None = None, created: str = CREATED):
    return publish_release(ladder, out, plan_release(ladder, out, version), created=created)


def text_fix() -> Ladder:
    ladder = make_ladder()
    ladder.behaviors[1].text = "Finds advanced data insights"
    return ladder


def tamper(path: Path, data: bytes) -> None:
    path.chmod(0o644)
    path.write_bytes(data)


# ------------------------------------------------------------------------------------------ contents


def test_first_release_files_and_datapackage(out: Path) -> None:
    release = publish(out, make_ladder())
    folder = out / "releases" / "1.0.0"
    assert release.version == "1.0.0"
    assert release.path == folder.as_posix()
    assert release.files == RELEASE_FILES
    assert sorted(p.name for p in folder.iterdir()) == RELEASE_FILES
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert {k: package[k] for k in ("profile", "name", "version", "created")} == {
        "profile": "data-package",
        "name": "career-ladder",
        "version": "1.0.0",
        "created": CREATED,
    }
    resources = {r["path"]: r for r in package["resources"]}
    assert sorted(resources) == [f for f in RELEASE_FILES if f != "datapackage.json"]
    for name, resource in resources.items():
        data = (folder / name).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        # Parquet files carry no size: Frictionless does not count the bytes it reads through pyarrow.
        assert resource.get("bytes") == (None if name.endswith(".parquet") else len(data))
    occurrences = resources["occurrences.csv"]
    assert (occurrences["format"], occurrences["mediatype"], occurrences["profile"]) == (
        "csv",
        "text/csv",
        "tabular-data-resource",
    )
    assert [f["name"] for f in occurrences["schema"]["fields"]] == OCCURRENCE_COLUMNS
    assert {f["name"]: f["type"] for f in resources["roles.parquet"]["schema"]["fields"]}["years_min"] == "number"
    assert resources["occurrences.parquet"]["mediatype"] == "application/vnd.apache.parquet"
    assert resources["ladder.json"]["jsonSchema"] == "ladder.schema.json"
    # The release holds the same table bytes `ladder run` writes, and the same dataset.
    assert (folder / "occurrences.csv").read_bytes() == (out / "occurrences.csv").read_bytes()
    assert load_release(out, "1.0.0") == make_ladder()
    assert (folder / "report.md").read_text(encoding="utf-8").splitlines()[2] == (
        "No published release yet: everything in the release 1.0.0 is new; the first release will be 1.0.0."
    )


def test_parquet_tables_hold_the_csv_rows(out: Path) -> None:
    publish(out, make_ladder())
    folder = out / "releases" / "1.0.0"
    occurrences = pq.read_table(folder / "occurrences.parquet")
    assert occurrences.column_names == OCCURRENCE_COLUMNS
    assert occurrences.num_rows == 5
    assert occurrences.column("source_ref").to_pylist() == ["L4", "L6", "L8", "L22", "L24"]
    assert occurrences.column("part").to_pylist() == [0, 0, 0, 0, 0]
    roles = pq.read_table(folder / "roles.parquet")
    by_role = dict(zip(roles.column("role_id").to_pylist(), roles.column("years_max").to_pylist(), strict=True))
    assert by_role == {"role_scale1": 2.0, "role_scale2": 4.0, "role_high1": None}
    assert roles.column("defined").to_pylist() == [True, True, True]


def test_release_files_are_read_only(out: Path) -> None:
    publish(out, make_ladder())
    for p in (out / "releases" / "1.0.0").iterdir():
        assert p.stat().st_mode & 0o222 == 0, p.name


def test_changelog_newest_first_with_copy_in_release(out: Path) -> None:
    publish(out, make_ladder())
    publish(out, text_fix(), created="2025-02-03T09:30:00Z")
    changelog = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog == (
        "# Changelog of the published ladder dataset\n"
        "\n"
        "## 1.0.1 (2025-02-03)\n"
        "\n"
        "Changes since release 1.0.0 (patch changes).\n"
        "\n"
        "- tracks: 0 added, 0 removed, 0 changed\n"
        "- roles: 0 added, 0 removed, 0 changed\n"
        "- competencies: 0 added, 0 removed, 0 changed\n"
        "- behaviors: 0 added, 0 removed, 1 changed\n"
        "- occurrences: 0 added, 0 removed, 0 moved\n"
        "\n"
        "## 1.0.0 (2025-01-31)\n"
        "\n"
        "First release: everything is added.\n"
        "\n"
        "- tracks: 2 added, 0 removed, 0 changed\n"
        "- roles: 3 added, 0 removed, 0 changed\n"
        "- competencies: 2 added, 0 removed, 0 changed\n"
        "- behaviors: 3 added, 0 removed, 0 changed\n"
        "- occurrences: 5 added, 0 removed, 0 moved\n"
    )
    assert (out / "releases" / "1.0.1" / "CHANGELOG.md").read_text(encoding="utf-8") == changelog
    assert (out / "releases" / "1.0.0" / "CHANGELOG.md").read_text(encoding="utf-8").count("## ") == 1


def test_changelog_lists_breaking_changes(out: Path) -> None:
    publish(out, make_ladder())
    smaller = make_ladder()
    smaller.behaviors = [b for b in smaller.behaviors if b.id != "beh_data"]
    smaller.competencies[1].name = "Ownership and impact"
    publish(out, smaller)
    assert list_releases(out) == ["1.0.0", "2.0.0"]
    entry = (out / "CHANGELOG.md").read_text(encoding="utf-8").split("## 1.0.0")[0]
    assert entry.endswith(
        "Breaking changes:\n"
        "\n"
        "- renamed `comp_owner` name: Ownership -> Ownership and impact\n"
        "- removed behavior `beh_data`: Finds basic data insights\n"
        "\n"
    )


def test_same_inputs_give_byte_identical_releases(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        emit_dataset(make_ladder(), folder)
        publish(folder, make_ladder())
    for name in RELEASE_FILES:
        assert (a / "releases/1.0.0" / name).read_bytes() == (b / "releases/1.0.0" / name).read_bytes(), name


# ---------------------------------------------------------------------------------------- immutability


def test_existing_version_is_never_rewritten(out: Path) -> None:
    publish(out, make_ladder())
    before = {p.name: p.read_bytes() for p in (out / "releases" / "1.0.0").iterdir()}
    with pytest.raises(ReleaseError) as exc:
        plan_release(text_fix(), out, "1.0.0")
    assert str(exc.value) == (
        f"release 1.0.0 exists already at {out / 'releases' / '1.0.0'}; published releases are never rewritten "
        "(choose a new version, e.g. 1.0.1; available: 1.0.0)"
    )
    assert {p.name: p.read_bytes() for p in (out / "releases" / "1.0.0").iterdir()} == before


def test_a_plan_made_before_another_publish_is_refused(out: Path) -> None:
    stale = plan_release(make_ladder(), out)
    publish(out, make_ladder())
    with pytest.raises(ReleaseError) as exc:
        publish_release(make_ladder(), out, stale, created=CREATED)
    assert str(exc.value).startswith("release 1.0.0 exists already at ")
    assert sorted(p.name for p in (out / "releases").iterdir()) == ["1.0.0", "index.json"]  # no temp folder left


def test_version_must_be_above_latest(out: Path) -> None:
    publish(out, make_ladder(), "1.2.0")
    with pytest.raises(ReleaseError) as exc:
        plan_release(text_fix(), out, "1.1.9")
    assert (
        str(exc.value) == "version 1.1.9 is not above the latest release 1.2.0; expected a higher version, e.g. 1.2.1"
    )


def test_unchanged_candidate_needs_an_explicit_version(out: Path) -> None:
    publish(out, make_ladder())
    with pytest.raises(ReleaseError) as exc:
        plan_release(make_ladder(), out)
    assert str(exc.value) == (
        "nothing to publish: the candidate is identical to release 1.0.0 (give a version explicitly to publish it anyway)"
    )
    publish(out, make_ladder(), "1.0.1")
    assert "Same dataset as release 1.0.0." in (out / "CHANGELOG.md").read_text(encoding="utf-8")


def test_invalid_version(out: Path) -> None:
    with pytest.raises(ReleaseError) as exc:
        plan_release(make_ladder(), out, "1.0")
    assert str(exc.value) == "invalid version '1.0': expected MAJOR.MINOR.PATCH, e.g. 1.0.0 or 2.3.1"


# ------------------------------------------------------------------------------------------- verify


def test_verify_clean_release(out: Path) -> None:
    publish(out, make_ladder())
    result = verify_release(out, "1.0.0")
    assert result.ok
    assert result.checked == [f for f in RELEASE_FILES if f != "datapackage.json"]


def test_verify_reports_changed_missing_and_unlisted_files(out: Path) -> None:
    publish(out, make_ladder())
    folder = out / "releases" / "1.0.0"
    expected = "sha256:" + hashlib.sha256((folder / "report.md").read_bytes()).hexdigest()
    tamper(folder / "report.md", b"edited\n")
    (folder / "roles.csv").unlink()
    (folder / "notes.txt").write_text("x")
    found = "sha256:" + hashlib.sha256(b"edited\n").hexdigest()
    result = verify_release(out, "1.0.0")
    assert [(p.file, p.problem) for p in result.problems] == [
        ("report.md", f"checksum mismatch (expected {expected}, found {found})"),
        ("roles.csv", "missing"),
        ("notes.txt", "not listed in datapackage.json"),
    ]


def test_verify_needs_a_datapackage(out: Path) -> None:
    publish(out, make_ladder())
    (out / "releases" / "1.0.0" / "datapackage.json").unlink()
    with pytest.raises(ReleaseError) as exc:
        verify_release(out, "1.0.0")
    assert str(exc.value) == "release 1.0.0 has no datapackage.json; it cannot be verified"


# -------------------------------------------------------------------------------------- find, load


def test_latest_release_by_semantic_version(tmp_path: Path) -> None:
    for name in ("0.9.0", "1.10.0", "1.9.0", "notes", ".1.11.0.abc.tmp"):
        (tmp_path / "releases" / name).mkdir(parents=True)
    assert list_releases(tmp_path) == ["0.9.0", "1.9.0", "1.10.0"]
    assert latest_release(tmp_path) == "1.10.0"
    assert latest_release(tmp_path / "nothing") is None


def test_load_release_unknown_lists_versions(out: Path) -> None:
    publish(out, make_ladder())
    with pytest.raises(ReleaseError) as exc:
        load_release(out, "2.0.0")
    assert str(exc.value) == f"no release 2.0.0 in {out / 'releases'} (available: 1.0.0)"


def test_resolve_ladder_by_version_or_path(out: Path) -> None:
    publish(out, make_ladder())
    assert resolve_ladder("1.0.0", out)[:2] == ("release 1.0.0", "1.0.0")
    label, version, ladder = resolve_ladder(str(out), out)
    assert (label, version, ladder) == ((out / "ladder.json").as_posix(), None, make_ladder())
    with pytest.raises(ReleaseError) as exc:
        resolve_ladder("nowhere", out)
    assert str(exc.value) == "'nowhere' is neither a release (available: 1.0.0) nor a path to a ladder.json"


def test_candidate_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_candidate(tmp_path)
    assert str(exc.value) == f"no candidate dataset at {tmp_path / 'ladder.json'}: run `ladder run` first"


def test_diff_between_two_releases(out: Path) -> None:
    publish(out, make_ladder())
    publish(out, text_fix())
    diff = diff_refs(out, "1.0.0", "1.0.1")
    assert (diff.base, diff.target, diff.bump, diff.suggested_version) == (
        "release 1.0.0",
        "release 1.0.1",
        "patch",
        "1.0.1",
    )
    assert [c.id for c in diff.behaviors.changed] == ["beh_data"]
    assert diff_refs(out, "1.0.1", "1.0.0").behaviors.changed[0].fields[0].after == "Finds basic data insights"


def test_release_created(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert release_created() == "1970-01-02T00:00:00Z"
    assert release_created(CREATED) == CREATED
    with pytest.raises(ReleaseError) as exc:
        release_created("yesterday")
    assert str(exc.value) == "invalid created timestamp 'yesterday': expected ISO 8601, e.g. 2025-01-31T12:00:00Z"


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_publish_without_approve_is_a_preview(out: Path) -> None:
    result = runner.invoke(app, ["publish", "--out", str(out)])
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "No published release yet: everything in candidate is added.",
        "- tracks: 2 added, 0 removed, 0 changed",
        "- roles: 3 added, 0 removed, 0 changed",
        "- competencies: 2 added, 0 removed, 0 changed",
        "- behaviors: 3 added, 0 removed, 0 changed",
        "- occurrences: 5 added, 0 removed, 0 moved",
        "Suggested version: 1.0.0 (first release)",
        "preview only: release 1.0.0 not published; review the diff above, then re-run with --approve",
    ]
    assert not (out / "releases").exists()


def test_cli_publish_with_approve_then_refuses_overwrite(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1738324800")
    result = runner.invoke(app, ["publish", "--approve", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert (
        result.stdout.splitlines()[-1]
        == f"published release 1.0.0 to {(out / 'releases' / '1.0.0').as_posix()} (24 files)"
    )
    package = json.loads((out / "releases" / "1.0.0" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["created"] == "2025-01-31T12:00:00Z"
    again = runner.invoke(app, ["publish", "--approve", "--version", "1.0.0", "--out", str(out)])
    assert again.exit_code == 1
    assert again.stderr == (
        f"ladder: error: release 1.0.0 exists already at {out / 'releases' / '1.0.0'}; published releases are never "
        "rewritten (choose a new version, e.g. 1.0.1; available: 1.0.0)\n"
    )


def test_cli_publish_json_and_quiet(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1738324800")
    preview = runner.invoke(app, ["publish", "--json", "--out", str(out)])
    assert (preview.exit_code, preview.stderr) == (0, "")
    assert json.loads(preview.stdout) == {
        "version": "1.0.0",
        "latest": None,
        "diff": [
            "No published release yet: everything in candidate is added.",
            "- tracks: 2 added, 0 removed, 0 changed",
            "- roles: 3 added, 0 removed, 0 changed",
            "- competencies: 2 added, 0 removed, 0 changed",
            "- behaviors: 3 added, 0 removed, 0 changed",
            "- occurrences: 5 added, 0 removed, 0 moved",
            "Suggested version: 1.0.0 (first release)",
        ],
        "published": False,
    }
    quiet = runner.invoke(app, ["publish", "-q", "--approve", "--approver", "Ana", "--note", "ok", "--out", str(out)])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    package = json.loads((out / "releases" / "1.0.0" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["approval"] == {"approver": "Ana", "note": "ok"}
    refused = runner.invoke(app, ["publish", "--json", "--approve", "--version", "1.0.0", "--out", str(out)])
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr.startswith("ladder: error: release 1.0.0 exists already")
    verified = runner.invoke(app, ["verify", "--json", "--out", str(out)])
    assert verified.exit_code == 0
    [result] = json.loads(verified.stdout)
    assert (result["version"], result["ok"], len(result["checked"]), result["problems"]) == ("1.0.0", True, 23, [])
    same = runner.invoke(app, ["diff", "--json", "--out", str(out)])
    assert same.exit_code == 0
    assert json.loads(same.stdout)["base"] == "release 1.0.0"
    assert runner.invoke(app, ["diff", "--quiet", "--out", str(out)]).stdout == ""


def test_cli_version_and_short_help() -> None:
    version = runner.invoke(app, ["--version"])
    assert (version.exit_code, version.stdout) == (0, "ladder 0.1.0\n")
    short = runner.invoke(app, ["publish", "-h"])
    assert short.exit_code == 0
    assert "--approve" in short.stdout and "<bool>" not in short.stdout
    assert "-q, --quiet" in short.stdout
    run_help = runner.invoke(app, ["run", "--help"]).stdout
    assert "--no-cache " in run_help and "<bool>" not in run_help


def test_cli_publish_without_candidate(tmp_path: Path) -> None:
    result = runner.invoke(app, ["publish", "--approve", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        result.stderr == f"ladder: error: no candidate dataset at {tmp_path / 'ladder.json'}: run `ladder run` first\n"
    )


def test_cli_verify(out: Path) -> None:
    publish(out, make_ladder())
    ok = runner.invoke(app, ["verify", "--out", str(out)])
    head = json.loads((out / "releases" / "index.json").read_text())["releases"][-1]["hash"]
    assert (ok.exit_code, ok.stdout) == (
        0,
        f"release 1.0.0: ok (23 files match)\nreleases index: chain intact, head {head}\n",
    )
    tamper(out / "releases" / "1.0.0" / "ladder.json", b"{}")
    (out / "releases" / "1.0.0" / "roles.parquet").unlink()
    bad = runner.invoke(app, ["verify", "1.0.0", "--out", str(out)])
    assert bad.exit_code == 1
    lines = bad.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("ladder: release 1.0.0: ladder.json: checksum mismatch (expected sha256:")
    assert lines[1] == "ladder: release 1.0.0: roles.parquet: missing"


def test_cli_verify_without_releases(tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"ladder: error: no release to verify in {tmp_path / 'releases'} (publish one with `ladder publish --approve`)\n"
    )
    unknown = runner.invoke(app, ["verify", "3.0.0", "--out", str(tmp_path)])
    assert unknown.stderr == f"ladder: error: no release 3.0.0 in {tmp_path / 'releases'} (no release published yet)\n"


def test_cli_diff(out: Path) -> None:
    publish(out, make_ladder())
    same = runner.invoke(app, ["diff", "--out", str(out)])
    assert (same.exit_code, same.stdout) == (0, "No changes: candidate is identical to release 1.0.0.\n")
    publish(out, text_fix())
    between = runner.invoke(app, ["diff", "1.0.0", "1.0.1", "--out", str(out)])
    assert between.exit_code == 0
    assert between.stdout.splitlines()[0] == "Changes in release 1.0.1 since release 1.0.0:"
    assert (
        between.stdout.splitlines()[-1] == "changed behavior beh_data text: Finds [-basic-] {+advanced+} data insights"
    )
    bad = runner.invoke(app, ["diff", "9.9.9", "--out", str(out)])
    assert bad.exit_code == 1
    assert bad.stderr == f"ladder: error: no release 9.9.9 in {out / 'releases'} (available: 1.0.0, 1.0.1)\n"


# --------------------------------------------------------------------------------------------- flow


def test_flow_without_server_refuses_to_publish_unapproved(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish_flow_module, "running_against_server", lambda: False)
    plan = plan_release(make_ladder(), out)
    with pytest.raises(ReleaseError) as exc:
        publish_flow_module.ask_approval(plan)
    assert str(exc.value) == (
        "publishing 1.0.0 needs approval: run with approve=True, or against a Prefect server (PREFECT_API_URL) "
        "to approve in the UI"
    )


def test_flow_on_a_server_pauses_with_the_diff_summary(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = []

    def fake_pause(wait_for_input, timeout):
        asked.append((wait_for_input, timeout))
        return publish_flow_module.PublishApproval(approve=False, reviewer="ana", note="wait for Q3")

    monkeypatch.setattr(publish_flow_module, "running_against_server", lambda: True)
    monkeypatch.setattr(publish_flow_module, "pause_flow_run", fake_pause)
    plan = plan_release(make_ladder(), out)
    answer = publish_flow_module.ask_approval(plan, "http://127.0.0.1:4200/artifacts/artifact/1234")
    assert (answer.approve, answer.reviewer) == (False, "ana")
    [(form, timeout)] = asked
    assert timeout == 24 * 3600
    # outside a flow run there is no run link; the message still says what to do
    assert capsys.readouterr().err == (
        "release 1.0.0 waits for approval: open this flow run in the Prefect UI and press Resume (approve, "
        "reviewer, note); without an answer within 24 h the run fails and nothing is published\n"
    )
    assert "Review the [normalization report](http://127.0.0.1:4200/artifacts/artifact/1234) before approving." in (
        form._description.splitlines()
    )
    assert publish_flow_module.approval_description(plan).splitlines()[:3] == [
        "**Publish release 1.0.0?**",
        "",
        "No published release yet: everything in candidate is added.",
    ]
    assert form.model_fields["approve"].default is False


@pytest.mark.slow
def test_publish_flow_end_to_end_with_approve(out: Path, tmp_path: Path) -> None:
    """The real Prefect flow, in a clean process: approve=True publishes without pausing."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["HOME"] = str(tmp_path)
    code = (
        "from pathlib import Path\n"
        "from flows.publish import publish_flow\n"
        f"r = publish_flow(Path({str(out)!r}), approve=True, created={CREATED!r})\n"
        "print(r.version, len(r.files))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "1.0.0 24"
    assert verify_release(out, "1.0.0").ok


# ------------------------------------------------------------------------------------ end to end on raw/


def test_second_run_on_unchanged_raw_is_identical_and_says_so(tmp_path: Path) -> None:
    """run -> publish -> run again: byte-identical outputs, an empty diff, one line in the report."""
    from pipeline.config import Config
    from pipeline.release.report import render_markdown, write_report
    from pipeline.run import run_local
    from tests.conftest import RAW

    out = tmp_path / "normalized"

    def run() -> dict[str, bytes]:
        run_local(RAW, out, Config())
        ladder = load_candidate(out)
        write_report(ladder, diff_refs(out), out)
        return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and p.name != "CHANGELOG.md"}

    first = run()
    assert run() == first
    publish(out, load_candidate(out))
    assert verify_release(out, "1.0.0").ok
    after = run()
    assert {k: v for k, v in after.items() if not k.startswith("report.")} == {
        k: v for k, v in first.items() if not k.startswith("report.")
    }
    diff = diff_refs(out)
    assert diff.is_empty
    report = (out / "report.md").read_text(encoding="utf-8")
    assert report == render_markdown(load_candidate(out), diff)
    assert report.splitlines()[2] == "No changes since release 1.0.0: the candidate gives the same dataset."
    assert run() == after


def test_a_plan_that_still_holds_is_not_diffed_again(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Publishing the ladder a plan was made for, on the same releases, reuses the plan's diff; another ladder
    object (or a plan read back from JSON) is planned again."""
    import pipeline.release.publish as publish_module

    calls: list[str] = []
    real = publish_module.diff_ladders

    def counting(*args, **kwargs):
        calls.append(kwargs.get("target_label", "candidate"))
        return real(*args, **kwargs)

    monkeypatch.setattr(publish_module, "diff_ladders", counting)
    ladder = make_ladder()
    plan = plan_release(ladder, out)
    publish_release(ladder, out, plan, created=CREATED)
    assert calls == ["candidate"]
    fixed = text_fix()
    plan = plan_release(fixed, out)
    publish_release(text_fix(), out, plan, created=CREATED)
    assert calls == ["candidate", "candidate", "candidate"]
    again = text_fix()
    again.behaviors[0].text = "Owns the renewal forecast"
    plan = plan_release(again, out)
    read_back = type(plan).model_validate_json(plan.model_dump_json())
    publish_release(again, out, read_back, created=CREATED)
    assert calls == ["candidate"] * 5
    assert list_releases(out) == ["1.0.0", "1.0.1", "1.0.2"]


def test_a_plan_whose_base_release_changed_is_refused(out: Path) -> None:
    publish(out, make_ladder())
    ladder = text_fix()
    plan = plan_release(ladder, out)
    assert plan.version == "1.0.1"
    base = out / "releases" / "1.0.0" / "ladder.json"
    tamper(base, json.dumps(json.loads(base.read_bytes()) | {"behaviors": []}).encode())
    with pytest.raises(ReleaseError) as exc:
        publish_release(ladder, out, plan, created=CREATED)
    assert str(exc.value) == (
        "the releases changed since the diff was approved (latest is now 1.0.0); review the diff again"
    )
    assert list_releases(out) == ["1.0.0"]

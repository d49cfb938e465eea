"""The CLI: exit codes and exact one-line messages; one end-to-end run of the real Prefect flow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from pipeline.config import Config
from pipeline.run import run_local
from tests.conftest import RAW

runner = CliRunner()


def test_run_missing_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr == f"ladder: error: input folder not found: {tmp_path / 'nope'}\n"


def test_run_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    result = runner.invoke(app, ["run", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"ladder: error: no documents in {tmp_path / 'raw'} (expected files ending in ")
    assert not (tmp_path / "out").exists()


def test_bad_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("ingest:\n  max_bytes: lots\n")
    result = runner.invoke(app, ["run", "--raw", str(RAW), "--config", str(cfg)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"ladder: error: {cfg}: ingest.max_bytes: Input should be a valid integer")


def test_config_command_prints_defaults() -> None:
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 0
    assert "max_bytes: 10485760" in result.stdout


@pytest.mark.slow
def test_flow_end_to_end_matches_library_run(tmp_path: Path) -> None:
    """`ladder run` through Prefect, with one bad file: exit 3, same bytes as the in-process run."""
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    (raw / "zz_empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["HOME"] = str(home)
    proc = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--raw", str(raw), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=tmp_path,
    )
    assert proc.returncode == 3, proc.stderr
    assert "rejected: zz_empty.txt: empty file" in proc.stdout
    assert "behavior occurrences" in proc.stdout
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr
    assert list(home.iterdir()) == []  # no Prefect state in the user's home folder
    assert (tmp_path / ".prefect").is_dir()  # it stays in the working folder
    expected = tmp_path / "expected"
    run_local(raw, expected, Config())
    for name in sorted(p.name for p in expected.iterdir() if p.is_file()):
        assert (out / name).read_bytes() == (expected / name).read_bytes(), name


def test_config_output_loads_back(tmp_path: Path) -> None:
    from pipeline.config import load_config

    result = runner.invoke(app, ["config"])
    (tmp_path / "c.yaml").write_text(result.stdout)
    assert load_config(tmp_path / "c.yaml") == Config()


def test_bad_decisions_file(tmp_path: Path) -> None:
    bad = tmp_path / "d.yaml"
    bad.write_text("decisions:\n  - action: explode\n")
    result = runner.invoke(app, ["run", "--raw", str(RAW), "--out", str(tmp_path / "o"), "--decisions", str(bad)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"ladder: error: {bad}: decisions[0]: action 'explode' is not one of merge, split, keep-apart, rename, level\n"
    )


def test_decide_appends_each_action(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.build.decisions as decisions_module

    monkeypatch.setattr(decisions_module, "now_utc", lambda: "2026-12-01T21:00:00Z")
    path = tmp_path / "decisions.yaml"
    path.write_text("# kept\ndecisions:\n")
    calls = [
        ["merge", "beh_aaaaaaaaaaaa", "beh_bbbbbbbbbbbb", "--note", "same: demand"],
        ["split", "beh_aaaaaaaaaaaa", "--occurrence", "01-page.txt#L12.1"],
        ["keep-apart", "beh_cccccccccccc", "beh_dddddddddddd"],
        ["rename", "comp_aaaaaaaaaaaa", "Coaching"],
        ["level", "role_aaaaaaaaaaaa", "M2"],
    ]
    for call in calls:
        result = runner.invoke(app, ["decide", *call, "--decisions", str(path), "--by", "ana"])
        assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"appended to {path} (5 decisions; the next `ladder run` applies them):\n")
    assert path.read_text() == (
        "# kept\ndecisions:\n"
        "  - action: merge\n    behaviors:\n    - beh_aaaaaaaaaaaa\n    - beh_bbbbbbbbbbbb\n"
        "    note: 'same: demand'\n    by: ana\n    at: '2026-12-01T21:00:00Z'\n"
        "  - action: split\n    behavior: beh_aaaaaaaaaaaa\n    occurrence: 01-page.txt#L12.1\n"
        "    by: ana\n    at: '2026-12-01T21:00:00Z'\n"
        "  - action: keep-apart\n    behaviors:\n    - beh_cccccccccccc\n    - beh_dddddddddddd\n"
        "    by: ana\n    at: '2026-12-01T21:00:00Z'\n"
        "  - action: rename\n    competency: comp_aaaaaaaaaaaa\n    name: Coaching\n"
        "    by: ana\n    at: '2026-12-01T21:00:00Z'\n"
        "  - action: level\n    role: role_aaaaaaaaaaaa\n    level: M2\n    by: ana\n    at: '2026-12-01T21:00:00Z'\n"
    )
    bad = runner.invoke(app, ["decide", "level", "role_aaaaaaaaaaaa", "L3", "--decisions", str(path)])
    assert bad.exit_code == 1
    assert bad.stderr == "ladder: error: level: String should match pattern '^(?:IC|M)[1-9][0-9]*$'\n"
    assert path.read_text().count("- action:") == 5


def test_run_announces_decisions_and_strict_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("decisions.yaml").write_text(
        "decisions:\n  - action: rename\n    competency: comp_000000000000\n    name: Gone\n"
        "  - action: split\n    behavior: beh_000000000000\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--raw", str(RAW), "--out", str(out), "--strict-decisions"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "using reviewer decisions from decisions.yaml in this folder (--no-decisions ignores it)"
    assert lines[-3:] == [
        "reviewer decisions: 0 applied, 2 stale, 0 refused",
        "stale decision: rename comp_000000000000: no competency with this id",
        "stale decision: split beh_000000000000: no behavior with this id",
    ]
    assert result.stderr.endswith(
        "ladder: error: 2 reviewer decision(s) stale or refused (--strict-decisions): see above\n"
    )
    ignored = runner.invoke(app, ["run", "--raw", str(RAW), "--out", str(out), "--no-decisions", "--strict-decisions"])
    assert ignored.exit_code == 0, ignored.output
    assert ignored.stdout.splitlines()[0] == "reviewer decisions ignored (--no-decisions)"
    assert "reviewer decisions:" not in ignored.stdout

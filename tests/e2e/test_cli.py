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
        f"ladder: error: {bad}: decisions[0]: action 'explode' is not one of merge, split, rename, level\n"
    )

"""The CLI: bad config, decisions and manifest files are one line before Prefect starts; a second run on
the same --out is refused; SIGINT and SIGTERM stop a run at once, leaving the output folder as it was."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from pipeline.config import Config
from pipeline.release.commit import output_lock
from pipeline.run import run_local
from tests.conftest import RAW, ROOT, SCALE
from tests.reliability.runs import start_run, stop_run

runner = CliRunner()


def test_config_with_a_non_utf8_byte(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_bytes(b"ingest:\n  max_bytes: 10\xff\n")
    result = runner.invoke(app, ["run", "--raw", str(RAW), "--out", str(tmp_path / "out"), "--config", str(cfg)])
    assert result.exit_code == 1
    assert (
        result.stderr == f"ladder: error: {cfg}: not UTF-8: byte 0xff at offset 23 (expected a UTF-8 YAML text file)\n"
    )


def test_decisions_with_a_nul_byte(tmp_path: Path) -> None:
    dec = tmp_path / "d.yaml"
    dec.write_bytes(b"decisions: []\n\x00")
    result = runner.invoke(app, ["run", "--raw", str(RAW), "--out", str(tmp_path / "out"), "--decisions", str(dec)])
    assert result.exit_code == 1
    assert result.stderr == f"ladder: error: {dec}: NUL byte at offset 14 (expected a UTF-8 YAML text file)\n"


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        (
            "kinds:\n  a.txt: blog\n",
            "kinds: a.txt: unknown kind 'blog' (expected one of career_page, role_descriptions, forum_thread, article)",
        ),
        (
            "kinds: [a\n",
            "not valid YAML: line 2, column 1: expected ',' or ']', but got '<stream end>' (expected YAML text)",
        ),
        ("- a.txt\n", "not a mapping of kinds (expected `kinds: {file: kind}`)"),
    ],
)
def test_bad_manifest_fails_before_prefect(tmp_path: Path, manifest: str, problem: str) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / SCALE, raw / SCALE)
    (raw / "manifest.yaml").write_text(manifest)
    result = runner.invoke(app, ["run", "--raw", str(raw), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr == f"ladder: error: {raw / 'manifest.yaml'}: {problem}\n"


def test_second_run_on_the_same_out_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out):
        # the lock is re-entrant in one process; another process sees it held: run the CLI in a child
        proc = subprocess.run(
            [sys.executable, "-m", "flows.cli", "run", "--raw", str(RAW), "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    assert proc.returncode == 1
    assert proc.stderr.startswith(
        f"ladder: error: {out}: in use by another ladder process (pid {os.getpid()}, started "
    )
    assert proc.stderr.endswith("; wait for it to finish or stop it\n")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "code", "word"), [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")]
)
def test_signal_stops_a_run_at_once(tmp_path: Path, sig: signal.Signals, code: int, word: str) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    out = tmp_path / "out"
    run_local(raw, out, Config())
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    (raw / "new.txt").write_bytes((RAW / SCALE).read_bytes().replace(b"Scale", b"Other"))
    proc = start_run(raw, out, tmp_path)
    deadline = time.monotonic() + 240
    while "pid" not in (out / ".lock").read_text() and time.monotonic() < deadline:
        time.sleep(0.1)  # the run holds the lock: its handlers are in place, Prefect is starting
    time.sleep(1.0)
    stop_run(proc, sig, code, word, out)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert after == before

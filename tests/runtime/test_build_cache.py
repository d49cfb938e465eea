"""Reusing the last run's outputs: only when nothing they depend on changed, and never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.config import Config, IngestConfig
from pipeline.run import run_local
from tests.conftest import RAW


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    return raw


def test_unchanged_rerun_reuses_outputs(tmp_path: Path) -> None:
    raw, out = _raw(tmp_path), tmp_path / "out"
    first = run_local(raw, out, Config())
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    second = run_local(raw, out, Config())
    assert (first.outputs_reused, second.outputs_reused) == (False, True)
    assert second.model_copy(update={"outputs_reused": False}) == first
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_changes_rebuild(tmp_path: Path) -> None:
    raw, out = _raw(tmp_path), tmp_path / "out"
    run_local(raw, out, Config())
    # an output edited by hand is rebuilt
    (out / "roles.csv").write_text("tampered\n")
    again = run_local(raw, out, Config())
    assert again.outputs_reused is False and (out / "roles.csv").read_text().startswith("track,role,")
    # a changed configuration rebuilds
    assert run_local(raw, out, Config(ingest=IngestConfig(max_bytes=10_000))).outputs_reused is False
    # a new document rebuilds and is counted
    (raw / "extra.md").write_text("# Notes\n\nNothing to see.\n")
    summary = run_local(raw, out, Config())
    assert (summary.outputs_reused, summary.documents_read) == (False, 6)
    # no reuse asked: always rebuilt
    assert run_local(raw, out, Config(), reuse=False).outputs_reused is False

"""The run's progress callback is passed in (`run_ingest(on_result=…)`), called once per file as it
completes, and holds for that run only."""

from __future__ import annotations

from pathlib import Path

from flows.ingest import _on_result, reporting_progress, run_ingest
from pipeline.run import FileResult
from tests.conftest import RAW


def test_on_result_is_called_once_per_document(tmp_path: Path) -> None:
    completed: list[FileResult] = []
    summary = run_ingest(RAW, tmp_path / "out", cache=False, on_result=completed.append)
    assert sorted(r.file for r in completed) == sorted(p.name for p in RAW.glob("0*"))
    assert [r.file for r in completed if r.parsed is None] == []
    assert summary.documents_read == 5
    assert _on_result.get() is None  # nothing left behind for the next run


def test_reporting_progress_is_scoped_and_nests() -> None:
    def outer(r: FileResult) -> None: ...
    def inner(r: FileResult) -> None: ...

    with reporting_progress(outer):
        assert _on_result.get() is outer
        with reporting_progress(inner):
            assert _on_result.get() is inner
        assert _on_result.get() is outer
    assert _on_result.get() is None

"""`ladder run` on the own-words ladder fixtures: table cell refs (`L7:r2c3`) sort and the report shows
each document's structure."""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline.config import Config
from pipeline.models import ref_order
from pipeline.run import run_local
from tests.conftest import FIXTURES


def test_ref_order_sorts_lines_then_cells() -> None:
    refs = ["L9", "L8:r10c1", "L8", "L8:r2c3", "L10", "L8:r2c10", "x"]
    assert sorted(refs, key=ref_order) == ["x", "L8", "L8:r2c3", "L8:r2c10", "L8:r10c1", "L9", "L10"]


def test_run_on_fixture_ladders(tmp_path: Path) -> None:
    summary = run_local(FIXTURES / "ladders" / "raw", tmp_path / "out", Config(), reuse=False)
    assert (summary.documents_read, summary.rejected, summary.roles) == (12, 0, 39)
    with (tmp_path / "out" / "occurrences.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["source_file"] == "tidewater-solutions.html"]
    assert [(r["source_ref"], r["role"], r["competency"]) for r in rows[:4]] == [
        ("L12", "Solutions Engineer", "Technical depth"),
        ("L12", "Solutions Engineer", "Technical depth"),
        ("L13:r2c4", "Solutions Engineer", "Customer engagement"),
        ("L19", "Senior Solutions Engineer", "Technical depth"),
    ]
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8").splitlines()
    start = report.index("## Document structure (12)")
    assert report[start + 2] == "12 documents read; no warnings."
    assert report[start + 4 : start + 6] == [
        "| File | Kind | Confidence | Roles | Structure found |",
        "| --- | --- | --- | --- | --- |",
    ]
    assert (
        "| tidewater-solutions.html | career\\_page | 0.90 | 4 | levels: table rows Solutions Engineer–Principal "
        "Solutions Architect; competencies: table labels; behaviors: cells and cell list items |"
    ) in report

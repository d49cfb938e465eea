"""Golden files: the whole output on the bundled raw/ must not change unless we mean it.

Regenerate after an intended change with `UPDATE_GOLDEN=1 python3 dev.py test tests/e2e/test_golden.py`,
then review the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.run import run_local
from tests.conftest import RAW

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
FILES = ["ladder.json", "occurrences.csv", "roles.csv", "rejected.json", "report.md", "report.html"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden")
    run_local(RAW, out, Config())
    return out


@pytest.mark.parametrize("name", FILES)
def test_output_matches_golden(run_dir: Path, name: str) -> None:
    produced = run_dir / name
    if not produced.exists():
        pytest.fail(f"{name} was not written")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        (GOLDEN / name).write_bytes(produced.read_bytes())
    assert produced.read_bytes() == (GOLDEN / name).read_bytes(), f"{name} differs from tests/golden/{name}"


def test_second_run_is_byte_identical(run_dir: Path, tmp_path: Path) -> None:
    run_local(RAW, tmp_path, Config())
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (run_dir / name).read_bytes(), name

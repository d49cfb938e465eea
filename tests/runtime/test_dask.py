"""The ingest flow on a 2-worker Dask LocalCluster gives byte-identical outputs to the local thread run,
and fills the parse cache one entry per document."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.ingest import run_ingest, task_runner
from pipeline.devtools.synth import write_corpus
from pipeline.errors import InputError

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.slow
def test_dask_local_cluster_matches_local_run(tmp_path: Path) -> None:
    raw = write_corpus(tmp_path / "synth", 4, seed=3).raw_dir
    for seed_doc in sorted((ROOT / "raw").glob("000_*")):  # a real career page too
        shutil.copy(seed_doc, raw / seed_doc.name)
    local = run_ingest(raw, tmp_path / "local")
    completed: list[str] = []  # the progress callback runs in the flow, never shipped to a worker
    dask = run_ingest(raw, tmp_path / "dask", dask="local", cache=False, on_result=lambda r: completed.append(r.file))
    assert sorted(completed) == sorted(p.name for p in raw.iterdir() if p.is_file())
    assert local == dask.model_copy(update={"outputs": local.outputs})
    names = sorted(p.name for p in (tmp_path / "local").iterdir() if p.is_file())
    assert {"ladder.json", "occurrences.csv", "roles.csv", "report.md", "rejected.json"} <= set(names)
    for name in names:
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes(), name
    parse_entries = [p for p in (tmp_path / "local" / ".cache").rglob("*.json") if p.name != "build.json"]
    assert len(parse_entries) == 5
    assert (tmp_path / "local" / ".cache" / "build.json").is_file()
    assert not (tmp_path / "dask" / ".cache").exists()


def test_dask_address_is_checked() -> None:
    with pytest.raises(
        InputError,
        match=r"^--dask: expected 'local' or a scheduler address such as "
        r"tcp://10.0.0.5:8786, got 'nowhere'$",
    ):
        task_runner("nowhere")
    assert type(task_runner("tcp://10.0.0.5:8786")).__name__ == "DaskTaskRunner"
    assert type(task_runner(None)).__name__ == "ThreadPoolTaskRunner"

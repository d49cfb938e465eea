"""The ingest flow on a 2-worker Dask LocalCluster, and with its parse tasks in worker processes, gives
byte-identical outputs to the local thread run, and fills the parse cache one entry per document. Worker
processes are used only when enough documents are not in the parse cache."""

from __future__ import annotations

import shutil
import tempfile
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


@pytest.mark.slow
def test_process_pool_matches_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import flows.ingest
    from pipeline.runtime import batches

    raw = write_corpus(tmp_path / "synth", 6, seed=5).raw_dir
    for seed_doc in sorted((ROOT / "raw").glob("00[04]_*")):  # a real career page and an article (spaCy)
        shutil.copy(seed_doc, raw / seed_doc.name)
    threads = run_ingest(raw, tmp_path / "threads", workers=1)
    pools: list[int] = []

    def recording_pool(workers: int) -> object:
        pools.append(workers)
        return flows.ingest.ProcessPoolTaskRunner(max_workers=workers, initializer=flows.ingest._parse_worker_started)

    spooled: list[Path] = []

    def recording_unspool(path: Path) -> list:
        spooled.append(path)
        return batches.unspool_results(path)

    monkeypatch.setattr(batches, "PROCESS_MIN_FILES", 3)  # this small corpus goes to processes too
    monkeypatch.setattr(flows.ingest, "parse_pool", recording_pool)
    monkeypatch.setattr(flows.ingest, "unspool_results", recording_unspool)
    spool_root = tmp_path / "tmp"
    spool_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool_root))
    completed: list[str] = []
    processes = run_ingest(raw, tmp_path / "processes", workers=2, on_result=lambda r: completed.append(r.file))
    assert pools == [2]
    # the workers handed every batch over as a file in the run's own folder, which is gone after the run
    assert len(spooled) == len(batches.plan_shrinking(sorted(p for p in raw.iterdir() if p.is_file()), 2))
    assert {p.parent.parent for p in spooled} == {spool_root}
    assert list(spool_root.iterdir()) == []
    assert sorted(completed) == sorted(p.name for p in raw.iterdir() if p.is_file())
    assert threads == processes.model_copy(update={"outputs": threads.outputs})
    names = sorted(p.name for p in (tmp_path / "threads").iterdir() if p.is_file())
    assert {"ladder.json", "occurrences.csv", "roles.csv", "report.md", "rejected.json"} <= set(names)
    for name in names:
        assert (tmp_path / "threads" / name).read_bytes() == (tmp_path / "processes" / name).read_bytes(), name
    # the workers filled the parse cache: a re-run reads it in threads, no pool
    again = run_ingest(raw, tmp_path / "processes", workers=2)
    assert pools == [2]
    assert again.outputs_reused


def test_processes_only_for_documents_to_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.config import Config
    from pipeline.runtime import batches
    from pipeline.runtime.parse_cache import ParseCache

    raw = write_corpus(tmp_path / "synth", 5, seed=2).raw_dir
    files = sorted(p for p in raw.iterdir() if p.is_file())
    config = Config()
    cache = ParseCache(tmp_path / "cache", config)
    assert batches.files_to_parse(files, raw, config, {}, None, 3) == 3
    assert batches.files_to_parse(files, raw, config, {}, cache, 100) == 5
    batches.process_batch(files[:2], raw, config, {}, cache.root, cache.fingerprint)
    assert batches.files_to_parse(files, raw, config, {}, cache, 100) == 3
    monkeypatch.setattr(batches, "PROCESS_MIN_FILES", 3)
    plan, in_processes = batches.plan_parse(files, raw, config, {}, cache, 2)
    shrinking = [files[:2], files[2:3], files[3:4], files[4:]]  # 5 files: a quarter, then what is left, by 1
    assert (plan, in_processes) == (shrinking, True)
    assert batches.plan_parse(files, raw, config, {}, cache, 1) == ([[p] for p in files], False)
    batches.process_batch(files[2:3], raw, config, {}, cache.root, cache.fingerprint)
    assert batches.plan_parse(files, raw, config, {}, cache, 2) == ([[p] for p in files], False)
    assert batches.plan_parse(files, raw, config, {}, None, 2) == (shrinking, True)
    # a re-run the cache serves entirely: few tasks, in threads
    batches.process_batch(files[3:], raw, config, {}, cache.root, cache.fingerprint)
    monkeypatch.setattr(batches, "CACHED_TASKS", 2)
    assert batches.plan_parse(files, raw, config, {}, cache, 2) == ([files[:3], files[3:]], False)

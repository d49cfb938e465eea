"""What a large run lets go of: the parse futures once their results are taken, and the behavior bullets once
they are atomized (the dataset built is the same)."""

from __future__ import annotations

import gc
import uuid
import weakref
from concurrent.futures import Future

from prefect.futures import PrefectConcurrentFuture

from flows.ingest import _results_as_completed
from pipeline.build import build_ladder
from pipeline.config import Config
from pipeline.run import FileResult, assemble, process_file
from tests.conftest import RAW

CFG = Config()


def _results() -> list[FileResult]:
    return [process_file(p, RAW, CFG) for p in sorted(RAW.glob("0*"))]


def test_results_as_completed_lets_each_future_go() -> None:
    raw: list[Future[list[str]]] = [Future() for _ in range(3)]
    futures = [PrefectConcurrentFuture(uuid.uuid4(), f) for f in raw]
    alive = [weakref.ref(f) for f in futures]
    for f, batch in zip(raw, (["a"], ["b", "c"], []), strict=True):
        f.set_result(batch)
    del raw, f  # a done future's callbacks refer back to the Prefect future: only the cycle is left
    got = []
    batches = _results_as_completed(futures)
    got.append(next(batches))
    assert futures == []  # emptied on the first result
    got.extend(batches)
    gc.collect()
    assert sorted(got) == [[], ["a"], ["b", "c"]]
    assert [ref() for ref in alive] == [None, None, None]


def test_release_drops_the_bullets_and_builds_the_same_dataset() -> None:
    kept_results, given_results = _results(), _results()
    kept = assemble(kept_results, CFG)
    given = assemble(given_results, CFG, release=True)
    assert given.model_dump_json() == kept.model_dump_json()
    parsed = [r.parsed for r in given_results if r.parsed is not None]
    assert [(len(p.behaviors), len(p.competencies), len(p.roles)) for p in parsed] == [(0, 0, 0)] * len(parsed) != []
    assert sum(len(r.parsed.behaviors) for r in kept_results if r.parsed) == 301
    assert sum(len(b.occurrences) for b in given.behaviors) == 314
    # what the summary and the dataset still read is left: warnings, structure, benchmarks
    assert [r.parsed.structure for r in given_results if r.parsed] == [
        r.parsed.structure for r in kept_results if r.parsed
    ]


def test_build_ladder_keeps_the_bullets_by_default() -> None:
    results = _results()
    parsed = [r.parsed for r in results if r.parsed is not None]
    before = [(len(p.behaviors), len(p.competencies), len(p.roles)) for p in parsed]
    build_ladder([r.document for r in results if r.document], parsed, [], CFG)
    assert [(len(p.behaviors), len(p.competencies), len(p.roles)) for p in parsed] == before
    assert sum(n for n, _, _ in before) == 301

"""The parse cache and batches: keys, hits, invalidation, damaged entries, incremental re-runs, and results
that build the same dataset as an uncached run."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from flows.ingest import _ingest_parse
from pipeline.config import Config
from pipeline.devtools.synth import write_corpus
from pipeline.errors import InputError
from pipeline.ids import canonical_json
from pipeline.models import Rejection
from pipeline.run import FileResult, assemble, process_file, write_outputs
from pipeline.runtime.batches import (
    decode_results,
    encode_results,
    plan_batches,
    plan_shrinking,
    process_batch,
    process_cached,
    slim,
)
from pipeline.runtime.parse_cache import ParseCache, fingerprint

ROOT = Path(__file__).resolve().parent.parent.parent
RAW = ROOT / "raw"


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus", 3, seed=4).raw_dir


def test_key_hashes_content_path_and_kind() -> None:
    content = hashlib.sha256(b"abc").hexdigest()
    expected = hashlib.sha256(canonical_json([content, "a.txt", None]).encode()).hexdigest()
    assert ParseCache.key(b"abc", "a.txt", None) == expected
    keys = {
        ParseCache.key(b"abc", "a.txt", None),
        ParseCache.key(b"abd", "a.txt", None),
        ParseCache.key(b"abc", "b.txt", None),
        ParseCache.key(b"abc", "a.txt", "article"),
    }
    assert len(keys) == 4


def test_fingerprint_follows_the_config() -> None:
    base = Config()
    changed = Config.model_validate({"ingest": {"max_bytes": 1000}})
    assert fingerprint(base) == fingerprint(Config())
    assert fingerprint(base) != fingerprint(changed)


def test_second_read_is_a_hit_with_the_same_result(corpus: Path, tmp_path: Path) -> None:
    config = Config()
    cache = ParseCache(tmp_path / "cache", config)
    files = sorted(corpus.iterdir())
    first = [process_cached(p, corpus, config, {}, cache) for p in files]
    again = [process_cached(p, corpus, config, {}, cache) for p in files]
    assert [hit for _, hit in first] == [False] * 3 and [hit for _, hit in again] == [True] * 3
    assert [r for r, _ in first] == [r for r, _ in again]
    assert [r for r, _ in first] == [slim(process_file(p, corpus, config)) for p in files]
    assert (cache.hits, cache.misses, cache.writes) == (3, 3, 3)
    entries = sorted((tmp_path / "cache").rglob("*.json"))
    assert len(entries) == 3 and all(e.parent.parent.name == cache.fingerprint[:16] for e in entries)


def test_rejections_are_cached_too(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "empty.txt").write_bytes(b"  \n")
    cache = ParseCache(tmp_path / "cache", Config())
    result, hit = process_cached(raw / "empty.txt", raw, Config(), {}, cache)
    assert (hit, result.rejection.reason) == (False, "empty file")
    assert process_cached(raw / "empty.txt", raw, Config(), {}, cache) == (result, True)


def test_config_change_misses(corpus: Path, tmp_path: Path) -> None:
    path = sorted(corpus.iterdir())[0]
    process_cached(path, corpus, Config(), {}, ParseCache(tmp_path / "c", Config()))
    other = Config.model_validate({"kinds": {"min_confidence": 0.4}})
    cache = ParseCache(tmp_path / "c", other)
    assert process_cached(path, corpus, other, {}, cache)[1] is False


def test_damaged_entry_is_a_miss_and_is_rewritten(corpus: Path, tmp_path: Path) -> None:
    config = Config()
    cache = ParseCache(tmp_path / "cache", config)
    path = sorted(corpus.iterdir())[0]
    result, _ = process_cached(path, corpus, config, {}, cache)
    entry = next((tmp_path / "cache").rglob("*.json"))
    entry.write_text('{"file": "half')
    assert process_cached(path, corpus, config, {}, cache) == (result, False)
    assert json.loads(entry.read_text())["file"] == path.name


def test_adding_a_document_parses_only_that_one(tmp_path: Path) -> None:
    config = Config()
    raw = write_corpus(tmp_path / "c", 4, seed=4).raw_dir
    files = sorted(raw.iterdir())
    cache = ParseCache(tmp_path / "cache", config)
    for p in files[:3]:
        process_cached(p, raw, config, {}, cache)
    cache = ParseCache(tmp_path / "cache", config)
    hits = [process_cached(p, raw, config, {}, cache)[1] for p in files]
    assert hits == [True, True, True, False]
    assert (cache.hits, cache.misses) == (3, 1)


def test_process_batch_keeps_order_and_uses_the_cache(corpus: Path, tmp_path: Path) -> None:
    config = Config()
    files = sorted(corpus.iterdir())
    results = process_batch(files, corpus, config, {}, tmp_path / "cache")
    assert [r.file for r in results] == [p.name for p in files]
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 3
    assert process_batch(files, corpus, config, {}, None) == results


def test_plan_batches() -> None:
    files = [Path(f"{i:05d}.txt") for i in range(10_000)]
    assert [len(b) for b in plan_batches(files[:10])] == [1] * 10
    assert [len(b) for b in plan_batches(files[:1000])] == [16] * 62 + [8]
    big = plan_batches(files)
    assert (len(big), len(big[0]), len(big[-1])) == (64, 157, 109)
    assert [p for b in big for p in b] == files
    assert plan_batches([]) == []


def test_plan_shrinking() -> None:
    files = [Path(f"{i:05d}.txt") for i in range(10_000)]
    assert [len(b) for b in plan_shrinking(files[:3000], 2)] == [
        *(512, 512, 494, 371, 278, 209, 156, 117, 88, 66, 50, 37, 28, 21, 16, 16, 16, 13)
    ]
    big = plan_shrinking(files, 2)
    assert [len(b) for b in big] == [512] * 16 + [452, 339, 255, 191, 143, 107, 81, 60, 45, 34, 26, 19, 16, 16, 16, 8]
    assert [p for b in big for p in b] == files
    assert [len(b) for b in plan_shrinking(files[:1000], 4)] == [
        *(125, 110, 96, 84, 74, 64, 56, 49, 43, 38, 33, 29, 25, 22, 19, 17, 16, 16, 16, 16, 16, 16, 16, 4)
    ]
    # under 64 * 16 files, batches go down to the size `plan_batches` gives
    assert [len(b) for b in plan_shrinking(files[:200], 2)] == [50, 38, 28, 21, 16, 12, 9, 7, 5, 4, 4, 4, 2]
    assert plan_shrinking(files[:3], 2) == [files[:1], files[1:2], files[2:3]]
    assert plan_shrinking([], 2) == []


def test_slim_results_build_the_same_outputs(tmp_path: Path) -> None:
    config = Config()
    full = [process_file(p, RAW, config) for p in sorted(RAW.glob("0*"))]
    assert slim(full[0]).document.text == "" and slim(full[0]).document.blocks == []
    paths_full, _ = write_outputs(assemble(full, config), tmp_path / "full", config)
    paths_slim, _ = write_outputs(assemble([slim(r) for r in full], config), tmp_path / "slim", config)
    for a, b in zip(paths_full, paths_slim, strict=False):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_encoded_results_read_back_the_same_and_build_the_same_outputs(tmp_path: Path) -> None:
    config = Config()
    files = sorted(RAW.glob("0*"))
    results = process_batch(files, RAW, config, {}, None)
    results.append(FileResult(file="x.txt", rejection=Rejection(file="x.txt", reason="too large")))
    shipped = encode_results(results)
    assert isinstance(shipped, bytes)
    back = decode_results(shipped)
    assert back == results
    assert [r.model_dump_json() for r in back] == [r.model_dump_json() for r in results]
    assert [r.file for r in back] == [p.name for p in files] + ["x.txt"]
    assert decode_results(encode_results([])) == []
    # what a parse task in a worker process returns is the same batch, encoded
    assert _ingest_parse(files, RAW, config, {}, None, None, encoded=True) == encode_results(results[:-1])
    assert _ingest_parse(files, RAW, config, {}, None, None) == results[:-1]
    paths_a, _ = write_outputs(assemble(results, config), tmp_path / "a", config)
    paths_b, _ = write_outputs(assemble(back, config), tmp_path / "b", config)
    assert [p.name for p in paths_a] == [p.name for p in paths_b] != []
    for a, b in zip(paths_a, paths_b, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_cache_path_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="cache path is not a folder: "):
        ParseCache(tmp_path / "file", Config())

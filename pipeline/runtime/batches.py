"""Ingest + parse in batches of documents, through the parse cache: the unit of work the flow ships to a
task runner (threads, worker processes, or Dask workers).

A task per document costs ~15 ms of orchestration; 10^4 documents would spend minutes on it, so large
corpora go in batches (`plan_batches`; in worker processes `plan_shrinking`). Batches only group work: every result is a function of its file
alone and the build sorts everything, so outputs never depend on the batch size or the number of workers.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic_core import from_json
from typing_extensions import TypedDict

from pipeline.config import Config
from pipeline.errors import RejectedDocument
from pipeline.ingest import display_name, read_input
from pipeline.models import (
    DocKind,
    ParsedBehavior,
    ParsedCompetency,
    ParsedDocument,
    ParsedRole,
    Rejection,
    lean_copy,
    parsed_behavior_of,
    parsed_competency_of,
    parsed_role_of,
)
from pipeline.run import FileResult, process_bytes
from pipeline.runtime.parse_cache import ParseCache

MAX_TASKS = 64  # up to this many files: one task each; above: about this many batches
MAX_BATCH = 256  # ... of at most this many files, so progress still moves on huge corpora
# Parsing is pure Python: threads use one core. Worker processes use them all, but each first starts an
# interpreter, imports Prefect, the pipeline and spaCy and builds the spaCy pipeline (~4 s of CPU), while a
# document takes ~70 ms to parse; from this many documents to parse, two workers finish first.
PROCESS_MIN_FILES = 200
CACHED_TASKS = 8
# In worker processes each task also costs the worker ~0.3 s of CPU (Prefect rebuilds its settings, client
# and flow-run context per task) and the API server a few requests, so batches there are larger, shrinking
# towards the end so that both workers finish together (see `plan_shrinking`).
PROCESS_MAX_BATCH = 512
PROCESS_MIN_BATCH = 16


def plan_batches(files: list[Path], max_tasks: int = MAX_TASKS, max_batch: int = MAX_BATCH) -> list[list[Path]]:
    """Consecutive slices of `files`: `plan_batches(10 files)` -> 10 batches of 1; 10^4 files -> 64 of 157."""
    if not files:
        return []
    size = min(max_batch, max(1, math.ceil(len(files) / max_tasks)))
    return [files[i : i + size] for i in range(0, len(files), size)]


def plan_shrinking(
    files: list[Path], workers: int, max_batch: int = PROCESS_MAX_BATCH, min_batch: int = PROCESS_MIN_BATCH
) -> list[list[Path]]:
    """Consecutive slices of `files` for `workers` processes: each batch a `2 * workers`-th of the files not yet
    planned, between `min_batch` (or the size `plan_batches` would give, when smaller) and `max_batch`.

    Few large batches first (few tasks to orchestrate), small ones last: a worker that finishes early takes
    the next small one instead of idling while the other works through a large one. 3,000 files on 2 workers:
    18 batches, `[512, 512, 494, 371, 278, ...]` down to 16, against 64 of 47 from `plan_batches`.
    """
    n = len(files)
    floor = max(1, min(min_batch, math.ceil(n / MAX_TASKS)))
    batches: list[list[Path]] = []
    start = 0
    while start < n:
        size = max(floor, min(max_batch, math.ceil((n - start) / (2 * max(1, workers)))))
        batches.append(files[start : start + size])
        start += size
    return batches


def default_workers() -> int:
    """Worker processes for parsing when not set: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def files_to_parse(
    paths: list[Path],
    raw_dir: Path,
    config: Config,
    manifest: dict[str, DocKind],
    cache: ParseCache | None,
    at_least: int,
) -> int:
    """How many of `paths` the parse cache holds no entry for, counted up to `at_least` (the count stops there:
    enough to decide). Without a cache every file is to parse; an unreadable file is not (it is refused)."""
    if cache is None:
        return min(len(paths), at_least)
    count = 0
    for path in paths:
        if count >= at_least:
            break
        rel = display_name(path, raw_dir)
        try:
            data = read_input(path, rel, config)
        except RejectedDocument:
            continue
        if not cache.path(cache.key(data, rel, manifest.get(rel))).is_file():
            count += 1
    return count


def plan_parse(
    files: list[Path],
    raw_dir: Path,
    config: Config,
    manifest: dict[str, DocKind],
    cache: ParseCache | None,
    workers: int,
) -> tuple[list[list[Path]], bool]:
    """The batches of a run on this machine and whether they go to `workers` processes rather than threads.

    Processes when there is more than one worker and at least `PROCESS_MIN_FILES` documents the parse cache
    cannot serve; their batches are planned by `plan_shrinking`. A re-run the cache serves entirely goes in
    `CACHED_TASKS` batches: reading the cache is quick (~1 ms a document), and each task costs Prefect
    orchestration (~15 ms and a few events).
    """
    pending = files_to_parse(files, raw_dir, config, manifest, cache, PROCESS_MIN_FILES)
    if workers > 1 and pending >= PROCESS_MIN_FILES:
        shrinking = plan_shrinking(files, workers)
        if len(shrinking) > 1:
            return shrinking, True
    return plan_batches(files, max_tasks=CACHED_TASKS if pending == 0 else MAX_TASKS), False


def slim(result: FileResult, lean: bool = True) -> FileResult:
    """The result without the document's text and blocks, which nothing after parsing reads.

    The dataset takes a document's id, file, kind, title, encoding and repairs; the text and blocks are
    most of a result's size, so dropping them keeps a 10^4-document run's memory, cache and Dask transfers
    small. `slim(r).document.text == ""`, `slim(r).document.blocks == []`, `slim(r).document.nodes == []`.
    `lean`: the parsed document's parts are also made lean (`lean_parsed`), for results held in memory; a
    worker process that encodes its results at once (`encode_results`) skips that copy (same JSON either way).
    """
    if result.document is None:
        return result
    update: dict[str, Any] = {"document": result.document.model_copy(update={"text": "", "blocks": [], "nodes": []})}
    if lean:
        update["parsed"] = lean_parsed(result.parsed)
    return result.model_copy(update=update)


# The parts of a parsed document held lean (`lean_parsed`, `decode_results`): field, record class, lean maker.
LEAN_PARTS: tuple[tuple[str, type[BaseModel], Callable[..., BaseModel]], ...] = (
    ("roles", ParsedRole, parsed_role_of),
    ("competencies", ParsedCompetency, parsed_competency_of),
    ("behaviors", ParsedBehavior, parsed_behavior_of),
)


def lean_parsed(parsed: ParsedDocument | None) -> ParsedDocument | None:
    """`parsed` with its roles, competencies and behaviors made lean (`pipeline.models.lean_copy`): equal, same
    JSON. Validated, a parsed bullet holds about 450 bytes besides its text (an own dict and fields-set); lean,
    about 140: the results of a 10^4-document run hold 10^6 of them until the build has atomized them."""
    if parsed is None:
        return None
    return parsed.model_copy(update={name: [lean_copy(r) for r in getattr(parsed, name)] for name, _, _ in LEAN_PARTS})


def process_cached(
    path: Path,
    raw_dir: Path,
    config: Config,
    manifest: dict[str, DocKind],
    cache: ParseCache | None,
    lean: bool = True,
) -> tuple[FileResult, bool]:
    """One file's (slim) result and whether it came from the cache; `cache=None` always parses. `lean`: a parsed
    result's parts are made lean (see `slim`)."""
    rel = display_name(path, raw_dir)
    try:
        data = read_input(path, rel, config)
    except RejectedDocument as exc:  # unreadable, too large, not a regular file: nothing worth caching
        return FileResult(file=rel, rejection=Rejection(file=exc.file, reason=exc.reason)), False
    if cache is None:
        return slim(process_bytes(data, rel, config, manifest.get(rel)), lean), False
    key = cache.key(data, rel, manifest.get(rel))
    hit = cache.get(key)
    if hit is not None:  # validated, not made lean: a re-run reads 10^4 of them, at about 1 ms a document
        return hit, True
    result = slim(process_bytes(data, rel, config, manifest.get(rel)), lean)
    cache.put(key, result)
    return result, False


def process_batch(
    paths: list[Path],
    raw_dir: Path,
    config: Config,
    manifest: dict[str, DocKind],
    cache_dir: Path | None,
    fingerprint: str | None = None,
    lean: bool = True,
) -> list[FileResult]:
    """Results of a batch of files, in the batch's order, parsed or read from the cache under `cache_dir`.

    Takes the cache folder, not a `ParseCache`, so a batch shipped to a Dask worker opens its own; the
    fingerprint can be passed in so workers do not hash the code again. `lean=False` when the results are
    encoded at once (`encode_results`): making their parts lean first would be wasted (see `slim`).
    """
    cache = None
    if cache_dir is not None:
        cache = ParseCache(cache_dir, config, fingerprint_=fingerprint)
    return [process_cached(p, raw_dir, config, manifest, cache, lean)[0] for p in paths]


@cache
def _results_adapter() -> TypeAdapter[list[FileResult]]:
    return TypeAdapter(list[FileResult])


def encode_results(results: list[FileResult]) -> bytes:
    """A batch's results as JSON bytes, the form a worker process ships them in.

    Pickling the pydantic objects costs the worker ~0.8 ms a document and the flow's process ~1.3 ms a
    document each time it unpickles them, which Prefect's process pool does twice (once to check the result,
    once to hand it over); bytes pickle as they are, and `decode_results` reads them back once, into lean
    records. The parse cache stores the same JSON, so the results read back are the ones a cached run uses:
    `decode_results(encode_results(rs)) == rs`.
    """
    return _results_adapter().dump_json(results)


def spool_results(results: list[FileResult], folder: Path) -> Path:
    """Write a batch's results, encoded (`encode_results`), to a new file in `folder`; returns its path.

    Worker processes on this machine hand their results over this way, as a path: returned as bytes through
    Prefect's process pool, each batch was held twice more in the flow's process (pickled, and as returned) by
    finished futures that sit in reference cycles until a full collection, about 0.05 MB a document while the
    parse ran (0.5 GB at 10^4 documents).
    """
    fd, name = tempfile.mkstemp(prefix="batch-", suffix=".json", dir=folder)
    with os.fdopen(fd, "wb") as fh:
        fh.write(encode_results(results))
    return Path(name)


def unspool_results(path: Path) -> list[FileResult]:
    """The results `spool_results` wrote to `path` (`decode_results`); the file is removed once read."""
    data = path.read_bytes()
    path.unlink()
    return decode_results(data)


def _wire_adapter(cls: type[BaseModel]) -> TypeAdapter[list[Any]]:
    """Validates a JSON list of `cls` records into plain dicts, by the model's own field types and constraints,
    every field required, no other key allowed: the checks of `cls`'s validation without making the records."""
    fields = {
        name: Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation
        for name, f in cls.model_fields.items()
    }
    wire = TypedDict(f"{cls.__name__}Wire", fields)  # type: ignore[misc]
    wire.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[attr-defined]
    return TypeAdapter(list[wire])


@cache
def _lean_parts() -> tuple[
    tuple[str, TypeAdapter[list[Any]], Callable[[Any], tuple[Any, ...]], Callable[..., Any]], ...
]:
    """The parts of a parsed document that decoding makes lean: (field, validator of its JSON list, its values in
    field order, the lean maker). A 10^4-document run decodes 10^6 bullets."""
    return tuple((name, _wire_adapter(cls), itemgetter(*cls.model_fields), make) for name, cls, make in LEAN_PARTS)


@cache
def _result_adapter() -> TypeAdapter[FileResult]:
    return TypeAdapter(FileResult)


def decode_results(data: bytes) -> list[FileResult]:
    """The results `encode_results` wrote, validated, their parsed documents' parts lean (as `lean_parsed` makes
    them): equal to `TypeAdapter(list[FileResult]).validate_json(data)`.

    Validating a parsed document's roles, competencies and bullets as models, then copying each lean, made
    every record twice; here each list is validated as plain dicts (`_wire_adapter`: the same field checks,
    every field required, as `encode_results` writes them all) and its records made once, lean: about 60% of
    the CPU. Bytes that are not such results raise `ValueError` (a pydantic `ValidationError`, or pydantic's
    JSON parser's own error for bytes that are not JSON).

    The JSON is read by pydantic's parser with its string cache (`cache_strings="all"`), as `validate_json`
    reads it: equal short strings (files, tracks, role and competency names, levels) come out as one object.
    Read with a parser that makes every string anew, 10^4 documents' results held about 240 MB more.
    """
    items = from_json(data, cache_strings="all")
    if not isinstance(items, list):
        raise ValueError(f"encoded parse results must be a JSON list, got {type(items).__name__}")
    validate = _result_adapter().validate_python
    parts = _lean_parts()
    results = []
    for item in items:
        parsed = item.get("parsed") if isinstance(item, dict) else None
        if isinstance(parsed, dict):
            for name, wire, values, make in parts:
                if name in parsed:  # made lean here; the records are then taken as they are
                    parsed[name] = [make(*values(x)) for x in wire.validate_python(parsed[name])]
        results.append(validate(item))
    return results

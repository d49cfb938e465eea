"""Warm-up: load what a run will need while Prefect's temporary server starts.

Starting the server takes seconds in which this process only waits; importing the stages (pydantic models,
numpy, pyarrow, rapidfuzz) and, when documents will be parsed here, spaCy and its pipeline take about as
long. `start_warm_up` does that work in a background thread during the start-up; `wait_warm_up` (called by
every parse task before it starts) waits for it to finish, so the spaCy pipeline is never built twice.
With a parse cache, it also parses the documents into it, by the parse tasks' own call (`process_batch`),
until the first parse task starts; the tasks then read them. Nothing it does changes a result: it fills the import system, `get_nlp`'s
per-process cache and parse cache entries the run would have written.

The thread can be told to start `after` an event: a start-up that first imports in this process (Prefect
imports its whole server app before it starts the server's own process) is pure Python as well, and the two
would share one core under the GIL, delaying the server by the whole warm-up; after the event the warm-up runs
on this process's core while the server starts on the other.
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

# What every run that builds imports; the parse modules are added only when documents will be parsed here.
BUILD_MODULES = (
    "pipeline.run",
    "pipeline.build.behaviors",
    "pipeline.build.competencies",
    "pipeline.build.documents",
    "pipeline.build.levels",
    "pipeline.build.occurrences",
    "pipeline.build.roles",
    "pipeline.runtime.build_cache",
)

_thread: threading.Thread | None = None
_stop = threading.Event()
_lock = threading.Lock()


def warm_up(
    raw_dir: Path,
    config_path: Path | None,
    cache_dir: Path | None,
    *,
    follow_links: bool,
    workers: int,
    stop: threading.Event | None = None,
) -> None:
    """When documents are to parse (not in the parse cache under `cache_dir`, or no cache), import the build
    modules, and when this process will parse them (too few for worker processes, see `batches.plan_parse`),
    the parsers and the spaCy pipeline too; then, with a parse cache, parse them into it one by one until
    `stop` is set (the run's parse tasks read them from the cache, and parse the rest themselves).
    `workers=0`: the parse tasks run elsewhere (Dask)."""
    from pipeline.config import load_config
    from pipeline.ingest import load_manifest, scan_inputs
    from pipeline.runtime.batches import PROCESS_MIN_FILES, files_to_parse, process_batch
    from pipeline.runtime.parse_cache import ParseCache

    config = load_config(config_path)
    if follow_links:  # as the flow does: the setting is part of the parse cache's fingerprint
        config = config.model_copy(update={"ingest": config.ingest.model_copy(update={"follow_links": True})})
    files = scan_inputs(raw_dir, config).files
    manifest = load_manifest(raw_dir, config)
    cache = ParseCache(cache_dir, config) if cache_dir is not None else None
    pending = files_to_parse(files, raw_dir, config, manifest, cache, PROCESS_MIN_FILES)
    if pending == 0:
        return  # a re-run the parse cache serves: its outputs are most likely kept, nothing more to load
    for name in BUILD_MODULES:
        importlib.import_module(name)
    if workers == 0 or (workers > 1 and pending >= PROCESS_MIN_FILES):
        return  # the parse runs elsewhere: on Dask, or in worker processes
    from pipeline.parse import parsers
    from pipeline.parse.nlp import get_nlp

    parsers()
    get_nlp(config)
    if cache is None:
        return  # without a cache (--no-cache) the parse tasks parse every document
    # The parse tasks' own call (same results, written to the same entries). The first task to start sets
    # `stop` and waits for the document in progress: progress on a larger corpus is not held up.
    for path in files:
        if stop is not None and stop.is_set():
            return
        process_batch([path.absolute()], raw_dir.absolute(), config, manifest, cache.root, cache.fingerprint)


def _quietly(
    raw_dir: Path,
    config_path: Path | None,
    cache_dir: Path | None,
    follow_links: bool,
    workers: int,
    after: threading.Event | None,
    stop: threading.Event,
) -> None:
    if after is not None:
        after.wait()
    try:
        warm_up(raw_dir, config_path, cache_dir, follow_links=follow_links, workers=workers, stop=stop)
    except Exception:  # a warm-up only saves time; the run itself meets and reports any error
        return


def start_warm_up(
    raw_dir: Path,
    config_path: Path | None,
    cache_dir: Path | None,
    *,
    follow_links: bool,
    workers: int,
    after: threading.Event | None = None,
) -> threading.Thread:
    """Run `warm_up` in a daemon thread, once `after` is set (at once without it); returns the thread (also
    waited for by `wait_warm_up`). Whoever passes `after` must set it, whatever happens."""
    global _thread, _stop
    stop = threading.Event()
    thread = threading.Thread(
        target=_quietly,
        args=(raw_dir, config_path, cache_dir, follow_links, workers, after, stop),
        name="ladder-warm-up",
        daemon=True,
    )
    with _lock:
        _thread, _stop = thread, stop
    thread.start()
    return thread


def wait_warm_up() -> None:
    """Stop the warm-up's parsing and wait for it (for the document in progress, or the spaCy pipeline being
    built), if a warm-up was started in this process; returns at once in worker processes."""
    with _lock:
        thread, stop = _thread, _stop
    if thread is not None and thread is not threading.current_thread():
        stop.set()
        thread.join()

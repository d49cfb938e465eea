"""The ingestion flow: ingest + parse in tasks per batch of documents (one document per task on small
corpora), through the parse cache; one task to build and write the dataset.

Task runner: local threads by default, and the parse tasks in worker processes (one per core, `workers`)
when at least `PROCESS_MIN_FILES` documents need parsing (not in the parse cache): parsing is pure Python,
so threads would use one core. Dask through prefect-dask with `dask="local"` (a 2-worker LocalCluster) or
`dask="tcp://scheduler:8786"` (an existing cluster). Outputs are byte-identical whatever runs the tasks:
each result depends on its file alone and the build sorts everything.

Run it with `ladder run [--workers N] [--dask ADDRESS|local] [--no-cache]` or
`python -m flows.ingest [RAW] [OUT]`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture, as_completed
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows import server as early_server
from pipeline.build.decisions import Decisions, load_decisions
from pipeline.config import Config, load_config
from pipeline.errors import InputError
from pipeline.ingest import load_manifest, scan_inputs
from pipeline.release.report import ARTIFACT_KEY as REPORT_ARTIFACT_KEY
from pipeline.run import FileResult, RunSummary, build_and_write, refused
from pipeline.runtime.batches import (
    decode_results,
    default_workers,
    encode_results,
    plan_batches,
    plan_parse,
    process_batch,
    spool_results,
    unspool_results,
)
from pipeline.runtime.parse_cache import DEFAULT_DIR_NAME, ParseCache, fingerprint
from pipeline.runtime.warm import start_warm_up, wait_warm_up

# Called with each file's result as it completes (the CLI draws a progress bar with it); set only by
# `reporting_progress`, for the run it wraps. A context variable, not a flow parameter: Prefect records the
# parameters of a flow run and Dask pickles its context, and a progress bar holds a lock.
_on_result: ContextVar[Callable[[FileResult], None] | None] = ContextVar("ladder_on_result", default=None)


@contextmanager
def reporting_progress(on_result: Callable[[FileResult], None] | None) -> Iterator[None]:
    """Within the block, `ingest_flow` calls `on_result` with each file's result as it completes."""
    token = _on_result.set(on_result)
    try:
        yield
    finally:
        _on_result.reset(token)


# ":0": any free port for the dashboard, so a second cluster (or a busy 8787) never warns
LOCAL_CLUSTER = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "dashboard_address": ":0"}
_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|inproc|ucx)://)?[\w.\-\[\]:]+:\d+$")


def task_runner(dask: str | None):
    """Threads (`None`), a 2-worker Dask LocalCluster (`"local"`) or an existing Dask scheduler (its address)."""
    if not dask:
        return ThreadPoolTaskRunner()
    # Dask logs every scheduler and worker event at INFO; a user running `ladder run` wants warnings only.
    # The variable reaches the worker processes too; the logger level covers an already imported distributed.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    logging.getLogger("distributed").setLevel(logging.WARNING)
    from prefect_dask import DaskTaskRunner

    if dask == "local":
        return DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs=dict(LOCAL_CLUSTER))
    if not _ADDRESS.match(dask):
        raise InputError(f"--dask: expected 'local' or a scheduler address such as tcp://10.0.0.5:8786, got {dask!r}")
    return DaskTaskRunner(address=dask)


def _parse_worker_started() -> None:
    """Each parse worker process ignores SIGINT: Ctrl-C reaches the whole process group, and the parent alone
    stops the run (it kills its workers, see `flows.cli.stops_on_signals`); no traceback per worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def parse_pool(workers: int) -> ProcessPoolTaskRunner:
    """The process pool the parse tasks run in on large corpora (spawned workers, SIGINT left to the parent)."""
    return ProcessPoolTaskRunner(max_workers=workers, initializer=_parse_worker_started)


@contextmanager
def _workers_killed_on_abort() -> Iterator[None]:
    """Kill the worker processes started inside the block when it is left by an exception (SIGTERM arrives as
    one while a flow runs): shutting the pool down would wait for the batches in progress."""
    before = set(multiprocessing.active_children())
    try:
        yield
    except BaseException:
        for child in set(multiprocessing.active_children()) - before:
            child.kill()
        raise


# a parse task's results; the same encoded (`encode_results`); or the file they were written to (`spool_results`)
_Batch = list[FileResult] | bytes | Path


def _results_as_completed(futures: list[PrefectFuture[_Batch]]) -> Iterator[_Batch]:
    """Each future's result as it completes; `futures` is emptied and each future let go once its result is
    taken. A future of the process pool holds its result twice, pickled and unpickled: kept until the build,
    the futures of a 10^4-document run held a second copy of every parse result."""
    for n, fut in enumerate(as_completed(futures)):
        if n == 0:
            futures.clear()  # as_completed holds the pending ones from its first step on
        yield fut.result()
        del fut


def _ingest_parse(
    paths: list[Path],
    raw_dir: Path,
    config: Config,
    manifest: dict,
    cache_dir: Path | None,
    fingerprint: str | None,
    encoded: bool = False,
    spool: Path | None = None,
) -> _Batch:
    """A batch's results; `encoded`: as JSON bytes (`encode_results`), when they leave this process; with a
    `spool` folder, written to a file there and returned as its path (`spool_results`), when they leave it for
    a process on the same machine."""
    wait_warm_up()  # in this process the spaCy pipeline may be being built: wait, never build it twice
    results = process_batch(paths, raw_dir, config, manifest, cache_dir, fingerprint, lean=not encoded)
    if spool is not None:
        return spool_results(results, spool)
    return encode_results(results) if encoded else results


# Wrapped, not decorated (here and for the flow): Dask ships the task and the flow-run context, and pickles
# their functions by module path, which must name the function itself. Under `@task`/`@flow` the name points
# at the Task/Flow object, pickling falls back to by-value and drags in globals (such as a progress bar's
# lock) that cannot be pickled.
ingest_parse = task(name="ingest-parse", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE, persist_result=False)(
    _ingest_parse
)
_PARSE_PARAMETERS = ("paths", "raw_dir", "config", "manifest", "cache_dir", "fingerprint", "encoded", "spool")


@task(name="build-emit", cache_policy=NO_CACHE, persist_result=False)
def build_emit(
    results: list[FileResult], out_dir: Path, config: Config, decisions: Decisions | None = None, reuse: bool = True
) -> RunSummary:
    summary, markdown = build_and_write(results, out_dir, config, decisions, reuse=reuse)
    create_table_artifact(key="ladder-run-summary", table=summary.rows(), description="Ingestion run summary")
    create_markdown_artifact(key=REPORT_ARTIFACT_KEY, markdown=markdown, description="Normalization report")
    return summary


def _ingest_flow(
    raw_dir: Path = Path("raw"),
    out_dir: Path = Path("normalized"),
    config_path: Path | None = None,
    decisions_path: Path | None = None,
    cache: bool = True,
    cache_dir: Path | None = None,
    follow_links: bool = False,
    workers: int | None = None,
) -> RunSummary:
    config = load_config(config_path)
    if follow_links:
        config = config.model_copy(update={"ingest": config.ingest.model_copy(update={"follow_links": True})})
    decisions = load_decisions(decisions_path)
    scan = scan_inputs(raw_dir, config)
    files = scan.files
    manifest = load_manifest(raw_dir, config)
    # On a real cluster the workers must see the same paths: raw/ and the cache on shared storage.
    cache_root = (cache_dir or out_dir / DEFAULT_DIR_NAME).absolute() if cache else None
    fp = fingerprint(config) if cache_root else None
    workers = workers or default_workers()
    flow_run = FlowRunContext.get()  # on Dask (or any runner not threads) the parse tasks stay on it
    on_threads = flow_run is not None and isinstance(flow_run.task_runner, ThreadPoolTaskRunner)
    parse_cache = ParseCache(cache_root, fingerprint_=fp) if cache_root and fp else None
    batches, in_processes = (
        plan_parse(files, raw_dir, config, manifest, parse_cache, workers)
        if on_threads
        else (plan_batches(files), False)
    )
    results: list[FileResult] = refused(scan.rejected)
    on_result = _on_result.get()
    encoded = not on_threads or in_processes  # results that cross processes travel as JSON bytes
    with ExitStack() as stack:
        # this machine's worker processes write them to files in a folder of the run's own (see `spool_results`)
        spool = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ladder-parse-"))) if in_processes else None
        calls = [
            ([p.absolute() for p in batch], raw_dir.absolute(), config, manifest, cache_root, fp, encoded, spool)
            for batch in batches
        ]
        futures: list[PrefectFuture[_Batch]]
        if in_processes:
            assert flow_run is not None  # processes only in place of threads
            # the workers must report to this run's API server: without the address, each spawned worker
            # would start a temporary server of its own
            stack.enter_context(temporary_settings(updates={PREFECT_API_URL: str(flow_run.client.api_url)}))
            pool = stack.enter_context(parse_pool(workers))
            stack.enter_context(_workers_killed_on_abort())  # left before the pool, which waits for its workers
            futures = [pool.submit(ingest_parse, dict(zip(_PARSE_PARAMETERS, call, strict=True))) for call in calls]
        else:
            futures = [ingest_parse.submit(*call) for call in calls]
        for shipped in _results_as_completed(futures):
            if isinstance(shipped, Path):
                batch = unspool_results(shipped)
            else:
                batch = decode_results(shipped) if isinstance(shipped, bytes) else shipped
            for result in batch:
                results.append(result)
                if on_result is not None:
                    on_result(result)
    # called, not submitted: the build and the writes run here, next to the output folder, on any runner
    # quote(): Prefect otherwise walks every object of the results looking for futures to resolve, which
    # took minutes at 10^6 occurrences; the task receives the list itself.
    # the task takes the list; quote() is unwrapped by Prefect before the call, which its typing cannot express
    return build_emit(quote(results), out_dir, config, decisions, cache)  # type: ignore[call-overload]


ingest_flow = flow(name="ladder-ingest", log_prints=False)(_ingest_flow)


def start_temporary_server() -> tuple[threading.Thread, threading.Event] | None:
    """Start Prefect's temporary API server now, in a thread, when runs go to no server (`PREFECT_API_URL`
    unset); the flow's client then finds it running (the server is one per process). Returns the thread and an
    event set once this process has imported Prefect's server app (most of the start-up's own CPU time; the
    server's process starts right after), so a warm-up can wait for it rather than compete for the GIL; or None.

    Prefect would start the server at the flow's first API call, after the warm-up had begun. Any error is
    left to that call: a failed start leaves the server not running, and the flow starts it again. When the
    server's process was started earlier (`flows.server.spawn`, as `ladder run` does before importing Prefect),
    Prefect takes that one rather than starting its own.
    """
    if PREFECT_API_URL.value():
        early_server.discard()  # a server named in a Prefect profile: the early process is of no use
        return None
    imported = threading.Event()

    def start() -> None:
        try:
            from prefect.server.api.server import SubprocessASGIServer
        except Exception:  # the flow's own start reports it
            early_server.discard()
            return
        finally:
            imported.set()
        adopted = False
        with suppress(Exception):
            adopted = early_server.adopt(SubprocessASGIServer)  # the process `ladder run` started early, if any
        if not adopted:
            early_server.discard()
            with suppress(Exception):
                SubprocessASGIServer().start()

    thread = threading.Thread(target=start, name="ladder-prefect-server", daemon=True)
    thread.start()
    return thread, imported


def run_ingest(
    raw_dir: Path,
    out_dir: Path,
    config_path: Path | None = None,
    decisions_path: Path | None = None,
    *,
    cache: bool = True,
    cache_dir: Path | None = None,
    dask: str | None = None,
    on_result: Callable[[FileResult], None] | None = None,
    follow_links: bool = False,
    workers: int | None = None,
) -> RunSummary:
    """Run `ingest_flow` on the task runner `dask` selects (see `task_runner`); `on_result` is called with each
    file's result as it completes. Without Dask, `workers` is how many processes parse a large corpus
    (default: the cores; 1 keeps every task in threads)."""
    runner = task_runner(dask)
    server = start_temporary_server()
    # while Prefect's temporary server starts, load what the run will need (see pipeline.runtime.warm)
    cache_root = (cache_dir or out_dir / DEFAULT_DIR_NAME).absolute() if cache else None
    start_warm_up(
        raw_dir,
        config_path,
        cache_root,
        follow_links=follow_links,
        workers=0 if dask else workers or default_workers(),
        after=server[1] if server else None,
    )
    if server:
        server[0].join()  # the flow's client must find the server up, not half started
    with reporting_progress(on_result):
        return ingest_flow.with_options(task_runner=runner)(
            raw_dir, out_dir, config_path, decisions_path, cache, cache_dir, follow_links, workers
        )


if __name__ == "__main__":
    args = sys.argv[1:]
    summary = ingest_flow(
        Path(args[0]) if args else Path("raw"), Path(args[1]) if len(args) > 1 else Path("normalized")
    )
    for row in summary.rows():
        print(f"{row['what']:<22} {row['count']}")

"""The ingestion flow: one task per document (ingest + parse), one task to build and write the dataset.

Run it with `ladder run` or `python -m flows.ingest [RAW] [OUT]`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed

from pipeline.config import Config, load_config
from pipeline.ingest import list_inputs, load_manifest
from pipeline.report import ARTIFACT_KEY as REPORT_ARTIFACT_KEY
from pipeline.report import artifact_markdown
from pipeline.run import FileResult, RunSummary, assemble, process_file, summarize, write_outputs

# Set by the CLI to draw a progress bar; called with each file's result as it completes.
progress_hook: Callable[[FileResult], None] | None = None


@task(name="ingest-parse", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE, persist_result=False)
def ingest_parse(path: Path, raw_dir: Path, config: Config, manifest: dict) -> FileResult:
    return process_file(path, raw_dir, config, manifest)


@task(name="build-emit", cache_policy=NO_CACHE, persist_result=False)
def build_emit(results: list[FileResult], out_dir: Path, config: Config) -> RunSummary:
    ladder = assemble(results, config)
    outputs, diff = write_outputs(ladder, out_dir, config)
    summary = summarize(ladder, results, outputs)
    create_table_artifact(key="ladder-run-summary", table=summary.rows(), description="Ingestion run summary")
    create_markdown_artifact(
        key=REPORT_ARTIFACT_KEY, markdown=artifact_markdown(ladder, diff), description="Normalization report"
    )
    return summary


@flow(name="ladder-ingest", log_prints=False)
def ingest_flow(raw_dir: Path = Path("raw"), out_dir: Path = Path("normalized"), config_path: Path | None = None) -> RunSummary:
    config = load_config(config_path)
    files, _skipped = list_inputs(raw_dir, config)
    manifest = load_manifest(raw_dir, config)
    futures = [ingest_parse.submit(p, raw_dir, config, manifest) for p in files]
    results: list[FileResult] = []
    for fut in as_completed(futures):
        result = fut.result()
        results.append(result)
        if progress_hook is not None:
            progress_hook(result)
    return build_emit(results, out_dir, config)


if __name__ == "__main__":
    args = sys.argv[1:]
    summary = ingest_flow(Path(args[0]) if args else Path("raw"), Path(args[1]) if len(args) > 1 else Path("normalized"))
    for row in summary.rows():
        print(f"{row['what']:<22} {row['count']}")

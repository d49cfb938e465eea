"""The whole run as plain functions: process each file, build the dataset, write the outputs.

The Prefect flow (`flows/ingest.py`) orchestrates exactly these functions; tests call them directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from pipeline.build import build_ladder
from pipeline.build.decisions import Decisions
from pipeline.config import Config
from pipeline.errors import LadderError, RejectedDocument
from pipeline.heap import bulk_work, settle
from pipeline.ingest import budget, display_name, ingest_for_parse, read_input
from pipeline.models import DecisionOutcome, DocKind, Document, Ladder, ParsedDocument, Rejection
from pipeline.parse import parse_document
from pipeline.progress import stage
from pipeline.release.commit import OutputSet, output_lock, recover
from pipeline.release.diff import DatasetDiff
from pipeline.release.emit import emit_dataset
from pipeline.release.publish import diff_against_latest
from pipeline.release.report import (
    REPORT_MAX_ROWS,
    Report,
    build_report,
    headline,
    report_artifact,
    write_report_files,
)

if TYPE_CHECKING:
    from pipeline.parse.ladder import LadderMemo


class FileResult(BaseModel):
    """What one input file gave: a document and its parse, or a rejection."""

    file: str
    document: Document | None = None
    parsed: ParsedDocument | None = None
    rejection: Rejection | None = None


def process_file(path: Path, raw_dir: Path, config: Config, manifest: dict[str, DocKind] | None = None) -> FileResult:
    """Ingest and parse one file; a bad file becomes a rejection, never an exception."""
    rel = display_name(path, raw_dir)
    try:
        data = read_input(path, rel, config)
    except RejectedDocument as exc:
        return FileResult(file=rel, rejection=Rejection(file=exc.file, reason=exc.reason))
    return process_bytes(data, rel, config, (manifest or {}).get(rel))


def process_bytes(data: bytes, rel: str, config: Config, kind_override: DocKind | None = None) -> FileResult:
    """`process_file` for bytes already read (the parse cache hashes them before deciding to parse).

    The document's budget (`ingest.max_seconds`, `ingest.max_blocks`) holds from decoding to the end of
    parsing; a document over it is rejected with the reason.
    """
    with budget.document_budget(rel, config.ingest):
        try:
            doc, ladders = ingest_for_parse(data, rel, config, kind_override)
            budget.check_blocks(doc, config.ingest)
            budget.check("cutting into blocks")
        except RejectedDocument as exc:
            return FileResult(file=rel, rejection=Rejection(file=exc.file, reason=exc.reason))
        return _parse(doc, rel, config, ladders)


def _parse(doc: Document, rel: str, config: Config, ladders: LadderMemo | None = None) -> FileResult:
    try:
        parsed = parse_document(doc, config, ladders)
        budget.check("parsing")
    except RejectedDocument as exc:
        return FileResult(file=rel, rejection=Rejection(file=rel, reason=exc.reason))
    except LadderError as exc:
        reason = str(exc).removeprefix(f"{rel}: ")
        return FileResult(file=rel, rejection=Rejection(file=rel, reason=f"parse failed: {reason}"))
    return FileResult(file=rel, document=doc, parsed=parsed)


def refused(rejections: list[Rejection]) -> list[FileResult]:
    """Results for the entries the folder scan refused (links out of the folder, FIFOs, ...)."""
    return [FileResult(file=r.file, rejection=r) for r in rejections]


class RunSummary(BaseModel):
    """Figures shown at the end of a run and published as the flow's table artifact."""

    documents_read: int
    documents_by_kind: dict[str, int]
    tracks: int
    roles: int
    roles_defined: int
    competencies: int
    behavior_occurrences: int
    behaviors: int
    text_repairs: int
    level_benchmarks: int
    guidance_items: int
    rejected: int
    warnings: list[str] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)
    release_status: str = Field("", description="The report's one line on the diff against the latest release.")
    decisions: list[DecisionOutcome] = Field(
        default_factory=list, description="Each reviewer decision and whether it was applied, stale or refused."
    )
    outputs_reused: bool = Field(
        False, description="True when nothing the outputs depend on changed and the last run's files were kept."
    )

    def rows(self) -> list[dict[str, str]]:
        """Two-column table (what, count) for the console and the Prefect artifact."""
        return [
            {"what": "documents read", "count": str(self.documents_read)},
            *({"what": f"  {kind}", "count": str(n)} for kind, n in sorted(self.documents_by_kind.items())),
            {"what": "tracks", "count": str(self.tracks)},
            {"what": "roles (defined)", "count": f"{self.roles} ({self.roles_defined})"},
            {"what": "competencies", "count": str(self.competencies)},
            {"what": "behavior occurrences", "count": str(self.behavior_occurrences)},
            {"what": "distinct behaviors", "count": str(self.behaviors)},
            {"what": "text repairs", "count": str(self.text_repairs)},
            {"what": "level benchmarks", "count": str(self.level_benchmarks)},
            {"what": "guidance items", "count": str(self.guidance_items)},
            {"what": "rejected files", "count": str(self.rejected)},
        ]


def summarize(
    ladder: Ladder, results: list[FileResult], outputs: list[Path], diff: DatasetDiff | None = None
) -> RunSummary:
    kinds: dict[str, int] = {}
    for d in ladder.documents:
        kinds[d.kind] = kinds.get(d.kind, 0) + 1
    warnings = [w for r in results if r.parsed for w in r.parsed.warnings]
    warnings += [
        f"{d.file}: kind not recognised (confidence {d.kind_confidence}); set it in raw/manifest.yaml"
        for d in ladder.documents
        if d.kind == "unknown"
    ]
    return RunSummary(
        documents_read=len(ladder.documents),
        documents_by_kind=kinds,
        tracks=len(ladder.tracks),
        roles=len(ladder.roles),
        roles_defined=sum(r.defined for r in ladder.roles),
        competencies=len(ladder.competencies),
        behavior_occurrences=sum(len(b.occurrences) for b in ladder.behaviors),
        behaviors=len(ladder.behaviors),
        text_repairs=sum(len(d.repairs) for d in ladder.documents),
        level_benchmarks=len(ladder.level_benchmarks),
        guidance_items=len(ladder.guidance),
        rejected=len(ladder.rejected),
        warnings=sorted(warnings),
        outputs=[p.as_posix() for p in outputs],
        release_status=headline(diff) if diff is not None else "",
        decisions=ladder.normalization.decisions,
    )


def assemble(
    results: list[FileResult], config: Config, decisions: Decisions | None = None, *, release: bool = False
) -> Ladder:
    """Build the dataset from per-file results (in any order), honoring reviewer decisions.

    With `release`, the results' bullets, competencies and roles are dropped once atomized (see `build_ladder`).
    """
    documents = [r.document for r in results if r.document is not None]
    parsed = [r.parsed for r in results if r.parsed is not None]
    rejected = [r.rejection for r in results if r.rejection is not None]
    return build_ladder(documents, parsed, rejected, config, decisions, release=release)


def write_outputs(ladder: Ladder, out_dir: Path, config: Config) -> tuple[list[Path], Report]:
    """Everything a run writes to the output folder: the dataset, its tables, and the report with the
    diff against the latest published release in `out_dir/releases/` (the report, built once, is returned for
    the flow's artifact; its `diff` for the summary).

    The files are written as one set (see `pipeline.release.commit`): after a crash the folder holds the
    previous run's files or this run's, never a mix.
    """
    with output_lock(out_dir):
        outputs = OutputSet(out_dir)
        try:
            stage(f"writing the dataset and tables to {out_dir}")
            staged = emit_dataset(ladder, outputs.folder)
            stage("comparing with the latest release")
            diff = diff_against_latest(ladder, out_dir, listed=REPORT_MAX_ROWS)
            stage("writing the report")
            report = build_report(ladder, diff, REPORT_MAX_ROWS)
            staged += write_report_files(report, outputs.folder)
        except BaseException:
            outputs.discard()
            raise
        return outputs.commit(staged), report


def build_and_write(
    results: list[FileResult], out_dir: Path, config: Config, decisions: Decisions | None = None, *, reuse: bool = True
) -> tuple[RunSummary, str]:
    """Build the dataset and write every output; returns the summary and the report artifact's Markdown.

    With `reuse`, when nothing the outputs depend on changed since the last run (see `build_cache`), the
    files already in `out_dir` are kept and the last summary is returned with `outputs_reused=True`.

    `results` are handed over: a build empties each parsed document's behaviors, competencies and roles once
    the bullets are atomized (`assemble(..., release=True)`), so they are not held next to the occurrences.
    """

    with output_lock(out_dir):
        recover(out_dir)
        return _build_and_write(results, out_dir, config, decisions, reuse=reuse)


def _build_and_write(
    results: list[FileResult], out_dir: Path, config: Config, decisions: Decisions | None, *, reuse: bool
) -> tuple[RunSummary, str]:
    from pipeline.runtime import build_cache

    decisions = decisions or Decisions()
    key = build_cache.build_key(results, config, decisions, out_dir) if reuse else ""
    record = build_cache.reusable(out_dir, key) if reuse else None
    if record is not None:
        summary = RunSummary.model_validate(record.summary).model_copy(update={"outputs_reused": True})
        return summary, record.artifact_markdown
    stage(f"building the dataset from {len(results):,} files")
    with bulk_work():  # the cycle collector leaves the held millions of objects alone (see `pipeline.heap`)
        ladder = assemble(results, config, decisions, release=True)
        settle()
        paths, report = write_outputs(ladder, out_dir, config)
    summary = summarize(ladder, results, paths, report.diff)
    markdown = report_artifact(report)
    if reuse:
        build_cache.remember(out_dir, key, summary.model_dump(mode="json"), markdown, paths)
    return summary, markdown


def run_local(
    raw_dir: Path, out_dir: Path, config: Config, decisions: Decisions | None = None, *, reuse: bool = True
) -> RunSummary:
    """The whole run in this process, without Prefect (same outputs as the flow).

    Like the flow, each result is slimmed as soon as its file is parsed (`runtime.batches.slim`: the
    document's text, blocks and nodes dropped, which nothing after parsing reads).
    """
    from pipeline.ingest import load_manifest, scan_inputs
    from pipeline.runtime.batches import slim

    scan = scan_inputs(raw_dir, config)
    manifest = load_manifest(raw_dir, config)
    results = [slim(process_file(p, raw_dir, config, manifest)) for p in scan.files]
    results += refused(scan.rejected)
    summary, _markdown = build_and_write(results, out_dir, config, decisions, reuse=reuse)
    return summary

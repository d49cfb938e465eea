"""`ladder`: the command line. Thin: parse options, call the library or a flow, print, exit.

Exit codes: 0 done; 1 the command could not do its job (message on one line); 2 bad usage;
3 `ladder run` finished but some input files were rejected (see rejected.json).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from pipeline.errors import LadderError

app = typer.Typer(
    name="ladder",
    help="Turn career-ladder documents into a canonical, versioned competency dataset.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

DEFAULT_DECISIONS = "decisions.yaml"
EXIT_FAILED = 1
EXIT_REJECTED = 3

F = TypeVar("F", bound=Callable[..., object])


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    """Print `ladder: error: <message>` on stderr and return the Exit to raise."""
    err_console.print(f"ladder: error: {message}", markup=False, soft_wrap=True)
    return typer.Exit(code)


def handles_errors(fn: F) -> F:
    """Turn a `LadderError` raised by the library into a one-line message and exit code 1."""

    @wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            return fn(*args, **kwargs)
        except LadderError as exc:
            raise fail(str(exc)) from None

    return wrapper  # type: ignore[return-value]


RawOpt = Annotated[Path, typer.Option("--raw", help="Folder of input documents.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output folder for the candidate dataset.")]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="YAML file overriding configuration defaults (see `ladder config`).")
]


@app.command()
@handles_errors
def run(
    raw: RawOpt = Path("raw"),
    out: OutOpt = Path("normalized"),
    config: ConfigOpt = None,
    decisions: Annotated[
        Path | None,
        typer.Option(
            "--decisions",
            help="Reviewer decisions YAML (see decisions.example.yaml); default: decisions.yaml here, if present.",
        ),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            metavar="ADDRESS|local",
            help="Run the parse tasks on Dask: a scheduler address (tcp://host:8786) or 'local' for a 2-worker "
            "LocalCluster. Default: threads in this process.",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse every document again; do not read or write the parse cache.")
    ] = False,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Parse cache folder (default: OUT/.cache).")
    ] = None,
    no_decisions: Annotated[
        bool, typer.Option("--no-decisions", help="Ignore reviewer decisions (decisions.yaml here and --decisions).")
    ] = False,
    strict_decisions: Annotated[
        bool,
        typer.Option("--strict-decisions", help="Fail (exit 1) when a reviewer decision is stale or refused."),
    ] = False,
) -> None:
    """Ingest every document in RAW and write the canonical dataset and report to OUT."""
    from pipeline.build.decisions import load_decisions
    from pipeline.config import load_config
    from pipeline.ingest import list_inputs

    cfg = load_config(config)
    decisions = _decisions_path(decisions, no_decisions)
    load_decisions(decisions)  # fail fast on a bad decisions file, before Prefect starts
    files, skipped = list_inputs(raw, cfg)  # fail fast, before Prefect starts, on a missing/empty folder
    if dask is not None:
        from flows.ingest import task_runner

        task_runner(dask)  # a malformed address fails here, not after the server started
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    import flows.ingest as ingest_flow_module

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        bar = progress.add_task("starting Prefect and reading documents", total=len(files))

        def advance(result: object) -> None:
            progress.update(bar, advance=1, description=f"read {getattr(result, 'file', '')}")

        ingest_flow_module.progress_hook = advance
        try:
            summary = ingest_flow_module.run_ingest(
                raw, out, config, decisions, cache=not no_cache, cache_dir=cache_dir, dask=dask
            )
        finally:
            ingest_flow_module.progress_hook = None

    table = Table(title=f"Ladder run: {raw} -> {out}", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    for row in summary.rows():
        table.add_row(row["what"], row["count"])
    console.print(table)
    for path in skipped:
        console.print(f"skipped (not a document type we read): {path}", markup=False)
    for warning in summary.warnings:
        console.print(f"warning: {warning}", markup=False)
    if summary.rejected:
        import json

        for item in json.loads((out / "rejected.json").read_text(encoding="utf-8")):
            console.print(f"rejected: {item['file']}: {item['reason']}", markup=False)
    console.print(f"outputs in {out}/: " + ", ".join(Path(p).name for p in summary.outputs), markup=False)
    if summary.outputs_reused:
        console.print(
            "outputs kept from the last run: documents, configuration, decisions, code and latest release are "
            "unchanged (--no-cache rebuilds them)",
            markup=False,
        )
    if summary.release_status:
        console.print(summary.release_status + " Review report.html, then `ladder publish`.", markup=False)
    _report_decisions(summary.decisions, strict_decisions)
    if summary.rejected:
        raise typer.Exit(EXIT_REJECTED)


def _decisions_path(decisions: Path | None, no_decisions: bool) -> Path | None:
    """The decisions file a run reads: none with --no-decisions, else --decisions, else decisions.yaml here
    (announced, so a file left in the folder never changes a run silently)."""
    if no_decisions:
        if decisions is not None or Path(DEFAULT_DECISIONS).is_file():
            console.print("reviewer decisions ignored (--no-decisions)", markup=False, soft_wrap=True)
        return None
    if decisions is None and Path(DEFAULT_DECISIONS).is_file():
        console.print(
            f"using reviewer decisions from {DEFAULT_DECISIONS} in this folder (--no-decisions ignores it)",
            markup=False,
            soft_wrap=True,
        )
        return Path(DEFAULT_DECISIONS)
    return decisions


def _report_decisions(outcomes: list, strict: bool) -> None:
    """Print how many decisions were applied and each stale or refused one; with `strict`, fail on those."""
    from pipeline.build.decisions import decision_lines

    for line in decision_lines(outcomes):
        console.print(line, markup=False, soft_wrap=True)
    bad = [o for o in outcomes if o.status != "applied"]
    if strict and bad:
        raise fail(f"{len(bad)} reviewer decision(s) stale or refused (--strict-decisions): see above")


@app.command("config")
@handles_errors
def show_config(config: ConfigOpt = None) -> None:
    """Print the effective configuration (defaults, or a file merged over them) as YAML."""
    import yaml

    from pipeline.config import load_config

    cfg = load_config(config)
    typer.echo(yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False, allow_unicode=True), nl=False)


ReleasesOpt = Annotated[Path, typer.Option("--out", help="Output folder holding ladder.json and releases/.")]


@app.command("diff")
@handles_errors
def diff_cmd(
    a: Annotated[
        str | None, typer.Argument(help="Base: a release version or a path (default: latest release).")
    ] = None,
    b: Annotated[
        str | None, typer.Argument(help="Target: a release version or a path (default: the candidate).")
    ] = None,
    out: ReleasesOpt = Path("normalized"),
) -> None:
    """Show what changed from A to B, joined on stable ids, and the suggested version bump."""
    from pipeline.release.diff import diff_text
    from pipeline.release.publish import diff_refs

    console.print(diff_text(diff_refs(out, a, b)), markup=False, soft_wrap=True)


@app.command("publish")
@handles_errors
def publish_cmd(
    version: Annotated[
        str | None, typer.Option("--version", help="MAJOR.MINOR.PATCH (default: the suggested bump; 1.0.0 first).")
    ] = None,
    approve: Annotated[bool, typer.Option("--approve", help="Publish; without it only the diff is shown.")] = False,
    out: ReleasesOpt = Path("normalized"),
) -> None:
    """Publish the candidate as an immutable release in OUT/releases/<version>/ (needs --approve)."""
    from pipeline.release.diff import summary_lines
    from pipeline.release.publish import load_candidate, plan_release, publish_release

    ladder = load_candidate(out)
    plan = plan_release(ladder, out, version)
    for line in summary_lines(plan.diff):
        console.print(line, markup=False, soft_wrap=True)
    if not approve:
        raise fail(f"release {plan.version} not published: review the diff above, then re-run with --approve")
    release = publish_release(ladder, out, plan)
    console.print(
        f"published release {release.version} to {release.path} ({len(release.files)} files)",
        markup=False,
        soft_wrap=True,
    )


@app.command("verify")
@handles_errors
def verify_cmd(
    version: Annotated[str | None, typer.Argument(help="Release to check (default: every release).")] = None,
    out: ReleasesOpt = Path("normalized"),
) -> None:
    """Check that the files of a release still match the checksums in its datapackage.json."""
    from pipeline.release.publish import verify_releases

    results = verify_releases(out, version)
    for result in results:
        if result.ok:
            console.print(
                f"release {result.version}: ok ({len(result.checked)} files match)", markup=False, soft_wrap=True
            )
        for problem in result.problems:
            err_console.print(
                f"ladder: release {result.version}: {problem.file}: {problem.problem}", markup=False, soft_wrap=True
            )
    if not all(r.ok for r in results):
        raise typer.Exit(EXIT_FAILED)


@app.command("progression")
@handles_errors
def progression_cmd(
    track: Annotated[str, typer.Option("--track", help="Track name (or id).")],
    from_level: Annotated[str, typer.Option("--from", help="Lower level: IC1.. / M1.. or a role title.")],
    to_level: Annotated[str, typer.Option("--to", help="Higher level: IC1.. / M1.. or a role title.")],
    ladder: Annotated[Path, typer.Option("--ladder", help="The dataset to read.")] = Path("normalized/ladder.json"),
) -> None:
    """Print what is new, dropped and strengthened from one level of a track to another."""
    from pipeline.build.progression import format_change, load_ladder, progression_between

    console.print(
        format_change(progression_between(load_ladder(ladder), track, from_level, to_level)),
        markup=False,
        soft_wrap=True,
    )


@app.command("eval-dedupe")
@handles_errors
def eval_dedupe_cmd(
    pairs: Annotated[
        Path, typer.Option("--pairs", help="CSV of labeled pairs: a, b, label (same|different), note.")
    ] = Path("tests/data/labeled_pairs.csv"),
    config: ConfigOpt = None,
) -> None:
    """Print precision and recall of the merge decisions on a labeled set of behavior pairs."""
    from pipeline.build.dedupe import evaluate_pairs, format_evaluation, read_labeled_pairs
    from pipeline.config import load_config

    result = evaluate_pairs(read_labeled_pairs(pairs), load_config(config).normalize)
    console.print(format_evaluation(result), markup=False, soft_wrap=True)


@app.command("synth")
@handles_errors
def synth_cmd(
    docs: Annotated[int, typer.Option("--docs", help="Number of career pages to write.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write: OUT/raw/ documents and OUT/truth.csv.")],
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed gives the same files.")] = 0,
) -> None:
    """Write synthetic career pages (text and HTML) with the truth of which behaviors are the same."""
    from pipeline.devtools.synth import write_corpus

    s = write_corpus(out, docs, seed)
    console.print(
        f"wrote {s.documents:,} documents ({s.html_documents:,} HTML) to {s.raw_dir}/: {s.occurrences:,} behavior "
        f"occurrences, {s.distinct_texts:,} distinct texts, {s.truth_behaviors:,} behaviors in truth "
        f"({s.truth_file}). Next: ladder run --raw {s.raw_dir} --out {out / 'normalized'}",
        markup=False,
        soft_wrap=True,
    )


def _int_list(text: str) -> list[int]:
    try:
        values = [int(x.replace("_", "")) for x in text.split(",") if x.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise fail(f"--sizes: expected comma-separated whole numbers >= 1 such as 10000,100000, got {text!r}", 2)
    return values


@app.command("bench")
@handles_errors
def bench_cmd(
    sizes: Annotated[
        str,
        typer.Option("--sizes", help="Behavior occurrences to de-duplicate, comma-separated (add 1000000 for 10^6)."),
    ] = "10000,100000",
    sample: Annotated[
        int, typer.Option("--sample", help="Occurrences for the exhaustive process.cdist baseline (0: skip).")
    ] = 20000,
    parse_docs: Annotated[
        int, typer.Option("--parse-docs", help="Documents written and parsed for the throughput figures (0: skip).")
    ] = 500,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic corpus.")] = 0,
) -> None:
    """Measure de-duplication, parsing and the parse cache on synthetic ladders; print the tables."""
    from pipeline.devtools.bench import format_report, run_bench

    report = run_bench(
        _int_list(sizes), sample, parse_docs, seed, progress=lambda m: err_console.print(m, markup=False)
    )
    console.print(format_report(report), markup=False, soft_wrap=True)


# ------------------------------------------------------------------------------------ reviewer decisions


@app.command("review")
@handles_errors
def review_cmd(
    out: OutOpt = Path("normalized"),
    raw: RawOpt = Path("raw"),
    config: ConfigOpt = None,
    decisions: Annotated[
        Path | None,
        typer.Option("--decisions", help="Decisions file the page appends to (default: decisions.yaml here)."),
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Parse cache folder (default: OUT/.cache).")
    ] = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (default: loopback only; the token guards others).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (default: a free one).")] = 0,
) -> None:
    """Serve the last run's report with buttons for reviewer decisions and a rebuild; Ctrl-C stops it."""
    import threading

    from pipeline.release.review import ReviewServer, ReviewSession, check_ready

    check_ready(out)
    path = decisions if decisions is not None else Path(DEFAULT_DECISIONS)
    session = ReviewSession(out_dir=out, raw_dir=raw, decisions_path=path, config_path=config, cache_dir=cache_dir)
    try:
        server = ReviewServer(session, host, port).start()
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    console.print(
        f"reviewing {out}/report.html; decisions go to {path} (rebuild reads {raw}/ through the cache)",
        markup=False,
        soft_wrap=True,
    )
    console.print("open this URL (it carries the session's token); Ctrl-C stops the server:", markup=False)
    console.print(f"    {server.url}", markup=False, soft_wrap=True)
    try:
        threading.Event().wait()
    finally:
        server.stop()


decide_app = typer.Typer(
    help="Append a reviewer decision to the decisions file (what `ladder review` does from the page).",
    no_args_is_help=True,
)
app.add_typer(decide_app, name="decide")
DecisionsFileOpt = Annotated[
    Path, typer.Option("--decisions", help="Decisions file to append to (created when missing).")
]
NoteOpt = Annotated[str, typer.Option("--note", help="Why (kept with the decision and shown in the report).")]
ByOpt = Annotated[str | None, typer.Option("--by", help="Who decides (default: your login name).")]


def _decide(path: Path, data: dict, note: str, by: str | None) -> None:
    from pipeline.build.decisions import append_decision, current_user, decision_yaml, now_utc, parse_decision

    decision = parse_decision({**data, "note": note, "by": current_user() if by is None else by, "at": now_utc()})
    total = len(append_decision(path, decision).decisions)
    console.print(
        f"appended to {path} ({total} decisions; the next `ladder run` applies them):", markup=False, soft_wrap=True
    )
    console.print(decision_yaml(decision).rstrip("\n"), markup=False, soft_wrap=True)


@decide_app.command("merge")
@handles_errors
def decide_merge(
    behaviors: Annotated[list[str], typer.Argument(help="Two or more behavior ids (beh_…).")],
    decisions: DecisionsFileOpt = Path(DEFAULT_DECISIONS),
    note: NoteOpt = "",
    by: ByOpt = None,
) -> None:
    """These behaviors are one."""
    _decide(decisions, {"action": "merge", "behaviors": behaviors}, note, by)


@decide_app.command("split")
@handles_errors
def decide_split(
    behavior: Annotated[str, typer.Argument(help="Behavior id (beh_…).")],
    occurrence: Annotated[
        str | None, typer.Option("--occurrence", help="Only this occurrence: FILE#L<line> (as in the report).")
    ] = None,
    decisions: DecisionsFileOpt = Path(DEFAULT_DECISIONS),
    note: NoteOpt = "",
    by: ByOpt = None,
) -> None:
    """This behavior is several (or: this one occurrence is not it)."""
    _decide(decisions, {"action": "split", "behavior": behavior, "occurrence": occurrence}, note, by)


@decide_app.command("keep-apart")
@handles_errors
def decide_keep_apart(
    behaviors: Annotated[list[str], typer.Argument(help="Two or more behavior ids (beh_…).")],
    decisions: DecisionsFileOpt = Path(DEFAULT_DECISIONS),
    note: NoteOpt = "",
    by: ByOpt = None,
) -> None:
    """These behaviors are different: do not report them as a near-miss again."""
    _decide(decisions, {"action": "keep-apart", "behaviors": behaviors}, note, by)


@decide_app.command("rename")
@handles_errors
def decide_rename(
    competency: Annotated[str, typer.Argument(help="Competency id (comp_…).")],
    name: Annotated[str, typer.Argument(help="The new canonical name.")],
    decisions: DecisionsFileOpt = Path(DEFAULT_DECISIONS),
    note: NoteOpt = "",
    by: ByOpt = None,
) -> None:
    """Give a canonical competency another name (its id stays)."""
    _decide(decisions, {"action": "rename", "competency": competency, "name": name}, note, by)


@decide_app.command("level")
@handles_errors
def decide_level(
    role: Annotated[str, typer.Argument(help="Role id (role_…).")],
    level: Annotated[str, typer.Argument(help="IC1.. on the IC path, M1.. on management.")],
    decisions: DecisionsFileOpt = Path(DEFAULT_DECISIONS),
    note: NoteOpt = "",
    by: ByOpt = None,
) -> None:
    """Put a role on another canonical level."""
    _decide(decisions, {"action": "level", "role": role, "level": level}, note, by)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("ladder: interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()

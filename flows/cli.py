"""`ladder`: the command line. Thin: parse options, call the library or a flow, print, exit.

Exit codes: 0 done; 1 the command could not do its job (message on one line); 2 bad usage;
3 `ladder run` finished but some input files were rejected (see rejected.json), or `ladder eval-structure`
finished but some documents of the gold file were not found.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer.core import TyperGroup, _TyperParameter

from pipeline.errors import LadderError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


class _DeferredCoercion:
    """Coerces an option's value the way typer does, but builds typer's pydantic TypeAdapter only when a value
    is given. typer builds it the first time it processes an option, even one left out (`None`), whose value
    it returns untouched; `ladder config` and `ladder run --help` would import pydantic's adapter machinery and
    build three adapters for nothing (about 0.15 s of CPU)."""

    def __init__(self, descriptor: TypeDescriptor) -> None:
        self.descriptor = descriptor
        self._built: RuntimeParam | None = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:  # what typer's RuntimeParam.coerce returns for a value left out
            return () if param.multiple or param.nargs == -1 else None
        if self._built is None:
            self._built = build_runtime_param(self.descriptor)
        return self._built.coerce(value, param=param, ctx=ctx)


def _defer_coercion(params: list[Any]) -> list[Any]:
    for param in params:
        if isinstance(param, _TyperParameter) and param._runtime_param is None:
            param._runtime_param = cast(RuntimeParam, _DeferredCoercion(param.type_descriptor))
    return params


class _Group(TyperGroup):
    """typer's group, with the coercion of its options and its commands' options deferred (`_DeferredCoercion`)."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _defer_coercion(super().get_params(ctx))

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not isinstance(command, _Group):
            _defer_coercion(command.get_params(ctx))  # the group's context has the same help option names
        return name, command, rest


app = typer.Typer(
    cls=_Group,
    name="ladder",
    help="Turn career-ladder documents into a canonical, versioned competency dataset.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    # Plain help: flags read `--approve / --no-approve` or `-q, --quiet`, not `<bool>`.
    rich_markup_mode=None,
)


class _LazyConsole:
    """A rich `Console` made on first use. Importing rich costs about a third of `ladder --help`, which
    never prints through it; `real()` is the console itself, for the progress bar."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def real(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


def _real(lazy: Console) -> Console:
    return cast(_LazyConsole, lazy).real()


# typed as the Console they stand for: every use is a Console call
console = cast("Console", _LazyConsole(highlight=False))
err_console = cast("Console", _LazyConsole(stderr=True, highlight=False))

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

    return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature; mypy cannot see it


_SIGNALS = {signal.SIGINT: ("interrupted", 130), signal.SIGTERM: ("terminated", 143)}


@contextmanager
def stops_on_signals(out: Path) -> Iterator[None]:
    """Stop at once on SIGINT / SIGTERM, leaving OUT as it was; exit 130 / 143 with one line.

    Parse tasks run in a thread pool (or worker processes that ignore SIGINT) and cannot be interrupted, and
    Prefect turns SIGTERM into an exception that waits for them; so the handler ends the process itself. It
    discards the uncommitted output set and stops Prefect's temporary server and the worker processes. While
    a committed set is being moved into place (a few renames) the exit waits for the moves to finish, so the
    folder is entirely old or entirely new.
    """
    from pipeline.release import commit

    def handler(signum: int, _frame: object) -> None:
        what, code = _SIGNALS[signal.Signals(signum)]
        if commit.in_critical_section():
            commit.defer_exit(code)
            return
        staging = out / commit.STAGING
        if not (staging / commit.COMMIT).exists():
            shutil.rmtree(staging, ignore_errors=True)
        line = f"ladder: {what} ({signal.Signals(signum).name}); {out}/ left as it was"
        try:
            err_console.print(line, markup=False, soft_wrap=True)
        except Exception:  # the signal came while a module rich prints with was half imported (Prefect's imports)
            os.write(2, f"{line}\n".encode())
        try:
            _stop_prefect_server()
        finally:  # whatever was half imported when the signal came, the run ends with its code
            os._exit(code)

    previous = {sig: signal.signal(sig, handler) for sig in _SIGNALS}
    # Prefect swaps in its own SIGTERM handler while a flow runs; it hands the signal back to this one
    # (re-sent to the process) once the flow has unwound.
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _stop_prefect_server() -> None:
    """Terminate Prefect's temporary API server (a child process), if this process started one, and the worker
    processes of the run (parse workers, a local Dask cluster)."""
    # modules read through sys.modules may be half imported (the signal came during an import): getattr
    active_children = getattr(sys.modules.get("multiprocessing"), "active_children", None)
    if active_children is not None:
        for child in active_children():
            child.kill()
    # and multiprocessing's resource tracker, which would warn about the pool's semaphores (already unlinked)
    tracker = getattr(sys.modules.get("multiprocessing.resource_tracker"), "_resource_tracker", None)
    tracker_pid = getattr(tracker, "_pid", None)
    if isinstance(tracker_pid, int):
        with suppress(OSError):
            os.kill(tracker_pid, signal.SIGKILL)
    kill_early = getattr(sys.modules.get("flows.server"), "kill", None)  # started before Prefect (`spawn`)
    if kill_early is not None:
        kill_early()
    server_module = sys.modules.get("prefect.server.api.server")
    servers = getattr(getattr(server_module, "SubprocessASGIServer", None), "_instances", {})
    for server in list(servers.values()):
        process = getattr(server, "server_process", None)
        if process is not None:
            process.kill()


def package_version() -> str:
    """The installed version of ladder-pipeline (pyproject.toml's when run from a checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ladder-pipeline")
    except PackageNotFoundError:
        import tomllib

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"ladder {package_version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Turn career-ladder documents into a canonical, versioned competency dataset."""


QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors (exit code tells the rest).")]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON on stdout and nothing else (errors go to stderr).")
]


def print_json(value: object) -> None:
    """One JSON document on stdout, the layout of every JSON output."""
    from pipeline.release.emit import to_json

    sys.stdout.write(to_json(value))
    sys.stdout.flush()


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
            "LocalCluster. Default: this machine (threads, or --workers processes on a large corpus).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes that parse a large corpus (at least 200 documents not in the parse cache). "
            "Default: one per core; 1 parses in threads in this process.",
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
    follow_links: Annotated[
        bool,
        typer.Option(
            "--follow-links", help="Read links that point outside RAW (refused and listed in rejected.json by default)."
        ),
    ] = False,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Ingest every document in RAW and write the canonical dataset and report to OUT."""
    from pipeline.build.decisions import load_decisions
    from pipeline.config import load_config
    from pipeline.ingest import display_name, load_manifest, scan_inputs
    from pipeline.release.commit import output_lock

    cfg = load_config(config)
    decisions = _decisions_path(decisions, no_decisions, announce=not (quiet or as_json))
    load_decisions(decisions)  # fail fast on a bad decisions file, before Prefect starts
    scan = scan_inputs(raw, cfg, follow_links or None)  # fail fast, before Prefect starts, on a missing/empty folder
    files, skipped = scan.files, scan.skipped
    load_manifest(raw, cfg)  # and on a bad manifest
    if dask is not None:
        from flows.ingest import task_runner

        task_runner(dask)  # a malformed address fails here, not after the server started
    # rich before the signal handler below: it prints its line with rich
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from flows import server

    held = ExitStack()  # taken before the progress bar: the refusal of a second run is the only line shown
    held.enter_context(output_lock(out))
    held.enter_context(stops_on_signals(out))  # a signal from here on also stops the server's process
    # Prefect's temporary server boots on another core while this process imports Prefect and the stages
    server.spawn()
    import flows.ingest as ingest_flow_module

    with (
        held,
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_real(err_console),
            transient=True,
            disable=quiet or as_json,
        ) as progress,
    ):
        bar = progress.add_task("starting Prefect and reading documents", total=len(files))

        def advance(result: object) -> None:
            progress.update(bar, advance=1, description=f"read {getattr(result, 'file', '')}")

        # the lock before Prefect starts: a second run on OUT fails at once, naming the holder
        with output_lock(out), stops_on_signals(out), _stage_progress(progress, bar, len(files)):
            summary = ingest_flow_module.run_ingest(
                raw,
                out,
                config,
                decisions,
                cache=not no_cache,
                cache_dir=cache_dir,
                dask=dask,
                follow_links=follow_links,
                on_result=advance,
                workers=workers,
            )

    if as_json:
        rejected = json.loads((out / "rejected.json").read_text(encoding="utf-8")) if summary.rejected else []
        print_json(
            {
                **summary.model_dump(mode="json"),
                "raw": raw.as_posix(),
                "out": out.as_posix(),
                "skipped": [Path(p).as_posix() for p in skipped],
                "rejected_files": rejected,
            }
        )
        _report_decisions(summary.decisions, strict_decisions, show=False)
        if summary.rejected:
            raise typer.Exit(EXIT_REJECTED)
        return
    if quiet:
        _report_decisions(summary.decisions, strict_decisions, show=False)
        if summary.rejected:
            raise typer.Exit(EXIT_REJECTED)
        return

    table = Table(title=f"Ladder run: {raw} -> {out}", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    for row in summary.rows():
        table.add_row(row["what"], row["count"])
    console.print(table)
    for path in skipped:
        console.print(f"skipped (not a document type we read): {raw / display_name(path, raw)}", markup=False)
    for warning in summary.warnings:
        console.print(f"warning: {warning}", markup=False)
    if summary.rejected:
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


def _decisions_path(decisions: Path | None, no_decisions: bool, *, announce: bool = True) -> Path | None:
    """The decisions file a run reads: none with --no-decisions, else --decisions, else decisions.yaml here
    (announced unless `announce` is off, so a file left in the folder never changes a run silently)."""
    if no_decisions:
        if announce and (decisions is not None or Path(DEFAULT_DECISIONS).is_file()):
            console.print("reviewer decisions ignored (--no-decisions)", markup=False, soft_wrap=True)
        return None
    if decisions is None and Path(DEFAULT_DECISIONS).is_file():
        if announce:
            console.print(
                f"using reviewer decisions from {DEFAULT_DECISIONS} in this folder (--no-decisions ignores it)",
                markup=False,
                soft_wrap=True,
            )
        return Path(DEFAULT_DECISIONS)
    return decisions


def _report_decisions(outcomes: list, strict: bool, *, show: bool = True) -> None:
    """Print (when `show`) how many decisions were applied and each stale or refused one; with `strict`, fail
    on those."""
    from pipeline.build.decisions import decision_lines

    for line in decision_lines(outcomes) if show else []:
        console.print(line, markup=False, soft_wrap=True)
    bad = [o for o in outcomes if o.status != "applied"]
    if strict and bad:
        raise fail(f"{len(bad)} reviewer decision(s) stale or refused (--strict-decisions): see above")


@contextmanager
def _stage_progress(progress: Progress, bar: TaskID, files: int) -> Iterator[None]:
    """Show the library's stage messages (build, de-duplication, report, writing) on the progress line.

    The stages after reading have no count to show: the bar stays full and the line names the stage, with the
    time elapsed; the library announces them on the `pipeline.progress` logger (see pipeline.progress).
    """
    from pipeline.progress import LOGGER_NAME

    class _ToProgress(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            progress.update(bar, description=record.getMessage(), completed=files)

    logger = logging.getLogger(LOGGER_NAME)
    handler = _ToProgress(logging.INFO)
    previous = logger.level
    logger.addHandler(handler)
    # Records still propagate: to a Prefect server's log handler when runs go to one. The console handler
    # prints warnings only (see flows/__init__.py), so the messages show on the progress line alone.
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


@app.command("config")
@handles_errors
def show_config(config: ConfigOpt = None) -> None:
    """Print the effective configuration (defaults, or a file merged over them) as YAML."""
    from pipeline.config_yaml import config_yaml, defaults_yaml

    if config is None:
        typer.echo(defaults_yaml(), nl=False)  # cached beside the bytecode (see pipeline.config_yaml)
        return
    from pipeline.config import load_config

    typer.echo(config_yaml(load_config(config)), nl=False)


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
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Show what changed from A to B, joined on stable ids, and the suggested version bump."""
    from pipeline.release.diff import diff_text
    from pipeline.release.publish import diff_refs

    diff = diff_refs(out, a, b)
    if as_json:
        print_json(diff.model_dump(mode="json"))
    elif not quiet:
        console.print(diff_text(diff), markup=False, soft_wrap=True)


@app.command("publish")
@handles_errors
def publish_cmd(
    version: Annotated[
        str | None, typer.Option("--version", help="MAJOR.MINOR.PATCH (default: the suggested bump; 1.0.0 first).")
    ] = None,
    approve: Annotated[
        bool, typer.Option("--approve", help="Publish; without it only the diff is shown (a preview, exit 0).")
    ] = False,
    approver: Annotated[
        str | None,
        typer.Option("--approver", help="Who approves, recorded in the release (default: the login name)."),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Approval note, recorded in the release.")] = "",
    out: ReleasesOpt = Path("normalized"),
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Publish the candidate as an immutable release in OUT/releases/<version>/ (needs --approve)."""
    from pipeline.release.commit import output_lock, recover
    from pipeline.release.diff import summary_lines
    from pipeline.release.publish import Approval, heal_releases, load_candidate, plan_release, publish_release

    with output_lock(out):
        recover(out)  # a run interrupted while committing its outputs is finished before they are read
        for line in heal_releases(out):
            if not (quiet or as_json):
                console.print(f"repaired: {line}", markup=False, soft_wrap=True)
        ladder = load_candidate(out)
        plan = plan_release(ladder, out, version)
        result: dict = {"version": plan.version, "latest": plan.latest, "diff": summary_lines(plan.diff)}
        if not (quiet or as_json):
            for line in summary_lines(plan.diff):
                console.print(line, markup=False, soft_wrap=True)
        if not approve:
            if as_json:
                print_json({**result, "published": False})
            elif not quiet:
                console.print(
                    f"preview only: release {plan.version} not published; review the diff above, then re-run with "
                    "--approve",
                    markup=False,
                    soft_wrap=True,
                )
            return
        approval = Approval(approver=approver or _login_name(), note=note)
        release = publish_release(ladder, out, plan, approval=approval)
    if as_json:
        print_json({**result, "published": True, "path": release.path, "files": release.files})
    elif not quiet:
        console.print(
            f"published release {release.version} to {release.path} ({len(release.files)} files)",
            markup=False,
            soft_wrap=True,
        )


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return ""


@app.command("verify")
@handles_errors
def verify_cmd(
    version: Annotated[str | None, typer.Argument(help="Release to check (default: every release).")] = None,
    out: ReleasesOpt = Path("normalized"),
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Check that the files of a release still match the checksums in its datapackage.json."""
    from pipeline.release.commit import output_lock
    from pipeline.release.integrity import head
    from pipeline.release.publish import heal_releases, releases_dir, verify_releases

    with output_lock(out):
        for line in heal_releases(out):
            if not (quiet or as_json):
                console.print(f"repaired: {line}", markup=False, soft_wrap=True)
        results = verify_releases(out, version)
    if as_json:
        print_json([{**r.model_dump(mode="json"), "ok": r.ok} for r in results])
    for result in results:
        if as_json:
            break
        if result.ok and not quiet:
            console.print(
                f"release {result.version}: ok ({len(result.checked)} files match)", markup=False, soft_wrap=True
            )
        for problem in result.problems:
            err_console.print(
                f"ladder: release {result.version}: {problem.file}: {problem.problem}", markup=False, soft_wrap=True
            )
    if not all(r.ok for r in results):
        raise typer.Exit(EXIT_FAILED)
    if not (quiet or as_json):
        console.print(f"releases index: chain intact, head {head(releases_dir(out))}", markup=False, soft_wrap=True)


@app.command("serve")
@handles_errors
def serve_cmd(
    raw: RawOpt = Path("raw"),
    out: OutOpt = Path("normalized"),
    cron: Annotated[
        str | None,
        typer.Option(
            "--cron", metavar="EXPR", help="Schedule of the ingestion, e.g. '0 6 * * 1-5' (default: on demand)."
        ),
    ] = None,
) -> None:
    """Serve the ingestion and publish flows from this process on a Prefect server (PREFECT_API_URL)."""
    from flows.publish import running_against_server
    from flows.serve import check_cron, serve

    if cron:
        check_cron(cron)
    if not running_against_server():
        raise fail(
            "ladder serve needs a Prefect server: start one (`prefect server start`) and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    console.print(
        f"serving ladder-ingest/serve ({raw} -> {out}, {'cron ' + cron if cron else 'on demand'}) and "
        "ladder-publish/serve; Ctrl+C stops",
        markup=False,
        soft_wrap=True,
    )
    serve(raw, out, cron)


@app.command("progression")
@handles_errors
def progression_cmd(
    track: Annotated[str, typer.Option("--track", help="Track name (or id).")],
    from_level: Annotated[str, typer.Option("--from", help="Lower level: IC1.. / M1.. or a role title.")],
    to_level: Annotated[str, typer.Option("--to", help="Higher level: IC1.. / M1.. or a role title.")],
    ladder: Annotated[Path, typer.Option("--ladder", help="The dataset to read.")] = Path("normalized/ladder.json"),
) -> None:
    """Print what is new, dropped and strengthened from one level of a track to another."""
    from pipeline.build.progression import format_change, progression_between
    from pipeline.release.publish import load_ladder_file

    console.print(
        format_change(progression_between(load_ladder_file(ladder), track, from_level, to_level)),
        markup=False,
        soft_wrap=True,
    )


@app.command("eval-dedupe")
@handles_errors
def eval_dedupe_cmd(
    pairs: Annotated[
        list[Path] | None,
        typer.Option(
            "--pairs",
            help="CSV of labeled pairs: a, b, label (same|different), class, note; or a_ref, b_ref (file:line "
            "references into --documents) instead of a, b. Repeat to evaluate several files together.",
        ),
    ] = None,
    documents: Annotated[
        Path | None, typer.Option("--documents", help="Folder the references of a_ref/b_ref files point into.")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Print precision and recall of the merge decisions on labeled behavior pairs, overall and per class."""
    from pipeline.build.dedupe import evaluate_pairs, format_evaluation, read_labeled_pairs
    from pipeline.config import load_config

    files = pairs or [Path("tests/data/labeled_pairs.csv"), Path("tests/data/labeled_pairs_classes.csv")]
    labeled = [pair for f in files for pair in read_labeled_pairs(f, documents)]
    result = evaluate_pairs(labeled, load_config(config).normalize)
    console.print(format_evaluation(result), markup=False, soft_wrap=True)


@app.command("eval-structure")
@handles_errors
def eval_structure_cmd(
    gold: Annotated[Path, typer.Option("--gold", help="Gold file (JSON list of documents with their roles).")],
    raw: Annotated[
        Path | None,
        typer.Option("--raw", help="Folder the gold's file paths are read from (default: the gold file's folder)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Compare the roles, competencies and behaviors parse finds with a gold standard, per document and in total."""
    from pipeline.config import load_config
    from pipeline.devtools.eval_structure import evaluate_structure, format_structure_eval, structure_eval_json

    result = evaluate_structure(gold, load_config(config), raw)
    if as_json:
        typer.echo(structure_eval_json(result), nl=False)
    else:
        console.print(format_structure_eval(result), markup=False, soft_wrap=True)
    if result.missing:
        raise fail(f"{len(result.missing)} gold documents not found or unreadable: {', '.join(result.missing)}", 3)


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


def _int_list(text: str, option: str = "--sizes", minimum: int = 1) -> list[int]:
    try:
        values = [int(x.replace("_", "")) for x in text.split(",") if x.strip()]
    except ValueError:
        values = []
    if not values or min(values) < minimum:
        raise fail(
            f"{option}: expected comma-separated whole numbers >= {minimum} such as 10000,100000, got {text!r}", 2
        )
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
    e2e_docs: Annotated[
        str,
        typer.Option(
            "--e2e-docs",
            help="Documents for the end-to-end rows (the ingestion flow, first run), comma-separated; add 10000 "
            "for 10^4 (about 5 minutes); 0: skip.",
        ),
    ] = "1000",
    adversarial: Annotated[
        int,
        typer.Option(
            "--adversarial",
            help="N for the adversarial corpora: N near-duplicates, N common-word statements, one competency "
            "of N/5 bullets (0: skip; 100000 is the issue's bound).",
        ),
    ] = 0,
) -> None:
    """Measure de-duplication, parsing, the parse cache and whole runs on synthetic ladders; print the tables."""
    from pipeline.devtools.bench import format_report, run_bench

    report = run_bench(
        _int_list(sizes),
        sample,
        parse_docs,
        seed,
        progress=lambda m: err_console.print(m, markup=False),
        e2e_docs=[n for n in _int_list(e2e_docs, "--e2e-docs", 0) if n],
        adversarial=adversarial,
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
    cls=_Group,
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

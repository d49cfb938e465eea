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

from .errors import LadderError

app = typer.Typer(
    name="ladder",
    help="Turn career-ladder documents into a canonical, versioned competency dataset.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

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
) -> None:
    """Ingest every document in RAW and write the canonical dataset and report to OUT."""
    from .config import load_config
    from .ingest import list_inputs

    cfg = load_config(config)
    files, skipped = list_inputs(raw, cfg)  # fail fast, before Prefect starts, on a missing/empty folder
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
            summary = ingest_flow_module.ingest_flow(raw_dir=raw, out_dir=out, config_path=config)
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
    if summary.rejected:
        raise typer.Exit(EXIT_REJECTED)


@app.command("config")
@handles_errors
def show_config(config: ConfigOpt = None) -> None:
    """Print the effective configuration (defaults, or a file merged over them) as YAML."""
    import yaml

    from .config import load_config

    cfg = load_config(config)
    console.print(yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False, allow_unicode=True), markup=False)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("ladder: interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()

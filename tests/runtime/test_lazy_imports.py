"""Commands that do no work stay light: `import flows.cli`, `ladder --help`, `ladder <cmd> --help` and
`ladder config` load none of the heavy libraries (spaCy, Prefect, pyarrow, ...) nor the pipeline stages;
`import pipeline` loads no stage, and its public names still resolve. Each check runs in a fresh
interpreter, so a test fails as soon as someone adds an eager import again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

HEAVY = (
    "bs4",
    "dask",
    "distributed",
    "duckdb",
    "ftfy",
    "lxml",
    "markdown_it",
    "numpy",
    "pandas",
    "prefect",
    "prefect_dask",
    "pyarrow",
    "rapidfuzz",
    "rich",
    "scipy",
    "spacy",
    "thinc",
)

# Run a snippet (or the CLI) in a fresh interpreter; print which heavy top-level packages and which pipeline /
# flows modules ended up in sys.modules.
_PROBE = """
import json, runpy, sys
heavy = set(json.loads(sys.argv[1]))
if sys.argv[2] == "-c":
    exec(sys.argv[3])
else:
    sys.argv = ["ladder", *sys.argv[3:]]
    try:
        runpy.run_module("flows.cli", run_name="__main__")
    except SystemExit as exc:
        assert exc.code in (0, None), exc.code
loaded = sorted({m.split(".")[0] for m in sys.modules} & heavy)
ours = sorted(m for m in sys.modules if m.split(".")[0] in ("pipeline", "flows"))
light = sorted(m for m in sys.modules if m in LIGHT)
print(json.dumps({"heavy": loaded, "ours": ours, "light": light}), file=sys.stderr)
"""
# Not heavy, but worth a tenth of a second each: pydantic itself, and what typer loads to build an adapter.
LIGHT = ("pydantic", "pydantic.type_adapter", "typer._adapters", "yaml")


def _probe(*args: str, env: dict[str, str] | None = None, stdout: list[str] | None = None) -> dict[str, list[str]]:
    """What a fresh interpreter loaded running `args`; `env` adds variables, `stdout` receives the output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-c", f"LIGHT = {LIGHT!r}\n" + _PROBE, json.dumps(HEAVY), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    if stdout is not None:
        stdout.append(proc.stdout)
    return json.loads(proc.stderr.strip().splitlines()[-1])


CONFIG_MODULES = [
    "flows",
    "pipeline",
    "pipeline.build",
    "pipeline.build.settings",
    "pipeline.config",
    "pipeline.errors",
    "pipeline.ids",
    "pipeline.ingest",
    "pipeline.ingest.settings",
    "pipeline.parse",
    "pipeline.parse.settings",
    "pipeline.progress",
    "pipeline.settings",
    "pipeline.yamlfile",
]


def test_importing_the_cli_loads_nothing_heavy() -> None:
    assert _probe("-c", "import flows.cli") == {
        "heavy": [],
        "ours": ["flows", "flows.cli", "pipeline", "pipeline.errors"],
        "light": [],
    }


@pytest.mark.parametrize(
    "command",
    [["--help"], ["run", "--help"], ["publish", "--help"], ["bench", "--help"], ["decide", "merge", "--help"]],
)
def test_help_loads_nothing_heavy(command: list[str]) -> None:
    # nor pydantic: typer builds a pydantic adapter for an option only when a value is given (flows.cli._Group)
    assert _probe("cli", *command) == {"heavy": [], "ours": ["flows", "pipeline", "pipeline.errors"], "light": []}


def test_config_loads_the_settings_only(tmp_path: Path) -> None:
    # A first `ladder config` renders the defaults: pydantic for the settings, yaml to print them; no typer
    # adapter (--config is not given). It caches the text (pipeline.config_yaml) in the user's cache folder.
    cache = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    printed: list[str] = []
    assert _probe("cli", "config", env=cache, stdout=printed) == {
        "heavy": [],
        "ours": sorted([*CONFIG_MODULES, "pipeline.config_yaml"]),
        "light": ["pydantic", "yaml"],
    }
    assert [p.name.split(".")[-1] for p in (tmp_path / "cache" / "ladder").iterdir()] == ["json"]
    # The next one prints the cached text: neither pydantic nor yaml nor a settings module is loaded.
    assert _probe("cli", "config", env=cache, stdout=printed) == {
        "heavy": [],
        "ours": ["flows", "pipeline", "pipeline.config_yaml", "pipeline.errors"],
        "light": [],
    }
    pinned = (ROOT / "tests" / "golden" / "config.yaml").read_text(encoding="utf-8")
    assert printed == [pinned, pinned]


def test_cached_defaults_are_dropped_when_a_source_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry is only served while every module it was rendered from is byte-identical."""
    import sys
    import types

    from pipeline.config import Config
    from pipeline.config_yaml import config_yaml, defaults_yaml, read_entry, write_entry

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rendered = config_yaml(Config())
    assert defaults_yaml() == rendered  # renders and writes the entry
    (entry,) = (tmp_path / "cache" / "ladder").iterdir()
    assert read_entry(entry) == rendered
    # A settings module (here a stand-in under the `pipeline` package) that changes invalidates the entry.
    source = tmp_path / "stand_in.py"
    source.write_text("X = 1\n", encoding="utf-8")
    stand_in = types.ModuleType("pipeline.stand_in")
    stand_in.__file__ = str(source)
    monkeypatch.setitem(sys.modules, "pipeline.stand_in", stand_in)
    write_entry(entry, "cached text\n")
    assert read_entry(entry) == "cached text\n"
    source.write_text("X = 2\n", encoding="utf-8")
    assert read_entry(entry) is None
    assert defaults_yaml() == rendered  # rendered again, and cached again
    assert read_entry(entry) == rendered
    # A damaged entry is a miss, never an error.
    entry.write_text("{not json", encoding="utf-8")
    assert (read_entry(entry), defaults_yaml()) == (None, rendered)


def test_options_given_are_still_coerced_and_checked(tmp_path: Path) -> None:
    """Deferred coercion still turns a given value into its type and still refuses a bad one."""
    from typer.testing import CliRunner

    from flows.cli import app

    (tmp_path / "c.yaml").write_text("ingest:\n  max_blocks: 7\n", encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(app, ["config", "--config", str(tmp_path / "c.yaml")])
    assert (shown.exit_code, shown.output.splitlines()[:3]) == (
        0,
        ["ingest:", "  max_bytes: 10485760", "  max_blocks: 7"],
    )
    bad = runner.invoke(app, ["run", "--workers", "0", "--raw", str(tmp_path)])
    assert bad.exit_code == 2
    assert "Invalid value for '--workers': Input should be greater than or equal to 1" in bad.output


def test_import_pipeline_is_lazy_and_its_names_resolve() -> None:
    snippet = (
        "import pipeline\n"
        "assert sorted(m for m in sys.modules if m.startswith('pipeline')) == ['pipeline'], sys.modules\n"
        "from pipeline import Config, LadderError, load_config\n"
        "assert Config is load_config().__class__ and LadderError.__module__ == 'pipeline.errors'\n"
    )
    assert _probe("-c", snippet) == {
        "heavy": [],
        "ours": [m for m in CONFIG_MODULES if m != "flows"],
        "light": ["pydantic", "yaml"],  # load_config reads YAML
    }


def test_every_public_name_resolves_to_its_module() -> None:
    import pipeline

    where = {name: getattr(pipeline, name).__module__ for name in pipeline.__all__}
    assert where == {
        "Config": "pipeline.config",
        "ConfigError": "pipeline.errors",
        "DatasetDiff": "pipeline.release.diff",
        "Decisions": "pipeline.build.decisions",
        "InputError": "pipeline.errors",
        "Ladder": "pipeline.models",
        "LadderError": "pipeline.errors",
        "ParseError": "pipeline.errors",
        "RejectedDocument": "pipeline.errors",
        "ReleaseError": "pipeline.errors",
        "RunSummary": "pipeline.run",
        "build_ladder": "pipeline.build",
        "dedupe": "pipeline.build.dedupe",
        "diff_ladders": "pipeline.release.diff",
        "ingest_bytes": "pipeline.ingest",
        "ingest_file": "pipeline.ingest",
        "load_config": "pipeline.config",
        "load_decisions": "pipeline.build.decisions",
        "parse_document": "pipeline.parse",
        "progression_between": "pipeline.build.progression",
        "publish_release": "pipeline.release.publish",
        "run_local": "pipeline.run",
        "verify_release": "pipeline.release.publish",
    }
    with pytest.raises(AttributeError, match="module 'pipeline' has no attribute 'nothing'"):
        _ = pipeline.nothing  # type: ignore[attr-defined]


def test_stage_packages_resolve_their_lazy_names() -> None:
    from pipeline.build import group_behaviors, track_id
    from pipeline.build.behaviors import group_behaviors as defined
    from pipeline.parse import PARSERS
    from pipeline.parse.article import parse_article

    assert group_behaviors is defined
    assert track_id.__module__ == "pipeline.build.roles"
    assert sorted(PARSERS) == ["article", "career_page", "forum_thread", "role_descriptions"]
    assert PARSERS["article"] is parse_article


def test_warm_up_loads_spacy_only_when_this_process_parses(tmp_path: Path) -> None:
    from pipeline.config import Config
    from pipeline.devtools.synth import write_corpus
    from pipeline.runtime.batches import process_batch
    from pipeline.runtime.parse_cache import ParseCache

    raw = write_corpus(tmp_path / "synth", 3, seed=4).raw_dir
    snippet = (
        "from pathlib import Path\n"
        "from pipeline.runtime.warm import warm_up\n"
        "warm_up(Path(RAW), None, CACHE, follow_links=False, workers=WORKERS)\n"
        "nlp = sys.modules.get('pipeline.parse.nlp')\n"
        "assert nlp is None or nlp._cached.cache_info().currsize == 1  # the spaCy pipeline was built\n"
    )

    def loaded(workers: int, cache_dir: Path | None) -> list[str]:
        """spaCy and the de-duplication step (the build modules), if the warm-up loaded them."""
        code = snippet.replace("RAW", repr(str(raw))).replace("WORKERS", str(workers))
        probe = _probe("-c", code.replace("CACHE", f"Path({str(cache_dir)!r})" if cache_dir else "None"))
        return sorted(set(probe["heavy"]) & {"spacy"}) + sorted(set(probe["ours"]) & {"pipeline.build.behaviors"})

    def entries(cache_dir: Path) -> int:
        return len(list(cache_dir.rglob("*.json")))

    assert loaded(1, None) == ["spacy", "pipeline.build.behaviors"]  # no cache: this process parses
    assert loaded(2, tmp_path / "c2") == ["spacy", "pipeline.build.behaviors"]  # too few for worker processes
    assert entries(tmp_path / "c2") == 3  # and it parsed them into the cache, for the parse tasks to read
    assert loaded(0, tmp_path / "c0") == ["pipeline.build.behaviors"]  # the parse runs elsewhere (Dask)
    assert not (tmp_path / "c0").exists()
    # what the warm-up wrote is what a parse task makes of the documents
    config = Config()
    files = sorted(p for p in raw.iterdir() if p.is_file())
    fresh = process_batch(files, raw, config, {}, None)
    cache = ParseCache(tmp_path / "c2", config)
    assert process_batch(files, raw, config, {}, cache.root, cache.fingerprint) == fresh
    assert loaded(1, tmp_path / "c2") == []  # a re-run the cache serves: nothing to load
    cache_dir = tmp_path / "c3"
    process_batch(files, raw, config, {}, cache_dir)
    assert (entries(cache_dir), loaded(1, cache_dir)) == (3, [])


def test_warm_up_parses_into_the_cache_until_told_to_stop(tmp_path: Path) -> None:
    import threading

    from pipeline.devtools.synth import write_corpus
    from pipeline.runtime.warm import warm_up

    raw = write_corpus(tmp_path / "synth", 3, seed=4).raw_dir
    stop = threading.Event()
    stop.set()  # a parse task has started: the warm-up parses nothing more
    warm_up(raw, None, tmp_path / "stopped", follow_links=False, workers=1, stop=stop)
    assert not (tmp_path / "stopped").exists()
    warm_up(raw, None, tmp_path / "cache", follow_links=False, workers=1, stop=threading.Event())
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 3

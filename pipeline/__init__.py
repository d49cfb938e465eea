"""ladder pipeline: career-ladder documents in, a canonical, versioned competency dataset out.

The public names are re-exported here; everything else is internal. Each stage is a module named for
what it does: ingest, parse, build (normalize + dedupe), emit, report, diff, publish.

The re-exports are lazy (PEP 562): `import pipeline` (or `pipeline.errors`, `pipeline.config`) loads none of
the stages, so `ladder --help` does not pay for spaCy, Prefect or pyarrow; `pipeline.build_ladder` imports
its module on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.build import build_ladder
    from pipeline.build.decisions import Decisions, load_decisions
    from pipeline.build.dedupe import dedupe
    from pipeline.build.progression import progression_between
    from pipeline.config import Config, load_config
    from pipeline.errors import ConfigError, InputError, LadderError, ParseError, RejectedDocument, ReleaseError
    from pipeline.ingest import ingest_bytes, ingest_file
    from pipeline.models import Ladder
    from pipeline.parse import parse_document
    from pipeline.release.diff import DatasetDiff, diff_ladders
    from pipeline.release.publish import publish_release, verify_release
    from pipeline.run import RunSummary, run_local

# public name -> the module that defines it
_EXPORTS = {
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

__all__ = [
    "Config",
    "ConfigError",
    "DatasetDiff",
    "Decisions",
    "InputError",
    "Ladder",
    "LadderError",
    "ParseError",
    "RejectedDocument",
    "ReleaseError",
    "RunSummary",
    "build_ladder",
    "dedupe",
    "diff_ladders",
    "ingest_bytes",
    "ingest_file",
    "load_config",
    "load_decisions",
    "parse_document",
    "progression_between",
    "publish_release",
    "run_local",
    "verify_release",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))

"""ladder pipeline: career-ladder documents in, a canonical, versioned competency dataset out.

The public names are re-exported here; everything else is internal. Each stage is a module named for
what it does: ingest, parse, build (normalize + dedupe), emit, report, diff, publish.
"""

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

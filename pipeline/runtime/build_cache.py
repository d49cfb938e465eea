"""Reuse the outputs of the last run when nothing that decides them has changed.

With the parse cache a re-run skips parsing, but building, writing and reporting 10^6 occurrences still
takes minutes. The outputs are a pure function of: every file's parse result (its document id, kind, or
rejection), the configuration, the reviewer decisions, the pipeline's code, and the latest published
release (the report diffs against it). `build_key` hashes exactly those; when the key of the last run is
recorded in `<out>/.cache/build.json` and every output file still has the checksum recorded with it, the
run reuses them instead of rebuilding (a file edited or deleted by hand is rebuilt).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ValidationError

from pipeline.build.decisions import Decisions
from pipeline.config import Config
from pipeline.ids import canonical_json, source_fingerprint
from pipeline.release.emit import atomic_write_text
from pipeline.release.publish import latest_release, releases_dir

RECORD = Path(".cache") / "build.json"
_PACKAGE = Path(__file__).resolve().parent.parent


# What the outputs are made from besides the inputs: every module and every package data file (the report's
# stylesheet and script are inlined into report.html).
_SOURCE_SUFFIXES = (".py", ".css", ".js")


def package_files() -> list[Path]:
    return sorted(p for p in _PACKAGE.rglob("*") if p.suffix in _SOURCE_SUFFIXES and p.is_file())


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """sha256 over the source and package data of the package: any code change rebuilds."""
    return source_fingerprint(package_files(), _PACKAGE)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_key(results: list, config: Config, decisions: Decisions, out_dir: Path) -> str:
    """Hash of everything the outputs of a run depend on (see the module docstring)."""
    files = sorted(
        (
            r.file,
            r.document.id if r.document else None,
            r.document.kind if r.document else None,
            r.rejection.reason if r.rejection else None,
        )
        for r in results
    )
    latest = latest_release(out_dir)
    release = None
    if latest is not None:
        package = releases_dir(out_dir) / latest / "datapackage.json"
        release = [latest, _sha256_file(package) if package.is_file() else None]
    payload = {
        "files": files,
        "config": config.model_dump(mode="json"),
        "decisions": decisions.model_dump(mode="json"),
        "code": package_fingerprint(),
        "release": release,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


class BuildRecord(BaseModel):
    """What the last run wrote: its key, its summary and artifact, and the checksum of each output."""

    key: str
    summary: dict
    artifact_markdown: str
    outputs: dict[str, str]  # file name in the output folder -> sha256


def reusable(out_dir: Path, key: str) -> BuildRecord | None:
    """The record of the last run if its key is `key` and its outputs are untouched, else None."""
    path = Path(out_dir) / RECORD
    try:
        record = BuildRecord.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, json.JSONDecodeError):
        return None
    if record.key != key:
        return None
    for name, digest in record.outputs.items():
        output = Path(out_dir) / name
        if not output.is_file() or _sha256_file(output) != digest:
            return None
    return record


def remember(out_dir: Path, key: str, summary: dict, artifact_markdown: str, outputs: list[Path]) -> None:
    """Record this run's key and output checksums for the next run."""
    record = BuildRecord(
        key=key,
        summary=summary,
        artifact_markdown=artifact_markdown,
        outputs={p.name: _sha256_file(p) for p in outputs},
    )
    atomic_write_text(Path(out_dir) / RECORD, record.model_dump_json(indent=2) + "\n")

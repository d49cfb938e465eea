"""Parse-result cache: what ingest + parse made of a file, keyed by the file's content and everything that
could change the result.

An entry's key hashes the file's bytes (sha256), its path relative to the input folder (it is part of the
result: `Document.file`), the manifest's kind override for it, and a *fingerprint* of the configuration and
of the source code of the ingest and parse modules. Change a threshold or a parser and every entry is
missed, never served stale; change one document and only its entry is missed.

Layout: `<cache_dir>/<fingerprint[:16]>/<key[:2]>/<key>.json`, one `FileResult` as JSON per file, written
to a temp file and renamed into place, so a crashed or concurrent run (two Dask workers) never leaves a
half entry; an entry that does not load is treated as a miss and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.ids import canonical_json, source_fingerprint
from pipeline.run import FileResult

CACHE_FORMAT = 1  # bump when the layout or the meaning of an entry changes
DEFAULT_DIR_NAME = ".cache"

_PACKAGE = Path(__file__).resolve().parent.parent
# What decides what a file parses into: the whole ingest and parse stage packages (so a new helper module is
# covered without editing this list) and the shared modules they use. Any edit invalidates the cache.
_CODE = ("ingest", "parse", "config.py", "settings.py", "errors.py", "ids.py", "models.py", "run.py")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 over the source of the ingest and parse modules (sorted by path)."""
    files: list[Path] = []
    for name in _CODE:
        path = _PACKAGE / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.is_file() else [])
    return source_fingerprint(files, _PACKAGE)


def fingerprint(config: Config) -> str:
    """What besides a file's bytes decides its parse: cache format, configuration, code."""
    payload = {"format": CACHE_FORMAT, "config": config.model_dump(mode="json"), "code": code_fingerprint()}
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


class ParseCache:
    """Read and write parse results under one fingerprint.

    `ParseCache(Path("normalized/.cache"), config)`; `get(key)` gives a `FileResult` or None, `put(key, r)`
    stores one. Counters `hits`, `misses`, `writes` say what a run did.
    """

    def __init__(self, root: Path, config: Config | None = None, *, fingerprint_: str | None = None) -> None:
        if config is None and fingerprint_ is None:
            raise InputError("ParseCache needs a config or a fingerprint")
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"cache path is not a folder: {self.root}")
        self.fingerprint = fingerprint_ or fingerprint(config)  # type: ignore[arg-type]
        self.dir = self.root / self.fingerprint[:16]
        self.hits = self.misses = self.writes = 0

    @staticmethod
    def key(data: bytes, file: str, kind_override: str | None) -> str:
        """Key of one file: hash of its bytes, relative path and manifest kind."""
        content = hashlib.sha256(data).hexdigest()
        return hashlib.sha256(canonical_json([content, file, kind_override]).encode("utf-8")).hexdigest()

    def path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def get(self, key: str) -> FileResult | None:
        path = self.path(key)
        try:
            result = FileResult.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValidationError, ValueError):
            self.misses += 1  # damaged or from an older model: parse again and overwrite
            return None
        self.hits += 1
        return result

    def put(self, key: str, result: FileResult) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # no fsync: a cache entry lost in a crash is only a miss next time; rename keeps it whole or absent
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:8]}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(result.model_dump_json().encode("utf-8"))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.writes += 1

"""`ladder config`'s text: the effective configuration as YAML, with the defaults' text cached.

Rendering the defaults imports pydantic and builds every settings model, most of the command's time. The text
depends only on the settings' source code and on the pydantic and PyYAML installed, so `defaults_yaml` keeps
it in the user's cache folder (`$XDG_CACHE_HOME/ladder`, else `~/.cache/ladder`; one entry per checkout or
installation and Python) with what it was rendered from: the sha256 of every `pipeline` module loaded at the
time, the size and modification time of the installed `pydantic`, `pydantic_core` and `yaml` packages, and the
Python version. A later call that finds them all unchanged returns the text without importing pydantic; any
difference renders it again. The cache is best effort: a folder that cannot be written only costs the time.
"""

from __future__ import annotations

import json
import os
import sys
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.config import Config

# The installed packages besides our own code the text depends on: pydantic (and its core) makes the values,
# PyYAML prints them.
PACKAGES = ("pydantic", "pydantic_core", "yaml")


def config_yaml(config: Config) -> str:
    """`config` as `ladder config` prints it: every section and key in declaration order."""
    import yaml

    # libyaml's emitter when installed (4x faster than the pure-Python one, same text)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(config.model_dump(mode="json"), Dumper=dumper, sort_keys=False, allow_unicode=True)


def cache_path() -> Path:
    """Where the defaults' text is cached: the user's cache folder, one entry per copy of `pipeline` and Python."""
    here = Path(__file__).resolve().parent
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ladder"
    return root / f"config-defaults-{sha256(str(here).encode()).hexdigest()[:16]}.{sys.implementation.cache_tag}.json"


def _file_hash(path: str) -> str:
    try:
        return sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def _packages() -> dict[str, list[object]]:
    """Each package's `__init__` file, its size and modification time; found without importing it."""
    from importlib.util import find_spec

    found: dict[str, list[object]] = {}
    for name in PACKAGES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            stat = os.stat(origin) if origin else None
        except OSError:
            stat = None
        found[name] = [origin, stat.st_size, stat.st_mtime_ns] if stat else [origin, None, None]
    return found


def _sources() -> dict[str, str]:
    """The sha256 of every `pipeline` module loaded, by file."""
    ours = [m for name, m in list(sys.modules.items()) if name == "pipeline" or name.startswith("pipeline.")]
    files = sorted({f for f in (getattr(m, "__file__", None) for m in ours) if isinstance(f, str)})
    return {path: _file_hash(path) for path in files}


def read_entry(path: Path) -> str | None:
    """The cached text at `path`, if everything it was rendered from is unchanged; else None."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        if entry["python"] != sys.version or entry["packages"] != _packages():
            return None
        if not entry["sources"] or any(_file_hash(f) != digest for f, digest in entry["sources"].items()):
            return None
        text = entry["text"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return text if isinstance(text, str) else None


def write_entry(path: Path, text: str) -> None:
    """Cache `text` at `path` with what it was rendered from (call it right after rendering); best effort."""
    entry = {"python": sys.version, "packages": _packages(), "sources": _sources(), "text": text}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(entry, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)  # readers see the old entry or the new one, never half of one
    except OSError:
        tmp.unlink(missing_ok=True)


def defaults_yaml() -> str:
    """The default configuration as `ladder config` prints it; from the cache when it is current."""
    path = cache_path()
    text = read_entry(path)
    if text is None:
        from pipeline.config import Config

        text = config_yaml(Config())
        write_entry(path, text)
    return text

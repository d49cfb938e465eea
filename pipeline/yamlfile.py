"""Read a user's YAML file (config, reviewer decisions, manifest) with one-line errors for every failure."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.errors import ConfigError


def read_yaml(path: Path) -> object:
    """The parsed YAML of `path`; raises `ConfigError` `FILE: what is wrong (expected …)` on any failure.

    One rule for bytes a text file never holds: a NUL byte or bytes that are not UTF-8 reject the file,
    wherever they are.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc} (expected a readable YAML file)") from exc
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ConfigError(f"{path}: NUL byte at offset {nul} (expected a UTF-8 YAML text file)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} (expected a UTF-8 YAML text file)"
        ) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from exc

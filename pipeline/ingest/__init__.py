"""Ingest: read a file, refuse what is not usable, decode, repair, cut into blocks, detect the kind.

`ingest_file` raises `RejectedDocument` with a one-line reason for files that cannot be used; the caller
records it and goes on with the other files.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from pipeline.config import Config

from pipeline.errors import ConfigError, InputError, RejectedDocument
from pipeline.ids import content_id
from pipeline.ingest.blocks import html_damage
from pipeline.ingest.classify import detect_kind
from pipeline.ingest.repair import repair_text
from pipeline.ingest.tree import build_tree, flat_blocks
from pipeline.models import DocKind, Document

_FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
_KINDS: tuple[DocKind, ...] = ("career_page", "role_descriptions", "forum_thread", "article")
_README_NAMES = {"readme.md", "readme.txt", "readme"}


def list_inputs(raw_dir: Path, config: Config) -> tuple[list[Path], list[Path]]:
    """Files to read (sorted by relative path) and files skipped for their extension.

    Raises `InputError` when the folder is missing or holds nothing to read.
    """
    if not raw_dir.exists():
        raise InputError(f"input folder not found: {raw_dir}")
    if not raw_dir.is_dir():
        raise InputError(f"input is not a folder: {raw_dir}")
    exts = {e.lower() for e in config.ingest.extensions}
    files, skipped = [], []
    for p in sorted(raw_dir.rglob("*"), key=lambda q: q.relative_to(raw_dir).as_posix()):
        if not p.is_file() or any(part.startswith(".") for part in p.relative_to(raw_dir).parts):
            continue
        if p.name.lower() in _README_NAMES or p.name == config.ingest.manifest:
            continue
        (files if p.suffix.lower() in exts else skipped).append(p)
    if not files:
        raise InputError(f"no documents in {raw_dir} (expected files ending in {', '.join(sorted(exts))})")
    return files, skipped


def load_manifest(raw_dir: Path, config: Config) -> dict[str, DocKind]:
    """Per-file kind overrides from `raw/manifest.yaml`: `{"kinds": {"file.txt": "article"}}`."""
    path = raw_dir / config.ingest.manifest
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    kinds = data.get("kinds", {}) if isinstance(data, dict) else None
    if not isinstance(kinds, dict):
        raise ConfigError(f"{path}: expected a mapping `kinds: {{file: kind}}`")
    for name, kind in kinds.items():
        if kind not in _KINDS:
            raise ConfigError(f"{path}: {name}: unknown kind {kind!r} (valid: {', '.join(_KINDS)})")
    return {str(k): v for k, v in kinds.items()}


def decode(data: bytes, file: str, config: Config) -> tuple[str, str]:
    """Bytes -> (text, encoding): BOMs first, then UTF-16 without BOM, UTF-8, cp1252, latin-1."""
    if not data.strip():
        raise RejectedDocument(file, "empty file")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return _check_text(data.decode(enc), file, enc, config), enc.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise RejectedDocument(
                    file, f"cannot decode as {enc} despite its byte-order mark ({exc.reason})"
                ) from exc
    sample = data[:4096]
    if len(sample) >= 4 and b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) * 0.3 and even == 0:
            enc = "utf-16-le"
        elif even > len(sample) * 0.3 and odd == 0:
            enc = "utf-16-be"
        else:
            raise RejectedDocument(file, "binary file (contains NUL bytes), not a text document")
        try:
            return _check_text(data.decode(enc), file, "utf-16", config), "utf-16"
        except UnicodeDecodeError as exc:
            raise RejectedDocument(file, "binary file (contains NUL bytes), not a text document") from exc
    try:
        return _check_text(data.decode("utf-8"), file, "utf-8", config), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return _check_text(data.decode("cp1252"), file, "cp1252", config), "cp1252"
    except UnicodeDecodeError:
        pass
    return _check_text(data.decode("latin-1"), file, "latin-1", config), "latin-1"


def _check_text(text: str, file: str, enc: str, config: Config) -> str:
    control = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0x7F <= ord(ch) < 0xA0)
    if control > max(2, len(text) * config.ingest.max_control_ratio):
        raise RejectedDocument(
            file, f"cannot decode: {control} control characters as {enc}; not UTF-8, UTF-16 or cp1252 text"
        )
    return text


def ingest_bytes(data: bytes, file: str, config: Config, kind_override: DocKind | None = None) -> Document:
    """Turn one file's bytes into a `Document`, or raise `RejectedDocument`."""
    if len(data) > config.ingest.max_bytes:
        raise RejectedDocument(
            file, f"too large: {len(data):,} bytes (limit {config.ingest.max_bytes:,}; set ingest.max_bytes)"
        )
    text, encoding = decode(data, file, config)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fmt = _FORMATS.get(Path(file).suffix.lower(), "text")
    text, repairs = repair_text(text, file, config.ingest)
    title = ""
    if fmt == "html":
        tags, errors = html_damage(text)
        if tags == 0:
            raise RejectedDocument(file, "malformed HTML: no tags found in a .html file")
        if len(errors) >= config.ingest.html_max_tag_errors:
            raise RejectedDocument(file, f"malformed HTML: {len(errors)} tag errors (first: {errors[0]})")
    nodes, title = build_tree(text, fmt)
    blocks = flat_blocks(nodes, text_format=fmt == "text")
    if not blocks:
        raise RejectedDocument(file, "no text content")
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading"), blocks[0].text)
    kind, confidence = detect_kind(blocks, config.kinds, config.career_page, config.prose, nodes)
    source = "detected"
    if kind_override is not None:
        kind, confidence, source = kind_override, 1.0, "manifest"
    return Document(
        id=content_id(data),
        file=file,
        format=fmt,
        encoding=encoding,
        kind=kind,
        kind_confidence=round(confidence, 3),
        kind_source=source,
        title=title[:200],
        text=text,
        blocks=blocks,
        nodes=nodes,
        repairs=repairs,
    )


def ingest_file(path: Path, raw_dir: Path, config: Config, manifest: dict[str, DocKind] | None = None) -> Document:
    """Read and ingest one file under `raw_dir`."""
    rel = path.relative_to(raw_dir).as_posix()
    try:
        size = path.stat().st_size
        if size > config.ingest.max_bytes:
            raise RejectedDocument(
                rel, f"too large: {size:,} bytes (limit {config.ingest.max_bytes:,}; set ingest.max_bytes)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise RejectedDocument(rel, f"cannot read: {exc.strerror or exc}") from exc
    return ingest_bytes(data, rel, config, (manifest or {}).get(rel))

"""Ingest: read a file, refuse what is not usable, decode, repair, cut into blocks, detect the kind.

`ingest_file` raises `RejectedDocument` with a one-line reason for files that cannot be used; the caller
records it and goes on with the other files.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.models import Block, DocKind, Document, Node, Rejection
    from pipeline.parse.ladder import LadderMemo

from pipeline.errors import ConfigError, InputError, RejectedDocument
from pipeline.ids import content_id
from pipeline.yamlfile import read_yaml

_FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
_KINDS: tuple[DocKind, ...] = ("career_page", "role_descriptions", "forum_thread", "article")
_README_NAMES = {"readme.md", "readme.txt", "readme"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# control characters that do not occur in text: C0 but tab, newline, carriage return and form feed; DEL and C1
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def display_name(path: Path, raw_dir: Path) -> str:
    """A file's path relative to `raw_dir` as safe one-line text: what `Document.file` and rejections carry.

    File names are bytes on Linux; Python carries the ones that are not valid UTF-8 with surrogate escapes,
    which cannot be written to JSON, CSV or a hash. Those bytes become `\\xNN`, and so do control characters
    (a newline in a name must not break a one-line message): `caf\\xe9.txt` for the latin-1 name `café.txt`.
    Valid UTF-8 names are unchanged.
    """
    rel = path.relative_to(raw_dir).as_posix()
    text = os.fsencode(rel).decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@dataclass
class InputScan:
    """What the input folder holds: files to read, files skipped for their extension, entries refused."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def scan_inputs(raw_dir: Path, config: Config, follow_links: bool | None = None) -> InputScan:
    """Walk `raw_dir` (sorted by relative path, hidden entries and READMEs left out) without trusting it.

    Policy for what is not a plain file or folder: a link that resolves inside the input folder is read like
    the file it points to (a link to a folder inside it is not walked twice); a link that resolves outside
    it, a broken link, a FIFO, socket or device, and a folder named like a document are refused with a
    reason (listed in rejected.json) and never opened. `follow_links` (`--follow-links`,
    `ingest.follow_links`) reads links to files and folders outside the input folder too.
    Raises `InputError` when the folder is missing or holds nothing to read.
    """
    from pipeline.models import Rejection

    if not raw_dir.exists():
        raise InputError(f"input folder not found: {raw_dir}")
    if not raw_dir.is_dir():
        raise InputError(f"input is not a folder: {raw_dir}")
    follow = config.ingest.follow_links if follow_links is None else follow_links
    exts = {e.lower() for e in config.ingest.extensions}
    root = os.path.realpath(raw_dir)
    scan = InputScan()
    seen_dirs = {root}

    def refuse(path: Path, reason: str) -> None:
        scan.rejected.append(Rejection(file=display_name(path, raw_dir), reason=reason))

    def walk(folder: Path) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            refuse(folder, f"cannot read folder: {exc.strerror or exc}")
            return
        for entry in entries:
            path = folder / entry.name
            if entry.name.startswith("."):
                continue
            is_doc = Path(entry.name).suffix.lower() in exts
            if entry.is_symlink():
                target = os.path.realpath(path)
                if not os.path.exists(target):
                    refuse(path, "broken link: its target does not exist")
                    continue
                inside = _inside(target, root)
                if os.path.isdir(target):
                    if not inside and not follow:
                        refuse(path, "link to a folder outside the input folder, not read (--follow-links reads it)")
                    elif not inside and target not in seen_dirs:
                        seen_dirs.add(target)
                        walk(path)
                    continue  # a link to a folder inside the input folder: its files are read where they are
                if not inside and not follow:
                    if is_doc:
                        refuse(path, "link to a file outside the input folder, not read (--follow-links reads it)")
                    continue
                st_mode = os.stat(target).st_mode
            else:
                try:
                    st_mode = entry.stat(follow_symlinks=False).st_mode
                except OSError as exc:
                    refuse(path, f"cannot read: {exc.strerror or exc}")
                    continue
            if stat.S_ISDIR(st_mode):
                if is_doc:
                    refuse(path, "a folder named like a document, not read")
                    continue
                real = os.path.realpath(path)
                if real not in seen_dirs:
                    seen_dirs.add(real)
                    walk(path)
                continue
            if not stat.S_ISREG(st_mode):
                refuse(path, f"not a regular file ({_file_type(st_mode)}), not read")
                continue
            if entry.name.lower() in _README_NAMES or entry.name == config.ingest.manifest:
                continue
            (scan.files if is_doc else scan.skipped).append(path)

    walk(raw_dir)
    order = {id(p): display_name(p, raw_dir) for p in scan.files + scan.skipped}
    scan.files.sort(key=lambda p: order[id(p)])
    scan.skipped.sort(key=lambda p: order[id(p)])
    scan.rejected.sort(key=lambda r: r.file)
    if not scan.files:
        raise InputError(f"no documents in {raw_dir} (expected files ending in {', '.join(sorted(exts))})")
    return scan


def _file_type(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
    ):
        if test(mode):
            return name
    return "special file"


def list_inputs(raw_dir: Path, config: Config) -> tuple[list[Path], list[Path]]:
    """Files to read (sorted by relative path) and files skipped for their extension (see `scan_inputs`)."""
    scan = scan_inputs(raw_dir, config)
    return scan.files, scan.skipped


def read_input(path: Path, file: str, config: Config) -> bytes:
    """A file's bytes, refusing what is not a regular file or is too large, without blocking on a FIFO.

    Checked on the open file, so a file swapped for a FIFO or a huge file after the folder was listed is
    still refused with a reason.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise RejectedDocument(file, f"cannot read: {exc.strerror or exc}") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise RejectedDocument(file, f"not a regular file ({_file_type(st.st_mode)}), not read")
        if st.st_size > config.ingest.max_bytes:
            raise RejectedDocument(
                file, f"too large: {st.st_size:,} bytes (limit {config.ingest.max_bytes:,}; set ingest.max_bytes)"
            )
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if total > config.ingest.max_bytes:
                raise RejectedDocument(
                    file, f"too large: over {config.ingest.max_bytes:,} bytes (set ingest.max_bytes)"
                )
        return b"".join(chunks)
    except OSError as exc:
        raise RejectedDocument(file, f"cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def load_manifest(raw_dir: Path, config: Config) -> dict[str, DocKind]:
    """Per-file kind overrides from `raw/manifest.yaml`: `{"kinds": {"file.txt": "article"}}`."""
    path = raw_dir / config.ingest.manifest
    if not path.is_file():
        return {}
    data = read_yaml(path) or {}
    kinds = data.get("kinds", {}) if isinstance(data, dict) else None
    if not isinstance(kinds, dict):
        raise ConfigError(f"{path}: not a mapping of kinds (expected `kinds: {{file: kind}}`)")
    for name, kind in kinds.items():
        if kind not in _KINDS:
            raise ConfigError(f"{path}: kinds: {name}: unknown kind {kind!r} (expected one of {', '.join(_KINDS)})")
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
    if "\x00" in text:  # one rule wherever the NUL is: a text document never holds one
        raise RejectedDocument(file, "binary file (contains NUL bytes), not a text document")
    control = len(_BINARY.findall(text))
    if control > max(2, len(text) * config.ingest.max_control_ratio):
        raise RejectedDocument(
            file, f"cannot decode: {control} control characters as {enc}; not UTF-8, UTF-16 or cp1252 text"
        )
    return text


def kind_of(
    blocks: list[Block], nodes: list[Node], config: Config, ladders: LadderMemo | None = None
) -> tuple[DocKind, float]:
    """The detected kind of a document cut into `blocks` / `nodes`, and its confidence; the ladder detection
    it does is kept in `ladders` when given (the parser reuses it)."""
    from pipeline.ingest.classify import detect_kind

    return detect_kind(blocks, config.kinds, config.career_page, config.prose, nodes, ladders)


def ingest_bytes(data: bytes, file: str, config: Config, kind_override: DocKind | None = None) -> Document:
    """Turn one file's bytes into a `Document`, or raise `RejectedDocument`."""
    return ingest_for_parse(data, file, config, kind_override)[0]


def ingest_for_parse(
    data: bytes, file: str, config: Config, kind_override: DocKind | None = None
) -> tuple[Document, LadderMemo]:
    """`ingest_bytes`, and the ladder detection kind detection did on the document, for `parse_document`."""
    # imported here, not at the top: `pipeline.ingest.settings` (read by `ladder config`) must stay light
    from pipeline.ingest.markup import parse_page
    from pipeline.ingest.repair import repair_text
    from pipeline.ingest.tree import build_tree, flat_blocks, page_tree
    from pipeline.models import Document
    from pipeline.parse.ladder import LadderMemo

    if len(data) > config.ingest.max_bytes:
        raise RejectedDocument(
            file, f"too large: {len(data):,} bytes (limit {config.ingest.max_bytes:,}; set ingest.max_bytes)"
        )
    text, encoding = decode(data, file, config)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fmt = _FORMATS.get(Path(file).suffix.lower(), "text")
    text, repairs = repair_text(text, file, config.ingest)
    if fmt == "html":  # one parse gives the damage and the tree
        page = parse_page(text)
        if page.tags == 0:
            raise RejectedDocument(file, "malformed HTML: no tags found in a .html file")
        if len(page.errors) >= config.ingest.html_max_tag_errors:
            raise RejectedDocument(file, f"malformed HTML: {len(page.errors)} tag errors (first: {page.errors[0]})")
        nodes, title = page_tree(page)
    else:
        nodes, title = build_tree(text, fmt)
    blocks = flat_blocks(nodes, text_format=fmt == "text")
    if not blocks:
        raise RejectedDocument(file, "no text content")
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading"), blocks[0].text)
    ladders = LadderMemo(nodes, config.career_page.structure, config.career_page.path_markers)
    kind, confidence = kind_of(blocks, nodes, config, ladders)
    source = "detected"
    if kind_override is not None:
        kind, confidence, source = kind_override, 1.0, "manifest"
    doc = Document(
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
    return doc, ladders


def ingest_file(path: Path, raw_dir: Path, config: Config, manifest: dict[str, DocKind] | None = None) -> Document:
    """Read and ingest one file under `raw_dir`."""
    rel = display_name(path, raw_dir)
    data = read_input(path, rel, config)
    return ingest_bytes(data, rel, config, (manifest or {}).get(rel))

"""Emit: write the dataset, its JSON Schema and the flat tables to the output folder.

All writes are atomic (temp file in the same folder, fsync, `os.replace`), so a crash never leaves a half
file, and all output is a pure function of the `Ladder`, so the same inputs give byte-identical files.
Nothing is built as one string first: `ladder.json` is written in pieces (`json_pieces`: lists of models
`JSON_BATCH` items per pydantic call) and the tables row by row or one source file's rows at a time, so
writing a 10^6-occurrence dataset holds one batch of items or one row group at a time.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, TypeAdapter

from pipeline.models import Behavior, Ladder, Occurrence

# Re-exported: the two tables `ladder run` writes are declared with the release tables.
from pipeline.release.tables import OCCURRENCE_COLUMNS as OCCURRENCE_COLUMNS
from pipeline.release.tables import OCCURRENCES, ROLE_TABLE
from pipeline.release.tables import ROLE_COLUMNS as ROLE_COLUMNS
from pipeline.release.tables import occurrence_rows as occurrence_rows
from pipeline.release.tables import role_rows as role_rows

_UMASK = os.umask(0)
os.umask(_UMASK)

WRITE_BUFFER = 1 << 20
"""Bytes buffered before a streamed file is written to disk."""


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A binary file to stream into; on a clean exit it is synced and renamed onto `path` in one step, on an
    error removed (`path` keeps its old content)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644 & ~_UMASK)
        with os.fdopen(fd, "wb", buffering=WRITE_BUFFER) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder and an atomic rename."""
    with atomic_writer(path) as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_text_chunks(fh: BinaryIO, chunks: Iterator[str]) -> None:
    """Write UTF-8 text pieces to a binary file as they come."""
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=True)
    try:
        for chunk in chunks:
            text.write(chunk)
        text.flush()
    finally:
        text.detach()  # the caller owns (and closes) the binary file


def to_json(value: object) -> str:
    """The one JSON layout of every output: 2-space indent, non-ASCII kept, trailing newline."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


JSON_BATCH = 1000
"""Items of a list of models serialized in one call when `ladder.json` is streamed."""

_LIST_ADAPTERS: dict[Any, TypeAdapter] = {}


def json_pieces(model: BaseModel, depth: int = 0) -> Iterator[bytes]:
    """`model.model_dump_json(indent=2)` as UTF-8 pieces, `depth` levels deep: nested models field by field,
    lists of models `JSON_BATCH` items at a time (dumped by pydantic as one list and re-indented; JSON strings
    hold no raw newline, so prefixing every line is exact). Joined, the pieces are byte-identical to the
    one-string dump.
    """
    pad = "  " * (depth + 1)
    names = list(type(model).model_fields)
    if not names:
        yield b"{}"
        return
    yield b"{\n"
    for i, name in enumerate(names):
        value = getattr(model, name)
        yield f"{pad}{json.dumps(name)}: ".encode()
        if isinstance(value, BaseModel):
            yield from json_pieces(value, depth + 1)
        elif isinstance(value, list) and value and all(issubclass(t, BaseModel) for t in set(map(type, value))):
            yield from _list_pieces(value, type(model).model_fields[name].annotation, pad)
        else:
            # The field alone, serialized by the model's own schema: `{\n  "name": value\n}`.
            one = model.model_dump_json(indent=2, include={name})
            start = one.index(": ") + 2
            yield one[start : one.rindex("\n")].replace("\n", "\n" + "  " * depth).encode()
        yield b",\n" if i < len(names) - 1 else b"\n"
    yield ("  " * depth + "}").encode()


def _list_pieces(items: list[BaseModel], annotation: Any, pad: str) -> Iterator[bytes]:
    """A non-empty list of models, the value of a field annotated `annotation`, at indent `pad`: `[`, the
    items one level deeper, `]` on a line of its own. Each batch is dumped by an adapter of the field's own
    type, so the items are serialized as the whole-model dump serializes them; a list of behaviors by
    `behaviors_json`, to the same bytes."""
    adapter = _LIST_ADAPTERS.get(annotation)
    if adapter is None:
        adapter = _LIST_ADAPTERS[annotation] = TypeAdapter(annotation)
    dump: Callable[[list[Any]], bytes] = (
        behaviors_json if all(type(b) is Behavior for b in items) else partial(adapter.dump_json, indent=2)
    )
    newline = ("\n" + pad).encode()
    for start in range(0, len(items), JSON_BATCH):
        # `[\n  {...},\n  {...}\n]`: the items, indented by 2, without the brackets.
        body = dump(items[start : start + JSON_BATCH])[1:-2]
        yield (b"[" if start == 0 else b",") + body.replace(b"\n", newline)
    yield newline + b"]"


def behaviors_json(behaviors: list[Behavior]) -> bytes:
    """`TypeAdapter(list[Behavior]).dump_json(behaviors, indent=2)`, the same bytes, written here.

    pydantic reads a record's `__dict__`, which for a lean record (`pipeline.models.lean_maker`, as the build
    makes occurrences) makes the dict object its values were held without: 64 bytes more per occurrence for
    the rest of the run, 60 MB at 10^6 occurrences. Here the fields are read one by one. Strings are quoted as
    pydantic quotes them (only `"`, `\\` and control characters escaped; non-ASCII as it is)."""
    if not behaviors:
        return b"[]"
    q = encode_basestring
    out: list[str] = []
    for b in behaviors:
        ids = ",\n".join(f"      {q(c)}" for c in b.competency_ids)
        occurrences = ",\n".join(
            "      {\n"
            f'        "doc_id": {q(o.doc_id)},\n'
            f'        "source_file": {q(o.source_file)},\n'
            f'        "source_ref": {q(o.source_ref)},\n'
            f'        "track": {q(o.track)},\n'
            f'        "role": {q(o.role)},\n'
            f'        "role_id": {q(o.role_id)},\n'
            f'        "path": {q(o.path)},\n'
            f'        "level": {q(o.level)},\n'
            f'        "competency": {q(o.competency)},\n'
            f'        "competency_id": {q(o.competency_id)},\n'
            f'        "text": {q(o.text)},\n'
            f'        "part": {int(o.part)}\n'
            "      }"
            for o in b.occurrences
        )
        out.append(
            "  {\n"
            f'    "id": {q(b.id)},\n'
            f'    "text": {q(b.text)},\n'
            f'    "competency_ids": {f"[{chr(10)}{ids}{chr(10)}    ]" if ids else "[]"},\n'
            f'    "occurrences": {f"[{chr(10)}{occurrences}{chr(10)}    ]" if occurrences else "[]"}\n'
            "  }"
        )
    return ("[\n" + ",\n".join(out) + "\n]").encode("utf-8")


# `behaviors_json` spells out these fields, in this order: a new field must be added there too.
assert tuple(Behavior.model_fields) == ("id", "text", "competency_ids", "occurrences")
assert tuple(Occurrence.model_fields) == (
    "doc_id",
    "source_file",
    "source_ref",
    "track",
    "role",
    "role_id",
    "path",
    "level",
    "competency",
    "competency_id",
    "text",
    "part",
)


def json_chunks(model: BaseModel, depth: int = 0) -> Iterator[str]:
    """`json_pieces` as text."""
    for piece in json_pieces(model, depth):
        yield piece.decode("utf-8")


def dataset_pieces(ladder: Ladder) -> Iterator[bytes]:
    """`dataset_json(ladder)` in UTF-8 pieces, for streaming."""
    yield from json_pieces(ladder)
    yield b"\n"


def dataset_chunks(ladder: Ladder) -> Iterator[str]:
    """`dataset_json(ladder)` in pieces."""
    for piece in dataset_pieces(ladder):
        yield piece.decode("utf-8")


def dataset_json(ladder: Ladder) -> str:
    """ladder.json: `ladder.model_dump_json(indent=2)` and a newline (written streamed by `write_dataset_json`)."""
    return b"".join(dataset_pieces(ladder)).decode("utf-8")


def write_dataset_json(ladder: Ladder, path: Path) -> None:
    with atomic_writer(path) as fh:
        fh.writelines(dataset_pieces(ladder))


def schema_json() -> str:
    schema = Ladder.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "ladder.schema.json"
    return to_json(schema)


def occurrences_csv(ladder: Ladder) -> str:
    return OCCURRENCES.csv(ladder)


def roles_csv(ladder: Ladder) -> str:
    return ROLE_TABLE.csv(ladder)


def rejected_json(ladder: Ladder) -> str:
    return to_json([r.model_dump() for r in ladder.rejected])


def emit_dataset(ladder: Ladder, out_dir: Path) -> list[Path]:
    """Write ladder.json, ladder.schema.json, occurrences.csv, roles.csv, rejected.json; return the paths.

    Each file is streamed into its temp file (see `atomic_writer`), never built whole in memory.
    """
    out_dir = Path(out_dir)
    written = [out_dir / n for n in ("ladder.json", "ladder.schema.json", "occurrences.csv", "roles.csv")]
    write_dataset_json(ladder, written[0])
    atomic_write_text(written[1], schema_json())
    for path, table in ((written[2], OCCURRENCES), (written[3], ROLE_TABLE)):
        with atomic_writer(path) as fh:
            table.write(ladder, csv_file=fh)
    atomic_write_text(out_dir / "rejected.json", rejected_json(ladder))
    return [*written, out_dir / "rejected.json"]

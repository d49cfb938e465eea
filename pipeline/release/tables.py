"""The release tables: a small star schema over the dataset, as CSV and Parquet, and its Table Schemas.

`ladder.json` is the whole dataset; these tables are what an analyst joins on keys without reading it:

    tracks ─┐                 ┌─ competencies ─┬─ competency_aliases (track_id -> tracks)
    levels ─┼─ roles ─ occurrences ─ behaviors  └─ competency_covers (both ids -> competencies)
            └──────── progressions (track_id, levels, behaviors)

Each table is declared once (`TABLES`): its columns with Frictionless types and descriptions, its primary
key and foreign keys, and the function building its rows from a `Ladder`. The same declaration writes the
CSV, the Parquet file and the `schema` of the resource in `datapackage.json`, so they cannot disagree.
Rows are a pure function of the dataset, in a fixed order, so the files are byte-identical across runs.
Rows are produced one at a time and written as they come (`Table.write`): the CSV row by row, the Parquet
file in row groups of `ROW_GROUP` rows, so no table is ever held whole in memory, as rows or as bytes. The
big tables (occurrences, 10^6 rows on big corpora; behaviors; progressions) are made in bulk
(`Table.row_batches`): tuples, one source file's, `ROW_GROUP` behaviors' or one level pair's rows at a time,
written to the CSV and into Parquet column-wise (`write_batches`), to the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring  # what `json.dumps(..., ensure_ascii=False)` quotes strings with
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.build.levels import level_number, level_path, level_sort_key
from pipeline.build.progression import consecutive_changes
from pipeline.ids import PREFIX_LEN
from pipeline.models import Ladder, Occurrence, ref_order

FieldType = str  # a Frictionless Table Schema type: string | integer | number | boolean

_ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
LIST_SEPARATOR = "; "
"""How a list (scope, tracks, changed words) is written in one cell, in CSV and Parquet alike."""
ROW_GROUP = 65_536
"""Rows per Parquet row group: the most rows a table writer holds at once."""


@dataclass(frozen=True)
class Column:
    name: str
    type: FieldType
    description: str


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    table: str
    table_fields: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One release table: columns, keys, a description and the function building its rows."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    rows: Callable[[Ladder], Iterable[dict]]
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)
    row_batches: Callable[[Ladder], Iterable[list[tuple]]] | None = None
    """The same rows in bulk, for big tables: batches of tuples in column order, each value already what both
    files hold (a string, an int or None in string and integer columns; floats and booleans are converted by
    the writers). `rows` then gives the same rows as dicts."""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def csv(self, ladder: Ladder) -> str:
        return csv_text(self.column_names, self.rows(ladder))

    def parquet(self, ladder: Ladder) -> bytes:
        return parquet_bytes(self.columns, self.rows(ladder))

    def write(self, ladder: Ladder, csv_file: BinaryIO | None = None, parquet_file: BinaryIO | None = None) -> None:
        """Stream the table's rows into a CSV file, a Parquet file, or both in one pass over the rows."""
        if self.row_batches is not None:
            write_batches(self.columns, self.row_batches(ladder), csv_file, parquet_file)
            return
        rows = self.rows(ladder)
        if parquet_file is None:
            if csv_file is not None:
                write_csv(self.column_names, rows, csv_file)
            return
        if csv_file is not None:
            rows = _tee_csv(self.column_names, rows, csv_file)
        write_parquet(self.columns, rows, parquet_file)

    def table_schema(self, resource_suffix: str) -> dict:
        """The Frictionless Table Schema; foreign keys point at the same format's resources (`roles.csv`)."""
        schema: dict = {
            "fields": [{"name": c.name, "type": c.type, "description": c.description} for c in self.columns],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {
                    "fields": list(fk.fields),
                    "reference": {"resource": f"{fk.table}{resource_suffix}", "fields": list(fk.table_fields)},
                }
                for fk in self.foreign_keys
            ]
        return schema


# ------------------------------------------------------------------------------------------- writers


def cell(value: object) -> str:
    """One CSV cell: empty for None, `true`/`false`, whole floats without `.0`, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def csv_text(columns: list[str], rows: Iterable[dict]) -> str:
    buf = io.BytesIO()
    write_csv(columns, rows, buf)
    return buf.getvalue().decode("utf-8")


def parquet_bytes(columns: tuple[Column, ...], rows: Iterable[dict]) -> bytes:
    buf = io.BytesIO()
    write_parquet(columns, rows, buf)
    return buf.getvalue()


class _CsvOut:
    """A csv.writer onto a binary file (UTF-8, `\\n` line ends), left open for its owner."""

    def __init__(self, columns: list[str], fh: BinaryIO) -> None:
        self.columns = columns
        self.text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=False)
        self.writer = csv.writer(self.text, lineterminator="\n")
        self.writer.writerow(columns)
        self._one = io.StringIO()
        self._one_writer = csv.writer(self._one, lineterminator="\n")

    def quoted(self, field: str) -> str:
        """`field` as the csv writer writes it in a row of several fields (quoted if it must be)."""
        self._one_writer.writerow([field, ""])
        line = self._one.getvalue()
        self._one.seek(0)
        self._one.truncate()
        return line[:-2]

    def row(self, row: dict) -> None:
        self.writer.writerow([cell(row.get(c)) for c in self.columns])

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


def write_csv(columns: list[str], rows: Iterable[dict], fh: BinaryIO) -> None:
    """The header and one line per row, written as the rows come."""
    out = _CsvOut(columns, fh)
    try:
        for row in rows:
            out.row(row)
    finally:
        out.close()


def _tee_csv(columns: list[str], rows: Iterable[dict], fh: BinaryIO) -> Iterator[dict]:
    """The rows, each written to the CSV file as it passes."""
    out = _CsvOut(columns, fh)
    try:
        for row in rows:
            out.row(row)
            yield row
    finally:
        out.close()


def write_parquet(columns: tuple[Column, ...], rows: Iterable[dict], fh: BinaryIO, row_group: int = ROW_GROUP) -> None:
    """The rows as a snappy Parquet file, one row group per `row_group` rows (one, possibly empty, at least)."""
    schema = pa.schema([(c.name, _ARROW_TYPES[c.type]) for c in columns])
    with pq.ParquetWriter(fh, schema, compression="snappy") as writer:
        batch: list[dict] = []
        written = False
        for row in rows:
            batch.append(row)
            if len(batch) == row_group:
                writer.write_table(_arrow_table(columns, batch))
                batch, written = [], True
        if batch or not written:
            writer.write_table(_arrow_table(columns, batch))


def write_batches(
    columns: tuple[Column, ...],
    batches: Iterable[list[tuple]],
    csv_file: BinaryIO | None = None,
    parquet_file: BinaryIO | None = None,
    row_group: int = ROW_GROUP,
) -> None:
    """`Table.write` for rows given in bulk (`Table.row_batches`): the same bytes as the row-by-row writers.

    The CSV gets each batch in one write, made column-wise as the csv writer would write its rows
    (`_write_csv_batch`; a string, an int or None is written as `cell` writes it, so only number and boolean
    columns are converted first); the Parquet file gets row groups of `row_group` rows,
    made column-wise from the tuples, whatever the sizes of the batches."""
    convert = [i for i, c in enumerate(columns) if c.type in ("number", "boolean")]
    out = _CsvOut([c.name for c in columns], csv_file) if csv_file is not None else None
    writer = None
    if parquet_file is not None:
        schema = pa.schema([(c.name, _ARROW_TYPES[c.type]) for c in columns])
        writer = pq.ParquetWriter(parquet_file, schema, compression="snappy")
    try:
        pending: list[tuple] = []
        written = False
        for batch in batches:
            if out is not None:
                _write_csv_batch(out, _cells(batch, convert) if convert else batch)
            if writer is None:
                continue
            pending += batch
            while len(pending) >= row_group:
                writer.write_table(_batch_table(columns, pending[:row_group]))
                del pending[:row_group]
                written = True
        if writer is not None and (pending or not written):
            writer.write_table(_batch_table(columns, pending))
    finally:
        if out is not None:
            out.close()
        if writer is not None:
            writer.close()


def _cells(batch: list[tuple], convert: list[int]) -> list[list]:
    rows = []
    for row in batch:
        values = list(row)
        for i in convert:
            values[i] = cell(values[i])
        rows.append(values)
    return rows


def _csv_field(value: object) -> str:
    """What `csv.writer` writes for a value before quoting: empty for None, a string as it is, a float by its
    repr, anything else by `str`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _write_csv_batch(out: _CsvOut, batch: Sequence[Sequence]) -> None:
    """`out.writer.writerows(batch)`, to the same bytes, made column-wise: each column is made text at once (a
    column of only strings as it is, of only ints by `str`), and in a column holding a comma, a quote or a line
    break, the fields holding one are quoted by the csv writer itself (`_CsvOut.quoted`; quoting a field
    depends on nothing else in its row when the row has several fields); then each row is joined by commas."""
    if not batch or len(out.columns) < 2:  # a lone empty field is quoted by the csv writer
        out.writer.writerows(batch)
        return
    columns = []
    for column in zip(*batch, strict=True):
        types = set(map(type, column))
        if not types <= {str}:
            column = tuple(map(str, column)) if types <= {int} else tuple(map(_csv_field, column))
        if _csv_special("".join(column)):
            column = tuple(out.quoted(v) if _csv_special(v) else v for v in column)
        columns.append(column)
    out.text.write("".join([",".join(row) + "\n" for row in zip(*columns, strict=True)]))


def _csv_special(text: str) -> bool:
    """Whether `text` holds a character that may make the csv writer quote a field (the delimiter, the quote, a
    line break); a field without any is written as it is. Four substring scans: several times faster than one
    regular-expression search on the joined columns of a 10^6-row table."""
    return "," in text or '"' in text or "\n" in text or "\r" in text


def _batch_table(columns: tuple[Column, ...], rows: list[tuple]) -> pa.Table:
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    arrays = {}
    for col, column in zip(columns, values, strict=True):
        data = [None if v is None else float(v) for v in column] if col.type == "number" else list(column)
        arrays[col.name] = pa.array(data, type=_ARROW_TYPES[col.type])
    return pa.table(arrays)


def _arrow_table(columns: tuple[Column, ...], rows: list[dict]) -> pa.Table:
    arrays = {}
    for col in columns:
        values = [_arrow_value(row.get(col.name), col.type) for row in rows]
        arrays[col.name] = pa.array(values, type=_ARROW_TYPES[col.type])
    return pa.table(arrays)


def _arrow_value(value: object, kind: str) -> object:
    if value is None:
        return None
    if kind == "string":
        # Lists are joined the way the CSV writes them, so both tables hold the same text.
        return LIST_SEPARATOR.join(str(v) for v in value) if isinstance(value, list) else str(value)
    if kind == "number" and isinstance(value, int | float):
        return float(value)
    return value


# ---------------------------------------------------------------------------------------------- rows


def _track_ids(ladder: Ladder) -> dict[str, str]:
    return {t.name: t.id for t in ladder.tracks}


def track_rows(ladder: Ladder) -> list[dict]:
    return sorted(
        (
            {"track_id": t.id, "track": t.name, "roles": len(t.role_ids), "documents": len(t.doc_ids)}
            for t in ladder.tracks
        ),
        key=lambda r: (r["track"], r["track_id"]),
    )


def _levels(ladder: Ladder) -> list[str]:
    found = {r.level for r in ladder.roles}
    found |= {o.level for b in ladder.behaviors for o in b.occurrences}
    return sorted(found, key=level_sort_key)


def level_rows(ladder: Ladder) -> list[dict]:
    return [{"level": lv, "path": level_path(lv), "rank": level_number(lv)} for lv in _levels(ladder)]


def role_rows(ladder: Ladder) -> list[dict]:
    files = {d.id: d.file for d in ladder.documents}
    rows = []
    for r in ladder.roles:
        row = r.model_dump()
        row["role"] = row.pop("title")
        row["role_id"] = row.pop("id")
        row["source_file"] = files.get(r.doc_id, "")
        rows.append(row)
    return rows


def _description(texts: list[str]) -> str | None:
    """The description a competency is given most often across roles (the first written on a tie)."""
    counts = Counter(texts)
    return max(counts, key=lambda t: (counts[t], -texts.index(t))) if counts else None


def competency_rows(ladder: Ladder) -> list[dict]:
    rows = []
    for c in ladder.competencies:
        texts = [d.text.strip() for d in c.descriptions if d.text and d.text.strip()]
        rows.append({"competency_id": c.id, "competency": c.name, "description": _description(texts)})
    return sorted(rows, key=lambda r: (r["competency"], r["competency_id"]))


def alias_rows(ladder: Ladder) -> list[dict]:
    ids = _track_ids(ladder)
    rows = [
        {
            "competency_id": c.id,
            "track_id": ids.get(a.track),
            "track": a.track,
            "name": a.name,
            "competency": c.name,
            "how": a.how,
        }
        for c in ladder.competencies
        for a in c.aliases
    ]
    return sorted(rows, key=lambda r: (r["track"], r["name"], r["competency_id"]))


def covers_rows(ladder: Ladder) -> list[dict]:
    names = {c.id: c.name for c in ladder.competencies}
    rows = [
        {"competency_id": c.id, "covered_id": covered, "competency": c.name, "covered": names.get(covered)}
        for c in ladder.competencies
        for covered in c.covers
    ]
    return sorted(rows, key=lambda r: (r["competency"], r["competency_id"], r["covered_id"]))


def behavior_rows(ladder: Ladder) -> Iterator[dict]:
    """One row per behavior, by behavior id, as dicts (the files are written from `behavior_batches`)."""
    return _as_dicts(BEHAVIORS, behavior_batches(ladder))


def behavior_batches(ladder: Ladder) -> Iterator[list[tuple]]:
    """The behavior rows as tuples in column order, by behavior id, `ROW_GROUP` rows a batch; the tracks and
    levels (in ladder order) of its occurrences joined by `LIST_SEPARATOR`."""
    names = {c.id: c.name for c in ladder.competencies}
    ranks: dict[str, tuple] = {}

    def rank(level: str) -> tuple:
        key = ranks.get(level)
        if key is None:
            key = ranks[level] = level_sort_key(level)
        return key

    rows = []
    for b in ladder.behaviors:
        primary = b.competency_ids[0] if b.competency_ids else None
        occurrences = b.occurrences
        rows.append(
            (
                b.id,
                b.text,
                primary,
                names.get(primary or ""),
                len(occurrences),
                LIST_SEPARATOR.join(sorted({o.track for o in occurrences})),
                LIST_SEPARATOR.join(sorted({o.level for o in occurrences}, key=rank)),
            )
        )
    rows.sort(key=itemgetter(0))
    for start in range(0, len(rows), ROW_GROUP):
        yield rows[start : start + ROW_GROUP]


def _as_dicts(table: Table, batches: Iterable[list[tuple]]) -> Iterator[dict]:
    """Rows given in bulk (`Table.row_batches`) as dicts."""
    names = table.column_names
    for batch in batches:
        for values in batch:
            yield dict(zip(names, values, strict=True))


def occurrence_rows(ladder: Ladder) -> Iterator[dict]:
    """One row per behavior occurrence, in document order (file, line, table cell, part, behavior id), as dicts
    (the table's files are written from `occurrence_batches`, the same rows as tuples)."""
    return _as_dicts(OCCURRENCES, occurrence_batches(ladder))


def occurrence_batches(ladder: Ladder) -> Iterator[list[tuple]]:
    """The occurrence rows as tuples in column order, one batch per source file, in document order (file,
    line, table cell, part, behavior id).

    The occurrences are grouped by file and each file's are sorted when its turn comes, so only (occurrence,
    behavior id) pairs and one file's rows are held, never 10^6 rows. What repeats (the sort key of a
    `source_ref`, the rank of a level) is computed once per distinct value.
    """
    names = {c.id: c.name for c in ladder.competencies}
    # per file, two parallel lists (occurrences, behavior ids): 16 bytes an occurrence, where a list of
    # (occurrence, id) pairs took about 80 (a 10^6-occurrence dataset: 60 MB less while the table is written)
    by_file: dict[str, tuple[list[Occurrence], list[str]]] = {}
    for b in ladder.behaviors:
        bid = b.id
        for o in b.occurrences:
            entry = by_file.get(o.source_file)
            if entry is None:
                entry = by_file[o.source_file] = ([], [])
            entry[0].append(o)
            entry[1].append(bid)
    ref_keys: dict[str, tuple[int, int, int, str]] = {}
    ranks: dict[str, int] = {}

    def order(item: tuple[Occurrence, str]) -> tuple:
        o = item[0]
        ref = o.source_ref
        key = ref_keys.get(ref)
        if key is None:
            key = ref_keys[ref] = ref_order(ref)
        return (key, o.part, item[1])

    fields = attrgetter(
        "doc_id", "source_file", "source_ref", "track", "role", "path", "level", "competency", "competency_id", "text"
    )
    for source_file in sorted(by_file):
        items = sorted(zip(*by_file.pop(source_file), strict=True), key=order)
        batch = []
        for o, bid in items:
            doc, file, ref, track, role, path, level, competency, cid, text = fields(o)
            part, role_id = o.part, o.role_id
            rank = ranks.get(level)
            if rank is None:
                rank = ranks[level] = level_number(level)
            occ = _occurrence_id(bid, cid, doc, part, ref, role_id, text)
            batch.append(
                (
                    doc,
                    file,
                    ref,
                    track,
                    role,
                    path,
                    level,
                    rank,
                    competency,
                    cid,
                    names.get(cid),
                    text,
                    bid,
                    part,
                    role_id,
                    occ,
                )
            )
        yield batch


def occurrence_id(o: Occurrence, behavior_id: str) -> str:
    """The stable id of an occurrence: `stable_id("occ", doc=, ref=, part=, role=, competency=, behavior=,
    text=)` with its canonical JSON spelled out (keys in sorted order, strings quoted the way `json.dumps`
    quotes them), which is the same string and so the same id, at a quarter of the cost.

    A line may hold several statements of one role (a paragraph); the statement itself tells them apart.
    """
    return _occurrence_id(behavior_id, o.competency_id, o.doc_id, o.part, o.source_ref, o.role_id, o.text)


def _occurrence_id(behavior: str, competency: str, doc: str, part: int, ref: str, role: str, text: str) -> str:
    q = encode_basestring
    canonical = (
        f'{{"behavior":{q(behavior)},"competency":{q(competency)},"doc":{q(doc)},'
        f'"part":{int(part)},"ref":{q(ref)},"role":{q(role)},"text":{q(text)}}}'
    )
    return "occ_" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:PREFIX_LEN]


def progression_rows(ladder: Ladder) -> Iterator[dict]:
    """What changes between consecutive levels of each track, as dicts (the files are written from
    `progression_batches`, the same rows as tuples)."""
    return _as_dicts(PROGRESSIONS, progression_batches(ladder))


def progression_batches(ladder: Ladder) -> Iterator[list[tuple]]:
    """What changes between consecutive levels of each track: one row per new, dropped or strengthened
    behavior, as tuples in column order, one batch per track's level pair.

    A strengthened row links the lower behavior to the one replacing it at the higher level, with the words
    the level change removed and added (through every link of the chain); a new row has no `from` behavior
    and a dropped row no `to` behavior. Behaviors at both levels (unchanged) are not listed.
    """
    ids = _track_ids(ladder)
    join = LIST_SEPARATOR.join
    for change in consecutive_changes(ladder):
        track_id, track, lo, hi = ids.get(change.track), change.track, change.from_level, change.to_level
        batch: list[tuple] = []
        for s in change.strengthened:
            a, b = s.before.id, s.after.id
            batch.append(
                (
                    _progression_id(track_id, lo, hi, "strengthened", a, b),
                    track_id,
                    track,
                    lo,
                    hi,
                    "strengthened",
                    a,
                    s.before.text,
                    b,
                    s.after.text,
                    s.links[0].competency_id,
                    join([w for p in s.links for w in p.removed_words]),
                    join([w for p in s.links for w in p.added_words]),
                    join([p.rule for p in s.links]),
                )
            )
        for bh in change.new:
            pid = _progression_id(track_id, lo, hi, "new", None, bh.id)
            cid = _first(bh.competency_ids)
            batch.append((pid, track_id, track, lo, hi, "new", None, None, bh.id, bh.text, cid, None, None, None))
        for bh in change.dropped:
            pid = _progression_id(track_id, lo, hi, "dropped", bh.id, None)
            cid = _first(bh.competency_ids)
            batch.append((pid, track_id, track, lo, hi, "dropped", bh.id, bh.text, None, None, cid, None, None, None))
        if batch:
            yield batch


def _progression_id(track: str | None, frm: str, to: str, kind: str, a: str | None, b: str | None) -> str:
    """`stable_id("chg", track=, frm=, to=, kind=, a=, b=)` with its canonical JSON spelled out (keys sorted,
    strings quoted as `json.dumps` quotes them, None as null): the same id at a fraction of the cost."""

    def q(value: str | None) -> str:
        return "null" if value is None else encode_basestring(value)

    canonical = f'{{"a":{q(a)},"b":{q(b)},"frm":{q(frm)},"kind":{q(kind)},"to":{q(to)},"track":{q(track)}}}'
    return "chg_" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:PREFIX_LEN]


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


# ----------------------------------------------------------------------------------------- the tables

_S, _I, _N, _B = "string", "integer", "number", "boolean"

TRACKS = Table(
    name="tracks",
    description="Career path families (a company's track), one row each.",
    columns=(
        Column("track_id", _S, "Stable id of the track."),
        Column("track", _S, "Track name as the documents give it."),
        Column("roles", _I, "Number of roles of the track."),
        Column("documents", _I, "Number of documents the track was read from."),
    ),
    primary_key=("track_id",),
    rows=track_rows,
)

LEVELS = Table(
    name="levels",
    description="Canonical levels every role is placed on: IC1.. on the IC ladder, M1.. on the management ladder.",
    columns=(
        Column("level", _S, "Canonical level, e.g. IC3 or M1."),
        Column("path", _S, "Ladder of the level: ic or management."),
        Column("rank", _I, "Position on its ladder: 1 for IC1 and M1, 2 for IC2 and M2, ..."),
    ),
    primary_key=("level",),
    rows=level_rows,
)

ROLE_TABLE = Table(
    name="roles",
    description="Roles of each track as written, placed on a canonical level.",
    columns=(
        Column("track", _S, "Track name."),
        Column("role", _S, "Role title as written."),
        Column("path", _S, "ic or management."),
        Column("level", _S, "Canonical level (see levels)."),
        Column("defined", _B, "False for roles the document marks N/A or not defined yet."),
        Column("years_min", _N, "Minimum years of experience the document states, if any."),
        Column("years_max", _N, "Maximum years of experience the document states, if any."),
        Column("source_file", _S, "Document the role was read from."),
        Column("order", _I, "0-based position of the role in its document's role menu."),
        Column("role_id", _S, "Stable id of the role."),
        Column("track_id", _S, "Track of the role (see tracks)."),
        Column("scope", _S, "Scope statements (account sizes, segments), separated by '; '."),
        Column("source_ref", _S, "Where in the document: L<line>."),
    ),
    primary_key=("role_id",),
    foreign_keys=(
        ForeignKey(("track_id",), "tracks", ("track_id",)),
        ForeignKey(("level",), "levels", ("level",)),
    ),
    rows=role_rows,
)

COMPETENCIES = Table(
    name="competencies",
    description="Canonical competencies across tracks; group occurrences by competency_id, not by the name as written.",
    columns=(
        Column("competency_id", _S, "Stable id of the canonical competency."),
        Column("competency", _S, "Canonical name."),
        Column("description", _S, "The description given most often across roles (empty when none is written)."),
    ),
    primary_key=("competency_id",),
    rows=competency_rows,
)

COMPETENCY_ALIASES = Table(
    name="competency_aliases",
    description="Names each track writes for a canonical competency.",
    columns=(
        Column("competency_id", _S, "Canonical competency (see competencies)."),
        Column("track_id", _S, "Track using the name (see tracks)."),
        Column("track", _S, "Track name."),
        Column("name", _S, "Competency name as the track writes it."),
        Column("competency", _S, "Canonical name."),
        Column("how", _S, "How the name was mapped: exact, alias_table, fuzzy:<score>, decision or new."),
    ),
    primary_key=("competency_id", "track", "name"),
    foreign_keys=(
        ForeignKey(("competency_id",), "competencies", ("competency_id",)),
        ForeignKey(("track_id",), "tracks", ("track_id",)),
    ),
    rows=alias_rows,
)

COMPETENCY_COVERS = Table(
    name="competency_covers",
    description="A competency covering others (e.g. 'Ownership and impact' covers 'Ownership' and 'Impact').",
    columns=(
        Column("competency_id", _S, "The covering competency."),
        Column("covered_id", _S, "A competency it covers."),
        Column("competency", _S, "Name of the covering competency."),
        Column("covered", _S, "Name of the covered competency."),
    ),
    primary_key=("competency_id", "covered_id"),
    foreign_keys=(
        ForeignKey(("competency_id",), "competencies", ("competency_id",)),
        ForeignKey(("covered_id",), "competencies", ("competency_id",)),
    ),
    rows=covers_rows,
)

BEHAVIORS = Table(
    name="behaviors",
    description="Canonical behaviors: statements written alike across levels and tracks are one behavior.",
    columns=(
        Column("behavior_id", _S, "Stable id of the behavior."),
        Column("text", _S, "Representative text, chosen deterministically among the occurrences."),
        Column("competency_id", _S, "Canonical competency of the behavior."),
        Column("competency", _S, "Canonical competency name."),
        Column("occurrences", _I, "Number of places the behavior is written."),
        Column("tracks", _S, "Tracks writing it, separated by '; '."),
        Column("levels", _S, "Levels it is written at, in ladder order, separated by '; '."),
    ),
    primary_key=("behavior_id",),
    foreign_keys=(ForeignKey(("competency_id",), "competencies", ("competency_id",)),),
    rows=behavior_rows,
    row_batches=behavior_batches,
)

OCCURRENCES = Table(
    name="occurrences",
    description="One row per place a behavior is written: document, role, competency as written and canonical.",
    columns=(
        Column("doc_id", _S, "Id of the document (sha256 of its bytes)."),
        Column("source_file", _S, "Document the statement was read from."),
        Column("source_ref", _S, "Where in the document: L<line>."),
        Column("track", _S, "Track name."),
        Column("role", _S, "Role title as written."),
        Column("path", _S, "ic or management."),
        Column("level", _S, "Canonical level of the role (see levels)."),
        Column("level_rank", _I, "Rank of the level on its ladder (1 for IC1 and M1)."),
        Column("competency", _S, "Competency name as written in the document."),
        Column("competency_id", _S, "Canonical competency (see competencies)."),
        Column("canonical_competency", _S, "Canonical competency name: group by this, not by competency."),
        Column("behavior_text", _S, "The statement as written (after encoding repair)."),
        Column("behavior_id", _S, "Canonical behavior (see behaviors)."),
        Column("part", _I, "Index of the statement within its bullet (0 if not split)."),
        Column("role_id", _S, "Role (see roles)."),
        Column("occurrence_id", _S, "Stable id of this occurrence."),
    ),
    primary_key=("occurrence_id",),
    foreign_keys=(
        ForeignKey(("behavior_id",), "behaviors", ("behavior_id",)),
        ForeignKey(("role_id",), "roles", ("role_id",)),
        ForeignKey(("competency_id",), "competencies", ("competency_id",)),
        ForeignKey(("level",), "levels", ("level",)),
    ),
    rows=occurrence_rows,
    row_batches=occurrence_batches,
)

PROGRESSIONS = Table(
    name="progressions",
    description="What changes from each level of a track to the next: behaviors new, dropped or strengthened.",
    columns=(
        Column("progression_id", _S, "Stable id of the row."),
        Column("track_id", _S, "Track (see tracks)."),
        Column("track", _S, "Track name."),
        Column("from_level", _S, "Lower level."),
        Column("to_level", _S, "Next level of the track on the same ladder."),
        Column("kind", _S, "new (only at to_level), dropped (only at from_level) or strengthened (replaced)."),
        Column("from_behavior_id", _S, "Behavior at from_level (empty for new)."),
        Column("from_text", _S, "Its representative text."),
        Column("to_behavior_id", _S, "Behavior at to_level (empty for dropped)."),
        Column("to_text", _S, "Its representative text."),
        Column("competency_id", _S, "Canonical competency of the change."),
        Column("removed_words", _S, "Strengthened: words the higher level drops, separated by '; '."),
        Column("added_words", _S, "Strengthened: words the higher level adds, separated by '; '."),
        Column("rule", _S, "Strengthened: what tells the two apart (numbers, proficiency, ...), per link."),
    ),
    primary_key=("progression_id",),
    foreign_keys=(
        ForeignKey(("track_id",), "tracks", ("track_id",)),
        ForeignKey(("from_level",), "levels", ("level",)),
        ForeignKey(("to_level",), "levels", ("level",)),
        ForeignKey(("from_behavior_id",), "behaviors", ("behavior_id",)),
        ForeignKey(("to_behavior_id",), "behaviors", ("behavior_id",)),
        ForeignKey(("competency_id",), "competencies", ("competency_id",)),
    ),
    rows=progression_rows,
    row_batches=progression_batches,
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        TRACKS,
        LEVELS,
        ROLE_TABLE,
        COMPETENCIES,
        COMPETENCY_ALIASES,
        COMPETENCY_COVERS,
        BEHAVIORS,
        OCCURRENCES,
        PROGRESSIONS,
    )
}

OCCURRENCE_COLUMNS = OCCURRENCES.column_names
ROLE_COLUMNS = ROLE_TABLE.column_names


def release_tables(ladder: Ladder) -> dict[str, tuple[str, bytes]]:
    """Every table as (CSV text, Parquet bytes), by table name (in memory: `write_release_tables` streams)."""
    out = {}
    for name, table in TABLES.items():
        csv_buf, parquet_buf = io.BytesIO(), io.BytesIO()
        table.write(ladder, csv_buf, parquet_buf)
        out[name] = (csv_buf.getvalue().decode("utf-8"), parquet_buf.getvalue())
    return out


def write_release_tables(
    ladder: Ladder, folder: Path, written: Callable[[str, str], object] | None = None
) -> list[str]:
    """Write `<table>.csv` and `<table>.parquet` of every table into `folder`, streamed (one pass over each
    table's rows for both files); `written(csv_name, parquet_name)` is called after each table. Returns the
    file names."""
    names = []
    for name, table in TABLES.items():
        csv_name, parquet_name = f"{name}.csv", f"{name}.parquet"
        with open(folder / csv_name, "wb") as csv_file, open(folder / parquet_name, "wb") as parquet_file:
            table.write(ladder, csv_file, parquet_file)
        if written is not None:
            written(csv_name, parquet_name)
        names += [csv_name, parquet_name]
    return names

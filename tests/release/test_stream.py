"""The streamed writers: ladder.json in pieces, tables row by row, Parquet in row groups, atomic files."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.build.levels import level_number
from pipeline.ids import stable_id
from pipeline.models import Ladder, ref_order
from pipeline.release.emit import atomic_writer, dataset_chunks, dataset_json, emit_dataset, json_chunks
from pipeline.release.tables import (
    OCCURRENCES,
    TABLES,
    Column,
    _progression_id,
    csv_text,
    occurrence_batches,
    occurrence_id,
    occurrence_rows,
    parquet_bytes,
    write_batches,
    write_parquet,
    write_release_tables,
)
from tests.tiny_ladder import make_ladder, occurrence, with_log

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "ladder.json"


def test_json_chunks_join_to_pydantic_dump(monkeypatch) -> None:
    import pipeline.release.emit as emit

    assert emit.JSON_BATCH == 1000
    for batch in (1, 7, 1000):
        monkeypatch.setattr(emit, "JSON_BATCH", batch)
        for ladder in (make_ladder(), with_log(make_ladder()), Ladder.model_validate_json(GOLDEN.read_bytes())):
            chunks = list(dataset_chunks(ladder))
            assert "".join(chunks) == dataset_json(ladder) == ladder.model_dump_json(indent=2) + "\n"
            assert b"".join(emit.dataset_pieces(ladder)).decode("utf-8") == dataset_json(ladder)
            # streamed: lists of models in pieces of `batch` items, never a long list in one string
            if batch == 1:
                assert len(chunks) > len(ladder.behaviors) + len(ladder.roles)
            if batch == 7 and len(ladder.behaviors) > 100:
                assert max(len(c) for c in chunks) < len(dataset_json(ladder)) // 10


def test_json_chunks_of_empty_lists_nested_models_and_unicode() -> None:
    ladder = Ladder(documents=[], tracks=[], roles=[], competencies=[], behaviors=[], schema_version="é\n1")
    assert "".join(json_chunks(ladder)) == ladder.model_dump_json(indent=2)
    assert '"schema_version": "é\\n1",\n  "documents": [],' in "".join(json_chunks(ladder))
    assert "".join(json_chunks(ladder.normalization, depth=3)).splitlines()[-1] == "      }"


def test_golden_dataset_written_streamed_is_byte_identical(tmp_path: Path) -> None:
    ladder = Ladder.model_validate_json(GOLDEN.read_bytes())
    written = emit_dataset(ladder, tmp_path)
    assert [p.name for p in written] == [
        "ladder.json",
        "ladder.schema.json",
        "occurrences.csv",
        "roles.csv",
        "rejected.json",
    ]
    for name in ("ladder.json", "occurrences.csv", "roles.csv", "rejected.json"):
        assert (tmp_path / name).read_bytes() == (ROOT / "tests" / "golden" / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)  # no temp file left


def test_atomic_writer_keeps_the_old_file_when_the_stream_fails(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_bytes(b"old\n")
    with pytest.raises(RuntimeError), atomic_writer(path) as fh:
        fh.write(b"half a ")
        raise RuntimeError("stopped")
    assert path.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    with atomic_writer(path) as fh:
        fh.write(b"new\n")
    assert path.read_bytes() == b"new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


COLUMNS = (Column("name", "string", ""), Column("n", "integer", ""), Column("x", "number", ""))


def _rows(count: int) -> list[dict]:
    return [{"name": f"r{i}", "n": i, "x": i / 2 if i % 3 else None} for i in range(count)]


def test_parquet_is_written_in_row_groups() -> None:
    buf = io.BytesIO()
    write_parquet(COLUMNS, iter(_rows(7)), buf, row_group=3)
    file = pq.ParquetFile(io.BytesIO(buf.getvalue()))
    assert file.num_row_groups == 3
    assert [file.metadata.row_group(i).num_rows for i in range(3)] == [3, 3, 1]
    assert file.read().to_pylist() == _rows(7)


def test_parquet_in_one_group_is_the_one_shot_file() -> None:
    """Up to one row group, the streamed file is byte for byte what pyarrow's `write_table` gives."""
    for count in (0, 1, 5):
        rows = _rows(count)
        streamed = io.BytesIO()
        write_parquet(COLUMNS, iter(rows), streamed, row_group=5)
        table = pa.table(
            {
                "name": pa.array([r["name"] for r in rows], pa.string()),
                "n": pa.array([r["n"] for r in rows], pa.int64()),
                "x": pa.array([r["x"] for r in rows], pa.float64()),
            }
        )
        once = pa.BufferOutputStream()
        pq.write_table(table, once, compression="snappy")
        assert streamed.getvalue() == once.getvalue().to_pybytes(), count


def test_table_write_streams_csv_and_parquet_in_one_pass() -> None:
    ladder = with_log(make_ladder())
    for table in TABLES.values():
        csv_buf, parquet_buf = io.BytesIO(), io.BytesIO()
        table.write(ladder, csv_buf, parquet_buf)
        assert csv_buf.getvalue().decode("utf-8") == csv_text(table.column_names, list(table.rows(ladder)))
        assert pq.read_table(io.BytesIO(parquet_buf.getvalue())).num_rows == len(list(table.rows(ladder)))
        only_csv = io.BytesIO()
        table.write(ladder, csv_file=only_csv)
        assert only_csv.getvalue() == csv_buf.getvalue()


def test_occurrence_rows_come_in_document_order() -> None:
    """File, then line, table cell and part (L9 < L9:r2c1 < L10), then behavior id, whatever the behaviors."""
    ladder = make_ladder()
    b = ladder.behaviors[0]
    role, comp = ladder.roles[0], ladder.competencies[0]
    occ = [
        occurrence(role, comp, "second file", "L10", file="b.md"),
        occurrence(role, comp, "line ten", "L10", file="a.md"),
        occurrence(role, comp, "a cell", "L9:r2c1", file="a.md"),
        occurrence(role, comp, "line nine", "L9", part=1, file="a.md"),
        occurrence(role, comp, "line nine", "L9", file="a.md"),
    ]
    ladder = ladder.model_copy(update={"behaviors": [b.model_copy(update={"occurrences": occ})]})
    assert [(r["source_file"], r["source_ref"], r["part"]) for r in occurrence_rows(ladder)] == [
        ("a.md", "L9", 0),
        ("a.md", "L9", 1),
        ("a.md", "L9:r2c1", 0),
        ("a.md", "L10", 0),
        ("b.md", "L10", 0),
    ]
    assert OCCURRENCES.csv(ladder).splitlines()[1].split(",")[:3] == [occ[4].doc_id, "a.md", "L9"]


def test_write_release_tables_streams_every_table(tmp_path: Path) -> None:
    ladder = with_log(make_ladder())
    calls: list[tuple[str, str]] = []
    names = write_release_tables(ladder, tmp_path, lambda c, p: calls.append((c, p)))
    assert calls == [(f"{t}.csv", f"{t}.parquet") for t in TABLES]
    assert names == [n for pair in calls for n in pair]
    assert sorted(names) == sorted(p.name for p in tmp_path.iterdir())
    for name, table in TABLES.items():
        assert (tmp_path / f"{name}.csv").read_text(encoding="utf-8") == table.csv(ladder)
        assert (tmp_path / f"{name}.parquet").read_bytes() == table.parquet(ladder)


TRICKY = ["plain", 'quote " and \\ backslash', "new\nline\ttab\x01\x1f", "é ü 漢字 🚀 \u2028\u2029", "", "a,b;'c'"]


def _tricky_ladder() -> Ladder:
    ladder = with_log(make_ladder())
    role, comp = ladder.roles[1], ladder.competencies[0]
    extra = [occurrence(role, comp, text, f"L{30 + i}:r{i}c1", part=i % 3) for i, text in enumerate(TRICKY)]
    behaviors = list(ladder.behaviors)
    behaviors[0] = behaviors[0].model_copy(update={"occurrences": [*behaviors[0].occurrences, *extra]})
    return ladder.model_copy(update={"behaviors": behaviors})


def _reference_occurrence_rows(ladder: Ladder) -> list[dict]:
    """The occurrence rows as the row-by-row writer made them (model_dump, `stable_id`), in document order."""
    names = {c.id: c.name for c in ladder.competencies}
    items = [(o, b.id) for b in ladder.behaviors for o in b.occurrences]
    items.sort(key=lambda ob: (ob[0].source_file, ref_order(ob[0].source_ref), ob[0].part, ob[1]))
    rows = []
    for o, bid in items:
        row = o.model_dump()
        row["behavior_text"] = row.pop("text")
        row["behavior_id"] = bid
        row["canonical_competency"] = names.get(o.competency_id)
        row["level_rank"] = level_number(o.level)
        fields = dict(doc=o.doc_id, ref=o.source_ref, part=o.part, role=o.role_id, competency=o.competency_id)
        row["occurrence_id"] = stable_id("occ", **fields, behavior=bid, text=o.text)
        rows.append(row)
    return rows


def test_occurrence_id_is_the_stable_id_of_its_fields() -> None:
    ladder = _tricky_ladder()
    pairs = [(o, b.id) for b in ladder.behaviors for o in b.occurrences]
    assert len(pairs) == 11
    for o, bid in pairs:
        expected = stable_id(
            "occ",
            doc=o.doc_id,
            ref=o.source_ref,
            part=o.part,
            role=o.role_id,
            competency=o.competency_id,
            behavior=bid,
            text=o.text,
        )
        assert occurrence_id(o, bid) == expected
    assert occurrence_id(pairs[0][0], "beh_renewals") == "occ_6a1b8624dd63"


def test_bulk_occurrence_table_is_byte_identical_to_the_row_by_row_writers() -> None:
    ladder = _tricky_ladder()
    reference = _reference_occurrence_rows(ladder)
    assert [r["behavior_text"] for r in reference[-6:]] == TRICKY
    columns = OCCURRENCES.column_names
    assert OCCURRENCES.csv(ladder) == csv_text(columns, reference)
    assert OCCURRENCES.parquet(ladder) == parquet_bytes(OCCURRENCES.columns, reference)
    assert [{c: r[c] for c in columns} for r in reference] == list(occurrence_rows(ladder))
    assert sum(len(b) for b in occurrence_batches(ladder)) == 11


def test_write_batches_gives_the_row_by_row_bytes_whatever_the_batch_sizes() -> None:
    columns = (*COLUMNS, Column("ok", "boolean", ""))
    rows = [{**r, "ok": None if i == 4 else i % 2 == 0} for i, r in enumerate(_rows(7))]
    rows[2]["x"] = 3.0  # a whole float: `3` in the CSV, 3.0 in Parquet
    tuples = [tuple(r[c.name] for c in columns) for r in rows]
    batches = [tuples[:1], tuples[1:4], [], tuples[4:6], tuples[6:]]
    csv_bulk, parquet_bulk = io.BytesIO(), io.BytesIO()
    write_batches(columns, batches, csv_bulk, parquet_bulk, row_group=2)
    assert csv_bulk.getvalue().decode("utf-8") == csv_text([c.name for c in columns], rows)
    assert csv_bulk.getvalue().decode("utf-8").splitlines()[3] == "r2,2,3,true"
    parquet_rows = io.BytesIO()
    write_parquet(columns, iter(rows), parquet_rows, row_group=2)
    assert parquet_bulk.getvalue() == parquet_rows.getvalue()
    file = pq.ParquetFile(io.BytesIO(parquet_bulk.getvalue()))
    assert [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)] == [2, 2, 2, 1]
    for empty in ([], [[]]):
        only, reference = io.BytesIO(), io.BytesIO()
        write_batches(columns, empty, parquet_file=only, row_group=2)
        write_parquet(columns, iter([]), reference, row_group=2)
        assert only.getvalue() == reference.getvalue()


def test_bulk_csv_lines_are_the_csv_writers_bytes_for_fields_that_need_quoting() -> None:
    import csv

    columns = (Column("a", "string", ""), Column("n", "integer", ""), Column("b", "string", ""))
    tricky = ["plain", "a, b", 'say "hi"', "two\nlines", "cr\rhere", "", " padded ", "\u00e9\u2013\U0001f600"]
    rows = [(text, i if i % 3 else None, None if i % 2 else f"x{i}") for i, text in enumerate(tricky)]
    plain = [(f"p{i}", i, "q") for i in range(4)]
    bulk = io.BytesIO()
    write_batches(columns, [rows[:3], plain, rows[3:], [], plain[:1]], bulk)
    expected = io.StringIO(newline="")
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(["a", "n", "b"])
    writer.writerows([*rows[:3], *plain, *rows[3:], *plain[:1]])
    assert bulk.getvalue().decode("utf-8") == expected.getvalue()
    lines = bulk.getvalue().decode("utf-8").split("\n")
    assert lines[:4] == ["a,n,b", "plain,,x0", '"a, b",1,', '"say ""hi""",2,x2']
    assert lines[4:8] == ["p0,0,q", "p1,1,q", "p2,2,q", "p3,3,q"]
    assert lines[8:10] == ['"two', 'lines",,']


def test_progression_id_is_the_stable_id_of_its_fields() -> None:
    cases = [
        ("trk_1", "IC1", "IC2", "strengthened", "beh_a", "beh_b"),
        (None, "M1", "M2", "new", None, 'beh_\u00e9"q\\'),
        ("trk_\u2013", "IC2", "IC3", "dropped", "b\n\t", None),
    ]
    for track, frm, to, kind, a, b in cases:
        expected = stable_id("chg", track=track, frm=frm, to=to, kind=kind, a=a, b=b)
        assert _progression_id(track, frm, to, kind, a, b) == expected
    assert _progression_id("trk_1", "IC1", "IC2", "new", None, "beh_b") != _progression_id(
        "trk_1", "IC1", "IC2", "new", "beh_b", None
    )


def test_behavior_and_progression_rows_in_bulk_are_the_rows_built_one_by_one() -> None:
    """The bulk rows hold what one dict per row, built from the models, holds (lists joined by '; ')."""
    from pipeline.build.levels import level_sort_key
    from pipeline.build.progression import consecutive_changes
    from pipeline.release.tables import LIST_SEPARATOR, behavior_rows, progression_rows

    ladder = with_log(make_ladder())
    ladder.behaviors[0].competency_ids = []  # a behavior without a competency: empty cells, not "None"
    names = {c.id: c.name for c in ladder.competencies}
    behaviors = sorted(
        (
            {
                "behavior_id": b.id,
                "text": b.text,
                "competency_id": b.competency_ids[0] if b.competency_ids else None,
                "competency": names.get(b.competency_ids[0]) if b.competency_ids else None,
                "occurrences": len(b.occurrences),
                "tracks": LIST_SEPARATOR.join(sorted({o.track for o in b.occurrences})),
                "levels": LIST_SEPARATOR.join(sorted({o.level for o in b.occurrences}, key=level_sort_key)),
            }
            for b in ladder.behaviors
        ),
        key=lambda r: r["behavior_id"],
    )
    assert list(behavior_rows(ladder)) == behaviors
    assert [r["competency_id"] for r in behaviors].count(None) == 1
    tracks = {t.name: t.id for t in ladder.tracks}
    expected = []
    for change in consecutive_changes(ladder):
        for s in change.strengthened:
            fields = {
                "track_id": tracks[change.track],
                "frm": change.from_level,
                "to": change.to_level,
                "kind": "strengthened",
                "a": s.before.id,
                "b": s.after.id,
            }
            expected.append(
                {
                    "progression_id": stable_id(
                        "chg", **{("track" if k == "track_id" else k): v for k, v in fields.items()}
                    ),
                    "track_id": tracks[change.track],
                    "track": change.track,
                    "from_level": change.from_level,
                    "to_level": change.to_level,
                    "kind": "strengthened",
                    "from_behavior_id": s.before.id,
                    "from_text": s.before.text,
                    "to_behavior_id": s.after.id,
                    "to_text": s.after.text,
                    "competency_id": s.links[0].competency_id,
                    "removed_words": LIST_SEPARATOR.join(w for p in s.links for w in p.removed_words),
                    "added_words": LIST_SEPARATOR.join(w for p in s.links for w in p.added_words),
                    "rule": LIST_SEPARATOR.join(p.rule for p in s.links),
                }
            )
    assert list(progression_rows(ladder)) == expected
    assert len(expected) == 1

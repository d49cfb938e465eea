"""Release tables (the star schema), the Frictionless validator, the JSON Schema, the README's analyst queries.

The release is published from tests/golden/ladder.json: the dataset of the bundled raw/, which the golden
test keeps byte-identical to what a run writes.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import frictionless
import jsonschema
import pyarrow.parquet as pq
import pytest

from pipeline.build.progression import progression_between
from pipeline.release.emit import emit_dataset
from pipeline.release.publish import Approval, load_ladder_file, plan_release, publish_release
from pipeline.release.tables import TABLES

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_LADDER = ROOT / "tests" / "golden" / "ladder.json"
CREATED = "2025-01-31T12:00:00Z"
ROW_COUNTS = {
    "tracks": 3,
    "levels": 10,
    "roles": 21,
    "competencies": 15,
    "competency_aliases": 19,
    "competency_covers": 2,
    "behaviors": 267,
    "occurrences": 314,
    "progressions": 275,
}


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release") / "normalized"
    ladder = load_ladder_file(GOLDEN_LADDER)
    emit_dataset(ladder, out)
    approval = Approval(approver="Ana Ruiz", note="checked the IC1 to IC2 changes")
    publish_release(ladder, out, plan_release(ladder, out), created=CREATED, approval=approval)
    return out / "releases" / "1.0.0"


def test_every_table_in_csv_and_parquet_with_the_same_rows(release: Path) -> None:
    for name, table in TABLES.items():
        parquet = pq.read_table(release / f"{name}.parquet")
        csv_rows = (release / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert parquet.column_names == table.column_names, name
        assert csv_rows[0] == ",".join(table.column_names), name
        assert parquet.num_rows == ROW_COUNTS[name], name
        assert (
            len(duckdb.sql(f"SELECT * FROM read_csv('{release / name}.csv', header=true)").fetchall())
            == (ROW_COUNTS[name])
        ), name


def test_datapackage_declares_keys_types_and_descriptions(release: Path) -> None:
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["path"]: r for r in package["resources"]}
    occurrences = resources["occurrences.parquet"]["schema"]
    assert occurrences["primaryKey"] == ["occurrence_id"]
    assert occurrences["foreignKeys"] == [
        {"fields": ["behavior_id"], "reference": {"resource": "behaviors.parquet", "fields": ["behavior_id"]}},
        {"fields": ["role_id"], "reference": {"resource": "roles.parquet", "fields": ["role_id"]}},
        {"fields": ["competency_id"], "reference": {"resource": "competencies.parquet", "fields": ["competency_id"]}},
        {"fields": ["level"], "reference": {"resource": "levels.parquet", "fields": ["level"]}},
    ]
    assert resources["competency_aliases.csv"]["schema"]["primaryKey"] == ["competency_id", "track", "name"]
    assert resources["levels.csv"]["schema"]["fields"][2] == {
        "name": "rank",
        "type": "integer",
        "description": "Position on its ladder: 1 for IC1 and M1, 2 for IC2 and M2, ...",
    }
    for resource in package["resources"]:
        if resource.get("profile") == "tabular-data-resource":
            assert resource["description"]
            assert all(f["description"] for f in resource["schema"]["fields"]), resource["path"]
    assert resources["ladder.schema.json"]["type"] == "json"
    assert "bytes" not in resources["roles.parquet"]


def test_approver_and_note_are_recorded(release: Path) -> None:
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert package["approval"] == {"approver": "Ana Ruiz", "note": "checked the IC1 to IC2 changes"}
    changelog = (release / "CHANGELOG.md").read_text(encoding="utf-8").splitlines()
    assert changelog[2:5] == ["## 1.0.0 (2025-01-31)", "", "Approved by Ana Ruiz: checked the IC1 to IC2 changes"]


def test_frictionless_validator_passes_without_errors_or_warnings(release: Path) -> None:
    report = frictionless.validate(release / "datapackage.json")
    problems = [(t.name, e.type, e.message) for t in report.tasks for e in t.errors]
    assert problems == []
    assert report.valid
    assert report.warnings == []
    assert [t.warnings for t in report.tasks if t.warnings] == []
    assert len(report.tasks) == 2 * len(TABLES) + 5  # the tables, ladder.json, its schema, 2 reports, changelog


def test_frictionless_checks_the_foreign_keys(release: Path, tmp_path: Path) -> None:
    """A behavior id that no behavior row holds is reported: the keys are declared, not decorative."""
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    for p in copy.iterdir():
        p.chmod(0o644)
    text = (copy / "occurrences.csv").read_text(encoding="utf-8")
    first_id = re.search(r",(beh_[0-9a-f]{12}),", text)
    assert first_id is not None
    (copy / "occurrences.csv").write_text(text.replace(first_id.group(1), "beh_000000000000", 1), encoding="utf-8")
    package = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    for r in package["resources"]:
        if r["path"] == "occurrences.csv":
            del r["hash"], r["bytes"]
    (copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    report = frictionless.validate(copy / "datapackage.json")
    errors = [(t.name, e.type) for t in report.tasks for e in t.errors]
    assert errors == [("occurrences.csv", "foreign-key")]


def test_ladder_json_validates_against_its_json_schema(release: Path) -> None:
    schema = json.loads((release / "ladder.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(json.loads((release / "ladder.json").read_text(encoding="utf-8")))) == []
    broken = json.loads((release / "ladder.json").read_text(encoding="utf-8"))
    broken["roles"][0]["path"] = "sideways"
    assert [e.message for e in validator.iter_errors(broken)] == ["'sideways' is not one of ['ic', 'management']"]


def test_progressions_table_tells_strengthened_from_new_and_dropped(release: Path) -> None:
    ladder = load_ladder_file(GOLDEN_LADDER)
    rows = duckdb.sql(
        f"SELECT kind, from_behavior_id, to_behavior_id, removed_words, added_words "
        f"FROM '{release}/progressions.parquet' "
        "WHERE track = 'High Touch CSM' AND from_level = 'IC1' AND to_level = 'IC2' ORDER BY ALL"
    ).fetchall()
    change = progression_between(ladder, "High Touch CSM", "IC1", "IC2")
    assert sorted(r[1:3] for r in rows if r[0] == "strengthened") == sorted(
        (s.before.id, s.after.id) for s in change.strengthened
    )
    assert sorted(r[2] for r in rows if r[0] == "new") == sorted(b.id for b in change.new)
    assert sorted(r[1] for r in rows if r[0] == "dropped") == sorted(b.id for b in change.dropped)
    assert [len(change.strengthened), len(change.new), len(change.dropped)] == [3, 12, 2]
    # the words a level change swaps: "basic data" at IC1 becomes "advanced data" at IC2
    assert ("basic; plan", "advanced") in [(r[3], r[4]) for r in rows if r[0] == "strengthened"]


def test_occurrences_name_the_canonical_competency_next_to_the_written_one(release: Path) -> None:
    counts = duckdb.sql(
        f"SELECT count(DISTINCT competency), count(DISTINCT canonical_competency) FROM '{release}/occurrences.parquet'"
    ).fetchall()
    assert counts == [(18, 15)]
    ranks = duckdb.sql(
        f"SELECT DISTINCT level, level_rank FROM '{release}/occurrences.parquet' ORDER BY level"
    ).fetchall()
    assert ranks == [("IC1", 1), ("IC2", 2), ("IC3", 3), ("IC4", 4), ("M1", 1), ("M4", 4)]


# ------------------------------------------------------------------------------- README analyst queries

README_SECTION = "### Analyst questions"


def readme_queries() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(README_SECTION) :]
    section = section[: section.index("\n## ")]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def test_readme_analyst_questions_run_as_written(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    queries = readme_queries()
    assert len(queries) == 3
    monkeypatch.chdir(release)  # the README runs them from the release folder
    by_competency, ic1_to_ic2, names = (duckdb.sql(q).fetchall() for q in queries)
    assert by_competency[:3] == [
        ("Relationships", 46, 2),
        ("Ownership and impact", 42, 1),
        ("Product Knowledge", 35, 2),
    ]
    assert len(by_competency) == 15
    assert ic1_to_ic2 == [("dropped", 2), ("new", 12), ("strengthened", 3)]
    assert names == [
        ("Product Knowledge", "Product Knowledge | Product knowledge"),
        ("Relationships", "Relationship | Relationships"),
        ("Teamwork and Collaboration", "Teamwork and Collaboration | Teamwork and collab"),
    ]

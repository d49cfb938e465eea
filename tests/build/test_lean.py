"""The lean build: occurrences made without a second validation, repeated strings held once, slim results."""

from __future__ import annotations

import shutil
import tracemalloc
from pathlib import Path

import pytest

from pipeline import run
from pipeline.build import atomized_occurrences, canonical_competencies, place_roles
from pipeline.build.decisions import DecisionLog
from pipeline.build.settings import NormalizeConfig
from pipeline.config import Config
from pipeline.models import (
    ClusterMember,
    Interner,
    NearMiss,
    Occurrence,
    cluster_member_of,
    near_miss_of,
    occurrence_of,
    trusted_occurrence,
)
from tests.conftest import RAW
from tests.factories import behavior, parsed, role

FIELDS = {
    "doc_id": "d1",
    "source_file": "a.md",
    "source_ref": "L3",
    "track": "Scale",
    "role": "CSM",
    "role_id": "role_1",
    "path": "ic",
    "level": "IC2",
    "competency": "Ownership",
    "competency_id": "comp_1",
    "text": "Owns the plan",
    "part": 1,
}


def test_trusted_occurrence_is_the_validated_one() -> None:
    trusted, validated = trusted_occurrence(**FIELDS), Occurrence(**FIELDS)
    assert trusted == validated
    assert trusted.model_dump_json(indent=2) == validated.model_dump_json(indent=2)
    assert trusted.model_fields_set == validated.model_fields_set == set(FIELDS)
    # one fields-set shared by all, left as it is by assignment and copies
    other = trusted_occurrence(**FIELDS)
    assert other.model_fields_set is trusted.model_fields_set
    copied = other.model_copy(update={"text": "Owns the account plan"})
    other.part = 2
    assert (copied.text, copied.part, other.part, trusted.part) == ("Owns the account plan", 1, 2, 1)
    assert trusted.model_fields_set == set(FIELDS)


def test_occurrences_share_their_keys() -> None:
    """Made field by field in field order, every occurrence's `__dict__` shares its keys with the others: about
    210 bytes per occurrence with the object, where `model_construct`'s own dict alone takes about 460."""
    values = [FIELDS[name] for name in Occurrence.model_fields]
    first = occurrence_of(*values)  # type: ignore[arg-type]
    assert list(first.__dict__) == list(Occurrence.model_fields)
    assert first == Occurrence(**FIELDS)
    tracemalloc.start()
    try:
        made = [occurrence_of(*values) for _ in range(1000)]  # type: ignore[arg-type]
        lean = tracemalloc.get_traced_memory()[0]
        constructed = [Occurrence.model_construct(**FIELDS) for _ in range(1000)]
        both = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(made) == len(constructed) == 1000
    assert lean < 300 * 1000  # object and key-sharing dict
    assert both - lean > 2 * lean  # model_construct's unshared dicts take over twice as much


def test_trusted_occurrence_needs_every_field() -> None:
    with pytest.raises(TypeError, match="needs exactly the fields"):
        trusted_occurrence(**{k: v for k, v in FIELDS.items() if k != "part"})
    with pytest.raises(TypeError, match="needs exactly the fields"):
        trusted_occurrence(**FIELDS, extra="x")


def test_interner_gives_one_object_per_value() -> None:
    same = Interner()
    a, b = "".join(["Own", "ership"]), "".join(["Owner", "ship"])
    assert a == b and a is not b
    assert same(a) is same(b) is a
    assert same("Impact") == "Impact"


def test_atomized_occurrences_share_repeated_strings() -> None:
    cfg = NormalizeConfig()
    name_1, name_2 = "".join(["Own", "ership"]), "".join(["Owner", "ship"])
    doc = parsed(
        "Scale",
        roles=[role("CSM", 0)],
        behaviors=[behavior("CSM", name_1, "Owns the plan", "L3"), behavior("CSM", name_2, "Owns the risk", "L4")],
    )
    placed = place_roles([doc], cfg, DecisionLog())
    comps = canonical_competencies([doc], placed, cfg, DecisionLog())
    occ = atomized_occurrences([doc], {}, placed, comps, cfg).occurrences
    assert [(o.competency, o.source_ref, o.text) for o in occ] == [
        ("Ownership", "L3", "Owns the plan"),
        ("Ownership", "L4", "Owns the risk"),
    ]
    assert occ[0].competency is occ[1].competency
    assert occ[0].competency_id is occ[1].competency_id
    assert occ[0].model_fields_set is occ[1].model_fields_set


def test_run_local_slims_results_like_the_flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    seen: list[run.FileResult] = []
    real = run.build_and_write

    def spy(results: list[run.FileResult], *args: object, **kwargs: object) -> tuple[run.RunSummary, str]:
        seen.extend(results)
        return real(results, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(run, "build_and_write", spy)
    summary = run.run_local(raw, tmp_path / "out", Config())
    documents = [r.document for r in seen if r.document is not None]
    assert len(documents) == summary.documents_read > 0
    assert {(d.text, len(d.blocks), len(d.nodes)) for d in documents} == {("", 0, 0)}
    assert all(d.title and d.id for d in documents)


NEAR = {
    "a_id": "beh_1",
    "b_id": "beh_2",
    "a_text": "Forecast 3 months in advance",
    "b_text": "Forecast 6 months in advance",
    "score": 93.33,
    "rule": "numbers",
    "tracks": ["Scale", "Support"],
    "why": "kept apart: numbers differ '3' only in A, '6' only in B",
    "likelihood": 0.0622,
}


def test_near_miss_of_is_the_validated_one() -> None:
    lean, validated = near_miss_of(*NEAR.values()), NearMiss(**NEAR)  # type: ignore[arg-type]
    assert list(lean.__dict__) == list(NearMiss.model_fields) == list(NEAR)
    assert lean == validated
    assert lean.model_dump_json(indent=2) == validated.model_dump_json(indent=2)
    assert lean.model_fields_set == validated.model_fields_set == set(NEAR)
    assert near_miss_of(*NEAR.values()).model_fields_set is lean.model_fields_set  # type: ignore[arg-type]
    # numbers as validation makes them: an int score is a float
    whole = near_miss_of(*{**NEAR, "score": 90, "likelihood": 0}.values())  # type: ignore[arg-type]
    assert (type(whole.score), whole.score, type(whole.likelihood)) == (float, 90.0, float)
    assert whole == NearMiss(**{**NEAR, "score": 90, "likelihood": 0})  # type: ignore[arg-type]
    assert whole.model_dump_json() == NearMiss(**{**NEAR, "score": 90, "likelihood": 0}).model_dump_json()  # type: ignore[arg-type]


def test_near_misses_share_their_keys() -> None:
    values = list(NEAR.values())
    tracemalloc.start()
    try:
        made = [near_miss_of(*values) for _ in range(1000)]  # type: ignore[arg-type]
        lean = tracemalloc.get_traced_memory()[0]
        validated = [NearMiss(**NEAR) for _ in range(1000)]  # type: ignore[arg-type]
        both = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(made) == len(validated) == 1000
    assert lean < 300 * 1000  # object and key-sharing dict (the values are shared here)
    assert both - lean > 3 * lean  # validated: an own dict, fields-set and tracks list each


def test_cluster_member_of_is_the_validated_one() -> None:
    fields = {"text": "Owns the plan", "occurrences": 3, "score": 100, "why": "merged: same normalized form"}
    lean, validated = cluster_member_of(*fields.values()), ClusterMember(**fields)  # type: ignore[arg-type]
    assert list(lean.__dict__) == list(ClusterMember.model_fields) == list(fields)
    assert lean == validated
    assert (type(lean.score), lean.score, type(lean.occurrences)) == (float, 100.0, int)
    assert lean.model_dump_json(indent=2) == validated.model_dump_json(indent=2)
    assert lean.model_fields_set == validated.model_fields_set == set(fields)
    assert cluster_member_of(*fields.values()).model_fields_set is lean.model_fields_set  # type: ignore[arg-type]


def test_lean_maker_makes_the_validated_record(tmp_path: Path) -> None:
    from pipeline.models import ParsedBehavior, parsed_behavior_of

    make = parsed_behavior_of
    run.run_local(RAW, tmp_path / "out", Config())  # parsing once lost the class's shared keys (see lean_maker)
    fields = {"role": "CSM", "competency": "Ownership", "text": "Owns the plan", "source_ref": "L3"}
    lean, validated = make(*fields.values()), ParsedBehavior(**fields)
    assert list(lean.__dict__) == list(ParsedBehavior.model_fields) == list(fields)
    assert lean == validated
    assert lean.model_dump_json(indent=2) == validated.model_dump_json(indent=2)
    assert lean.model_fields_set == validated.model_fields_set == set(fields)
    assert make(*fields.values()).model_fields_set is lean.model_fields_set
    with pytest.raises(
        TypeError, match=r"a lean ParsedBehavior takes 4 values \(role, competency, text, source_ref\), got 3"
    ):
        make("CSM", "Ownership", "Owns the plan")
    tracemalloc.start()
    try:
        made = [make(*fields.values()) for _ in range(1000)]
        lean_bytes = tracemalloc.get_traced_memory()[0]
        full = [ParsedBehavior(**fields) for _ in range(1000)]
        both = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(made) == len(full) == 1000
    assert lean_bytes < 200 * 1000  # object and key-sharing dict (the values are shared here)
    assert both - lean_bytes > 2 * lean_bytes  # validated: an own dict and fields-set each


def test_parse_results_are_lean_wherever_they_come_from(tmp_path: Path) -> None:
    """Slimmed, or decoded from a worker's bytes, a result's roles, competencies and bullets are lean records
    (one shared fields-set per class), equal to the validated ones; read back from the parse cache they are
    equal too, and validated (a re-run reads 10^4 of them: made lean, they would cost about 1 ms a document)."""
    from pipeline.runtime.batches import decode_results, encode_results, process_batch, slim

    config = Config()
    paths = sorted(p for p in RAW.iterdir() if p.suffix in {".md", ".html", ".txt"})
    full = [run.process_file(p, RAW, config) for p in paths]
    counts = [sum(len(getattr(r.parsed, k)) for r in full if r.parsed) for k in ("roles", "competencies", "behaviors")]
    assert (len(paths), counts) == (6, [21, 122, 301])
    slimmed = [slim(r) for r in full]
    decoded = decode_results(encode_results(slimmed))
    cache = tmp_path / "cache"
    process_batch(paths, RAW, config, {}, cache)
    cached = process_batch(paths, RAW, config, {}, cache)
    assert len(list(cache.rglob("*.json"))) == 6  # the second batch read them back
    for results, sets in ((slimmed, 3), (decoded, 3), (cached, sum(counts))):
        assert [r.parsed for r in results] == [r.parsed for r in full]
        items = [x for r in results if r.parsed for x in (*r.parsed.roles, *r.parsed.competencies, *r.parsed.behaviors)]
        assert len(items) == sum(counts)
        assert len({id(x.model_fields_set) for x in items}) == sets  # lean: one per class; validated: one each


def test_roles_and_competency_records_are_lean() -> None:
    config = Config()
    paths = sorted(p for p in RAW.iterdir() if p.suffix in {".md", ".html", ".txt"})
    ladder = run.assemble([run.process_file(p, RAW, config) for p in paths], config)
    groups = {
        "roles": ladder.roles,
        "descriptions": [d for c in ladder.competencies for d in c.descriptions],
        "aliases": [a for c in ladder.competencies for a in c.aliases],
        "mapping": ladder.normalization.competency_mapping,
        "levels": ladder.normalization.levels,
    }
    assert {k: len(v) for k, v in groups.items()} == {
        "roles": 21,
        "descriptions": 122,
        "aliases": 19,
        "mapping": 19,
        "levels": 21,
    }
    assert {k: len({id(x.model_fields_set) for x in v}) for k, v in groups.items()} == dict.fromkeys(groups, 1)

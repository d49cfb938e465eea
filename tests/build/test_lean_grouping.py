"""The lean records of grouping: behaviors, merge log and progressions made without a second validation are the
validated ones; de-duplication's pair records hold no per-instance dict."""

from __future__ import annotations

import pytest

from pipeline.build.behaviors import group_behaviors
from pipeline.build.decisions import DecisionLog
from pipeline.build.dedupe import Alignment, GuardHit, PairOutcome, dedupe
from pipeline.config import Config
from pipeline.models import Behavior, MergeCluster, Occurrence, Progression

CFG = Config().normalize


def _occ(ref: int, level: str, text: str, track: str = "Scale") -> Occurrence:
    return Occurrence(
        doc_id="d1",
        source_file="a.md",
        source_ref=f"L{ref}",
        track=track,
        role=f"CSM {level}",
        role_id=f"role_{level}",
        path="ic",
        level=level,
        competency="Planning",
        competency_id="comp_plan",
        text=text,
    )


OCCURRENCES = [
    _occ(1, "IC2", "Forecasts revenue 3 months in advance"),
    _occ(2, "IC3", "Forecasts revenue 6 months in advance"),
    _occ(3, "IC2", "Keeps the account plan up to date"),
    _occ(4, "IC3", "Keeps the account plan up to date"),
    _occ(5, "IC3", "Keep the account plan up to date", track="Enterprise"),
]


@pytest.fixture(scope="module")
def grouped():
    return group_behaviors(OCCURRENCES, CFG, DecisionLog(None))


def test_lean_behaviors_are_the_validated_ones(grouped) -> None:
    assert [(b.id, b.text, [o.source_ref for o in b.occurrences], b.competency_ids) for b in grouped.behaviors] == [
        ("beh_748fd724cf3d", "Forecasts revenue 3 months in advance", ["L1"], ["comp_plan"]),
        ("beh_069f064fc7c5", "Forecasts revenue 6 months in advance", ["L2"], ["comp_plan"]),
        ("beh_295ae1171cea", "Keeps the account plan up to date", ["L3", "L4", "L5"], ["comp_plan"]),
    ]
    for b in grouped.behaviors:
        validated = Behavior.model_validate(b.model_dump())
        assert b == validated
        assert b.model_dump_json(indent=2) == validated.model_dump_json(indent=2)
        assert b.model_fields_set == validated.model_fields_set == set(Behavior.model_fields)
        assert all(type(o) is Occurrence for o in b.occurrences)


def test_lean_merge_log_is_the_validated_one(grouped) -> None:
    assert [
        (c.representative, [(m.text, m.occurrences) for m in c.members], c.rule, c.tracks) for c in grouped.clusters
    ] == [
        (
            "Keeps the account plan up to date",
            [("Keeps the account plan up to date", 2), ("Keep the account plan up to date", 1)],
            "normalized",
            ["Enterprise", "Scale"],
        )
    ]
    for c in grouped.clusters:
        validated = MergeCluster.model_validate(c.model_dump())
        assert c == validated
        assert c.model_dump_json(indent=2) == validated.model_dump_json(indent=2)
        assert c.model_fields_set == validated.model_fields_set


def test_lean_progressions_are_the_validated_ones(grouped) -> None:
    text = {b.id: b.text for b in grouped.behaviors}
    assert [
        (
            p.track,
            text[p.from_behavior],
            text[p.to_behavior],
            p.from_level,
            p.to_level,
            p.removed_words,
            p.added_words,
            p.rule,
        )
        for p in grouped.progressions
    ] == [
        (
            "Scale",
            "Forecasts revenue 3 months in advance",
            "Forecasts revenue 6 months in advance",
            "IC2",
            "IC3",
            ["3"],
            ["6"],
            "numbers",
        )
    ]
    assert [p.score for p in grouped.progressions] == [97.14]
    for p in grouped.progressions:
        assert type(p.score) is float and type(p.removed_words) is list and type(p.added_words) is list
        validated = Progression.model_validate(p.model_dump())
        assert p == validated
        assert p.model_dump_json(indent=2) == validated.model_dump_json(indent=2)
        assert p.model_fields_set == validated.model_fields_set


def test_pair_records_hold_no_dict() -> None:
    result = dedupe(["Forecasts revenue 3 months in advance", "Forecasts revenue 6 months in advance"], CFG)
    [pair] = result.kept_apart
    assert (pair.a, pair.b, pair.rule, pair.removed, pair.added) == (
        "forecast revenue 3 month in advance",
        "forecast revenue 6 month in advance",
        "numbers",
        ("3",),
        ("6",),
    )
    for record in (pair, pair.alignment):
        assert not hasattr(record, "__dict__")
    assert all("__dict__" not in vars(cls) and cls.__slots__ for cls in (PairOutcome, Alignment, GuardHit))
    with pytest.raises(AttributeError):
        pair.score = 1.0  # type: ignore[misc]

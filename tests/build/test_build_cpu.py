"""Work the build does once, not again: ids of string fields spelled out, bullets cut once per distinct text,
one behavior id per cluster key."""

from __future__ import annotations

import hashlib

import pytest

from pipeline.build import atomized_occurrences, canonical_competencies, place_roles
from pipeline.build import behaviors as behaviors_module
from pipeline.build.atomize import Atomizer
from pipeline.build.behaviors import group_behaviors
from pipeline.build.decisions import DecisionLog
from pipeline.build.settings import NormalizeConfig
from pipeline.ids import canonical_json, stable_id
from tests.factories import behavior, parsed, role


def _generic(prefix: str, **fields: object) -> str:
    return f"{prefix}_{hashlib.sha256(canonical_json(fields).encode('utf-8')).hexdigest()[:12]}"


def test_stable_id_of_strings_is_the_hash_of_the_canonical_json() -> None:
    assert stable_id("comp", name="ownership") == "comp_766ea3554313"
    assert stable_id("role", track="scale", title="csm") == _generic("role", track="scale", title="csm")
    tricky = ['say "hi"', "back\\slash", "tab\tnew\nline", "\x00\x1f\x7f", "café", "\u2028", "😀", ""]
    for text in tricky:
        assert stable_id("beh", key=text) == _generic("beh", key=text)
        assert stable_id("x", zeta=text, alpha="a", mid=text[::-1]) == _generic(
            "x", zeta=text, alpha="a", mid=text[::-1]
        )
    # fields that are not all strings take the generic serialization: the same ids as ever
    assert stable_id("x", a="1", n=1) == _generic("x", a="1", n=1)
    assert stable_id("x", a="1", n=None) == _generic("x", a="1", n=None)
    assert stable_id("x", a="1", n=1) != stable_id("x", a="1", n="1")


def test_each_distinct_bullet_text_is_cut_once(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = NormalizeConfig()
    text = "Speaks openly about risks; will actively identify areas where help is needed"
    docs = [
        parsed(
            track,
            roles=[role("CSM", 0)],
            behaviors=[behavior("CSM", "Ownership", text, "L3"), behavior("CSM", "Ownership", "Owns the plan", "L4")],
        )
        for track in ("Scale", "Enterprise")
    ]
    cut: list[str] = []
    real = Atomizer.split

    def counted(self: Atomizer, bullet: str) -> list[str]:
        cut.append(bullet)
        return real(self, bullet)

    monkeypatch.setattr(Atomizer, "split", counted)
    placed = place_roles(docs, cfg, DecisionLog())
    comps = canonical_competencies(docs, placed, cfg, DecisionLog())
    atomized = atomized_occurrences(docs, {}, placed, comps, cfg)
    assert sorted(cut) == ["Owns the plan", text]
    assert [(o.track, o.source_ref, o.part, o.text) for o in atomized.occurrences] == [
        ("Enterprise", "L3", 0, "Speaks openly about risks"),
        ("Enterprise", "L3", 1, "will actively identify areas where help is needed"),
        ("Enterprise", "L4", 0, "Owns the plan"),
        ("Scale", "L3", 0, "Speaks openly about risks"),
        ("Scale", "L3", 1, "will actively identify areas where help is needed"),
        ("Scale", "L4", 0, "Owns the plan"),
    ]
    assert atomized.occurrences[0].text is atomized.occurrences[3].text  # one string per statement
    assert [(s.track, s.parts) for s in atomized.splits] == [
        ("Scale", ["Speaks openly about risks", "will actively identify areas where help is needed"]),
        ("Enterprise", ["Speaks openly about risks", "will actively identify areas where help is needed"]),
    ]


def test_a_behavior_id_is_hashed_once_per_cluster_key(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = NormalizeConfig()
    docs = [
        parsed(
            track,
            roles=[role("CSM", 0)],
            behaviors=[
                behavior("CSM", "Ownership", "Keeps the board up to date", "L3"),
                behavior("CSM", "Ownership", "Keeps the boards up to date.", "L4"),
                behavior("CSM", "Ownership", "Owns the renewal plan", "L5"),
            ],
        )
        for track in ("Scale", "Enterprise")
    ]
    hashed: list[str] = []
    real = behaviors_module.behavior_id

    def counted(key: str) -> str:
        hashed.append(key)
        return real(key)

    monkeypatch.setattr(behaviors_module, "behavior_id", counted)
    placed = place_roles(docs, cfg, DecisionLog())
    comps = canonical_competencies(docs, placed, cfg, DecisionLog())
    occurrences = atomized_occurrences(docs, {}, placed, comps, cfg).occurrences
    grouped = group_behaviors(occurrences, cfg, DecisionLog())
    assert sorted(hashed) == ["keep board up to date", "own renewal plan"]
    assert [(b.id, b.text, len(b.occurrences)) for b in grouped.behaviors] == [
        (real("keep board up to date"), "Keeps the board up to date", 4),
        (real("own renewal plan"), "Owns the renewal plan", 2),
    ]
    assert [(c.behavior_id, [(m.text, m.occurrences) for m in c.members], c.tracks) for c in grouped.clusters] == [
        (
            real("keep board up to date"),
            [("Keeps the board up to date", 2), ("Keeps the boards up to date.", 2)],
            ["Enterprise", "Scale"],
        )
    ]

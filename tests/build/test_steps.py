"""The four build steps, each alone on hand-made parsed documents (no ingest, no parsers)."""

from __future__ import annotations

import pytest

from pipeline.build import (
    atomized_occurrences,
    canonical_competencies,
    group_behaviors,
    place_roles,
    role_id,
    track_id,
)
from pipeline.build.competencies import competency_id
from pipeline.build.decisions import DecisionLog
from pipeline.build.settings import NormalizeConfig
from pipeline.models import ParsedDocument
from tests.factories import behavior, competency, decisions, parsed, role

CFG = NormalizeConfig()
WRITTEN_ONE_WAY = "every occurrence is written the same way; split one out with occurrence: FILE#L<line>"


def _scale() -> ParsedDocument:
    return parsed(
        "Scale",
        roles=[
            role("Associate Scale CSM", 0),
            role("Scale CSM", 1),
            role("Senior Scale CSM", 2),
            role("CS Team Leader", 3, path="management"),
        ],
    )


# place_roles ------------------------------------------------------------------------------------------------


def test_place_roles_levels_tracks_and_shared_roles() -> None:
    again = parsed("Scale", roles=[role("Scale CSM", 0)], doc_id="doc_scale_2", file="scale_2.md")
    forum = parsed(None, kind="forum_thread")
    placed = place_roles([_scale(), again, forum], CFG, DecisionLog())
    assert list(placed.tracks) == [track_id("Scale")] == ["track_c0b911c417a8"]
    track = placed.tracks[track_id("Scale")]
    assert track.doc_ids == ["doc_scale", "doc_scale_2"]
    assert [(r.title, r.path, r.level, r.doc_id) for r in placed.sorted_roles()] == [
        ("Associate Scale CSM", "ic", "IC1", "doc_scale"),
        ("Scale CSM", "ic", "IC2", "doc_scale"),
        ("Senior Scale CSM", "ic", "IC3", "doc_scale"),
        ("CS Team Leader", "management", "M1", "doc_scale"),
    ]
    assert track.role_ids == [r.id for r in placed.sorted_roles()]
    # the second document's "Scale CSM" is the same role, recorded once (the first document's record)
    assert placed.role("doc_scale_2", "Scale CSM") is placed.role("doc_scale", "Scale CSM")
    assert placed.role("doc_scale_2", "Scale CSM").id == role_id("Scale", "Scale CSM") == "role_392a394c6f0a"
    assert placed.role("doc_scale", "Nobody") is None
    assert [(a.role, a.level, a.basis) for a in placed.levels] == [
        ("Associate Scale CSM", "IC1", "title word 'associate'"),
        ("Scale CSM", "IC2", "menu order (after Associate Scale CSM)"),
        ("Senior Scale CSM", "IC3", "title word 'senior'"),
        ("CS Team Leader", "M1", "title word 'leader'"),
        ("Scale CSM", "IC2", "plain title opening the path (base level)"),
    ]


def test_place_roles_reads_only_level_settings() -> None:
    cfg = CFG.model_copy(update={"base_level": {"ic": 3, "management": 1}})
    placed = place_roles([parsed("Partners", roles=[role("Partner Success Manager", 0)])], cfg, DecisionLog())
    assert [(r.title, r.level) for r in placed.sorted_roles()] == [("Partner Success Manager", "IC3")]


def test_place_roles_level_decisions_applied_stale_and_refused() -> None:
    rid = role_id("Scale", "Scale CSM")
    log = DecisionLog(
        decisions(
            {"action": "level", "role": "role_000000000000", "level": "IC3"},
            {"action": "level", "role": rid, "level": "M2"},
            {"action": "level", "role": rid, "level": "IC4"},
        )
    )
    placed = place_roles([_scale()], CFG, log)
    assert placed.roles[rid].level == "IC4"
    assert [(a.role, a.level, a.basis) for a in placed.levels if a.role_id == rid] == [
        ("Scale CSM", "IC4", "decision (was IC2: menu order (after Associate Scale CSM))")
    ]
    assert [(o.action, o.target, o.status, o.detail) for o in log.ordered()] == [
        ("level", "role_000000000000", "stale", "no role with this id"),
        ("level", rid, "refused", "M2 is not on the ic path of this role"),
        ("level", rid, "applied", "IC2 -> IC4"),
    ]


# canonical_competencies --------------------------------------------------------------------------------------


def _two_tracks() -> list[ParsedDocument]:
    scale = parsed(
        "Scale",
        roles=[role("Scale CSM", 0)],
        competencies=[
            competency("Scale CSM", "Teamwork and Collaboration", "Works with others", "L4"),
            competency("Scale CSM", "Ownership and Impact", ref="L8"),
            competency("Ghost role", "Ownership", "not a role of the document", "L9"),
        ],
        behaviors=[
            behavior("Scale CSM", "Ownership", "Owns the renewal plan", "L10"),
            behavior(
                "Scale CSM",
                "Impact",
                "Speaks openly about risks; will actively identify areas where help is needed",
                "L9",
            ),
        ],
    )
    high = parsed(
        "High Touch",
        roles=[role("HT CSM", 0)],
        competencies=[
            competency("HT CSM", "Teamwork and collab", ref="L2"),
            competency("HT CSM", "Communication Skills", ref="L3"),
        ],
        behaviors=[
            behavior("HT CSM", "Teamwork and collab", "Invests time in their plan", "L5"),
            behavior("HT CSM", "Teamwork and collab", "CSM will invest time in their plan", "L6"),
            behavior("Nobody", "Teamwork and collab", "A bullet under no role of the document", "L7"),
        ],
    )
    return [high, scale]


def test_canonical_competencies_mapping_aliases_covers_descriptions() -> None:
    docs = _two_tracks()
    placed = place_roles(docs, CFG, DecisionLog())
    comps = canonical_competencies(docs, placed, CFG, DecisionLog())
    assert [(m.track, m.name, m.canonical, m.how) for m in comps.mapping] == [
        ("High Touch", "Communication Skills", "Communication", "alias_table"),
        ("High Touch", "Teamwork and collab", "Teamwork and Collaboration", "abbreviation"),
        ("Scale", "Impact", "Impact", "new"),
        ("Scale", "Ownership", "Ownership", "new"),
        ("Scale", "Ownership and Impact", "Ownership and Impact", "new"),
        ("Scale", "Teamwork and Collaboration", "Teamwork and Collaboration", "exact"),
    ]
    teamwork = comps.competencies[competency_id("Teamwork and Collaboration")]
    assert comps.id_of("High Touch", "Teamwork and collab") == teamwork.id == "comp_3f00a06955fd"
    assert [(a.track, a.name, a.how) for a in teamwork.aliases] == [
        ("High Touch", "Teamwork and collab", "abbreviation"),
        ("Scale", "Teamwork and Collaboration", "exact"),
    ]
    assert [(d.role_id, d.text, d.doc_id, d.source_ref) for d in teamwork.descriptions] == [
        (role_id("High Touch", "HT CSM"), None, "doc_high_touch", "L2"),
        (role_id("Scale", "Scale CSM"), "Works with others", "doc_scale", "L4"),
    ]
    both = comps.competencies[competency_id("Ownership and Impact")]
    assert both.covers == sorted([competency_id("Impact"), competency_id("Ownership")])
    # "Ownership" is described only under a role the document does not have: no description
    assert comps.competencies[competency_id("Ownership")].descriptions == []
    assert [c.name for c in comps.sorted_competencies()] == [
        "Communication",
        "Impact",
        "Ownership",
        "Ownership and Impact",
        "Teamwork and Collaboration",
    ]


def test_canonical_competencies_rename_decisions() -> None:
    docs = _two_tracks()
    log = DecisionLog(
        decisions(
            {"action": "rename", "competency": competency_id("Communication"), "name": "Communicating"},
            {"action": "rename", "competency": "comp_000000000000", "name": "Nothing"},
        )
    )
    comps = canonical_competencies(docs, place_roles(docs, CFG, log), CFG, log)
    assert comps.competencies[competency_id("Communication")].name == "Communicating"
    assert [m.canonical for m in comps.mapping if m.name == "Communication Skills"] == ["Communicating"]
    assert [(o.action, o.status, o.detail) for o in log.ordered()] == [
        ("rename", "applied", "'Communication' -> 'Communicating'"),
        ("rename", "stale", "no competency with this id"),
    ]


# atomized_occurrences ----------------------------------------------------------------------------------------


def test_atomized_occurrences_split_bullets_skip_unplaced_roles_order_by_line() -> None:
    docs = _two_tracks()
    placed = place_roles(docs, CFG, DecisionLog())
    comps = canonical_competencies(docs, placed, CFG, DecisionLog())
    out = atomized_occurrences(docs, {"doc_scale": "in/scale.md"}, placed, comps, CFG)
    assert [
        (o.source_file, o.source_ref, o.part, o.role, o.level, o.competency_id, o.text) for o in out.occurrences
    ] == [
        (
            "high_touch.md",
            "L5",
            0,
            "HT CSM",
            "IC2",
            competency_id("Teamwork and Collaboration"),
            "Invests time in their plan",
        ),
        (
            "high_touch.md",
            "L6",
            0,
            "HT CSM",
            "IC2",
            competency_id("Teamwork and Collaboration"),
            "CSM will invest time in their plan",
        ),
        ("in/scale.md", "L9", 0, "Scale CSM", "IC2", competency_id("Impact"), "Speaks openly about risks"),
        (
            "in/scale.md",
            "L9",
            1,
            "Scale CSM",
            "IC2",
            competency_id("Impact"),
            "will actively identify areas where help is needed",
        ),
        ("in/scale.md", "L10", 0, "Scale CSM", "IC2", competency_id("Ownership"), "Owns the renewal plan"),
    ]
    assert [(s.source_file, s.source_ref, s.track, s.parts) for s in out.splits] == [
        (
            "in/scale.md",
            "L9",
            "Scale",
            ["Speaks openly about risks", "will actively identify areas where help is needed"],
        )
    ]


def test_atomized_occurrences_reads_only_atomize_settings() -> None:
    docs = _two_tracks()
    placed = place_roles(docs, CFG, DecisionLog())
    comps = canonical_competencies(docs, placed, CFG, DecisionLog())
    no_split = CFG.model_copy(update={"split_on": []})
    out = atomized_occurrences(docs, {}, placed, comps, no_split)
    assert (len(out.occurrences), out.splits) == (4, [])


# group_behaviors ---------------------------------------------------------------------------------------------


def _plans() -> ParsedDocument:
    return parsed(
        "Scale",
        roles=[role("Scale CSM", 0), role("Senior Scale CSM", 1)],
        behaviors=[
            behavior("Scale CSM", "Planning", "Builds an account plan for the next 3 months", "L3"),
            behavior("Scale CSM", "Planning", "Runs business reviews with the customer", "L4"),
            behavior("Senior Scale CSM", "Planning", "Builds an account plan for the next 6 months", "L7"),
            behavior("Senior Scale CSM", "Planning", "Runs quarterly business reviews with the customer", "L8"),
            behavior("Senior Scale CSM", "Planning", "Run business reviews with customers", "L9"),
        ],
    )


@pytest.fixture(scope="module")
def plan_occurrences():
    doc = _plans()
    placed = place_roles([doc], CFG, DecisionLog())
    comps = canonical_competencies([doc], placed, CFG, DecisionLog())
    return atomized_occurrences([doc], {}, placed, comps, CFG).occurrences


THREE = "Builds an account plan for the next 3 months"
SIX = "Builds an account plan for the next 6 months"
REVIEWS = "Run business reviews with customers"
QUARTERLY = "Runs quarterly business reviews with the customer"


def test_group_behaviors_merges_near_misses_progressions(plan_occurrences) -> None:
    out = group_behaviors(plan_occurrences, CFG, DecisionLog())
    assert [(b.text, [o.level for o in b.occurrences]) for b in out.behaviors] == [
        (THREE, ["IC2"]),
        (SIX, ["IC3"]),
        (REVIEWS, ["IC2", "IC3"]),
        (QUARTERLY, ["IC3"]),
    ]
    three, six, reviews, quarterly = (b.id for b in out.behaviors)
    assert three == "beh_4fc6a76a895f"
    assert [(c.behavior_id, c.rule, [(m.text, m.score) for m in c.members]) for c in out.clusters] == [
        (reviews, "normalized", [(REVIEWS, 100.0), ("Runs business reviews with the customer", 100.0)])
    ]
    assert [(n.a_id, n.b_id, n.score, n.rule) for n in out.near_misses] == [
        (three, six, 97.14, "numbers"),
        (quarterly, reviews, 86.11, "modifier"),  # the matcher: "quarterly" is the one word left over
    ]
    assert [
        (p.from_behavior, p.to_behavior, p.from_level, p.to_level, p.removed_words, p.added_words)
        for p in out.progressions
    ] == [(three, six, "IC2", "IC3", ["3"], ["6"])]


def test_group_behaviors_merge_and_split_decisions(plan_occurrences) -> None:
    three, six = "beh_4fc6a76a895f", "beh_cce0d8712a1e"  # as the test above finds them
    log = DecisionLog(
        decisions(
            {"action": "split", "behavior": three},
            {"action": "merge", "behaviors": [three, six]},
            {"action": "merge", "behaviors": ["beh_000000000000", three]},
        )
    )
    out = group_behaviors(plan_occurrences, CFG, log)
    assert [(b.text, [o.level for o in b.occurrences]) for b in out.behaviors] == [
        (THREE, ["IC2", "IC3"]),
        (REVIEWS, ["IC2", "IC3"]),
        (QUARTERLY, ["IC3"]),
    ]
    assert [(c.representative, c.rule) for c in out.clusters] == [(THREE, "decision"), (REVIEWS, "normalized")]
    assert out.progressions == []
    assert [(o.action, o.target, o.status, o.detail) for o in log.ordered()] == [
        ("split", three, "refused", WRITTEN_ONE_WAY),
        ("merge", f"{three}, {six}", "applied", f"now {three}"),
        ("merge", f"beh_000000000000, {three}", "stale", "no behavior with id beh_000000000000"),
    ]

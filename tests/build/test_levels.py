"""Canonical levels of roles and benchmarks: title words, numbers, menu order, tiers."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build.levels import LevelRules, align_benchmarks, assign_levels, benchmark_level, level_sort_key
from pipeline.config import Config, NormalizeConfig, load_config
from pipeline.models import LevelBenchmark, ParsedRole
from tests.conftest import HIGH_TOUCH, SCALE

CFG = NormalizeConfig()
MANAGEMENT = Config().career_page.management_title_patterns
DATA = Path(__file__).resolve().parent.parent / "data"


def _roles(*specs: tuple[str, str]) -> list[ParsedRole]:
    return [
        ParsedRole(title=t, track="T", path=p, order=i, defined=True, source_ref=f"L{i + 1}")  # type: ignore[arg-type]
        for i, (t, p) in enumerate(specs)
    ]


def _levels(roles: list[ParsedRole], cfg: NormalizeConfig = CFG) -> list[tuple[str, str, str]]:
    return [(a.role, a.level, a.basis) for a in assign_levels("T", roles, {r.title: r.title for r in roles}, cfg)]


@pytest.mark.parametrize("rule", CFG.ic_level_rules, ids=lambda r: r.example)
def test_ic_rule_examples(rule) -> None:
    title, level = rule.example.split(" -> ")
    placed = LevelRules(CFG).by_title(title, "ic")
    assert placed is not None and f"IC{placed.number}" == level


@pytest.mark.parametrize("rule", CFG.management_level_rules, ids=lambda r: r.example)
def test_management_rule_examples(rule) -> None:
    title, level = rule.example.split(" -> ")
    placed = LevelRules(CFG).by_title(title, "management")
    assert placed is not None and f"M{placed.number}" == level


def test_seed_levels(seed_parsed) -> None:
    got = {}
    for name in (SCALE, HIGH_TOUCH):
        p = seed_parsed[name]
        got.update({a.role: a.level for a in assign_levels(p.track, p.roles, {r.title: r.title for r in p.roles}, CFG)})
    assert got == {
        "Associate Scale CSM": "IC1",
        "Scale CSM": "IC2",
        "Senior Scale CSM": "IC3",
        "Senior Principal Scale CSM": "IC5",
        "Strategic Scale CSM": "IC6",
        "CS Team Leader": "M1",
        "CS Group Leader": "M3",
        "Director of Customer Success": "M4",
        "Associate High Touch CSM": "IC1",
        "High Touch CSM": "IC2",
        "Senior High Touch CSM": "IC3",
        "Principal High Touch CSM": "IC4",
        "Senior Principal High Touch CSM": "IC5",
        "Strategic High Touch CSM": "IC6",
        "CS Team Manager": "M1",
        "Senior CS Team Manager": "M2",
        "CS Group Manager": "M3",
        "CS Regional Director": "M4",
    }


def test_plain_titles_and_menu_order() -> None:
    roles = _roles(("Success Manager", "ic"), ("Senior Success Manager", "ic"), ("Success Architect", "ic"))
    assert _levels(roles) == [
        ("Success Manager", "IC2", "plain title opening the path (base level)"),
        ("Senior Success Manager", "IC3", "title word 'senior'"),
        ("Success Architect", "IC4", "menu order (after Senior Success Manager)"),
    ]


def test_numbered_titles() -> None:
    roles = _roles(("Engineer I", "ic"), ("Engineer II", "ic"), ("Engineer 3", "ic"))
    assert [lvl for _, lvl, _ in _levels(roles)] == ["IC1", "IC2", "IC3"]


def test_levels_rise_with_menu_order() -> None:
    roles = _roles(("Senior Analyst", "ic"), ("Junior Analyst", "ic"))
    assert _levels(roles) == [
        ("Senior Analyst", "IC3", "title word 'senior'"),
        ("Junior Analyst", "IC4", "menu order (after Senior Analyst; title word 'junior' gave IC1)"),
    ]


def test_toy_config_rules() -> None:
    toy = load_config(DATA / "toy_normalize.yaml").normalize
    roles = _roles(("Apprentice Gardener", "ic"), ("Gardener", "ic"), ("Master Gardener", "ic"))
    assert [lvl for _, lvl, _ in _levels(roles, toy)] == ["IC1", "IC2", "IC3"]


@pytest.mark.parametrize(
    ("label", "tier", "expected"),
    [
        ("Associate (T1)", "T1", ("IC1", "tier T1")),
        ("CSM (T2)", "T2", ("IC2", "tier T2")),
        ("Senior CSM (T3)", "T3", ("IC3", "tier T3")),
        ("Senior CSM", None, ("IC3", "title word 'senior'")),
        ("CS Team Leader", None, ("M1", "title word 'leader'")),
        ("Customer Success Manager", None, None),
    ],
)
def test_benchmark_levels(label: str, tier: str | None, expected) -> None:
    b = LevelBenchmark(level_label=label, tier=tier, doc_id="d", source_ref="L1")
    assert benchmark_level(b, CFG, MANAGEMENT) == expected


def test_benchmark_management_path_comes_from_the_patterns_passed() -> None:
    b = LevelBenchmark(level_label="CS Team Leader", doc_id="d", source_ref="L1")
    assert benchmark_level(b, CFG, MANAGEMENT) == ("M1", "title word 'leader'")
    assert benchmark_level(b, CFG, []) is None  # on the IC path no title word places "leader"
    assert benchmark_level(b, CFG, [r"\bteam\b"]) == ("M1", "title word 'leader'")


def test_align_benchmarks_sets_canonical_level() -> None:
    b = LevelBenchmark(level_label="Associate (T1)", tier="T1", doc_id="d", source_ref="L1")
    assert [x.canonical_level for x in align_benchmarks([b], CFG, MANAGEMENT)] == ["IC1"]


def test_level_sort_key_is_the_one_level_order() -> None:
    levels = ["M1", "IC10", "IC2", "M12", "M2", "IC1", "L3"]
    assert sorted(levels, key=level_sort_key) == ["IC1", "IC2", "IC10", "M1", "M2", "M12", "L3"]
    assert (level_sort_key("IC3"), level_sort_key("M2"), level_sort_key("staff")) == ((0, 3), (1, 2), (2, 0))

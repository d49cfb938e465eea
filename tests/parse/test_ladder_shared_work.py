"""Ladder detection does its per-text and per-tree work once per document: the answers kept on `Rules`, the
promoted reading of plain text over the same tree shape, and the years line read from a level's section."""

from __future__ import annotations

from pipeline.config import Config
from pipeline.ingest import ingest_bytes
from pipeline.parse.ladder import LadderMemo, Rules, detect, promote_text_headings
from tests.conftest import FIXTURES

CONFIG = Config()
CP = CONFIG.career_page


def test_rules_answers_per_text() -> None:
    rules = Rules(CP.structure)
    assert [rules.is_statement(t) for t in ("N/A", "same as L1", "5+ years of experience", "Owns the roadmap")] == [
        False,
        False,
        False,
        True,
    ]
    assert [rules.level_like(t) for t in ("Senior Engineer", "Engineer II", "IC3", "Hiring process", "Impact:")] == [
        True,
        True,
        True,
        False,
        False,
    ]
    # asked again: the same answers (kept per text)
    assert rules.level_like("Senior Engineer") is True and rules.level_like("Impact:") is False
    assert rules.is_empty("  n / a ") is True and rules.is_empty("Writes tests") is False


def test_promoted_reading_over_the_shared_tree_is_the_plain_one() -> None:
    for name in ("sales_ladder.txt", "data_ladder.txt"):
        doc = ingest_bytes((FIXTURES / name).read_bytes(), name, CONFIG)
        memo = LadderMemo(doc.nodes, CP.structure, CP.path_markers)
        memo.found(False)  # the tree the promoted reading borrows
        promoted = promote_text_headings(doc.nodes, CP.structure)
        alone = detect(promoted, CP.structure, False, CP.path_markers)
        assert memo.promoted() == alone
        assert len(alone.levels) >= 2


def test_years_come_from_the_first_line_that_gives_numbers() -> None:
    md = (
        "# Ladder\n\n## Engineer I\n\nExperience: varies by team\n\nExperience: 2-4 years\n\n- Writes code\n"
        "- Reviews code\n\n## Engineer II\n\n5+ years of experience\n\n- Leads projects\n- Mentors others\n"
    )
    doc = ingest_bytes(md.encode(), "ladder.md", CONFIG)
    found = detect(doc.nodes, CP.structure, False, CP.path_markers)
    assert [(lv.title, lv.years) for lv in found.levels] == [("Engineer I", (2.0, 4.0)), ("Engineer II", (5.0, None))]
    assert [[b.text for c in lv.comps for b in c.behaviors] for lv in found.levels] == [
        ["Writes code", "Reviews code"],
        ["Leads projects", "Mentors others"],
    ]


def test_a_section_without_years_words_is_not_scanned_line_by_line() -> None:
    """One test over a section's joined texts: without what the years patterns need, no line is a years line."""
    rules = Rules(CP.structure)
    assert rules.may_hold_years(["Owns the roadmap", "Coaches new hires"]) is False
    assert rules.may_hold_years(["Owns the roadmap", "3+ Years of Experience"]) is True
    assert rules.may_hold_years(["Owns the roadmap", "Año de EXPERIENCE: 3"]) is True  # not ASCII: the regex test
    assert rules._years == {}  # nothing asked line by line
    doc = ingest_bytes(
        b"# Engineer I\n\n- Owns the roadmap\n- Coaches new hires\n\n# Engineer II\n\n- Leads the roadmap\n"
        b"- 3-5 years of experience\n- Mentors engineers\n",
        "levels.md",
        CONFIG,
    )
    found = detect(doc.nodes, CP.structure, path_markers=CP.path_markers)
    assert [(lv.title, lv.years) for lv in found.levels] == [("Engineer I", (None, None)), ("Engineer II", (3.0, 5.0))]

"""Ladder detection on the document tree: level axis, competency axis, behaviors, paths, years, kinds.

The layouts come from the own-words fixtures under tests/fixtures/ladders/raw (one per layout); the figures
over all of them and over the development set of real ladders are pinned in
tests/devtools/test_eval_structure.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build.documents import join_level_documents, title_stem
from pipeline.config import Config
from pipeline.ingest import ingest_bytes, ingest_file
from pipeline.models import ParsedDocument
from pipeline.parse import parse_document
from pipeline.parse.ladder import detect, parse_years, structure_line
from tests.conftest import FIXTURES

LADDERS = FIXTURES / "ladders" / "raw"


def _parse(name: str, config: Config) -> ParsedDocument:
    doc = ingest_file(LADDERS / name, LADDERS, config)
    assert doc.kind == "career_page"
    return parse_document(doc, config)


def _shape(p: ParsedDocument) -> list[tuple[str, str, list[tuple[str, bool, int]]]]:
    return [
        (
            r.title,
            r.path,
            [
                (c.name, c.applicable, sum(1 for b in p.behaviors if b.role == r.title and b.competency == c.name))
                for c in p.competencies
                if c.role == r.title
            ],
        )
        for r in p.roles
    ]


def test_category_bullets_nested_or_inline_with_years_and_example_lists(config: Config) -> None:
    p = _parse("lumen-customer-success.md", config)
    assert _shape(p)[0] == (
        "CS1 — Customer Success Associate",
        "ic",
        [("Ownership", True, 1), ("Relationships", True, 2), ("Product knowledge", True, 2), ("Growth", True, 1)],
    )
    cs1 = [b.text for b in p.behaviors if b.role == "CS1 — Customer Success Associate"]
    assert cs1[0] == "Handles onboarding for small accounts with the standard playbook."  # inline after the label
    assert "the administrator guide" not in cs1  # a nested example list is not a behavior
    assert [(r.years_min, r.years_max) for r in p.roles][:2] == [(0.0, 2.0), (2.0, 5.0)]
    assert not any(b.text.startswith("Experience") for b in p.behaviors)


def test_bold_label_lines_with_inline_text_or_a_list(config: Config) -> None:
    p = _parse("kestrel-operations-analyst.md", config)
    assert _shape(p)[0] == (
        "Associate Operations Analyst",
        "ic",
        [("Impact", True, 1), ("Craft", True, 2), ("Collaboration", True, 1)],
    )
    assert p.behaviors[0].text == "Delivers well-defined analyses that a senior analyst has scoped."
    assert p.roles[0].summary is None


def test_pipe_matrix_levels_as_columns_drops_na_and_same_as_cells(config: Config) -> None:
    p = _parse("ferrous-data-engineering.md", config)
    assert [r.title for r in p.roles] == ["DE1", "DE2", "DE3", "DE4"]
    assert _shape(p)[1][2] == [
        ("Pipelines", True, 1),
        ("Operations", True, 1),
        ("Mentoring", True, 1),
        ("Stakeholders", True, 1),
    ]
    assert [(b.competency, b.source_ref) for b in p.behaviors if b.role == "DE4"] == [
        ("Pipelines", "L7:r2c5"),
        ("Data quality", "L8:r3c5"),
        ("Mentoring", "L10:r5c5"),
        ("Stakeholders", "L11:r6c5"),
    ]


def test_html_table_levels_as_rows_with_years_column_and_unclosed_items(config: Config) -> None:
    p = _parse("tidewater-solutions.html", config)
    assert [(r.title, r.years_min, r.years_max) for r in p.roles] == [
        ("Solutions Engineer", 0.0, 3.0),
        ("Senior Solutions Engineer", 3.0, 6.0),
        ("Lead Solutions Engineer", 6.0, None),
        ("Principal Solutions Architect", 10.0, None),
    ]
    assert _shape(p)[0][2] == [("Technical depth", True, 2), ("Customer engagement", True, 1)]
    assert [b.text for b in p.behaviors if b.role == "Solutions Engineer"][:2] == [
        "Sets up demo environments",
        "Answers integration questions from the documentation",
    ]
    assert "levels: table rows Solutions Engineer–Principal Solutions Architect" in p.structure


def test_ic_and_management_on_one_page(config: Config) -> None:
    p = _parse("brackenridge-engineering.md", config)
    assert [(r.title, r.path) for r in p.roles] == [
        ("IC1 — Software Engineer", "ic"),
        ("IC2 — Senior Software Engineer", "ic"),
        ("IC3 — Staff Engineer", "ic"),
        ("M1 — Engineering Manager", "management"),
        ("M2 — Senior Engineering Manager", "management"),
    ]


def test_page_wide_sections_and_index_tables_are_not_roles(config: Config) -> None:
    p = _parse("brightwater-support.md", config)
    assert "skipped: 'Hiring process', 'Values'" in p.structure
    assert not any(r.title in ("Hiring process", "Values") for r in p.roles)
    q = _parse("northpine-producer.md", config)
    assert [r.title for r in q.roles] == ["Associate Producer", "Producer", "Senior Producer"]
    assert "skipped: 'table at L5 (no level axis or an index)'" in q.structure


def test_one_level_per_document_joins_into_one_track(config: Config) -> None:
    parsed = [_parse(f"saltmarsh-claims-{n}.txt", config) for n in (1, 2, 3)]
    assert [p.structure for p in parsed][1] == (
        "levels: one level per document ('Claims Support Specialist II'); competencies: list headings; "
        "behaviors: list items"
    )
    assert _shape(parsed[1]) == [
        ("Claims Support Specialist II", "ic", [("Responsibilities", True, 5), ("Skills", True, 2)])
    ]
    joined = join_level_documents(parsed, config)
    assert {p.track for p in joined} == {"Claims Support Specialist"}
    assert {r.track for p in joined for r in p.roles} == {"Claims Support Specialist"}
    assert title_stem("Senior Customer Success Manager (IC4)", config) == "Customer Success Manager"


def test_level_axis_makes_a_career_page_whatever_the_prose(config: Config) -> None:
    prose = " ".join(["Our people grow by taking on harder problems and sharing what they learn."] * 12)
    levels = "".join(
        f"## Analyst {n}\n\n{prose}\n\n- Writes the weekly report {n}\n- Checks the figures {n}\n\n"
        for n in ("I", "II")
    )
    doc = ingest_bytes(f"# Analysts\n\n{prose}\n\n{levels}".encode(), "analysts.md", config)
    assert doc.kind == "career_page"
    p = parse_document(doc, config)
    assert [(r.title, r.summary == prose) for r in p.roles] == [("Analyst I", True), ("Analyst II", True)]
    assert [b.text for b in p.behaviors] == [
        "Writes the weekly report I",
        "Checks the figures I",
        "Writes the weekly report II",
        "Checks the figures II",
    ]


def test_paragraph_only_levels_count_paragraphs_not_summaries_or_years(config: Config) -> None:
    md = (
        "# Writer I\n\nDrafts release notes.\n\nEdits help pages.\n\n__Experience: 1-2 years__\n\n"
        "# Writer II\n\n_At this point, a writer works as an individual contributor._\n\nOwns the style guide.\n"
    )
    doc = ingest_bytes(md.encode(), "writers.md", config)
    found = detect(doc.nodes, config.career_page.structure)
    assert [(lv.title, lv.path, lv.years, [len(c.behaviors) for c in lv.comps]) for lv in found.levels] == [
        ("Writer I", None, (1.0, 2.0), [2]),
        ("Writer II", "ic", (None, None), [1]),
    ]
    assert structure_line(found) == (
        "levels: H1 headings Writer I–Writer II; competencies: none (one unnamed group); behaviors: paragraphs"
    )


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("Experience: 2-5 years", (2.0, 5.0)),
        ("Years of experience: Typically 4+", (4.0, None)),
        ("Typically requires a minimum of 8 years of professional experience.", (8.0, None)),
        ("Experience: Typically doesn’t require professional experience.", (0.0, None)),
        ("Experience: varies", (None, None)),
    ],
)
def test_parse_years(text: str, years: tuple[float | None, float | None]) -> None:
    assert parse_years(text) == years


def test_no_roles_found_gives_a_parse_error_naming_the_file(config: Config) -> None:
    doc = ingest_bytes(b"Just a note.\nAnother sentence here.\n", "note.txt", config, "career_page")
    with pytest.raises(Exception, match="note.txt"):
        parse_document(doc, config)


def test_fixture_folder_exists() -> None:
    assert sorted(p.name for p in Path(LADDERS).iterdir())[:2] == [
        "brackenridge-engineering.md",
        "brightwater-support.md",
    ]


def test_bare_bold_category_bullets_and_a_table_inside_a_level(config: Config) -> None:
    md = (
        "# Data Science Ladder\n\n## Data Scientist I\n\n- **Modeling**\n  - Fits baseline models with guidance\n"
        "  - Validates features with a peer\n- **Communication**\n  - Presents results to the team\n\n"
        "## Data Scientist II\n\n- **Modeling**\n  - Chooses methods for new problems\n\n"
        "## Senior Data Scientist\n\n| Competency | Expectation |\n|---|---|\n"
        "| Modeling | Sets modeling standards for the org. |\n| Communication | N/A |\n\n"
        "## Hiring process\n\n### Step 1\n\n- A call with a recruiter\n\n### Step 2\n\n- A take-home task\n"
    )
    doc = ingest_bytes(md.encode(), "ds.md", config)
    p = parse_document(doc, config)
    assert _shape(p) == [
        ("Data Scientist I", "ic", [("Modeling", True, 2), ("Communication", True, 1)]),
        ("Data Scientist II", "ic", [("Modeling", True, 1)]),
        ("Senior Data Scientist", "ic", [("Modeling", True, 1)]),
    ]
    assert [(b.text, b.source_ref) for b in p.behaviors if b.role == "Senior Data Scientist"] == [
        ("Sets modeling standards for the org.", "L20:r2c2")
    ]
    assert p.structure.endswith("skipped: 'Hiring process'")


def test_pipe_table_levels_as_rows_with_a_code_and_a_title_column(config: Config) -> None:
    md = (
        "# Support ladder\n\n| Level | Title | Scope | Customer impact |\n|---|---|---|---|\n"
        "| L1 | Support Associate | Handles tier-1 tickets with macros. | Keeps CSAT above 90%. |\n"
        "| L2 | Support Specialist | Owns tier-2 tickets end to end. | Runs onboarding calls for small accounts. |\n"
        "| L3 | Senior Support Specialist | Leads escalations across products. | |\n"
    )
    doc = ingest_bytes(md.encode(), "support.md", config)
    assert doc.kind == "career_page"
    p = parse_document(doc, config)
    assert _shape(p) == [
        ("Support Associate", "ic", [("Scope", True, 1), ("Customer impact", True, 1)]),
        ("Support Specialist", "ic", [("Scope", True, 1), ("Customer impact", True, 1)]),
        ("Senior Support Specialist", "ic", [("Scope", True, 1)]),
    ]
    assert [r.summary for r in p.roles] == ["L1", "L2", "L3"]


def test_plain_text_level_lines_without_markup(config: Config) -> None:
    text = (
        "Customer Success Levels\n\nLevel 1 - Associate CSM\nManages a book of small accounts.\n- Runs onboarding\n"
        "- Tracks health scores\n\nLevel 2 - CSM\nManages mid-market accounts.\n- Leads QBRs\n- Forecasts renewals\n"
    )
    doc = ingest_bytes(text.encode(), "cs.txt", config)
    assert doc.kind == "career_page"
    p = parse_document(doc, config)
    assert [(r.title, r.summary) for r in p.roles] == [
        ("Level 1 - Associate CSM", "Manages a book of small accounts."),
        ("Level 2 - CSM", "Manages mid-market accounts."),
    ]
    assert [(b.role, b.text, b.source_ref) for b in p.behaviors][-1] == ("Level 2 - CSM", "Forecasts renewals", "L11")

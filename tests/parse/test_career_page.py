"""Career pages: the seeds' exact structure, the same page as HTML, and other companies' ladders."""

from __future__ import annotations

from collections import Counter

import pytest

from pipeline.errors import ParseError
from pipeline.ingest import ingest_bytes, ingest_file
from pipeline.parse import parse_document
from pipeline.parse.career_page import collapse_abbreviation, role_key
from tests.conftest import FIXTURES, HIGH_TOUCH, RAW, SCALE


def _per_role(parsed) -> list[tuple[str, str, bool, int]]:
    counts = Counter(b.role for b in parsed.behaviors)
    return [(r.title, r.path, r.defined, counts[r.title]) for r in parsed.roles]


def test_scale_csm_structure(seed_parsed) -> None:
    p = seed_parsed[SCALE]
    assert p.track == "Scale CSM"
    assert _per_role(p) == [
        ("Associate Scale CSM", "ic", True, 20),
        ("Scale CSM", "ic", True, 27),
        ("Senior Scale CSM", "ic", True, 24),
        ("Senior Principal Scale CSM", "ic", False, 0),
        ("Strategic Scale CSM", "ic", False, 0),
        ("CS Team Leader", "management", False, 0),
        ("CS Group Leader", "management", False, 0),
        ("Director of Customer Success", "management", False, 0),
    ]
    assert len(p.behaviors) == 71
    assert sorted({c.name for c in p.competencies}) == [
        "Communication",
        "Impact",
        "Ownership",
        "Product Knowledge",
        "Teamwork and Collaboration",
    ]
    assert p.behaviors[0].text == (
        "Prioritizes accounts based on relevant data (prioritization score, MAPP potential, etc.)"
    )
    assert (p.behaviors[0].role, p.behaviors[0].competency, p.behaviors[0].source_ref) == (
        "Associate Scale CSM",
        "Ownership",
        "L43",
    )
    assert p.behaviors[-1].text == "Participates in interviewing and recruiting process for potential candidates"
    assert p.roles[3].summary == "Not defined yet."
    assert p.roles[5].summary == "This role is not yet available."


def test_scale_csm_competency_sections(seed_parsed) -> None:
    p = seed_parsed[SCALE]
    first = [c for c in p.competencies if c.role == "Associate Scale CSM"]
    assert [(c.name, c.applicable) for c in first] == [
        ("Ownership", True),
        ("Communication", True),
        ("Teamwork and Collaboration", True),
        ("Product Knowledge", True),
        ("Impact", True),
    ]
    assert first[0].description == "Able to identify risks and opportunities."
    undefined = [c for c in p.competencies if c.role == "CS Team Leader"]
    assert [(c.name, c.applicable, c.description) for c in undefined] == [
        ("Ownership", False, None),
        ("Communication", False, None),
        ("Teamwork and Collaboration", False, None),
        ("Product Knowledge", False, None),
        ("Impact", False, None),
    ]


def test_high_touch_structure(seed_parsed) -> None:
    p = seed_parsed[HIGH_TOUCH]
    assert p.track == "High Touch CSM"
    assert _per_role(p) == [
        ("Associate High Touch CSM", "ic", True, 15),
        ("High Touch CSM", "ic", True, 27),
        ("Senior High Touch CSM", "ic", True, 36),
        ("Principal High Touch CSM", "ic", True, 36),
        ("Senior Principal High Touch CSM", "ic", False, 0),
        ("Strategic High Touch CSM", "ic", False, 0),
        ("CS Team Manager", "management", True, 33),
        ("Senior CS Team Manager", "management", False, 0),
        ("CS Group Manager", "management", False, 0),
        ("CS Regional Director", "management", True, 51),
    ]
    assert len(p.behaviors) == 198
    assert len({c.name for c in p.competencies}) == 8
    principal = p.roles[3]
    assert principal.summary is None  # no summary, still parsed with its 36 behaviors
    assert p.roles[4].summary.startswith("The role of a Senior Principal CSM who manages independently")


def test_high_touch_not_applicable_competencies(seed_parsed) -> None:
    p = seed_parsed[HIGH_TOUCH]
    na = [
        (c.role, c.name)
        for c in p.competencies
        if not c.applicable and c.role in ("CS Team Manager", "CS Regional Director")
    ]
    assert na == [
        ("CS Team Manager", "Teamwork and collab"),
        ("CS Regional Director", "Teamwork and collab"),
        ("CS Regional Director", "Communication"),
    ]
    texts = {b.text.casefold() for b in p.behaviors}
    assert "n/a" not in texts and "not relevant here." not in texts


def test_high_touch_exact_behaviors(seed_parsed) -> None:
    p = seed_parsed[HIGH_TOUCH]
    by_ref = {b.source_ref: b for b in p.behaviors}
    relationship = [
        b.text for b in p.behaviors if b.role == "Associate High Touch CSM" and b.competency == "Relationship"
    ]
    assert relationship == [
        "Maintains about 3 strong relationships per account (given accounts are small/medium size)",
        "Will actively act to replace champions if the need arises. Strong ability to increase the amount of relationships",
    ]
    assert len(by_ref) == 198  # one bullet per line


def test_html_rendering_parses_like_text(config) -> None:
    text = parse_document(ingest_file(RAW / SCALE, RAW, config), config)
    doc = ingest_file(FIXTURES / "scale_csm.html", FIXTURES, config)
    assert (doc.format, doc.kind) == ("html", "career_page")
    html = parse_document(doc, config)

    def shape(p):
        return (
            p.track,
            [(r.title, r.path, r.order, r.defined, r.summary) for r in p.roles],
            [(c.role, c.name, c.description, c.applicable) for c in p.competencies],
            [(b.role, b.competency, b.text) for b in p.behaviors],
        )

    assert shape(html) == shape(text)
    assert "Home" not in {b.text for b in doc.blocks}  # nav dropped
    assert not any("analytics" in b.text for b in doc.blocks)  # script dropped


def test_markdown_ladder_of_another_company(config) -> None:
    p = parse_document(ingest_file(FIXTURES / "support_ladder.md", FIXTURES, config), config)
    assert p.track == "Technical Support Engineering"
    assert _per_role(p) == [
        ("Support Engineer I", "ic", True, 3),
        ("Support Engineer II", "ic", True, 4),
        ("Staff Support Engineer", "ic", False, 0),
        ("Support Team Lead", "management", True, 1),
    ]
    assert [(c.role, c.name, c.applicable) for c in p.competencies if c.role == "Support Team Lead"] == [
        ("Support Team Lead", "Troubleshooting", False),
        ("Support Team Lead", "Customer Communication", True),
    ]
    assert p.behaviors[3].text == "Reproduces customer issues in a sandbox before escalating."


def test_text_ladder_of_another_company(config) -> None:
    p = parse_document(ingest_file(FIXTURES / "data_ladder.txt", FIXTURES, config), config)
    assert p.track == "Data Analytics Engineer"
    assert _per_role(p) == [
        ("Junior Data Analytics Engineer", "ic", True, 3),
        ("Data Analytics Engineer", "ic", True, 2),
        ("Lead Data Analytics Engineer", "ic", False, 0),
        ("Analytics Engineering Manager", "management", True, 3),
    ]
    assert [c.applicable for c in p.competencies if c.role == "Data Analytics Engineer"] == [True, False]
    assert p.roles[0].summary == "Builds reliable models under the guidance of a senior peer."
    assert [b.text for b in p.behaviors if b.role == "Analytics Engineering Manager"] == [
        "Reviews the modeling roadmap each quarter",
        "Negotiates quarterly priorities with department heads",
        "Coaches engineers on stakeholder updates",
    ]


def test_not_a_career_page_raises_parse_error(config) -> None:
    doc = ingest_bytes(b"Just a note.\nAnother sentence here.\n", "note.txt", config, "career_page")
    with pytest.raises(ParseError, match="note.txt: no role menu or role headings found"):
        parse_document(doc, config)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Scale Customer Success Manager (CSM)", "Scale CSM"),
        ("High Touch Customer Success Manager (CSM) path", "High Touch CSM path"),
        ("Data Analytics Engineer (DAE)", "Data Analytics Engineer"),
        ("Sales (EMEA)", "Sales (EMEA)"),
    ],
)
def test_collapse_abbreviation(text: str, expected: str) -> None:
    assert collapse_abbreviation(text) == expected


def test_role_key() -> None:
    assert role_key("Senior Principal Scale CSM (N/A)") == "senior principal scale csm"
    assert role_key("Teamwork & Collab.") == "teamwork collab"


def test_plain_text_ladder_without_menus(config) -> None:
    doc = ingest_file(FIXTURES / "sales_ladder.txt", FIXTURES, config)
    assert doc.kind == "career_page"
    p = parse_document(doc, config)
    assert p.track == "Contoso Sales Engineering"
    assert _per_role(p) == [
        ("Sales Engineer 1", "ic", True, 3),
        ("Sales Engineer 2", "ic", True, 3),
        ("Sales Engineering Manager", "management", True, 2),
    ]
    assert [(b.competency, b.text) for b in p.behaviors if b.role == "Sales Engineer 2"] == [
        ("Technical Discovery", "Runs discovery calls from the standard question bank."),
        ("Technical Discovery", "Maps requirements to a solution architecture"),
        ("Demonstrations", "Builds tailored demos for each prospect's use case"),
    ]


def test_html_with_nav_menu_and_bold_competency_lines(config) -> None:
    """Role tabs in <nav> (dropped), roles as <h2>, competencies as bold paragraphs: recurrence finds them."""
    doc = ingest_file(FIXTURES / "design_framework.html", FIXTURES, config)
    assert doc.kind == "career_page"
    p = parse_document(doc, config)
    assert p.track == "Product Design"
    assert _per_role(p) == [
        ("Product Designer I", "ic", True, 3),
        ("Product Designer II", "ic", True, 3),
        ("Design Manager", "management", True, 2),  # "Leads a team of 5 designers."
    ]
    assert [(b.competency, b.text) for b in p.behaviors if b.role == "Product Designer II"] == [
        ("Craft", "Produces clean, consistent mockups using the design system."),
        ("Craft", "Extends the design system with new components"),
        ("Collaboration", "Works with 2-3 product managers across squads"),
    ]


def test_two_role_markdown_ladder_with_bold_competencies(config) -> None:
    doc = ingest_file(FIXTURES / "marketing_ladder.md", FIXTURES, config)
    assert doc.kind == "career_page"  # competency names open a list under both roles
    p = parse_document(doc, config)
    assert p.track == "Marketing"
    assert _per_role(p) == [("Marketing Associate", "ic", True, 3), ("Senior Marketing Manager", "ic", True, 3)]
    assert sorted({c.name for c in p.competencies}) == ["Execution", "Strategy"]


@pytest.mark.parametrize(
    ("title", "summary", "path"),
    [
        ("Design Manager", "Leads a team of 5 designers.", "management"),
        ("Senior Marketing Manager", "Owns the quarterly plan.", "ic"),
        ("Engineer III", "Leads the team meetings when the manager is out.", "ic"),
        ("Head of Support", "", "management"),
    ],
)
def test_unmarked_path(config, title: str, summary: str, path: str) -> None:
    from pipeline.parse.career_page import _Rules

    assert _Rules(config.career_page).unmarked_path(title, summary) == path

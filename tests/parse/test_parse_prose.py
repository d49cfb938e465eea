"""Prose parsers: role write-ups, forum threads and articles, on the seeds and on other companies' documents."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.errors import ConfigError, ParseError
from pipeline.ingest import ingest_bytes, ingest_file, load_manifest
from pipeline.models import ParsedDocument
from pipeline.parse import PARSERS, parse_document
from pipeline.parse.article import parse_article
from pipeline.parse.forum_thread import parse_forum_thread
from pipeline.parse.role_descriptions import parse_role_descriptions
from tests.conftest import ARTICLE, FIXTURES, FORUM, PARTNERS

PROSE = FIXTURES / "prose"
CONFIG = Config()


def _parse_fixture(name: str) -> ParsedDocument:
    return parse_document(ingest_file(PROSE / name, PROSE, CONFIG), CONFIG)


def _roles(p: ParsedDocument) -> list[tuple]:
    return [
        (r.title, r.track, r.path, r.order, r.defined, r.years_min, r.years_max, r.scope, r.source_ref) for r in p.roles
    ]


def _facets(p: ParsedDocument) -> list[tuple[str, str, str]]:
    return [(c.role, c.name, c.source_ref) for c in p.competencies]


# ------------------------------------------------------------------------------------- role write-ups


def test_partners_roles_and_years(seed_parsed) -> None:
    p = seed_parsed[PARTNERS]
    assert p.kind == "role_descriptions"
    assert p.track == "Partners Success"
    assert _roles(p) == [
        ("Partners Success Manager", "Partners Success", "ic", 0, True, 1.0, None, [], "L3"),
        ("Senior Partners Success Manager", "Partners Success", "ic", 1, True, 3.0, 4.0, ["Enterprise"], "L10"),
        ("Partners Success Lead", "Partners Success", "management", 2, True, 4.0, 5.0, [], "L17"),
    ]
    assert p.roles[2].summary == (
        "The PS Lead will lead a PSM team or Pod, define the methodology of expansion strategies for our partners, "
        "plan an annual strategy, including KPI’s and Budget planning and monitoring. The PSL will manage and "
        "guide the PSM's to achieve their goals."
    )
    assert p.warnings == []


def test_partners_facets_per_paragraph(seed_parsed) -> None:
    p = seed_parsed[PARTNERS]
    order = ["Collaboration", "Scope and complexity", "Autonomy", "Relationships", "Knowledge", "Experience"]
    roles = ["Partners Success Manager", "Senior Partners Success Manager", "Partners Success Lead"]
    first_lines = [4, 11, 18]
    assert _facets(p) == [
        (role, facet, f"L{start + i}")
        for role, start in zip(roles, first_lines, strict=False)
        for i, facet in enumerate(order)
    ]
    assert p.competencies[3].description == (
        "Well connected with partners. Improves the CSAT, retention & churn figures for specific partners after "
        "working with them."
    )


def test_partners_sentences_become_behaviors(seed_parsed) -> None:
    p = seed_parsed[PARTNERS]
    assert len(p.behaviors) == 32
    assert [(b.competency, b.text) for b in p.behaviors if b.source_ref == "L7"] == [
        ("Relationships", "Well connected with partners."),
        (
            "Relationships",
            "Improves the CSAT, retention & churn figures for specific partners after working with them.",
        ),
    ]
    assert [b.text for b in p.behaviors if b.source_ref == "L11"][0].endswith("impact on the work group's results.")
    texts = (
        [b.text for b in p.behaviors]
        + [c.description or "" for c in p.competencies]
        + [r.summary or "" for r in p.roles]
    )
    assert not any("Ā" in t or "ā" in t for t in texts)  # the ingest repair reached the parser


def test_other_company_role_writeup() -> None:
    p = _parse_fixture("support_roles.txt")
    assert p.kind == "role_descriptions"
    assert p.track == "Technical Support"
    assert _roles(p) == [
        ("Technical Support Engineer", "Technical Support", "ic", 0, True, 0.0, 2.0, [], "L3"),
        (
            "Senior Technical Support Engineer",
            "Technical Support",
            "ic",
            1,
            True,
            3.0,
            None,
            ["Mid-Market", "Enterprise", "250-5,000 users"],
            "L10",
        ),
        ("Support Team Lead", "Technical Support", "management", 2, True, 5.0, None, ["Strategic"], "L17"),
    ]
    # the senior role lists its facets in another order: classification is by content, not position
    assert _facets(p) == [
        ("Technical Support Engineer", "Collaboration", "L4"),
        ("Technical Support Engineer", "Scope and complexity", "L5"),
        ("Technical Support Engineer", "Autonomy", "L6"),
        ("Technical Support Engineer", "Relationships", "L7"),
        ("Technical Support Engineer", "Knowledge", "L8"),
        ("Technical Support Engineer", "Experience", "L9"),
        ("Senior Technical Support Engineer", "Knowledge", "L11"),
        ("Senior Technical Support Engineer", "Scope and complexity", "L12"),
        ("Senior Technical Support Engineer", "Autonomy", "L13"),
        ("Senior Technical Support Engineer", "Collaboration", "L14"),
        ("Senior Technical Support Engineer", "Relationships", "L15"),
        ("Senior Technical Support Engineer", "Experience", "L16"),
        ("Support Team Lead", "Collaboration", "L18"),
        ("Support Team Lead", "Autonomy", "L19"),
        ("Support Team Lead", "Relationships", "L20"),
        ("Support Team Lead", "Experience", "L21"),
    ]
    assert len(p.behaviors) == 16
    assert "own the queue's service levels" in p.roles[2].summary  # "queueās" repaired


def test_role_writeup_without_intros_is_a_parse_error() -> None:
    doc = ingest_bytes(
        b"Works closely with the team.\nHas 3-4 years of experience.\n", "x.txt", CONFIG, "role_descriptions"
    )
    with pytest.raises(ParseError, match="no role introductions found"):
        parse_role_descriptions(doc, CONFIG)


# --------------------------------------------------------------------------------------------- forums


def _posts(p: ParsedDocument) -> list[tuple]:
    return [(x.author, x.date, x.author_title, x.company, x.source_ref, x.is_question) for x in p.posts]


def test_forum_posts_without_furniture_or_copies(seed_parsed) -> None:
    p = seed_parsed[FORUM]
    assert _posts(p) == [
        ("Will Stamatis", "August 2023", "Customer Success Team Manager (Tech Touch)", None, "L1", True),
        ("Miko Hinojosa", "October 2020", None, "Zinier", "L17", False),
        ("James Conant", "October 2020", None, None, "L50", False),
    ]
    everything = "\n".join(x.text for x in p.posts)
    assert everything.count("I'd love to crowdsource some ideas") == 1  # the quoted copy is gone
    for furniture in (
        "Member Posts",
        "Anniversary",
        "edited",
        "Comments",
        "Original Message",
        "Sent:",
        "-----",
        "Tagged",
    ):
        assert furniture not in everything
    assert p.posts[1].text.splitlines()[:2] == [
        "Hi Will -",
        "We have the exact same levels - (Associate, CSM, Senior CSM).",
    ]
    assert p.posts[2].text.startswith("If your team is structured based on the hierarchy described above")


def test_forum_level_benchmarks(seed_parsed) -> None:
    p = seed_parsed[FORUM]
    got = [
        (b.level_label, b.tier, b.years_min, b.years_max, b.segments, b.source_ref, b.post_ref, b.author)
        for b in p.benchmarks
    ]
    assert got == [
        ("Associate (T1)", "T1", 0.0, 1.0, ["SMB", "Mid-Market"], "L24", "L17", "Miko Hinojosa"),
        ("CSM (T2)", "T2", 2.0, 4.0, ["SMB", "Enterprise"], "L25", "L17", "Miko Hinojosa"),
        ("Senior CSM (T3)", "T3", 4.0, 6.0, ["Enterprise"], "L26", "L17", "Miko Hinojosa"),
    ]
    associate, csm, senior = p.benchmarks
    assert associate.account_ownership == ["Manages SMB - Mid Markets accounts only."]
    assert associate.promotion_criteria == [
        "The Key criteria to get promoted to a CSM is to comply with a set of training courses, at leat 1-1.5 years "
        "working in the company, making sure he has good NPS / CSAT."
    ]
    assert csm.account_ownership == ["Handles a blend of SMB and 1 or 2 Enterprise accounts."]
    assert csm.promotion_criteria == ["There's a Training Path set for CSMs to become Senior CSM."]
    assert csm.expectations == [
        "In our case - CSMs need to be a bit more technical and have PM skills.",
        "It is expected to have good NPS / CSAT, some customer referrals.",
        "If your team is structured based on the hierarchy described above, the only thing I would add is an "
        "expectation of the development of people mgmt skills within the CSM role.",
    ]
    assert csm.attached_post_refs == ["L50"]  # the later reply, with its author in forum posts
    assert senior.account_ownership == [
        "Sr CSM is responsible for complex, large customers (Enterprise or ACV above 100K)."
    ]
    assert senior.expectations[0] == "Is responsible for mentoring and managing standard CSMs."
    assert len(senior.expectations) == 3
    assert [b.canonical_level for b in p.benchmarks] == [None, None, None]
    assert (associate.attached_post_refs, senior.attached_post_refs) == ([], [])


def test_other_forum_software() -> None:
    p = _parse_fixture("forum_levels.txt")
    assert p.kind == "forum_thread"
    assert _posts(p) == [
        ("Dana Whitfield", "Mar 3, 2024", "Support Operations Manager", "Brightlane", "L1", True),
        ("Tomás Okafor", "03-05-2024", "Head of Support", "Kestrel Labs", "L9", False),
        ("Priya Raman", "03-06-2024", None, None, "L27", False),
    ]
    assert (
        p.posts[2].text == "Great breakdown. I would also add on-call rotation to the Support Engineer II expectations."
    )
    assert p.warnings == ["forum_levels.txt: L27: 1 repeated paragraph(s) dropped"]
    got = [
        (
            b.level_label,
            b.tier,
            b.years_min,
            b.years_max,
            b.segments,
            b.account_ownership,
            b.promotion_criteria,
            b.expectations,
            b.source_ref,
            b.attached_post_refs,
        )
        for b in p.benchmarks
    ]
    assert got == [
        (
            "Support Engineer I (L1)",
            "L1",
            0.0,
            2.0,
            ["SMB"],
            ["Owns tickets for SMB customers under 50 users."],
            ["Ready for promotion after two quarters above 90% CSAT."],
            [],
            "L14",
            [],
        ),
        (
            "Support Engineer II (L2)",
            "L2",
            2.0,
            5.0,
            ["Mid-Market", "Enterprise"],
            ["Handles Mid-Market accounts and the first Enterprise escalations."],
            [],
            [
                "Expected to write knowledge base articles and review peers' replies.",
                "I would also add on-call rotation to the Support Engineer II expectations.",
            ],
            "L18",
            ["L27"],
        ),
        (
            "Staff Support Engineer (L3)",
            "L3",
            5.0,
            None,
            ["Enterprise"],
            ["Covers Enterprise accounts with ARR over $200K."],
            ["To move to a lead role you need a successor trained."],
            ["Leads incident reviews."],
            "L22",
            [],
        ),
    ]
    assert {b.author for b in p.benchmarks} == {"Tomás Okafor"}


def test_forum_without_posts_is_a_parse_error() -> None:
    doc = ingest_bytes(b"Just a paragraph of text.\nAnother one.\n", "x.txt", CONFIG, "forum_thread")
    with pytest.raises(ParseError, match="no posts found"):
        parse_forum_thread(doc, CONFIG)


# ------------------------------------------------------------------------------------------- articles


def test_article_rubric(seed_parsed) -> None:
    p = seed_parsed[ARTICLE]
    assert [(g.section, g.name, g.source_ref) for g in p.guidance] == [
        ("purpose", "Purpose Statement", "L39"),
        ("responsibility", "Customer outcomes", "L62"),
        ("responsibility", "Company outcomes", "L63"),
        ("mindset", "Authentic Altruism", "L83"),
        ("mindset", "Relentless Ambition", "L83"),
        ("mindset", "Extreme Ownership", "L83"),
        ("skill_set", "Strategic Insight", "L84"),
        ("skill_set", "Disciplined Execution", "L84"),
        ("skill_set", "Intentional Agility", "L84"),
        ("dimension", "Organizational alignment", "L97"),
        ("dimension", "Operational Infrastructure", "L98"),
        ("dimension", "Team enablement", "L99"),
        ("dimension", "Relational Engagement", "L100"),
        ("metric", "Metrics", "L115"),
    ]
    by_name = {g.name: g for g in p.guidance}
    assert by_name["Extreme Ownership"].definition == (
        "embracing accountability for all our decisions and outcomes and not casting blame on customers or others"
    )
    assert by_name["Strategic Insight"].definition == (
        "ability to listen and map the product value to the customer’s needs, as a “trusted partner”"
    )
    assert by_name["Intentional Agility"].definition.endswith(
        "escalations, etc. and remain calm, collected, and unflustered"
    )
    purpose = by_name["Purpose Statement"]
    assert purpose.example == (
        "Degreed CSMs exist to cultivate in our Customers a curiosity, capability and commitment to building "
        "expertise in their people."
    )
    assert purpose.definition.startswith("It’s like your company’s mission statement but for the CSM team;")
    assert by_name["Metrics"].definition.startswith(
        "In short, the metrics you choose should be aligned with the Outcome Drivers"
    )
    assert by_name["Team enablement"].definition.startswith("Team enablement is about equipping CSMs")


def test_other_company_article_in_markdown() -> None:
    p = _parse_fixture("rubric_article.md")
    assert p.kind == "article"
    assert [(g.section, g.name, g.definition, g.source_ref) for g in p.guidance] == [
        (
            "purpose",
            "Mission statement",
            "Keep it to one sentence that every engineer can repeat from memory and that ties to what customers get "
            "from you.",
            "L9",
        ),
        ("responsibility", "Customer health", "tickets closed right the first time, and customers who renew.", "L19"),
        (
            "responsibility",
            "Product quality",
            "bugs found, reproduced and fixed before they reach more customers.",
            "L20",
        ),
        (
            "responsibility",
            "Team capacity",
            "enough trained people on every shift to meet the response times we promise.",
            "L21",
        ),
        ("mindset", "Calm Urgency", "fixing fast without making the customer feel rushed", "L25"),
        ("mindset", "Radical Candor", "saying what is broken, kindly and early", "L25"),
        ("mindset", "Curious Persistence", "following a bug until it has a root cause", "L25"),
        ("skill_set", "Log Forensics", "reading traces and logs to find where a request failed", "L27"),
        ("skill_set", "Plain Writing", "explaining a fix so that a customer admin can apply it alone", "L27"),
        ("dimension", "Tooling that works", "a ticket system, a staging tenant and search across past cases.", "L33"),
        ("dimension", "Coaching time", "one hour a week with a senior engineer.", "L34"),
        ("dimension", "Clear priorities", "Clear priorities for the queue, so nobody guesses what comes first.", "L35"),
        ("dimension", "Recognition", "Recognition of good work in public, not only in reviews.", "L36"),
        (
            "metric",
            "Metrics",
            "Pick two or three metrics per level and track them monthly; first-contact resolution and CSAT should "
            "carry most of the weight, with backlog age as a warning light.",
            "L40",
        ),
    ]
    assert p.guidance[0].example == "We turn every customer problem into a product that breaks less."


def test_article_site_furniture_skipped(seed_parsed) -> None:
    refs = [int(g.source_ref[1:]) for g in seed_parsed[ARTICLE].guidance]
    assert max(refs) < 155  # "You may also like" and the teaser cards after it
    doc = ingest_bytes(b"You may also like\nA teaser title\n22 February, 2021\n", "x.txt", CONFIG, "article")
    with pytest.raises(ParseError, match="no article text"):
        parse_article(doc, CONFIG)


# ------------------------------------------------------------------------------ kinds and the manifest


def test_prose_fixture_kinds_detected() -> None:
    kinds = {p.name: ingest_file(p, PROSE, CONFIG).kind for p in sorted(PROSE.iterdir())}
    assert kinds == {
        "forum_levels.txt": "forum_thread",
        "meeting_notes.txt": "unknown",
        "rubric_article.md": "article",
        "support_roles.txt": "role_descriptions",
    }


def test_unknown_kind_is_reported_with_the_way_out() -> None:
    doc = ingest_file(PROSE / "meeting_notes.txt", PROSE, CONFIG)
    parsed = parse_document(doc, CONFIG)
    assert (parsed.roles, parsed.posts, parsed.guidance) == ([], [], [])
    assert parsed.warnings == [
        "meeting_notes.txt: kind not recognized (best confidence 0.20 is below kinds.min_confidence 0.50); "
        "nothing extracted. Set its kind in manifest.yaml "
        "(valid: career_page, role_descriptions, forum_thread, article)"
    ]


def test_manifest_overrides_detected_kind(tmp_path: Path) -> None:
    (tmp_path / "thread.txt").write_bytes((PROSE / "forum_levels.txt").read_bytes())
    (tmp_path / "notes.txt").write_bytes((PROSE / "meeting_notes.txt").read_bytes())
    (tmp_path / "manifest.yaml").write_text("kinds:\n  thread.txt: article\n  notes.txt: forum_thread\n")
    manifest = load_manifest(tmp_path, CONFIG)
    thread = ingest_file(tmp_path / "thread.txt", tmp_path, CONFIG, manifest)
    notes = ingest_file(tmp_path / "notes.txt", tmp_path, CONFIG, manifest)
    assert (thread.kind, thread.kind_source, thread.kind_confidence) == ("article", "manifest", 1.0)
    assert (notes.kind, notes.kind_source) == ("forum_thread", "manifest")
    with pytest.raises(ParseError, match="no posts found"):
        parse_document(notes, CONFIG)
    (tmp_path / "manifest.yaml").write_text("kinds:\n  notes.txt: blog\n")
    with pytest.raises(ConfigError, match="unknown kind 'blog'"):
        load_manifest(tmp_path, CONFIG)


def test_prose_parsers_registered() -> None:
    assert PARSERS["role_descriptions"] is parse_role_descriptions
    assert PARSERS["forum_thread"] is parse_forum_thread
    assert PARSERS["article"] is parse_article


# ----------------------------------------------------------------------------------------- properties

NOISE = st.sampled_from(
    [
        "",
        "The Senior Widget Engineer will build widgets.",
        "The PS Lead will lead a team.",
        "3-4 years of experience",
        "Jo Doe",
        "Member Posts: 3",
        "edited May 2021",
        "-----",
        "Original Message:",
        "From: Jo Doe",
        "> quoted",
        "Senior (T3): 4–6 years. Owns Enterprise accounts.",
        "CSM: (T2): SMB",
        "• Item (T1)",
        "1. Name is about x",
        "Values are A B (one two three), C D (four five six).",
        "You may also like",
        "“A quote.”",
        "(((",
        "Ā ā",
        "Posted by Jo Doe · Mar 3, 2024",
        "Jo Doe | Head of Support, Globex",
        "mission statement",
        "metrics should",
    ]
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NOISE, max_size=40), st.sampled_from(["a.txt", "a.md"]))
def test_prose_parsers_raise_only_parse_error(lines: list[str], name: str) -> None:
    """Called directly (not through parse_document, which would wrap a bug into a ParseError)."""
    try:
        doc = ingest_bytes("\n".join(lines).encode("utf-8"), name, CONFIG)
    except Exception:  # ingest has its own properties; only the parsers are under test here
        return
    for parser in (parse_role_descriptions, parse_forum_thread, parse_article):
        with contextlib.suppress(ParseError):
            parser(doc, CONFIG)


def test_role_writeup_track_from_titles_when_no_intro_names_it() -> None:
    text = (
        "The Data Analyst will build dashboards for the finance team.\n"
        "Works closely with finance managers and the product group.\n"
        "2-3 years of experience with SQL.\n"
        "The Sr. Data Analyst will own the metrics layer.\n"
        "Works independently with minimal supervision.\n"
        "4+ years of experience.\n"
    )
    p = parse_document(ingest_bytes(text.encode(), "analysts.txt", CONFIG, "role_descriptions"), CONFIG)
    assert p.track == "Data"
    assert [(r.title, r.path, r.years_min, r.years_max) for r in p.roles] == [
        ("Data Analyst", "ic", 2.0, 3.0),
        ("Senior Data Analyst", "ic", 4.0, None),
    ]
    assert _facets(p) == [
        ("Data Analyst", "Collaboration", "L2"),
        ("Data Analyst", "Experience", "L3"),
        ("Senior Data Analyst", "Autonomy", "L5"),
        ("Senior Data Analyst", "Experience", "L6"),
    ]


def test_mail_list_thread_with_header_quote() -> None:
    text = (
        "Ladder question for CS ops\n"
        "Ana Lima\nPosts: 12\n2023-01-10\n"
        "To: anyone running a two-tier CSM team\n"
        "How many years do you expect before Senior?\n"
        "Ben Ode\nPosts: 40\n2023-01-11\n"
        "Senior CSM (T2): 3-5 years. Owns Enterprise accounts.\n"
        "From: Ana Lima\nSent: 2023-01-10\n"
        "How many years do you expect before Senior?\n"
    )
    p = parse_document(ingest_bytes(text.encode(), "digest.txt", CONFIG, "forum_thread"), CONFIG)
    assert [(x.author, x.date, x.text) for x in p.posts] == [
        (
            "Ana Lima",
            "2023-01-10",
            "Ladder question for CS ops\nTo: anyone running a two-tier CSM team\n"
            "How many years do you expect before Senior?",
        ),
        ("Ben Ode", "2023-01-11", "Senior CSM (T2): 3-5 years. Owns Enterprise accounts."),
    ]
    assert [(b.level_label, b.tier, b.years_min, b.years_max, b.account_ownership) for b in p.benchmarks] == [
        ("Senior CSM (T2)", "T2", 3.0, 5.0, ["Owns Enterprise accounts."]),
    ]

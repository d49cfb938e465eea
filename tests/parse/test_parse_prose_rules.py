"""Each rule of the prose parsers on the input its docstring or config example shows."""

from __future__ import annotations

import pytest

from pipeline.config import Config
from pipeline.models import Block
from pipeline.parse.article import _parenthetical_items
from pipeline.parse.article import _Rules as ArticleRules
from pipeline.parse.forum_thread import _level_start, _line_type, _profile, _tier
from pipeline.parse.forum_thread import _Rules as ForumRules
from pipeline.parse.nlp import get_nlp
from pipeline.parse.role_descriptions import _Titles, classify_facet

CONFIG = Config()


@pytest.mark.parametrize("rule", CONFIG.prose.facet_rules, ids=lambda r: r.facet)
def test_facet_rule_classifies_its_example(rule) -> None:
    assert classify_facet(get_nlp(CONFIG)(rule.example), CONFIG.prose) == rule.facet


@pytest.mark.parametrize(
    ("text", "facet"),
    [
        ("Works independently with general supervision on larger projects.", "Autonomy"),
        ("Well connected with partners. Improves retention for specific partners.", "Relationships"),
        ("Highly connected with group directors, VP level and product management.", "Collaboration"),
        ("Combines a strong grasp of the platform. Solves problems in processes.", "Scope and complexity"),
        ("Brings energy to every meeting.", "Summary"),
    ],
)
def test_facet_lead_sentence_then_paragraph(text: str, facet: str) -> None:
    assert classify_facet(get_nlp(CONFIG)(text), CONFIG.prose) == facet


def test_titles_spelled_out_from_the_document() -> None:
    titles = _Titles(CONFIG.prose, ["Partners Success Manager"], "Partners Success", "")
    assert titles.resolve("Sr. PSM") == "Senior Partners Success Manager"
    assert titles.resolve("PS Lead") == "Partners Success Lead"
    assert titles.resolve("Regional Director") == "Regional Director"
    defined = _Titles(CONFIG.prose, [], None, "Our Technical Account Manager (TAM) works with you.")
    assert defined.resolve("Senior TAM") == "Senior Technical Account Manager"


FORUM = ForumRules(CONFIG.prose)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("------", "rule"),
        ("Original Message:", "quote_block"),
        ("> earlier text", "quote_line"),
        ("Jo Doe wrote:", "quote_line"),
        ("From: Jo Doe", "quote_meta"),
        ("Member Posts: 9", "badge"),
        ("Will Stamatis Member Posts: 9 Contributor", "badge"),
        ("5 Comments", "badge"),
        ("12 replies · 4 likes", "badge"),
        ("First Anniversary", "badge"),
        ("edited October 2020", "badge"),
        ("Posted by Jo Doe", "author"),
        ("Mar 3, 2024", "date"),
        ("03-05-2024 10:12 AM", "date"),
        ("Jo Doe", "name"),
        ("Hi Leaders,", "body"),
    ],
)
def test_forum_line_types(text: str, kind: str) -> None:
    assert _line_type(Block(kind="para", text=text, ref="L1"), FORUM) == kind


def test_forum_author_and_profile() -> None:
    assert FORUM.author("Posted by Jo Doe · Mar 3, 2024") == ("Jo Doe", "Mar 3, 2024")
    assert FORUM.badge_owner("Will Stamatis Member Posts: 9 Contributor") == "Will Stamatis"
    assert _profile(["Head of Support at Globex"], FORUM) == ("Head of Support", "Globex")
    assert _profile(["Support Operations Manager at Brightlane · Mar 3, 2024"], FORUM) == (
        "Support Operations Manager",
        "Brightlane",
    )
    assert _profile(["Zinier"], FORUM) == (None, "Zinier")


def test_tier_codes() -> None:
    assert [_tier(t) for t in ("Tier 2", "Level 3", "T1")] == ["T2", "L3", "T1"]


def test_level_start() -> None:
    nlp = get_nlp(CONFIG)
    lv = _level_start(Block(kind="item", text="CSM: (T2): 2-4 years of experience. Handles SMB.", ref="L1"), nlp)
    assert (lv.label, lv.core, lv.body, lv.heading_only) == (
        "CSM (T2)",
        "CSM",
        ["2-4 years of experience. Handles SMB."],
        False,
    )
    heading = _level_start(Block(kind="para", text="Support Engineer I (L1)", ref="L2"), nlp)
    assert (heading.label, heading.core, heading.heading_only) == (
        "Support Engineer I (L1)",
        "Support Engineer I",
        True,
    )
    for text in ("Hi Will -", "We have the exact same levels - (Associate, CSM, Senior CSM).", "Note: see above."):
        assert _level_start(Block(kind="para", text=text, ref="L3"), nlp) is None


ARTICLE = ArticleRules(CONFIG.prose)


def test_article_cue_nearest_before_items() -> None:
    assert ARTICLE.cue("some of the skill sets we require are: ") == "skill_set"
    assert ARTICLE.cue("aligned with team values. At Acme, the mindsets we share are ") == "mindset"
    assert ARTICLE.cue("there are four operational dimensions that CSMs need") == "dimension"
    assert ARTICLE.cue("Here is a list:") is None


def test_article_leading_name() -> None:
    assert ARTICLE.leading_name("Team enablement is about equipping CSMs.") == (
        "Team enablement",
        "Team enablement is about equipping CSMs.",
    )
    assert ARTICLE.leading_name("Tooling: what we build for them.") == ("Tooling", "what we build for them.")
    assert ARTICLE.leading_name("Clear priorities, so nobody guesses.") == (
        "Clear priorities",
        "Clear priorities, so nobody guesses.",
    )
    assert ARTICLE.leading_name("The “mindsets” piece can speak to values.") is None
    assert ARTICLE.leading_name("Reviews every single open ticket daily.") is None  # no name boundary in reach


def test_parenthetical_items() -> None:
    text = "we share are Authentic Altruism (thinking of others first), and Extreme Ownership (embracing accountability (all of it) daily)."
    assert [(name, d) for _, name, d in _parenthetical_items(text, 4)] == [
        ("Authentic Altruism", "thinking of others first"),
        ("Extreme Ownership", "embracing accountability (all of it) daily"),
    ]
    assert _parenthetical_items("then (in Part 2) and CSG (Consulting)", 4) == []

"""Forum threads from other communities: one fixture thread per layout (Reddit-like text, Discourse-like HTML,
GitHub Discussions-like Markdown, a Slack paste, a Khoros-like community page, a mailing list), each
detected as a thread with no manifest and read into exact posts, parents, quotes and level benchmarks."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build.levels import align_benchmarks
from pipeline.config import Config
from pipeline.ingest import ingest_bytes, ingest_file
from pipeline.ingest.classify import detect_kind
from pipeline.models import Block, ParsedDocument
from pipeline.parse import parse_document
from pipeline.parse.forum_signals import Signals, line_type, thread_evidence
from pipeline.parse.forum_thread import _prose_label
from pipeline.parse.nlp import experience_years

THREADS = Path(__file__).resolve().parent.parent / "fixtures" / "threads"
CONFIG = Config()
SIG = Signals(CONFIG.prose)


def _parse(name: str) -> ParsedDocument:
    doc = ingest_file(THREADS / name, THREADS, CONFIG)
    assert (doc.kind, doc.kind_source) == ("forum_thread", "detected")
    return parse_document(doc, CONFIG)


def _posts(p: ParsedDocument) -> list[tuple]:
    return [(x.author, x.date, x.source_ref, x.reply_to, x.quotes) for x in p.posts]


def _benchmarks(p: ParsedDocument) -> list[tuple]:
    return [
        (b.level_label, b.tier, b.years_min, b.years_max, b.segments, b.source_ref, b.post_ref, b.author)
        for b in p.benchmarks
    ]


def _claims(p: ParsedDocument) -> list[tuple]:
    return [(b.account_ownership, b.promotion_criteria, b.expectations, b.attached_post_refs) for b in p.benchmarks]


def _everything(p: ParsedDocument) -> str:
    return "\n".join(x.text for x in p.posts)


# ------------------------------------------------------------------------------------------ layouts


def test_reddit_like_text() -> None:
    p = _parse("reddit_support_levels.txt")
    assert _posts(p) == [
        ("quietqueue", "3 yr. ago", "L1", None, []),
        ("helpdesk_hal", "3 yr. ago", "L11", "L1", []),
        ("quietqueue", "3 yr. ago", "L23", "L11", ["L11"]),  # "level 2": a reply to the answer it quotes
        ("helpdesk_hal", "3 yr. ago", "L30", "L23", []),  # "level 3"
        ("tier3_tam", "3 yr. ago", "L36", "L1", []),  # back to "level 1"; "(edited)" is not part of the date
    ]
    assert _benchmarks(p) == [
        ("Support Engineer I", None, 0.0, 2.0, ["SMB"], "L14", "L11", "helpdesk_hal"),
        ("Support Engineer II", None, 2.0, 4.0, ["Mid-Market"], "L15", "L11", "helpdesk_hal"),
        ("Senior Support Engineer", None, 5.0, None, ["Enterprise"], "L16", "L11", "helpdesk_hal"),
        ("Senior", None, 3.0, 5.0, ["Strategic"], "L38", "L36", "tier3_tam"),  # prose, years in words
    ]
    assert _claims(p) == [
        (["Works the general queue and owns tickets for SMB customers."], [], [], []),
        (
            ["Handles Mid-Market accounts and writes macros for the team."],
            [],
            ["A Support Engineer II should also mentor one new hire through onboarding."],
            ["L30"],  # the later reply adds to the level; the question in L23 does not
        ),
        (
            ["Owns escalations for Enterprise customers."],
            ["Promotion to Senior needs a quarter of leading the on-call rotation."],
            [],
            [],
        ),
        (
            [
                "Seniors at my place get the strategic accounts (ARR over 250k) and need three to five years in "
                "the role."
            ],
            [],
            [],
            [],
        ),
    ]
    everything = _everything(p)
    assert everything.count("Handles Mid-Market accounts and writes macros for the team.") == 1
    for furniture in ("r/SupportLeaders", "level 1", "Reply", "Share", "Save", "87", "OP", "(edited)", "Comments"):
        assert furniture not in everything.split("\n")
    assert p.posts[2].text == "Do your Support Engineer IIs also mentor the new hires?"
    assert p.warnings == []


def test_discourse_like_html() -> None:
    p = _parse("discourse_csm_levels.html")
    assert _posts(p) == [
        ("rosa.m", "Feb 12, 2024", "L8", None, []),
        ("devika_p", "Feb 12, 2024", "L23", "L8", []),
        ("rosa.m", "Feb 13, 2024", "L38", "L8", ["L23"]),  # the quote aside names devika_p
        ("devika_p", "Feb 13, 2024", "L51", "L38", []),  # "Replying to @rosa.m"
    ]
    assert p.posts[1].author_title == "Director of Customer Success"
    assert _benchmarks(p) == [
        ("Associate CSM (T1)", "T1", 0.0, 1.0, ["SMB"], "L29", "L23", "devika_p"),
        ("CSM (T2)", "T2", 2.0, 4.0, ["Mid-Market"], "L30", "L23", "devika_p"),
        ("Senior CSM (T3)", "T3", 5.0, None, ["Enterprise"], "L31", "L23", "devika_p"),  # "five-plus years"
    ]
    assert _claims(p)[2] == (
        ["Covers Enterprise customers with ARR over $500K."],
        ["To move up to Senior you need two renewals you led end to end."],
        ["I would also add that a Senior CSM should run the onboarding of new hires."],
        ["L51"],
    )
    everything = _everything(p)
    assert everything.count("Owns 30 Mid-Market accounts and runs their QBRs.") == 1
    assert p.posts[2].text == "Thirty feels like a lot. Do your CSMs get a pooled tech-touch segment on top of that?"
    assert p.posts[3].text == (
        "No pooled segment for us. I would also add that a Senior CSM should run the onboarding of new hires."
    )
    for furniture in ("Likes", "Reply", "devika_p:", "Replying to"):
        assert furniture not in everything
    assert p.warnings == ["discourse_csm_levels.html: L38: 1 repeated paragraph(s) dropped"]


def test_github_discussions_like_markdown() -> None:
    p = _parse("github_devrel_levels.md")
    assert _posts(p) == [
        ("lena-ortiz", "Mar 2, 2023", "L1", None, []),
        ("kwame-a", "Mar 3, 2023", "L13", "L1", []),
        ("lena-ortiz", "Mar 3, 2023", "L25", "L13", ["L13"]),  # "replied" under a "commented" post
        ("kwame-a", "Mar 4, 2023", "L31", "L13", []),
        ("sam-whit", "Mar 5, 2023", "L35", "L1", []),  # "· edited" is not part of the date
    ]
    assert _benchmarks(p) == [
        ("Developer Advocate I", None, 0.0, 2.0, [], "L17", "L13", "kwame-a"),
        ("Developer Advocate II", None, 2.0, 5.0, [], "L18", "L13", "kwame-a"),
        ("Senior Developer Advocate", None, 5.0, None, ["Enterprise"], "L19", "L13", "kwame-a"),
    ]
    assert _claims(p) == [
        (
            [],
            [],
            [
                "Writes tutorials and answers community questions.",
                "Ours is similar, but our Developer Advocate I also covers the Discord help channel.",
            ],
            ["L35"],
        ),
        (
            [],
            [],
            [
                "Owns one product area and speaks at meetups.",
                "Developer Advocate II should also own the docs for that area.",
            ],
            ["L31"],
        ),
        (
            [],
            ["Criteria for promotion: a talk at a major conference and a mentee who shipped."],
            ["Sets the content plan for Enterprise customers."],
            [],
        ),
    ]
    everything = _everything(p)
    assert everything.count("Owns one product area and speaks at meetups.") == 1
    assert p.posts[2].text == "Is one product area enough scope at II?"  # "(edited)" cut
    for furniture in ("👍", "❤", "Answer selected", "Replies:", "started this conversation"):
        assert furniture not in everything


def test_slack_paste() -> None:
    p = _parse("slack_onboarding_levels.txt")
    assert _posts(p) == [
        ("Aisha Bello", "9:14 AM", "L1", None, []),
        ("Tom Reyes", "9:20 AM", "L4", "L1", []),
        ("Aisha Bello", "9:31 AM", "L11", "L4", []),  # "2 replies" under Tom's message: its thread
        ("Tom Reyes", "9:33 AM", "L13", "L4", []),
        ("Grace Kim", "10:02 AM", "L15", "L1", []),
    ]
    assert _benchmarks(p) == [
        ("Onboarding Specialist I", None, 0.0, 2.0, ["SMB"], "L6", "L4", "Tom Reyes"),
        ("Onboarding Specialist II", None, 2.0, 4.0, ["Mid-Market"], "L7", "L4", "Tom Reyes"),
        ("Lead Onboarding Specialist", None, 4.0, None, ["Enterprise"], "L8", "L4", "Tom Reyes"),
    ]
    assert _claims(p)[0] == (
        ["Runs standard onboardings for SMB customers."],  # the clause after "0-2 years,"
        [],
        ["An Onboarding Specialist I should also shadow two Mid-Market projects before moving up."],
        ["L13"],
    )
    assert _claims(p)[2][1] == ["Promotion to Lead needs three Enterprise go-lives without an escalation."]
    everything = _everything(p)
    for furniture in ("#cs-leadership", ":raised_hands:", ":+1:", "2 replies", "(edited)"):
        assert furniture not in everything


def test_khoros_like_html() -> None:
    p = _parse("khoros_renewal_levels.html")
    assert _posts(p) == [
        ("jwalsh_cs", "03-14-2023", "L7", None, []),
        ("mfernandez", "03-15-2023", "L19", "L7", []),  # "Trailblazer" is a rank, not the author
        ("jwalsh_cs", "03-15-2023", "L32", "L7", ["L19"]),  # "mfernandez wrote:"
    ]
    assert _benchmarks(p) == [
        ("Renewal Manager I", None, 0.0, 2.0, ["SMB"], "L24", "L19", "mfernandez"),
        ("Renewal Manager II", None, 3.0, 5.0, ["Mid-Market"], "L25", "L19", "mfernandez"),
        ("Senior Renewal Manager", None, 6.0, None, ["Enterprise"], "L26", "L19", "mfernandez"),
    ]
    assert _claims(p)[2][1] == [
        "The criteria to become Senior are two clean forecast quarters and a renewal rate above 92%."
    ]
    assert _claims(p)[1][2:] == (
        [
            "Owns Mid-Market renewals and negotiates multi-year terms.",
            "We will also expect a Renewal Manager II to run price-increase conversations.",
        ],
        ["L32"],
    )
    everything = _everything(p)
    assert everything.count("negotiates multi-year terms") == 1
    for furniture in ("Kudo", "REPLIES", "Accepted Solution", "Contributor II", "Trailblazer", "wrote:"):
        assert furniture not in everything


def test_mailing_list() -> None:
    p = _parse("mailing_list_consultants.txt")
    assert [(x.author, x.date, x.author_title, x.company, x.source_ref, x.reply_to, x.quotes) for x in p.posts] == [
        ("Hannah Okoye", "Tue, 7 Mar 2023 09:15:02 +0000", None, None, "L1", None, []),
        (
            "Ben Adler",
            "Tue, 7 Mar 2023 11:02:40 +0000",
            "Head of Services",  # from the signature after "-- "
            "Lumen Analytics",
            "L13",
            "L1",
            ["L1"],  # "On …, Hannah Okoye <…> wrote:" and "> …" lines
        ),
        ("Carla Mendes", "Wed, 8 Mar 2023 16:40:11 +0000", None, None, "L31", "L1", []),
    ]
    assert _benchmarks(p) == [
        ("Associate Consultant", None, 0.0, 2.0, ["SMB"], "L23", "L13", "Ben Adler"),
        ("Implementation Consultant", None, 2.0, 5.0, ["Mid-Market"], "L24", "L13", "Ben Adler"),
        ("Principal Consultant", None, 6.0, None, ["Enterprise"], "L25", "L13", "Ben Adler"),
    ]
    assert _claims(p)[1] == (
        [],
        [],
        [
            "Leads Mid-Market projects and scopes custom work.",
            "I would add that an Implementation Consultant should also train the customer's admins.",
        ],
        ["L31"],
    )
    everything = _everything(p)
    assert everything.count("We are writing our first ladder for implementation consultants") == 1
    for furniture in ("Subject:", "From:", "Lumen Analytics", "wrote:"):
        assert furniture not in everything


def test_benchmarks_line_up_with_the_canonical_ladder() -> None:
    levels = {
        name: [
            b.canonical_level
            for b in align_benchmarks(
                _parse(name).benchmarks, CONFIG.normalize, CONFIG.career_page.management_title_patterns
            )
        ]
        for name in ("reddit_support_levels.txt", "mailing_list_consultants.txt", "discourse_csm_levels.html")
    }
    assert levels == {
        "reddit_support_levels.txt": ["IC1", "IC2", "IC3", "IC3"],  # "Senior" in prose sits with the titled one
        "mailing_list_consultants.txt": ["IC1", "IC2", "IC4"],  # a plain title after IC1 in the same post: IC2
        "discourse_csm_levels.html": ["IC1", "IC2", "IC3"],
    }


def test_evidence_for_the_report() -> None:
    assert _parse("mailing_list_consultants.txt").kind_evidence == [
        "3 post header(s): L1 Hannah Okoye (Tue, 7 Mar 2023 09:15:02 +0000, mail header); L13 Ben Adler "
        "(Tue, 7 Mar 2023 11:02:40 +0000, mail header); L31 Carla Mendes (Wed, 8 Mar 2023 16:40:11 +0000, mail "
        "header)",
        "3 quote marker(s) (quoted lines, 'wrote:', 'Original Message', mail headers)",
    ]


# ------------------------------------------------------------------------------------ kind detection


def _blocks(lines: list[str]) -> list[Block]:
    return [Block(kind="para", text=t, ref=f"L{n}") for n, t in enumerate(lines, start=1)]


def test_a_byline_is_not_a_thread() -> None:
    page = [
        "Support Engineering Ladder",
        "Last updated by Jane Doe · Mar 3, 2023",
        "Support Engineer I",
        "Answers tickets from the general queue.",
        "Support Engineer II",
        "Owns Mid-Market escalations.",
    ]
    ev = thread_evidence(_blocks(page), CONFIG.prose)
    assert (len(ev.headers), ev.score) == (0, 0.0)
    byline = ["Why levels matter", "Jane Doe · Mar 3, 2023", *(["A long paragraph about levels and growth."] * 5)]
    assert thread_evidence(_blocks(byline), CONFIG.prose).score == 0.3  # one author: not a conversation


def test_article_with_a_comment_section_counts_half() -> None:
    article = ["Jane Doe · Mar 3, 2023"] + [f"Paragraph {i} of the essay " + "word " * 60 for i in range(8)]
    comments = ["Sam Lee · Mar 4, 2023", "Great piece.", "Ana Ruiz · Mar 5, 2023", "Agreed."]
    ev = thread_evidence(_blocks(article + comments), CONFIG.prose)
    assert [h[1] for h in ev.headers] == ["Jane Doe", "Sam Lee", "Ana Ruiz"]
    assert ev.first_post_share > 0.6
    assert ev.score == 0.45


def test_thread_detected_without_manifest_and_bad_thread_is_one_line_error() -> None:
    text = "Ana Lima · 2 days ago\nHow many levels do you run?\nBen Ode · 1 day ago\nThree: I, II and Senior.\n"
    doc = ingest_bytes(text.encode(), "t.txt", CONFIG)
    assert detect_kind(doc.blocks, CONFIG.kinds, CONFIG.career_page, CONFIG.prose, doc.nodes) == ("forum_thread", 0.6)
    p = parse_document(doc, CONFIG)
    assert [(x.author, x.date, x.reply_to) for x in p.posts] == [
        ("Ana Lima", "2 days ago", None),
        ("Ben Ode", "1 day ago", "L1"),
    ]


# ------------------------------------------------------------------------------------------- rules


@pytest.mark.parametrize("rule", CONFIG.prose.post_header_rules, ids=lambda r: r.example)
def test_header_rule_reads_its_example(rule) -> None:
    h = SIG.header(rule.example)
    assert h is not None and (h.author, h.date) == (rule.author, rule.date)


@pytest.mark.parametrize(
    "rules",
    [CONFIG.prose.depth_patterns, CONFIG.prose.reply_mention_patterns, CONFIG.prose.inline_furniture_patterns],
    ids=["depth", "mention", "inline_furniture"],
)
def test_pattern_rules_match_their_examples(rules) -> None:
    import re

    for rule in rules:
        assert re.search(rule.pattern, rule.example, re.IGNORECASE), rule.example
    assert SIG.depth("level 2") == 2
    assert SIG.mention("Replying to @rosa.m") == "rosa.m"
    assert SIG.strip_inline("Thanks for this! (edited)") == "Thanks for this!"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Posted by u/csm_lena · 3 yr. ago", "header"),
        ("@rui-santos commented on Mar 3, 2023", "header"),
        ("Priya Natarajan 10:42 AM", "header"),
        ("marcus_t OP · 2 yr. ago", "header"),
        ("Omar Haddad (Customer) asked a question.", "header"),
        ("Tomás Okafor | Head of Support, Kestrel Labs", "author"),  # a signature line: no date
        ("level 3", "depth"),
        ("--", "signature"),
        ("Reply · Share · Save", "badge"),
        ("Reply Share Report Save", "badge"),
        ("42", "badge"),
        ("Upvote 12 Downvote", "badge"),
        ("👍 7 ❤️ 2", "badge"),
        (":raised_hands: 4", "badge"),
        ("Top 1% Commenter", "badge"),
        ("Contributor II", "badge"),
        ("✅ Answer selected by lena-ortiz", "badge"),
        ("Best Answer", "badge"),
        ("3 replies", "badge"),
        ("(edited)", "badge"),
        ("Yesterday at 4:05 PM", "date"),
        ("3 yr. ago", "date"),
        ("rosa.m", "handle"),
        ("We meet at 10:42 AM every Monday to review the queue.", "body"),
        ("Support Engineer II: 2 to 4 years. Handles Mid-Market accounts.", "body"),
    ],
)
def test_new_line_types(text: str, kind: str) -> None:
    assert line_type(Block(kind="para", text=text, ref="L1"), SIG) == kind


def test_years_in_words_and_prose_levels() -> None:
    assert experience_years("three to five years") == (3.0, 5.0)
    assert experience_years("five-plus years") == (5.0, None)
    assert experience_years("at least two years") == (2.0, None)
    assert _prose_label("Seniors at my place get the strategic accounts") == "Senior"
    assert _prose_label("Our Senior Engineers own Enterprise tickets") == "Senior Engineer"
    assert _prose_label("Leads Mid-Market projects and scopes work") is None
    assert _prose_label("We have three levels") is None


PHPBB = """Levels for a small support desk
Post by kbarlow » Fri Mar 03, 2023 10:42 am
How many levels do you use for support agents, and what do they own?
Top
Post by dnorth » Fri Mar 03, 2023 1:15 pm
kbarlow wrote: ↑
How many levels do you use for support agents, and what do they own?
We have Tier 1 agents with 0-1 years who take chat and email from SMB customers, and Tier 2 agents with 2-4 years who own Mid-Market escalations.
Top
Post by kbarlow » Sat Mar 04, 2023 9:02 am
Thanks. Tier 2 agents should also write the weekly bug digest, I think.
"""

COMMUNITY = """Rachel Kim (Acme Corp) asked in #CustomerSuccess
March 3, 2023 at 10:42 AM
How should we level our admins?
Best Answer chosen by Rachel Kim
Victor Chen (Globex)
March 3, 2023 at 1:05 PM
Admin I: 0-2 years. Maintains SMB orgs. Admin II: 3-5 years. Owns the Enterprise org and its release calendar.
Like
Answer
Share
Rachel Kim (Acme Corp)
March 4, 2023 at 9:00 AM
Thanks Victor, that helps.
"""


def test_phpbb_like_posts_and_levels_in_one_sentence() -> None:
    doc = ingest_bytes(PHPBB.encode(), "phpbb.txt", CONFIG)
    assert doc.kind == "forum_thread"
    p = parse_document(doc, CONFIG)
    assert _posts(p) == [
        ("kbarlow", "Fri Mar 03, 2023 10:42 am", "L1", None, []),
        ("dnorth", "Fri Mar 03, 2023 1:15 pm", "L5", "L1", ["L1"]),
        ("kbarlow", "Sat Mar 04, 2023 9:02 am", "L10", "L1", []),
    ]
    assert [
        (b.level_label, b.tier, b.years_min, b.years_max, b.segments, b.attached_post_refs) for b in p.benchmarks
    ] == [
        ("Tier 1", "T1", 0.0, 1.0, ["SMB"], []),
        ("Tier 2", "T2", 2.0, 4.0, ["Mid-Market"], ["L10"]),
    ]
    assert [
        b.canonical_level
        for b in align_benchmarks(p.benchmarks, CONFIG.normalize, CONFIG.career_page.management_title_patterns)
    ] == ["IC1", "IC2"]


def test_community_question_with_company_in_parentheses_and_two_levels_on_one_line() -> None:
    doc = ingest_bytes(COMMUNITY.encode(), "community.txt", CONFIG)
    assert doc.kind == "forum_thread"
    p = parse_document(doc, CONFIG)
    assert [(x.author, x.date, x.company, x.source_ref) for x in p.posts] == [
        ("Rachel Kim", "March 3, 2023", None, "L1"),
        ("Victor Chen", "March 3, 2023", "Globex", "L5"),
        ("Rachel Kim", "March 4, 2023", "Acme Corp", "L11"),
    ]
    assert [(b.level_label, b.years_min, b.years_max, b.segments, b.expectations) for b in p.benchmarks] == [
        ("Admin I", 0.0, 2.0, ["SMB"], ["Maintains SMB orgs."]),
        ("Admin II", 3.0, 5.0, ["Enterprise"], ["Owns the Enterprise org and its release calendar."]),
    ]
    assert "Best Answer" not in "\n".join(x.text for x in p.posts)

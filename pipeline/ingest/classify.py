"""Detect a document's kind from its structure and cues, never from its file name.

Each kind gets a score in 0..1 from a few structural features; the best score is the confidence. Below
`kinds.min_confidence` the document is `unknown` and reported, not guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.ingest.settings import KindConfig
    from pipeline.parse.ladder import LadderMemo
    from pipeline.parse.settings import CareerPageConfig, ProseConfig

from pipeline.models import Block, DocKind, Node
from pipeline.parse.forum_signals import thread_evidence
from pipeline.parse.regex_needs import either, needs

_FORUM_CUES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bmember posts?:?\s*\d+",
        r"\bposts?:\s*\d+",
        r"^edited\b.*\b(?:19|20)\d\d\b",
        r"\boriginal message\b",
        r"^(?:from|sent|subject):\s",
        r"^\d+\s+(?:comments?|replies|likes?|kudos)\s*$",
        r"^(?:comments|replies|reply|quote|tagged:?)\s*$",
        r"\b(?:first|second|third|\d+(?:st|nd|rd|th))\s+anniversary\b",
        r"\b(?:wrote|replied|posted)\s*:?\s*$",
    )
]
# what a line needs before each cue can match (`regex_needs`): most lines hold none of it
_FORUM_NEEDS = [needs(p.pattern, p.flags) for p in _FORUM_CUES]
_FORUM_ANY = either(_FORUM_NEEDS)  # one test first: a line without any of it holds no cue
_YEARS = re.compile(r"\b\d+(?:\.\d+)?\s*(?:\+|[-–]\s*\d+(?:\.\d+)?)?\s*years?\b(?:\s+of\s+experience)?", re.IGNORECASE)
_ROLE_INTRO = re.compile(r"^(?:[Tt]he|[Aa]n?|[Oo]ur)\s+(?:[A-Z][\w&/-]*\s+){1,6}(?:will|is|leads?|owns?)\b")
_QUESTION_HEAD = re.compile(r"^(?:\d+[.)]\s*)?[A-Z][^.!]{10,120}\?\s*$")
_LEVEL_WORDS = re.compile(
    r"\b(?:associate|junior|senior|principal|staff|lead|leader|manager|director|head|strategic|intern|"
    r"i{1,3}|iv|v|l\d|[1-9])\b",
    re.IGNORECASE,
)


def _forum_cues(text: str) -> int:
    """How many forum cues `text` holds."""
    low = text.lower() if text.isascii() else None
    if _FORUM_ANY is not None and not _FORUM_ANY.found_in(text, low):
        return 0
    return sum(
        1
        for p, need in zip(_FORUM_CUES, _FORUM_NEEDS, strict=True)
        if (need is None or need.found_in(text, low)) and p.search(text)
    )


def _structure(blocks: list[Block], max_heading_words: int) -> dict[str, float]:
    """The features read from block kinds, texts and word counts alone (no line pattern is tried)."""
    short: Counter[str] = Counter()  # non-item lines short enough for a heading and not ending as a sentence
    heads: set[str] = set()  # a name that opens a bullet list under two or more roles is a competency even in
    # a two-role ladder
    para_words: list[int] = []  # word counts of the paragraphs longer than a heading
    words = items = headings = 0
    previous: Block | None = None
    for b in blocks:
        t, kind = b.text, b.kind
        n = len(t.split())
        words += n
        if kind == "item":
            items += 1
            if previous is not None and previous.kind != "item":
                heads.add(previous.text.casefold())
        else:
            if kind == "heading":
                headings += 1
            elif kind == "para" and n > max_heading_words:
                para_words.append(n)
            if n <= max_heading_words and not t.endswith((".", "?", "!", ":")):
                short[t.casefold()] += 1
        previous = b
    recurring = [t for t, c in short.items() if c >= 3 or (c >= 2 and t in heads)]
    levelled = [t for t, c in short.items() if c == 2 and _LEVEL_WORDS.search(t)]
    return {
        "items": items,
        "headings": headings,
        "recurring": len(recurring),
        "levelled_titles": len(levelled),
        "words": words,
        "long_paras": len(para_words),
        "avg_para_words": (sum(para_words) / len(para_words)) if para_words else 0.0,
    }


def _cues(blocks: list[Block]) -> dict[str, float]:
    """The features read by line patterns: forum cues, years of experience, role intros, question headings
    (each distinct text tried once, counted per line)."""
    once = Counter(b.text for b in blocks)
    return {
        "forum": sum(n * _forum_cues(t) for t, n in once.items()),
        "years": sum(n for t, n in once.items() if _YEARS.search(t)),
        "role_intros": sum(n for t, n in once.items() if _ROLE_INTRO.match(t)),
        "questions": sum(n for t, n in once.items() if _QUESTION_HEAD.match(t)),
    }


def _features(blocks: list[Block], max_heading_words: int) -> dict[str, float]:
    """Every feature the kind scores read (`_combine`)."""
    return _structure(blocks, max_heading_words) | _cues(blocks)


def level_axis(nodes: list[Node], career_page: CareerPageConfig, ladders: LadderMemo | None = None) -> float:
    """Career-page evidence from the tree, whatever the prose: 1.0 when it has a level axis (two or more levels
    as headings or a ladder table), 0.6 when plain-text lines that look like levels head two or more levels or
    it reads as one level of a ladder (a level-like title over two or more competencies), else 0.

    `ladders`: the document's ladder detection, kept for the career-page parser (made here when not given or
    made for other nodes or settings)."""
    from pipeline.parse.ladder import LadderMemo

    cp = career_page
    memo = ladders
    if memo is None or not memo.serves(nodes, cp.structure, cp.path_markers):
        memo = LadderMemo(nodes, cp.structure, cp.path_markers)
    if len(memo.found(single_level=False).levels) >= 2:
        return 1.0
    # plain text: level-like short lines as headings
    if not any(n.kind == "heading" for n in nodes) and len(memo.promoted().levels) >= 2:
        return 0.6
    found = memo.found(single_level=True)
    if len(found.levels) == 1:
        lv = found.levels[0]
        if memo.rules.level_like(lv.title) and sum(1 for c in lv.comps if c.name) >= 2:
            return 0.6
    return 0.0


def kind_scores(
    blocks: list[Block],
    career_page: CareerPageConfig,
    prose: ProseConfig,
    nodes: list[Node] | None = None,
    ladders: LadderMemo | None = None,
) -> dict[str, float]:
    """Score per kind in 0..1 (exposed for the report and for tests); `nodes`: the tree, for the level axis;
    `ladders`: the document's ladder detection, filled here and handed on to the career-page parser.

    Kind detection borrows the parsers' own notions, passed in explicitly: the career-page parser's structure
    (`career_page`: a block of at most `max_heading_words` words may be a role or competency heading; the
    level-axis rules), so a page is called a career page exactly when that parser would find a ladder in it, and
    the thread parser's post-header and furniture rules (`prose`).
    """
    f = _features(blocks, career_page.max_heading_words)
    # post headers, furniture and quoting in any forum's layout (the cue count knows fewer shapes)
    thread = thread_evidence(blocks, prose).score
    axis = level_axis(nodes, career_page, ladders) if nodes else 0.0
    return _combine(len(blocks), f, thread, axis)


def _combine(n_blocks: int, f: dict[str, float], thread: float, axis: float) -> dict[str, float]:
    """The four kind scores from the features `f`, the thread score and the level axis. Each score only grows
    with the cue counts it reads and the forum score with `thread`, which is what `detect_kind`'s bounds rely on."""
    item_share = f["items"] / max(1, n_blocks)
    career = (
        0.45 * min(1.0, f["recurring"] / 3)
        + 0.35 * min(1.0, f["items"] / 10)
        + 0.2 * min(1.0, f["levelled_titles"] / 2)
    )
    forum = max(min(1.0, f["forum"] / 4), thread)
    threadlike = f["forum"] >= 3 or thread >= 0.6
    roles = (
        0.4 * min(1.0, f["years"] / 2) + 0.4 * min(1.0, f["role_intros"] / 2) + 0.2 * (1.0 if item_share < 0.1 else 0.0)
    ) * (1.0 if f["recurring"] < 3 else 0.4)
    article = (
        0.35 * min(1.0, f["words"] / 1200)
        + 0.35 * min(1.0, f["avg_para_words"] / 40)
        + 0.3 * min(1.0, f["questions"] / 3)
    ) * (1.0 if f["recurring"] < 3 else 0.5)
    if axis >= 1.0:  # a level axis makes a career page, however much prose surrounds it
        career, forum, roles, article = max(career, 0.9), forum * 0.5, roles * 0.5, article * 0.5
    elif axis > 0:
        career = max(career, axis)
    return {
        "career_page": round(career, 3),
        "forum_thread": round(forum * (0.6 if f["items"] > 20 and f["recurring"] >= 3 else 1.0), 3),
        "role_descriptions": round(roles * (0.5 if threadlike else 1.0), 3),
        "article": round(article * (0.5 if threadlike else 1.0), 3),
    }


def _best(scores: dict[str, float]) -> tuple[str, float]:
    """The winning kind and its score: the highest score, ties to the later name."""
    return max(scores.items(), key=lambda kv: (kv[1], kv[0]))


# cue counts past every saturation point of `_combine`: with them a score is at its most
_MANY = 1e9
_FORUM_HIGH = {"forum": _MANY, "years": 0.0, "role_intros": 0.0, "questions": 0.0}
_PROSE_HIGH = {"forum": 0.0, "years": _MANY, "role_intros": _MANY, "questions": _MANY}


def _decided_scores(
    blocks: list[Block],
    career_page: CareerPageConfig,
    prose: ProseConfig,
    nodes: list[Node] | None = None,
    ladders: LadderMemo | None = None,
) -> dict[str, float]:
    """`kind_scores` where they decide the kind; when the structure alone already makes the document a career page,
    only that score (the same value): the line cues and the thread evidence are then not read.

    The career-page score reads no line cue and no thread evidence. The other scores are bounded from above by
    `_combine` with the cues at their most (forum: every cue and a full thread score; roles and article: all
    their cues and no forum signal, which would halve them). When the career page beats every bound by
    `_best`'s order it beats the true scores too, since rounding keeps order."""
    f = _structure(blocks, career_page.max_heading_words)
    axis = level_axis(nodes, career_page, ladders) if nodes else 0.0
    forum_high = _combine(len(blocks), f | _FORUM_HIGH, 1.0, axis)
    prose_high = _combine(len(blocks), f | _PROSE_HIGH, 0.0, axis)
    bounds = {
        "career_page": forum_high["career_page"],
        "forum_thread": forum_high["forum_thread"],
        "role_descriptions": prose_high["role_descriptions"],
        "article": prose_high["article"],
    }
    if _best(bounds)[0] == "career_page":
        return {"career_page": bounds["career_page"]}
    thread = thread_evidence(blocks, prose).score
    return _combine(len(blocks), f | _cues(blocks), thread, axis)


def detect_kind(
    blocks: list[Block],
    kinds: KindConfig,
    career_page: CareerPageConfig,
    prose: ProseConfig,
    nodes: list[Node] | None = None,
    ladders: LadderMemo | None = None,
) -> tuple[DocKind, float]:
    """Best-scoring kind and its confidence; `unknown` when no kind reaches `kinds.min_confidence`. The same answer
    as the best of `kind_scores`, without the line cues and the thread evidence when the structure decides it.

    Pass `ladders` (a `LadderMemo` of `nodes`) to keep the ladder detection for the parser: it runs once."""
    kind, best = _best(_decided_scores(blocks, career_page, prose, nodes, ladders))
    if best < kinds.min_confidence:
        return "unknown", best
    return kind, best  # type: ignore[return-value]  # the score keys are exactly the DocKind values

"""Parse forum threads: posts (author, date, title, company, text) and the level benchmarks they describe.

1. Every line gets a type (`_line_type`, ordered rules): rule, quoted copy, quote header, badge/counter,
   author line, date, person's name, or body.
2. A post starts at a header: a name (or an author line) followed by badges, counters or a date.
3. In a post, badges, buttons and "edited …" lines, signatures (a rule, the author's name, a title or a
   company) and quoted copies (an "Original Message" block, `>` lines, a paragraph repeating an earlier
   post) are dropped, so nothing is counted twice; signatures and quote headers still give the author's
   title and company.
4. Level benchmarks: a line "<level label>: …" (or a short level line followed by items) with years, a
   tier or a segment describes a level; its sentences become promotion criteria, account ownership or
   expectations. A later post's sentence that adds to one level it names is attached to that level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.parse.settings import ProseConfig

if TYPE_CHECKING:
    from pipeline.config import Config

from pipeline.errors import ParseError
from pipeline.models import Block, Document, ForumPost, LevelBenchmark, ParsedDocument
from pipeline.parse.forum_signals import Signals, find_headers, key, line_type, line_types, thread_evidence
from pipeline.parse.nlp import entities, entity_value, experience_years, get_nlp
from pipeline.settings import compiled

_TIER_WORDS = re.compile(r"^(?:tier|level)\s*(\d)$", re.IGNORECASE)
_LABEL_LINE = re.compile(r"^(?P<label>[^:–—]{1,60}?)\s*(?::|\s[-–—]\s)\s*(?P<body>\S.*)$")
_LEADING_TIER = re.compile(r"^\(\s*(?P<tier>[^()]{1,12})\s*\)\s*:?\s*")
_PAREN = re.compile(r"\s*\([^()]*\)\s*")
_WORDS = re.compile(r"[^\w]+")
_NUMBERED = re.compile(r"^[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,4}\s+(?:I{1,3}|IV|V|VI|[1-9])$")
_NEXT_LABEL = re.compile(r"(?<=[.!?])\s+(?=[A-Z][^.:?!]{0,50}?(?::|\s[-–—]\s))")
_LEAD_IN = re.compile(r"^(?:we (?:have|use|call|put|give)|we've got|there (?:are|is)|at \w+,)\s+", re.IGNORECASE)
_LEVEL_CLAUSE = re.compile(r"(?:;|,\s*(?:and|while|whereas)?)\s+(?=(?:(?:our|the|my)\s+)?[A-Z])")
_CLAUSE = re.compile(r"^\s*(?:[,;:–—-]|and\b)\s*(?:and\s+)?(?P<rest>\w.*)$")
_PROSE_LEVEL_WORDS = {"associate", "junior", "senior", "staff", "principal", "lead", "intern", "sr", "jr"}
_DETERMINERS = {"our", "the", "my", "all", "most", "their", "your", "a", "an"}
_REPLY_COUNT = re.compile(r"^(\d+)\s+repl(?:y|ies)\s*$", re.IGNORECASE)
_QUOTE_INTRO = re.compile(
    r"^(?:on\s.+?,\s*)?(?P<author>[^,:]{1,60}?)\s*(?:<[^>]*>)?\s*(?:wrote|said|a écrit)?\s*:\s*(?:↑.*)?$",
    re.IGNORECASE,
)


class _Rules(Signals):
    """The forum signals plus the benchmark rules of one `ProseConfig`."""

    def __init__(self, cfg: ProseConfig) -> None:
        super().__init__(cfg)
        flags = re.IGNORECASE
        self.promotion = compiled(cfg.promotion_patterns, flags)
        self.ownership = compiled(cfg.ownership_patterns, flags)
        self.addition = compiled(cfg.addition_patterns, flags)


def _line_type(b: Block, rules: _Rules) -> str:
    """Type of one line (see `forum_signals.line_type`)."""
    return line_type(b, rules)


@dataclass
class _Post:
    author: str
    start: int  # index of the header's first block
    body_start: int
    ref: str
    date: str | None = None
    title: str | None = None
    company: str | None = None
    depth: int | None = None
    verb: str | None = None
    start_indent: tuple[int, int] = (0, 0)  # (list depth, indentation) of the header line
    lines: list[Block] = field(default_factory=list)
    quoted_authors: list[str] = field(default_factory=list)  # named by "X wrote:", "From: X" of a copy
    quoted_texts: list[str] = field(default_factory=list)  # "> …" lines
    quotes: list[int] = field(default_factory=list)  # indexes of the earlier posts it quotes
    mention: str | None = None  # the author it says it replies to
    reply_count: int | None = None  # "3 replies" under it: the next posts answer it
    parent: int | None = None


def _profile(texts: list[str], rules: _Rules) -> tuple[str | None, str | None]:
    """Title and company from signature / header lines: `"Head of Support at Globex"` -> both."""
    title = company = None
    for text in texts:
        for rx in rules.dates:  # "Mar 3, 2024" must not split at its comma into a company "2024"
            text = rx.sub(" ", text)
        for part in (p.strip() for p in re.split(r"\s*[|·•,]\s*", text) if p.strip()):
            m = re.match(r"^(?P<title>.+?)\s+(?:at|@)\s+(?P<company>.+)$", part)
            if m and rules.is_title(m.group("title")):
                title = title or m.group("title")
                company = company or m.group("company")
            elif rules.date(part):
                continue
            elif rules.is_title(part):
                title = title or part
            elif len(part.split()) <= 5:
                company = company or part
    return title, company


def _key(text: str) -> str:
    return key(text)


def _signature(
    blocks: list[Block], types: list[str], k: int, end: int, rules: _Rules
) -> tuple[int, str | None, list[str]]:
    """At a rule: (index after the signature, its name, its other lines), or (k, None, []) if none."""
    j = k + 1
    if j >= end or types[j] not in ("name", "author"):
        return k, None, []
    lines: list[str] = []
    if types[j] == "author":  # "Jo Doe | Head of Support, Globex" on one line
        name, rest = rules.author(blocks[j].text)  # type: ignore[misc]  # typed "author" only when it parses
        lines.append(rest)
    else:
        name = blocks[j].text
    j += 1
    while j < end and types[j] not in ("rule", "quote_block") and len(blocks[j].text.split()) <= 8 and len(lines) < 3:
        lines.append(blocks[j].text)
        j += 1
    if j < end and types[j] == "rule":
        j += 1
    return j, name, lines


def _mail_signature(blocks: list[Block], types: list[str], k: int, end: int) -> tuple[int, list[str]]:
    """At a `--` fence: (index after the signature, its lines): up to 4 short lines, not a quote or a header."""
    j = k + 1
    lines: list[str] = []
    while (
        j < end
        and len(lines) < 4
        and types[j] in ("name", "author", "body", "handle", "date", "badge")
        and len(blocks[j].text.split()) <= 10
    ):
        lines.append(blocks[j].text)
        j += 1
    return j, lines


def _quote_intro(text: str, known: set[str], rules: _Rules) -> str | None:
    """The author a quote introduction names: `"On Tue, 7 Mar 2023, Hannah Okoye <h@x.org> wrote:"` ->
    `"Hannah Okoye"`; `"rosa.m:"` -> `"rosa.m"` when rosa.m wrote an earlier post."""
    m = _QUOTE_INTRO.match(text)
    if not m:
        return None
    author = rules.person(m.group("author"))
    if author is None:
        return None
    said = re.search(r"\b(?:wrote|said|a écrit)\s*:", text, re.IGNORECASE)
    return author if said or author in known else None


def _read_posts(doc: Document, rules: _Rules) -> tuple[list[_Post], list[str]]:
    blocks = doc.blocks
    types = line_types(blocks, rules)
    hits = find_headers(blocks, types, rules)
    if not hits:
        raise ParseError(
            f"{doc.file}: no posts found (expected an author and a date, badges or counters: 'Posted by u/name · "
            "3 yr. ago', '@name commented on Mar 3, 2023', 'Jane Doe 10:42 AM', 'From:/Date:' headers, or a "
            "name followed by badges); is it a forum thread?"
        )
    posts: list[_Post] = []
    for h in hits:
        title, company = _profile(h.rest + h.extra, rules)
        posts.append(
            _Post(
                author=h.author,
                start=h.start,
                body_start=h.body_start,
                ref=blocks[h.start].ref,
                date=h.date,
                title=title,
                company=company,
                depth=h.depth,
                verb=h.verb,
                start_indent=(blocks[h.start].level if blocks[h.start].kind == "item" else 0, blocks[h.start].indent),
            )
        )
    warnings: list[str] = []
    profiles: dict[str, tuple[str | None, str | None]] = {}
    for n, post in enumerate(posts):
        start = 0 if n == 0 else post.body_start
        end = posts[n + 1].start if n + 1 < len(posts) else len(blocks)
        known = {p.author for p in posts[:n]}
        k = start
        quoted = False
        quote_author: str | None = None
        while k < end:
            if n == 0 and post.start <= k < post.body_start:
                k = post.body_start
                continue
            t, b = types[k], blocks[k]
            if t == "quote_block":
                quoted = True
            elif t == "quote_meta" and (quoted or (k + 1 < end and types[k + 1] == "quote_meta")):
                # a mail header block (From:/Sent:/Subject:) opens a copy; a lone "To: all" line is body text
                meta_key, value = rules.meta(b.text)  # type: ignore[misc]  # typed quote_meta only when it parses
                quoted = True
                if meta_key == "from":
                    quote_author = value
                    name = rules.person(value)
                    if name:
                        post.quoted_authors.append(name)
            elif t == "badge" and (count := _REPLY_COUNT.match(b.text)):
                post.reply_count = int(count.group(1))
            elif t == "quote_line":
                intro = _quote_intro(b.text, known, rules)
                if intro:
                    post.quoted_authors.append(intro)
                elif b.text.startswith(">"):
                    post.quoted_texts.append(b.text.lstrip("> "))
            elif t == "rule":
                after, name, lines = _signature(blocks, types, k, end, rules)
                if name is not None:
                    owner = quote_author if quoted and quote_author else post.author
                    if name == owner:
                        profiles.setdefault(owner, _profile(lines, rules))
                    k = after
                    continue
            elif t == "signature" and not quoted:
                after, lines = _mail_signature(blocks, types, k, end)
                if lines and (rules.person(lines[0]) == post.author or rules.is_name(lines[0])):
                    profiles.setdefault(post.author, _profile(lines[1:], rules))
                k = after
                continue
            elif not quoted and t in ("body", "name", "quote_meta", "handle"):
                intro = _quote_intro(b.text, known, rules) if b.text.endswith(":") else None
                if intro is not None:
                    post.quoted_authors.append(intro)
                else:
                    text = rules.strip_inline(b.text)
                    if not post.lines and n > 0 and post.mention is None:
                        post.mention = rules.mention(text)
                        if post.mention is not None and key(text) == key(
                            f"{text.split(post.mention)[0]}{post.mention}"
                        ):
                            text = ""  # "Replying to @rosa.m" says nothing else
                    if text:
                        post.lines.append(b if text == b.text else b.model_copy(update={"text": text}))
            k += 1
    for post in posts:  # a profile from a signature fills what the header did not give
        title, company = profiles.get(post.author, (None, None))
        post.title = post.title or title
        post.company = post.company or company
    _drop_copies(doc, posts, warnings)
    _link(posts)
    return posts, warnings


def _drop_copies(doc: Document, posts: list[_Post], warnings: list[str]) -> None:
    """A paragraph repeating (part of) an earlier post is a quoted copy: dropped, and the post linked to it."""
    earlier: list[str] = []  # per earlier post, its kept text as one comparison string
    for n, post in enumerate(posts):
        kept = []
        for b in post.lines:
            k = key(b.text)
            source = next((i for i, text in enumerate(earlier) if f" {k} " in text), None)
            if source is not None and len(k.split()) >= 5:
                if source not in post.quotes:
                    post.quotes.append(source)
                continue
            kept.append(b)
        for quoted in post.quoted_texts:
            k = key(quoted)
            source = next((i for i, text in enumerate(earlier) if f" {k} " in text), None) if k else None
            if source is not None and source not in post.quotes:
                post.quotes.append(source)
        for name in post.quoted_authors:
            source = next((i for i in range(n - 1, -1, -1) if posts[i].author == name), None)
            if source is not None and source not in post.quotes:
                post.quotes.append(source)
        post.quotes.sort()
        if len(kept) < len(post.lines):
            warnings.append(f"{doc.file}: {post.ref}: {len(post.lines) - len(kept)} repeated paragraph(s) dropped")
        post.lines = kept
        earlier.append(" " + " ".join(key(b.text) for b in kept) + " ")


def _link(posts: list[_Post]) -> None:
    """Each reply's parent: the author it names, a depth marker, its indentation, 'replied' under a 'commented'
    post, else the question."""
    replies = posts[1:]
    layout = sorted({p.start_indent for p in replies}) if replies else []
    threaded = any(p.verb == "commented" for p in posts) and any(p.verb == "replied" for p in posts)
    counted: dict[int, int] = {}  # post -> its parent, from a "3 replies" counter on the parent
    for n, post in enumerate(posts):
        if post.reply_count and n > 0:
            for m in range(n + 1, min(len(posts), n + 1 + post.reply_count)):
                counted.setdefault(m, n)
    for n, post in enumerate(posts):
        if n == 0:
            post.depth = 0
            continue
        if n in counted and post.depth is None and post.mention is None:
            post.parent = counted[n]
            post.depth = (posts[counted[n]].depth or 1) + 1
            continue
        named = [i for i in range(n - 1, -1, -1) if post.mention and posts[i].author == post.mention]
        if named:
            post.parent = named[0]
            post.depth = (posts[named[0]].depth or 0) + 1
            continue
        if post.depth is None and len(layout) >= 2:
            post.depth = layout.index(post.start_indent) + 1
        if post.depth is None and threaded and post.verb == "replied":
            under = next((i for i in range(n - 1, 0, -1) if posts[i].verb == "commented"), None)
            if under is not None:
                post.parent, post.depth = under, 2
                continue
        post.depth = post.depth or 1
        post.parent = next((i for i in range(n - 1, -1, -1) if (posts[i].depth or 0) < post.depth), 0)


def _tier(text: str) -> str:
    """`"Tier 2"` -> `"T2"`, `"Level 3"` -> `"L3"`, `"T1"` -> `"T1"`."""
    m = _TIER_WORDS.match(text.strip())
    return f"{text.strip()[0].upper()}{m.group(1)}" if m else text.strip()


@dataclass
class _Level:
    label: str
    core: str  # the label without its tier: how later posts name the level
    block: Block
    body: list[str]
    heading_only: bool  # "Senior Engineer (L3):" alone on its line; its items follow


def _level_start(b: Block, nlp, rules: _Rules | None = None) -> _Level | None:
    """A line that opens a level's description, or None.

    `"CSM: (T2): 2-4 years of experience. …"` -> label `"CSM (T2)"`, body `"2-4 years of experience. …"`.
    """
    m = _LABEL_LINE.match(b.text)
    if m and len(m.group("label").split()) <= 6:
        label, body = m.group("label").strip(), m.group("body").strip()
        lead = _LEADING_TIER.match(body)
        if lead and entities(nlp(lead.group("tier")), "TIER"):
            label, body = f"{label} ({lead.group('tier').strip()})", body[lead.end() :]
    elif len(b.text.split()) <= 6 and not b.text.endswith((".", "?", "!", ",")):
        label, body = b.text.rstrip(":").strip(), ""
    else:
        return None
    label_doc = nlp(label)
    named = (
        any(e.label_ in ("LEVEL", "TIER") for e in label_doc.ents)
        or any(w.isupper() and len(w) >= 2 for w in label.split())
        or bool(_NUMBERED.search(_PAREN.sub(" ", label).strip()))  # "Support Engineer I", "Consultant 2"
        # "Implementation Consultant: 2-5 years. …": a title with its description on the line
        or bool(
            body
            and rules is not None
            and len(label.split()) <= 4
            and label.split()[-1].casefold() in rules.role_nouns
            and not body.endswith("?")
        )
    )
    if not named or not label[:1].isupper():
        return None
    if body and not any(e.label_ in ("EXPERIENCE", "TIER", "SEGMENT", "ACCOUNT_SIZE") for e in nlp(body).ents):
        return None
    core = _PAREN.sub(" ", label).strip()
    return _Level(label=label, core=core, block=b, body=[body] if body else [], heading_only=not body)


def _split_levels(b: Block, nlp, rules: _Rules) -> list[_Level]:
    """Several labelled levels on one line: `"Admin I: 0-2 years. Maintains SMB orgs. Admin II: 3-5 years. …"`
    -> two levels (each piece must open a level named like the first, else the line is one level or none)."""
    pieces = _NEXT_LABEL.split(b.text)
    if len(pieces) < 2:
        return []
    levels = [_level_start(b.model_copy(update={"text": piece}), nlp, rules) for piece in pieces]
    first = levels[0]
    if first is None or any(lv is None for lv in levels[1:]):
        return []
    words = {w.casefold() for w in first.core.split()}
    if any(not words & {w.casefold() for w in lv.core.split()} for lv in levels[1:] if lv is not None):
        return []  # "Associate (T1): … Manages SMB - Mid Markets accounts only." is one level
    return [lv for lv in levels if lv is not None]


def _levels(post: _Post, nlp, rules: _Rules) -> list[_Level]:
    levels: list[_Level] = []
    current: _Level | None = None
    for b in post.lines:
        several = _split_levels(b, nlp, rules)
        if len(several) >= 2:
            for lv in several:
                lv.block = b
            levels.extend(several)
            current = None
            continue
        level = _level_start(b, nlp, rules)
        if level is not None:
            current = level
            levels.append(level)
        elif current is not None and current.heading_only and b.kind == "item":
            current.body.append(b.text)
        else:
            current = None
    return [lv for lv in levels if lv.body]


def _singular(word: str) -> str:
    """`"Seniors"` -> `"Senior"`, `"CSMs"` -> `"CSM"`, `"Success"` -> `"Success"`."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _prose_label(sentence: str) -> str | None:
    """The level a prose sentence opens with: `"Seniors at my place get the strategic accounts"` -> `"Senior"`,
    `"Our Senior Engineers own …"` -> `"Senior Engineer"`, `"We have Tier 1 agents with …"` -> `"Tier 1"`,
    `"We have three levels"` -> None."""
    sentence = _LEAD_IN.sub("", sentence.strip())
    words = [w.strip(",;:()") for w in sentence.split()]
    i = 0
    while i < len(words) and words[i].casefold() in _DETERMINERS:
        i += 1
    if i >= len(words) or not words[i][:1].isupper():
        return None
    tier = re.match(r"^(?:tier|level)\s+\d\b|^[TL]\d\b", " ".join(words[i : i + 2]), re.IGNORECASE)
    if tier:  # "Tier 1 agents with 0-1 years …" -> "Tier 1"
        label = [tier.group(0)]
        j = i + len(tier.group(0).split())
    else:
        first = _singular(words[i])
        if first.casefold().rstrip(".") not in _PROSE_LEVEL_WORDS or words[i].casefold() == "leads":
            return None  # "Leads Mid-Market projects" is a verb, not the level "Lead"
        label = [first]
        j = i + 1
    while j < len(words) and len(label) < 4 and words[j][:1].isupper() and words[j].isalpha():
        label.append(_singular(words[j]))
        j += 1
    return " ".join(label)


def _prose_levels(post: _Post, taken: set[int], cores: set[str], nlp) -> list[_Level]:
    """Levels described in running text, one sentence each, outside labelled level lines:
    "Seniors get the strategic accounts (ARR over 250k)." -> a level "Senior" (needs years, a segment or an
    account size in the sentence; a level another post already labelled is an addition, not a new level)."""
    out: list[_Level] = []
    for b in post.lines:
        if id(b) in taken:
            continue
        for sent in nlp(b.text).sents:
            whole = sent.text.strip()
            if whole.endswith("?"):
                continue
            clauses = _LEVEL_CLAUSE.split(whole)  # "Tier 1 agents …, and Tier 2 agents …": one level each
            if sum(1 for c in clauses if _prose_label(c)) < 2:
                clauses = [whole]
            for text in clauses:
                label = _prose_label(text)
                if label is None or label.casefold() in cores:
                    continue
                if not any(e.label_ in ("EXPERIENCE", "SEGMENT", "ACCOUNT_SIZE") for e in nlp(text).ents):
                    continue
                same = next((lv for lv in out if lv.core == label), None)
                if same is not None:
                    same.body.append(text)
                else:
                    out.append(_Level(label=label, core=label, block=b, body=[text], heading_only=False))
    return out


def _benchmark(level: _Level, post: _Post, doc: Document, nlp, rules: _Rules) -> LevelBenchmark:
    tiers = [e.text for e in nlp(level.label).ents if e.label_ == "TIER"]
    years: tuple[float | None, float | None] = (None, None)
    segments: list[str] = []
    ownership: list[str] = []
    promotion: list[str] = []
    expectations: list[str] = []
    for text in level.body:
        for sent in nlp(text).sents:
            s = sent.text.strip()
            if not s:
                continue
            exp = entities(sent, "EXPERIENCE")
            if any(rx.search(s) for rx in rules.promotion):
                promotion.append(s)
                continue
            for e in entities(sent, "SEGMENT"):
                if entity_value(e) not in segments:
                    segments.append(entity_value(e))
            if exp and years == (None, None):
                years = experience_years(exp[0].text)
            if exp and exp[0].start == sent.start:
                # "2-4 years of experience." says no more than the years; "0-2 years, runs SMB onboardings." does
                more = _CLAUSE.match(s[exp[0].end_char - sent.start_char :])
                if not more:
                    continue
                s = more.group("rest")[0].upper() + more.group("rest")[1:]
            if any(rx.search(s) for rx in rules.ownership) or entities(sent, "ACCOUNT_SIZE"):
                ownership.append(s)
            else:
                expectations.append(s)
    return LevelBenchmark(
        level_label=level.label,
        tier=_tier(tiers[0]) if tiers else None,
        years_min=years[0],
        years_max=years[1],
        segments=segments,
        account_ownership=ownership,
        promotion_criteria=promotion,
        expectations=expectations,
        doc_id=doc.id,
        source_ref=level.block.ref,
        post_ref=post.ref,
        author=post.author,
    )


def _attach(later: list[_Post], benchmarks: list[LevelBenchmark], cores: list[str], nlp, rules: _Rules) -> None:
    """A later post's sentence that adds to exactly one level it names goes to that level's expectations."""
    by_length = sorted(range(len(cores)), key=lambda i: -len(cores[i]))
    for post in later:
        for b in post.lines:
            for sent in nlp(b.text).sents:
                s = sent.text.strip()
                if s.endswith("?") or not any(rx.search(s) for rx in rules.addition):
                    continue  # a question asks, it does not add
                rest, named = s, []
                for i in by_length:  # longest label first: "Senior CSM" is not also "CSM"
                    rx = re.compile(rf"(?<![\w-]){re.escape(cores[i])}s?\b")
                    if rx.search(rest):
                        named.append(i)
                        rest = rx.sub(" ", rest)
                if len(named) == 1:
                    bm = benchmarks[named[0]]
                    bm.expectations.append(s)
                    if post.ref not in bm.attached_post_refs:
                        bm.attached_post_refs.append(post.ref)


def parse_forum_thread(doc: Document, config: Config) -> ParsedDocument:
    """Parse a forum thread into posts and level benchmarks."""
    rules = _Rules(config.prose)
    nlp = get_nlp(config)
    posts, warnings = _read_posts(doc, rules)
    refs = [doc.blocks[0].ref if n == 0 else p.ref for n, p in enumerate(posts)]
    forum_posts = [
        ForumPost(
            author=p.author,
            date=p.date,
            author_title=p.title,
            company=p.company,
            text="\n".join(b.text for b in p.lines),
            doc_id=doc.id,
            source_ref=refs[n],
            is_question=n == 0,
            reply_to=refs[p.parent] if p.parent is not None else None,
            quotes=[refs[i] for i in p.quotes],
        )
        for n, p in enumerate(posts)
        if p.lines
    ]
    warnings += [
        f"{doc.file}: {p.ref}: post by {p.author} holds only quoted or furniture lines" for p in posts if not p.lines
    ]
    benchmarks: list[LevelBenchmark] = []
    cores: list[str] = []
    first_defining: int | None = None
    labelled = [_levels(post, nlp, rules) for post in posts]
    labelled_cores = {lv.core.casefold() for levels in labelled for lv in levels}
    for n, post in enumerate(posts):
        taken = {id(lv.block) for lv in labelled[n]}
        taken |= {id(b) for lv in labelled[n] if lv.heading_only for b in post.lines if b.text in lv.body}
        for level in labelled[n] + _prose_levels(post, taken, labelled_cores, nlp):
            benchmarks.append(_benchmark(level, post, doc, nlp, rules))
            cores.append(level.core)
            first_defining = n if first_defining is None else first_defining
    if first_defining is not None:
        defining = {bm.post_ref for bm in benchmarks}
        later = [p for p in posts[first_defining + 1 :] if p.ref not in defining]
        _attach(later, benchmarks, cores, nlp, rules)
    return ParsedDocument(
        doc_id=doc.id,
        file=doc.file,
        kind=doc.kind,
        benchmarks=benchmarks,
        posts=forum_posts,
        warnings=warnings,
        kind_evidence=thread_evidence(doc.blocks, config.prose).lines(),
    )

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
from pipeline.parse.nlp import entities, entity_value, experience_years, get_nlp
from pipeline.settings import compiled

_NAME = re.compile(
    r"^(?:[A-Z][\w'’.-]*|[A-Z]\.)(?:\s+(?:[A-Z][\w'’.-]*|de|da|del|della|van|von|der|den|la|le|di|du|bin|al|y)){1,3}$"
)
_TIER_WORDS = re.compile(r"^(?:tier|level)\s*(\d)$", re.IGNORECASE)
_LABEL_LINE = re.compile(r"^(?P<label>[^:–—]{1,60}?)\s*(?::|\s[-–—]\s)\s*(?P<body>\S.*)$")
_LEADING_TIER = re.compile(r"^\(\s*(?P<tier>[^()]{1,12})\s*\)\s*:?\s*")
_PAREN = re.compile(r"\s*\([^()]*\)\s*")
_WORDS = re.compile(r"[^\w]+")


@dataclass
class _Rules:
    cfg: ProseConfig

    def __post_init__(self) -> None:
        flags = re.IGNORECASE
        self.rule = re.compile(self.cfg.rule_pattern)
        self.badges = compiled(self.cfg.badge_patterns, flags)
        self.dates = compiled(self.cfg.date_patterns, flags)
        self.authors = compiled(self.cfg.author_line_patterns, flags)
        self.quote_block = compiled(self.cfg.quote_block_patterns, flags)
        self.quote_line = compiled(self.cfg.quote_line_patterns, flags)
        self.quote_meta = compiled(self.cfg.quote_meta_patterns, flags)
        self.promotion = compiled(self.cfg.promotion_patterns, flags)
        self.ownership = compiled(self.cfg.ownership_patterns, flags)
        self.addition = compiled(self.cfg.addition_patterns, flags)
        self.role_nouns = {w.casefold() for w in self.cfg.role_nouns}

    def date(self, text: str) -> str | None:
        for rx in self.dates:
            m = rx.search(text)
            if m:
                return m.group(0)
        return None

    def is_name(self, text: str) -> bool:
        return bool(_NAME.match(text)) and not any(ch.isdigit() for ch in text) and not text.isupper()

    def author(self, text: str) -> tuple[str, str] | None:
        """`"Posted by Jo Doe · Mar 3, 2024"` -> `("Jo Doe", "Mar 3, 2024")`."""
        for rx in self.authors:
            m = rx.match(text)
            if m and self.is_name(m.group("author").strip()):
                return m.group("author").strip(), (m.groupdict().get("rest") or "").strip()
        return None

    def badge_owner(self, text: str) -> str | None:
        """`"Will Stamatis Member Posts: 9 Contributor"` -> `"Will Stamatis"` (a badge line led by a name)."""
        for rx in self.badges:
            m = rx.search(text)
            if m and m.start() > 0 and self.is_name(text[: m.start()].strip()):
                return text[: m.start()].strip()
        return None

    def is_title(self, text: str) -> bool:
        """`"Customer Success Team Manager (Tech Touch)"` -> True; `"Zinier"` -> False."""
        return bool({w.casefold() for w in _WORDS.split(text) if w} & self.role_nouns)


def _line_type(b: Block, rules: _Rules) -> str:
    """Type of one line; ordered, first match wins.

    `"------"` -> rule; `"Original Message:"` -> quote_block; `"> earlier text"` -> quote_line;
    `"From: Jo Doe"` -> quote_meta; `"Member Posts: 9"` -> badge; `"Posted by Jo Doe"` -> author;
    `"Mar 3, 2024"` -> date; `"Jo Doe"` -> name; anything else -> body.
    """
    t = b.text
    if rules.rule.match(t):
        return "rule"
    if any(rx.search(t) for rx in rules.quote_block):
        return "quote_block"
    if any(rx.search(t) for rx in rules.quote_line):
        return "quote_line"
    if any(rx.match(t) for rx in rules.quote_meta):
        return "quote_meta"
    if any(rx.search(t) for rx in rules.badges):
        return "badge"
    if rules.author(t):
        return "author"
    d = rules.date(t)
    if d and len(t.split()) <= len(d.split()) + 3:
        return "date"
    if rules.is_name(t):
        return "name"
    return "body"


@dataclass
class _Post:
    author: str
    start: int  # index of the header's first block
    body_start: int
    ref: str
    date: str | None = None
    title: str | None = None
    company: str | None = None
    lines: list[Block] = field(default_factory=list)


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


def _headers(blocks: list[Block], types: list[str], rules: _Rules) -> list[_Post]:
    """Post headers: a name or author line followed by furniture (badges, counters, a date, a title)."""
    posts: list[_Post] = []
    i = 0
    while i < len(blocks):
        t = types[i]
        author = None
        rest: list[str] = []
        if t == "author":
            author, r = rules.author(blocks[i].text)  # type: ignore[misc]
            rest = [r] if r else []
        elif t == "name":
            author = blocks[i].text
        elif t == "badge":
            author = rules.badge_owner(blocks[i].text)
        if author is None:
            i += 1
            continue
        j = i + 1
        furniture = bool(t == "badge" or (t == "author" and rest and rules.date(rest[0])))
        extra: list[str] = []
        dates = [rules.date(x) for x in rest if rules.date(x)]
        while j < len(blocks) and j - i <= 5:
            tj, text = types[j], blocks[j].text
            if tj in ("badge", "date"):
                furniture = True
                if rules.date(text):
                    dates.append(rules.date(text))
            elif tj == "name" and text == author:
                pass
            elif (
                tj == "body" and rules.is_title(text) and len(text.split()) <= 8 and not text.endswith((".", "?", "!"))
            ):
                extra.append(text)
            else:
                break
            j += 1
        if not furniture:
            i += 1
            continue
        title, company = _profile(rest + extra, rules)
        posts.append(
            _Post(
                author=author,
                start=i,
                body_start=j,
                ref=blocks[i].ref,
                date=dates[0] if dates else None,
                title=title,
                company=company,
            )
        )
        i = j
    return posts


def _key(text: str) -> str:
    return " ".join(_WORDS.split(text.casefold())).strip()


def _signature(
    blocks: list[Block], types: list[str], k: int, end: int, rules: _Rules
) -> tuple[int, str | None, list[str]]:
    """At a rule: (index after the signature, its name, its other lines), or (k, None, []) if none."""
    j = k + 1
    if j >= end or types[j] not in ("name", "author"):
        return k, None, []
    lines: list[str] = []
    if types[j] == "author":  # "Jo Doe | Head of Support, Globex" on one line
        name, rest = rules.author(blocks[j].text)  # type: ignore[misc]
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


def _read_posts(doc: Document, rules: _Rules) -> tuple[list[_Post], list[str]]:
    blocks = doc.blocks
    types = [_line_type(b, rules) for b in blocks]
    posts = _headers(blocks, types, rules)
    if not posts:
        raise ParseError(
            f"{doc.file}: no posts found (expected an author's name followed by badges, counters or a date); "
            "is it a forum thread?"
        )
    warnings: list[str] = []
    profiles: dict[str, tuple[str | None, str | None]] = {}
    for n, post in enumerate(posts):
        start = 0 if n == 0 else post.body_start
        end = posts[n + 1].start if n + 1 < len(posts) else len(blocks)
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
                m = next(rx.match(b.text) for rx in rules.quote_meta if rx.match(b.text))
                quoted = True
                if m.group("key").lower() == "from":
                    quote_author = m.group("value").strip()
            elif t == "rule":
                after, name, lines = _signature(blocks, types, k, end, rules)
                if name is not None:
                    owner = quote_author if quoted and quote_author else post.author
                    if name == owner:
                        profiles.setdefault(owner, _profile(lines, rules))
                    k = after
                    continue
            elif not quoted and t in ("body", "name", "quote_meta"):
                post.lines.append(b)
            k += 1
    for post in posts:  # a profile from a signature fills what the header did not give
        title, company = profiles.get(post.author, (None, None))
        post.title = post.title or title
        post.company = post.company or company
    seen: set[str] = set()
    for post in posts:  # a paragraph repeating an earlier post is a quoted copy
        kept = []
        for b in post.lines:
            key = _key(b.text)
            if key in seen and len(key.split()) >= 5:
                continue
            kept.append(b)
        seen.update(_key(b.text) for b in kept)
        if len(kept) < len(post.lines):
            warnings.append(f"{doc.file}: {post.ref}: {len(post.lines) - len(kept)} repeated paragraph(s) dropped")
        post.lines = kept
    return posts, warnings


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


def _level_start(b: Block, nlp) -> _Level | None:  # type: ignore[no-untyped-def]
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
    named = any(e.label_ in ("LEVEL", "TIER") for e in label_doc.ents) or any(
        w.isupper() and len(w) >= 2 for w in label.split()
    )
    if not named or not label[:1].isupper():
        return None
    if body and not any(e.label_ in ("EXPERIENCE", "TIER", "SEGMENT", "ACCOUNT_SIZE") for e in nlp(body).ents):
        return None
    core = _PAREN.sub(" ", label).strip()
    return _Level(label=label, core=core, block=b, body=[body] if body else [], heading_only=not body)


def _levels(post: _Post, nlp, rules: _Rules) -> list[_Level]:  # type: ignore[no-untyped-def]
    levels: list[_Level] = []
    current: _Level | None = None
    for b in post.lines:
        level = _level_start(b, nlp)
        if level is not None:
            current = level
            levels.append(level)
        elif current is not None and current.heading_only and b.kind == "item":
            current.body.append(b.text)
        else:
            current = None
    return [lv for lv in levels if lv.body]


def _benchmark(level: _Level, post: _Post, doc: Document, nlp, rules: _Rules) -> LevelBenchmark:  # type: ignore[no-untyped-def]
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
                continue  # "2-4 years of experience." says no more than the years
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


def _attach(later: list[_Post], benchmarks: list[LevelBenchmark], cores: list[str], nlp, rules: _Rules) -> None:  # type: ignore[no-untyped-def]
    """A later post's sentence that adds to exactly one level it names goes to that level's expectations."""
    by_length = sorted(range(len(cores)), key=lambda i: -len(cores[i]))
    for post in later:
        for b in post.lines:
            for sent in nlp(b.text).sents:
                s = sent.text.strip()
                if not any(rx.search(s) for rx in rules.addition):
                    continue
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
    forum_posts = [
        ForumPost(
            author=p.author,
            date=p.date,
            author_title=p.title,
            company=p.company,
            text="\n".join(b.text for b in p.lines),
            doc_id=doc.id,
            source_ref=doc.blocks[0].ref if n == 0 else p.ref,
            is_question=n == 0,
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
    for n, post in enumerate(posts):
        for level in _levels(post, nlp, rules):
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
    )

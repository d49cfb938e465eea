"""What makes a document a forum thread: post headers, site furniture, quotes and reply markers.

Shared by kind detection (`thread_evidence` over the flat block list, asked by `pipeline/ingest/classify.py`)
and the thread parser (`line_type`, `find_headers`), so the posts the parser reads are the ones the
detection counted.

A post header is an author followed by a date or badges, in any of the common shapes:
- one line, by `prose.post_header_rules`: "Posted by u/name · 3 yr. ago", "@name commented on Mar 3, 2023",
  "Jane Doe  10:42 AM", "name OP · 2y", "Omar Haddad (Customer) asked a question.";
- an author line ("Posted by Jo Doe · Mar 3, 2024"), a person's name or a user handle, then badge, counter
  or date lines (a handle needs a date: a lone word is not enough);
- a mail header block (From: / Date: / Subject:) that is not a quoted copy (after "Original Message", or
  followed by the text of an earlier post);
- a name line with badges on it ("Will Stamatis Member Posts: 9 Contributor").
A depth marker ("level 2") just before a header gives the post's nesting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.parse.regex_needs import either, needs
from pipeline.parse.settings import ProseConfig
from pipeline.settings import compiled

if TYPE_CHECKING:
    from pipeline.models import Block

_NAME = re.compile(
    r"^(?:[A-Z][\w'’.-]*|[A-Z]\.)(?:\s+(?:[A-Z][\w'’.-]*|de|da|del|della|van|von|der|den|la|le|di|du|bin|al|y)){1,3}$"
)
_WORDS = re.compile(r"[^\w]+")
_EMAIL = re.compile(r"\s*<[^<>]*@[^<>]*>\s*")
_PAREN_TAIL = re.compile(r"\s*\([^()]{1,40}\)\s*$")
_DIGIT = re.compile(r"[0-9]")
_MAX_HEADER_CHARS = 200  # a header line is short; a longer line is never read as one
_MEMO_SIZE = 4096  # texts remembered by `Signals.person` (one document's worth; cleared when full)
_DATE_FILLER = {"at", "on", "edited", "ago", "op", "am", "pm", "utc", "gmt"}


def key(text: str) -> str:
    """Comparison form of a line: `"Hi, Will -"` -> `"hi will"`."""
    return " ".join(_WORDS.split(text.casefold())).strip()


def _any(patterns: list[str] | tuple[str, ...]) -> str:
    """One alternation of `patterns`: `(?:p1)|(?:p2)`."""
    return "|".join(f"(?:{p})" for p in patterns)


@dataclass(frozen=True)
class Header:
    author: str
    date: str | None
    verb: str | None = None


class Signals:
    """The compiled forum rules of one `ProseConfig`."""

    def __init__(self, cfg: ProseConfig) -> None:
        flags = re.IGNORECASE
        self.cfg = cfg
        self.rule, self.signature = compiled((cfg.rule_pattern, cfg.signature_pattern))
        self.badges = compiled(cfg.badge_patterns, flags)
        self.dates = compiled(cfg.date_patterns, flags)
        # one pass to ask "any badge / any date here?" before trying the patterns one by one; patterns anchored
        # at the start are tried at the start only (kind detection types every line of every document)
        anchored = [p for p in cfg.badge_patterns if p.startswith("^")]
        floating = [p for p in cfg.badge_patterns if not p.startswith("^")]
        self.badge_start, self.badge_anywhere, self.any_date = compiled(
            (_any(anchored) or r"(?!)", _any(floating) or r"(?!)", _any(cfg.date_patterns)), flags
        )
        # every default date has a digit or says "yesterday" / "today": a line with neither needs no date search
        self.date_hint = (
            compiled([r"\d|yesterday|today"], flags)[0]
            if all("\\d" in p or "yesterday" in p for p in cfg.date_patterns)
            else None
        )
        # each with what a line needs before the pattern can match (`regex_needs`): most lines are not headers
        self.authors = list(
            zip(
                compiled(cfg.author_line_patterns, flags),
                [needs(p, flags) for p in cfg.author_line_patterns],
                strict=True,
            )
        )
        self.headers = list(
            zip(
                compiled([r.pattern for r in cfg.post_header_rules], flags),
                cfg.post_header_rules,
                [needs(r.pattern, flags) for r in cfg.post_header_rules],
                strict=True,
            )
        )
        self.badge_anywhere_needs = needs(_any(floating), flags) if floating else None
        self.handle = compiled([cfg.handle_pattern], flags)[0]
        self.depths = compiled([r.pattern for r in cfg.depth_patterns], flags)
        self.mentions = compiled([r.pattern for r in cfg.reply_mention_patterns], flags)
        self.inline_furniture = compiled([r.pattern for r in cfg.inline_furniture_patterns], flags)
        self.quote_block = compiled(cfg.quote_block_patterns, flags)
        self.quote_line = compiled(cfg.quote_line_patterns, flags)
        self.quote_needs = [needs(p, flags) for p in (*cfg.quote_block_patterns, *cfg.quote_line_patterns)]
        self.date_needs = [needs(p, flags) for p in cfg.date_patterns]
        # one test per family first: a line with none of a family's requirements skips all of its patterns
        self.quote_any = either(self.quote_needs)
        self.header_any = either([n for _, _, n in self.headers])
        self.author_any = either([n for _, n in self.authors])
        self.quote_meta = compiled(cfg.quote_meta_patterns, flags)
        self.role_nouns = {w.casefold() for w in cfg.role_nouns}
        self._persons: dict[str, str | None] = {}  # `person` per text: line typing and header finding both ask

    # ------------------------------------------------------------------------------------ pieces
    def dated(self, text: str, low: str | None = None) -> bool:
        """False when `text` cannot hold a date (the cheap test before the date patterns). `low`, here and
        below: `text.lower()` when `text` is ASCII and the caller has it (a line is lowered once)."""
        if self.date_hint is None:
            return True
        if low is not None or text.isascii():  # the same test as `date_hint`, without a case-folding regex scan
            if low is None:
                low = text.lower()
            return bool(_DIGIT.search(text)) or "yesterday" in low or "today" in low
        return bool(self.date_hint.search(text))

    def date(self, text: str, dated: bool | None = None, low: str | None = None) -> str | None:
        """First date in `text`, as written: `"edited October 2020 in CS"` -> `"October 2020"`; `dated`: the
        answer of `dated(text)` when the caller has it."""
        if not (self.dated(text, low) if dated is None else dated):
            return None
        if low is None and text.isascii():
            low = text.lower()
        for rx, need in zip(self.dates, self.date_needs, strict=True):
            if need is not None and not need.found_in(text, low):
                continue
            m = rx.search(text)
            if m:
                return m.group(0)
        return None

    def quoted(self, text: str, low: str | None = None) -> str | None:
        """`"quote_block"` for `"Original Message:"`, `"quote_line"` for `"> earlier text"`, else None."""
        if self.quote_any is not None and not self.quote_any.found_in(text, low):
            return None
        n = len(self.quote_block)
        for i, rx in enumerate((*self.quote_block, *self.quote_line)):
            need = self.quote_needs[i]
            if (need is None or need.found_in(text, low)) and rx.search(text):
                return "quote_block" if i < n else "quote_line"
        return None

    def is_date(self, text: str) -> bool:
        """The whole text is a date: `"Mar 3, 2023 at 10:42 AM"`, `"3 yr. ago"` -> True; `"Head of Support"` -> False."""
        if not self.date(text):
            return False
        rest = text
        for rx in self.dates:
            rest = rx.sub(" ", rest)
        words = [w for w in _WORDS.split(rest.casefold()) if w and w not in _DATE_FILLER]
        return len(words) <= 1

    def is_name(self, text: str) -> bool:
        return bool(_NAME.match(text)) and not any(ch.isdigit() for ch in text) and not text.isupper()

    def is_furniture(self, text: str, low: str | None = None) -> bool:
        if self.badge_start.match(text):
            return True
        need = self.badge_anywhere_needs
        return (need is None or need.found_in(text, low)) and bool(self.badge_anywhere.search(text))

    def person(self, text: str) -> str | None:
        """An author as written in a header, or None: `"u/csm_lena"` -> `"csm_lena"`, `"Omar Haddad (Customer)"`
        -> `"Omar Haddad"`, `"Jane Doe <jane@example.org>"` -> `"Jane Doe"`, `"We meet at"` -> None."""
        if text in self._persons:
            return self._persons[text]
        if len(self._persons) >= _MEMO_SIZE:
            self._persons.clear()
        found = self._persons[text] = self._person(text)
        return found

    def _person(self, text: str) -> str | None:
        t = _EMAIL.sub(" ", text).strip().strip("\"'*_").strip()
        if "@" in t and " " not in t and not t.startswith("@"):  # a bare address: its local part
            t = t.split("@", 1)[0]
        t = _PAREN_TAIL.sub("", t)
        t = re.sub(r"^(?:u/|@)", "", t)
        t = re.sub(r"\s+OP$", "", t).strip()
        if not t or self.is_furniture(t) or self.date(t):
            return None
        if self.is_name(t) or self.handle.match(t):
            return t
        return None

    def header(self, text: str, dated: bool | None = None, low: str | None = None) -> Header | None:
        """A one-line post header: `"@rui-santos commented on Mar 3, 2023"` -> `Header("rui-santos", "Mar 3, 2023")`.
        `dated`: the answer of `dated(text)` when the caller has it."""
        if len(text) > _MAX_HEADER_CHARS:
            return None
        if self.header_any is not None and not self.header_any.found_in(text, low):
            return None
        if dated is None:
            dated = self.dated(text, low)
        for rx, rule, need in self.headers:
            if rule.date is not None and not dated:
                continue  # a rule whose example has a date needs one (cheap test first)
            if need is not None and not need.found_in(text, low):
                continue
            m = rx.match(text)
            if not m:
                continue
            author = self.person(m.group("author"))
            if author is None:
                continue
            date = (m.groupdict().get("date") or "").strip() or None
            if date is not None:
                date = re.sub(r"\s*[·•|]\s*edited\b.*$", "", date, flags=re.IGNORECASE)
                date = re.sub(r"\s*\(edited\)\s*$", "", date, flags=re.IGNORECASE)
                if not self.is_date(date):
                    continue
            verb = re.search(r"\b(commented|replied|answered|asked|posted|wrote|responded)\b", text, re.IGNORECASE)
            return Header(author, date, verb.group(1).casefold() if verb else None)
        return None

    def author(self, text: str, low: str | None = None) -> tuple[str, str] | None:
        """`"Posted by Jo Doe · Mar 3, 2024"` -> `("Jo Doe", "Mar 3, 2024")`."""
        if len(text) > _MAX_HEADER_CHARS:
            return None
        if self.author_any is not None and not self.author_any.found_in(text, low):
            return None
        for rx, need in self.authors:
            if need is not None and not need.found_in(text, low):
                continue
            m = rx.match(text)
            if not m:
                continue
            raw = m.group("author").strip()
            rest = (m.groupdict().get("rest") or "").strip()
            # a handle needs its u/ or @, or a date after it: "Post by kbarlow » Fri Mar 03, 2023 10:42 am"
            if self.is_name(raw) or (self.person(raw) and (raw.startswith(("u/", "@")) or self.is_date(rest))):
                return self.person(raw) or raw, (m.groupdict().get("rest") or "").strip()
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

    def depth(self, text: str) -> int | None:
        for rx in self.depths:
            m = rx.match(text)
            if m:
                return int(m.group("depth"))
        return None

    def mention(self, text: str) -> str | None:
        """The author a reply names as the one it answers: `"Replying to @rosa.m"` -> `"rosa.m"`."""
        for rx in self.mentions:
            m = rx.match(text)
            if m:
                return m.group("author")
        return None

    def strip_inline(self, text: str) -> str:
        """`"Thanks for this! (edited)"` -> `"Thanks for this!"`."""
        for rx in self.inline_furniture:
            text = rx.sub("", text)
        return text

    def meta(self, text: str) -> tuple[str, str] | None:
        """`"From: Jo Doe <jo@x.org>"` -> `("from", "Jo Doe <jo@x.org>")`."""
        for rx in self.quote_meta:
            m = rx.match(text)
            if m:
                return m.group("key").casefold(), m.group("value").strip()
        return None


def line_type(b: Block, sig: Signals) -> str:
    """Type of one line; ordered, first match wins.

    `"------"` -> rule; `"--"` -> signature; `"Original Message:"` -> quote_block; `"> earlier text"` ->
    quote_line; `"From: Jo Doe"` -> quote_meta; `"level 2"` -> depth; `"Member Posts: 9"` -> badge;
    `"Jane Doe 10:42 AM"` -> header; `"Posted by Jo Doe"` -> author; `"Mar 3, 2024"` -> date;
    `"Jo Doe"` -> name; `"rosa.m"` -> handle; anything else -> body.
    """
    t = b.text
    if len(t) > _MAX_HEADER_CHARS:  # a long line is a paragraph, a quoted one or a mail header line
        if t.startswith(">"):
            return "quote_line"
        return "quote_meta" if sig.meta(t) else "body"
    if sig.rule.match(t):
        return "rule"
    if sig.signature.match(t):
        return "signature"
    low = t.lower() if t.isascii() else None  # lowered once for every requirement test below
    quoted = sig.quoted(t, low)
    if quoted is not None:
        return quoted
    if sig.meta(t):
        return "quote_meta"
    if sig.depth(t) is not None:
        return "depth"
    if sig.is_furniture(t, low):
        return "badge"
    dated = sig.dated(t, low)
    if sig.header(t, dated, low):
        return "header"
    if sig.author(t, low):
        return "author"
    d = sig.date(t, dated, low)
    if d and len(t.split()) <= len(d.split()) + 3:
        return "date"
    if sig.is_name(t) or ("(" in t and _PAREN_TAIL.search(t) and sig.is_name(sig.person(t) or "")):
        return "name"  # "Victor Chen (Globex)" too
    if sig.handle.match(t) and sig.person(t):
        return "handle"
    return "body"


def line_types(blocks: list[Block], sig: Signals) -> list[str]:
    """`line_type` of every block; a text met again in the document (a repeated heading, a badge) is typed once."""
    seen: dict[str, str] = {}
    types = []
    for b in blocks:
        t = seen.get(b.text)
        if t is None:
            t = seen[b.text] = line_type(b, sig)
        types.append(t)
    return types


@dataclass
class HeaderHit:
    """A post header found in the blocks: `blocks[start:body_start]` is the header."""

    author: str
    start: int
    body_start: int
    date: str | None = None
    rest: list[str] = field(default_factory=list)  # title / company text on the header line
    extra: list[str] = field(default_factory=list)  # title lines under the header
    depth: int | None = None  # from a depth marker
    verb: str | None = None
    shape: str = ""  # how the header was recognized, for the evidence


def _mail_header(blocks: list[Block], types: list[str], i: int, sig: Signals) -> HeaderHit | None:
    """A From:/Date:/Subject: block opening a message, or None when it heads a quoted copy."""
    end = i
    metas: dict[str, str] = {}
    while end < len(blocks) and types[end] == "quote_meta":
        k, v = sig.meta(blocks[end].text)  # type: ignore[misc]  # quote_meta lines always parse
        metas.setdefault(k, v)
        end += 1
    if "from" not in metas or end - i < 2:
        return None
    if i > 0 and types[i - 1] == "quote_block":
        return None
    if end < len(blocks):  # the copy of an earlier post under the header: a quoted copy
        first = key(blocks[end].text)
        earlier = " " + " ".join(key(b.text) for b in blocks[:i]) + " "
        if len(first.split()) >= 5 and f" {first} " in earlier:
            return None
    author = sig.person(metas["from"])
    if author is None:
        return None
    date = metas.get("date") or metas.get("sent")
    return HeaderHit(author=author, start=i, body_start=end, date=date or None, shape="mail header")


def find_headers(blocks: list[Block], types: list[str], sig: Signals) -> list[HeaderHit]:
    """Post headers in text order (see the module docstring for the shapes)."""
    hits: list[HeaderHit] = []
    depth: tuple[int, int] | None = None  # (depth, index of its marker)
    i = 0
    while i < len(blocks):
        t, text = types[i], blocks[i].text
        if t == "depth":
            depth = (sig.depth(text) or 0, i)
            i += 1
            continue
        if t == "quote_meta":
            mail = _mail_header(blocks, types, i, sig)
            if mail is not None:
                hits.append(mail)
                i = mail.body_start
                continue
            while i < len(blocks) and types[i] == "quote_meta":
                i += 1
            continue
        author: str | None = None
        rest: list[str] = []
        dates: list[str] = []
        verb = None
        needs_date = False
        if t == "header":
            h = sig.header(text)
            assert h is not None
            author, verb = h.author, h.verb
            dates = [h.date] if h.date else []
            shape = "one-line header"
        elif t == "author":
            author, r = sig.author(text)  # type: ignore[misc]  # typed "author" only when it parses
            if r and sig.is_date(r):  # "Post by kbarlow » Fri Mar 03, 2023 10:42 am": the date as shown
                dates, rest = [r], []
            else:
                rest = [r] if r else []
                dates = [d for d in (sig.date(x) for x in rest) if d]
            shape = "author line"
        elif t == "name":
            author, shape = sig.person(text) or text, "name"
            paren = _PAREN_TAIL.search(text)
            rest = [paren.group(0).strip(" ()")] if paren else []
        elif t == "handle":
            author, needs_date, shape = sig.person(text), True, "handle"
        elif t == "badge":
            author, shape = sig.badge_owner(text), "name with badges"
        elif t == "body" and len(text.split()) <= 9 and i + 1 < len(blocks) and types[i + 1] == "date":
            # "devika_p Director of Customer Success" over a date: a handle and its user title
            first, _, title = text.partition(" ")
            if sig.person(first) and sig.is_title(title) and not title.endswith((".", "?", "!")):
                author, rest, needs_date, shape = sig.person(first), [title], True, "handle with title"
        if author is None:
            i += 1
            continue
        furniture = bool(t == "badge" or dates)
        extra: list[str] = []
        j = i + 1
        while j < len(blocks) and j - i <= 5:
            tj, tx = types[j], blocks[j].text
            if tj in ("badge", "date"):
                furniture = True
                d = sig.date(tx)
                if d:
                    dates.append(d)
            elif tj in ("name", "handle") and sig.person(tx) == author:
                pass
            elif (
                j == i + 1
                and tj in ("name", "handle", "body")
                and len(tx.split()) <= 3
                and not tx.endswith((".", "?", "!", ":", ","))
                and j + 1 < len(blocks)
                and types[j + 1] == "date"
            ):
                pass  # a rank the badge list does not know ("Trailblazer"), between the author and the date
            elif (
                tj == "body"
                and blocks[j].kind != "item"
                and ":" not in tx
                and sig.is_title(tx)
                and len(tx.split()) <= 8
                and not tx.endswith((".", "?", "!"))
            ):
                extra.append(tx)
            else:
                break
            j += 1
        if not furniture or (needs_date and not dates):
            i += 1
            continue
        hit = HeaderHit(
            author=author, start=i, body_start=j, date=dates[0] if dates else None, rest=rest, extra=extra, verb=verb
        )
        hit.shape = shape + (" + badges/date" if j > i + 1 else "")
        if depth is not None and i - depth[1] <= 3:
            hit.depth = depth[0]
        depth = None
        hits.append(hit)
        i = j
    return hits


@dataclass
class ThreadEvidence:
    """What says a document is a thread: its post headers, furniture, quotes and reply markers."""

    headers: list[tuple[str, str, str | None, str]] = field(default_factory=list)  # (ref, author, date, shape)
    furniture: int = 0
    quotes: int = 0
    reply_markers: int = 0
    first_post_share: float = 0.0  # share of the words before the second post

    @property
    def score(self) -> float:
        """0..1: two post headers and some furniture or quoting make a thread; a long text with a comment
        section (the first post holding most of the words) counts half."""
        authors = {a for _, a, _, _ in self.headers}
        posts = min(len(self.headers), 3) if len(authors) >= 2 or len(self.headers) >= 3 else min(len(self.headers), 1)
        others = min(self.furniture + self.quotes + self.reply_markers, 3)
        score = min(1.0, 0.3 * posts + 0.1 * others)
        if self.first_post_share > 0.6:
            score *= 0.5
        return round(score, 3)

    def lines(self) -> list[str]:
        """The evidence for the report: `["3 post headers: L1 Jane Doe (Mar 3, 2023, one-line header), …", …]`."""
        out = []
        if self.headers:
            shown = "; ".join(
                f"{ref} {author}" + (f" ({date}, {shape})" if date else f" ({shape})")
                for ref, author, date, shape in self.headers[:4]
            )
            more = f"; … {len(self.headers) - 4} more" if len(self.headers) > 4 else ""
            out.append(f"{len(self.headers)} post header(s): {shown}{more}")
        if self.furniture:
            out.append(f"{self.furniture} furniture line(s) (badges, counters, votes, buttons, reactions)")
        if self.quotes:
            out.append(f"{self.quotes} quote marker(s) (quoted lines, 'wrote:', 'Original Message', mail headers)")
        if self.reply_markers:
            out.append(f"{self.reply_markers} reply-depth marker(s)")
        if self.first_post_share > 0.6:
            out.append(f"first post holds {self.first_post_share:.0%} of the words (counted half: a comment section?)")
        return out


def thread_evidence(blocks: list[Block], cfg: ProseConfig, min_words: int = 400) -> ThreadEvidence:
    """Thread signals of a block list; `.score` is the forum-thread score of kind detection."""
    sig = Signals(cfg)
    types = line_types(blocks, sig)
    hits = find_headers(blocks, types, sig)
    ev = ThreadEvidence(
        headers=[(blocks[h.start].ref, h.author, h.date, h.shape) for h in hits],
        furniture=sum(1 for t in types if t == "badge"),
        quotes=sum(1 for t in types if t in ("quote_block", "quote_line")),
        reply_markers=sum(1 for t in types if t == "depth"),
    )
    words = sum(len(b.text.split()) for b in blocks)
    if len(hits) >= 2 and words >= min_words:
        first = sum(len(b.text.split()) for b in blocks[: hits[1].start])
        ev.first_post_share = round(first / words, 3)
    return ev

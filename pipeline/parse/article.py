"""Parse articles: the rubric an article proposes, as guidance items.

- purpose: the paragraph that names a purpose (or mission) statement, with the quoted example(s) after it;
- named items with a definition in parentheses, listed after a cue ("the mindsets we share are Extreme
  Ownership (…), …") -> the cue's section (mindset, skill_set, …);
- list items that start with a name ("Team enablement is about …", "Customer outcomes are …") after a
  paragraph with a cue ("two groups of responsibilities", "four operational dimensions") -> that section;
- paragraphs about metrics that give guidance ("the metrics you choose should …") -> metric.

Site furniture ("You may also like" and the teaser cards after it) ends the article.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.parse.settings import ProseConfig

if TYPE_CHECKING:
    from pipeline.config import Config

from pipeline.errors import ParseError
from pipeline.models import Block, Document, GuidanceItem, ParsedDocument
from pipeline.parse.nlp import get_nlp
from pipeline.settings import compiled

_QUOTED = re.compile(r"^[“\"«„](?P<text>.+?)[”\"»“]\s*$")
_NAMED_DEF = re.compile(r"^(?P<name>[^:—–]{2,60}?)\s*[:—–]\s+(?P<definition>\S.*)$")
_CAP_WORD = re.compile(r"^[A-Z][\w’'&/-]*$")


class _Rules:
    def __init__(self, cfg: ProseConfig) -> None:
        self.cfg = cfg
        flags = re.IGNORECASE
        self.furniture = compiled(cfg.furniture_start_patterns, flags)
        self.cues = {section: re.compile(p, flags) for section, p in cfg.guidance_cues.items()}
        self.purpose = compiled(cfg.purpose_patterns, flags)
        self.metric = compiled(cfg.metric_patterns, flags)
        self.modal = re.compile(cfg.guidance_modal_pattern, flags)
        self.stop = {w.casefold() for w in cfg.name_stopwords}

    def cue(self, text: str, before: int | None = None) -> str | None:
        """Section of the cue nearest to the end of `text[:before]`.

        `"some of the skill sets we require are: "` -> `"skill_set"`.
        """
        text = text if before is None else text[:before]
        best: tuple[int, str] | None = None
        for section, rx in self.cues.items():
            for m in rx.finditer(text):
                if best is None or m.start() > best[0]:
                    best = (m.start(), section)
        return best[1] if best else None

    def leading_name(self, text: str) -> tuple[str, str] | None:
        """(name, definition) of a list item that starts with a name.

        `"Team enablement is about equipping …"` -> `("Team enablement", <the whole item>)`;
        `"Tooling: what we build …"` -> `("Tooling", "what we build …")`.
        """
        m = _NAMED_DEF.match(text)
        if m and len(m.group("name").split()) <= self.cfg.max_name_words and m.group("name")[:1].isupper():
            return m.group("name").strip(), m.group("definition").strip()
        words = text.split()
        name: list[str] = []
        for w in words[: self.cfg.max_name_words + 1]:
            if w.casefold() in self.stop:
                break
            name.append(w.rstrip(",;"))
            if w[-1] in ",;":  # "Clear priorities, so …": the comma ends the name
                break
        if not name or len(name) > self.cfg.max_name_words or len(name) == len(words):
            return None
        if (
            not name[0][:1].isupper()
            or name[0].casefold() in self.stop
            or not all(w.isalpha() or "-" in w for w in name)
        ):
            return None
        return " ".join(name), text


def _parenthetical_items(text: str, max_words: int) -> list[tuple[int, str, str]]:
    """(start, name, definition) for each "Name Name (definition)" in `text` (balanced parentheses)."""
    out = []
    i = 0
    while True:
        open_at = text.find("(", i)
        if open_at < 0:
            return out
        depth, close_at = 0, -1
        for k in range(open_at, len(text)):
            depth += {"(": 1, ")": -1}.get(text[k], 0)
            if depth == 0:
                close_at = k
                break
        if close_at < 0:
            return out
        before = text[:open_at].rstrip().split(" ")
        name: list[str] = []
        while before and _CAP_WORD.match(before[-1]) and len(name) < max_words:
            name.insert(0, before.pop())
        definition = text[open_at + 1 : close_at].strip()
        if name and len(definition.split()) >= 3:
            start = open_at - len(" ".join(name)) - 1
            out.append((max(0, start), " ".join(name), definition))
        i = close_at + 1


def _article_blocks(doc: Document, rules: _Rules) -> list[Block]:
    for n, b in enumerate(doc.blocks):
        if any(rx.search(b.text) for rx in rules.furniture):
            return doc.blocks[:n]
    return doc.blocks


def parse_article(doc: Document, config: Config) -> ParsedDocument:
    """Parse an article into guidance items (purpose, responsibility, mindset, skill_set, dimension, metric)."""
    rules = _Rules(config.prose)
    nlp = get_nlp(config)
    blocks = _article_blocks(doc, rules)
    if not blocks:
        raise ParseError(f"{doc.file}: no article text before the site furniture")
    items: list[GuidanceItem] = []
    used: set[int] = set()

    def add(section: str, name: str, ref: str, definition: str | None = None, example: str | None = None) -> None:
        items.append(
            GuidanceItem(
                section=section, name=name, definition=definition, example=example, doc_id=doc.id, source_ref=ref
            )
        )

    purpose_done = False
    intro: Block | None = None
    for n, b in enumerate(blocks):
        if n in used:
            continue
        text = b.text
        named = _parenthetical_items(text, config.prose.max_name_words)
        if len(named) >= 2:
            section = rules.cue(text, named[0][0]) or (rules.cue(intro.text) if intro else None)
            if section:
                for _, name, definition in named:
                    add(section, name, b.ref, definition)
                used.add(n)
                continue
        if b.kind == "item" and not text.endswith("?"):
            section = rules.cue(intro.text) if intro else None
            run = [n]
            while run[-1] + 1 < len(blocks) and blocks[run[-1] + 1].kind == "item":
                run.append(run[-1] + 1)
            found = [(k, rules.leading_name(blocks[k].text)) for k in run]
            if section and sum(1 for _, f in found if f) >= 2:
                for k, f in found:
                    if f:
                        add(section, f[0], blocks[k].ref, f[1])
                        used.add(k)
                continue
        if not purpose_done:
            m = next((rx.search(text) for rx in rules.purpose if rx.search(text)), None)
            if m:
                purpose_done = True
                sents = [s.text.strip() for s in nlp(text).sents]
                at = next(i for i, s in enumerate(sents) if m.group("name").casefold() in s.casefold())
                definition = " ".join(sents[at + 1 :]) or sents[at]
                examples = []
                for k in range(n + 1, min(n + 5, len(blocks))):
                    q = _QUOTED.match(blocks[k].text)
                    if q:
                        examples.append(q.group("text").strip())
                        used.add(k)
                    elif examples or blocks[k].kind != "para":
                        break
                name = m.group("name")
                name = name[0].upper() + name[1:]
                for example in examples or [None]:
                    add("purpose", name, b.ref, definition, example)
                used.add(n)
                continue
        if any(rx.search(text) for rx in rules.metric) and rules.modal.search(text) and b.kind == "para":
            add("metric", config.prose.guidance_names.get("metric", "Metrics"), b.ref, text)
            continue
        if b.kind != "item":
            intro = b
    warnings = [] if items else [f"{doc.file}: no rubric found (no purpose, named lists or metrics guidance)"]
    return ParsedDocument(doc_id=doc.id, file=doc.file, kind=doc.kind, guidance=items, warnings=warnings)

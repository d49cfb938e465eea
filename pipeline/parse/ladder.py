"""Ladder detection on the document tree: the level axis, then the competency axis, then the behaviors.

General rules, never a company's wording:
- *levels*: sibling headings whose titles look like levels (a level code or number, a Roman numeral, a level
  word, or a title stem shared with such headings), or the header row / first column of a table (see
  `pipeline.parse.matrix`), or, failing both, the whole document as one level titled by its first heading;
- *competencies*: sub-headings, category bullets or bold-label lines (`- Impact:` / `**Impact:** …` with
  nested bullets or inline text), list headings (a short line right above a list), matrix row / column labels;
  none of these gives one competency without a name;
- *behaviors*: list items at the top depth of their section (nested lists are examples), non-empty cells,
  the inline statement after a label; a level with no list counts its paragraphs. Level summaries
  (emphasized paragraphs, quotes, prose before the first list), years-of-experience lines and `N/A` /
  `TODO` / "same as" entries are not behaviors.
Page-wide sections (hiring, values, promotion, "all levels", overlays, index tables) are not roles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.ingest.tree import children
from pipeline.models import Document, Node, ParsedBehavior, ParsedCompetency, ParsedDocument, ParsedRole, line_of
from pipeline.parse.regex_needs import either, needs
from pipeline.parse.settings import StructureConfig
from pipeline.settings import compiled

if TYPE_CHECKING:
    from pipeline.config import Config

GENERAL = "General"  # the name of the one competency of a level that has no grouping


@dataclass
class Behavior:
    text: str
    ref: str


@dataclass
class Comp:
    name: str | None
    ref: str
    behaviors: list[Behavior] = field(default_factory=list)
    applicable: bool = True  # False: written as N/A at this level


@dataclass
class Level:
    title: str
    ref: str
    path: str | None = None
    summary: list[str] = field(default_factory=list)
    years: tuple[float | None, float | None] = (None, None)
    comps: list[Comp] = field(default_factory=list)
    line: int = 0

    def comp(self, name: str | None, ref: str) -> Comp:
        key = _key(name or "")
        for c in self.comps:
            if _key(c.name or "") == key:
                return c
        c = Comp(name, ref)
        self.comps.append(c)
        return c


@dataclass
class Found:
    """What detection found in one document."""

    levels: list[Level] = field(default_factory=list)
    axes: list[str] = field(default_factory=list)  # how the levels were found, for the structure line
    comp_kinds: list[str] = field(default_factory=list)
    behavior_kinds: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def note(self, bucket: list[str], what: str) -> None:
        if what not in bucket:
            bucket.append(what)


_NOT_KEY = re.compile(r"[^\w&]+")


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """The comparison key of a name (case and punctuation folded); names repeat, so the answers are kept."""
    return _NOT_KEY.sub(" ", text.casefold()).strip()


class Rules:
    """The compiled settings (`path_markers`: the career page's path-group lines, regex -> path).

    Made per document: the answers per text (`level_like`, `is_empty`, `is_years`) are kept, because a
    document's lines are asked again and again (by every candidate axis, the level's sections and the promoted
    reading of plain text)."""

    def __init__(self, cfg: StructureConfig, path_markers: dict[str, str] | None = None) -> None:
        self.cfg = cfg
        markers = path_markers or {}
        self.markers = list(zip(compiled(markers, re.IGNORECASE), markers.values(), strict=True))
        self.code, self.roman = compiled((cfg.level_code_pattern, cfg.roman_suffix_pattern))
        self.words = compiled([r"\b(?:" + "|".join(re.escape(w) for w in cfg.level_words) + r")\b"], re.IGNORECASE)[0]
        self.not_role = compiled(cfg.not_role_patterns, re.IGNORECASE)
        self.ic = compiled(cfg.ic_markers, re.IGNORECASE)
        self.mgmt = compiled(cfg.management_markers, re.IGNORECASE)
        self.empty = compiled(cfg.empty_cell_patterns, re.IGNORECASE)
        self.years = compiled(cfg.years_patterns, re.IGNORECASE)
        self.years_needs = [needs(p, re.IGNORECASE) for p in cfg.years_patterns]  # "experience", "year"
        self.years_any = either(self.years_needs)  # one test first: most lines hold none of them
        self._years: dict[str, bool] = {}  # the answer per text: a section's lines are asked again and again
        self._like: dict[str, bool] = {}
        self._empty: dict[str, bool] = {}
        self._statement: dict[str, bool] = {}
        self._labels: dict[tuple[str | None, str], tuple[str, str] | None] = {}

    def page_wide(self, title: str) -> bool:
        return _any_search(self.not_role, title)

    def level_like(self, title: str) -> bool:
        """A short title that names a level: a code or number, a Roman numeral, or a level word."""
        got = self._like.get(title)
        if got is None:
            got = self._like[title] = self._level_like(title)
        return got

    def _level_like(self, title: str) -> bool:
        words = title.split()
        if not words or len(words) > self.cfg.max_title_words or title.rstrip().endswith((".", ":", "!")):
            return False
        # the level marks first: most short lines have none, and then the page-wide patterns need not be tried
        if not (self.code.search(title) or self.roman.search(title) or self.words.search(title)):
            return False
        return not self.page_wide(title)

    def is_empty(self, text: str) -> bool:
        got = self._empty.get(text)
        if got is None:
            got = self._empty[text] = not text.strip() or _any_search(self.empty, text)
        return got

    def is_statement(self, text: str) -> bool:
        """Neither empty (`is_empty`) nor a years line (`is_years`): a text that can be a behavior."""
        got = self._statement.get(text)
        if got is None:
            got = self._statement[text] = not self.is_empty(text) and not self.is_years(text)
        return got

    def is_years_header(self, text: str) -> bool:
        return bool(_YEARS_HEADER.search(text)) and len(text.split()) <= 5

    def is_years(self, text: str) -> bool:
        got = self._years.get(text)
        if got is None:
            got = self._years[text] = (
                (self.years_any is None or self.years_any.found_in(text))
                and len(text.split()) <= 25
                and any(
                    (need is None or need.found_in(text)) and rx.search(text)
                    for rx, need in zip(self.years, self.years_needs, strict=True)
                )
            )
        return got

    def may_hold_years(self, texts: list[str]) -> bool:
        """False when no text of `texts` can be a years line (`is_years`): one test over all of them (each text
        is part of the joined one, so one without what the patterns need is not in it either)."""
        return self.years_any is None or self.years_any.found_in("\n".join(texts))

    def path_of(self, *texts: str) -> str | None:
        for t in texts:
            if _any_search(self.ic, t):
                return "ic"
            if _any_search(self.mgmt, t):
                return "management"
            marked = next((v for rx, v in self.markers if rx.search(t)), None)
            if marked:
                return marked
        return None


def _any_search(patterns: list[re.Pattern[str]], text: str) -> bool:
    """Does one of `patterns` match somewhere in `text` (a loop: no generator per call on the hot paths)."""
    for rx in patterns:  # noqa: SIM110
        if rx.search(text):
            return True
    return False


_YEARS_HEADER = re.compile(r"\b(?:years?|experience|yoe)\b", re.IGNORECASE)
_YEARS_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)")
_YEARS_MIN = re.compile(r"(\d+(?:\.\d+)?)\s*\+|(?:minimum|at least|min\.?)\s+(?:of\s+)?(\d+(?:\.\d+)?)", re.IGNORECASE)
_YEARS_ONE = re.compile(r"(\d+(?:\.\d+)?)\s*years?", re.IGNORECASE)


def parse_years(text: str) -> tuple[float | None, float | None]:
    """`'Experience: 2-5 years'` -> (2, 5); `'Typically 4+'` -> (4, None); `'a minimum of 8 years'` -> (8, None)."""
    m = _YEARS_RANGE.search(text)
    if m:
        return float(m.group(1)), float(m.group(2))
    m = _YEARS_MIN.search(text)
    if m:
        return float(m.group(1) or m.group(2)), None
    m = _YEARS_ONE.search(text)
    if m:
        return float(m.group(1)), None
    if re.search(r"\b(?:no|not|doesn.t|does not)\b.*\bexperience\b", text, re.IGNORECASE):
        return 0.0, None
    return None, None


# ----------------------------------------------------------------------------------------------- the tree


class Tree:
    """Children lists and small queries over `Document.nodes`.

    `shape`: the tree of the same nodes before `promote_text_headings` made some paragraphs headings (same
    parents, same texts): its children lists and node texts are reused."""

    def __init__(self, nodes: list[Node], shape: Tree | None = None) -> None:
        self.nodes = nodes
        self._bodies: dict[int, list[int]] = {}
        self._items: dict[int, list[int]] = {}
        self.kids: list[list[int]]
        self.top: list[int]
        self.pos: dict[int, int]
        self._texts: dict[int, list[str]]
        if shape is not None:
            self.kids, self.top, self.pos, self._texts = shape.kids, shape.top, shape.pos, shape._texts
            return
        self.kids = children(nodes)
        self.top = [i for i, n in enumerate(nodes) if n.parent < 0]
        self.pos = {j: k for k, j in enumerate(self.top)}
        self._texts = {}

    def items(self, lst: int) -> list[int]:
        """The items of list `lst` (kept per tree: read only)."""
        got = self._items.get(lst)
        if got is None:
            got = self._items[lst] = [k for k in self.kids[lst] if self.nodes[k].kind == "item"]
        return got

    def sublists(self, i: int) -> list[int]:
        return [k for k in self.kids[i] if self.nodes[k].kind == "list"]

    def has(self, i: int, kinds: tuple[str, ...]) -> bool:
        stack = list(self.kids[i])
        while stack:
            j = stack.pop()
            if self.nodes[j].kind in kinds:
                return True
            stack.extend(self.kids[j])
        return False


# ------------------------------------------------------------------------------------- heading level axis


@dataclass
class Section:
    head: int  # index of the heading node (-1: none)
    body: list[int]  # top-level nodes after it, up to the next heading of its level or above


def heading_axis(tree: Tree, rules: Rules) -> tuple[int, list[int]] | None:
    """The heading level whose level-like siblings are the levels, and those headings (document order)."""
    nodes = tree.nodes
    heads = [i for i in tree.top if nodes[i].kind == "heading"]
    best: tuple[int, list[int]] | None = None
    for lvl in sorted({nodes[i].level for i in heads}):
        at = [i for i in heads if nodes[i].level == lvl]
        like = [i for i in at if rules.level_like(nodes[i].text) and _has_body(tree, i)]
        if len(like) < 2:
            continue
        # titles sharing a stem word with the level-like ones are levels too ("Solutions Architect")
        stems = {w for i in like for w in _content_words(nodes[i].text, rules)}
        levels = [
            i
            for i in at
            if i in like
            or (
                not rules.page_wide(nodes[i].text)
                and len(nodes[i].text.split()) <= rules.cfg.max_title_words
                and _has_body(tree, i)
                and sum(1 for w in _content_words(nodes[i].text, rules) if w in stems) >= 1
                and not nodes[i].text.rstrip().endswith((".", ":", "?"))
                and _has_lists(tree, i)
            )
        ]
        if best is None or len(levels) > len(best[1]):
            best = (lvl, levels)
    return best


def _content_words(title: str, rules: Rules) -> set[str]:
    return {w for w in _WORD.findall(title.casefold()) if not rules.words.fullmatch(w) and w not in _STOP}


_WORD = re.compile(r"[a-z][a-z&'-]{2,}")


_STOP = {"the", "and", "for", "with", "our", "level", "levels", "role", "roles", "track", "ladder", "career"}


def _section_body(tree: Tree, head: int) -> list[int]:
    """Top-level nodes after a heading, up to the next heading of its level or above (cached)."""
    if head in tree._bodies:
        return tree._bodies[head]
    nodes = tree.nodes
    lvl = nodes[head].level
    body = []
    for k in range(tree.pos[head] + 1, len(tree.top)):
        j = tree.top[k]
        if nodes[j].kind == "heading" and nodes[j].level <= lvl:
            break
        body.append(j)
    tree._bodies[head] = body
    return body


def _has_body(tree: Tree, head: int) -> bool:
    return any(tree.nodes[j].kind in ("list", "para", "table", "quote") for j in _section_body(tree, head))


def _has_lists(tree: Tree, head: int) -> bool:
    return any(tree.nodes[j].kind in ("list", "table") for j in _section_body(tree, head))


def level_sections(tree: Tree, lvl: int, levels: list[int], rules: Rules, found: Found) -> list[Section]:
    """The body of each level heading; a same-level heading that is not a level joins the level before it
    when that level has no list or table of its own yet (competencies written at the level's heading level)."""
    nodes = tree.nodes
    out: list[Section] = []
    current: Section | None = None
    absorbing = False
    for j in tree.top:
        n = nodes[j]
        if n.kind == "heading" and n.level <= lvl:
            if j in levels:
                current = Section(j, [])
                out.append(current)
                absorbing = False
                continue
            if (
                current is not None
                and n.level == lvl
                and not rules.page_wide(n.text)
                and (absorbing or not any(nodes[k].kind in ("list", "table") for k in current.body))
                and _has_lists(tree, j)
                and not any(nodes[k].kind == "table" for k in _section_body(tree, j))
            ):
                absorbing = True
                current.body.append(j)
                continue
            if (current is not None or n.level == lvl) and n.text and (current is not None or _has_body(tree, j)):
                found.note(found.skipped, n.text)
            current = None
            absorbing = False
            continue
        if current is not None:
            current.body.append(j)
    return out


# ------------------------------------------------------------------------------------ competencies / items


_LABEL = re.compile(r"^([A-Z][^:.!?]{0,60}?):(?:\s+(.*))?$")


def _label_of(tree: Tree, i: int, rules: Rules) -> tuple[str, str] | None:
    """(label, inline rest) of an item or paragraph written as `Label: rest` / `**Label:** rest`."""
    n = tree.nodes[i]
    key = (n.label, n.text)
    if key not in rules._labels:
        rules._labels[key] = _read_label(n, rules)
    return rules._labels[key]


def _read_label(n: Node, rules: Rules) -> tuple[str, str] | None:
    if n.label:
        label = n.label
        rest = n.text[len(label) :].lstrip(" :*") if n.text.startswith(label) else n.text
        if len(label.split()) <= rules.cfg.max_label_words:
            return label, rest.strip()
        return None
    m = _LABEL.match(n.text)
    if m and len(m.group(1).split()) <= rules.cfg.max_label_words:
        return m.group(1).strip(), (m.group(2) or "").strip()
    return None


def _item_label(tree: Tree, i: int, rules: Rules) -> tuple[str, str] | None:
    """Label of a list item: `Label: …`, or a short bare item (`- **Impact**`) that carries a nested list."""
    lab = _label_of(tree, i, rules)
    if lab is not None:
        return lab
    n = tree.nodes[i]
    words = n.text.split()
    if (
        tree.sublists(i)
        and 0 < len(words) <= rules.cfg.max_label_words
        and not n.text.endswith((".", "!", "?", ";"))
        and n.text[:1].isupper()
    ):
        return n.text, ""
    return None


def _top_items(tree: Tree, lst: int) -> list[int]:
    return tree.items(lst)


def _item_behaviors(tree: Tree, items: list[int], rules: Rules) -> list[Behavior]:
    out = []
    nodes = tree.nodes
    for i in items:
        n = nodes[i]
        if n.text and rules.is_statement(n.text):
            out.append(Behavior(n.text, n.ref))
    return out


def fill_level(
    tree: Tree, level: Level, body: list[int], rules: Rules, found: Found, label_share: dict[str, float]
) -> None:
    """Competencies and behaviors of one level from the top-level nodes of its section."""
    nodes = tree.nodes
    # years lines anywhere in the section: the first one that gives numbers (no need to read on after it)
    if level.years == (None, None):
        texts = [t for j in body for t in _texts(tree, j)]
        if rules.may_hold_years(texts):
            for t in texts:
                if rules.is_years(t):
                    level.years = parse_years(t)
                    if level.years != (None, None):
                        break
    subheads = [j for j in body if nodes[j].kind == "heading"]
    if subheads:
        top = min(nodes[j].level for j in subheads)
        groups: list[tuple[int | None, list[int]]] = [(None, [])]
        for j in body:
            if nodes[j].kind == "heading" and nodes[j].level <= top:
                groups.append((j, []))
            else:
                groups[-1][1].append(j)
        lead = groups.pop(0)[1]
        if any(nodes[j].kind == "list" for j in lead):
            groups.insert(0, (None, lead))
        else:
            _summary(tree, level, lead, rules)
        for head, part in groups:
            if head is None:
                _fill_plain(tree, level, part, rules, found, label_share, None)
                continue
            name = nodes[head].text
            if rules.page_wide(name) and not any(nodes[j].kind == "list" for j in part):
                continue
            before = len(level.comps)
            texts = [t for j in part for t in _texts(tree, j)]
            if texts and all(rules.is_empty(t) for t in texts):
                level.comps.append(Comp(name, nodes[head].ref, applicable=False))
                continue
            _fill_plain(tree, level, part, rules, found, label_share, (name, nodes[head].ref))
            if len(level.comps) > before:
                found.note(found.comp_kinds, f"H{top} headings")
        return
    _fill_plain(tree, level, body, rules, found, label_share, None)


def _texts(tree: Tree, j: int) -> list[str]:
    """The texts of node `j` and its descendants (cells excepted), in document order (kept per tree: read only)."""
    got = tree._texts.get(j)
    if got is not None:
        return got
    nodes = tree.nodes
    out = [nodes[j].text] if nodes[j].text else []
    if tree.kids[j]:
        stack = list(reversed(tree.kids[j]))
        while stack:
            k = stack.pop()
            n = nodes[k]
            if n.text and n.kind != "cell":
                out.append(n.text)
            if tree.kids[k]:
                stack.extend(reversed(tree.kids[k]))
    tree._texts[j] = out
    return out


def _summary(tree: Tree, level: Level, part: list[int], rules: Rules) -> None:
    for j in part:
        n = tree.nodes[j]
        if n.kind in ("para", "quote"):
            for t in _texts(tree, j):
                if not rules.is_years(t):
                    level.summary.append(t)


def _fill_plain(
    tree: Tree,
    level: Level,
    part: list[int],
    rules: Rules,
    found: Found,
    label_share: dict[str, float],
    named: tuple[str, str] | None,
) -> None:
    """One section without sub-headings: lists (category bullets, list headings, plain items) or paragraphs."""
    nodes = tree.nodes
    tables = [j for j in part if nodes[j].kind == "table"]
    if tables:  # a table inside the level: one competency per row (first cell), its other cells the behaviors
        from pipeline.parse.matrix import section_table

        for t in tables:
            for name, ref, behaviors in section_table(tree, t, rules):
                if behaviors:
                    c = level.comp(name if named is None else named[0], ref if named is None else named[1])
                    c.behaviors.extend(behaviors)
                    found.note(found.comp_kinds, "table labels" if name and named is None else "none")
                    found.note(found.behavior_kinds, "cells and cell list items")
        part = [j for j in part if nodes[j].kind != "table"]
    lists = [j for j in part if nodes[j].kind == "list"]
    if not lists:
        paras = [
            j
            for j in part
            if nodes[j].kind == "para" and not nodes[j].emph and not rules.is_years(nodes[j].text) and nodes[j].text
        ]
        # bold-label paragraphs with inline text: each is a competency of one statement
        labelled = [j for j in paras if nodes[j].label]
        if (
            named is None
            and labelled
            and len(labelled) == len(paras)
            and _labels_recur(labelled, tree, rules, label_share)
        ):
            for j in labelled:
                lab = _label_of(tree, j, rules)
                if lab and lab[1] and not rules.is_empty(lab[1]):
                    level.comp(lab[0], nodes[j].ref).behaviors.append(Behavior(lab[1], nodes[j].ref))
            found.note(found.comp_kinds, "bold labels")
            found.note(found.behavior_kinds, "inline statements")
            return
        for j in part:
            if nodes[j].kind == "quote" or (nodes[j].kind == "para" and nodes[j].emph):
                level.summary.extend(t for t in _texts(tree, j) if not rules.is_years(t))
        if not paras:
            return
        c = level.comp(named[0] if named else None, named[1] if named else nodes[paras[0]].ref)
        c.behaviors.extend(Behavior(nodes[j].text, nodes[j].ref) for j in paras if not rules.is_empty(nodes[j].text))
        found.note(found.behavior_kinds, "paragraphs")
        if named is None:
            found.note(found.comp_kinds, "none")
        return
    # bold-label lines (`**Impact:** text`) are competencies wherever they stand, when the labels recur or
    # some of them open a list
    label_paras = [j for j in part if nodes[j].kind == "para" and nodes[j].label and not rules.is_years(nodes[j].text)]
    label_set = set(label_paras)  # for membership; the list keeps the order
    opens_list = any(
        pos + 1 < len(part) and nodes[part[pos + 1]].kind == "list" for pos, j in enumerate(part) if j in label_set
    )
    use_labels = (
        named is None and bool(label_paras) and (opens_list or _labels_recur(label_paras, tree, rules, label_share))
    )
    # other prose before the first list is the level's summary
    first_list = part.index(lists[0])
    for j in part[:first_list]:
        n = nodes[j]
        if use_labels and j in label_set:
            continue
        if n.kind in ("para", "quote") and not (j == part[first_list - 1] and _list_heading(tree, j, rules)):
            for text in _texts(tree, j):
                if not rules.is_years(text):
                    level.summary.append(text)
    pending: tuple[str, str] | None = None  # a list heading or bold label waiting for its list
    for pos, j in enumerate(part):
        n = nodes[j]
        if n.kind == "para":
            nxt = part[pos + 1] if pos + 1 < len(part) else None
            lab = _label_of(tree, j, rules) if (n.label or n.text.endswith(":")) else None
            if rules.is_years(n.text):
                continue
            if nxt is not None and nodes[nxt].kind == "list" and (lab or _list_heading(tree, j, rules)):
                pending = (lab[0] if lab else n.text.rstrip(": "), n.ref)  # the list carries the behaviors
            elif lab and lab[1] and use_labels and j in label_set and not rules.is_empty(lab[1]):
                level.comp(lab[0], n.ref).behaviors.append(Behavior(lab[1], n.ref))
                found.note(found.comp_kinds, "bold labels")
                found.note(found.behavior_kinds, "inline statements")
            continue
        if n.kind != "list":
            continue
        items = _top_items(tree, j)
        if pending is not None and named is None:
            c = level.comp(pending[0], pending[1])
            c.behaviors.extend(_item_behaviors(tree, items, rules))
            found.note(found.comp_kinds, "list headings")
            found.note(found.behavior_kinds, "list items")
            pending = None
            continue
        pending = None
        if named is None and _category_list(tree, items, rules, label_share):
            for i in items:
                lab = _item_label(tree, i, rules)
                if lab is None:
                    continue
                c = level.comp(lab[0], nodes[i].ref)
                subs = [k for s in tree.sublists(i) for k in _top_items(tree, s)]
                if subs:
                    c.behaviors.extend(_item_behaviors(tree, subs, rules))
                    found.note(found.behavior_kinds, "nested list items")
                elif lab[1] and not rules.is_empty(lab[1]) and not rules.is_years(nodes[i].text):
                    c.behaviors.append(Behavior(lab[1], nodes[i].ref))
                    found.note(found.behavior_kinds, "inline statements")
                if not c.behaviors:
                    level.comps.remove(c)
            found.note(found.comp_kinds, "category bullets")
            continue
        c = level.comp(named[0] if named else None, named[1] if named else nodes[j].ref)
        c.behaviors.extend(_item_behaviors(tree, items, rules))
        found.note(found.behavior_kinds, "list items")
        if named is None:
            found.note(found.comp_kinds, "none")
    level.comps = [c for c in level.comps if c.behaviors or not c.applicable]


def _list_heading(tree: Tree, j: int, rules: Rules) -> bool:
    """A short line right above a list that names it ('Responsibilities', 'What you do:')."""
    n = tree.nodes[j]
    words = n.text.split()
    return (
        n.kind == "para"
        and not rules.is_years(n.text)
        and not n.text.startswith(">")
        and 0 < len(words) <= rules.cfg.max_label_words
        and not n.text.endswith((".", "!", "?"))
        and (n.text.endswith(":") or bool(n.label) or n.emph or len(words) <= 4)
    )


def _labels_recur(idx: list[int], tree: Tree, rules: Rules, label_share: dict[str, float]) -> bool:
    labels = [lab[0] for i in idx if (lab := _label_of(tree, i, rules))]
    if not labels:
        return False
    shares = [label_share.get(_key(x), 0.0) for x in labels]
    return sum(shares) / len(shares) >= rules.cfg.min_category_recurrence


def _category_list(tree: Tree, items: list[int], rules: Rules, label_share: dict[str, float]) -> bool:
    """Every item is `Label: …`; the labels carry nested bullets, are bare (`Impact:`) or recur across levels."""
    labs = [_item_label(tree, i, rules) for i in items]
    if not items or any(lab is None for lab in labs):
        return False
    nested = any(tree.sublists(i) for i in items)
    bare = any(lab is not None and not lab[1] for lab in labs)
    return nested or bare or _labels_recur(items, tree, rules, label_share)


def label_shares(tree: Tree, bodies: list[list[int]], rules: Rules) -> dict[str, float]:
    """For each `Label:` written in the levels' lists or paragraphs, the share of levels that use it."""
    if not bodies:
        return {}
    seen: dict[str, int] = {}
    for body in bodies:
        labels = set()
        for j in body:
            cands = tree.items(j) if tree.nodes[j].kind == "list" else [j] if tree.nodes[j].kind == "para" else []
            for i in cands:
                lab = _label_of(tree, i, rules)
                if lab:
                    labels.add(_key(lab[0]))
        for k in labels:
            seen[k] = seen.get(k, 0) + 1
    return {k: v / len(bodies) for k, v in seen.items()} if len(bodies) > 1 else {k: 0.0 for k in seen}


# ------------------------------------------------------------------------------------------------ detection


def promote_text_headings(nodes: list[Node], cfg: StructureConfig, rules: Rules | None = None) -> list[Node]:
    """Plain text has no heading markup: a short top-level line that looks like a level (`Level 2 - CSM`) and
    is followed by more text becomes a level-2 heading, so the heading rules can read the ladder.

    `rules`: the document's `Rules` of `cfg` when it has them (their answers per text are reused)."""
    rules = rules if rules is not None else Rules(cfg)
    top = [i for i, n in enumerate(nodes) if n.parent < 0]
    out = list(nodes)
    for i in top[:-1]:
        n = nodes[i]
        if n.kind == "para" and not n.text.startswith(">") and rules.level_like(n.text):
            out[i] = n.model_copy(update={"kind": "heading", "level": 2})
    return out


def _heading_context(tree: Tree) -> dict[int, tuple[str, ...]]:
    """For every top-level node, the titles of the headings it sits under (outermost first)."""
    ctx: dict[int, tuple[str, ...]] = {}
    open_heads: list[tuple[int, str]] = []
    titles: tuple[str, ...] = ()  # the titles of open_heads, made again only when a heading opens
    for j in tree.top:
        n = tree.nodes[j]
        ctx[j] = titles
        if n.kind == "heading":
            while open_heads and open_heads[-1][0] >= n.level:
                open_heads.pop()
            open_heads.append((n.level, n.text))
            titles = tuple(t for _, t in open_heads)
    return ctx


def detect(
    nodes: list[Node],
    cfg: StructureConfig,
    single_level: bool = True,
    path_markers: dict[str, str] | None = None,
) -> Found:
    """Find the levels of a document's tree. With `single_level`, a document with no level axis is read as one
    level titled by its first heading (one document per level), when it has a list under that heading."""
    return LadderMemo(nodes, cfg, path_markers).found(single_level)


class LadderMemo:
    """The ladder detection of one document's tree, done once and shared: kind detection asks it for the level
    axis (`pipeline.ingest.classify.level_axis`) and the career-page parser reads the same answers.

    Made per document and passed explicitly; `found(False)` and `found(True)` share the level-axis work (they
    differ only when no level axis is found), `promoted()` is the detection over `promote_text_headings`.
    The `Found` objects it returns are shared between callers: read them, never change them.
    """

    def __init__(
        self,
        nodes: list[Node],
        cfg: StructureConfig,
        path_markers: dict[str, str] | None = None,
        rules: Rules | None = None,
        shape: Tree | None = None,
    ) -> None:
        self.nodes = nodes
        self.cfg = cfg
        self.path_markers = path_markers
        self._rules = rules  # made on first use; shared with the promoted reading (same texts, same answers)
        self._shape = shape
        self._axes: tuple[Tree, Rules, Found, list[Level]] | None = None
        self._found: dict[bool, Found] = {}
        self._promoted: Found | None = None

    def serves(self, nodes: list[Node], cfg: StructureConfig, path_markers: dict[str, str] | None = None) -> bool:
        """True when this memo was made for these nodes and settings (the same objects, or equal ones)."""
        return (
            (self.cfg is cfg or self.cfg == cfg)
            and (self.path_markers or {}) == (path_markers or {})
            and len(self.nodes) == len(nodes)
            and all(a is b or a == b for a, b in zip(self.nodes, nodes, strict=True))
        )

    @property
    def rules(self) -> Rules:
        """The `Rules` of this memo's settings, with the answers per text found so far."""
        if self._rules is None:
            self._rules = Rules(self.cfg, self.path_markers)
        return self._rules

    def found(self, single_level: bool) -> Found:
        """`detect(nodes, cfg, single_level, path_markers)`, computed once per value of `single_level`."""
        if single_level not in self._found:
            if self._axes is None:
                self._axes = _detect_axes(self.nodes, self.rules, self._shape)
            tree, rules, found, levels = self._axes
            if levels or not single_level:  # the one-level reading only applies when no axis was found
                self._found[single_level] = _finish(found, levels)
            else:
                self._found[single_level] = _finish(*_one_level(tree, rules, _copy(found)))
        return self._found[single_level]

    def promoted(self) -> Found:
        """`detect(promote_text_headings(nodes, cfg), cfg, False, path_markers)`, computed once."""
        if self._promoted is None:
            promoted = promote_text_headings(self.nodes, self.cfg, self.rules)
            shape = self._axes[0] if self._axes is not None else None  # the same parents: the same children
            self._promoted = LadderMemo(promoted, self.cfg, self.path_markers, self.rules, shape).found(False)
        return self._promoted


def _copy(found: Found) -> Found:
    return Found(
        list(found.levels),
        list(found.axes),
        list(found.comp_kinds),
        list(found.behavior_kinds),
        list(found.skipped),
    )


def _detect_axes(nodes: list[Node], rules: Rules, shape: Tree | None = None) -> tuple[Tree, Rules, Found, list[Level]]:
    """The heading and table level axes of a tree: the levels found (in line order), before the one-level reading
    (`shape`: see `Tree`)."""
    from pipeline.parse.matrix import table_levels

    tree = Tree(nodes, shape)
    found = Found()
    ctx_of: dict[int, tuple[str, ...]] | None = None

    def ctx(j: int) -> tuple[str, ...]:  # the heading context, made when a level or a table needs it
        nonlocal ctx_of
        if ctx_of is None:
            ctx_of = _heading_context(tree)
        return ctx_of[j]

    axis = heading_axis(tree, rules)
    sections = level_sections(tree, axis[0], axis[1], rules, found) if axis else []
    covered = {j for s in sections for j in s.body} | {s.head for s in sections}
    shares = label_shares(tree, [s.body for s in sections], rules)
    levels: list[Level] = []
    if sections:
        for s in sections:
            h = nodes[s.head]
            lv = Level(title=h.text, ref=h.ref, line=line_of(h.ref))
            fill_level(tree, lv, s.body, rules, found, shares)
            lv.path = rules.path_of(h.text) or rules.path_of(*reversed(ctx(s.head))) or _ic_summary(lv, rules)
            levels.append(lv)
        found.axes.append(f"H{axis[0]} headings {_span(levels)}" if axis else "")
    by_title: dict[str, Level] = {}
    table_axes: list[str] = []
    for j in tree.top:
        if nodes[j].kind != "table" or j in covered:
            continue
        got = table_levels(tree, j, rules)
        if got is None:
            if any(nodes[k].kind == "cell" for r in tree.kids[j] for k in tree.kids[r]):
                found.note(found.skipped, f"table at {nodes[j].ref} (no level axis or an index)")
            continue
        table_found, how = got
        path = rules.path_of(*reversed(ctx(j)))
        new = []
        for lv in table_found:
            key = _key(lv.title)
            if key in by_title:  # the same levels over several tables (one per competency group)
                for c in lv.comps:
                    target = by_title[key].comp(c.name, c.ref)
                    target.behaviors.extend(c.behaviors)
                continue
            lv.line = line_of(lv.ref)
            lv.path = rules.path_of(lv.title) or path
            by_title[key] = lv
            new.append(lv)
        levels.extend(new)
        if new:
            table_axes.append(f"{how} {_span(new)}")
            found.note(found.comp_kinds, "table labels")
            found.note(found.behavior_kinds, "cells and cell list items")
    found.axes.extend(a for a in table_axes)
    levels.sort(key=lambda lv: lv.line)
    return tree, rules, found, levels


def _one_level(tree: Tree, rules: Rules, found: Found) -> tuple[Found, list[Level]]:
    """No level axis: the whole document as one level titled by its first heading, when a list follows it."""
    nodes = tree.nodes
    levels: list[Level] = []
    heads = [j for j in tree.top if nodes[j].kind == "heading"]
    if not heads and tree.top and nodes[tree.top[0]].kind == "para":
        t = nodes[tree.top[0]].text  # plain text: a short first line is the title
        if len(t.split()) <= rules.cfg.max_title_words and not t.endswith((".", ":", "!", "?")):
            heads = [tree.top[0]]
    if heads:
        first = heads[0]
        body = tree.top[tree.pos[first] + 1 :]
        if any(nodes[j].kind == "list" for j in body):
            h = nodes[first]
            lv = Level(title=h.text, ref=h.ref, line=line_of(h.ref))
            fill_level(tree, lv, body, rules, found, {})
            lv.path = rules.path_of(h.text) or _ic_summary(lv, rules)
            if lv.comps:
                levels.append(lv)
                found.axes.append(f"one level per document ({h.text!r})")
    return found, levels


def _finish(found: Found, levels: list[Level]) -> Found:
    """A new `Found` with the levels that have behaviors (or are marked not defined); the others are skipped."""
    out = _copy(found)
    out.levels = [lv for lv in levels if any(c.behaviors for c in lv.comps) or _not_defined(lv)]
    for lv in levels:
        if lv not in out.levels:
            out.note(out.skipped, f"{lv.title} (no behaviors)")
    return out


_NOT_DEFINED = re.compile(r"\(\s*n\s*/\s*a\s*\)|\bnot (?:yet )?defined\b|\bnot yet available\b|\bcoming soon\b", re.I)


def _not_defined(lv: Level) -> bool:
    return bool(_NOT_DEFINED.search(lv.title) or any(_NOT_DEFINED.search(t) for t in lv.summary))


_IC_WORDING = re.compile(r"\bindividual[- ]contributors?\b", re.IGNORECASE)


def _ic_summary(lv: Level, rules: Rules) -> str | None:
    """A level whose own summary says it is an individual-contributor level."""
    return "ic" if any(_IC_WORDING.search(t) for t in lv.summary) else None


def _span(levels: list[Level]) -> str:
    if not levels:
        return ""
    if len(levels) == 1:
        return levels[0].title
    return f"{levels[0].title}–{levels[-1].title}"


def structure_line(found: Found) -> str:
    """One line saying what was read: levels, competencies, behaviors, skipped sections."""
    if not found.levels:
        return "no level axis found" + (
            f"; skipped: {', '.join(repr(s) for s in found.skipped)}" if found.skipped else ""
        )
    parts = [f"levels: {'; '.join(a for a in found.axes if a)}"]
    comps = [k for k in found.comp_kinds if k != "none"]
    if "none" in found.comp_kinds:
        comps.append("none (one unnamed group)")
    parts.append(f"competencies: {', '.join(comps) or 'none'}")
    parts.append(f"behaviors: {', '.join(found.behavior_kinds) or 'none'}")
    if found.skipped:
        parts.append(f"skipped: {', '.join(repr(s) for s in found.skipped)}")
    return "; ".join(parts)


def ladder_document(doc: Document, config: Config, found: Found, track: str) -> ParsedDocument:
    """The `ParsedDocument` of the levels `found` in `doc` (titles, paths, years, competencies, behaviors).

    A level whose document does not say IC or management goes on the management path when its title or summary
    says so (`career_page.management_title_patterns`, `management_summary_patterns`), else on the IC path. A level marked `(N/A)` or "not defined
    yet" is kept with `defined: false` and no behaviors.
    """
    cp = config.career_page
    management = compiled(cp.management_title_patterns, re.IGNORECASE)
    leads = compiled(cp.management_summary_patterns, re.IGNORECASE)
    not_defined = compiled(cp.not_defined_patterns, re.IGNORECASE)
    if len(found.levels) == 1 and found.axes and found.axes[0].startswith("one level"):
        track = re.sub(r"\s*\([^)]*\)\s*$", "", found.levels[0].title) or track
    roles: list[ParsedRole] = []
    comps: list[ParsedCompetency] = []
    behaviors: list[ParsedBehavior] = []
    for order, lv in enumerate(found.levels):
        summary = " ".join(lv.summary).strip() or None
        defined = not any(rx.search(lv.title) or rx.search(summary or "") for rx in not_defined)
        title = re.sub(r"\s*\(\s*n\s*/\s*a\s*\)\s*$", "", lv.title, flags=re.IGNORECASE).strip() or lv.title
        says_manages = any(rx.search(title) for rx in management) or any(rx.search(summary or "") for rx in leads)
        path = lv.path or ("management" if says_manages else "ic")
        roles.append(
            ParsedRole(
                title=title,
                track=track,
                path="management" if path == "management" else "ic",
                order=order,
                defined=defined,
                summary=summary,
                years_min=lv.years[0],
                years_max=lv.years[1],
                source_ref=lv.ref,
            )
        )
        if not defined:
            continue
        for c in lv.comps:
            name = c.name or GENERAL
            comps.append(ParsedCompetency(role=title, name=name, applicable=c.applicable, source_ref=c.ref))
            behaviors.extend(
                ParsedBehavior(role=title, competency=name, text=b.text, source_ref=b.ref) for b in c.behaviors
            )
    warnings = [] if roles else [f"{doc.file}: career page with no roles found ({structure_line(found)})"]
    return parsed_document(doc, track, roles, comps, behaviors, warnings, structure_line(found))


def parsed_document(
    doc: Document,
    track: str,
    roles: list[ParsedRole],
    competencies: list[ParsedCompetency],
    behaviors: list[ParsedBehavior],
    warnings: list[str],
    structure: str = "",
) -> ParsedDocument:
    """The `ParsedDocument` of a career page (`doc`'s id, file and kind with what its parser found)."""
    return ParsedDocument(
        doc_id=doc.id,
        file=doc.file,
        kind=doc.kind,
        track=track,
        roles=roles,
        competencies=competencies,
        behaviors=behaviors,
        warnings=warnings,
        structure=structure,
    )

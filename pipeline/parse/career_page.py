"""Parse career pages: a track, its role menu (IC / management path), and per role a summary and
competency sections with a description and bullet behaviors.

Works on blocks, so text, Markdown and HTML pages share it. Three ways to find the skeleton, first that
works wins:
1. menus: a run of short lines whose entries come back later as section headings is the role menu
   (each entry once) or the competency menu (each entry under several roles);
2. heading levels: the level right above the bullet lists is the competency level, the level above
   that the role level (Markdown / HTML ladders without menus);
3. recurrence: in plain text with neither, competency names are the short lines that come back under
   every role, and a role title is a short line whose next name line is a competency.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.parse.settings import CareerPageConfig

if TYPE_CHECKING:
    from pipeline.config import Config

from pipeline.errors import ParseError
from pipeline.ids import name_key
from pipeline.models import Block, Document, ParsedBehavior, ParsedCompetency, ParsedDocument, ParsedRole
from pipeline.parse.ladder import Found, LadderMemo, ladder_document, line_of, parsed_document
from pipeline.settings import compiled

_SENTENCE_END = (".", "!", "?", ";", ":")
_NA_SUFFIX = re.compile(r"\s*\(\s*n\s*/\s*a\s*\)\s*$", re.IGNORECASE)
_ABBREV = re.compile(r"((?:[A-Z][\w&-]*\s+){1,6})\(([A-Z][A-Za-z]{1,7})\)")


def role_key(text: str) -> str:
    """Key of a role or competency heading: `"Senior Principal Scale CSM (N/A)"` -> `"senior principal scale csm"`."""
    return name_key(_NA_SUFFIX.sub("", text))


def collapse_abbreviation(text: str) -> str:
    """`"Scale Customer Success Manager (CSM)"` -> `"Scale CSM"`: spelled-out words give way to their initials.

    A name that is nothing but the expansion keeps it: `"Data Analytics Engineer (DAE)"` ->
    `"Data Analytics Engineer"`.
    """

    def repl(m: re.Match[str]) -> str:
        words, abbr = m.group(1).split(), m.group(2)
        letters = [c for c in abbr if c.isupper()]
        for start in range(len(words)):
            if [w[0].upper() for w in words[start:]] == letters:
                # keep at least one spelled-out word: a name that is only the expansion keeps it
                return " ".join(words[:start] + [abbr] if start else words) + " "
        return m.group(0)

    return re.sub(r"\s+", " ", _ABBREV.sub(repl, text + " ")).strip()


@dataclass
class _Skeleton:
    roles: list[str]  # display titles in menu order
    role_keys: dict[str, int]  # key -> order
    paths: dict[str, str]  # key -> path
    comp_keys: set[str]
    body_start: int  # index of the first block after the menus
    role_level: int | None = None  # heading level of roles (heading mode)
    comp_level: int | None = None
    warnings: list[str] = field(default_factory=list)


class _Rules:
    def __init__(self, cfg: CareerPageConfig) -> None:
        self.cfg = cfg
        flags = re.IGNORECASE
        self.not_defined = compiled(cfg.not_defined_patterns, flags)
        self.not_applicable = compiled(cfg.not_applicable_patterns, flags)
        self.markers = list(zip(compiled(cfg.path_markers, flags), cfg.path_markers.values(), strict=True))
        self.management = compiled(cfg.management_title_patterns, flags)
        self.management_summary = compiled(cfg.management_summary_patterns, flags)
        self.labels = {name_key(x) for x in cfg.behaviors_labels}
        self.tracks = compiled(cfg.track_patterns, flags)

    def short(self, b: Block) -> bool:
        """Could be a name (role, competency, label, menu entry): short and not a sentence."""
        if b.kind == "heading":
            return True
        words = b.text.split()
        return 0 < len(words) <= self.cfg.max_heading_words and not b.text.endswith(_SENTENCE_END)

    def path_marker(self, text: str) -> str | None:
        return next((path for rx, path in self.markers if rx.search(text)), None)

    def is_not_defined(self, text: str) -> bool:
        return any(rx.search(text) for rx in self.not_defined)

    def is_not_applicable(self, text: str) -> bool:
        return any(rx.search(text) for rx in self.not_applicable)

    def unmarked_path(self, title: str, summary: str) -> str:
        """Path of a role no menu marker placed: `("Design Manager", "Leads a team of 5 designers.")` ->
        `"management"` (title words first, then a summary that says the role leads or manages people)."""
        if any(rx.search(title) for rx in self.management):
            return "management"
        return "management" if any(rx.search(summary) for rx in self.management_summary) else "ic"


def _line(b: Block) -> int:
    return int(b.ref[1:])


def _runs(blocks: list[Block], rules: _Rules, fmt: str) -> list[tuple[int, int]]:
    """Maximal runs [start, end) of short blocks of one kind, adjacent lines in text files."""
    runs, i = [], 0
    while i < len(blocks):
        if not rules.short(blocks[i]) or blocks[i].kind == "heading":
            i += 1
            continue
        j = i + 1
        while (
            j < len(blocks)
            and rules.short(blocks[j])
            and blocks[j].kind == blocks[i].kind
            and (fmt != "text" or _line(blocks[j]) == _line(blocks[j - 1]) + 1)
        ):
            j += 1
        if j - i >= 2:
            runs.append((i, j))
        i = j
    return runs


def _menu_skeleton(doc: Document, rules: _Rules) -> _Skeleton | None:
    blocks = doc.blocks
    role_menu = comp_menu = None
    for start, end in _runs(blocks, rules, doc.format):
        later = Counter(role_key(b.text) for b in blocks[end:] if rules.short(b) and b.kind != "item")
        entries = [b for b in blocks[start:end] if not rules.path_marker(b.text)]
        hits = sorted(later[role_key(b.text)] for b in entries if later[role_key(b.text)] > 0)
        if len(hits) < 2:
            continue
        median = hits[len(hits) // 2]
        if median == 1 and role_menu is None:
            role_menu = (start, end)
        elif median >= 2 and comp_menu is None and role_menu is not None:
            comp_menu = (start, end)
        if role_menu and comp_menu:
            break
    if role_menu is None:
        return None
    later_all = Counter(role_key(b.text) for b in blocks[role_menu[1] :] if rules.short(b))
    roles: list[str] = []
    role_keys: dict[str, int] = {}
    paths: dict[str, str] = {}
    path = None
    for b in blocks[role_menu[0] : role_menu[1]]:
        marker = rules.path_marker(b.text)
        if marker:
            path = marker
            continue
        key = role_key(b.text)
        if not later_all[key] or key in role_keys:
            continue
        role_keys[key] = len(roles)
        roles.append(_NA_SUFFIX.sub("", b.text).strip())
        paths[key] = path or ""
    # entries before the first marker belong to the path of the first marker only if it is IC
    comp_keys: set[str] = set()
    body_start = role_menu[1]
    if comp_menu:
        comp_keys = {role_key(b.text) for b in blocks[comp_menu[0] : comp_menu[1]] if later_all[role_key(b.text)] >= 2}
        comp_keys -= set(role_keys)
        body_start = max(body_start, comp_menu[1])
    return _Skeleton(roles, role_keys, paths, comp_keys, body_start)


def _heading_skeleton(doc: Document, rules: _Rules) -> _Skeleton | None:
    blocks = doc.blocks
    above_items: Counter[int] = Counter()
    last_heading: Block | None = None
    for b in blocks:
        if b.kind == "heading" and role_key(b.text) not in rules.labels:
            last_heading = b
        elif b.kind == "item" and last_heading is not None:
            above_items[last_heading.level] += 1
            last_heading = None
    if not above_items:
        return None
    comp_level = above_items.most_common(1)[0][0]
    upper = Counter(b.level for b in blocks if b.kind == "heading" and b.level < comp_level)
    candidates = [lvl for lvl, n in upper.items() if n >= 2] or [lvl for lvl in upper]
    if not candidates:
        return None
    role_level = max(candidates)
    roles: list[str] = []
    role_keys: dict[str, int] = {}
    paths: dict[str, str] = {}
    path = None
    for b in blocks:
        if b.kind != "heading" or b.level > role_level:
            continue
        marker = rules.path_marker(b.text)
        if marker:
            path = marker
            continue
        if b.level == role_level:
            key = role_key(b.text)
            if key not in role_keys:
                role_keys[key] = len(roles)
                roles.append(_NA_SUFFIX.sub("", b.text).strip())
                paths[key] = path or ""
    comp_keys = {
        role_key(b.text)
        for b in blocks
        if b.kind == "heading" and b.level == comp_level and role_key(b.text) not in rules.labels
    }
    if len(roles) < 2:
        return None  # one "role" is the page title over bold competency lines: let recurrence decide
    first = next(i for i, b in enumerate(blocks) if b.kind == "heading" and role_key(b.text) in role_keys)
    return _Skeleton(roles, role_keys, paths, comp_keys, first, role_level, comp_level)


def _recurrence_skeleton(doc: Document, rules: _Rules) -> _Skeleton | None:
    """Plain text with neither menus nor heading markup: competency names are the short lines that
    recur, role titles the short lines whose next name line is a competency."""
    blocks = doc.blocks
    names = [
        (i, role_key(b.text))
        for i, b in enumerate(blocks)
        if b.kind != "item" and rules.short(b) and role_key(b.text) not in rules.labels
    ]
    counts = Counter(key for _, key in names)
    comp_keys = {k for k, n in counts.items() if n >= 2 and not rules.path_marker(k)}
    if not comp_keys:
        return None
    roles: list[str] = []
    role_keys: dict[str, int] = {}
    paths: dict[str, str] = {}
    path = None
    first = None
    for (i, key), (_, nxt) in zip(names, names[1:], strict=False):
        b = blocks[i]
        marker = rules.path_marker(b.text)
        if marker:
            path = marker
            continue
        if key in comp_keys or nxt not in comp_keys or key in role_keys:
            continue
        role_keys[key] = len(roles)
        roles.append(_NA_SUFFIX.sub("", b.text).strip())
        paths[key] = path or ""
        first = i if first is None else first
    if len(roles) < 2 or first is None:
        return None
    return _Skeleton(roles, role_keys, paths, comp_keys, first)


def _track_name(doc: Document, intro: list[Block], rules: _Rules) -> str:
    for rx in rules.tracks:
        for b in intro:
            m = rx.search(b.text)
            if m:
                return collapse_abbreviation(m.group("track").strip(" .,:;\"'“”—–-"))
    heading = next((b.text for b in intro if b.kind == "heading" and b.level == 1), None)
    return collapse_abbreviation(heading or doc.title)


def _tree_track(doc: Document, found: Found, rules: _Rules) -> str:
    """Track name from what comes before the first level (its H1, or a 'the X ladder' sentence)."""
    first = line_of(found.levels[0].ref) if found.levels else 0
    intro = [b for b in doc.blocks if line_of(b.ref) < first]
    if intro or len(found.levels) < 2 or doc.title not in {lv.title for lv in found.levels}:
        return _track_name(doc, intro, rules)
    # the page opens with its first level: the words every level title shares name the track
    shared = set.intersection(*({w.casefold() for w in lv.title.split()} for lv in found.levels))
    words = [w for w in found.levels[0].title.split() if w.casefold() in shared]
    return " ".join(words) or doc.title


def parse_career_page(doc: Document, config: Config, ladders: LadderMemo | None = None) -> ParsedDocument:
    """Parse a career page into roles, competency sections and behavior bullets.

    A page is read by its tree (`pipeline.parse.ladder`: level headings, ladder tables) unless it has a role
    menu (a run of short lines whose entries come back as sections) that names every level the tree found and
    more, or it is plain text with a menu; then by the menu / heading / recurrence skeletons below. A page none
    of those reads is taken as one level of a ladder written one level per document.

    `ladders`: the ladder detection kind detection did on this document (`LadderMemo`), reused when it was
    made for these nodes and settings.
    """
    rules = _Rules(config.career_page)
    structure, markers = config.career_page.structure, config.career_page.path_markers
    memo = ladders
    if memo is None or not memo.serves(doc.nodes, structure, markers):
        memo = LadderMemo(doc.nodes, structure, markers)
    found = memo.found(single_level=False)
    # a role menu wins when it names every level the tree found and more (levels listed but not written yet);
    # it is looked for only where it can matter: plain text, or a tree that found no level or skipped some
    skel = _menu_skeleton(doc, rules) if doc.format == "text" or not found.levels or found.skipped else None
    menu_wins = skel is not None and (
        {role_key(lv.title) for lv in found.levels} < set(skel.role_keys) or doc.format == "text"
    )
    if found.levels and not menu_wins:
        return ladder_document(doc, config, found, _tree_track(doc, found, rules))
    if skel is None:
        skel = _heading_skeleton(doc, rules) or _recurrence_skeleton(doc, rules)
    if skel is None or not skel.roles:
        if doc.format == "text":  # level-like short lines as headings
            promoted = memo.promoted()
            if promoted.levels:
                return ladder_document(doc, config, promoted, _tree_track(doc, promoted, rules))
        single = memo.found(single_level=True)
        if single.levels:
            return ladder_document(doc, config, single, _tree_track(doc, single, rules))
        raise ParseError(f"{doc.file}: no role menu or role headings found; is it a career page?")
    blocks = doc.blocks
    track = _track_name(doc, blocks[: skel.body_start], rules)

    order = dict(skel.role_keys)
    sections: dict[str, dict] = {}
    competencies: list[ParsedCompetency] = []
    behaviors: list[ParsedBehavior] = []
    role: dict | None = None
    comp: dict | None = None

    def close_comp() -> None:
        nonlocal comp
        if comp is None or role is None:
            comp = None
            return
        desc = " ".join(comp["desc"]).strip() or None
        na = desc is not None and rules.is_not_applicable(desc)
        competencies.append(
            ParsedCompetency(
                role=role["title"],
                name=comp["name"],
                description=None if na else desc,
                applicable=not na and (desc is not None or comp["n"] > 0),
                source_ref=comp["ref"],
            )
        )
        comp = None

    for b in blocks[skel.body_start :]:
        key = role_key(b.text)
        heading_like = rules.short(b) and b.kind != "item"
        if heading_like and key in skel.role_keys and (skel.role_level is None or b.level == skel.role_level):
            close_comp()
            title = skel.roles[skel.role_keys[key]]
            role = sections.setdefault(
                key, {"title": title, "raw": b.text, "ref": b.ref, "summary": [], "na": bool(_NA_SUFFIX.search(b.text))}
            )
            continue
        if role is None:
            continue
        if heading_like and key in skel.comp_keys and (skel.comp_level is None or b.level == skel.comp_level):
            close_comp()
            comp = {"name": b.text, "ref": b.ref, "desc": [], "in_list": False, "n": 0}
            continue
        if heading_like and (key in rules.labels or b.kind == "heading" or not rules.is_not_applicable(b.text)):
            if comp is not None and key in rules.labels:
                comp["in_list"] = True
            continue  # labels and tabs ("Behaviors", "Professional Path")
        if comp is None:
            if b.kind == "item":
                comp = {"name": "General", "ref": b.ref, "desc": [], "in_list": True, "n": 0}
            else:
                role["summary"].append(b.text)
                continue
        if b.kind == "item" or comp["in_list"]:
            behaviors.append(ParsedBehavior(role=role["title"], competency=comp["name"], text=b.text, source_ref=b.ref))
            comp["n"] += 1
        else:
            comp["desc"].append(b.text)
    close_comp()

    roles: list[ParsedRole] = []
    for key, idx in sorted(order.items(), key=lambda kv: kv[1]):
        sec = sections.get(key)
        title = skel.roles[idx]
        summary = " ".join(sec["summary"]).strip() if sec else ""
        defined = bool(sec) and sec is not None and not sec["na"] and not rules.is_not_defined(summary)
        roles.append(
            ParsedRole(
                title=title,
                track=track,
                path=skel.paths[key] or rules.unmarked_path(title, summary),
                order=idx,
                defined=defined,
                summary=summary or None,
                source_ref=sec["ref"] if sec else "L0",
            )
        )
    warnings = [
        f"{doc.file}: role {r.title!r} is in the menu but has no section" for r in roles if r.source_ref == "L0"
    ]
    return parsed_document(doc, track, roles, competencies, behaviors, warnings)

"""Text repair: ftfy for mojibake and friends, then configured rules for damage ftfy leaves.

Every change is recorded as a `Repair` (file, line, rule, before, after) so a reviewer can check it.

Repair runs only where damage can be: ftfy (with the settings used here) changes a line only if its own
mojibake detector (`ftfy.badness.is_bad`) fires on it, or it holds a character one of its other fixes
rewrites (an HTML entity's `&`, C1 and other control characters, ligatures, full-width forms, lone
surrogates), or it is not in NFC. `_needs_ftfy` tests that with compiled regexes over the whole text (the
detector's own only when the text holds the non-ASCII characters one of its branches needs, `may_match`), so
clean text never reaches ftfy; when it fires, each line is tested again and only those lines are fixed. A
rule is applied line by line only when the text (after ftfy and the rules before it) holds a character every
match of its pattern consumes (when the pattern shows one, as the bundled rules' `ā` and `Ā`), and its
pattern matches somewhere in the text; the second test is left out for a pattern holding a negative
lookaround or a `\\A` / `\\Z` anchor, whose match on a lone line may not be one in the whole text.
"""

from __future__ import annotations

import difflib
import re
import re._parser as sre_parse
import unicodedata
from functools import lru_cache

import ftfy
from ftfy import chardata
from ftfy.badness import BADNESS_RE

from pipeline.ingest import budget
from pipeline.ingest.settings import IngestConfig
from pipeline.models import Repair

_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_line_breaks=False, normalization="NFC", explain=False)
_WINDOW = 24
_MAX_ALIGN = 400  # characters of a changed span aligned character by character
_MAX_SHOWN = 240  # characters of a repair's before/after kept in the record


def _char_class(codes: set[int]) -> str:
    """A regex character class of `codes`, as ranges."""
    parts, ordered = [], sorted(codes)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        lo, hi = re.escape(chr(ordered[i])), re.escape(chr(ordered[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + "".join(parts) + "]"


# characters ftfy's fixes other than the mojibake repair rewrite: `&` (entities), C1 controls, surrogates,
# terminal escapes and other control characters, ligatures, full-width forms; and the line-start case of its
# detector (`^[ÃÂ] `, anchored to the start of a line, which a search over the whole text would miss)
_FTFY_CHARS = re.compile(
    _char_class(
        {ord("&"), 0x1B}
        | set(range(0x80, 0xA0))
        | set(range(0xD800, 0xE000))
        | set(chardata.CONTROL_CHARS)
        | set(chardata.LIGATURES)
        | set(chardata.WIDTH_MAP)
    )
    + "|[ÃÂ] "
)
# patterns whose match on a lone line may not be a match in the whole text
_LINE_ONLY = ("(?!", "(?<!", "\\A", "\\Z", "(?-")


def _one_character(op: object, av: object) -> frozenset[str] | None:
    """The characters a parsed one-character item matches: a literal, or a class of literals and ranges (None
    for anything else: a category such as `\\w`, a negated class, any character, a group)."""
    name = str(op)
    if name == "LITERAL":
        return frozenset(chr(av))  # type: ignore[arg-type]
    if name != "IN":
        return None
    chars: set[str] = set()
    for o, a in av:  # type: ignore[attr-defined]
        kind = str(o)
        if kind == "LITERAL":
            chars.add(chr(a))
        elif kind == "RANGE":
            chars.update(map(chr, range(a[0], a[1] + 1)))
        else:
            return None
    return frozenset(chars)


def _non_ascii_sets(seq: list) -> list[frozenset[str]]:
    """Sets of non-ASCII characters a match of the parsed sequence `seq` holds one of each, from its mandatory
    one-character items (a repeated item counts when it must occur; a plain group, by its own items)."""
    found: list[frozenset[str]] = []
    for op, av in seq:
        name = str(op)
        chars = _one_character(op, av)
        if chars is None and name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            found += _non_ascii_sets(list(av[2]))
        elif chars is None and name == "SUBPATTERN" and not (av[1] or av[2]):
            found += _non_ascii_sets(list(av[3]))
        elif chars and all(ord(c) > 127 for c in chars):
            found.append(chars)
    return found


NonAsciiNeeds = tuple[tuple[frozenset[str], ...], ...]


def non_ascii_needs(pattern: re.Pattern[str]) -> NonAsciiNeeds | None:
    """For each branch of `pattern`, the sets of non-ASCII characters a match of it holds one of each; None when
    some branch needs none (or the pattern ignores case). See `may_match`."""
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    if parsed.state.flags & re.IGNORECASE:
        return None
    items = list(parsed)
    branches = [list(b) for b in items[0][1][1]] if len(items) == 1 and str(items[0][0]) == "BRANCH" else [items]
    needs = tuple(tuple(_non_ascii_sets(branch)) for branch in branches)
    return None if any(not need for need in needs) else needs


def may_match(needs: NonAsciiNeeds, chars: set[str]) -> bool:
    """False when a text made of `chars` cannot match the pattern of `needs`: no branch finds one of each of
    its sets. Taking a text's set of characters and testing a few dozen sets is much quicker than searching a
    large alternation (ftfy's mojibake detector: ~4 ms on a 17 KB page whose only non-ASCII character is a
    bullet, against ~0.3 ms)."""
    return any(all(not s.isdisjoint(chars) for s in need) for need in needs)


# what a text must hold for ftfy's mojibake detector to fire on it
_BADNESS_NEEDS = non_ascii_needs(BADNESS_RE)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _needs_ftfy(text: str) -> bool:
    """Whether ftfy could change any line of `text` (False: it would return every line unchanged)."""
    if text.isascii():
        return False
    bad = (_BADNESS_NEEDS is None or may_match(_BADNESS_NEEDS, set(_NON_ASCII.findall(text)))) and BADNESS_RE.search(
        text
    )
    return bool(bad or _FTFY_CHARS.search(text) or not unicodedata.is_normalized("NFC", text))


def _required(seq: list) -> frozenset[str] | None:
    """Characters one of which every match of the parsed pattern `seq` consumes (None: no such set found)."""
    for op, av in seq:
        name = str(op)
        if name == "LITERAL":
            return frozenset(chr(av))
        if name == "IN" and av and all(str(o) == "LITERAL" for o, _ in av):
            return frozenset(chr(c) for _, c in av)
        if name == "BRANCH":
            sets = [_required(list(branch)) for branch in av[1]]
            if all(x is not None for x in sets):
                return frozenset().union(*(x for x in sets if x is not None))
        elif name == "SUBPATTERN":
            if av[1] or av[2]:  # scoped flags (a case-insensitive group): no literal is certain
                return None
            found = _required(list(av[3]))
            if found is not None:
                return found
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            found = _required(list(av[2]))
            if found is not None:
                return found
    return None


def _literals(pattern: str) -> frozenset[str] | None:
    """Characters one of which every match of `pattern` holds, when the pattern shows them (case-sensitive)."""
    try:
        parsed = sre_parse.parse(pattern, re.MULTILINE)
    except re.error:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    return _required(list(parsed))


@lru_cache(maxsize=16)
def _rules(
    rules: tuple[tuple[str, str, str], ...],
) -> list[tuple[str, re.Pattern[str], str, frozenset[str] | None, bool]]:
    """Compiled rules: name, pattern, replacement, characters one of which a match holds, and whether a
    search over the whole text may gate it."""
    return [
        (
            name,
            re.compile(pattern, flags=re.MULTILINE),
            replacement,
            _literals(pattern),
            not any(s in pattern for s in _LINE_ONLY),
        )
        for name, pattern, replacement in rules
    ]


def _common_affixes(a: str, b: str) -> tuple[int, int]:
    """Lengths of the common prefix and of the common suffix (not overlapping it) of `a` and `b`."""
    n = min(len(a), len(b))
    p = 0
    while p < n and a[p] == b[p]:
        p += 1
    s = 0
    while s < n - p and a[-1 - s] == b[-1 - s]:
        s += 1
    return p, s


def _align(a: str, b: str, i0: int, j0: int) -> list[tuple[int, int, int, int]]:
    """Changed spans of `a` -> `b` (offsets shifted by i0, j0); one whole span when too long to align."""
    if len(a) + len(b) > _MAX_ALIGN:
        return [(i0, i0 + len(a), j0, j0 + len(b))]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [(i0 + i1, i0 + i2, j0 + j1, j0 + j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def changed_spans(before: str, after: str) -> list[tuple[int, int, int, int]]:
    """(i1, i2, j1, j2) of each changed span of a line, in time linear in its length.

    Repairs change characters, not the spaces between words, so after trimming the common prefix and
    suffix the words of both sides pair up one to one and only changed words are aligned character by
    character (a character alignment of a whole long line is quadratic or worse). When the words do not pair
    up, the middle is aligned as one piece, or reported as one span when longer than `_MAX_ALIGN`.
    """
    p, s = _common_affixes(before, after)
    a, b = before[p : len(before) - s], after[p : len(after) - s]
    if not a and not b:
        return []
    words_a, words_b = a.split(" "), b.split(" ")
    if len(words_a) != len(words_b):
        return _align(a, b, p, p)
    spans: list[tuple[int, int, int, int]] = []
    i = j = p
    for x, y in zip(words_a, words_b, strict=True):
        if x != y:
            spans.extend(_align(x, y, i, j))
        i += len(x) + 1
        j += len(y) + 1
    return spans


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"


def _windows(file: str, lineno: int, rule: str, before: str, after: str) -> list[Repair]:
    """One `Repair` per changed span of a line, with a little context either side."""
    out = []
    for i1, i2, j1, j2 in changed_spans(before, after):
        lo = max(0, i1 - _WINDOW)
        out.append(
            Repair(
                file=file,
                ref=f"L{lineno}",
                rule=rule,
                before=_clip(before[lo : i2 + _WINDOW]),
                after=_clip(after[max(0, j1 - (i1 - lo)) : j2 + _WINDOW]),
            )
        )
    return out


def repair_text(text: str, file: str, config: IngestConfig) -> tuple[str, list[Repair]]:
    """Repair `text` line by line; returns the repaired text and the repairs made, in line order."""
    rules = _rules(tuple((r.name, r.pattern, r.replacement) for r in config.repair_rules))
    found: dict[int, list[Repair]] = {}
    if _needs_ftfy(text):
        lines = text.split("\n")
        for n, line in enumerate(lines, start=1):
            budget.check("text repair")
            if not _needs_ftfy(line):
                continue
            fixed = ftfy.fix_text(line, config=_FTFY)
            if fixed != line:
                found.setdefault(n, []).extend(_windows(file, n, "ftfy", line, fixed))
                lines[n - 1] = fixed
        text = "\n".join(lines)
    for name, pattern, replacement, literals, gated in rules:
        if literals is not None and not any(c in text for c in literals):
            continue
        if gated and not pattern.search(text):
            continue
        lines = text.split("\n")
        for n, line in enumerate(lines, start=1):
            budget.check("text repair")
            after = pattern.sub(replacement, line)
            if after != line:
                found.setdefault(n, []).extend(_windows(file, n, name, line, after))
                lines[n - 1] = after
        text = "\n".join(lines)
    return text, [r for n in sorted(found) for r in found[n]]

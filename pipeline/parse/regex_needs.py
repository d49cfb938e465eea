"""What a regular expression needs in a text before it can match: a cheap test to skip the full pattern.

`needs(r"^(?P<author>[^·•|]+?)\\s*[·•|]\\s*(?P<rest>.*)$")` is "one of `·`, `•`, `|`": a line without one of those
characters cannot match, so the full pattern (a lazy scan over the whole line) need not be tried. The
requirement is read from the parsed pattern, never written by hand, so it holds for any setting: a run of
literal characters every match contains (`replied`), a small character class (`[·•|]`), or an alternation of
those when every branch has one (`replied` or `posted`). The test is a pattern of those texts compiled with the
pattern's own flags, so case folding is the regex engine's own; on ASCII text (most lines) it is plain substring
tests, which give the same answer. A pattern with nothing usable (`^\\w+$`) has no requirement (None), and
neither has one that rejects most texts at its first character (`^>`, `^\\d+ comments`): it is its own cheapest
test. `either` joins the requirements of a family of patterns into one test, so a line skips the whole family at
once; a caller testing one line many times passes it lowered once (`found_in(text, low)`).
"""

from __future__ import annotations

import re
import re._constants as c  # the parser's own node names (Python 3.11+)
import re._parser as sre  # the parser of the `re` module: what a pattern is made of
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_MAX_CLASS = 8  # a class of more characters is too common to be worth a test


def _requirement(items: list[tuple[Any, Any]]) -> tuple[int, list[str]] | None:
    """(score, texts): every match of the sequence `items` contains one of `texts` (the most selective such
    list found); None if none."""
    best: tuple[int, list[str]] | None = None
    run: list[str] = []

    def consider(found: tuple[int, list[str]] | None) -> None:
        nonlocal best
        if found is not None and (best is None or found[0] > best[0]):
            best = found

    def close_run() -> None:
        if run:
            consider((min(len(run), 6) * 2, ["".join(run)]))
            run.clear()

    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        close_run()
        consider(_item(op, av))
    close_run()
    return best


def _item(op: Any, av: Any) -> tuple[int, list[str]] | None:
    if op is c.IN:
        chars: list[str] = []
        for kind, value in av:
            if kind is c.LITERAL:
                chars.append(chr(value))
            elif kind is c.RANGE and value[1] - value[0] < _MAX_CLASS:
                chars.extend(chr(x) for x in range(value[0], value[1] + 1))
            else:  # a negated class, a category (\s, \d) or a wide range: too common to test for
                return None
        return (1, chars) if 0 < len(chars) <= _MAX_CLASS else None
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _high, sub = av
        return _requirement(list(sub)) if low >= 1 else None
    if op is c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return _requirement(list(sub)) if not add_flags and not del_flags else None
    if op is c.ATOMIC_GROUP:
        return _requirement(list(av))
    if op is c.BRANCH:
        parts = [_requirement(list(branch)) for branch in av[1]]
        if not parts or any(p is None for p in parts):
            return None
        found = [p for p in parts if p is not None]
        return min(score for score, _ in found), [text for _, texts in found for text in texts]
    return None


def _selective_start(items: list[tuple[Any, Any]]) -> bool:
    """Is the pattern anchored at the start, its first item one character of a literal or a small class
    (`^>`, `^\\d+ comments`)? Such a pattern rejects most texts at their first character, so the pattern is its
    own cheapest test."""
    if len(items) < 2 or items[0] != (c.AT, c.AT_BEGINNING):
        return False
    op, av = items[1]
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1 and len(av[2]) >= 1:
        op, av = list(av[2])[0]
    if op is c.LITERAL:
        return True
    if op is c.IN:
        return all(
            kind is c.LITERAL
            or (kind is c.RANGE and value[1] - value[0] < 64)
            or (kind is c.CATEGORY and value is c.CATEGORY_DIGIT)
            for kind, value in av
        )
    return False


@dataclass(frozen=True)
class Need:
    """Texts one of which is in every text the pattern can match in (`found_in`)."""

    regex: re.Pattern[str]  # the texts as one pattern, with the pattern's flags
    ascii: tuple[str, ...] | None  # for ASCII text: the same test as plain substrings (lowercase when folding)
    fold: bool  # the pattern ignores case

    def found_in(self, text: str, low: str | None = None) -> bool:
        """Could the pattern match somewhere in `text`? False means it cannot. `low`: `text.lower()` when the
        caller has it and `text` is ASCII (a line tested against many requirements is lowered once)."""
        if self.ascii is not None and (low is not None or text.isascii()):
            t = (text.lower() if low is None else low) if self.fold else text
            for s in self.ascii:  # noqa: SIM110  (a loop, not any(): no generator per call on this hot path)
                if s in t:
                    return True
            return False
        return self.regex.search(text) is not None


def either(found: list[Need | None]) -> Need | None:
    """One test for "could any of these patterns match": a text without one of their requirements matches none
    of them, so a family of patterns is skipped with one test. None when one of them has no requirement, or they
    differ in flags."""
    if not found or any(n is None for n in found):
        return None
    parts = [n for n in found if n is not None]
    flags = {n.regex.flags for n in parts}
    if len(flags) > 1:
        return None
    regex = re.compile("|".join(n.regex.pattern for n in parts), flags.pop())
    texts = [n.ascii for n in parts]
    ascii = None if any(t is None for t in texts) else tuple(dict.fromkeys(s for t in texts if t for s in t))
    return Need(regex, ascii, parts[0].fold)


def _ascii_twins(ch: str, flags: int) -> bool:
    """Does some ASCII character match `ch` under `flags` (case folding can map non-ASCII letters to ASCII)?"""
    rx = re.compile(re.escape(ch), flags)
    return any(rx.fullmatch(chr(x)) for x in range(128))


def _ascii_texts(texts: list[str], flags: int) -> tuple[str, ...] | None:
    """The texts as plain substrings for ASCII input; None when a non-ASCII character could match ASCII text."""
    fold = bool(flags & re.IGNORECASE)
    out = []
    for text in texts:
        if text.isascii():
            out.append(text.lower() if fold else text)
        elif any(not ch.isascii() and _ascii_twins(ch, flags) for ch in text):
            return None
        # else: a non-ASCII character no ASCII character matches, so ASCII text never holds this text
    return tuple(out)


@lru_cache(maxsize=1024)
def needs(pattern: str, flags: int = 0) -> Need | None:
    """What a text needs before `pattern` (with `flags`) can match in it (by `search` or `match`); None when the
    pattern has no usable requirement or cannot be read."""
    try:
        parsed = sre.parse(pattern, flags)
        if _selective_start(list(parsed)):
            return None
        found = _requirement(list(parsed))
        if found is None:
            return None
        all_flags = flags | parsed.state.flags
        regex = re.compile("|".join(re.escape(t) for t in found[1]), all_flags)
        return Need(regex, _ascii_texts(found[1], all_flags), bool(all_flags & re.IGNORECASE))
    except Exception:  # a pattern this reader does not follow: no shortcut, the full pattern decides
        return None

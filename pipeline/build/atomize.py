"""Atomize: a bullet that holds several statements becomes several behaviors, all pointing at the bullet.

"Will actively act to replace champions if the need arises. Strong ability to increase the amount of
relationships" is two behaviors: each may be repeated on its own at another level, and de-duplication
can only find those repeats once the bullet is cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.build.settings import AtomizeSettings
from pipeline.settings import compiled

_TERMINATORS = ".!?"


@dataclass(frozen=True)
class _Cut:
    left_end: int  # the left part ends here (exclusive), keeping a sentence terminator
    right_start: int


class Atomizer:
    """Splits bullets with one config; build once."""

    def __init__(self, config: AtomizeSettings) -> None:
        self.config = config
        self._splits = compiled(config.split_on)
        self._continuation = re.compile(config.continuation_pattern, re.IGNORECASE)
        self._abbrev = {a.casefold().rstrip(".") for a in config.abbreviations}

    def _cuts(self, text: str) -> list[_Cut]:
        cuts: dict[int, _Cut] = {}
        for rx in self._splits:
            for m in rx.finditer(text):
                sep = m.group(0)
                keep = 1 if sep[:1] in _TERMINATORS else 0
                head = text[: m.start()]
                if head.count("(") > head.count(")"):
                    continue  # inside a parenthesis: an aside, not a new statement
                before = head.split()
                if keep and before and before[-1].casefold().strip("([{\"'\u201c\u2018").rstrip(".") in self._abbrev:
                    continue  # "e.g. Slack" is one statement
                if self._continuation.match(text[m.end() :]):
                    continue  # "…ownership. Giving them the tools…" elaborates the previous statement
                cuts.setdefault(m.start(), _Cut(m.start() + keep, m.end()))
        return [cuts[k] for k in sorted(cuts)]

    def split(self, text: str) -> list[str]:
        """`"Speaks openly about risks; will actively identify areas where help is needed"` ->
        `["Speaks openly about risks", "will actively identify areas where help is needed"]`.

        A part shorter than `split_min_words` stays joined to its neighbour; a bullet with no cut is returned
        as the one statement it is.
        """
        text = text.strip()
        if not any(rx.search(text) for rx in self._splits):
            return [text]  # no separator at all: most bullets, answered without collecting cuts
        parts: list[str] = []
        start = 0
        for cut in self._cuts(text):
            parts.append(text[start : cut.left_end].strip())
            start = cut.right_start
        parts.append(text[start:].strip())
        parts = [p for p in parts if p]
        if len(parts) < 2:
            return [text]
        return self._join_short(text, parts)

    def _join_short(self, text: str, parts: list[str]) -> list[str]:
        """Joins parts below the minimum length back together, by their original span in `text`."""
        spans: list[tuple[int, int]] = []
        pos = 0
        for part in parts:
            begin = text.index(part, pos)
            spans.append((begin, begin + len(part)))
            pos = begin + len(part)
        merged: list[tuple[int, int]] = []
        for span in spans:
            short = len(text[span[0] : span[1]].split()) < self.config.split_min_words
            if merged and (short or len(text[merged[-1][0] : merged[-1][1]].split()) < self.config.split_min_words):
                merged[-1] = (merged[-1][0], span[1])
            else:
                merged.append(span)
        return [text[a:b].strip() for a, b in merged]


def split_statements(text: str, config: AtomizeSettings) -> list[str]:
    """`"Develops internal advocates. Highly familiar with champions' goals"` ->
    `["Develops internal advocates.", "Highly familiar with champions' goals"]`."""
    return Atomizer(config).split(text)

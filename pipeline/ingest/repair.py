"""Text repair: ftfy for mojibake and friends, then configured rules for damage ftfy leaves.

Every change is recorded as a `Repair` (file, line, rule, before, after) so a reviewer can check it.
"""

from __future__ import annotations

import difflib
import re

import ftfy

from pipeline.ingest import budget
from pipeline.ingest.settings import IngestConfig
from pipeline.models import Repair

_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_line_breaks=False, normalization="NFC", explain=False)
_WINDOW = 24
_MAX_ALIGN = 400  # characters of a changed span aligned character by character
_MAX_SHOWN = 240  # characters of a repair's before/after kept in the record


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
    rules = [(r.name, re.compile(r.pattern, flags=re.MULTILINE), r.replacement) for r in config.repair_rules]
    repairs: list[Repair] = []
    lines = text.split("\n")
    for n, line in enumerate(lines, start=1):
        budget.check("text repair")
        fixed = ftfy.fix_text(line, config=_FTFY) if not line.isascii() else line
        if fixed != line:
            repairs.extend(_windows(file, n, "ftfy", line, fixed))
        for name, pattern, replacement in rules:
            after = pattern.sub(replacement, fixed)
            if after != fixed:
                repairs.extend(_windows(file, n, name, fixed, after))
                fixed = after
        lines[n - 1] = fixed
    return "\n".join(lines), repairs

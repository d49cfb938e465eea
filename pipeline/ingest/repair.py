"""Text repair: ftfy for mojibake and friends, then configured rules for damage ftfy leaves.

Every change is recorded as a `Repair` (file, line, rule, before, after) so a reviewer can check it.
"""

from __future__ import annotations

import difflib
import re

import ftfy

from pipeline.ingest.settings import IngestConfig
from pipeline.models import Repair

_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_line_breaks=False, normalization="NFC", explain=False)
_WINDOW = 24


def _windows(file: str, lineno: int, rule: str, before: str, after: str) -> list[Repair]:
    """One `Repair` per changed span of a line, with a little context either side."""
    out = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        lo = max(0, i1 - _WINDOW)
        out.append(
            Repair(
                file=file,
                ref=f"L{lineno}",
                rule=rule,
                before=before[lo : i2 + _WINDOW],
                after=after[max(0, j1 - (i1 - lo)) : j2 + _WINDOW],
            )
        )
    return out


def repair_text(text: str, file: str, config: IngestConfig) -> tuple[str, list[Repair]]:
    """Repair `text` line by line; returns the repaired text and the repairs made, in line order."""
    rules = [(r.name, re.compile(r.pattern, flags=re.MULTILINE), r.replacement) for r in config.repair_rules]
    repairs: list[Repair] = []
    lines = text.split("\n")
    for n, line in enumerate(lines, start=1):
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

"""Where parsed documents meet before roles are placed: ladders written one level per document.

Documents that each hold one level of the same ladder (one role each, titles that differ only by level words,
codes or numerals: "Claims Specialist I" / "Claims Specialist II", "Junior Support Engineer" / "Support
Engineer") are joined into one track named by the shared title stem.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from pipeline.ids import name_key
from pipeline.models import ParsedDocument

if TYPE_CHECKING:
    from pipeline.config import Config

_CODES = re.compile(r"\(?\b(?:[A-Z]{1,3}[- ]?\d{1,2}|\d{1,2}|I{1,3}|IV|VI{0,3}|IX|X)\b\)?")


def title_stem(title: str, config: Config) -> str:
    """`'Senior Claims Specialist (IC4)'` -> `'Claims Specialist'`: the title without level words and codes."""
    words = config.career_page.structure.level_words
    text = _CODES.sub(" ", title)
    text = re.sub(r"\b(?:" + "|".join(re.escape(w) for w in words if w != "manager") + r")\b\.?", " ", text, flags=re.I)
    return re.sub(r"[\s\-–—:,]+", " ", text).strip(" -–—:,")


def join_level_documents(parsed: list[ParsedDocument], config: Config) -> list[ParsedDocument]:
    """The documents, one-level-per-document ladders sharing one track."""
    groups: dict[str, list[int]] = defaultdict(list)
    for n, p in enumerate(parsed):
        if p.kind == "career_page" and len(p.roles) == 1:
            stem = title_stem(p.roles[0].title, config)
            if stem:
                groups[name_key(stem)].append(n)
    track_of: dict[int, str] = {}
    for members in groups.values():
        if len(members) >= 2:
            name = min((title_stem(parsed[n].roles[0].title, config) for n in members), key=lambda s: (len(s), s))
            for n in members:
                track_of[n] = name
    out = []
    for n, p in enumerate(parsed):
        track = track_of.get(n, p.track)
        if n not in track_of:
            out.append(p)
            continue
        roles = [r.model_copy(update={"track": track}) for r in p.roles]
        out.append(p.model_copy(update={"track": track, "roles": roles}))
    return out

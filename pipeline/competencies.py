"""Canonical competencies across tracks.

First version: names that are equal once case and punctuation are ignored are one competency.
"""

from __future__ import annotations

from .ids import name_key, stable_id
from .models import CompetencyMapping


def competency_id(name: str) -> str:
    """`"Product Knowledge"` and `"product knowledge"` -> the same `comp_…` id."""
    return stable_id("comp", name=name_key(name))


def canonicalize(names: list[tuple[str, str]]) -> list[CompetencyMapping]:
    """Map each (track, name as written) to a canonical competency; the first spelling seen names it."""
    canonical: dict[str, str] = {}
    out = []
    for track, name in names:
        key = name_key(name)
        first = canonical.setdefault(key, name)
        out.append(
            CompetencyMapping(
                track=track,
                name=name,
                competency_id=competency_id(name),
                canonical=first,
                how="exact" if first == name else "case/punctuation",
            )
        )
    return out

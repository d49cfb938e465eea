"""Canonical levels: place every role on the IC ladder (IC1 associate … IC6 strategic) or the management
ladder (M1 team lead/manager … M5 VP), so that roles of different tracks line up.

Per role, first that applies wins:
1. a title-word rule of the path (`normalize.ic_level_rules` / `management_level_rules`):
   "Senior Principal Scale CSM" -> IC5, "CS Group Leader" -> M3;
2. a number ending the title: "CSM II" -> IC2;
3. menu order: one above the previous role of the same path, or the path's base level for a plain title that
   opens it ("Scale CSM" after "Associate Scale CSM" -> IC2; "Partners Success Manager" first -> IC2).
Then levels must rise with menu order within a path: a role placed at or below the one before it moves
to one above it, and its basis says so.

Forum tiers ("T2") and level names in articles map onto the same levels (`benchmark_level`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.build.settings import LevelSettings
from pipeline.ids import name_key
from pipeline.models import LevelAssignment, LevelBenchmark, ParsedRole, level_assignment_of
from pipeline.settings import compiled

_PREFIX = {"ic": "IC", "management": "M"}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9}


def level_number(level: str) -> int:
    """`"IC3"` -> `3`, `"M1"` -> `1`."""
    return int(level.lstrip("ICM"))


def level_path(level: str) -> str:
    """`"IC3"` -> `"ic"`, `"M1"` -> `"management"`."""
    return "management" if level.startswith("M") else "ic"


_LEVEL = re.compile(r"^(IC|M)([0-9]+)$")


def level_sort_key(level: str) -> tuple[int, int]:
    """The one order of levels: IC levels before M levels, each by number (`"IC2"` before `"IC10"`):
    `"M2"` -> `(1, 2)`; a string that is no canonical level sorts after both: `(2, 0)`."""
    m = _LEVEL.match(level)
    if m is None:
        return (2, 0)
    return (0 if m.group(1) == "IC" else 1, int(m.group(2)))


@dataclass(frozen=True)
class _Placed:
    number: int
    basis: str


class LevelRules:
    """Compiled level rules of one config."""

    def __init__(self, config: LevelSettings) -> None:
        self.config = config
        self.rules = {
            "ic": [(re.compile(r.pattern), r) for r in config.ic_level_rules],
            "management": [(re.compile(r.pattern), r) for r in config.management_level_rules],
        }
        self.numbered = re.compile(config.numbered_title_pattern)
        self.tier = re.compile(config.tier_pattern)

    def by_title(self, title: str, path: str) -> _Placed | None:
        """`("Senior Scale CSM", "ic")` -> IC3 by the title word `senior`; `("CSM II", "ic")` -> IC2."""
        key = name_key(title)
        for rx, rule in self.rules[path]:
            m = rx.search(key)
            if m:
                return _Placed(level_number(rule.level), f"title word '{m.group(0)}'")
        m = self.numbered.search(key)
        if m:
            n = m.group("n")
            return _Placed(int(n) if n.isdigit() else _ROMAN[n], f"title number '{n}'")
        return None


def assign_levels(
    track: str, roles: list[ParsedRole], role_ids: dict[str, str], config: LevelSettings | None = None
) -> list[LevelAssignment]:
    """`[Associate Scale CSM, Scale CSM, Senior Scale CSM, Senior Principal Scale CSM (ic), CS Team Leader
    (management)]` -> `IC1, IC2, IC3, IC5, M1`."""
    rules = LevelRules(config or LevelSettings())
    base = rules.config.base_level
    out: list[LevelAssignment] = []
    previous: dict[str, tuple[int, str]] = {}
    for role in sorted(roles, key=lambda r: r.order):
        prefix = _PREFIX[role.path]
        placed = rules.by_title(role.title, role.path)
        prev = previous.get(role.path)
        if placed is None:
            if prev is None:
                placed = _Placed(base[role.path], "plain title opening the path (base level)")
            else:
                placed = _Placed(prev[0] + 1, f"menu order (after {prev[1]})")
        elif prev is not None and placed.number <= prev[0]:
            placed = _Placed(prev[0] + 1, f"menu order (after {prev[1]}; {placed.basis} gave {prefix}{placed.number})")
        previous[role.path] = (placed.number, role.title)
        out.append(
            level_assignment_of(
                track, role.title, role_ids[role.title], role.path, f"{prefix}{placed.number}", placed.basis
            )
        )
    return out


def benchmark_level(
    benchmark: LevelBenchmark, config: LevelSettings, management_title_patterns: list[str]
) -> tuple[str, str] | None:
    """Canonical level of a forum or article level: `tier="T2"` -> `("IC2", "tier T2")`;
    `level_label="Senior CSM"` -> `("IC3", "title word 'senior'")`; None when nothing says.

    A label matching one of `management_title_patterns` (the career-page parser's
    `career_page.management_title_patterns`, passed by the caller) is placed on the management path."""
    rules = LevelRules(config)
    if benchmark.tier:
        m = rules.tier.match(benchmark.tier.strip().casefold())
        if m:
            return f"IC{int(m.group('n'))}", f"tier {benchmark.tier.strip()}"
    label = re.sub(r"\(.*?\)", " ", benchmark.level_label)
    management = any(rx.search(label) for rx in compiled(management_title_patterns, re.IGNORECASE))
    path = "management" if management else "ic"
    placed = rules.by_title(label, path)
    if placed is None:
        return None
    return f"{_PREFIX[path]}{placed.number}", placed.basis


def align_benchmarks(
    benchmarks: list[LevelBenchmark], config: LevelSettings, management_title_patterns: list[str]
) -> list[LevelBenchmark]:
    """The benchmarks with `canonical_level` set where a tier or title word gives one; a level with neither,
    listed after a placed level of the same post, is one above it (post order is the menu order of a thread:
    "Associate Consultant" IC1, then "Implementation Consultant" -> IC2)."""
    out: list[LevelBenchmark] = []
    for b in benchmarks:
        found = benchmark_level(b, config, management_title_patterns)
        level = found[0] if found else b.canonical_level
        prev = out[-1] if out else None
        if (
            level is None
            and prev is not None
            and prev.canonical_level
            and (prev.doc_id, prev.post_ref)
            == (
                b.doc_id,
                b.post_ref,
            )
        ):
            prefix = "M" if prev.canonical_level.startswith("M") else "IC"
            level = f"{prefix}{level_number(prev.canonical_level) + 1}"
        out.append(b.model_copy(update={"canonical_level": level}))
    return out

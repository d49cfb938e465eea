"""Canonical competencies across tracks: one competency per meaning, the names each track uses as aliases,
and the relation "covers" ("Ownership and impact" covers "Ownership" and "Impact").

Each distinct name key is matched by the first rule that applies, longest names first so that a spelled-out
name founds the competency its abbreviations join:
1. exact: the same name key ("Product Knowledge" / "Product knowledge");
2. alias_table: listed in `normalize.competency_aliases`;
3. abbreviation: word by word equal or a shortening of at least `competency_abbrev_min` letters
   ("Teamwork and collab" -> "Teamwork and Collaboration");
4. fuzzy: rapidfuzz token_sort_ratio >= `competency_fuzzy_threshold` ("Comunication" -> "Communication");
5. otherwise a new competency; `how` is `new` while only one track uses it and no alias table names it.

`canonical_competencies` is the build step: it maps every name the parsed documents write, applies reviewer
`rename` decisions, and collects each competency's aliases, covers and per-role descriptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from pipeline.build.decisions import DecisionLog
from pipeline.build.settings import CompetencySettings
from pipeline.ids import name_key, stable_id
from pipeline.models import (
    Competency,
    CompetencyMapping,
    ParsedDocument,
    competency_alias_of,
    competency_description_of,
    competency_mapping_of,
)

if TYPE_CHECKING:
    from pipeline.build.roles import PlacedRoles

_PARTS = re.compile(r"\s*(?:,|\band\b|&)\s*")


def competency_id(name: str) -> str:
    """`"Product Knowledge"` and `"product knowledge"` -> the same `comp_…` id."""
    return stable_id("comp", name=name_key(name))


@dataclass
class _Group:
    key: str  # name key of the canonical name
    canonical: str | None  # from the alias table, else chosen among the names written
    from_table: bool
    keys: list[str] = field(default_factory=list)


def is_abbreviation(short: str, long: str, min_letters: int) -> bool:
    """`("teamwork and collab", "teamwork and collaboration", 4)` -> True: every word equal or a shortening."""
    a, b = short.split(), long.split()
    if len(a) != len(b) or a == b:
        return False
    for x, y in zip(a, b, strict=False):
        if x == y:
            continue
        if not (len(x) >= min_letters and y.startswith(x)) and not (len(y) >= min_letters and x.startswith(y)):
            return False
    return True


class CompetencyMatcher:
    """Resolves name keys to groups, in the order of the module docstring."""

    def __init__(self, config: CompetencySettings) -> None:
        self.config = config
        self.groups: dict[str, _Group] = {}
        self.alias: dict[str, str] = {}
        for canonical, aliases in sorted(config.competency_aliases.items()):
            gkey = name_key(canonical)
            self.groups.setdefault(gkey, _Group(gkey, canonical, True))
            for name in [canonical, *aliases]:
                self.alias.setdefault(name_key(name), gkey)
        self.resolved: dict[str, tuple[str, str, float | None]] = {}  # key -> (group key, how, score)

    def match(self, key: str) -> tuple[str, str, float | None] | None:
        """Group of an existing name key, without creating one."""
        if key in self.resolved:
            return self.resolved[key]
        if key in self.groups:
            return key, "exact", None
        if key in self.alias:
            return self.alias[key], "alias_table", None
        known = sorted(k for g in self.groups.values() for k in (g.key, *g.keys))
        for other in known:
            if is_abbreviation(key, other, self.config.competency_abbrev_min):
                gkey = self.resolved[other][0] if other in self.resolved else other
                return gkey, "abbreviation", None
        best: tuple[float, str] | None = None
        for other in known:
            score = fuzz.token_sort_ratio(key, other)
            if score >= self.config.competency_fuzzy_threshold and (best is None or score > best[0]):
                best = (score, other)
        if best is not None:
            gkey = self.resolved[best[1]][0] if best[1] in self.resolved else best[1]
            return gkey, "fuzzy", round(best[0], 2)
        return None

    def resolve(self, key: str) -> tuple[str, str, float | None]:
        found = self.match(key)
        if found is None:
            self.groups[key] = _Group(key, None, False)
            found = (key, "exact", None)
        self.resolved[key] = found
        self.groups[found[0]].keys.append(key)
        return found


def canonicalize(names: list[tuple[str, str]], config: CompetencySettings | None = None) -> list[CompetencyMapping]:
    """Map each (track, name as written) to a canonical competency.

    `[("Scale", "Teamwork and Collaboration"), ("HT", "Teamwork and collab")]` -> both map to
    "Teamwork and Collaboration", the second `how="abbreviation"`.
    """
    matcher = CompetencyMatcher(config or CompetencySettings())
    written: dict[str, set[str]] = {}
    tracks_of: dict[str, set[str]] = {}
    key_of = {name: name_key(name) for name in {name for _track, name in names}}  # tracks repeat names
    for _track, name in names:
        written.setdefault(key_of[name], set()).add(name)
    for key in sorted(written, key=lambda k: (-len(k), k)):
        matcher.resolve(key)
    for track, name in names:
        gkey = matcher.resolved[key_of[name]][0]
        tracks_of.setdefault(gkey, set()).add(track)
    canonical: dict[str, str] = {}
    for gkey, group in matcher.groups.items():
        if group.canonical is not None:
            canonical[gkey] = group.canonical
        elif gkey in written:
            canonical[gkey] = min(written[gkey])  # "Product Knowledge" before "Product knowledge"
    out: list[CompetencyMapping] = []
    for track, name in sorted(set(names), key=lambda tn: (tn[0], key_of[tn[1]], tn[1])):
        gkey, how, score = matcher.resolved[key_of[name]]
        group = matcher.groups[gkey]
        if how == "exact" and not group.from_table and len(tracks_of[gkey]) == 1:
            how = "new"
        out.append(
            competency_mapping_of(
                track,
                name,
                competency_id(canonical[gkey]),
                canonical[gkey],
                how,
                None if score is None else float(score),
            )
        )
    return out


def competency_covers(
    mapping: list[CompetencyMapping], config: CompetencySettings | None = None
) -> dict[str, list[str]]:
    """Competency id -> ids it covers: `"Ownership and impact"` covers `"Ownership"` and `"Impact"` when both are
    competencies too; `normalize.competency_covers` adds pairs by name."""
    cfg = config or CompetencySettings()
    by_key: dict[str, str] = {}
    keys: dict[str, str] = {}  # name -> name_key: many tracks write one name
    for m in mapping:
        for name in (m.name, m.canonical):
            key = keys.get(name)
            if key is None:
                key = keys[name] = name_key(name)
            by_key.setdefault(key, m.competency_id)
    canon = {m.competency_id: m.canonical for m in mapping}
    out: dict[str, set[str]] = {}
    for cid, name in canon.items():
        parts = [p for p in _PARTS.split(name_key(name.replace("&", " and "))) if p]
        if len(parts) >= 2 and all(p in by_key and by_key[p] != cid for p in parts):
            out.setdefault(cid, set()).update(by_key[p] for p in parts)
    for name, covered in cfg.competency_covers.items():
        coverer = by_key.get(name_key(name))
        if coverer is None:
            continue
        targets = {by_key[name_key(c)] for c in covered if name_key(c) in by_key} - {coverer}
        if targets:
            out.setdefault(coverer, set()).update(targets)
    return {cid: sorted(v) for cid, v in sorted(out.items())}


@dataclass
class CanonicalCompetencies:
    """The mapping of every (track, name as written) and the canonical competencies by id."""

    mapping: list[CompetencyMapping]
    competencies: dict[str, Competency]

    def __post_init__(self) -> None:
        self._id_of = {(m.track, m.name): m.competency_id for m in self.mapping}

    def id_of(self, track: str, name: str) -> str:
        """Canonical competency id of a name as a track writes it (every name of the parsed documents has one)."""
        return self._id_of[(track, name)]

    def sorted_competencies(self) -> list[Competency]:
        return sorted(self.competencies.values(), key=lambda c: c.name.casefold())


def canonical_competencies(
    parsed: list[ParsedDocument], placed: PlacedRoles, config: CompetencySettings, log: DecisionLog
) -> CanonicalCompetencies:
    """Canonical competencies of the competency and behavior names of `parsed` (in file order), `rename`
    decisions applied (one outcome each in `log`), with aliases, covers and the descriptions of placed roles."""
    names: list[tuple[str, str]] = []
    for p in parsed:
        names.extend((p.track_name, c.name) for c in p.competencies)
        names.extend((p.track_name, b.competency) for b in p.behaviors)
    mapping = canonicalize(list(dict.fromkeys(names)), config)
    for d in log.decisions.renames():
        hit = [m for m in mapping if m.competency_id == d.competency]
        if not hit:
            log.stale(d, "no competency with this id")
            continue
        mapping = [
            m.model_copy(update={"canonical": d.name}) if m.competency_id == d.competency else m for m in mapping
        ]
        log.applied(d, f"{hit[0].canonical!r} -> {d.name!r}")
    comps: dict[str, Competency] = {}
    seen_aliases: set[tuple[str, str, str, str]] = set()  # a set, not list membership: 10^4 tracks at scale
    for m in mapping:
        comp = comps.setdefault(m.competency_id, Competency(id=m.competency_id, name=m.canonical))
        if (m.competency_id, m.track, m.name, m.how) not in seen_aliases:
            seen_aliases.add((m.competency_id, m.track, m.name, m.how))
            comp.aliases.append(competency_alias_of(m.track, m.name, m.how))
    for cid, covered in competency_covers(mapping, config).items():
        comps[cid].covers = covered
    out = CanonicalCompetencies(mapping=mapping, competencies=comps)
    for p in parsed:
        for c in p.competencies:
            role = placed.role(p.doc_id, c.role)
            if role is None:
                continue
            out.competencies[out.id_of(p.track_name, c.name)].descriptions.append(
                competency_description_of(role.id, c.description, c.applicable, p.doc_id, c.source_ref)
            )
    return out

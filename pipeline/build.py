"""Build the canonical `Ladder` from every parsed document: tracks, roles on canonical levels, canonical
competencies, behavior occurrences grouped into behaviors, benchmarks and guidance.

Everything is sorted by content-derived keys, so the same inputs in any order give the same dataset.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .competencies import canonicalize
from .config import Config
from .ids import name_key, stable_id
from .levels import assign_levels
from .models import (
    Behavior,
    Competency,
    CompetencyAlias,
    CompetencyDescription,
    Document,
    Ladder,
    Normalization,
    Occurrence,
    ParsedDocument,
    Rejection,
    Role,
    SourceDocument,
    Track,
)


def track_id(name: str) -> str:
    return stable_id("track", name=name_key(name))


def role_id(track: str, title: str) -> str:
    return stable_id("role", track=name_key(track), title=name_key(title))


_NORM = re.compile(r"[^\w\s]")


def behavior_key(text: str) -> str:
    """Exact-repeat key: `"Keeps the board up to date."` -> `"keeps the board up to date"`."""
    return " ".join(_NORM.sub(" ", text.casefold()).split())


def _line_no(ref: str) -> int:
    return int(ref[1:]) if ref[1:].isdigit() else 0


def build_ladder(
    documents: list[Document],
    parsed: list[ParsedDocument],
    rejected: list[Rejection],
    config: Config,
) -> Ladder:
    """Assemble the dataset; `documents` and `parsed` may come in any order."""
    documents = sorted(documents, key=lambda d: (d.file, d.id))
    parsed = sorted(parsed, key=lambda p: (p.file, p.doc_id))
    files = {d.id: d.file for d in documents}

    # tracks and roles -------------------------------------------------------------------------------
    tracks: dict[str, Track] = {}
    roles: dict[str, Role] = {}
    role_of: dict[tuple[str, str], Role] = {}  # (doc_id, title) -> role
    levels = []
    for p in parsed:
        if not p.roles:
            continue
        tname = p.track or p.roles[0].track
        tid = track_id(tname)
        track = tracks.setdefault(tid, Track(id=tid, name=tname, doc_ids=[], role_ids=[]))
        if p.doc_id not in track.doc_ids:
            track.doc_ids.append(p.doc_id)
        ids = {r.title: role_id(tname, r.title) for r in p.roles}
        assigned = {a.role: a for a in assign_levels(tname, p.roles, ids)}
        levels.extend(assigned.values())
        for r in sorted(p.roles, key=lambda r: r.order):
            rid = ids[r.title]
            role = Role(
                id=rid,
                track_id=tid,
                track=tname,
                title=r.title,
                path=r.path,
                level=assigned[r.title].level,
                order=r.order,
                defined=r.defined,
                summary=r.summary,
                years_min=r.years_min,
                years_max=r.years_max,
                scope=r.scope,
                doc_id=p.doc_id,
                source_ref=r.source_ref,
            )
            if rid not in roles:
                roles[rid] = role
                track.role_ids.append(rid)
            role_of[(p.doc_id, r.title)] = roles[rid]

    # competencies -------------------------------------------------------------------------------------
    names: list[tuple[str, str]] = []
    for p in parsed:
        tname = p.track or (p.roles[0].track if p.roles else "")
        for c in p.competencies:
            names.append((tname, c.name))
        for b in p.behaviors:
            names.append((tname, b.competency))
    mapping = canonicalize(list(dict.fromkeys(names)))
    comp_of = {(m.track, m.name): m for m in mapping}
    comps: dict[str, Competency] = {}
    for m in mapping:
        comp = comps.setdefault(m.competency_id, Competency(id=m.competency_id, name=m.canonical))
        alias = CompetencyAlias(track=m.track, name=m.name, how=m.how)
        if alias not in comp.aliases:
            comp.aliases.append(alias)
    for p in parsed:
        tname = p.track or (p.roles[0].track if p.roles else "")
        for c in p.competencies:
            role = role_of.get((p.doc_id, c.role))
            if role is None:
                continue
            comps[comp_of[(tname, c.name)].competency_id].descriptions.append(
                CompetencyDescription(
                    role_id=role.id, text=c.description, applicable=c.applicable, doc_id=p.doc_id, source_ref=c.source_ref
                )
            )

    # behaviors ----------------------------------------------------------------------------------------
    occurrences: list[Occurrence] = []
    for p in parsed:
        tname = p.track or (p.roles[0].track if p.roles else "")
        for b in p.behaviors:
            role = role_of.get((p.doc_id, b.role))
            if role is None:
                continue
            occurrences.append(
                Occurrence(
                    doc_id=p.doc_id,
                    source_file=files.get(p.doc_id, p.file),
                    source_ref=b.source_ref,
                    track=tname,
                    role=role.title,
                    role_id=role.id,
                    path=role.path,
                    level=role.level,
                    competency=b.competency,
                    competency_id=comp_of[(tname, b.competency)].competency_id,
                    text=b.text,
                    part=0,
                )
            )
    occurrences.sort(key=lambda o: (o.source_file, _line_no(o.source_ref), o.part))
    grouped: dict[str, list[Occurrence]] = defaultdict(list)
    for o in occurrences:
        grouped[behavior_key(o.text)].append(o)
    behaviors = [
        Behavior(
            id=stable_id("beh", text=key),
            text=occ[0].text,
            competency_ids=sorted({o.competency_id for o in occ}),
            occurrences=occ,
        )
        for key, occ in grouped.items()
    ]

    return Ladder(
        documents=[
            SourceDocument(
                id=d.id, file=d.file, kind=d.kind, kind_confidence=d.kind_confidence, title=d.title,
                encoding=d.encoding, repairs=d.repairs,
            )
            for d in documents
        ],
        tracks=sorted(tracks.values(), key=lambda t: t.name),
        roles=sorted(roles.values(), key=lambda r: (r.track, r.order)),
        competencies=sorted(comps.values(), key=lambda c: c.name.casefold()),
        behaviors=behaviors,
        level_benchmarks=[b for p in parsed for b in p.benchmarks],
        forum_posts=[x for p in parsed for x in p.posts],
        guidance=[g for p in parsed for g in p.guidance],
        rejected=sorted(rejected, key=lambda r: r.file),
        normalization=Normalization(competency_mapping=mapping, levels=levels),
    )

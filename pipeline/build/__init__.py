"""Build the canonical `Ladder` from every parsed document: tracks, roles on canonical levels, canonical
competencies, behavior occurrences (bullets atomized into statements) de-duplicated into behaviors,
progression links between levels, benchmarks and guidance — and the `Normalization` log of what was done.

Everything is sorted by content-derived keys, so the same inputs in any order give the same dataset.
Reviewer decisions (`decisions.py`) are applied to the automatic result and reported applied or stale.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from pipeline.build.atomize import Atomizer
from pipeline.build.competencies import canonicalize, competency_covers
from pipeline.build.decisions import (
    Decisions,
    LevelDecision,
    RenameDecision,
    apply_keep_apart,
    apply_occurrence_decisions,
    occurrence_ref,
)
from pipeline.build.dedupe import behavior_id, dedupe
from pipeline.build.levels import align_benchmarks, assign_levels, level_path
from pipeline.build.progression import kept_apart_within_groups, progression_links

if TYPE_CHECKING:
    from pipeline.config import Config

from pipeline.ids import name_key, stable_id
from pipeline.models import (
    Behavior,
    ClusterMember,
    Competency,
    CompetencyAlias,
    CompetencyDescription,
    DecisionOutcome,
    Document,
    Ladder,
    MergeCluster,
    NearMiss,
    Normalization,
    Occurrence,
    ParsedDocument,
    Rejection,
    Role,
    SourceDocument,
    Split,
    Track,
)


def track_id(name: str) -> str:
    return stable_id("track", name=name_key(name))


def role_id(track: str, title: str) -> str:
    return stable_id("role", track=name_key(track), title=name_key(title))


def _line_no(ref: str) -> int:
    return int(ref[1:]) if ref[1:].isdigit() else 0


def _representative(occurrences: list[Occurrence]) -> str:
    """The text written most often; ties: the shorter, then the alphabetically first."""
    counts = Counter(o.text for o in occurrences)
    return min(counts, key=lambda t: (-counts[t], len(t), t))


def build_ladder(
    documents: list[Document],
    parsed: list[ParsedDocument],
    rejected: list[Rejection],
    config: Config,
    decisions: Decisions | None = None,
) -> Ladder:
    """Assemble the dataset; `documents` and `parsed` may come in any order."""
    decisions = decisions or Decisions()
    norm = config.normalize
    documents = sorted(documents, key=lambda d: (d.file, d.id))
    parsed = sorted(parsed, key=lambda p: (p.file, p.doc_id))
    files = {d.id: d.file for d in documents}
    outcomes: list[tuple[object, DecisionOutcome]] = []  # (decision, outcome), ordered as the file at the end

    # tracks and roles -------------------------------------------------------------------------------
    tracks: dict[str, Track] = {}
    roles: dict[str, Role] = {}
    role_of: dict[tuple[str, str], Role] = {}  # (doc_id, title) -> role
    levels = []
    level_decisions = [d for d in decisions.of("level") if isinstance(d, LevelDecision)]
    level_status: dict[int, tuple[str, str]] = {}  # id(decision) -> (status, detail)
    for p in parsed:
        if not p.roles:
            continue
        tname = p.track or p.roles[0].track
        tid = track_id(tname)
        track = tracks.setdefault(tid, Track(id=tid, name=tname, doc_ids=[], role_ids=[]))
        if p.doc_id not in track.doc_ids:
            track.doc_ids.append(p.doc_id)
        ids = {r.title: role_id(tname, r.title) for r in p.roles}
        assigned = {}
        for a in assign_levels(tname, p.roles, ids, norm):
            automatic = a
            for d in level_decisions:  # in file order: a later decision on the same role wins
                if d.role != a.role_id:
                    continue
                if level_path(d.level) != a.path:
                    level_status[id(d)] = ("refused", f"{d.level} is not on the {a.path} path of this role")
                    continue
                a = automatic.model_copy(
                    update={"level": d.level, "basis": f"decision (was {automatic.level}: {automatic.basis})"}
                )
                level_status[id(d)] = ("applied", f"{automatic.level} -> {d.level}")
            assigned[a.role] = a
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
    for d in level_decisions:
        status, detail = level_status.get(id(d), ("stale", "no role with this id"))
        outcomes.append((d, DecisionOutcome(action="level", target=d.role, status=status, detail=detail)))  # type: ignore[arg-type]

    # competencies -------------------------------------------------------------------------------------
    names: list[tuple[str, str]] = []
    for p in parsed:
        tname = p.track or (p.roles[0].track if p.roles else "")
        for c in p.competencies:
            names.append((tname, c.name))
        for b in p.behaviors:
            names.append((tname, b.competency))
    mapping = canonicalize(list(dict.fromkeys(names)), norm)
    for d in decisions.of("rename"):
        assert isinstance(d, RenameDecision)
        hit = [m for m in mapping if m.competency_id == d.competency]
        if not hit:
            outcomes.append(
                (
                    d,
                    DecisionOutcome(
                        action="rename", target=d.competency, status="stale", detail="no competency with this id"
                    ),
                )
            )
            continue
        mapping = [
            m.model_copy(update={"canonical": d.name}) if m.competency_id == d.competency else m for m in mapping
        ]
        outcomes.append(
            (
                d,
                DecisionOutcome(
                    action="rename", target=d.competency, status="applied", detail=f"{hit[0].canonical!r} -> {d.name!r}"
                ),
            )
        )
    covers = competency_covers(mapping, norm)
    comp_of = {(m.track, m.name): m for m in mapping}
    comps: dict[str, Competency] = {}
    seen_aliases: set[tuple[str, str, str, str]] = set()  # a set, not list membership: 10^4 tracks at scale
    for m in mapping:
        comp = comps.setdefault(m.competency_id, Competency(id=m.competency_id, name=m.canonical))
        if (m.competency_id, m.track, m.name, m.how) not in seen_aliases:
            seen_aliases.add((m.competency_id, m.track, m.name, m.how))
            comp.aliases.append(CompetencyAlias(track=m.track, name=m.name, how=m.how))
    for cid, covered in covers.items():
        comps[cid].covers = covered
    for p in parsed:
        tname = p.track or (p.roles[0].track if p.roles else "")
        for c in p.competencies:
            role = role_of.get((p.doc_id, c.role))
            if role is None:
                continue
            comps[comp_of[(tname, c.name)].competency_id].descriptions.append(
                CompetencyDescription(
                    role_id=role.id,
                    text=c.description,
                    applicable=c.applicable,
                    doc_id=p.doc_id,
                    source_ref=c.source_ref,
                )
            )

    # occurrences: one per statement of a bullet ----------------------------------------------------------
    atomizer = Atomizer(norm)
    occurrences: list[Occurrence] = []
    splits: list[Split] = []
    for p in parsed:
        tname = p.track or (p.roles[0].track if p.roles else "")
        for b in p.behaviors:
            role = role_of.get((p.doc_id, b.role))
            if role is None:
                continue
            parts = atomizer.split(b.text)
            if len(parts) > 1:
                splits.append(
                    Split(
                        source_file=files.get(p.doc_id, p.file),
                        source_ref=b.source_ref,
                        track=tname,
                        bullet=b.text,
                        parts=parts,
                    )
                )
            for i, part in enumerate(parts):
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
                        text=part,
                        part=i,
                    )
                )
    occurrences.sort(key=lambda o: (o.source_file, _line_no(o.source_ref), o.part))

    # behaviors: de-duplicate, then reviewer merges and splits --------------------------------------------
    result = dedupe([o.text for o in occurrences], norm)
    by_ref = {  # only a split decision needs the occurrences
        occurrence_ref(o.source_file, o.source_ref, o.part): (result.forms[o.text].form, o.text)
        for o in (occurrences if decisions.of("split") else [])
    }
    clusters, behavior_outcomes, decided, moved = apply_occurrence_decisions(result.clusters, decisions, by_ref)
    outcomes.extend(behavior_outcomes)
    key_of_form = {f: key for key, members in clusters.items() for f in members}
    grouped: dict[str, list[Occurrence]] = defaultdict(list)
    for o in occurrences:
        form = result.forms[o.text].form
        grouped[
            key_of_form[moved.get(occurrence_ref(o.source_file, o.source_ref, o.part), form) if moved else form]
        ].append(o)
    behaviors: list[Behavior] = []
    merge_log: list[MergeCluster] = []
    for key in sorted(grouped):
        occ = grouped[key]
        bid = behavior_id(key)
        text = _representative(occ)
        behaviors.append(
            Behavior(id=bid, text=text, competency_ids=sorted({o.competency_id for o in occ}), occurrences=occ)
        )
        written = Counter(o.text for o in occ)
        if len(written) < 2:
            continue
        rep_form = result.forms[text].form
        forms = {result.forms[t].form for t in written}
        rule = "decision" if key in decided else ("fuzzy" if len(forms) > 1 else "normalized")
        merge_log.append(
            MergeCluster(
                behavior_id=bid,
                representative=text,
                members=[
                    ClusterMember(text=t, occurrences=n, score=result.score(rep_form, result.forms[t].form))
                    for t, n in sorted(written.items(), key=lambda tn: (-tn[1], tn[0]))
                ],
                rule=rule,
                tracks=sorted({o.track for o in occ}),
            )
        )
    behavior_of_form = {f: behavior_id(key) for f, key in key_of_form.items()}
    by_id = {b.id: b for b in behaviors}
    near: dict[tuple[str, str], NearMiss] = {}
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for o in occurrences:
        groups[(o.track, o.competency_id)].append(o.text)
    kept_apart = result.kept_apart + kept_apart_within_groups(
        [groups[k] for k in sorted(groups)], result, key_of_form, norm
    )
    for pair in kept_apart:
        ia, ib = behavior_of_form[pair.a], behavior_of_form[pair.b]
        if ia == ib:
            continue
        (ia, ib) = (ia, ib) if ia < ib else (ib, ia)
        miss = NearMiss(
            a_id=ia,
            b_id=ib,
            a_text=by_id[ia].text,
            b_text=by_id[ib].text,
            score=pair.score,
            rule=pair.rule,
            tracks=sorted({o.track for o in by_id[ia].occurrences} | {o.track for o in by_id[ib].occurrences}),
        )
        if (ia, ib) not in near or miss.score > near[(ia, ib)].score:
            near[(ia, ib)] = miss
    near_misses, keep_outcomes = apply_keep_apart(list(near.values()), set(by_id), decisions)
    outcomes.extend(keep_outcomes)
    progressions = progression_links(behaviors, kept_apart, behavior_of_form)

    return Ladder(
        documents=[
            SourceDocument(
                id=d.id,
                file=d.file,
                kind=d.kind,
                kind_confidence=d.kind_confidence,
                title=d.title,
                encoding=d.encoding,
                repairs=d.repairs,
            )
            for d in documents
        ],
        tracks=sorted(tracks.values(), key=lambda t: t.name),
        roles=sorted(roles.values(), key=lambda r: (r.track, r.order)),
        competencies=sorted(comps.values(), key=lambda c: c.name.casefold()),
        behaviors=behaviors,
        progressions=progressions,
        level_benchmarks=align_benchmarks([b for p in parsed for b in p.benchmarks], config),
        forum_posts=[x for p in parsed for x in p.posts],
        guidance=[g for p in parsed for g in p.guidance],
        rejected=sorted(rejected, key=lambda r: r.file),
        normalization=Normalization(
            competency_mapping=mapping,
            levels=levels,
            clusters=sorted(merge_log, key=lambda c: (-len(c.members), c.representative)),
            near_misses=sorted(near_misses, key=lambda n: (-n.score, n.a_id, n.b_id)),
            splits=splits,
            decisions=decisions.order(outcomes),  # type: ignore[arg-type]
        ),
    )

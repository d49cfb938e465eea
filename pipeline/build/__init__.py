"""Build the canonical `Ladder` from every parsed document: tracks, roles on canonical levels, canonical
competencies, behavior occurrences (bullets atomized into statements) de-duplicated into behaviors,
progression links between levels, benchmarks and guidance — and the `Normalization` log of what was done.

`build_ladder` composes four steps, each in its own module, each reading only its slice of `normalize:`:
1. `roles.place_roles` (LevelSettings): tracks, roles, canonical levels, `level` decisions;
2. `competencies.canonical_competencies` (CompetencySettings): canonical names, aliases, covers, `rename`s;
3. `occurrences.atomized_occurrences` (AtomizeSettings): one occurrence per statement of a bullet, splits;
4. `behaviors.group_behaviors` (DedupeSettings): behaviors, `merge`/`split` decisions, merge log, near misses,
   progressions.
Reviewer-decision outcomes are collected in one `DecisionLog` and published in the decisions file's order.

Everything is sorted by content-derived keys, so the same inputs in any order give the same dataset.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from pipeline.progress import stage

if TYPE_CHECKING:
    from pipeline.build.behaviors import GroupedBehaviors, group_behaviors
    from pipeline.build.competencies import CanonicalCompetencies, canonical_competencies
    from pipeline.build.decisions import DecisionLog, Decisions
    from pipeline.build.occurrences import AtomizedOccurrences, atomized_occurrences
    from pipeline.build.roles import PlacedRoles, place_roles, role_id, track_id
    from pipeline.config import Config
    from pipeline.models import Document, Ladder, ParsedDocument, Rejection, SourceDocument

# The steps are imported on first use (PEP 562), so importing `pipeline.build.settings` (as `pipeline.config`
# does) does not load de-duplication and its numeric libraries.
_EXPORTS = {
    "AtomizedOccurrences": "occurrences",
    "CanonicalCompetencies": "competencies",
    "DecisionLog": "decisions",
    "GroupedBehaviors": "behaviors",
    "PlacedRoles": "roles",
    "atomized_occurrences": "occurrences",
    "canonical_competencies": "competencies",
    "group_behaviors": "behaviors",
    "place_roles": "roles",
    "role_id": "roles",
    "track_id": "roles",
}

__all__ = [
    "AtomizedOccurrences",
    "CanonicalCompetencies",
    "DecisionLog",
    "GroupedBehaviors",
    "PlacedRoles",
    "atomized_occurrences",
    "build_ladder",
    "canonical_competencies",
    "group_behaviors",
    "place_roles",
    "role_id",
    "track_id",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pipeline.build' has no attribute {name!r}")
    return getattr(import_module(f"pipeline.build.{module}"), name)


def _source(d: Document, parsed: ParsedDocument | None) -> SourceDocument:
    from pipeline.models import SourceDocument

    return SourceDocument(
        id=d.id,
        file=d.file,
        kind=d.kind,
        kind_confidence=d.kind_confidence,
        title=d.title,
        encoding=d.encoding,
        repairs=d.repairs,
        structure=parsed.structure if parsed else "",
        kind_evidence=parsed.kind_evidence if parsed else [],
    )


def build_ladder(
    documents: list[Document],
    parsed: list[ParsedDocument],
    rejected: list[Rejection],
    config: Config,
    decisions: Decisions | None = None,
    *,
    release: bool = False,
) -> Ladder:
    """Assemble the dataset; `documents` and `parsed` may come in any order.

    With `release`, the caller hands `parsed` over: each document's `behaviors`, `competencies` and `roles`
    lists are emptied as soon as the bullets are atomized into occurrences (the later steps read only the
    benchmarks, posts, guidance, structure and kind evidence); at 10^6 occurrences the bullets alone hold about
    as much memory as the occurrences made from them.
    """
    from pipeline.build.behaviors import group_behaviors
    from pipeline.build.competencies import canonical_competencies
    from pipeline.build.decisions import DecisionLog
    from pipeline.build.documents import join_level_documents
    from pipeline.build.levels import align_benchmarks
    from pipeline.build.occurrences import atomized_occurrences
    from pipeline.build.roles import place_roles
    from pipeline.models import Ladder, Normalization

    norm = config.normalize
    documents = sorted(documents, key=lambda d: (d.file, d.id))
    parsed = join_level_documents(sorted(parsed, key=lambda p: (p.file, p.doc_id)), config)
    parsed_of = {p.doc_id: p for p in parsed}
    log = DecisionLog(decisions)
    placed = place_roles(parsed, norm, log)
    comps = canonical_competencies(parsed, placed, norm, log)
    atomized = atomized_occurrences(parsed, {d.id: d.file for d in documents}, placed, comps, norm)
    if release:
        for p in parsed:  # in place: a joined document's copy shares its lists with the original
            p.behaviors.clear()
            p.competencies.clear()
            p.roles.clear()
    stage(f"de-duplicating {len(atomized.occurrences):,} statements")
    grouped = group_behaviors(atomized.occurrences, norm, log)
    return Ladder(
        documents=[_source(d, parsed_of.get(d.id)) for d in documents],
        tracks=placed.sorted_tracks(),
        roles=placed.sorted_roles(),
        competencies=comps.sorted_competencies(),
        behaviors=grouped.behaviors,
        progressions=grouped.progressions,
        level_benchmarks=align_benchmarks(
            [b for p in parsed for b in p.benchmarks], norm, config.career_page.management_title_patterns
        ),
        forum_posts=[x for p in parsed for x in p.posts],
        guidance=[g for p in parsed for g in p.guidance],
        rejected=sorted(rejected, key=lambda r: r.file),
        normalization=Normalization(
            competency_mapping=comps.mapping,
            levels=placed.levels,
            clusters=grouped.clusters,
            near_misses=grouped.near_misses,
            splits=atomized.splits,
            decisions=log.ordered(),
        ),
    )

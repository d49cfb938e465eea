"""Atomized occurrences: every behavior bullet of a placed role, cut into its statements (`atomize.py`), one
`Occurrence` per statement with its role, level and canonical competency; a `Split` records each bullet that
was cut. Occurrences come ordered by source file, line and part, whatever the order of the documents.

There are 10^6 occurrences in a 10^4-document run, so they are built lean: every field comes from records
already validated (parsed documents, placed roles, canonical competencies), so each `Occurrence` is made with
`occurrence_of` (no second validation, its keys shared with every other occurrence, one shared fields-set),
and the strings repeated across occurrences (competency names as written, refs, tracks) are one object each
(`Interner`; a statement's text is one object per distinct bullet text, which is cut once).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.build.atomize import Atomizer
from pipeline.build.competencies import CanonicalCompetencies
from pipeline.build.roles import PlacedRoles
from pipeline.build.settings import AtomizeSettings
from pipeline.models import Interner, Occurrence, ParsedDocument, Split, line_of, occurrence_of


@dataclass
class AtomizedOccurrences:
    occurrences: list[Occurrence] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)


def atomized_occurrences(
    parsed: list[ParsedDocument],
    files: dict[str, str],
    placed: PlacedRoles,
    competencies: CanonicalCompetencies,
    config: AtomizeSettings,
) -> AtomizedOccurrences:
    """One occurrence per statement of each behavior bullet of `parsed` (in file order) whose role was placed.

    `files` maps document ids to the input file (a parsed document's own `file` is used when it has none).
    """
    atomizer = Atomizer(config)
    out = AtomizedOccurrences()
    same = Interner()
    # a bullet's statements are a function of its text: each distinct text is cut once (most bullets are
    # written in several documents), and the occurrences of one statement share its string
    parts_of: dict[str, list[str]] = {}
    for p in parsed:
        tname = same(p.track_name)
        source_file = same(files.get(p.doc_id, p.file))
        for b in p.behaviors:
            role = placed.role(p.doc_id, b.role)
            if role is None:
                continue
            parts = parts_of.get(b.text)
            if parts is None:
                parts = parts_of[b.text] = atomizer.split(b.text)
            if len(parts) > 1:
                out.splits.append(
                    Split(source_file=source_file, source_ref=b.source_ref, track=tname, bullet=b.text, parts=parts)
                )
            competency = same(b.competency)
            competency_id = same(competencies.id_of(tname, b.competency))
            source_ref = same(b.source_ref)
            doc_id, title, role_id, path, level = p.doc_id, role.title, role.id, role.path, role.level
            out.occurrences += [
                occurrence_of(
                    doc_id,
                    source_file,
                    source_ref,
                    tname,
                    title,
                    role_id,
                    path,
                    level,
                    competency,
                    competency_id,
                    part,
                    i,
                )
                for i, part in enumerate(parts)
            ]
    del parts_of
    out.occurrences.sort(key=lambda o: (o.source_file, line_of(o.source_ref), o.part))
    return out

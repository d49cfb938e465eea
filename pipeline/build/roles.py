"""Place roles: the tracks of the parsed documents, their roles, and each role's canonical level.

Levels come from `levels.assign_levels` (title words, numbers, menu order); a reviewer's `level` decision
then overrides the automatic level of its role when the level is on the role's path, and is reported refused
otherwise (stale when the run has no such role). A role named by several documents of one track keeps the first document's record (documents come
sorted by file).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.build.decisions import DecisionLog
from pipeline.build.levels import assign_levels, level_path
from pipeline.build.settings import LevelSettings
from pipeline.ids import name_key, stable_id
from pipeline.models import DecisionStatus, LevelAssignment, ParsedDocument, Role, Track, role_of


def track_id(name: str) -> str:
    return stable_id("track", name=name_key(name))


def role_id(track: str, title: str) -> str:
    return stable_id("role", track=name_key(track), title=name_key(title))


@dataclass
class PlacedRoles:
    """Tracks and roles by id, the role each (document, title) resolves to, and the level assignments."""

    tracks: dict[str, Track] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    role_of: dict[tuple[str, str], Role] = field(default_factory=dict)  # (doc_id, title as written) -> role
    levels: list[LevelAssignment] = field(default_factory=list)

    def role(self, doc_id: str, title: str) -> Role | None:
        """The role a document's section title stands for; None for a title no role of the document has."""
        return self.role_of.get((doc_id, title))

    def sorted_tracks(self) -> list[Track]:
        return sorted(self.tracks.values(), key=lambda t: t.name)

    def sorted_roles(self) -> list[Role]:
        return sorted(self.roles.values(), key=lambda r: (r.track, r.order))


def _decided(
    assignment: LevelAssignment, log: DecisionLog, status: dict[int, tuple[DecisionStatus, str]]
) -> LevelAssignment:
    """`assignment` after the level decisions on its role, in file order (a later one on the same role wins)."""
    automatic = assignment
    for d in log.decisions.levels():
        if d.role != automatic.role_id:
            continue
        if level_path(d.level) != automatic.path:
            status[id(d)] = ("refused", f"{d.level} is not on the {automatic.path} path of this role")
            continue
        assignment = automatic.model_copy(
            update={"level": d.level, "basis": f"decision (was {automatic.level}: {automatic.basis})"}
        )
        status[id(d)] = ("applied", f"{automatic.level} -> {d.level}")
    return assignment


def place_roles(parsed: list[ParsedDocument], config: LevelSettings, log: DecisionLog) -> PlacedRoles:
    """Tracks, roles on canonical levels and level decisions applied, from parsed documents in file order.

    A document with roles adds its track (`ParsedDocument.track_name`) and its roles in menu order; one
    outcome per level decision goes to `log`: applied, stale when its role is missing, or refused when its level
    is on the other path.
    """
    out = PlacedRoles()
    status: dict[int, tuple[DecisionStatus, str]] = {}  # id(decision) -> (status, detail)
    for p in parsed:
        if not p.roles:
            continue
        tname = p.track_name
        tid = track_id(tname)
        track = out.tracks.setdefault(tid, Track(id=tid, name=tname, doc_ids=[], role_ids=[]))
        if p.doc_id not in track.doc_ids:
            track.doc_ids.append(p.doc_id)
        ids = {r.title: role_id(tname, r.title) for r in p.roles}
        assigned = {a.role: a for a in (_decided(a, log, status) for a in assign_levels(tname, p.roles, ids, config))}
        out.levels.extend(assigned.values())
        for r in sorted(p.roles, key=lambda r: r.order):
            rid = ids[r.title]
            if rid not in out.roles:
                out.roles[rid] = role_of(  # lean (`pipeline.models.lean_maker`): 10^5 roles at scale
                    rid,
                    tid,
                    tname,
                    r.title,
                    r.path,
                    assigned[r.title].level,
                    r.order,
                    r.defined,
                    r.summary,
                    r.years_min,
                    r.years_max,
                    list(r.scope),
                    p.doc_id,
                    r.source_ref,
                )
                track.role_ids.append(rid)
            out.role_of[(p.doc_id, r.title)] = out.roles[rid]
    for d in log.decisions.levels():
        outcome, detail = status.get(id(d), ("stale", "no role with this id"))
        log.record(d, outcome, detail)
    return out

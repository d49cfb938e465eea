"""Dataset diff: what changed between two ladders, joined on stable ids.

Tracks, roles, competencies and behaviors are compared by id: an id only on the new side is *added*, only
on the old side *removed*, on both sides with different fields *changed* (free text is diffed word by word).
Occurrences have no id of their own; they are matched by where they are written (file, line, part) and,
for those a line shift left unmatched, by what they say — an occurrence that now belongs to another
behavior, competency or role is *moved*.

The suggested version bump follows from the kinds of change: ids removed or renamed -> major, anything
added or re-assigned -> minor, text fixes only -> patch, nothing -> none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Literal

from pydantic import Field
from rapidfuzz.distance import Indel

from pipeline.errors import ReleaseError
from pipeline.models import Behavior, Competency, Ladder, Occurrence, Record, Role, Track, ref_order

Bump = Literal["major", "minor", "patch", "none"]
ChangeKind = Literal["rename", "text", "value"]
EntityKind = Literal["tracks", "roles", "competencies", "behaviors"]

ENTITY_KINDS: tuple[EntityKind, ...] = ("tracks", "roles", "competencies", "behaviors")
SINGULAR: dict[str, str] = {"tracks": "track", "roles": "role", "competencies": "competency", "behaviors": "behavior"}
FIRST_VERSION = "1.0.0"

_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_WORDS = re.compile(r"\S+")


class WordOp(Record):
    """One run of words in a word-by-word diff."""

    op: Literal["equal", "delete", "insert"]
    text: str = Field(description="The words of the run, joined by single spaces.")


class FieldChange(Record):
    """One field of an entity that differs between the two sides."""

    field: str = Field(description="Field name, e.g. `text`, `level`, `description (Scale CSM / CSM II)`.")
    kind: ChangeKind = Field(description="rename (a name or title) | text (free text) | value (anything else).")
    before: str | None
    after: str | None
    words: list[WordOp] = Field(default_factory=list, description="Word-by-word diff, for `text` and `rename`.")


class EntityRef(Record):
    """An entity on one side of the diff."""

    id: str
    label: str = Field(description="What a reader recognizes it by: a name, `track / role title`, a text.")
    tracks: list[str] = Field(default_factory=list, description="Tracks it belongs to (for filtering).")


class EntityChange(EntityRef):
    """An entity present on both sides whose fields differ."""

    fields: list[FieldChange]


class EntityDiff(Record):
    """Added, removed and changed entities of one kind, each list sorted by label then id."""

    added: list[EntityRef] = Field(default_factory=list)
    removed: list[EntityRef] = Field(default_factory=list)
    changed: list[EntityChange] = Field(default_factory=list)


class OccurrenceRef(Record):
    """An occurrence added or removed."""

    source_file: str
    source_ref: str
    part: int
    track: str
    text: str
    behavior_id: str


class OccurrenceMove(Record):
    """An occurrence found on both sides that now sits elsewhere."""

    source_file: str
    text: str
    track: str
    from_ref: str
    to_ref: str
    from_behavior: str
    to_behavior: str
    from_competency: str
    to_competency: str
    from_role: str
    to_role: str
    changes: list[str] = Field(description="Which of behavior, competency, role, source_ref differ.")


class DiffTotals(Record):
    """The size of a whole diff whose lists are cut short (`DatasetDiff.listed`)."""

    counts: dict[str, dict[str, int]] = Field(description="`DatasetDiff.counts` of the whole diff.")
    changed_fields: int = Field(description="Fields changed, over every changed entity of every kind.")
    bump: Bump = Field(description="`DatasetDiff.bump` of the whole diff.")


class DatasetDiff(Record):
    """The diff of a target ladder against a base (the latest release, or nothing on the first publish).

    With `listed` set, each list holds only its first `listed` items (in the order the report shows them) and
    only the changed fields listed are word-diffed; `totals` then gives the exact counts and bump.
    """

    base: str | None = Field(description="What the target is compared with (`release 1.2.0`, a path); None: nothing.")
    base_version: str | None = Field(None, description="Version of the base when it is a release.")
    target: str = Field(description="What is compared: `candidate`, `release 1.3.0`, a path.")
    tracks: EntityDiff = Field(default_factory=EntityDiff)
    roles: EntityDiff = Field(default_factory=EntityDiff)
    competencies: EntityDiff = Field(default_factory=EntityDiff)
    behaviors: EntityDiff = Field(default_factory=EntityDiff)
    occurrences_added: list[OccurrenceRef] = Field(default_factory=list)
    occurrences_removed: list[OccurrenceRef] = Field(default_factory=list)
    occurrences_moved: list[OccurrenceMove] = Field(default_factory=list)
    listed: int | None = Field(None, description="Most items each list holds (None: every item).")
    totals: DiffTotals | None = Field(None, description="Counts and bump of the whole diff, when `listed` is set.")

    def entities(self, kind: EntityKind) -> EntityDiff:
        return getattr(self, kind)

    @property
    def is_empty(self) -> bool:
        return self.bump == "none"

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """`{"tracks": {"added": 1, "removed": 0, "changed": 0}, ..., "occurrences": {... "moved": n}}`."""
        if self.totals is not None:
            return self.totals.counts
        out: dict[str, dict[str, int]] = {
            kind: {
                "added": len(self.entities(kind).added),
                "removed": len(self.entities(kind).removed),
                "changed": len(self.entities(kind).changed),
            }
            for kind in ENTITY_KINDS
        }
        out["occurrences"] = {
            "added": len(self.occurrences_added),
            "removed": len(self.occurrences_removed),
            "moved": len(self.occurrences_moved),
        }
        return out

    @property
    def bump(self) -> Bump:
        """major: ids removed or renamed; minor: additions or re-assignments; patch: text fixes only."""
        if self.totals is not None:
            return self.totals.bump
        entity_diffs = [self.entities(kind) for kind in ENTITY_KINDS]
        fields = [f for d in entity_diffs for c in d.changed for f in c.fields]
        return _bump(
            removed=any(d.removed for d in entity_diffs),
            renamed=any(f.kind == "rename" for f in fields),
            added=any(d.added for d in entity_diffs) or bool(self.occurrences_added or self.occurrences_removed),
            revalued=any(f.kind == "value" for f in fields),
            reassigned=any(set(m.changes) - {"source_ref"} for m in self.occurrences_moved),
            changed=bool(fields or self.occurrences_moved),
        )

    @property
    def changed_fields(self) -> int:
        """Fields changed, over every changed entity of every kind (listed or not)."""
        if self.totals is not None:
            return self.totals.changed_fields
        return sum(len(c.fields) for kind in ENTITY_KINDS for c in self.entities(kind).changed)

    @property
    def suggested_version(self) -> str | None:
        """The version the bump leads to from the base release; `1.0.0` with no base; None if the base is no release."""
        if self.base is None:
            return FIRST_VERSION
        if self.base_version is None:
            return None
        return bump_version(self.base_version, self.bump)


def _bump(*, removed: bool, renamed: bool, added: bool, revalued: bool, reassigned: bool, changed: bool) -> Bump:
    if removed or renamed:
        return "major"
    if added or revalued or reassigned:
        return "minor"
    return "patch" if changed else "none"


# ------------------------------------------------------------------------------------------- versions


def parse_version(version: str) -> tuple[int, int, int]:
    """`"1.10.2"` -> `(1, 10, 2)`; raises `ReleaseError` for anything that is not MAJOR.MINOR.PATCH."""
    match = _VERSION.match(version)
    if not match:
        raise ReleaseError(f"invalid version {version!r}: expected MAJOR.MINOR.PATCH, e.g. 1.0.0 or 2.3.1")
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


def bump_version(version: str, bump: Bump) -> str:
    """`bump_version("1.4.2", "minor")` -> `"1.5.0"`; `"none"` keeps the version."""
    major, minor, patch = parse_version(version)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return version


# ----------------------------------------------------------------------------------------------- diff


def word_diff(before: str, after: str) -> list[WordOp]:
    """`word_diff("Finds basic data", "Finds advanced data")` ->
    equal "Finds", delete "basic", insert "advanced", equal "data".

    The words kept are a longest common subsequence of the two word lists (rapidfuzz's `Indel` over the
    words mapped to ints, linear in memory and fast in C); between two kept runs the deleted words come
    first, then the inserted ones, as one run each."""
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    ids: dict[str, int] = {}
    ia = [ids.setdefault(w, len(ids)) for w in a]
    ib = [ids.setdefault(w, len(ids)) for w in b]
    kept: list[list[int]] = []  # [i1, i2, j1]: a[i1:i2] == b[j1:j1 + i2 - i1], adjacent runs joined
    for op in Indel.opcodes(ia, ib):
        if op.tag != "equal":
            continue
        if kept and kept[-1][1] == op.src_start and kept[-1][2] + kept[-1][1] - kept[-1][0] == op.dest_start:
            kept[-1][1] = op.src_end
        else:
            kept.append([op.src_start, op.src_end, op.dest_start])
    _slide_runs(kept, ia, ib)
    ops: list[WordOp] = []
    i = j = 0
    for i1, i2, j1 in [*kept, [len(a), len(a), len(b)]]:
        if i1 > i:
            ops.append(WordOp(op="delete", text=" ".join(a[i:i1])))
        if j1 > j:
            ops.append(WordOp(op="insert", text=" ".join(b[j:j1])))
        if i2 > i1:
            ops.append(WordOp(op="equal", text=" ".join(a[i1:i2])))
        i, j = i2, j1 + (i2 - i1)
    return ops


def _slide_runs(kept: list[list[int]], a: list[int], b: list[int]) -> None:
    """Among the alignments that keep as many words, prefer long kept runs, as difflib's longest-block-first
    matching does: an insertion (or deletion) between two kept runs whose words repeat at its edge slides
    along them to where the longer kept run is longest, and a kept run it slides over entirely is gone.

    `"begins to take"` -> `"is able to begin to take"`: the common subsequence may keep the first "to"
    (insert "is able", keep "to", insert "begin to", keep "take"); slid, it reads insert "is able to
    begin", keep "to take"."""
    k = 0
    while k < len(kept) - 1:
        (i1, i2, j1), (ni1, ni2, nj1) = kept[k], kept[k + 1]
        n1, n2 = i2 - i1, ni2 - ni1
        if ni1 == i2:  # an insertion b[g1:g2] between the two runs
            seq, g1, g2 = b, j1 + n1, nj1
        elif nj1 == j1 + n1:  # a deletion a[g1:g2]
            seq, g1, g2 = a, i2, ni1
        else:
            k += 1
            continue
        left = 0
        while left < n1 and seq[g2 - 1 - left] == seq[g1 - 1 - left]:
            left += 1
        right = 0
        while right < n2 and g2 + right < len(seq) and seq[g1 + right] == seq[g2 + right]:
            right += 1
        best = max(range(-left, right + 1), key=lambda t: (max(n1 + t, n2 - t), t == 0))
        if max(n1 + best, n2 - best) <= max(n1, n2):
            k += 1
            continue
        kept[k] = [i1, i2 + best, j1]
        kept[k + 1] = [ni1 + best, ni2, nj1 + best]
        kept[:] = [r for r in kept if r[1] > r[0]]
        k = max(k - 1, 0)


def diff_ladders(
    base: Ladder | None,
    target: Ladder,
    *,
    base_version: str | None = None,
    base_label: str | None = None,
    target_label: str = "candidate",
    listed: int | None = None,
) -> DatasetDiff:
    """Diff `target` against `base` (None: no release yet, so everything in `target` is added).

    `base_label` defaults to `release <base_version>`; a base that is not a release (a path) gets no
    suggested version, only a bump.

    With `listed`, each list keeps its first `listed` items in the order the report shows them, and only the
    changed entities holding the first `listed` changed fields (over all kinds) are kept and word-diffed: what
    a report capped at `listed` rows shows, at the cost of what it shows. `totals` holds the exact counts and
    bump. Without it, every item is listed and every changed text is word-diffed.
    """
    if base is not None and base_label is None:
        base_label = f"release {base_version}" if base_version else "base"
    old = base if base is not None else Ladder(documents=[], tracks=[], roles=[], competencies=[], behaviors=[])
    old_names, new_names = _Names(old), _Names(target)
    occurrences = _diff_occurrences(old, target)
    entities = {
        "tracks": _diff_entities(old.tracks, target.tracks, _track_label, _track_ref, _track_ref, _track_fields),
        "roles": _diff_entities(old.roles, target.roles, _role_label, _role_ref, _role_ref, _role_fields),
        "competencies": _diff_entities(
            old.competencies,
            target.competencies,
            _competency_label,
            lambda c: _competency_ref(c, old_names),
            lambda c: _competency_ref(c, new_names),
            lambda a, b: _competency_fields(a, b, old_names, new_names),
        ),
        "behaviors": _diff_entities(
            old.behaviors, target.behaviors, _behavior_label, _behavior_ref, _behavior_ref, _behavior_fields
        ),
    }
    totals = None
    if listed is not None:
        fields = [f for e in entities.values() for _, changes in e.changed for f in changes]
        counts = {kind: e.counts() for kind, e in entities.items()}
        counts["occurrences"] = occurrences.counts()
        bump = _bump(
            removed=any(e.removed for e in entities.values()),
            renamed=any(f.kind == "rename" for f in fields),
            added=any(e.added for e in entities.values()) or bool(occurrences.added or occurrences.removed),
            revalued=any(f.kind == "value" for f in fields),
            reassigned=occurrences.reassigned,
            changed=bool(fields or occurrences.moved),
        )
        totals = DiffTotals(counts=counts, changed_fields=len(fields), bump=bump)
    budget = listed  # changed fields still to list
    diffs: dict[str, EntityDiff] = {}
    for kind, e in entities.items():
        diffs[kind], budget = e.listed(listed, budget)
    return DatasetDiff(
        base=base_label if base is not None else None,
        base_version=base_version if base is not None else None,
        target=target_label,
        tracks=diffs["tracks"],
        roles=diffs["roles"],
        competencies=diffs["competencies"],
        behaviors=diffs["behaviors"],
        occurrences_added=_refs(occurrences.added.first(listed)),
        occurrences_removed=_refs(occurrences.removed.first(listed)),
        occurrences_moved=occurrences.moves(listed),
        listed=listed,
        totals=totals,
    )


def summary_lines(diff: DatasetDiff) -> list[str]:
    """The diff in a few lines, for the CLI, the approval prompt and the changelog."""
    if diff.base is None:
        head = f"No published release yet: everything in {diff.target} is added."
    elif diff.is_empty:
        return [f"No changes: {diff.target} is identical to {diff.base}."]
    else:
        head = f"Changes in {diff.target} since {diff.base}:"
    lines = [head]
    for kind, counts in diff.counts.items():
        lines.append(f"- {kind}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    if diff.base is None:
        lines.append(f"Suggested version: {diff.suggested_version} (first release)")
    elif diff.suggested_version is None:
        lines.append(f"Suggested bump: {diff.bump}")
    else:
        lines.append(f"Suggested bump: {diff.bump} -> {diff.suggested_version}")
    return lines


# ------------------------------------------------------------------------------------------ internals


class _Names:
    """Readable names for ids of one ladder, so change lines say `Scale CSM / CSM II`, not `role_…`."""

    def __init__(self, ladder: Ladder) -> None:
        self.roles = {r.id: f"{r.track} / {r.title}" for r in ladder.roles}
        self.role_tracks = {r.id: r.track for r in ladder.roles}
        self.competencies = {c.id: c.name for c in ladder.competencies}

    def role(self, role_id: str) -> str:
        return self.roles.get(role_id, role_id)

    def competency(self, competency_id: str) -> str:
        return self.competencies.get(competency_id, competency_id)


class _Entities:
    """One kind's added, removed and changed entities, each in (label, id) order, refs and word diffs not made."""

    def __init__(self, added: list, removed: list, changed: list, ref_old: Callable, ref_new: Callable) -> None:
        self.added, self.removed, self.changed = added, removed, changed
        self.ref_old, self.ref_new = ref_old, ref_new

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)}

    def listed(self, limit: int | None, budget: int | None) -> tuple[EntityDiff, int | None]:
        """The `EntityDiff` listing `limit` added and removed entities, and the changed ones holding the next
        `budget` changed fields (None: all), their texts word-diffed; and the budget left."""
        changed = []
        for entity, fields in self.changed:
            if budget is not None:
                if budget <= 0:
                    break
                budget -= len(fields)
            for f in fields:
                if f.kind != "value" and f.before is not None and f.after is not None:
                    f.words = word_diff(f.before, f.after)
            r = self.ref_new(entity)
            changed.append(EntityChange(id=r.id, label=r.label, tracks=r.tracks, fields=fields))
        diff = EntityDiff(
            added=[self.ref_new(e) for e in self.added[:limit]],
            removed=[self.ref_old(e) for e in self.removed[:limit]],
            changed=changed,
        )
        return diff, budget


def _diff_entities(old, new, label: Callable, ref_old: Callable, ref_new: Callable, fields: Callable) -> _Entities:
    old_by_id = {e.id: e for e in old}
    new_by_id = {e.id: e for e in new}
    order = lambda e: (label(e), e.id)  # noqa: E731
    added = sorted((new_by_id[i] for i in new_by_id.keys() - old_by_id.keys()), key=order)
    removed = sorted((old_by_id[i] for i in old_by_id.keys() - new_by_id.keys()), key=order)
    changed = []
    for i in old_by_id.keys() & new_by_id.keys():
        changes = fields(old_by_id[i], new_by_id[i])
        if changes:
            changed.append((new_by_id[i], changes))
    changed.sort(key=lambda ec: order(ec[0]))
    return _Entities(added, removed, changed, ref_old, ref_new)


def _field(name: str, kind: ChangeKind, before: object, after: object) -> list[FieldChange]:
    b, a = _as_text(before), _as_text(after)
    if b == a:
        return []
    if kind != "value" and (b is None or a is None):
        # Text appearing or disappearing is content added or removed, not a text fix.
        kind = "value"
    # The word diff is made for the fields listed (`_Entities.listed`).
    return [FieldChange(field=name, kind=kind, before=b, after=a)]


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def _track_label(t: Track) -> str:
    return t.name


def _track_ref(t: Track) -> EntityRef:
    return EntityRef(id=t.id, label=_track_label(t), tracks=[t.name])


def _track_fields(a: Track, b: Track) -> list[FieldChange]:
    return _field("name", "rename", a.name, b.name)


def _role_label(r: Role) -> str:
    return f"{r.track} / {r.title}"


def _role_ref(r: Role) -> EntityRef:
    return EntityRef(id=r.id, label=_role_label(r), tracks=[r.track])


def _role_fields(a: Role, b: Role) -> list[FieldChange]:
    return [
        *_field("title", "rename", a.title, b.title),
        *_field("track", "rename", a.track, b.track),
        *_field("path", "value", a.path, b.path),
        *_field("level", "value", a.level, b.level),
        *_field("order", "value", a.order, b.order),
        *_field("defined", "value", a.defined, b.defined),
        *_field("years_min", "value", a.years_min, b.years_min),
        *_field("years_max", "value", a.years_max, b.years_max),
        *_field("summary", "text", a.summary, b.summary),
        *_field("scope", "text", a.scope or None, b.scope or None),
    ]


def _competency_ref(c: Competency, names: _Names) -> EntityRef:
    tracks = {a.track for a in c.aliases} | {
        names.role_tracks[d.role_id] for d in c.descriptions if d.role_id in names.role_tracks
    }
    return EntityRef(id=c.id, label=_competency_label(c), tracks=sorted(tracks))


def _competency_label(c: Competency) -> str:
    return c.name


def _competency_fields(a: Competency, b: Competency, old: _Names, new: _Names) -> list[FieldChange]:
    out = [
        *_field("name", "rename", a.name, b.name),
        *_field("aliases", "value", _aliases(a), _aliases(b)),
        *_field(
            "covers",
            "value",
            sorted(old.competency(i) for i in a.covers) or None,
            sorted(new.competency(i) for i in b.covers) or None,
        ),
    ]
    old_desc = {d.role_id: d for d in a.descriptions}
    new_desc = {d.role_id: d for d in b.descriptions}
    for role_id in sorted(
        old_desc.keys() | new_desc.keys(), key=lambda i: (new.role(i) if i in new_desc else old.role(i), i)
    ):
        da, db = old_desc.get(role_id), new_desc.get(role_id)
        where = new.role(role_id) if db is not None else old.role(role_id)
        out += _field(f"description ({where})", "text", da.text if da else None, db.text if db else None)
        out += _field(f"applicable ({where})", "value", da.applicable if da else None, db.applicable if db else None)
    return out


def _aliases(c: Competency) -> list[str] | None:
    return sorted(f"{a.track}: {a.name}" for a in c.aliases) or None


def _behavior_label(b: Behavior) -> str:
    return b.text


def _behavior_ref(b: Behavior) -> EntityRef:
    return EntityRef(id=b.id, label=_behavior_label(b), tracks=sorted({o.track for o in b.occurrences}))


def _behavior_fields(a: Behavior, b: Behavior) -> list[FieldChange]:
    return [
        *_field("text", "text", a.text, b.text),
        *_field("competencies", "value", sorted(a.competency_ids), sorted(b.competency_ids)),
    ]


_Placed = tuple[Occurrence, str]  # an occurrence and the id of the behavior holding it


def _occurrences(ladder: Ladder) -> Iterable[_Placed]:
    return ((o, b.id) for b in ladder.behaviors for o in b.occurrences)


def _placed(ladder: Ladder) -> list[_Placed]:
    return _resort(_occurrences(ladder))


class _InOrder:
    """Placed occurrences in document order (file, line, table cell, part, behavior id), sorted only as far as
    they are read: grouped by file, each file's sorted when its turn comes."""

    def __init__(self, items: Iterable[_Placed]) -> None:
        self.by_file: dict[str, list[_Placed]] = defaultdict(list)
        for item in items:
            self.by_file[item[0].source_file].append(item)
        self.count = sum(len(group) for group in self.by_file.values())

    @classmethod
    def of(cls, ladder: Ladder) -> _InOrder:
        """All the ladder's occurrences (`_InOrder(_occurrences(ladder))`, grouped without a generator)."""
        placed = cls(())
        by_file = placed.by_file
        for b in ladder.behaviors:
            bid = b.id
            for o in b.occurrences:
                by_file[o.source_file].append((o, bid))
        placed.count = sum(len(group) for group in by_file.values())
        return placed

    def __len__(self) -> int:
        return self.count

    def first(self, n: int | None = None) -> list[_Placed]:
        """The first `n` items (None: all)."""
        refs: dict[str, tuple[int, int, int, str]] = {}  # ref_order of each distinct source_ref, computed once

        def order(p: _Placed) -> tuple:
            o = p[0]
            ref = refs.get(o.source_ref)
            if ref is None:
                ref = refs[o.source_ref] = ref_order(o.source_ref)
            return (ref, o.part, p[1])

        out: list[_Placed] = []
        for source_file in sorted(self.by_file):
            if n is not None and len(out) >= n:
                break
            out += sorted(self.by_file[source_file], key=order)
        return out[:n]


class _Occurrences:
    """Occurrences added, removed and moved, in the order the diff lists them; the moves not made yet."""

    def __init__(self, added: _InOrder, removed: _InOrder, moved: list[tuple]) -> None:
        self.added, self.removed, self.moved = added, removed, moved
        self.reassigned = any(set(m[-1]) - {"source_ref"} for m in moved)

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "moved": len(self.moved)}

    def moves(self, limit: int | None) -> list[OccurrenceMove]:
        return [
            OccurrenceMove(
                source_file=ob.source_file,
                text=ob.text,
                track=ob.track,
                from_ref=oa.source_ref,
                to_ref=ob.source_ref,
                from_behavior=ba,
                to_behavior=bb,
                from_competency=oa.competency_id,
                to_competency=ob.competency_id,
                from_role=oa.role_id,
                to_role=ob.role_id,
                changes=changes,
            )
            for _, oa, ba, ob, bb, changes in self.moved[:limit]
        ]


def _diff_occurrences(old: Ladder, new: Ladder) -> _Occurrences:
    if not any(b.occurrences for b in old.behaviors) or not any(b.occurrences for b in new.behaviors):
        # nothing to pair (a first release): every occurrence is added, or removed
        return _Occurrences(_InOrder.of(new), _InOrder.of(old), [])
    old_left, new_left = _placed(old), _placed(new)
    pairs: list[tuple[_Placed, _Placed]] = []
    # First by position; then, for what a line shift left over, by what it says in which role/competency.
    for key in (_position_key, _content_key):
        matched, old_left, new_left = _match(old_left, new_left, key)
        pairs += matched
    moves = []
    for (oa, ba), (ob, bb) in pairs:
        changes = [
            name
            for name, x, y in (
                ("behavior", ba, bb),
                ("competency", oa.competency_id, ob.competency_id),
                ("role", oa.role_id, ob.role_id),
                ("source_ref", oa.source_ref, ob.source_ref),
            )
            if x != y
        ]
        if changes:
            moves.append(((ob.source_file, ref_order(ob.source_ref), ob.text, bb), oa, ba, ob, bb, changes))
    moves.sort(key=lambda m: m[0])
    return _Occurrences(_InOrder(new_left), _InOrder(old_left), moves)


def _position_key(p: _Placed) -> tuple:
    return (p[0].source_file, p[0].source_ref, p[0].part)


def _content_key(p: _Placed) -> tuple:
    o = p[0]
    return (o.source_file, o.track, o.role, o.competency, o.text, o.part)


def _match(old: list[_Placed], new: list[_Placed], key: Callable) -> tuple[list, list[_Placed], list[_Placed]]:
    """Pair items with equal keys in order of appearance; return pairs and what is left on each side."""
    waiting: dict[tuple, list[_Placed]] = {}
    for item in old:
        waiting.setdefault(key(item), []).append(item)
    pairs, new_left = [], []
    for item in new:
        queue = waiting.get(key(item))
        if queue:
            pairs.append((queue.pop(0), item))
        else:
            new_left.append(item)
    old_left = [item for queue in waiting.values() for item in queue]
    return pairs, _resort(old_left), new_left


def _resort(items: Iterable[_Placed]) -> list[_Placed]:
    return _InOrder(items).first()


def _refs(items: list[_Placed]) -> list[OccurrenceRef]:
    return [
        OccurrenceRef(
            source_file=o.source_file, source_ref=o.source_ref, part=o.part, track=o.track, text=o.text, behavior_id=b
        )
        for o, b in items
    ]


def render_words(words: list[WordOp]) -> str:
    """Word diff as plain text, wdiff style: `Finds [-basic-] {+advanced+} data`."""
    return " ".join(
        w.text if w.op == "equal" else f"[-{w.text}-]" if w.op == "delete" else f"{{+{w.text}+}}" for w in words
    )


def diff_text(diff: DatasetDiff) -> str:
    """The diff for a terminal: the summary, then one line per entity added, removed or changed.

    On a first release (no base) only the summary is shown: listing every item as added says nothing.
    """
    lines = summary_lines(diff)
    if diff.base is not None:
        for kind in ENTITY_KINDS:
            entities = diff.entities(kind)
            lines += [f"added {SINGULAR[kind]} {e.id}: {e.label}" for e in entities.added]
            lines += [f"removed {SINGULAR[kind]} {e.id}: {e.label}" for e in entities.removed]
            for e in entities.changed:
                for f in e.fields:
                    change = render_words(f.words) if f.words else f"{f.before} -> {f.after}"
                    lines.append(f"changed {SINGULAR[kind]} {e.id} {f.field}: {change}")
        for m in diff.occurrences_moved:
            what = ", ".join(m.changes)
            lines.append(f"moved occurrence {m.source_file}:{m.to_ref} ({what}): {m.text}")
    return "\n".join(lines)

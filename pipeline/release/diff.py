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


class DatasetDiff(Record):
    """The diff of a target ladder against a base (the latest release, or nothing on the first publish)."""

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

    def entities(self, kind: EntityKind) -> EntityDiff:
        return getattr(self, kind)

    @property
    def is_empty(self) -> bool:
        return self.bump == "none"

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """`{"tracks": {"added": 1, "removed": 0, "changed": 0}, ..., "occurrences": {... "moved": n}}`."""
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
        entity_diffs = [self.entities(kind) for kind in ENTITY_KINDS]
        fields = [f for d in entity_diffs for c in d.changed for f in c.fields]
        if any(d.removed for d in entity_diffs) or any(f.kind == "rename" for f in fields):
            return "major"
        if (
            any(d.added for d in entity_diffs)
            or any(f.kind == "value" for f in fields)
            or self.occurrences_added
            or self.occurrences_removed
            or any(set(m.changes) - {"source_ref"} for m in self.occurrences_moved)
        ):
            return "minor"
        if fields or self.occurrences_moved:
            return "patch"
        return "none"

    @property
    def suggested_version(self) -> str | None:
        """The version the bump leads to from the base release; `1.0.0` with no base; None if the base is no release."""
        if self.base is None:
            return FIRST_VERSION
        if self.base_version is None:
            return None
        return bump_version(self.base_version, self.bump)


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
) -> DatasetDiff:
    """Diff `target` against `base` (None: no release yet, so everything in `target` is added).

    `base_label` defaults to `release <base_version>`; a base that is not a release (a path) gets no
    suggested version, only a bump.
    """
    if base is not None and base_label is None:
        base_label = f"release {base_version}" if base_version else "base"
    old = base if base is not None else Ladder(documents=[], tracks=[], roles=[], competencies=[], behaviors=[])
    old_names, new_names = _Names(old), _Names(target)
    added, removed, moved = _diff_occurrences(old, target)
    return DatasetDiff(
        base=base_label if base is not None else None,
        base_version=base_version if base is not None else None,
        target=target_label,
        tracks=_diff_entities(old.tracks, target.tracks, _track_ref, _track_ref, _track_fields),
        roles=_diff_entities(old.roles, target.roles, _role_ref, _role_ref, _role_fields),
        competencies=_diff_entities(
            old.competencies,
            target.competencies,
            lambda c: _competency_ref(c, old_names),
            lambda c: _competency_ref(c, new_names),
            lambda a, b: _competency_fields(a, b, old_names, new_names),
        ),
        behaviors=_diff_entities(old.behaviors, target.behaviors, _behavior_ref, _behavior_ref, _behavior_fields),
        occurrences_added=added,
        occurrences_removed=removed,
        occurrences_moved=moved,
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


def _diff_entities(old, new, ref_old: Callable, ref_new: Callable, fields: Callable) -> EntityDiff:
    old_by_id = {e.id: e for e in old}
    new_by_id = {e.id: e for e in new}
    added = [ref_new(new_by_id[i]) for i in new_by_id.keys() - old_by_id.keys()]
    removed = [ref_old(old_by_id[i]) for i in old_by_id.keys() - new_by_id.keys()]
    changed = []
    for i in old_by_id.keys() & new_by_id.keys():
        changes = fields(old_by_id[i], new_by_id[i])
        if changes:
            r = ref_new(new_by_id[i])
            changed.append(EntityChange(id=r.id, label=r.label, tracks=r.tracks, fields=changes))
    order = lambda e: (e.label, e.id)  # noqa: E731
    return EntityDiff(
        added=sorted(added, key=order), removed=sorted(removed, key=order), changed=sorted(changed, key=order)
    )


def _field(name: str, kind: ChangeKind, before: object, after: object) -> list[FieldChange]:
    b, a = _as_text(before), _as_text(after)
    if b == a:
        return []
    if kind != "value" and (b is None or a is None):
        # Text appearing or disappearing is content added or removed, not a text fix.
        kind = "value"
    words = word_diff(b, a) if kind != "value" and b is not None and a is not None else []
    return [FieldChange(field=name, kind=kind, before=b, after=a, words=words)]


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


def _track_ref(t: Track) -> EntityRef:
    return EntityRef(id=t.id, label=t.name, tracks=[t.name])


def _track_fields(a: Track, b: Track) -> list[FieldChange]:
    return _field("name", "rename", a.name, b.name)


def _role_ref(r: Role) -> EntityRef:
    return EntityRef(id=r.id, label=f"{r.track} / {r.title}", tracks=[r.track])


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
    return EntityRef(id=c.id, label=c.name, tracks=sorted(tracks))


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


def _behavior_ref(b: Behavior) -> EntityRef:
    return EntityRef(id=b.id, label=b.text, tracks=sorted({o.track for o in b.occurrences}))


def _behavior_fields(a: Behavior, b: Behavior) -> list[FieldChange]:
    return [
        *_field("text", "text", a.text, b.text),
        *_field("competencies", "value", sorted(a.competency_ids), sorted(b.competency_ids)),
    ]


_Placed = tuple[Occurrence, str]  # an occurrence and the id of the behavior holding it


def _placed(ladder: Ladder) -> list[_Placed]:
    return _resort((o, b.id) for b in ladder.behaviors for o in b.occurrences)


def _diff_occurrences(
    old: Ladder, new: Ladder
) -> tuple[list[OccurrenceRef], list[OccurrenceRef], list[OccurrenceMove]]:
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
            moves.append(
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
            )
    moves.sort(key=lambda m: (m.source_file, ref_order(m.to_ref), m.text, m.to_behavior))
    return _refs(new_left), _refs(old_left), moves


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
    return sorted(items, key=lambda p: (p[0].source_file, ref_order(p[0].source_ref), p[0].part, p[1]))


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

"""Progressions: related behaviors kept apart because they mark a level difference, linked lower -> higher,
and what changes between two levels of a track (new, dropped, strengthened).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from pipeline.build.dedupe import Alignment, DedupeResult, Guards, PairOutcome
from pipeline.build.dedupe.candidates import PAIR_CHUNK, group_pairs
from pipeline.build.levels import level_path, level_sort_key
from pipeline.build.settings import DedupeSettings
from pipeline.errors import InputError
from pipeline.heap import collection_paused
from pipeline.ids import name_key
from pipeline.models import Behavior, Ladder, Progression, progression_of

# Outcomes that are not a demand difference: the two statements are merely unrelated or unclustered.
_NOT_A_PROGRESSION = frozenset({"below_threshold", "no_chaining"})
# Past this many changed content words two statements are about different things, not one demand raised.
_MAX_CHANGED_WORDS = 10


def related(al: Alignment | None, markers: frozenset[str] = frozenset()) -> bool:
    """Do two statements raise one demand, rather than say different things? Unrelated when they have no
    content word in common (written the same or aligned), or fewer in common than each side has of its own.
    A level marker both sides share (`markers`: the words of `proficiency_words`, "basic", "advanced") is not
    in common: it says at which level, not about what.

    `"forecast 3 months in advance"` / `"forecast 6 months in advance"`: 3 in common, 1 of its own each ->
    related; `"develop internal advocate"` / `"develop internal advocate that participate in company
    initiative"`: the first has nothing of its own -> related; `"maintain dashboard for weekly review"` /
    `"review contract with legal partner"`: 1 in common, 3 of its own each -> unrelated (token_set_ratio,
    which forgives words only one side has, can still score such pairs high); `"run basic contract review"` /
    `"plan basic contract audit"` with "basic" a marker: 1 in common, 2 of its own each -> unrelated. No
    alignment: unrelated.
    """
    if al is None:
        return False
    shared = al.shared
    common = len(al.aligned) + (
        len(shared) if markers.isdisjoint(shared) else sum(1 for w in shared if w not in markers)
    )
    return common >= 1 and common >= min(len(al.removed), len(al.added))


def level_markers(config: DedupeSettings) -> frozenset[str]:
    """The single words of `proficiency_words` ("basic", "expert"; not the phrases' words, "begin to")."""
    return frozenset(p for p in config.proficiency_words if " " not in p)


def kept_apart_within_groups(
    groups: Iterable[Iterable[str]], result: DedupeResult, key_of_form: dict[str, str], config: DedupeSettings
) -> list[PairOutcome]:
    """Related pairs (`related`) a guard keeps apart inside one (track, competency) group, in different
    behaviors.

    The global candidate generation is tuned for merges; progressions ("3 months" -> "6 months", "basic" ->
    "advanced") sit in one track and competency, so candidates are paired inside each group (`group_pairs`:
    every pair of a group of at most `BUCKET_MAX` forms, bounded sort-and-window pairs per key in a larger
    one, so one competency of 20,000 bullets costs linear work). A level change often rewrites more than one
    word ("Becoming proficient in … basic plays" -> "Becoming an expert in … plays"), so pairs are scored with
    `token_set_ratio`, which forgives words only one side has, and only pairs a guard keeps apart that are
    `related` are returned. Pairs already in `result.kept_apart` are not repeated. Runs with the cyclic garbage
    collector paused (`collection_paused`).
    """
    with collection_paused():
        return _kept_apart_within_groups(groups, result, key_of_form, config)


def _kept_apart_within_groups(
    groups: Iterable[Iterable[str]], result: DedupeResult, key_of_form: dict[str, str], config: DedupeSettings
) -> list[PairOutcome]:
    guards = result.guards or Guards(config)  # its memos hold what de-duplication computed per form
    markers = level_markers(config)
    by_form = {n.form: n for n in result.forms.values()}
    forms = sorted(by_form)
    index = {f: i for i, f in enumerate(forms)}
    members = [sorted({index[result.forms[t].form] for t in group}) for group in groups]
    n = max(len(forms), 1)
    codes = group_pairs(members, forms, config)
    seen = {(p.a, p.b) for p in result.kept_apart}
    normalized = [by_form[f] for f in forms]
    same = len(normalized) == len(result.normalized) and all(
        x is y or x == y for x, y in zip(normalized, result.normalized, strict=True)
    )
    facts = result.facts if same and result.facts is not None else guards.facts(normalized)
    out: list[PairOutcome] = []
    for start in range(0, len(codes), PAIR_CHUNK):
        ii, jj = (codes[start : start + PAIR_CHUNK] // n).tolist(), (codes[start : start + PAIR_CHUNK] % n).tolist()
        scores = process.cpdist(
            [forms[i] for i in ii],
            [forms[j] for j in jj],
            scorer=fuzz.token_set_ratio,
            score_cutoff=config.near_miss_threshold,
            dtype=np.float32,
            workers=config.workers,
        )
        todo = [
            h
            for h in np.nonzero(scores >= max(config.near_miss_threshold, 1e-9))[0].tolist()
            if key_of_form[forms[ii[h]]] != key_of_form[forms[jj[h]]] and (forms[ii[h]], forms[jj[h]]) not in seen
        ]
        hi = np.asarray([ii[h] for h in todo], dtype=np.int64)
        hj = np.asarray([jj[h] for h in todo], dtype=np.int64)
        rules, alignments = guards.check_pairs(normalized, hi, hj, np.ones(len(todo), dtype=bool), facts)
        for h, rule, al in zip(todo, rules, alignments, strict=True):
            if (
                rule is None
                or al is None
                or len(al.removed) + len(al.added) > _MAX_CHANGED_WORDS
                or not related(al, markers)
            ):
                continue
            score = round(float(scores[h]), 2)
            out.append(PairOutcome(forms[ii[h]], forms[jj[h]], score, rule, al.removed, al.added, al))
    return sorted(out, key=lambda p: (p.a, p.b))


def progression_links(
    behaviors: list[Behavior], kept_apart: list[PairOutcome], behavior_of_form: dict[str, str], config: DedupeSettings
) -> list[Progression]:
    """Guarded pairs whose behaviors sit at different levels of a track, lower -> higher.

    "Begins to find opportunities…" (IC1, IC2) and "Finds opportunities…" (IC3) in one track, kept apart by
    `proficiency` -> one link IC2 -> IC3 with `removed_words=["begin"]`. Pairs whose levels overlap in a
    track, that share no competency there, or that are not `related`, are no progression in it. Runs with the
    cyclic garbage collector paused (`collection_paused`).
    """
    with collection_paused():
        return _progression_links(behaviors, kept_apart, behavior_of_form, config)


def _progression_links(
    behaviors: list[Behavior], kept_apart: list[PairOutcome], behavior_of_form: dict[str, str], config: DedupeSettings
) -> list[Progression]:
    by_id = {b.id: b for b in behaviors}
    markers = level_markers(config)
    best: dict[tuple[str, str, str], Progression] = {}
    # behavior -> track -> (levels, competencies); equal sets are one object (`one_set`): most behaviors sit at
    # one or two levels of one competency, so the memo holds far fewer sets than two per behavior and track
    placed: dict[str, dict[str, tuple[frozenset[str], frozenset[str]]]] = {}
    one_set: dict[frozenset[str], frozenset[str]] = {}

    def where(bid: str) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        found = placed.get(bid)
        if found is None:  # once per behavior: a behavior written in many documents meets many pairs
            building: dict[str, tuple[set[str], set[str]]] = {}
            for o in by_id[bid].occurrences:
                levels, comps = building.setdefault(o.track, (set(), set()))
                levels.add(o.level)
                comps.add(o.competency_id)
            found = placed[bid] = {
                track: (
                    one_set.setdefault(frozenset(lv), frozenset(lv)),
                    one_set.setdefault(frozenset(cs), frozenset(cs)),
                )
                for track, (lv, cs) in building.items()
            }
        return found

    # per level set (one object per distinct set, `one_set`): its paths, its highest and lowest level with
    # their sort keys; computed once, where every pair of behaviors met them again
    spans: dict[frozenset[str], tuple[frozenset[str], str, tuple[int, int], str, tuple[int, int]]] = {}

    def span(levels: frozenset[str]) -> tuple[frozenset[str], str, tuple[int, int], str, tuple[int, int]]:
        found = spans.get(levels)
        if found is None:
            hi, lo = max(levels, key=level_sort_key), min(levels, key=level_sort_key)
            paths = frozenset(level_path(x) for x in levels)
            found = spans[levels] = (paths, hi, level_sort_key(hi), lo, level_sort_key(lo))
        return found

    for pair in kept_apart:
        if pair.rule in _NOT_A_PROGRESSION or not related(pair.alignment, markers):
            continue
        ia, ib = behavior_of_form.get(pair.a), behavior_of_form.get(pair.b)
        if ia is None or ib is None or ia == ib:
            continue
        a, b = by_id[ia], by_id[ib]
        wa, wb = where(ia), where(ib)
        tracks = sorted(wa.keys() & wb.keys())
        for track in tracks:
            paths_a, hi_a, hi_a_key, lo_a, lo_a_key = span(wa[track][0])
            paths_b, hi_b, hi_b_key, lo_b, lo_b_key = span(wb[track][0])
            if len(paths_a | paths_b) != 1:
                continue
            if hi_a_key < lo_b_key:
                low, high, lvl_from, lvl_to, removed, added = a, b, hi_a, lo_b, pair.removed, pair.added
            elif hi_b_key < lo_a_key:
                low, high, lvl_from, lvl_to, removed, added = b, a, hi_b, lo_a, pair.added, pair.removed
            else:
                continue
            shared = sorted(where(low.id)[track][1] & where(high.id)[track][1])
            if not shared:
                continue
            link = progression_of(
                track,
                shared[0],
                low.id,
                high.id,
                lvl_from,
                lvl_to,
                list(removed),
                list(added),
                pair.rule,
                float(pair.score),
            )
            key = (track, low.id, high.id)
            if key not in best or (link.score, link.rule) > (best[key].score, best[key].rule):
                best[key] = link
    return sorted(best.values(), key=lambda p: (p.track, level_sort_key(p.from_level), p.from_behavior, p.to_behavior))


@dataclass
class Strengthened:
    """A behavior at the lower level replaced by a stronger one at the higher level."""

    before: Behavior
    after: Behavior
    links: list[Progression]  # the chain of progression links, lower -> higher


@dataclass
class LevelChange:
    """What changes from one level of a track to another."""

    track: str
    from_level: str
    to_level: str
    new: list[Behavior] = field(default_factory=list)
    dropped: list[Behavior] = field(default_factory=list)
    strengthened: list[Strengthened] = field(default_factory=list)
    kept: list[Behavior] = field(default_factory=list)


def _resolve_track(ladder: Ladder, track: str) -> str:
    names = sorted({t.name for t in ladder.tracks})
    for t in ladder.tracks:
        if track == t.id or name_key(track) == name_key(t.name):
            return t.name
    raise InputError(f"unknown track {track!r}; valid tracks: {', '.join(names) or '(none)'}")


def _resolve_level(ladder: Ladder, track: str, level: str) -> str:
    roles = [r for r in ladder.roles if r.track == track]
    for r in roles:
        if level.strip().upper() == r.level or name_key(level) == name_key(r.title) or level == r.id:
            return r.level
    options = [f"{r.level} ({r.title})" for r in sorted(roles, key=lambda r: (level_sort_key(r.level), r.order))]
    raise InputError(f"unknown level {level!r} in track {track!r}; valid levels: {', '.join(options)}")


def progression_between(ladder: Ladder, track: str, from_level: str, to_level: str) -> LevelChange:
    """What is new, dropped and strengthened from `from_level` to `to_level` of `track`.

    Levels are canonical (`IC1`) or role titles; the track is its name or id. A behavior at the lower level
    whose progression links lead (through any number of links in the track) to a behavior at the higher
    level is strengthened, not dropped, and its successor is not new.
    """
    name = _resolve_track(ladder, track)
    lo, hi = _resolve_level(ladder, name, from_level), _resolve_level(ladder, name, to_level)
    return _TrackIndex.of(ladder, name).change(lo, hi)


def consecutive_changes(ladder: Ladder) -> list[LevelChange]:
    """`progression_between` for every pair of consecutive levels of every track, path by path.

    Levels are those where the track writes behaviors (a role marked N/A has none), in canonical order;
    IC and management levels are never paired. Tracks by name, then levels in order.
    """
    out: list[LevelChange] = []
    indexes = _TrackIndex.all(ladder)
    for name in sorted({t.name for t in ladder.tracks}):
        index = indexes.get(name) or _TrackIndex(name, {})
        for path in ("ic", "management"):
            levels = sorted((lv for lv in index.by_level if level_path(lv) == path), key=level_sort_key)
            out += [index.change(lo, hi) for lo, hi in zip(levels, levels[1:], strict=False)]
    return out


class _TrackIndex:
    """The behaviors of one track by level and its progression links, built once for many level pairs."""

    def __init__(self, track: str, by_id: dict[str, Behavior]) -> None:
        self.track = track
        self.by_level: dict[str, dict[str, Behavior]] = defaultdict(dict)
        self.nexts: dict[str, list[Progression]] = defaultdict(list)
        self.by_id = by_id

    @classmethod
    def of(cls, ladder: Ladder, track: str) -> _TrackIndex:
        """The index of one track."""
        return cls.all(ladder, track).get(track) or cls(track, {b.id: b for b in ladder.behaviors})

    @classmethod
    def all(cls, ladder: Ladder, only: str | None = None) -> dict[str, _TrackIndex]:
        """The index of every track writing behaviors (or of `only`), in one pass over the dataset."""
        by_id = {b.id: b for b in ladder.behaviors}
        indexes: dict[str, _TrackIndex] = {}
        for b in ladder.behaviors:
            for o in b.occurrences:
                if only is not None and o.track != only:
                    continue
                index = indexes.get(o.track)
                if index is None:
                    index = indexes[o.track] = cls(o.track, by_id)
                index.by_level[o.level][b.id] = b
        for p in ladder.progressions:
            index = indexes.get(p.track)
            if index is None and (only is None or p.track == only):
                index = indexes[p.track] = cls(p.track, by_id)
            if index is not None:
                index.nexts[p.from_behavior].append(p)
        return indexes

    def change(self, lo: str, hi: str) -> LevelChange:
        low, high = self.by_level.get(lo, {}), self.by_level.get(hi, {})
        nexts, by_id = self.nexts, self.by_id
        change = LevelChange(track=self.track, from_level=lo, to_level=hi)
        successors: set[str] = set()
        predecessors: set[str] = set()
        for bid in sorted(set(low) - set(high), key=lambda i: (low[i].text, i)):
            frontier: list[tuple[str, list[Progression]]] = [(bid, [])]
            seen = {bid}
            while frontier:
                cur, chain = frontier.pop(0)
                for p in sorted(nexts.get(cur, []), key=lambda p: p.to_behavior):
                    if p.to_behavior in seen:
                        continue
                    seen.add(p.to_behavior)
                    path = [*chain, p]
                    if p.to_behavior in high and p.to_behavior not in low:
                        change.strengthened.append(Strengthened(low[bid], by_id[p.to_behavior], path))
                        successors.add(p.to_behavior)
                        predecessors.add(bid)
                    else:
                        frontier.append((p.to_behavior, path))
        change.new = sorted((high[i] for i in set(high) - set(low) - successors), key=lambda b: (b.text, b.id))
        change.dropped = sorted((low[i] for i in set(low) - set(high) - predecessors), key=lambda b: (b.text, b.id))
        change.kept = sorted((low[i] for i in set(low) & set(high)), key=lambda b: (b.text, b.id))
        return change


def format_change(change: LevelChange) -> str:
    """Plain-text listing of a `LevelChange`, as `ladder progression` prints it."""
    lines = [f"{change.track}: {change.from_level} -> {change.to_level}", ""]
    lines.append(f"Strengthened ({len(change.strengthened)}):")
    for s in change.strengthened:
        words = "; ".join(
            f"{p.rule}: -{' '.join(p.removed_words) or '∅'} +{' '.join(p.added_words) or '∅'}" for p in s.links
        )
        lines += [f"  - {s.before.text}", f"    -> {s.after.text}", f"       ({words})"]
    lines.append(f"New ({len(change.new)}):")
    lines += [f"  + {b.text}" for b in change.new]
    lines.append(f"Dropped ({len(change.dropped)}):")
    lines += [f"  - {b.text}" for b in change.dropped]
    lines.append(f"Unchanged: {len(change.kept)}")
    return "\n".join(lines) + "\n"

"""Group behaviors: occurrences de-duplicated (`dedupe/`) into behaviors, reviewer merges and splits applied,
with the merge log, the near misses (pairs kept apart) and the progressions between levels.

A behavior's text is its most written occurrence text (ties: the shorter, then the alphabetically first); its
id is the hash of its cluster key, so it does not depend on run order.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from pipeline.build.decisions import DecisionLog, apply_keep_apart, apply_occurrence_decisions, occurrence_ref
from pipeline.build.dedupe import DedupeResult, PairOutcome, behavior_id, dedupe
from pipeline.build.progression import kept_apart_within_groups, progression_links
from pipeline.build.settings import DedupeSettings
from pipeline.models import (
    Behavior,
    MergeCluster,
    NearMiss,
    Occurrence,
    Progression,
    behavior_of,
    cluster_member_of,
    merge_cluster_of,
    near_miss_of,
)


@dataclass
class GroupedBehaviors:
    """Behaviors in cluster-key order, and the log of what grouping did, each in its published order."""

    behaviors: list[Behavior]
    clusters: list[MergeCluster]  # merges of at least two texts, largest first
    near_misses: list[NearMiss]  # best score first
    progressions: list[Progression]
    candidates_scored: int = 0  # candidate pairs de-duplication scored (`DedupeResult.candidates_scored`)


def representative(occurrences: list[Occurrence]) -> str:
    """The text written most often; ties: the shorter, then the alphabetically first."""
    return _most_written(Counter(o.text for o in occurrences))


def _most_written(counts: Counter[str]) -> str:
    """`representative` from the count of each text."""
    return min(counts, key=lambda t: (-counts[t], len(t), t))


def _merge_cluster(
    bid: str, text: str, occurrences: list[Occurrence], written: Counter[str], result: DedupeResult, decided: bool
) -> MergeCluster | None:
    """The merge-log entry of a behavior written in at least two ways (`written`: the count of each text of
    its `occurrences`); None for a behavior written one way."""
    if len(written) < 2:
        return None
    rep_form = result.forms[text].form
    forms = {result.forms[t].form for t in written}
    return merge_cluster_of(
        bid,
        text,
        [
            cluster_member_of(
                t,
                n,
                result.score(rep_form, result.forms[t].form),
                result.why(rep_form, result.forms[t].form),
            )
            for t, n in sorted(written.items(), key=lambda tn: (-tn[1], tn[0]))
        ],
        "decision" if decided else ("fuzzy" if len(forms) > 1 else "normalized"),
        sorted({o.track for o in occurrences}),
    )


def group_behaviors(occurrences: list[Occurrence], config: DedupeSettings, log: DecisionLog) -> GroupedBehaviors:
    """Behaviors of `occurrences` (as `atomized_occurrences` orders them); merge, split and keep-apart decisions
    applied, one outcome each in `log`."""
    result = dedupe([o.text for o in occurrences], config)
    by_ref = {  # only a split decision needs the occurrences
        occurrence_ref(o.source_file, o.source_ref, o.part): (result.forms[o.text].form, o.text)
        for o in (occurrences if log.decisions.of("split") else [])
    }
    clusters, decided, moved = apply_occurrence_decisions(result.clusters, log, by_ref)
    key_of_form = {f: key for key, members in clusters.items() for f in members}
    grouped: dict[str, list[Occurrence]] = defaultdict(list)
    for o in occurrences:
        form = result.forms[o.text].form
        if moved:  # an occurrence a split decision moved out is grouped under its own key
            form = moved.get(occurrence_ref(o.source_file, o.source_ref, o.part), form)
        grouped[key_of_form[form]].append(o)
    behaviors: list[Behavior] = []
    merge_log: list[MergeCluster] = []
    id_of_key: dict[str, str] = {}
    for key in sorted(grouped):
        occ = grouped[key]
        bid = id_of_key[key] = behavior_id(key)
        written = Counter(o.text for o in occ)
        text = _most_written(written)
        behaviors.append(behavior_of(bid, text, sorted({o.competency_id for o in occ}), occ))
        merged = _merge_cluster(bid, text, occ, written, result, key in decided)
        if merged is not None:
            merge_log.append(merged)
    # the merge log has used the scores and explanations of the merged pairs: let them go before the pairs
    # inside each group are guarded (the build's peak)
    result.scores.clear()
    result.merged_why.clear()
    # a key a split decision emptied of occurrences has no behavior, but its forms keep their key's id
    behavior_of_form = {f: id_of_key.get(key) or behavior_id(key) for f, key in key_of_form.items()}
    del id_of_key
    by_id = {b.id: b for b in behaviors}
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for o in occurrences:
        groups[(o.track, o.competency_id)].append(o.text)
    kept_apart = result.kept_apart + kept_apart_within_groups(
        [groups[k] for k in sorted(groups)], result, key_of_form, config
    )
    # de-duplication's result (the guards with their memos, every form's analysis, the scores) is not needed
    # past this point: let it go before the near misses and progressions are built
    candidates_scored = result.candidates_scored
    del result, groups, key_of_form, by_ref
    best: dict[tuple[str, str], PairOutcome] = {}  # the best-scoring pair (the first of equals) per behavior pair
    for pair in kept_apart:
        ia, ib = behavior_of_form[pair.a], behavior_of_form[pair.b]
        if ia == ib:
            continue
        ids = (ia, ib) if ia < ib else (ib, ia)
        if ids not in best or pair.score > best[ids].score:
            best[ids] = pair
    near: list[NearMiss] = []
    tracks_of: dict[str, frozenset[str]] = {}  # behavior id -> its tracks, once per behavior

    def tracks(bid: str) -> frozenset[str]:
        found = tracks_of.get(bid)
        if found is None:
            found = tracks_of[bid] = frozenset(o.track for o in by_id[bid].occurrences)
        return found

    for (ia, ib), pair in best.items():
        near.append(
            near_miss_of(
                ia,
                ib,
                by_id[ia].text,
                by_id[ib].text,
                pair.score,
                pair.rule,
                sorted(tracks(ia) | tracks(ib)),
                pair.explain(flip=behavior_of_form[pair.a] != ia),
                pair.likelihood,
            )
        )
    del best
    return GroupedBehaviors(
        behaviors=behaviors,
        clusters=sorted(merge_log, key=lambda c: (-len(c.members), c.representative)),
        near_misses=sorted(apply_keep_apart(near, set(by_id), log), key=lambda n: (-n.score, n.a_id, n.b_id)),
        progressions=progression_links(behaviors, kept_apart, behavior_of_form, config),
        candidates_scored=candidates_scored,
    )

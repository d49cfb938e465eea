"""De-duplicate behavior statements: block, score, guard, cluster — with no chaining.

Works on *distinct normalized forms*, never on occurrences: a million occurrences repeat far fewer forms,
and every step below is a function of the set of forms only, so the result does not depend on input order
or on the number of workers.

1. normalize each distinct text once (`normalize_text.TextNormalizer`);
2. candidate pairs by content-word keys (`content_key_pairs`): every form is indexed under its set of
   content words and that set less one word, so forms that differ by at most what the guards let merge
   meet under one key; prefix filtering on rare words (`candidate_blocks`) and exhaustive comparison stay
   available for measurement (`scored_candidates`, `ladder bench`); a key shared by more than `BUCKET_MAX`
   forms is paired by sort-and-window (`bucket_pairs`), and each form keeps its best
   `NEAR_MISSES_PER_FORM` pairs that can only be near misses (`best_near_misses`), so the work per form is
   bounded whatever the text;
3. score candidates with rapidfuzz (`process.cpdist` on the candidate pairs);
4. guards keep apart pairs that differ in what they demand (numbers, quantity, negation, proficiency,
   object, scope, added detail), however similar the strings; they run in bulk (`Guards.check_pairs`): the
   rules on one value per form are decided for all pairs with numpy, and a pair is aligned only when its
   rule needs it, it passes, or it will be reported; pairs stay numpy arrays (i, j, score) and go through
   the guards in chunks of `GUARD_CHUNK`, keeping only the alignments a report needs;
5. complete-linkage clustering: a form joins a cluster only if it matches *every* member, so A~B, B~C,
   A!~C never puts A and C together. Edges are taken best score first, ties by the forms' text.

A cluster's key is its lexicographically smallest form; the behavior id is a hash of that key, so adding
documents that share no statement with a cluster never changes its id.

Modules: `guards` (the rules), `candidates` (which pairs are scored), `cluster` (complete linkage),
`evaluate` (labeled pairs, `ladder eval-dedupe`); this module runs them (`dedupe`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from pipeline.build.dedupe.candidates import (
    CANDIDATE_METHODS,
    ScoredPair,
    blocked_pairs,
    candidate_blocks,
    content_key_pairs,
    content_key_sets,
    exhaustive_pairs,
    score_index_arrays,
    scored_candidate_arrays,
    scored_candidates,
    triangle_codes,
    unique_chunks,
    word_skeleton,
)
from pipeline.build.dedupe.cluster import complete_linkage
from pipeline.build.dedupe.evaluate import (
    LabeledPair,
    PairEvaluation,
    evaluate_pairs,
    format_evaluation,
    read_labeled_pairs,
)
from pipeline.build.dedupe.guards import FormFacts, GuardHit, Guards, explain_rule
from pipeline.build.dedupe.matcher import Alignment, Matcher
from pipeline.build.normalize_text import Normalized, TextNormalizer
from pipeline.build.settings import DedupeSettings
from pipeline.heap import collection_paused
from pipeline.ids import stable_id

__all__ = [
    "CANDIDATE_METHODS",
    "DedupeResult",
    "Alignment",
    "GuardHit",
    "Guards",
    "Matcher",
    "LabeledPair",
    "PairEvaluation",
    "PairOutcome",
    "ScoredPair",
    "behavior_id",
    "blocked_pairs",
    "candidate_blocks",
    "complete_linkage",
    "content_key_pairs",
    "content_key_sets",
    "dedupe",
    "evaluate_pairs",
    "exhaustive_pairs",
    "format_evaluation",
    "guard_rule",
    "read_labeled_pairs",
    "same_behavior",
    "scored_candidates",
    "word_skeleton",
]


def behavior_id(key: str) -> str:
    """`behavior_id("keep board up to date")` -> `"beh_…"`: hash of a cluster's smallest normalized form."""
    return stable_id("beh", key=key)


@dataclass(frozen=True, slots=True)
class PairOutcome:
    """A scored pair that did not end in the same cluster, and why."""

    a: str
    b: str
    score: float
    rule: str  # a guard's name, `below_threshold`, or `no_chaining`
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    alignment: Alignment | None = None  # how the words of a and b align, for the explanation
    note: str = ""  # why a pair the guards let pass stayed apart (`below_threshold`, `no_chaining`)

    def explain(self, flip: bool = False) -> str:
        """`"kept apart: scope modifier 'small' only in B (aligned: …; left over: small (B))"`; `flip` tells it
        with B first."""
        if self.note:
            return self.note + (f" ({self.alignment.describe(flip)})" if self.alignment is not None else "")
        return explain_rule(self.rule, self.removed, self.added, self.alignment, flip)

    @property
    def likelihood(self) -> float:
        """How likely the two are the same after all, 0..1, for ranking near misses: the score times the
        rule's weight (`LIKELIHOOD_WEIGHT`: a number or a negation is rarely a slip, a pair the guards let pass
        often is), divided by one more than the number of words left over."""
        weight = LIKELIHOOD_WEIGHT.get(self.rule, 0.5)
        return round(self.score / 100 * weight / (1 + len(self.removed) + len(self.added)), 4)


LIKELIHOOD_WEIGHT = {
    "no_chaining": 1.0,
    "below_threshold": 0.9,
    "added_detail": 0.6,
    "modifier": 0.5,
    "added_item": 0.5,
    "added_verb": 0.5,
    "object": 0.4,
    "scope": 0.4,
    "proficiency": 0.3,
    "quantity": 0.3,
    "numbers": 0.2,
    "negation": 0.1,
}


@dataclass
class DedupeResult:
    """Clusters of normalized forms, and the near misses between them."""

    forms: dict[str, Normalized]  # text as written -> its normalized form
    clusters: dict[str, list[str]]  # key (smallest form) -> sorted member forms
    scores: dict[tuple[str, str], float]  # every scored pair (a < b) at or above the near-miss threshold
    kept_apart: list[PairOutcome] = field(default_factory=list)
    candidates_scored: int = 0  # candidate pairs the scorer was run on (what blocking saved is the rest)
    merged_why: dict[tuple[str, str], str] = field(default_factory=dict)  # merged pair (a < b) -> explanation
    # What `dedupe` computed that the progressions step needs again (`kept_apart_within_groups`): the guards,
    # whose memos (core words, spelling variants, markers) are functions of a form or word only, the distinct
    # forms' `Normalized` in form order, and their `Guards.facts`.
    guards: Guards | None = field(default=None, repr=False, compare=False)
    normalized: list[Normalized] = field(default_factory=list, repr=False, compare=False)
    facts: FormFacts | None = field(default=None, repr=False, compare=False)

    def why(self, a: str, b: str) -> str:
        """Why two forms of one cluster merged: `"merged: aligned: nonengineer~nonengineering; …"`."""
        if a == b:
            return "merged: same normalized form"
        return self.merged_why.get((a, b) if a < b else (b, a), "")

    @cached_property
    def key_of_form(self) -> dict[str, str]:
        return {f: key for key, members in self.clusters.items() for f in members}

    def key_of(self, text: str) -> str:
        """Cluster key of a text as written."""
        return self.key_of_form[self.forms[text].form]

    def score(self, a: str, b: str) -> float:
        """Score of two forms (100 for a form with itself; 0 when never scored)."""
        if a == b:
            return 100.0
        return self.scores.get((a, b) if a < b else (b, a), 0.0)


def dedupe(texts: Iterable[str], config: DedupeSettings, candidates: str = "content_keys") -> DedupeResult:
    """Cluster statements that say the same thing.

    `dedupe(["CSM will invest time in their plan", "Invests time in their plan", "Invests time in 2 plans"])`
    -> two clusters: the first two texts (same form) and the third (numbers differ). Runs with the cyclic
    garbage collector paused (`collection_paused`): it makes no reference cycles.
    """
    with collection_paused():
        return _dedupe(texts, config, candidates)


def _dedupe(texts: Iterable[str], config: DedupeSettings, candidates: str) -> DedupeResult:
    normalizer = TextNormalizer(config)
    guards = Guards(config)
    analyzed: dict[str, Normalized] = {}
    by_form: dict[str, Normalized] = {}
    for t in sorted(set(texts)):
        a = normalizer.analyze(t)
        first = by_form.setdefault(a.form, a)
        analyzed[t] = first if first == a else a  # texts of one analysis share one object (and its strings)
    forms = sorted(by_form)
    n = max(len(forms), 1)
    (si, sj, ss), n_candidates = scored_candidate_arrays(forms, config, config.near_miss_threshold, candidates)
    keep = best_near_miss_mask(si, sj, ss, config.merge_threshold)
    si, sj, ss = si[keep], sj[keep], ss[keep]
    del keep
    ri, rj, rs = reworded_arrays(forms, guards, si * n + sj)
    n_candidates += len(ri)
    # Every pair, scored or reworded (the two are disjoint), as arrays in (i, j) order: `report` marks the
    # scored ones (a guarded one is reported with its rule even below the merge threshold).
    order = np.lexsort((np.concatenate([sj, rj]), np.concatenate([si, ri])))
    ii, jj = np.concatenate([si, ri])[order], np.concatenate([sj, rj])[order]
    score = np.concatenate([ss, rs])[order].tolist()
    report = (order < len(si)).tolist()
    del si, sj, ss, ri, rj, rs, order
    normalized = [by_form[f] for f in forms]
    facts = guards.facts(normalized)
    # Per pair: its rule (None: it may merge) and the alignment a report needs — a guarded scored pair's, or
    # a passing pair's that is no edge (never in one cluster). An edge keeps only its explanation; the few
    # edges that end in different clusters are aligned again below (`Matcher.align` is a function of the two
    # forms). The guards run in chunks, so the alignments of the other pairs are let go chunk by chunk.
    rule_at: list[str | None] = []
    aligned_at: list[Alignment | None] = []
    edges: dict[tuple[int, int], float] = {}
    why: dict[tuple[int, int], str] = {}
    for start in range(0, len(ii), GUARD_CHUNK):
        ci, cj = ii[start : start + GUARD_CHUNK], jj[start : start + GUARD_CHUNK]
        want = report[start : start + GUARD_CHUNK]
        rules, alignments = guards.check_pairs(normalized, ci, cj, np.asarray(want, dtype=bool), facts)
        for p, (i, j, rule, al, w) in enumerate(zip(ci.tolist(), cj.tolist(), rules, alignments, want, strict=True)):
            rule_at.append(rule)
            if rule is not None:
                aligned_at.append(al if w else None)
                continue
            assert al is not None  # a pair that passes the guards is always aligned
            s = score[start + p]
            if s >= config.merge_threshold or not al.fuzzy:  # every word aligned without fuzzy spelling: any score
                edges[(i, j)] = s
                why[(i, j)] = f"merged: {al.describe()}"
                aligned_at.append(None)
            else:
                aligned_at.append(al if w else None)
        del rules, alignments
    groups, _ = complete_linkage(len(forms), edges)
    clusters = {forms[g[0]]: [forms[x] for x in g] for g in groups}
    label = {x: g[0] for g in groups for x in g}
    kept: list[PairOutcome] = []
    for p, (i, j) in enumerate(zip(ii.tolist(), jj.tolist(), strict=True)):
        if label[i] == label[j] or not (report[p] or (i, j) in edges):
            continue
        s, rule = score[p], rule_at[p]
        if rule is not None:
            al = aligned_at[p]
            assert al is not None  # a guarded pair reported was aligned
            kept.append(PairOutcome(forms[i], forms[j], s, rule, al.removed, al.added, al))
            continue
        if (i, j) in edges:
            al = guards.matcher.align(normalized[i], normalized[j])
            rule, text = "no_chaining", "kept apart: would merge, but not with every member of the other's cluster"
        else:
            al = aligned_at[p]
            assert al is not None  # a passing pair that is no edge keeps its alignment
            rule, text = "below_threshold", f"kept apart: score {s:g} below {config.merge_threshold:g}"
        kept.append(PairOutcome(forms[i], forms[j], s, rule, al.removed, al.added, al, text))
    del rule_at, aligned_at, edges  # every alignment not reported is garbage from here on
    merged_why = {(forms[i], forms[j]): text for (i, j), text in why.items() if label[i] == label[j]}
    del why, label
    scores = {(forms[i], forms[j]): s for i, j, s in zip(ii.tolist(), jj.tolist(), score, strict=True)}
    del ii, jj, score, report
    return DedupeResult(
        forms=analyzed,
        clusters=clusters,
        scores=scores,
        kept_apart=kept,
        candidates_scored=n_candidates,
        merged_why=merged_why,
        guards=guards,
        normalized=normalized,
        facts=facts,
    )


GUARD_CHUNK = 50_000  # pairs through the guards at once: their alignments are let go chunk by chunk
NEAR_MISSES_PER_FORM = 8  # pairs scoring below the merge threshold kept per form (its best), for the guards


def best_near_misses(
    scored: dict[tuple[int, int], float], merge_threshold: float, per_form: int = NEAR_MISSES_PER_FORM
) -> dict[tuple[int, int], float]:
    """`scored` without the near-miss-only pairs (score below `merge_threshold`) that are not among the
    `per_form` best of either of their forms (by score, ties by the other form's index).

    Pairs that may merge are all kept; the rest can only ever be reported as near misses, and a form of a
    near-duplicate template has hundreds of them (10^4 near-duplicates: 440,000 pairs through the guards,
    most of the run), so each form keeps its best few: the guards see at most `2 * per_form` such pairs per
    form. `best_near_misses({(0, 1): 80, (0, 2): 79, (1, 2): 78}, 88, 1)` -> `{(0, 1): 80, (0, 2): 79}`.
    """
    pairs = list(scored)
    ii = np.asarray([p[0] for p in pairs], dtype=np.int64)
    jj = np.asarray([p[1] for p in pairs], dtype=np.int64)
    keep = best_near_miss_mask(ii, jj, np.asarray(list(scored.values()), dtype=np.float64), merge_threshold, per_form)
    return {p: scored[p] for p, k in zip(pairs, keep.tolist(), strict=True) if k}


def best_near_miss_mask(
    ii: np.ndarray, jj: np.ndarray, ss: np.ndarray, merge_threshold: float, per_form: int = NEAR_MISSES_PER_FORM
) -> np.ndarray:
    """`best_near_misses` on arrays: which of the pairs `(ii[p], jj[p])` scoring `ss[p]` are kept."""
    keep = ss >= merge_threshold
    near = np.flatnonzero(~keep)
    if not len(near):
        return keep
    ii, jj, ss = ii[near], jj[near], ss[near]
    pair = np.arange(len(near))
    own, other = np.concatenate([ii, jj]), np.concatenate([jj, ii])  # each pair seen from both its forms
    order = np.lexsort((other, -np.concatenate([ss, ss]), own))  # by form, best score first, ties by the other
    grouped = own[order]
    starts = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
    keep[near[np.concatenate([pair, pair])[order[rank < per_form]]]] = True
    return keep


def reworded_pairs(
    forms: list[str], guards: Guards, scored: dict[tuple[int, int], float]
) -> dict[tuple[int, int], float]:
    """Pairs (i < j) of forms with one `Matcher.core_key` (the same canonical content words once framing and
    manner words are set aside), or that key less one word (keys of three words or more), that `scored`
    lacks, with their scores at any value: rewordings score low, so the similarity cutoff of the candidate
    generation would drop them.

    `["clearly explain design to nonengineer", "show commitment to quality by review design", "review design"]`
    -> the last two (key `("design", "review")`). Groups larger than `reword_group_max` are skipped.
    """
    n = max(len(forms), 1)
    known = np.fromiter((i * n + j for i, j in scored), dtype=np.int64, count=len(scored))
    ri, rj, rs = reworded_arrays(forms, guards, known)
    return dict(zip(zip(ri.tolist(), rj.tolist(), strict=True), rs.tolist(), strict=True))


def reworded_arrays(forms: list[str], guards: Guards, known: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`reworded_pairs` as arrays (i, j, score) in (i, j) order; `known`: codes `i * len(forms) + j` of the
    pairs already scored."""
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, form in enumerate(forms):
        key = guards.matcher.core_key(form)
        if key:
            groups[key].append(i)
            if len(key) > 2:  # one word less: a head noun or a word the guards will name
                for x in range(len(key)):
                    groups[key[:x] + key[x + 1 :]].append(i)
    cap = guards.config.reword_group_max
    n = max(len(forms), 1)
    # A form joins a group at most once (its key and the keys one word shorter are distinct), in form order:
    # each group's ids are distinct and increasing. Groups of one size are paired all at once.
    by_size: dict[int, list[list[int]]] = defaultdict(list)
    for ids in groups.values():
        if 2 <= len(ids) <= cap:
            by_size[len(ids)].append(ids)
    del groups
    chunks: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    for rows in by_size.values():
        chunks += triangle_codes(np.asarray(rows, dtype=np.int64), n)
    codes = unique_chunks(chunks)
    if len(codes) and len(known):
        codes = codes[~np.isin(codes, known)]
    return score_index_arrays(forms, guards.config, 0.0, codes // n, codes % n)


def guard_rule(a: str, b: str, config: DedupeSettings) -> str | None:
    """Name of the guard that keeps two texts apart, or None: `("Finds X", "Begins to find X")` -> `"proficiency"`."""
    normalizer = TextNormalizer(config)
    hit = Guards(config).check(normalizer.analyze(a), normalizer.analyze(b))
    return hit.rule if hit else None


def same_behavior(a: str, b: str, config: DedupeSettings) -> bool:
    """Would `dedupe` put these two texts in one behavior if they were the only two?"""
    result = dedupe([a, b], config)
    return result.key_of(a) == result.key_of(b)

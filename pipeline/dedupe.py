"""De-duplicate behavior statements: block, score, guard, cluster — with no chaining.

Works on *distinct normalized forms*, never on occurrences: a million occurrences repeat far fewer forms,
and every step below is a function of the set of forms only, so the result does not depend on input order
or on the number of workers.

1. normalize each distinct text once (`normalize_text.TextNormalizer`);
2. candidate pairs by prefix filtering: every form is indexed under its rarest words (a share of them);
   two forms that share enough words share an indexed word, whatever the order of words chosen;
3. score candidates with rapidfuzz (`process.cdist` on large blocks, `process.cpdist` on the rest);
4. guards keep apart pairs that differ in what they demand (numbers, quantity, negation, proficiency,
   object, scope, added detail), however similar the strings;
5. complete-linkage clustering: a form joins a cluster only if it matches *every* member, so A~B, B~C,
   A!~C never puts A and C together. Edges are taken best score first, ties by the forms' text.

A cluster's key is its lexicographically smallest form; the behavior id is a hash of that key, so adding
documents that share no statement with a cluster never changes its id.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from .config import NormalizeConfig
from .errors import InputError
from .ids import stable_id
from .normalize_text import Normalized, TextNormalizer

_SMALL_BLOCK = 64  # below this many forms a block's pairs are listed and scored with cpdist in one batch


def behavior_id(key: str) -> str:
    """`behavior_id("keep board up to date")` -> `"beh_…"`: hash of a cluster's smallest normalized form."""
    return stable_id("beh", key=key)


@dataclass(frozen=True)
class GuardHit:
    """Why two similar statements were kept apart, and the words that differ."""

    rule: str
    removed: tuple[str, ...]  # content words only in the first statement
    added: tuple[str, ...]  # content words only in the second


@dataclass(frozen=True)
class ScoredPair:
    """Two distinct forms (a < b as strings) and their similarity, 0..100."""

    a: str
    b: str
    score: float


@dataclass(frozen=True)
class PairOutcome:
    """A scored pair that did not end in the same cluster, and why."""

    a: str
    b: str
    score: float
    rule: str  # a guard's name, `below_threshold`, or `no_chaining`
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()


@dataclass
class DedupeResult:
    """Clusters of normalized forms, and the near misses between them."""

    forms: dict[str, Normalized]  # text as written -> its normalized form
    clusters: dict[str, list[str]]  # key (smallest form) -> sorted member forms
    scores: dict[tuple[str, str], float]  # every scored pair (a < b) at or above the near-miss threshold
    kept_apart: list[PairOutcome] = field(default_factory=list)

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


class Guards:
    """The rules that keep similar statements apart; ordered, first match wins."""

    def __init__(self, config: NormalizeConfig) -> None:
        self.config = config
        self.function = frozenset(config.function_words)
        self.quantity = frozenset(config.quantity_words)
        self.negation = frozenset(config.negation_words)
        self.scope = frozenset(config.scope_words)
        self.proficiency = [tuple(p.split()) for p in config.proficiency_words]
        self.synonym = {w: group[0] for group in config.synonyms for w in group}

    # helpers ------------------------------------------------------------------------------------------

    def _markers(self, tokens: tuple[str, ...]) -> frozenset[str]:
        found = set()
        for phrase in self.proficiency:
            n = len(phrase)
            if any(tokens[i : i + n] == phrase for i in range(len(tokens) - n + 1)):
                found.add(" ".join(phrase))
        return frozenset(found)

    def _variants(self, x: str, y: str) -> bool:
        """`analyze` ~ `analyse`, `accurate` ~ `accuracy`: one word spelled or derived differently."""
        if self.synonym.get(x, x) == self.synonym.get(y, y):
            return True
        prefix = 0
        for cx, cy in zip(x, y):
            if cx != cy:
                break
            prefix += 1
        if prefix >= max(5, 0.75 * min(len(x), len(y))):
            return True
        return fuzz.ratio(x, y) >= self.config.variant_ratio

    def diff(self, a: Normalized, b: Normalized) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Content words only in `a`, only in `b`; spelling variants and synonyms cancel out.

        `"focus on development of team member"`, `"focus on development of team leader"` ->
        `(("member",), ("leader",))`.
        """
        ca = Counter(t for t in a.tokens if t not in self.function)
        cb = Counter(t for t in b.tokens if t not in self.function)
        removed = sorted((ca - cb).elements())
        added = sorted((cb - ca).elements())
        for x in list(removed):
            match = next((y for y in added if self._variants(x, y)), None)
            if match is not None:
                removed.remove(x)
                added.remove(match)
        return tuple(removed), tuple(added)

    # the rules ----------------------------------------------------------------------------------------

    def numbers(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"forecast 3 months in advance"` vs `"forecast 6 months in advance"` -> `numbers`."""
        return a.numbers != b.numbers

    def quantity(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"maintain about 3 relationships"` vs `"maintain many relationships"` -> `quantity`."""
        return bool(self.quantity & set(removed + added))

    def negation(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"escalate risks"` vs `"do not escalate risks"` -> `negation`."""
        return (self.negation & set(a.tokens)) != (self.negation & set(b.tokens))

    def proficiency_(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"begin to find opportunity"` vs `"find opportunity"`; `"basic datum"` vs `"advanced datum"` -> `proficiency`."""
        return self._markers(a.tokens) != self._markers(b.tokens)

    def object_(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"development of team member"` vs `"development of team leader"` -> `object` (a word replaced)."""
        return bool(removed) and bool(added)

    def scope_(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"share learnings"` vs `"share learnings with team"` -> `scope`."""
        return bool(self.scope & set(removed + added))

    def added_detail(self, a: Normalized, b: Normalized, removed: tuple[str, ...], added: tuple[str, ...]) -> bool:
        """`"put customer in center"` vs `"put customer in center with external stakeholder"` -> `added_detail`
        (more than `max_added_words` content words added)."""
        return max(len(removed), len(added)) > self.config.max_added_words

    RULES = (
        ("numbers", numbers),
        ("quantity", quantity),
        ("negation", negation),
        ("proficiency", proficiency_),
        ("object", object_),
        ("scope", scope_),
        ("added_detail", added_detail),
    )

    def check(self, a: Normalized, b: Normalized) -> GuardHit | None:
        """The first rule that keeps `a` and `b` apart, or None when they may merge."""
        removed, added = self.diff(a, b)
        for name, rule in self.RULES:
            if rule(self, a, b, removed, added):
                return GuardHit(name, removed, added)
        return None


# ------------------------------------------------------------------------------------------ scoring


def _scorer(config: NormalizeConfig):
    """token_sort_ratio on forms whose words are pre-sorted is plain `ratio`: sort once per form, not per pair."""
    if config.scorer == "token_sort_ratio":
        return fuzz.ratio, True
    return getattr(fuzz, config.scorer), False


def _scoring_strings(forms: list[str], config: NormalizeConfig) -> list[str]:
    _, presort = _scorer(config)
    return [" ".join(sorted(f.split())) for f in forms] if presort else list(forms)


def exhaustive_pairs(texts: Iterable[str], config: NormalizeConfig, cutoff: float | None = None) -> list[ScoredPair]:
    """Every pair of distinct normalized forms scoring >= `cutoff` (default: merge threshold), by brute force
    (`process.cdist` on everything): the baseline the blocked candidate generation is measured against."""
    normalizer = TextNormalizer(config)
    forms = sorted({normalizer.normalize(t) for t in texts})
    cutoff = config.merge_threshold if cutoff is None else cutoff
    scorer, _ = _scorer(config)
    strings = _scoring_strings(forms, config)
    out: list[ScoredPair] = []
    step = 2000  # rows per cdist call bounds memory at step * len(forms) bytes
    for start in range(0, len(forms), step):
        m = process.cdist(
            strings[start : start + step], strings, scorer=scorer, score_cutoff=cutoff, dtype=np.float32,
            workers=config.workers,
        )
        rows, cols = np.nonzero(m)
        for r, c in zip(rows.tolist(), cols.tolist()):
            i = start + r
            if i < c:
                out.append(ScoredPair(forms[i], forms[c], round(float(m[r, c]), 2)))
    return out


def candidate_blocks(forms: list[str], config: NormalizeConfig) -> list[list[int]]:
    """Blocks of form indices that share a rare word (prefix filtering).

    Each form is indexed under its `len - ceil(share * len) + 1` rarest words (rarity over all forms, ties by
    the word): two forms sharing at least `share` of their words share one of those. Blocks larger than
    `block_max_size` are dropped.
    """
    token_sets = [sorted(set(f.split())) for f in forms]
    df = Counter(t for ts in token_sets for t in ts)
    index: dict[str, list[int]] = defaultdict(list)
    share = config.block_prefix_share
    for i, ts in enumerate(token_sets):
        ranked = sorted(ts, key=lambda t: (df[t], t))
        n = len(ranked)
        p = max(1, n - int(np.ceil(share * n)) + 1)
        for t in ranked[:p]:
            index[t].append(i)
    return [ids for _, ids in sorted(index.items()) if 2 <= len(ids) <= config.block_max_size]


def blocked_pairs(forms: list[str], config: NormalizeConfig, cutoff: float) -> dict[tuple[int, int], float]:
    """Scores (>= cutoff) of candidate pairs (i < j) of `forms`, from `candidate_blocks`."""
    scorer, _ = _scorer(config)
    strings = _scoring_strings(forms, config)
    scores: dict[tuple[int, int], float] = {}
    small_i: list[np.ndarray] = []
    small_j: list[np.ndarray] = []
    for ids in candidate_blocks(forms, config):
        arr = np.asarray(ids, dtype=np.int64)
        if len(ids) < _SMALL_BLOCK:
            ii, jj = np.triu_indices(len(ids), k=1)
            small_i.append(arr[ii])
            small_j.append(arr[jj])
            continue
        block = [strings[i] for i in ids]
        m = process.cdist(block, block, scorer=scorer, score_cutoff=cutoff, dtype=np.float32, workers=config.workers)
        rows, cols = np.nonzero(np.triu(m, k=1))
        for r, c in zip(rows.tolist(), cols.tolist()):
            scores[(ids[r], ids[c])] = round(float(m[r, c]), 2)
    if small_i:
        ii = np.concatenate(small_i)
        jj = np.concatenate(small_j)
        code = np.unique(ii * len(forms) + jj)  # one score per pair, however many blocks share it
        ii, jj = code // len(forms), code % len(forms)
        sc = process.cpdist(
            [strings[i] for i in ii.tolist()], [strings[j] for j in jj.tolist()], scorer=scorer,
            score_cutoff=cutoff, dtype=np.float32, workers=config.workers,
        )
        for i, j, s in zip(ii.tolist(), jj.tolist(), sc.tolist()):
            if s >= cutoff and s > 0:
                scores[(i, j)] = round(float(s), 2)
    return scores


# -------------------------------------------------------------------------------------- clustering


def complete_linkage(n: int, edges: dict[tuple[int, int], float]) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """Clusters of 0..n-1 in which every two members share an edge; also the edges refused for that reason.

    Edges are taken best score first, ties by (i, j); two clusters join only if every cross pair is an edge.
    `complete_linkage(3, {(0, 1): 90, (1, 2): 95})` -> `([[0], [1, 2]], [(0, 1)])`: 1 and 2 join first, and 0
    cannot join them because (0, 2) is no edge.
    """
    label = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    refused: list[tuple[int, int]] = []
    for (i, j), _ in sorted(edges.items(), key=lambda kv: (-kv[1], kv[0])):
        ci, cj = label[i], label[j]
        if ci == cj:
            continue
        mi, mj = members[ci], members[cj]
        if all(((x, y) if x < y else (y, x)) in edges for x in mi for y in mj):
            keep, drop = (ci, cj) if ci < cj else (cj, ci)
            members[keep] = sorted(members[keep] + members.pop(drop))
            for x in members[keep]:
                label[x] = keep
        else:
            refused.append((i, j))
    return [members[k] for k in sorted(members)], refused


def dedupe(texts: Iterable[str], config: NormalizeConfig) -> DedupeResult:
    """Cluster statements that say the same thing.

    `dedupe(["CSM will invest time in their plan", "Invests time in their plan", "Invests time in 2 plans"])`
    -> two clusters: the first two texts (same form) and the third (numbers differ).
    """
    normalizer = TextNormalizer(config)
    guards = Guards(config)
    analyzed = {t: normalizer.analyze(t) for t in sorted(set(texts))}
    by_form: dict[str, Normalized] = {}
    for a in analyzed.values():
        by_form.setdefault(a.form, a)
    forms = sorted(by_form)
    scored = blocked_pairs(forms, config, config.near_miss_threshold)
    edges: dict[tuple[int, int], float] = {}
    guarded: dict[tuple[int, int], GuardHit] = {}
    for (i, j), s in scored.items():
        hit = guards.check(by_form[forms[i]], by_form[forms[j]])
        if hit is not None:
            guarded[(i, j)] = hit  # reported with its rule even below the merge threshold
        elif s >= config.merge_threshold:
            edges[(i, j)] = s
    groups, _ = complete_linkage(len(forms), edges)
    clusters = {forms[g[0]]: [forms[x] for x in g] for g in groups}
    label = {x: g[0] for g in groups for x in g}
    kept: list[PairOutcome] = []
    for (i, j), s in sorted(scored.items()):
        if label[i] == label[j]:
            continue
        if (i, j) in guarded:
            hit = guarded[(i, j)]
            kept.append(PairOutcome(forms[i], forms[j], s, hit.rule, hit.removed, hit.added))
        else:
            removed, added = guards.diff(by_form[forms[i]], by_form[forms[j]])
            rule = "no_chaining" if (i, j) in edges else "below_threshold"
            kept.append(PairOutcome(forms[i], forms[j], s, rule, removed, added))
    return DedupeResult(
        forms=analyzed,
        clusters=clusters,
        scores={(forms[i], forms[j]): s for (i, j), s in scored.items()},
        kept_apart=kept,
    )


def guard_rule(a: str, b: str, config: NormalizeConfig) -> str | None:
    """Name of the guard that keeps two texts apart, or None: `("Finds X", "Begins to find X")` -> `"proficiency"`."""
    normalizer = TextNormalizer(config)
    hit = Guards(config).check(normalizer.analyze(a), normalizer.analyze(b))
    return hit.rule if hit else None


def same_behavior(a: str, b: str, config: NormalizeConfig) -> bool:
    """Would `dedupe` put these two texts in one behavior if they were the only two?"""
    result = dedupe([a, b], config)
    return result.key_of(a) == result.key_of(b)



# ------------------------------------------------------------------------------------------ quality


@dataclass(frozen=True)
class LabeledPair:
    a: str
    b: str
    label: str  # same | different
    note: str = ""


@dataclass
class PairEvaluation:
    """How the merge decisions agree with a labeled set of pairs."""

    total: int
    same: int
    different: int
    true_merges: int  # same-pairs merged
    false_merges: int  # different-pairs merged
    missed: list[LabeledPair]  # same-pairs kept apart
    wrongly_merged: list[LabeledPair]  # different-pairs merged

    @property
    def recall(self) -> float:
        """Share of same-pairs merged."""
        return self.true_merges / self.same if self.same else 1.0

    @property
    def precision(self) -> float:
        """Share of merges that are same-pairs."""
        merged = self.true_merges + self.false_merges
        return self.true_merges / merged if merged else 1.0

    @property
    def false_merge_rate(self) -> float:
        """Share of different-pairs merged."""
        return self.false_merges / self.different if self.different else 0.0


_LABELS = ("same", "different")


def read_labeled_pairs(path: str | Path) -> list[LabeledPair]:
    """Read a CSV with columns `a, b, label, note` (label: same | different)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"labeled pairs file not found: {p} (expected a CSV with columns a, b, label, note)")
    with p.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("a", "b", "label") if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{p}: missing column(s) {', '.join(missing)}; expected columns a, b, label, note")
        pairs = []
        for line, row in enumerate(reader, start=2):
            label = (row["label"] or "").strip().casefold()
            if label not in _LABELS:
                raise InputError(f"{p}:{line}: label {row['label']!r} is not one of {', '.join(_LABELS)}")
            pairs.append(LabeledPair(row["a"], row["b"], label, (row.get("note") or "").strip()))
    if not pairs:
        raise InputError(f"{p}: no labeled pairs (expected rows a, b, label, note)")
    return pairs


def evaluate_pairs(pairs: list[LabeledPair], config: NormalizeConfig) -> PairEvaluation:
    """Merge decision of each pair on its own (the two texts are the only input), against its label."""
    missed, wrong = [], []
    true_merges = false_merges = 0
    for pair in pairs:
        merged = same_behavior(pair.a, pair.b, config)
        if pair.label == "same":
            true_merges += merged
            if not merged:
                missed.append(pair)
        else:
            false_merges += merged
            if merged:
                wrong.append(pair)
    same = sum(p.label == "same" for p in pairs)
    return PairEvaluation(len(pairs), same, len(pairs) - same, true_merges, false_merges, missed, wrong)


def format_evaluation(result: PairEvaluation) -> str:
    """The lines `ladder eval-dedupe` prints."""
    lines = [
        f"pairs: {result.total} ({result.same} same, {result.different} different)",
        f"precision: {result.precision:.3f} ({result.true_merges} of {result.true_merges + result.false_merges} merges are same-pairs)",
        f"recall: {result.recall:.3f} ({result.true_merges} of {result.same} same-pairs merged)",
        f"different-pairs merged: {result.false_merge_rate:.3f} ({result.false_merges} of {result.different})",
    ]
    lines += [f"missed: {p.a} | {p.b} ({p.note})" for p in result.missed]
    lines += [f"wrongly merged: {p.a} | {p.b} ({p.note})" for p in result.wrongly_merged]
    return "\n".join(lines)

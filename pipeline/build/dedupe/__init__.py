"""De-duplicate behavior statements: block, score, guard, cluster — with no chaining.

Works on *distinct normalized forms*, never on occurrences: a million occurrences repeat far fewer forms,
and every step below is a function of the set of forms only, so the result does not depend on input order
or on the number of workers.

1. normalize each distinct text once (`normalize_text.TextNormalizer`);
2. candidate pairs by content-word keys (`content_key_pairs`): every form is indexed under its set of
   content words and that set less one word, so forms that differ by at most what the guards let merge
   meet under one key; prefix filtering on rare words (`candidate_blocks`) and exhaustive comparison stay
   available for measurement (`scored_candidates`, `ladder bench`);
3. score candidates with rapidfuzz (`process.cpdist` on the candidate pairs);
4. guards keep apart pairs that differ in what they demand (numbers, quantity, negation, proficiency,
   object, scope, added detail), however similar the strings;
5. complete-linkage clustering: a form joins a cluster only if it matches *every* member, so A~B, B~C,
   A!~C never puts A and C together. Edges are taken best score first, ties by the forms' text.

A cluster's key is its lexicographically smallest form; the behavior id is a hash of that key, so adding
documents that share no statement with a cluster never changes its id.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from pipeline.build.normalize_text import Normalized, TextNormalizer
from pipeline.build.settings import DedupeSettings
from pipeline.errors import InputError
from pipeline.ids import stable_id

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
    candidates_scored: int = 0  # candidate pairs the scorer was run on (what blocking saved is the rest)

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

    def __init__(self, config: DedupeSettings) -> None:
        self.config = config
        self.function = frozenset(config.function_words)
        self.quantity = frozenset(config.quantity_words)
        self.negation = frozenset(config.negation_words)
        self.scope = frozenset(config.scope_words)
        self.proficiency = [tuple(p.split()) for p in config.proficiency_words]
        self.synonym = {w: group[0] for group in config.synonyms for w in group}
        self._marker_cache: dict[tuple[str, ...], frozenset[str]] = {}
        self._phrases_by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for phrase in self.proficiency:
            self._phrases_by_first[phrase[0]].append(phrase)

    # helpers ------------------------------------------------------------------------------------------

    def _markers(self, tokens: tuple[str, ...]) -> frozenset[str]:
        # memoized: at scale one form meets many candidates, and this scan was most of the guards' time
        cached = self._marker_cache.get(tokens)
        if cached is not None:
            return cached
        found = set()
        for i, token in enumerate(tokens):  # only phrases that start with this token can match here
            for phrase in self._phrases_by_first.get(token, ()):
                if tokens[i : i + len(phrase)] == phrase:
                    found.add(" ".join(phrase))
        self._marker_cache[tokens] = frozenset(found)
        return self._marker_cache[tokens]

    def _variants(self, x: str, y: str) -> bool:
        """`analyze` ~ `analyse`, `accurate` ~ `accuracy`: one word spelled or derived differently."""
        if self.synonym.get(x, x) == self.synonym.get(y, y):
            return True
        prefix = 0
        for cx, cy in zip(x, y, strict=False):
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


def _scorer(config: DedupeSettings):
    """token_sort_ratio on forms whose words are pre-sorted is plain `ratio`: sort once per form, not per pair."""
    if config.scorer == "token_sort_ratio":
        return fuzz.ratio, True
    return getattr(fuzz, config.scorer), False


def _scoring_strings(forms: list[str], config: DedupeSettings) -> list[str]:
    _, presort = _scorer(config)
    return [" ".join(sorted(f.split())) for f in forms] if presort else list(forms)


def exhaustive_pairs(texts: Iterable[str], config: DedupeSettings, cutoff: float | None = None) -> list[ScoredPair]:
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
            strings[start : start + step],
            strings,
            scorer=scorer,
            score_cutoff=cutoff,
            dtype=np.float32,
            workers=config.workers,
        )
        rows, cols = np.nonzero(m)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=False):
            i = start + r
            if i < c:
                out.append(ScoredPair(forms[i], forms[c], round(float(m[r, c]), 2)))
    return out


def candidate_blocks(forms: list[str], config: DedupeSettings) -> list[list[int]]:
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


def blocked_pairs(forms: list[str], config: DedupeSettings, cutoff: float) -> dict[tuple[int, int], float]:
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
        for r, c in zip(rows.tolist(), cols.tolist(), strict=False):
            scores[(ids[r], ids[c])] = round(float(m[r, c]), 2)
    if small_i:
        ii = np.concatenate(small_i)
        jj = np.concatenate(small_j)
        code = np.unique(ii * len(forms) + jj)  # one score per pair, however many blocks share it
        ii, jj = code // len(forms), code % len(forms)
        sc = process.cpdist(
            [strings[i] for i in ii.tolist()],
            [strings[j] for j in jj.tolist()],
            scorer=scorer,
            score_cutoff=cutoff,
            dtype=np.float32,
            workers=config.workers,
        )
        for i, j, s in zip(ii.tolist(), jj.tolist(), sc.tolist(), strict=False):
            if s >= cutoff and s > 0:
                scores[(i, j)] = round(float(s), 2)
    return scores


# ---------------------------------------------------------- candidate generation: content-word keys
# (added for the scale issue: prefix filtering on words indexes each form under half its words, and on a
# ladder vocabulary those words are common, so at 10^5 occurrences it still scored a third of all pairs.)

_KEY_PREFIX = 5  # `Guards._variants` needs a shared prefix of >= 5 letters; cut there, such variants share a key
_SKELETON = 3  # consonant skeletons this long absorb typos and vowel changes: bord/board, curent/current
_PAIR_CHUNK = 1_000_000  # pairs per cpdist call: bounds the memory of the string lists
# Prefix blocks add the near misses that differ in several words (progressions such as "Can analyze basic
# data ..." -> "Analyzes advanced data ... and obtains custom data points"); smallest blocks first, within
# this many pairs (a few seconds of scoring), so small corpora get every block and large ones the rare words.
PREFIX_PAIR_BUDGET = 5_000_000
_VOWELS = re.compile(r"(?<=.)[aeiouy]")
_DOUBLED = re.compile(r"(.)\1+")


@cache
def word_skeleton(word: str) -> str:
    """First letter and consonants, doubled letters once, cut to 3: `"current"`, `"curent"` -> `"crn"`."""
    return _DOUBLED.sub(r"\1", _VOWELS.sub("", _DOUBLED.sub(r"\1", word)))[:_SKELETON]


def content_key_sets(form: str, guards: Guards) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The two sorted key sets of a form's content words (function words dropped, synonyms to their group's
    first word): 5-letter prefixes, and consonant skeletons.
    `"analyze client usage datum"` -> `(("analy", "clien", "datum", "usage"), ("anl", "cln", "dtm", "sg"))`."""
    words = {guards.synonym.get(w, w) for w in form.split() if w not in guards.function}
    return tuple(sorted({w[:_KEY_PREFIX] for w in words})), tuple(sorted({word_skeleton(w) for w in words}))


def content_key_pairs(forms: list[str], config: DedupeSettings) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i < j, sorted, unique) of forms whose content-word keys are within a deletion of each
    other: each form is indexed under each of its two key sets (`content_key_sets`) and every such set with up
    to `depth` keys removed.

    Why this is (almost) lossless for merges: a merge needs the guards to pass, and they pass only when the
    content words differ by at most `max_added_words` added on one side, after spelling variants and synonyms
    cancel out. Synonyms share both keys, prefix variants share the prefix key, typos mostly share the
    skeleton, so such a pair shares an indexed set at `depth = max(1, max_added_words)`; depth 1 also covers
    one substitution of a word whose keys differ. What it can miss: two such substitutions in both key sets
    at once (measured against exhaustive comparison by `ladder bench`). Progressions (a number, a proficiency
    word changed) differ by one word each side and are found too, so they reach the report. Cost: about
    `2 * (len(keys) + 1)` entries per form, and pairs only among forms that say nearly the same thing —
    near-linear on ladder text, where prefix filtering on words is not.
    """
    guards = Guards(config)
    depth = max(1, config.max_added_words)
    index: dict[tuple[int | str, ...], list[int]] = defaultdict(list)
    for i, form in enumerate(forms):
        for scheme, keys in enumerate(content_key_sets(form, guards)):
            level = {(scheme, *keys)}
            for _ in range(min(depth, max(0, len(keys) - 1))):  # never down to the empty set
                level |= {key[:x] + key[x + 1 :] for key in level for x in range(1, len(key))}
            for key in level:
                index[key].append(i)
    n = len(forms)
    pairs: list[int] = []
    chunks: list[np.ndarray] = []
    for ids in index.values():
        if len(ids) == 2:  # most groups: a plain append beats numpy's per-call overhead
            pairs.append(ids[0] * n + ids[1])
        elif len(ids) > 2:
            arr = np.asarray(ids, dtype=np.int64)
            ii, jj = np.triu_indices(len(ids), k=1)
            chunks.append(arr[ii] * n + arr[jj])
    codes = _unique(np.concatenate([np.asarray(pairs, dtype=np.int64), *chunks]))
    return codes // max(n, 1), codes % max(n, 1)


def _unique(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values; sort + neighbour compare is several times faster than `np.unique` here."""
    codes = np.sort(codes)
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if len(codes) else codes


def budgeted_prefix_pairs(forms: list[str], config: DedupeSettings, budget: int = PREFIX_PAIR_BUDGET) -> np.ndarray:
    """Pair codes `i * len(forms) + j` (i < j, unique) of the `candidate_blocks`, smallest blocks first (ties
    in key order), while their pairs fit in `budget`: every block when the corpus is small."""
    n = len(forms)
    chunks: list[np.ndarray] = []
    used = 0
    for ids in sorted(candidate_blocks(forms, config), key=len):
        size = len(ids) * (len(ids) - 1) // 2
        if used + size > budget:
            break
        used += size
        arr = np.asarray(ids, dtype=np.int64)
        ii, jj = np.triu_indices(len(ids), k=1)
        chunks.append(arr[ii] * n + arr[jj])
    return _unique(np.concatenate(chunks)) if chunks else np.zeros(0, dtype=np.int64)


def score_index_pairs(
    forms: list[str], config: DedupeSettings, cutoff: float, ii: np.ndarray, jj: np.ndarray
) -> dict[tuple[int, int], float]:
    """Scores (>= cutoff) of the given pairs of `forms`, with rapidfuzz `process.cpdist` in chunks."""
    scorer, _ = _scorer(config)
    strings = _scoring_strings(forms, config)
    scores: dict[tuple[int, int], float] = {}
    for start in range(0, len(ii), _PAIR_CHUNK):
        ci, cj = ii[start : start + _PAIR_CHUNK].tolist(), jj[start : start + _PAIR_CHUNK].tolist()
        sc = process.cpdist(
            [strings[i] for i in ci],
            [strings[j] for j in cj],
            scorer=scorer,
            score_cutoff=cutoff,
            dtype=np.float32,
            workers=config.workers,
        )
        hits = np.nonzero(sc >= max(cutoff, 1e-9))[0]
        for h in hits.tolist():
            scores[(ci[h], cj[h])] = round(float(sc[h]), 2)
    return scores


CANDIDATE_METHODS = ("content_keys", "prefix", "exhaustive")


def scored_candidates(
    forms: list[str], config: DedupeSettings, cutoff: float, method: str = "content_keys"
) -> tuple[dict[tuple[int, int], float], int]:
    """Scores (>= cutoff) of candidate pairs of `forms`, and how many pairs were scored.

    `content_keys` (default: `content_key_pairs` for the merges, plus `budgeted_prefix_pairs` for near misses),
    `prefix` (`blocked_pairs`: every prefix block) or `exhaustive` (every pair, `process.cdist`): the three the
    bench compares.
    """
    if method == "content_keys":
        n = max(len(forms), 1)
        ii, jj = content_key_pairs(forms, config)
        codes = _unique(np.concatenate([ii * n + jj, budgeted_prefix_pairs(forms, config)]))
        return score_index_pairs(forms, config, cutoff, codes // n, codes % n), len(codes)
    if method == "prefix":
        n = len(forms)
        codes = [
            np.asarray(ids, dtype=np.int64)[np.array(np.triu_indices(len(ids), k=1))]
            for ids in candidate_blocks(forms, config)
        ]
        scored = len(np.unique(np.concatenate([c[0] * n + c[1] for c in codes]))) if codes else 0
        return blocked_pairs(forms, config, cutoff), scored
    if method == "exhaustive":
        scorer, _ = _scorer(config)
        strings = _scoring_strings(forms, config)
        scores: dict[tuple[int, int], float] = {}
        step = 2000  # rows per cdist call bounds memory at step * len(forms) * 4 bytes
        for start in range(0, len(forms), step):
            m = process.cdist(
                strings[start : start + step],
                strings,
                scorer=scorer,
                score_cutoff=cutoff,
                dtype=np.float32,
                workers=config.workers,
            )
            rows, cols = np.nonzero(m)
            for r, c in zip(rows.tolist(), cols.tolist(), strict=False):
                if start + r < c:
                    scores[(start + r, c)] = round(float(m[r, c]), 2)
        return scores, len(forms) * (len(forms) - 1) // 2
    raise InputError(f"unknown candidate generation {method!r} (valid: {', '.join(CANDIDATE_METHODS)})")


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


def dedupe(texts: Iterable[str], config: DedupeSettings, candidates: str = "content_keys") -> DedupeResult:
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
    scored, n_candidates = scored_candidates(forms, config, config.near_miss_threshold, candidates)
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
        candidates_scored=n_candidates,
    )


def guard_rule(a: str, b: str, config: DedupeSettings) -> str | None:
    """Name of the guard that keeps two texts apart, or None: `("Finds X", "Begins to find X")` -> `"proficiency"`."""
    normalizer = TextNormalizer(config)
    hit = Guards(config).check(normalizer.analyze(a), normalizer.analyze(b))
    return hit.rule if hit else None


def same_behavior(a: str, b: str, config: DedupeSettings) -> bool:
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


def evaluate_pairs(pairs: list[LabeledPair], config: DedupeSettings) -> PairEvaluation:
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

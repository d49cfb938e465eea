"""Candidate pairs and their scores: exhaustive comparison, prefix blocks, content-word keys.

Which pairs of distinct forms are compared at all decides what the guards and the clustering can see;
`scored_candidates` picks a method by name (`CANDIDATE_METHODS`), the three the bench compares.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from itertools import combinations

import numpy as np
from rapidfuzz import fuzz, process

from pipeline.build.dedupe.guards import Guards
from pipeline.build.normalize_text import TextNormalizer
from pipeline.build.settings import DedupeSettings
from pipeline.errors import InputError

_SMALL_BLOCK = 64  # below this many forms a block's pairs are listed and scored with cpdist in one batch


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """Two distinct forms (a < b as strings) and their similarity, 0..100."""

    a: str
    b: str
    score: float


# ------------------------------------------------------------------------------------------ scoring


def _scorer(config: DedupeSettings):
    """token_sort_ratio on forms whose words are pre-sorted is plain `ratio`: sort once per form, not per pair."""
    if config.scorer == "token_sort_ratio":
        return fuzz.ratio, True
    return getattr(fuzz, config.scorer), False


def _scoring_strings(forms: list[str], config: DedupeSettings) -> list[str]:
    _, presort = _scorer(config)
    return [" ".join(sorted(f.split())) for f in forms] if presort else list(forms)


def exhaustive_scores(forms: list[str], config: DedupeSettings, cutoff: float) -> dict[tuple[int, int], float]:
    """Scores (>= cutoff) of every pair (i < j) of `forms`, by brute force (`process.cdist` on row slices),
    in row-major order."""
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
    return scores


def exhaustive_pairs(texts: Iterable[str], config: DedupeSettings, cutoff: float | None = None) -> list[ScoredPair]:
    """Every pair of distinct normalized forms scoring >= `cutoff` (default: merge threshold), by brute force
    (`exhaustive_scores`): the baseline the blocked candidate generation is measured against."""
    normalizer = TextNormalizer(config)
    forms = sorted({normalizer.normalize(t) for t in texts})
    cutoff = config.merge_threshold if cutoff is None else cutoff
    return [ScoredPair(forms[i], forms[j], s) for (i, j), s in exhaustive_scores(forms, config, cutoff).items()]


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
        ranked = sorted(ts, key=df.__getitem__)  # `ts` is sorted and the sort stable: ties by the word
        n = len(ranked)
        p = max(1, n - math.ceil(share * n) + 1)
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

_KEY_PREFIX = 5  # `Guards._is_variant` needs a shared prefix of >= 5 letters; cut there, such variants share a key
_SKELETON = 3  # consonant skeletons this long absorb typos and vowel changes: bord/board, curent/current
PAIR_CHUNK = 250_000  # pairs per cpdist call: bounds the memory of the string lists and rapidfuzz's copies
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
    """`content_key_codes` as index arrays: the first forms' indices, the second forms' indices."""
    codes = content_key_codes(forms, config)
    n = max(len(forms), 1)
    return codes // n, codes % n


def content_key_codes(forms: list[str], config: DedupeSettings) -> np.ndarray:
    """Pair codes `i * len(forms) + j` of the candidate pairs (i < j, sorted, unique) of forms whose content-word keys are within a deletion of each
    other: each form is indexed under each of its two key sets (`content_key_sets`) and every such set with up
    to `depth` keys removed; the forms indexed under one key are paired by `bucket_pairs`.

    Why this is (almost) lossless for merges: a merge needs the guards to pass, and they pass only when the
    content words differ by at most `max_added_words` added on one side, after spelling variants and synonyms
    cancel out. Synonyms share both keys, prefix variants share the prefix key, typos mostly share the
    skeleton, so such a pair shares an indexed set at `depth = max(1, max_added_words)`; depth 1 also covers
    one substitution of a word whose keys differ. What it can miss: two such substitutions in both key sets
    at once (measured against exhaustive comparison by `ladder bench`), and pairs inside a key shared by more
    than `BUCKET_MAX` forms that are not near each other in either sort order (`bucket_pairs`). Progressions
    (a number, a proficiency word changed) differ by one word each side and are found too, so they reach the
    report. Cost: about `2 * (len(keys) + 1)` entries per form, and at most `2 * BUCKET_WINDOW` pairs per
    form and key — linear in the number of forms whatever the text.
    """
    guards = Guards(config)
    depth = max(1, config.max_added_words)
    word_id: dict[str, int] = {}  # key word -> id: a key set is its scheme and its words' ids
    indexed: dict[tuple[int, ...], int] = {}  # a key set -> its index (forms share sets)
    owners: list[int] = []  # per form and scheme: the form
    sets: list[int] = []  # and the index of its key set
    for i, form in enumerate(forms):
        for scheme, keys in enumerate(content_key_sets(form, guards)):
            full = (scheme, *[word_id.setdefault(k, len(word_id)) for k in keys])
            owners.append(i)
            sets.append(indexed.setdefault(full, len(indexed)))
    if not owners:
        return np.zeros(0, dtype=np.int64)
    start, key = _deletion_key_ids(list(indexed), depth)
    del indexed, word_id
    of_set = np.asarray(sets, dtype=np.int64)
    counts = np.diff(start)[of_set]
    member = np.repeat(np.asarray(owners, dtype=np.int64), counts)
    del owners, sets
    # the key ids of each form's key set, form after form: a run of `counts` ids from the set's `start`
    run_start = np.repeat(start[of_set] - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    bucket = key[run_start + np.arange(len(member), dtype=np.int64)]
    del of_set, counts, run_start
    return bucket_pairs(bucket, member, forms)


def _deletion_key_ids(sets: list[tuple[int, ...]], depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Every key of every key set (`_deletions(set, depth, 1)` of each: itself and the sets made by removing
    up to `depth` of its ids after the first, the scheme, never all), as one id per distinct key: the ids of
    set `s`'s keys are `key[start[s] : start[s + 1]]`. Equal keys get equal ids, different keys different ids.
    The keys are compared whole, as rows of one array per key length, not as Python tuples: 72,000 forms
    (3,000 synthetic documents) made 1.4 M key tuples and a dict of them, about 300 MB, the peak of
    de-duplication. Ids follow `np.unique`'s order per length; only their equality matters to the caller."""
    by_length: dict[int, list[int]] = defaultdict(list)
    for s, ids in enumerate(sets):
        by_length[len(ids)].append(s)
    rows: dict[int, list[np.ndarray]] = defaultdict(list)  # key length -> blocks of keys (one row each)
    owner: dict[int, list[np.ndarray]] = defaultdict(list)  # key length -> the key set of each row
    for k, which in by_length.items():
        block = np.asarray([sets[s] for s in which], dtype=np.int32).reshape(len(which), k)
        of = np.asarray(which, dtype=np.int64)
        for r in range(min(depth, max(0, k - 2)) + 1):
            for dropped in combinations(range(1, k), r):
                kept = [c for c in range(k) if c not in dropped]
                rows[k - r].append(block[:, kept])
                owner[k - r].append(of)
    set_of: list[np.ndarray] = []
    key_of: list[np.ndarray] = []
    next_id = 0
    for length in sorted(rows):
        keys = np.ascontiguousarray(np.concatenate(rows.pop(length)))
        whole = keys.view(np.dtype((np.void, keys.dtype.itemsize * length))).ravel()
        _, inverse = np.unique(whole, return_inverse=True)
        inverse = inverse.ravel()
        set_of.append(np.concatenate(owner.pop(length)))
        key_of.append(inverse.astype(np.int64) + next_id)
        next_id += int(inverse.max()) + 1 if len(inverse) else 0
    sets_all = np.concatenate(set_of)
    order = np.argsort(sets_all, kind="stable")
    start = np.searchsorted(sets_all[order], np.arange(len(sets) + 1, dtype=np.int64))
    return start, np.concatenate(key_of)[order]


def _deletions(key: tuple[int | str, ...], depth: int, fixed: int) -> list[tuple[int | str, ...]]:
    """`key` and every key made from it by removing up to `depth` of its items after the first `fixed` (the
    bucket's tag), never all of them: `_deletions((0, "a", "b", "c"), 1, 1)` -> `[(0, "a", "b", "c"),
    (0, "b", "c"), (0, "a", "c"), (0, "a", "b")]`. Distinct keys, since a key's items are sorted and distinct."""
    rounds = min(depth, max(0, len(key) - fixed - 1))
    if rounds == 0:
        return [key]
    if rounds == 1:
        return [key] + [key[:x] + key[x + 1 :] for x in range(fixed, len(key))]
    level = {key}
    for _ in range(rounds):
        level |= {k[:x] + k[x + 1 :] for k in level for x in range(fixed, len(k))}
    return sorted(level, key=lambda k: (-len(k), k))


BUCKET_MAX = 64  # a key shared by more forms than this is not paired all-to-all (sort-and-window instead)
BUCKET_WINDOW = 8  # in such a bucket, each form meets this many neighbours on each side in each sort order


def bucket_pairs(bucket: np.ndarray, member: np.ndarray, forms: list[str]) -> np.ndarray:
    """Pair codes `i * len(forms) + j` (i < j, sorted, unique) of the forms indexed under one bucket.

    `bucket[x]` is the bucket (any integer) of form `member[x]` (an index into `forms`, which are sorted).
    A bucket of at most `BUCKET_MAX` forms gives all its pairs; a larger one (10^5 near-duplicates of one
    template put 40,000 forms under one key: 800 M pairs) gives sort-and-window pairs instead: its forms in
    text order and in the order of their words read backwards, each form paired with the next
    `BUCKET_WINDOW` forms of each order. Forms that differ near their end sit together in the first order,
    near their start in the second, so what a merge needs (one word changed or added) meets within the
    window whatever the bucket's size; the work is at most `2 * BUCKET_WINDOW` pairs per form and bucket.
    Sort-and-window was chosen over a second key (a near-duplicate template varies in every slot, so any
    second key is itself shared by thousands) and over MinHash within the bucket (its signatures cost more
    than the scoring they save on statements of ten words, and it is not deterministic without a seed).
    """
    n = max(len(forms), 1)
    order = np.lexsort((member, bucket))  # by bucket, forms in text order inside
    bucket, member = bucket[order], member[order]
    starts = np.flatnonzero(np.concatenate(([True], bucket[1:] != bucket[:-1])))
    sizes = np.diff(np.append(starts, len(bucket)))
    chunks = _all_pairs(member, starts, sizes, n)
    backwards: np.ndarray | None = None
    big = sizes > BUCKET_MAX
    for start, size in zip(starts[big].tolist(), sizes[big].tolist(), strict=True):
        if backwards is None:
            backwards = _backwards_rank(forms)
        arr = member[start : start + size]
        for seq in (arr, arr[np.argsort(backwards[arr], kind="stable")]):
            for d in range(1, min(BUCKET_WINDOW, size - 1) + 1):
                a, b = seq[:-d], seq[d:]
                chunks.append(np.minimum(a, b) * n + np.maximum(a, b))
    return unique_chunks(chunks)


def _all_pairs(member: np.ndarray, starts: np.ndarray, sizes: np.ndarray, n: int) -> list[np.ndarray]:
    """Pair codes `member[x] * n + member[y]` (x < y) of every bucket `member[start : start + size]` of 2 to
    `BUCKET_MAX` members, all buckets of one size at once (most buckets are small, and numpy's per-call
    overhead would dominate one call per bucket)."""
    chunks: list[np.ndarray] = []
    small = (sizes >= 2) & (sizes <= BUCKET_MAX)
    for size in np.unique(sizes[small]).tolist():
        first = starts[sizes == size]
        chunks += triangle_codes(member[first[:, None] + np.arange(size, dtype=np.int64)], n)
    return chunks


_TRIANGLE_ROWS_PAIRS = 1 << 20  # pairs per step of `triangle_codes`: bounds its temporaries (8 MB each)


def triangle_codes(block: np.ndarray, n: int) -> list[np.ndarray]:
    """Codes `row[x] * n + row[y]` (x < y) of every row of `block` (one bucket or group per row, all of one
    size), in steps of about `_TRIANGLE_ROWS_PAIRS` pairs, computed in place."""
    size = block.shape[1]
    ii, jj = np.triu_indices(size, k=1)
    step = max(1, _TRIANGLE_ROWS_PAIRS // max(len(ii), 1))
    out: list[np.ndarray] = []
    for start in range(0, len(block), step):
        rows = block[start : start + step]
        codes = rows[:, ii]
        codes *= n
        codes += rows[:, jj]
        out.append(codes.ravel())
    return out


def group_pairs(groups: list[list[int]], forms: list[str], config: DedupeSettings) -> np.ndarray:
    """Pair codes `i * len(forms) + j` (i < j, sorted, unique) of candidate pairs inside each group of form
    indices (a track + competency, for progressions), never across groups.

    A group's forms meet under the same keys as `content_key_pairs` (a word changed or added) and under their
    rarest words inside the group as `candidate_blocks` picks them (a level change that rewrites several
    words: "basic plays" -> "expert in plays"); every key is a bucket of `bucket_pairs`, so a group of at most
    `BUCKET_MAX` forms is compared all-to-all and a bigger one costs at most `2 * BUCKET_WINDOW` pairs per
    form and key. `group_pairs([[0, 1, 2]], ["a b", "a c", "d e"], DedupeSettings())` -> every pair of the
    three (the group is small).
    """
    guards = Guards(config)
    depth = max(1, config.max_added_words)
    share = config.block_prefix_share
    key_id: dict[tuple[int | str, ...], int] = {}
    entries: list[int] = []
    for g, members in enumerate(groups):
        members = sorted(set(members))
        if len(members) < 2:
            continue
        if len(members) <= BUCKET_MAX:  # the whole group is one bucket
            for i in members:
                entries += (key_id.setdefault((g,), len(key_id)), i)
            continue
        token_sets = {i: sorted(set(forms[i].split())) for i in members}
        df = Counter(t for ts in token_sets.values() for t in ts)
        for i in members:
            level: set[tuple[int | str, ...]] = set()
            for scheme, keys in enumerate(content_key_sets(forms[i], guards)):
                level.update(_deletions((g, scheme, *keys), depth, 2))
            ranked = sorted(token_sets[i], key=df.__getitem__)  # stable on sorted words: ties by the word
            p = max(1, len(ranked) - math.ceil(share * len(ranked)) + 1)
            level |= {(g, 2, t) for t in ranked[:p]}
            for key in level:
                entries += (key_id.setdefault(key, len(key_id)), i)
    if not entries:
        return np.zeros(0, dtype=np.int64)
    flat = np.asarray(entries, dtype=np.int64).reshape(-1, 2)
    return bucket_pairs(flat[:, 0], flat[:, 1], forms)


def _backwards_rank(forms: list[str]) -> np.ndarray:
    """Rank of each form when its words are read backwards: `["a b", "b a"]` -> `[1, 0]`."""
    order = sorted(range(len(forms)), key=lambda i: (forms[i].split()[::-1], i))
    rank = np.empty(len(forms), dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(forms), dtype=np.int64)
    return rank


def unique_codes(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values; sort + neighbour compare is several times faster than `np.unique` here."""
    return _unique_sorted(np.sort(codes))


def unique_chunks(chunks: list[np.ndarray]) -> np.ndarray:
    """`unique_codes` of the chunks' values together, emptying `chunks` as it goes: the chunks are let go once
    joined (when the list held the only references), and the joined array is sorted in place, so at most
    two copies of the codes are alive at once instead of four."""
    codes = np.concatenate([np.zeros(0, dtype=np.int64), *chunks])
    chunks.clear()
    codes.sort()
    return _unique_sorted(codes)


def _unique_sorted(codes: np.ndarray) -> np.ndarray:
    """The distinct values of sorted `codes`."""
    if not len(codes):
        return codes
    keep = np.empty(len(codes), dtype=bool)
    keep[0] = True
    np.not_equal(codes[1:], codes[:-1], out=keep[1:])
    return codes[keep]


def budgeted_prefix_pairs(forms: list[str], config: DedupeSettings, budget: int = PREFIX_PAIR_BUDGET) -> np.ndarray:
    """Pair codes `i * len(forms) + j` (i < j, unique) of the `candidate_blocks`, smallest blocks first (ties
    in key order), while their pairs fit in `budget`: every block when the corpus is small."""
    n = len(forms)
    chosen: list[list[int]] = []
    used = 0
    for ids in sorted(candidate_blocks(forms, config), key=len):
        size = len(ids) * (len(ids) - 1) // 2
        if used + size > budget:
            break
        used += size
        chosen.append(ids)
    if not chosen:
        return np.zeros(0, dtype=np.int64)
    sizes = np.fromiter((len(ids) for ids in chosen), dtype=np.int64, count=len(chosen))
    member = np.fromiter((i for ids in chosen for i in ids), dtype=np.int64, count=int(sizes.sum()))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    chunks = [
        _block_pairs(member[s : s + k], n)
        for s, k in zip(starts.tolist(), sizes.tolist(), strict=True)
        if k > BUCKET_MAX
    ]
    chunks += _all_pairs(member, starts, np.where(sizes > BUCKET_MAX, 0, sizes), n)
    return unique_chunks(chunks)


def _block_pairs(arr: np.ndarray, n: int) -> np.ndarray:
    """Codes `arr[x] * n + arr[y]` of every pair x < y of one block."""
    ii, jj = np.triu_indices(len(arr), k=1)
    return arr[ii] * n + arr[jj]


def _rounded(scores: np.ndarray) -> np.ndarray:
    """`round(float(s), 2)` of each float32 score, as float64: Python's rounding, once per distinct value."""
    if not len(scores):
        return np.zeros(0, dtype=np.float64)
    values, where = np.unique(scores, return_inverse=True)
    return np.asarray([round(v, 2) for v in values.tolist()], dtype=np.float64)[where]


PairScores = tuple[np.ndarray, np.ndarray, np.ndarray]  # pairs (i < j) in the order given, and their scores


def score_index_arrays(
    forms: list[str], config: DedupeSettings, cutoff: float, ii: np.ndarray, jj: np.ndarray
) -> PairScores:
    """The given pairs of `forms` that score >= cutoff (and > 0), in their order, and their scores rounded to
    2 decimals, with rapidfuzz `process.cpdist` in chunks."""
    scorer, _ = _scorer(config)
    strings = _scoring_strings(forms, config)
    kept: list[np.ndarray] = []
    found: list[np.ndarray] = []
    for start in range(0, len(ii), PAIR_CHUNK):
        ci, cj = ii[start : start + PAIR_CHUNK], jj[start : start + PAIR_CHUNK]
        sc = process.cpdist(
            [strings[i] for i in ci.tolist()],
            [strings[j] for j in cj.tolist()],
            scorer=scorer,
            score_cutoff=cutoff,
            dtype=np.float32,
            workers=config.workers,
        )
        hits = np.nonzero(sc >= max(cutoff, 1e-9))[0]
        kept.append(hits + start)
        found.append(sc[hits])
    at = np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)
    scores = _rounded(np.concatenate(found) if found else np.zeros(0, dtype=np.float32))
    return np.asarray(ii, dtype=np.int64)[at], np.asarray(jj, dtype=np.int64)[at], scores


def score_index_pairs(
    forms: list[str], config: DedupeSettings, cutoff: float, ii: np.ndarray, jj: np.ndarray
) -> dict[tuple[int, int], float]:
    """Scores (>= cutoff) of the given pairs of `forms` (`score_index_arrays` as a dict)."""
    si, sj, ss = score_index_arrays(forms, config, cutoff, ii, jj)
    return dict(zip(zip(si.tolist(), sj.tolist(), strict=True), ss.tolist(), strict=True))


Scored = tuple[dict[tuple[int, int], float], int]  # scores (>= cutoff) of candidate pairs, pairs scored


def _content_key_arrays(forms: list[str], config: DedupeSettings, cutoff: float) -> tuple[PairScores, int]:
    """`content_key_pairs` for the merges, plus `budgeted_prefix_pairs` for near misses: the pairs scoring
    >= cutoff, sorted, with their scores, and how many pairs were scored."""
    n = max(len(forms), 1)
    codes = unique_chunks([content_key_codes(forms, config), budgeted_prefix_pairs(forms, config)])
    ii, jj = codes // n, codes % n
    del codes
    return score_index_arrays(forms, config, cutoff, ii, jj), len(ii)


def _content_key_candidates(forms: list[str], config: DedupeSettings, cutoff: float) -> Scored:
    """`_content_key_arrays` as a dict."""
    (si, sj, ss), scored = _content_key_arrays(forms, config, cutoff)
    return dict(zip(zip(si.tolist(), sj.tolist(), strict=True), ss.tolist(), strict=True)), scored


def _prefix_candidates(forms: list[str], config: DedupeSettings, cutoff: float) -> Scored:
    """`blocked_pairs`: every prefix block."""
    n = len(forms)
    codes = [
        np.asarray(ids, dtype=np.int64)[np.array(np.triu_indices(len(ids), k=1))]
        for ids in candidate_blocks(forms, config)
    ]
    scored = len(np.unique(np.concatenate([c[0] * n + c[1] for c in codes]))) if codes else 0
    return blocked_pairs(forms, config, cutoff), scored


def _exhaustive_candidates(forms: list[str], config: DedupeSettings, cutoff: float) -> Scored:
    """Every pair (`exhaustive_scores`)."""
    return exhaustive_scores(forms, config, cutoff), len(forms) * (len(forms) - 1) // 2


CANDIDATE_GENERATORS: dict[str, Callable[[list[str], DedupeSettings, float], Scored]] = {
    "content_keys": _content_key_candidates,
    "prefix": _prefix_candidates,
    "exhaustive": _exhaustive_candidates,
}
CANDIDATE_METHODS = tuple(CANDIDATE_GENERATORS)


def scored_candidate_arrays(
    forms: list[str], config: DedupeSettings, cutoff: float, method: str = "content_keys"
) -> tuple[PairScores, int]:
    """`scored_candidates` as arrays (pairs sorted by (i, j), scores), without a dict for the default method."""
    if method == "content_keys":
        return _content_key_arrays(forms, config, cutoff)
    scores, scored = scored_candidates(forms, config, cutoff, method)
    pairs = sorted(scores)
    ii = np.asarray([p[0] for p in pairs], dtype=np.int64)
    jj = np.asarray([p[1] for p in pairs], dtype=np.int64)
    return (ii, jj, np.asarray([scores[p] for p in pairs], dtype=np.float64)), scored


def scored_candidates(forms: list[str], config: DedupeSettings, cutoff: float, method: str = "content_keys") -> Scored:
    """Scores (>= cutoff) of candidate pairs of `forms`, and how many pairs were scored.

    `method` names one of `CANDIDATE_GENERATORS`: `content_keys` (default), `prefix` or `exhaustive`, the three
    the bench compares. `scored_candidates([], DedupeSettings(), 80, "nearest")` -> `InputError: unknown
    candidate generation 'nearest' (valid: content_keys, prefix, exhaustive)`.
    """
    generate = CANDIDATE_GENERATORS.get(method)
    if generate is None:
        raise InputError(f"unknown candidate generation {method!r} (valid: {', '.join(CANDIDATE_METHODS)})")
    return generate(forms, config, cutoff)

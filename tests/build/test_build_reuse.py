"""The build's memos and bulk steps give what the plain steps give: the per-word lemma memo, the framing
scan's fast path, bucket pairing by size, key deletions, the progressions step reusing de-duplication's
guards and facts, and the paused garbage collector."""

from __future__ import annotations

import gc
import random

import numpy as np

from pipeline.build.dedupe import dedupe
from pipeline.build.dedupe.candidates import BUCKET_MAX, _all_pairs, _deletions, bucket_pairs, budgeted_prefix_pairs
from pipeline.build.dedupe.guards import Guards
from pipeline.build.normalize_text import TextNormalizer
from pipeline.build.progression import kept_apart_within_groups, related
from pipeline.config import Config
from pipeline.heap import collection_paused

CFG = Config().normalize


def test_lemmatize_memo_gives_the_same_lemmas_and_drops() -> None:
    normalizer = TextNormalizer(CFG)
    first = normalizer.lemmatize("ensures the most accurate reports for the customers")
    assert first == ("ensure", "most", "accurate", "report", "for", "client")
    assert normalizer._folded["the"] is None and normalizer._folded["reports"] == "report"
    assert normalizer.lemmatize("ensures the most accurate reports for the customers") == first  # from the memo
    assert normalizer.analyze("The CSM will keep the boards up to date.").form == "keep board up to date"


def test_fold_unicode_ascii_fast_path_matches_nfkc() -> None:
    assert TextNormalizer.fold_unicode("  plain ascii text ") == "plain ascii text"
    assert TextNormalizer.fold_unicode("Is the \u201cgo\u2011to\u201d \u2013 always") == 'Is the "go-to" - always'


def test_core_without_framing_words_and_with_them() -> None:
    matcher = Guards(CFG).matcher
    assert matcher.core("review design clearly") == (("review", "design"), ("clearly",), ())
    assert matcher.core("show commitment to quality by review design clearly") == (
        ("review", "design"),
        ("clearly",),
        ("show commitment to quality by",),
    )


def test_deletions() -> None:
    assert _deletions((0, "a", "b", "c"), 1, 1) == [(0, "a", "b", "c"), (0, "b", "c"), (0, "a", "c"), (0, "a", "b")]
    assert _deletions((0, "a"), 1, 1) == [(0, "a")]
    assert _deletions((5, 1, "a", "b", "c"), 2, 2) == [
        (5, 1, "a", "b", "c"),
        (5, 1, "a", "b"),
        (5, 1, "a", "c"),
        (5, 1, "b", "c"),
        (5, 1, "a"),
        (5, 1, "b"),
        (5, 1, "c"),
    ]


def _per_bucket(bucket: np.ndarray, member: np.ndarray, n: int) -> set[int]:
    """The pairs of every bucket of 2 to `BUCKET_MAX` members, one bucket at a time."""
    out: set[int] = set()
    for b in set(bucket.tolist()):
        ids = sorted(member[bucket == b].tolist())
        if 2 <= len(ids) <= BUCKET_MAX:
            out |= {ids[x] * n + ids[y] for x in range(len(ids)) for y in range(x + 1, len(ids))}
    return out


def test_pairs_by_bucket_size_equal_pairs_bucket_by_bucket() -> None:
    rng = random.Random(3)
    n = 500
    bucket = np.asarray([rng.randrange(60) for _ in range(1500)], dtype=np.int64)
    member = np.asarray([rng.randrange(n) for _ in range(1500)], dtype=np.int64)
    keep = np.unique(bucket * n + member, return_index=True)[1]  # a form sits in a bucket once
    bucket, member = bucket[keep], member[keep]
    sizes = np.bincount(bucket)
    assert sizes.min() > 2 and sizes.max() <= BUCKET_MAX  # every bucket paired all-to-all, many sizes
    codes = bucket_pairs(bucket, member, [f"f{i:03d}" for i in range(n)])
    assert codes.tolist() == sorted(_per_bucket(bucket, member, n))
    # buckets of 2, 3 and one too big for `_all_pairs` (left to sort-and-window)
    member = np.asarray([4, 9, 1, 2, 3, *range(BUCKET_MAX + 1)], dtype=np.int64)
    starts, sizes = np.asarray([0, 2, 5]), np.asarray([2, 3, BUCKET_MAX + 1])
    got = sorted(np.concatenate(_all_pairs(member, starts, sizes, 100)).tolist())
    assert got == [1 * 100 + 2, 1 * 100 + 3, 2 * 100 + 3, 4 * 100 + 9]


def test_budgeted_prefix_pairs_are_every_pair_of_the_chosen_blocks() -> None:
    forms = sorted({f"review {w} plan with team" for w in ("design", "budget", "roadmap", "code")} | {"x y", "x z"})
    codes = budgeted_prefix_pairs(forms, CFG)
    n = len(forms)
    pairs = [(forms[c // n], forms[c % n]) for c in codes.tolist()]
    assert ("x y", "x z") in pairs
    assert ("review budget plan with team", "review code plan with team") in pairs
    assert budgeted_prefix_pairs(forms, CFG, budget=0).tolist() == []


def test_related_counts_repeated_shared_words_and_skips_markers() -> None:
    from pipeline.build.dedupe.matcher import Alignment

    al = Alignment(aligned=(), ignored=(), removed=("x",), added=("y",), shared=("plan", "plan", "basic"))
    assert related(al, frozenset({"basic"}))  # 2 in common (the repeated word twice), 1 of its own each
    al = Alignment(aligned=(), ignored=(), removed=("x", "z"), added=("y", "w"), shared=("basic", "plan"))
    assert not related(al, frozenset({"basic"}))  # 1 in common, 2 of its own each
    assert related(al, frozenset())


def test_progressions_reuse_dedupe_guards_and_facts() -> None:
    texts = ["Forecast 3 months in advance", "Forecast 6 months in advance", "Runs basic contract review"]
    result = dedupe(texts, CFG)
    assert result.guards is not None and result.facts is not None
    assert [n.form for n in result.normalized] == sorted(n.form for n in result.forms.values())
    key_of_form = {f: key for key, members in result.clusters.items() for f in members}
    reused = kept_apart_within_groups([texts], result, key_of_form, CFG)
    result.guards, result.facts = None, None  # computed afresh: the same pairs
    fresh = kept_apart_within_groups([texts], result, key_of_form, CFG)
    assert [(p.a, p.b, p.rule, p.score) for p in reused] == [(p.a, p.b, p.rule, p.score) for p in fresh]


def test_collection_paused_restores_the_collector() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves it as it found it
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_triangle_codes_in_steps(monkeypatch) -> None:
    import pipeline.build.dedupe.candidates as candidates

    block = np.asarray([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=np.int64)
    whole = np.concatenate(candidates.triangle_codes(block, 10)).tolist()
    assert whole == [12, 13, 23, 45, 46, 56, 78, 79, 89]
    monkeypatch.setattr(candidates, "_TRIANGLE_ROWS_PAIRS", 4)  # one row (3 pairs) per step
    steps = candidates.triangle_codes(block, 10)
    assert len(steps) == 3 and np.concatenate(steps).tolist() == whole


def test_guards_are_freed_without_the_cyclic_collector() -> None:
    import weakref

    from pipeline.build.dedupe.guards import is_variant

    guards = Guards(CFG)
    assert guards.matcher.variants("analyze", "analyse") is True  # fills the matcher's memo
    assert guards.matcher.variants("budget", "forecast") is False
    assert is_variant({}, 90.0, "accurate", "accuracy") is True  # shared prefix of 7 letters
    assert is_variant({}, 90.0, "plan", "plot") is False
    assert is_variant({"client": "customer"}, 90.0, "client", "customer") is True
    assert guards._is_variant("plan", "plot") is False
    dead = [weakref.ref(guards), weakref.ref(guards.matcher)]
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        del guards  # no reference cycle: reference counting frees the guards, their matcher and its memos
        assert [r() for r in dead] == [None, None]
    finally:
        if was_enabled:
            gc.enable()

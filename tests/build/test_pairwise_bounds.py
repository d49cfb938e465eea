"""Bounded pairwise work: big buckets paired by sort-and-window, near misses capped per form, progressions
inside a track + competency from candidates, and unrelated statements never a progression."""

from __future__ import annotations

import random

import numpy as np

from pipeline.build.behaviors import group_behaviors
from pipeline.build.decisions import DecisionLog
from pipeline.build.dedupe import best_near_misses, dedupe
from pipeline.build.dedupe.candidates import BUCKET_MAX, BUCKET_WINDOW, bucket_pairs, group_pairs
from pipeline.build.dedupe.guards import Guards
from pipeline.build.normalize_text import TextNormalizer
from pipeline.build.progression import level_markers, related
from pipeline.config import Config
from pipeline.devtools.synth import competency_occurrences, huge_competency, near_duplicate_texts

CFG = Config().normalize


def _pairs(codes: np.ndarray, n: int) -> list[tuple[int, int]]:
    return [(int(c) // n, int(c) % n) for c in codes]


def test_small_bucket_gives_all_pairs() -> None:
    forms = ["a", "b", "c", "d"]
    codes = bucket_pairs(np.array([7, 7, 7, 9]), np.array([2, 0, 1, 3]), forms)
    assert _pairs(codes, 4) == [(0, 1), (0, 2), (1, 2)]


def test_big_bucket_is_sort_and_window() -> None:
    assert (BUCKET_MAX, BUCKET_WINDOW) == (64, 8)
    k = 70  # one word each: read backwards, the order is the same, so both orders give the same pairs
    forms = [f"f{i:03d}" for i in range(k)]
    pairs = _pairs(bucket_pairs(np.zeros(k, dtype=np.int64), np.arange(k), forms), k)
    assert len(pairs) == sum(k - d for d in range(1, 9)) == 524  # not 70 * 69 / 2 = 2,415
    assert (0, 8) in pairs and (0, 9) not in pairs and (61, 69) in pairs
    # forms that differ at their start are neighbours when read backwards
    forms = sorted(f"{chr(97 + i % 26)}{i // 26} same tail" for i in range(k))
    pairs = {(forms[i], forms[j]) for i, j in _pairs(bucket_pairs(np.zeros(k, dtype=np.int64), np.arange(k), forms), k)}
    assert ("a0 same tail", "b0 same tail") in pairs


def test_best_near_misses_keeps_each_forms_best() -> None:
    assert best_near_misses({(0, 1): 80, (0, 2): 79, (1, 2): 78}, 88, 1) == {(0, 1): 80, (0, 2): 79}
    assert best_near_misses({(0, 1): 95, (0, 2): 90, (1, 2): 89}, 88, 1) == {(0, 1): 95, (0, 2): 90, (1, 2): 89}
    assert best_near_misses({}, 88, 1) == {}


def test_group_pairs_never_cross_groups() -> None:
    forms = ["a x", "a y", "b x", "b y"]
    codes = group_pairs([[0, 1], [2, 3], [3]], forms, CFG)
    assert _pairs(codes, 4) == [(0, 1), (2, 3)]


def _al(a: str, b: str):
    normalizer, guards = TextNormalizer(CFG), Guards(CFG)
    return guards.align(normalizer.analyze(a), normalizer.analyze(b))


def test_related_rule() -> None:
    months = _al("Forecast 3 months in advance", "Forecast 6 months in advance")
    assert (months.removed, months.added, related(months)) == (("3",), ("6",), True)
    detail = _al("Develops internal advocates", "Develops internal advocates that join company initiatives")
    assert (len(detail.shared), detail.removed, related(detail)) == (3, (), True)
    other = _al("Maintains dashboard for weekly review", "Review contract with legal partner")
    assert (other.shared, len(other.removed), len(other.added), related(other)) == (("review",), 3, 3, False)
    assert related(None) is False


def test_a_shared_level_marker_is_not_in_common() -> None:
    # "basic" is on both sides: it says at which level, not about what
    pair = _al("Run basic contract review", "Plan basic contract audit")
    assert (pair.shared, len(pair.removed), len(pair.added)) == (("basic", "contract"), 2, 2)
    assert related(pair) is True
    assert related(pair, level_markers(CFG)) is False
    assert {"basic", "advanced", "expert"} <= level_markers(CFG) and "begin" not in level_markers(CFG)


def test_huge_competency_finds_the_planted_progressions_only() -> None:
    bullets = huge_competency(1500, 0, chains=40)
    grouped = group_behaviors(competency_occurrences(bullets), CFG, DecisionLog(None))
    chain = {b.text: b.chain for b in bullets}
    text = {b.id: b.text for b in grouped.behaviors}
    links = [(chain[text[p.from_behavior]], chain[text[p.to_behavior]]) for p in grouped.progressions]
    planted = sorted(a for a, b in links if a == b >= 0)
    assert planted == list(range(40))
    assert len(grouped.behaviors) == 1500
    assert len(links) == 40  # no link between two unrelated statements
    assert len(grouped.near_misses) == 49


def test_near_duplicates_bounded_and_order_independent() -> None:
    texts = near_duplicate_texts(3000, 0)
    result = dedupe(texts, CFG)
    shuffled = list(texts)
    random.Random(1).shuffle(shuffled)
    again = dedupe(shuffled, CFG)
    assert again.clusters == result.clusters
    assert again.candidates_scored == result.candidates_scored
    assert [(p.a, p.b, p.rule) for p in again.kept_apart] == [(p.a, p.b, p.rule) for p in result.kept_apart]
    forms = len(result.key_of_form)
    assert (forms, len(result.clusters), result.candidates_scored, len(result.kept_apart)) == (
        3000,
        2998,
        1581169,
        17770,
    )

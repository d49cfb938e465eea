"""De-duplication's working set: key buckets numbered from arrays, the guards in chunks, the words memo as
tuples — each gives what the dict-and-tuple version gave."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import pipeline.build.dedupe as dedupe_module
from pipeline.build.dedupe import Guards, dedupe
from pipeline.build.dedupe.candidates import (
    _deletion_key_ids,
    _deletions,
    bucket_pairs,
    content_key_codes,
    content_key_sets,
)
from pipeline.build.normalize_text import TextNormalizer
from pipeline.build.settings import DedupeSettings
from pipeline.config import load_config

DATA = Path(__file__).resolve().parent.parent / "data"


def _reference_codes(forms: list[str], config: DedupeSettings) -> np.ndarray:
    """`content_key_codes` as it was: every key a Python tuple in a dict."""
    guards = Guards(config)
    depth = max(1, config.max_added_words)
    key_id: dict[tuple[int | str, ...], int] = {}
    buckets: list[int] = []
    members: list[int] = []
    for i, form in enumerate(forms):
        for scheme, keys in enumerate(content_key_sets(form, guards)):
            for key in _deletions((scheme, *keys), depth, 1):
                buckets.append(key_id.setdefault(key, len(key_id)))
                members.append(i)
    return bucket_pairs(np.asarray(buckets, dtype=np.int64), np.asarray(members, dtype=np.int64), forms)


def test_deletion_key_ids_equal_keys_equal_ids() -> None:
    # scheme first, then word ids: set 1 is set 0 less word 1; set 2 has set 1's words in another scheme
    start, key = _deletion_key_ids([(0, 1, 2, 3), (0, 2, 3), (1, 2, 3)], 1)
    assert start.tolist() == [0, 4, 7, 10]
    of = [set(key[start[s] : start[s + 1]].tolist()) for s in range(3)]
    assert [len(k) for k in of] == [4, 3, 3]  # (0,1,2,3) (0,2,3) (0,1,3) (0,1,2); (0,2,3) (0,3) (0,2); …
    assert len(of[0] & of[1]) == 1  # only (0, 2, 3) is a key of both
    assert not (of[2] & (of[0] | of[1]))  # another scheme never shares a key
    assert len(set(key.tolist())) == 9


def test_deletion_key_ids_depth_two_and_empty_sets() -> None:
    start, key = _deletion_key_ids([(0, 5, 6, 7), (0,), (1,), (0,), (0, 7)], 2)
    # (0,5,6,7): itself, 3 sets less one word, 3 less two; (0,) and (1,): themselves; (0, 7): itself only
    assert start.tolist() == [0, 7, 8, 9, 10, 11]
    ids = key.tolist()
    assert ids[7] == ids[9] != ids[8]  # the two empty sets of scheme 0 share a bucket, scheme 1's does not
    assert ids[10] in ids[0:7]  # (0, 7) is (0, 5, 6, 7) less two words
    assert len(set(ids)) == 9


@pytest.mark.parametrize("max_added", [0, 2])
def test_content_key_codes_match_tuple_keys(max_added: int) -> None:
    config = DedupeSettings(max_added_words=max_added)
    normalizer = TextNormalizer(config)
    texts = [
        "Reviews design documents",
        "Reviews the design",
        "Writes design documents",
        "Writes design documents and tests",
        "Deploys services",
        "Deploys the service safely",
        "Analyses client usage data",
        "Analyzes client usage data",
        "Mentors 3 engineers",
        "Mentors three engineers",
        "Is",
    ]
    forms = sorted({normalizer.analyze(t).form for t in texts})
    codes = content_key_codes(forms, config)
    assert codes.tolist() == _reference_codes(forms, config).tolist()
    n = len(forms)
    found = sorted((forms[c // n], forms[c % n]) for c in codes.tolist())
    expected = [
        ("deploy service", "deploy service safely"),
        ("mentor 3 engineer", "mentor three engineer"),
        ("review design", "review design document"),
        ("review design document", "write design document"),
        ("write design document", "write design document and test"),
    ]
    if max_added == 2:  # two words removed: a key set two words shorter is shared too
        expected += [
            ("review design", "write design document"),
            ("review design document", "write design document and test"),
        ]
    assert found == sorted(expected)


def test_guard_chunks_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    toy = load_config(DATA / "toy_normalize.yaml").normalize
    texts = [
        "Keeps portfolioo dashboard currentt",
        "Keeps portfolio dashboard current",
        "Keeps portfolio dashboardd current",
        "Forecasts 3 months in advance",
        "Forecasts 6 months in advance",
        "Begins to find opportunities",
        "Finds opportunities",
        "Shares learnings",
        "Shares learnings with the team",
        "Clearly explains design to nonengineers",
        "Explains design to non-engineering partners clearly",
    ]
    whole = dedupe(texts, toy)
    monkeypatch.setattr(dedupe_module, "GUARD_CHUNK", 1)
    one_by_one = dedupe(texts, toy)
    assert one_by_one.clusters == whole.clusters
    assert one_by_one.scores == whole.scores
    assert one_by_one.merged_why == whole.merged_why
    assert one_by_one.kept_apart == whole.kept_apart
    assert [o.explain() for o in whole.kept_apart] == [o.explain() for o in one_by_one.kept_apart]
    assert {o.rule for o in whole.kept_apart} >= {"no_chaining", "numbers"}


def test_align_repeated_words_and_compounds() -> None:
    config = DedupeSettings()
    normalizer = TextNormalizer(config)
    guards = Guards(config)
    # a word repeats on one side: words are removed one by one, not by set
    al = guards.align(normalizer.analyze("test code and test data"), normalizer.analyze("test code"))
    assert (al.removed, al.added, al.shared) == (("datum", "test"), (), ("code", "test"))
    # a compound written as one word on one side and two on the other
    al = guards.align(normalizer.analyze("inform stakeholder"), normalizer.analyze("inform stake holder"))
    assert (al.aligned, al.removed, al.added) == ((("stakeholder", "stake holder"),), (), ())

"""The guards in bulk (`Guards.check_pairs`) decide every pair as `Guards.check` does, and the alignment's fast
paths give what its full steps give."""

from __future__ import annotations

import random
from itertools import combinations

import numpy as np

from pipeline.build.dedupe import best_near_miss_mask, best_near_misses, dedupe
from pipeline.build.dedupe.candidates import _rounded
from pipeline.build.dedupe.guards import Guards
from pipeline.build.dedupe.matcher import _MODIFIER_ENDINGS, Alignment, Matcher
from pipeline.build.normalize_text import Normalized, TextNormalizer
from pipeline.config import Config

CFG = Config().normalize

_WORDS = [
    "review", "design", "doc", "documentation", "stakeholder", "stake", "holder", "nonengineering",
    "nonengineer", "partner", "team", "many", "about", "not", "never", "begin to", "learn to", "3", "three",
    "6", "plan", "plans", "analyze", "analyse", "clearly", "and", "or", "test", "benchmark", "write", "small",
    "project", "direction", "with", "company", "risk", "risks", "forecast", "month", "months", "review",
]  # fmt: skip


def _statements(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return sorted({" ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 8))) for _ in range(n)})


def _reference_align(m: Matcher, a: Normalized, b: Normalized) -> Alignment:
    """The alignment's full steps, one word at a time (what `Matcher.align` did before its fast paths)."""
    wa, ma, fa = m.core(a.form)
    wb, mb, fb = m.core(b.form)
    ignored: list[tuple[str, str, str]] = []
    ignored += [("A", f, "framing") for f in fa if f not in fb]
    ignored += [("B", f, "framing") for f in fb if f not in fa]
    ignored += [("A", w, "manner") for w in sorted(set(ma) - set(mb))]
    ignored += [("B", w, "manner") for w in sorted(set(mb) - set(ma))]
    ra, rb = list(wa), list(wb)
    shared = []
    for w in list(ra):
        if w in rb:
            ra.remove(w)
            rb.remove(w)
            shared.append(w)
    aligned: list[tuple[str, str]] = []
    fuzzy: list[tuple[str, str]] = []
    m._pair_off(ra, rb, lambda x, y: m.canonical(x) == m.canonical(y), aligned)
    for one, rest_one, two, rest_two, flip in ((ra, ra, wb, rb, False), (rb, rb, wa, ra, True)):
        for w in list(one):
            for x, y in zip(two, two[1:], strict=False):
                if x + y == w and x in rest_two and y in rest_two:
                    rest_one.remove(w)
                    rest_two.remove(x)
                    rest_two.remove(y)
                    aligned.append((f"{x} {y}", w) if flip else (w, f"{x} {y}"))
                    break
    m._pair_off(ra, rb, m.variants, fuzzy)
    aligned += fuzzy
    for side, words, rest, pick in (("A", wa, ra, 0), ("B", wb, rb, 1)):
        modifiers = {pair[pick] for pair in aligned if pair[pick].endswith(_MODIFIER_ENDINGS)}
        modifiers -= {pair[1 - pick] for pair in aligned}
        for i, w in enumerate(words[1:], start=1):
            if w in rest and w in m.head_nouns and words[i - 1] in modifiers:
                rest.remove(w)
                ignored.append((side, w, "head noun"))
    return Alignment(
        tuple(aligned), tuple(ignored), tuple(sorted(ra)), tuple(sorted(rb)), tuple(sorted(shared)), tuple(fuzzy)
    )


def _normalized(texts: list[str]) -> list[Normalized]:
    normalizer = TextNormalizer(CFG)
    by_form: dict[str, Normalized] = {}
    for t in texts:
        a = normalizer.analyze(t)
        by_form.setdefault(a.form, a)
    return [by_form[f] for f in sorted(by_form)]


def test_alignment_fast_paths_give_the_full_steps() -> None:
    forms = _normalized(_statements(160, 1))
    guards = Guards(CFG)
    pairs = list(combinations(range(len(forms)), 2))
    assert len(pairs) > 10_000
    different = [(i, j) for i, j in pairs if guards.matcher.align(forms[i], forms[j]) != _reference_align(
        guards.matcher, forms[i], forms[j])]  # fmt: skip
    assert different == []


def test_alignment_paths_exact() -> None:
    m = Guards(CFG).matcher
    texts = [
        "review design review doc",
        "review design",
        "write stakeholder plan",
        "write stake holder plans",
        "explain design to nonengineers clearly",
        "clearly explain design to nonengineering partner",
        "write documentation plan",
        "write dokumentation plan",
    ]
    by = {x.form: x for x in _normalized(texts)}

    def align(a: str, b: str) -> Alignment:
        found = m.align(by[a], by[b])
        assert found == _reference_align(m, by[a], by[b])
        return found

    # a word repeats on one side: removed one at a time; nothing left on B: nothing to pair
    assert align("review design review doc", "review design") == Alignment(
        (), (), ("doc", "review"), (), ("design", "review")
    )
    # a compound: the full steps
    assert align("write stake holder plan", "write stakeholder plan") == Alignment(
        (("stake holder", "stakeholder"),), (), (), (), ("plan", "write")
    )
    # a spelling variant and a head noun: the tight pair-off, then the head noun
    al = align("explain design to nonengineers clearly", "clearly explain design to nonengineering partner")
    assert (al.aligned, al.ignored, al.removed, al.added) == (
        (("nonengineers", "nonengineering"),),
        (("B", "partner", "head noun"),),
        (),
        (),
    )
    assert align("write documentation plan", "write dokumentation plan").fuzzy == (("documentation", "dokumentation"),)


def test_check_pairs_decides_every_pair_as_check() -> None:
    forms = _normalized(_statements(160, 2))
    guards = Guards(CFG)
    pairs = list(combinations(range(len(forms)), 2))
    ii = np.asarray([p[0] for p in pairs], dtype=np.int64)
    jj = np.asarray([p[1] for p in pairs], dtype=np.int64)
    report = np.asarray([(i + j) % 3 == 0 for i, j in pairs], dtype=bool)
    rules, alignments = guards.check_pairs(forms, ii, jj, report)
    expected = [guards.check(forms[i], forms[j]) for i, j in pairs]
    assert rules == [h.rule if h else None for h in expected]
    decided = guards.decided(guards.facts(forms), ii, jj)
    for p, (hit, al) in enumerate(zip(expected, alignments, strict=True)):
        if al is None:  # decided without the alignment, and not reported
            assert decided[p] >= 0 and not report[p] and hit is not None
        else:
            assert al == guards.matcher.align(forms[ii[p]], forms[jj[p]])
            assert hit is None or (hit.removed, hit.added) == (al.removed, al.added)
    # every rule of the bulk decision and the alignment's rules occur in this corpus
    assert {"numbers", "quantity", "negation", "proficiency", "object"} <= set(rules)
    assert (decided >= 0).sum() > 0 and (decided < 0).sum() > 0


def test_decided_waits_for_an_earlier_rule_that_needs_the_alignment() -> None:
    guards = Guards(CFG)
    forms = _normalized(["escalate many risk", "do not escalate risk", "escalate risk", "never escalate risk"])
    index = {f.form: x for x, f in enumerate(forms)}
    facts = guards.facts(forms)
    pairs = [("escalate many risk", "do not escalate risk"), ("escalate risk", "never escalate risk")]
    ii = np.asarray([index[a] for a, _ in pairs])
    jj = np.asarray([index[b] for _, b in pairs])
    names = [name for name, _ in Guards.RULES]
    # "many" is a quantity word: quantity comes before negation, so only the alignment can tell
    assert [names[k] if k >= 0 else None for k in guards.decided(facts, ii, jj).tolist()] == [None, "negation"]
    assert guards.check_pairs(forms, ii, jj, np.zeros(2, dtype=bool))[0] == ["quantity", "negation"]


def test_rounded_scores_are_pythons_rounding() -> None:
    values = np.asarray([88.125, 87.5, 100.0, 76.66666, 0.005, 91.30435, 88.125], dtype=np.float32)
    assert _rounded(values).tolist() == [round(float(v), 2) for v in values]
    assert _rounded(values).tolist() == [88.12, 87.5, 100.0, 76.67, 0.0, 91.3, 88.12]  # 0.005 as float32 is below 0.005


def test_best_near_miss_mask_on_arrays() -> None:
    ii, jj = np.asarray([0, 0, 1, 2]), np.asarray([1, 2, 2, 3])
    ss = np.asarray([80.0, 79.0, 78.0, 95.0])
    assert best_near_miss_mask(ii, jj, ss, 88, 1).tolist() == [True, True, False, True]
    assert best_near_misses({(0, 1): 80, (0, 2): 79, (1, 2): 78, (2, 3): 95}, 88, 1) == {
        (0, 1): 80,
        (0, 2): 79,
        (2, 3): 95,
    }


def test_dedupe_on_shuffled_input_is_the_same() -> None:
    texts = _statements(200, 3)
    first = dedupe(texts, CFG)
    again = dedupe(random.Random(4).sample(texts, len(texts)), CFG)
    assert first.clusters == again.clusters
    assert [(p.a, p.b, p.rule, p.explain()) for p in first.kept_apart] == [
        (p.a, p.b, p.rule, p.explain()) for p in again.kept_apart
    ]

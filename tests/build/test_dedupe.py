"""De-duplication: each guard with its exact rule, no chaining, determinism, id stability, the labeled set."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.build.dedupe import (
    behavior_id,
    blocked_pairs,
    complete_linkage,
    dedupe,
    evaluate_pairs,
    exhaustive_pairs,
    guard_rule,
    read_labeled_pairs,
    same_behavior,
)
from pipeline.build.normalize_text import TextNormalizer
from pipeline.config import NormalizeConfig, load_config
from pipeline.errors import InputError

DATA = Path(__file__).resolve().parent.parent / "data"
CFG = NormalizeConfig()


@pytest.mark.parametrize(
    ("a", "b", "rule"),
    [
        (
            "Ability to forecast all major events accurately 3 months in advance",
            "Ability to forecast all major events accurately 6 months in advance",
            "numbers",
        ),
        (
            "Maintains three strong relationships per account",
            "Maintains five strong relationships per account",
            "numbers",
        ),
        (
            "Maintains about 3 strong relationships per account",
            "Maintains many strong relationships per account",
            "numbers",
        ),
        (
            "Maintains many strong relationships per account",
            "Maintains few strong relationships per account",
            "quantity",
        ),
        ("Escalates risks with the team lead", "Does not escalate risks with the team lead", "negation"),
        (
            "Begins to find opportunities to contribute to initiatives",
            "Finds opportunities to contribute to initiatives",
            "proficiency",
        ),
        ("Can analyze basic data provided to them", "Can analyze advanced data provided to them", "proficiency"),
        (
            "Builds dashboards for common customer use cases",
            "Builds dashboards for complex customer use cases",
            "proficiency",
        ),
        ("Becoming proficient in executing plays", "Becoming an expert in executing plays", "proficiency"),
        (
            "Has relationships with multiple stakeholders",
            "Has strong relationships with multiple stakeholders",
            "proficiency",
        ),
        (
            "Focus on the personal development of team members",
            "Focus on the personal development of team leaders",
            "object",
        ),
        ("Expert change management skills", "Expert risk management skills", "object"),
        ("Shares product learnings", "Shares product learnings with the team", "scope"),
        (
            "Puts customers in the center of every decision",
            "Puts customers in the center of every decision with partners and vendors",
            "added_detail",
        ),
    ],
)
def test_guard_rule(a: str, b: str, rule: str) -> None:
    assert guard_rule(a, b, CFG) == rule
    assert not same_behavior(a, b, CFG)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "Invests time in accordance with their account plan",
            "CSM will invest time in accordance with their account plan",
        ),
        ("Works with the client on goals", "Works with the customer on goals"),
        ("Analyzes missing data points", "Analyses missing data points"),
        ("Ensures accurate reporting", "Ensures accuracy reporting"),
        (
            "Effectively facilitates Office Hours in a concise manner",
            "Effectively facilitates Office Hours in a concise maner",
        ),
    ],
)
def test_merges_small_edits(a: str, b: str) -> None:
    assert guard_rule(a, b, CFG) is None
    assert same_behavior(a, b, CFG)


def test_diff_words() -> None:
    n = TextNormalizer(CFG)
    from pipeline.build.dedupe import Guards

    g = Guards(CFG)
    assert g.diff(
        n.analyze("Focus on development of team members"), n.analyze("Focus on development of team leaders")
    ) == (
        ("member",),
        ("leader",),
    )
    assert g.diff(n.analyze("Uses the client data"), n.analyze("Utilizes customer data")) == ((), ())


# ----------------------------------------------------------------------------------------- no chaining


def test_complete_linkage_refuses_chains() -> None:
    assert complete_linkage(3, {(0, 1): 90.0, (1, 2): 95.0}) == ([[0], [1, 2]], [(0, 1)])
    assert complete_linkage(3, {(0, 1): 90.0, (1, 2): 95.0, (0, 2): 89.0}) == ([[0, 1, 2]], [])
    assert complete_linkage(4, {(0, 1): 99.0, (2, 3): 99.0, (1, 2): 98.0}) == ([[0, 1], [2, 3]], [(1, 2)])


def test_no_chaining_in_dedupe() -> None:
    toy = load_config(DATA / "toy_normalize.yaml").normalize
    a = "Keeps portfolioo dashboard currentt"  # ~ b (96.97)
    b = "Keeps portfolio dashboard current"  # ~ c (98.46)
    c = "Keeps portfolio dashboardd current"  # !~ a (95.52 < 96)
    result = dedupe([a, b, c], toy)
    assert result.score("keep portfolio dashboard current", "keep portfolioo dashboard currentt") == 96.97
    assert result.score("keep portfolio dashboard current", "keep portfolio dashboardd current") == 98.46
    assert result.score("keep portfolio dashboardd current", "keep portfolioo dashboard currentt") == 95.52
    assert result.key_of(b) == result.key_of(c)
    assert result.key_of(a) != result.key_of(c)
    assert result.clusters == {
        "keep portfolio dashboard current": ["keep portfolio dashboard current", "keep portfolio dashboardd current"],
        "keep portfolioo dashboard currentt": ["keep portfolioo dashboard currentt"],
    }
    rules = {(o.a, o.b): o.rule for o in result.kept_apart}
    assert rules == {
        ("keep portfolio dashboard current", "keep portfolioo dashboard currentt"): "no_chaining",
        ("keep portfolio dashboardd current", "keep portfolioo dashboard currentt"): "below_threshold",
    }


# ------------------------------------------------------------------------------- determinism, stability


def _seed_texts(seed_parsed) -> list[str]:
    return [b.text for p in seed_parsed.values() for b in p.behaviors]


def test_shuffled_input_gives_identical_result(seed_parsed) -> None:
    texts = _seed_texts(seed_parsed)
    base = dedupe(texts, CFG)
    for seed in (1, 2, 3):
        shuffled = texts[:]
        random.Random(seed).shuffle(shuffled)
        other = dedupe(shuffled, CFG)
        assert other.clusters == base.clusters
        assert other.kept_apart == base.kept_apart


_WORDS = ["share", "team", "feedback", "lead", "plan", "account", "customer", "data", "basic", "advanced", "3", "6"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_WORDS), min_size=2, max_size=7).map(" ".join), min_size=1, max_size=25),
    st.randoms(),
)
def test_dedupe_is_order_independent(texts: list[str], rnd: random.Random) -> None:
    shuffled = texts[:]
    rnd.shuffle(shuffled)
    a, b = dedupe(texts, CFG), dedupe(shuffled, CFG)
    assert a.clusters == b.clusters
    assert {t: a.key_of(t) for t in texts} == {t: b.key_of(t) for t in texts}
    for members in a.clusters.values():  # no chaining: every two members of a cluster scored >= threshold
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                assert a.score(x, y) >= CFG.merge_threshold


def test_workers_do_not_change_result(seed_parsed) -> None:
    texts = _seed_texts(seed_parsed)
    assert dedupe(texts, CFG).clusters == dedupe(texts, NormalizeConfig(workers=2)).clusters


def test_unrelated_texts_do_not_change_ids(seed_parsed) -> None:
    texts = _seed_texts(seed_parsed)
    before = dedupe(texts, CFG)
    unrelated = [
        "Writes unit tests for every pull request",
        "Reviews pull requests within one working day",
        "Mentors two junior engineers on code quality",
    ]
    after = dedupe(texts + unrelated, CFG)
    assert {t: behavior_id(before.key_of(t)) for t in texts} == {t: behavior_id(after.key_of(t)) for t in texts}


def test_behavior_id_is_hash_of_smallest_form() -> None:
    result = dedupe(["Invests time in their plan", "CSM will invest time in their plan."], CFG)
    assert list(result.clusters) == ["invest time in their plan"]
    assert behavior_id("invest time in their plan") == behavior_id(result.key_of("Invests time in their plan"))
    assert behavior_id("invest time in their plan").startswith("beh_")


# --------------------------------------------------------------------------------------- blocking


def test_blocking_finds_every_pair_exhaustive_search_finds_on_seeds(seed_parsed) -> None:
    texts = _seed_texts(seed_parsed)
    n = TextNormalizer(CFG)
    forms = sorted({n.normalize(t) for t in texts})
    blocked = {(forms[i], forms[j]) for (i, j), s in blocked_pairs(forms, CFG, 70.0).items()}
    exhaustive = {(p.a, p.b) for p in exhaustive_pairs(texts, CFG, cutoff=70.0)}
    assert exhaustive  # the seeds do hold near-duplicates
    assert exhaustive <= blocked


def test_exhaustive_pairs_exact() -> None:
    pairs = exhaustive_pairs(["Shares feedback weekly", "Share feedback weekly.", "Leads the team"], CFG)
    assert [(p.a, p.b, p.score) for p in pairs] == []  # the two first have one form: no pair of distinct forms
    pairs = exhaustive_pairs(["Shares feedback weekly", "Shares feedbak weekly"], CFG)
    assert [(p.a, p.b) for p in pairs] == [("share feedback weekly", "share feedbak weekly")]


# --------------------------------------------------------------------------------------- quality


def test_labeled_set_meets_target() -> None:
    pairs = read_labeled_pairs(DATA / "labeled_pairs.csv")
    assert len(pairs) >= 80
    result = evaluate_pairs(pairs, CFG)
    assert result.same >= 40 and result.different >= 40
    assert result.recall >= 0.95, [p.note for p in result.missed]
    assert result.false_merge_rate <= 0.05, [p.note for p in result.wrongly_merged]


def test_labeled_pairs_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="labeled pairs file not found"):
        read_labeled_pairs(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\nx,y\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"missing column\(s\) label; expected columns a, b, label, note"):
        read_labeled_pairs(bad)
    bad.write_text("a,b,label\nx,y,maybe\n", encoding="utf-8")
    with pytest.raises(InputError, match="label 'maybe' is not one of same, different"):
        read_labeled_pairs(bad)


def test_unknown_candidate_method_lists_the_valid_names():
    from pipeline.build.dedupe import CANDIDATE_METHODS, scored_candidates

    assert CANDIDATE_METHODS == ("content_keys", "prefix", "exhaustive")
    with pytest.raises(InputError) as err:
        scored_candidates(["a b"], CFG, 80, "nearest")
    assert str(err.value) == "unknown candidate generation 'nearest' (valid: content_keys, prefix, exhaustive)"


def test_every_candidate_method_finds_the_same_merges_on_a_small_set():
    from pipeline.build.dedupe import scored_candidates

    forms = sorted({"review design", "review designs carefully", "write test", "write tests", "plan sprint"})
    found = {m: scored_candidates(forms, CFG, CFG.merge_threshold, m) for m in ("content_keys", "prefix", "exhaustive")}
    assert found["exhaustive"][1] == 10
    assert {m: sc for m, (sc, _) in found.items()} == {m: {(3, 4): 95.24} for m in found}  # write test ~ write tests

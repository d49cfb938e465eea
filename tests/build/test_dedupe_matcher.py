"""The matcher: framing, alignment, the rules that name what is left over, explanations, labeled classes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from pipeline.build.dedupe import (
    Guards,
    dedupe,
    evaluate_pairs,
    guard_rule,
    read_labeled_pairs,
    same_behavior,
)
from pipeline.build.dedupe import reworded_pairs as reworded
from pipeline.build.dedupe.evaluate import resolve_reference
from pipeline.build.dedupe.guards import explain_rule
from pipeline.build.dedupe.matcher import stem
from pipeline.build.normalize_text import TextNormalizer
from pipeline.config import NormalizeConfig
from pipeline.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
LADDERS = ROOT.parent / "shared" / "ladders" / "raw"
CFG = NormalizeConfig()
N = TextNormalizer(CFG)
G = Guards(CFG)


def test_stem_docstring() -> None:
    assert [stem(w) for w in ("readiness", "ready", "mentorship", "communication")] == [
        "read",
        "read",
        "mentor",
        "communic",
    ]


def test_core_drops_framing_and_sets_manner_aside() -> None:
    assert G.matcher.core("staff engineer are know as expert on system") == (
        ("expert", "system"),
        (),
        ("staff engineer are know as",),
    )
    assert G.matcher.core("show commitment to quality by review design clearly") == (
        ("review", "design"),
        ("clearly",),
        ("show commitment to quality by",),
    )
    assert G.matcher.core_key("clearly explain design") == ("design", "explain")


def test_align_docstring() -> None:
    al = G.align(
        N.analyze("Explains designs to non-engineers clearly"),
        N.analyze("Clearly explains designs to non-engineering partners"),
    )
    assert al.aligned == (("nonengineers", "nonengineering"),)
    assert al.ignored == (("B", "partner", "head noun"),)
    assert (al.removed, al.added) == ((), ())
    assert al.describe() == "aligned: nonengineers~nonengineering; ignored: partner (head noun, B)"
    assert al.describe(flip=True) == "aligned: nonengineering~nonengineers; ignored: partner (head noun, A)"


@pytest.mark.parametrize(
    ("a", "b", "rule"),
    [
        ("Describe risks to stakeholders", "Forecast and describe risks to stakeholders", "added_verb"),
        ("Write tests and docs", "Write tests, benchmarks and docs", "added_item"),
        ("Set project direction", "Set small project direction", "modifier"),
        ("Ships fixes", "Ships low-impact fixes", "modifier"),
        ("Mentors 3 engineers", "Mentors 5 engineers", "numbers"),
        ("Reviews code for the team", "Reviews code for the company", "object"),
        (
            "Puts customers in the center of every decision",
            "Puts customers in the center of every decision with partners and vendors",
            "added_detail",
        ),
    ],
)
def test_left_over_words_are_named(a: str, b: str, rule: str) -> None:
    assert guard_rule(a, b, CFG) == rule
    assert not same_behavior(a, b, CFG)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Shows commitment to quality by reviewing designs", "Reviews designs"),
        ("Has shown readiness to mentor new joiners", "Ready to mentor new joiners"),
        ("Owns parts of the release process", "Owns the release process"),
        ("Plans the work and then delivers it", "Plans the work and delivers it successfully"),
        ("Staff engineers are known as the expert on a system", "Is the expert on a system"),
        ("Explains designs to non-engineers clearly", "Clearly explains designs to non-engineering partners"),
        ("Mentors 3 engineers", "Mentors three engineers"),
        (
            "Keeps stakeholders engaged throughout the project lifecycle",
            "Keeps stake holders engaged throughout the project lifecycle",
        ),
        ("Your work directly contributes to team goals", "Directly contributes to team goals"),
    ],
)
def test_rewordings_merge(a: str, b: str) -> None:
    assert guard_rule(a, b, CFG) is None
    assert same_behavior(a, b, CFG)


def test_explain_rule_docstring() -> None:
    assert explain_rule("modifier", (), ("small",), None) == "kept apart: scope modifier 'small' only in B"
    assert explain_rule("object", ("member",), ("leader",), None, flip=True) == (
        "kept apart: object replaced 'leader' only in A; 'member' only in B"
    )


def test_reworded_pairs_docstring() -> None:
    forms = ["clearly explain design to nonengineer", "review design", "show commitment to quality by review design"]
    assert list(reworded(forms, G, {})) == [(1, 2)]


def test_merges_and_near_misses_explain_themselves() -> None:
    result = dedupe(
        ["Shows commitment to quality by reviewing designs", "Reviews designs", "Reviews small designs"], CFG
    )
    assert result.clusters["review design"] == ["review design", "show commitment to quality by review design"]
    assert result.why("review design", "show commitment to quality by review design") == (
        "merged: ignored: show commitment to quality by (framing, B)"
    )
    [miss] = [p for p in result.kept_apart if p.b == "review small design"]
    assert (miss.a, miss.rule) == ("review design", "modifier")
    assert miss.explain() == "kept apart: scope modifier 'small' only in B (left over: small (B))"
    assert miss.explain(flip=True) == "kept apart: scope modifier 'small' only in A (left over: small (A))"
    assert miss.likelihood == round(miss.score / 100 * 0.5 / 2, 4)


def test_class_file_figures() -> None:
    result = evaluate_pairs(read_labeled_pairs(DATA / "labeled_pairs_classes.csv"), CFG)
    assert (result.same, result.different, result.true_merges, result.false_merges) == (26, 29, 24, 1)
    assert sorted(result.by_class) == [
        "added_item",
        "added_verb",
        "framing",
        "manner",
        "negation",
        "numbers",
        "object",
        "paraphrase",
        "proficiency",
        "quantity",
        "role_frame",
        "scope",
        "scope_modifier",
        "verb_form",
        "word_order_synonym",
    ]
    assert all(r.same and r.different for k, r in result.by_class.items() if k != "quantity")
    assert (result.by_class["framing"].true_merges, result.by_class["framing"].false_merges) == (7, 0)
    assert [p.klass for p in result.wrongly_merged] == ["verb_form"]  # growing/grown share one lemma


def test_seed_pairs_do_not_regress() -> None:
    result = evaluate_pairs(read_labeled_pairs(DATA / "labeled_pairs.csv"), CFG)
    assert (result.true_merges, result.same, result.false_merges, result.different) == (55, 55, 0, 56)


def test_resolve_reference(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# Title\n\n- <b>Reviews designs</b>\n", encoding="utf-8")
    assert resolve_reference("notes.md:3", tmp_path) == "Reviews designs"
    with pytest.raises(InputError, match="notes.md has 3 lines"):
        resolve_reference("notes.md:9", tmp_path)
    with pytest.raises(InputError, match="the line holds no text"):
        resolve_reference("notes.md:2", tmp_path)
    with pytest.raises(InputError, match="expected file:line"):
        resolve_reference("missing.md:1", tmp_path)
    with pytest.raises(InputError, match="name the folder they point into"):
        read_labeled_pairs(DATA / "labeled_pairs_real.csv")


@pytest.mark.skipif(not LADDERS.is_dir(), reason="the real ladders are not next to the repository")
def test_real_ladder_references() -> None:
    pairs = read_labeled_pairs(DATA / "labeled_pairs_real.csv", LADDERS)
    assert len(pairs) == 24
    result = evaluate_pairs(pairs, CFG)
    assert (result.same, result.true_merges, result.different, result.false_merges) == (8, 6, 16, 0)
    assert sorted(p.klass for p in result.missed) == ["manner", "paraphrase"]


def test_cli_prints_classes() -> None:
    out = CliRunner().invoke(app, ["eval-dedupe", "--pairs", str(DATA / "labeled_pairs_classes.csv")])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[4] == "class               pairs  precision  recall  different-pairs merged"
    assert lines[7] == "framing                10      1.000   1.000  0 of 3 (7 of 7 same merged)"

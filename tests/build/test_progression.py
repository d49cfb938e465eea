"""Progression links between levels, `progression_between`, the two CLI commands, and id stability of a run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from pipeline.build import build_ladder
from pipeline.build.progression import consecutive_changes, format_change, progression_between
from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.models import Behavior, Ladder, Occurrence, Progression, Role, Track
from pipeline.release.emit import emit_dataset
from pipeline.run import process_file
from tests.conftest import FIXTURES, RAW

CFG = Config()
FIND = "Begins to find opportunities to contribute to initiatives being led by other team members"
FINDS = "Finds opportunities to contribute to initiatives being led by other team members"


def _build(paths: list[Path], raw: Path):
    results = [process_file(p, raw, CFG) for p in paths]
    return build_ladder([r.document for r in results if r.document], [r.parsed for r in results if r.parsed], [], CFG)


@pytest.fixture(scope="module")
def ladder():
    return _build(sorted(RAW.glob("0*")), RAW)


def test_links_lower_to_higher(ladder) -> None:
    text = {b.id: b.text for b in ladder.behaviors}
    links = {(p.track, text[p.from_behavior], text[p.to_behavior]): p for p in ladder.progressions}
    find = links[("Scale CSM", FIND, FINDS)]
    assert (find.from_level, find.to_level, find.rule, find.removed_words, find.added_words) == (
        "IC2",
        "IC3",
        "proficiency",
        ["begin"],
        [],
    )
    months = next(p for k, p in links.items() if "3 months in advance" in k[1])
    assert "6 months in advance" in text[months.to_behavior]
    assert (months.from_level, months.to_level, months.rule, months.removed_words, months.added_words) == (
        "IC2",
        "IC3",
        "numbers",
        ["3"],
        ["6"],
    )
    members = links[
        (
            "High Touch CSM",
            "Focus on the personal development of team members",
            "Focus on the personal development of team leaders",
        )
    ]
    assert (members.from_level, members.to_level, members.rule) == ("M1", "M4", "object")
    for p in ladder.progressions:  # always lower -> higher on one path
        assert p.from_level[:1] == p.to_level[:1] and int(p.from_level.lstrip("ICM")) < int(p.to_level.lstrip("ICM"))


def test_progression_between(ladder) -> None:
    change = progression_between(ladder, "scale csm", "IC2", "Senior Scale CSM")
    assert (change.track, change.from_level, change.to_level) == ("Scale CSM", "IC2", "IC3")
    assert (FIND, FINDS) in {(s.before.text, s.after.text) for s in change.strengthened}
    assert FINDS not in {b.text for b in change.new}
    assert FIND not in {b.text for b in change.dropped}
    kept = {b.text for b in change.kept}
    assert (
        "Keeps portfolio board up to date and organized, ensures accurate reporting of CS engagements in Salesforce"
        in kept
    )
    assert "More independently manages difficult customer scenarios" in {b.text for b in change.new}
    assert "Contributes or leads initiatives within the Scale team" in {b.text for b in change.dropped}
    assert len(change.new) + len(change.strengthened) + len(change.kept) == len(
        {b.id for b in ladder.behaviors if any(o.track == "Scale CSM" and o.level == "IC3" for o in b.occurrences)}
    )


def _tiny_ladder() -> Ladder:
    """One track, IC1..IC3; "basic" (IC1) -> "advanced" (IC2) -> "advanced, custom" (IC3) linked by progressions."""
    roles = [
        Role(
            id=f"r{n}",
            track_id="t",
            track="T",
            title=f"Role {n}",
            path="ic",
            level=f"IC{n}",
            order=n - 1,
            defined=True,
            doc_id="d",
            source_ref=f"L{n}",
        )
        for n in (1, 2, 3)
    ]

    def beh(bid: str, text: str, *levels: int) -> Behavior:
        occ = [
            Occurrence(
                doc_id="d",
                source_file="f",
                source_ref=f"L{10 * n}",
                track="T",
                role=f"Role {n}",
                role_id=f"r{n}",
                path="ic",
                level=f"IC{n}",
                competency="C",
                competency_id="c",
                text=text,
            )
            for n in levels
        ]
        return Behavior(id=bid, text=text, competency_ids=["c"], occurrences=occ)

    def link(a: str, b: str, lo: int, hi: int) -> Progression:
        return Progression(
            track="T",
            competency_id="c",
            from_behavior=a,
            to_behavior=b,
            from_level=f"IC{lo}",
            to_level=f"IC{hi}",
            rule="proficiency",
            score=90.0,
        )

    behaviors = [
        beh("b_basic", "Analyzes basic data", 1),
        beh("b_adv", "Analyzes advanced data", 2),
        beh("b_custom", "Analyzes advanced and custom data", 3),
        beh("b_all", "Keeps the board up to date", 1, 2, 3),
        beh("b_one", "Learns the product", 1),
        beh("b_three", "Leads product sessions", 3),
    ]
    return Ladder(
        documents=[],
        tracks=[Track(id="t", name="T", doc_ids=["d"], role_ids=["r1", "r2", "r3"])],
        roles=roles,
        competencies=[],
        behaviors=behaviors,
        progressions=[link("b_basic", "b_adv", 1, 2), link("b_adv", "b_custom", 2, 3)],
    )


def test_strengthened_through_a_chain() -> None:
    change = progression_between(_tiny_ladder(), "T", "IC1", "IC3")
    assert [(s.before.id, s.after.id, [p.to_behavior for p in s.links]) for s in change.strengthened] == [
        ("b_basic", "b_custom", ["b_adv", "b_custom"])
    ]
    assert [b.id for b in change.new] == ["b_three"]
    assert [b.id for b in change.dropped] == ["b_one"]
    assert [b.id for b in change.kept] == ["b_all"]
    step = progression_between(_tiny_ladder(), "T", "Role 1", "Role 2")
    assert [(s.before.id, s.after.id) for s in step.strengthened] == [("b_basic", "b_adv")]
    assert [b.id for b in step.new] == [] and [b.id for b in step.dropped] == ["b_one"]


def test_unknown_track_and_level(ladder) -> None:
    with pytest.raises(
        InputError, match=r"unknown track 'Nope'; valid tracks: High Touch CSM, Partners Success, Scale CSM"
    ):
        progression_between(ladder, "Nope", "IC1", "IC2")
    with pytest.raises(
        InputError, match=r"unknown level 'IC9' in track 'Scale CSM'; valid levels: IC1 \(Associate Scale CSM\), "
    ):
        progression_between(ladder, "Scale CSM", "IC9", "IC2")


def test_format_change(ladder) -> None:
    out = format_change(progression_between(ladder, "Scale CSM", "IC2", "IC3"))
    assert out.startswith("Scale CSM: IC2 -> IC3\n\nStrengthened (")
    assert f"  - {FIND}\n    -> {FINDS}\n       (proficiency: -begin +∅)\n" in out


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_progression(ladder, tmp_path: Path) -> None:
    emit_dataset(ladder, tmp_path)
    runner = CliRunner()
    ok = runner.invoke(
        app,
        [
            "progression",
            "--track",
            "Scale CSM",
            "--from",
            "IC2",
            "--to",
            "IC3",
            "--ladder",
            str(tmp_path / "ladder.json"),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("Scale CSM: IC2 -> IC3\n")
    missing = runner.invoke(
        app,
        [
            "progression",
            "--track",
            "Scale CSM",
            "--from",
            "IC2",
            "--to",
            "IC3",
            "--ladder",
            str(tmp_path / "nope.json"),
        ],
    )
    assert missing.exit_code == 1
    assert "ladder: error: no ladder dataset at " in missing.output


def test_cli_eval_dedupe(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        app, ["eval-dedupe", "--pairs", str(Path(__file__).parent.parent / "data" / "labeled_pairs.csv")]
    )
    assert ok.exit_code == 0, ok.output
    lines = ok.output.splitlines()
    assert lines[0] == "pairs: 111 (55 same, 56 different)"
    assert lines[1].startswith("precision: 1.000 ")
    assert lines[2].startswith("recall: 1.000 (55 of 55 same-pairs merged)")
    missing = runner.invoke(app, ["eval-dedupe", "--pairs", str(tmp_path / "none.csv")])
    assert missing.exit_code == 1
    assert "ladder: error: labeled pairs file not found:" in missing.output


# --------------------------------------------------------------------------------------- id stability


def test_adding_an_unrelated_document_keeps_behavior_ids(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in sorted(RAW.glob("0*")):
        (raw / p.name).write_bytes(p.read_bytes())
    before = _build(sorted(raw.iterdir()), raw)
    (raw / "sales_ladder.txt").write_bytes((FIXTURES / "sales_ladder.txt").read_bytes())
    after = _build(sorted(raw.iterdir()), raw)
    assert len(after.behaviors) > len(before.behaviors)
    ids_after = {(o.source_file, o.source_ref, o.part): b.id for b in after.behaviors for o in b.occurrences}
    ids_before = {(o.source_file, o.source_ref, o.part): b.id for b in before.behaviors for o in b.occurrences}
    assert {k: ids_after[k] for k in ids_before} == ids_before


def test_input_order_gives_identical_dataset() -> None:
    paths = sorted(RAW.glob("0*"))
    a = _build(paths, RAW)
    b = _build(list(reversed(paths)), RAW)
    assert json.loads(a.model_dump_json()) == json.loads(b.model_dump_json())


def test_progressions_found_within_a_competency_even_when_many_words_change(ladder) -> None:
    """Level rewrites that change several words are still linked, because pairs inside one track and
    competency are compared exhaustively (not only through the merge candidates)."""
    text = {b.id: b.text for b in ladder.behaviors}
    links = {
        (text[p.from_behavior], text[p.to_behavior]): (p.rule, p.from_level, p.to_level) for p in ladder.progressions
    }
    assert links[
        (
            "Becoming proficient in executing the most common basic “plays”",
            "Becoming an expert in executing the most common “plays”",
        )
    ] == ("proficiency", "IC1", "IC2")
    assert links[
        (
            "Maintains about 3 strong relationships per account (given accounts are small/medium size)",
            "Maintains many (as needed by customer size and complexity) strong relationships per account",
        )
    ] == ("numbers", "IC1", "IC2")


def test_consecutive_changes_are_progression_between_each_pair(ladder) -> None:
    """The track indexes built in one pass give what each pair asked for alone gives."""
    changes = consecutive_changes(ladder)
    pairs = [(c.track, c.from_level, c.to_level) for c in changes]
    assert len(pairs) == len(set(pairs)) == 7
    assert sorted({c.track for c in changes}) == ["High Touch CSM", "Partners Success", "Scale CSM"]
    assert sum(len(c.strengthened) for c in changes) == 26
    for c in changes:
        assert progression_between(ladder, c.track, c.from_level, c.to_level) == c, (c.track, c.from_level)

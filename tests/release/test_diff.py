"""Dataset diff: each kind of entry, word-by-word text changes, the bump rule, versions."""

from __future__ import annotations

import random

import pytest

from pipeline.errors import ReleaseError
from pipeline.models import CompetencyAlias, Ladder, Track
from pipeline.release.diff import (
    DatasetDiff,
    EntityDiff,
    EntityRef,
    WordOp,
    bump_version,
    diff_ladders,
    diff_text,
    parse_version,
    summary_lines,
    word_diff,
)
from tests.tiny_ladder import HOSTILE, make_ladder, occurrence


def against(old: Ladder, new: Ladder) -> DatasetDiff:
    return diff_ladders(old, new, base_version="1.0.0")


def test_word_diff_marks_each_word() -> None:
    assert word_diff("Finds basic data insights", "Finds advanced data insights") == [
        WordOp(op="equal", text="Finds"),
        WordOp(op="delete", text="basic"),
        WordOp(op="insert", text="advanced"),
        WordOp(op="equal", text="data insights"),
    ]
    assert word_diff("Owns renewals", "Owns renewals end to end") == [
        WordOp(op="equal", text="Owns renewals"),
        WordOp(op="insert", text="end to end"),
    ]


def test_first_publish_everything_added() -> None:
    diff = diff_ladders(None, make_ladder())
    assert diff.base is None
    assert diff.counts == {
        "tracks": {"added": 2, "removed": 0, "changed": 0},
        "roles": {"added": 3, "removed": 0, "changed": 0},
        "competencies": {"added": 2, "removed": 0, "changed": 0},
        "behaviors": {"added": 3, "removed": 0, "changed": 0},
        "occurrences": {"added": 5, "removed": 0, "moved": 0},
    }
    assert [t.label for t in diff.tracks.added] == ["High Touch CSM", "Scale CSM"]
    assert [r.id for r in diff.roles.added] == ["role_high1", "role_scale1", "role_scale2"]
    assert diff.competencies.added[1] == EntityRef(
        id="comp_owner", label="Ownership", tracks=["High Touch CSM", "Scale CSM"]
    )
    assert diff.bump == "minor"
    assert diff.suggested_version == "1.0.0"
    assert summary_lines(diff) == [
        "No published release yet: everything in candidate is added.",
        "- tracks: 2 added, 0 removed, 0 changed",
        "- roles: 3 added, 0 removed, 0 changed",
        "- competencies: 2 added, 0 removed, 0 changed",
        "- behaviors: 3 added, 0 removed, 0 changed",
        "- occurrences: 5 added, 0 removed, 0 moved",
        "Suggested version: 1.0.0 (first release)",
    ]


def test_same_ladder_gives_empty_diff() -> None:
    diff = against(make_ladder(), make_ladder())
    assert diff.is_empty
    assert diff.bump == "none"
    assert diff.suggested_version == "1.0.0"
    assert summary_lines(diff) == ["No changes: candidate is identical to release 1.0.0."]
    assert diff_text(diff) == "No changes: candidate is identical to release 1.0.0."


def test_diff_ignores_list_order() -> None:
    old, new = make_ladder(), make_ladder()
    rng = random.Random(7)
    for name in ("tracks", "roles", "competencies", "behaviors"):
        rng.shuffle(getattr(new, name))
    for b in new.behaviors:
        rng.shuffle(b.occurrences)
    assert against(old, new).is_empty
    assert diff_ladders(None, new) == diff_ladders(None, old)


def test_track_added_and_removed_is_major() -> None:
    old, new = make_ladder(), make_ladder()
    new.tracks.append(Track(id="track_partner", name="Partners Success", doc_ids=[], role_ids=[]))
    diff = against(old, new)
    assert diff.tracks == EntityDiff(
        added=[EntityRef(id="track_partner", label="Partners Success", tracks=["Partners Success"])]
    )
    assert diff.bump == "minor"
    assert diff.suggested_version == "1.1.0"
    removed = against(new, old)
    assert [t.id for t in removed.tracks.removed] == ["track_partner"]
    assert removed.bump == "major"
    assert removed.suggested_version == "2.0.0"


def test_competency_renamed_under_same_id_is_major() -> None:
    old, new = make_ladder(), make_ladder()
    new.competencies[1].name = "Ownership and impact"
    diff = against(old, new)
    [change] = diff.competencies.changed
    assert change.id == "comp_owner"
    assert change.label == "Ownership and impact"
    [field] = change.fields
    assert (field.field, field.kind, field.before, field.after) == (
        "name",
        "rename",
        "Ownership",
        "Ownership and impact",
    )
    assert field.words == [WordOp(op="equal", text="Ownership"), WordOp(op="insert", text="and impact")]
    assert diff.bump == "major"


def test_role_level_change_is_minor_and_summary_fix_is_patch() -> None:
    old = make_ladder()
    level = make_ladder()
    level.roles[0].level = "IC2"
    diff = against(old, level)
    [change] = diff.roles.changed
    assert change.label == "Scale CSM / CSM I"
    assert [(f.field, f.kind, f.before, f.after) for f in change.fields] == [("level", "value", "IC1", "IC2")]
    assert diff.bump == "minor"

    summary = make_ladder()
    summary.roles[1].summary = "Owns a named book of accounts."
    diff = against(old, summary)
    [field] = diff.roles.changed[0].fields
    assert (field.field, field.kind) == ("summary", "text")
    assert field.words == [
        WordOp(op="equal", text="Owns a named"),
        WordOp(op="delete", text="book."),
        WordOp(op="insert", text="book of accounts."),
    ]
    assert diff.bump == "patch"
    assert diff.suggested_version == "1.0.1"


def test_competency_alias_and_description_changes() -> None:
    old, new = make_ladder(), make_ladder()
    new.competencies[0].aliases.append(CompetencyAlias(track="High Touch CSM", name="Insight", how="fuzzy:91"))
    new.competencies[1].descriptions[0].text = "Owns tasks and outcomes."
    diff = against(old, new)
    by_id = {c.id: c for c in diff.competencies.changed}
    assert [(f.field, f.kind, f.before, f.after) for f in by_id["comp_insight"].fields] == [
        ("aliases", "value", "Scale CSM: Customer insight", "High Touch CSM: Insight; Scale CSM: Customer insight")
    ]
    assert by_id["comp_insight"].tracks == ["High Touch CSM", "Scale CSM"]
    [desc] = by_id["comp_owner"].fields
    assert desc.field == "description (Scale CSM / CSM I)"
    assert desc.kind == "text"
    assert diff.bump == "minor"


def test_behavior_text_fix_shows_words_and_is_patch() -> None:
    old, new = make_ladder(), make_ladder()
    new.behaviors[1].text = "Finds advanced data insights"
    diff = against(old, new)
    [change] = diff.behaviors.changed
    assert change.id == "beh_data"
    [field] = change.fields
    assert field.words == word_diff("Finds basic data insights", "Finds advanced data insights")
    assert diff.bump == "patch"
    assert diff_text(diff).splitlines() == [
        "Changes in candidate since release 1.0.0:",
        "- tracks: 0 added, 0 removed, 0 changed",
        "- roles: 0 added, 0 removed, 0 changed",
        "- competencies: 0 added, 0 removed, 0 changed",
        "- behaviors: 0 added, 0 removed, 1 changed",
        "- occurrences: 0 added, 0 removed, 0 moved",
        "Suggested bump: patch -> 1.0.1",
        "changed behavior beh_data text: Finds [-basic-] {+advanced+} data insights",
    ]


def test_behavior_removed_takes_its_occurrences() -> None:
    old, new = make_ladder(), make_ladder()
    new.behaviors = [b for b in new.behaviors if b.id != "beh_hostile"]
    diff = against(old, new)
    assert diff.behaviors.removed == [EntityRef(id="beh_hostile", label=HOSTILE, tracks=["Scale CSM"])]
    assert [(o.source_file, o.source_ref, o.behavior_id) for o in diff.occurrences_removed] == [
        ("scale.txt", "L24", "beh_hostile")
    ]
    assert diff.bump == "major"
    assert diff.suggested_version == "2.0.0"


def test_occurrence_added() -> None:
    old, new = make_ladder(), make_ladder()
    role, comp = new.roles[2], new.competencies[0]
    new.behaviors[1].occurrences.append(occurrence(role, comp, "Finds basic data insights", "L9"))
    diff = against(old, new)
    assert [(o.source_file, o.source_ref, o.track, o.behavior_id) for o in diff.occurrences_added] == [
        ("high.md", "L9", "High Touch CSM", "beh_data")
    ]
    assert diff.occurrences_removed == [] and diff.occurrences_moved == []
    assert diff.bump == "minor"


def test_occurrence_moved_to_another_behavior() -> None:
    old, new = make_ladder(), make_ladder()
    moving = new.behaviors[0].occurrences.pop(2)  # High Touch's "end-to-end" leaves the renewals behavior
    new.behaviors[1].occurrences.append(moving)
    diff = against(old, new)
    [move] = diff.occurrences_moved
    assert (move.source_file, move.to_ref, move.from_behavior, move.to_behavior, move.changes) == (
        "high.md",
        "L4",
        "beh_renewals",
        "beh_data",
        ["behavior"],
    )
    assert diff.occurrences_added == [] and diff.occurrences_removed == []
    assert diff.bump == "minor"


def test_line_shift_is_matched_by_content_and_is_patch() -> None:
    old, new = make_ladder(), make_ladder()
    new.behaviors[1].occurrences[0].source_ref = "L10"  # a line inserted above the bullet
    diff = against(old, new)
    [move] = diff.occurrences_moved
    assert (move.from_ref, move.to_ref, move.changes) == ("L8", "L10", ["source_ref"])
    assert diff.bump == "patch"
    assert diff_text(diff).splitlines()[-1] == "moved occurrence scale.txt:L10 (source_ref): Finds basic data insights"


@pytest.mark.parametrize(
    ("version", "bump", "expected"),
    [
        ("1.4.2", "major", "2.0.0"),
        ("1.4.2", "minor", "1.5.0"),
        ("1.4.2", "patch", "1.4.3"),
        ("1.4.2", "none", "1.4.2"),
        ("0.9.9", "minor", "0.10.0"),
    ],
)
def test_bump_version(version: str, bump: str, expected: str) -> None:
    assert bump_version(version, bump) == expected


def test_parse_version_rejects_non_semver() -> None:
    assert parse_version("1.10.0") > parse_version("1.9.0")
    with pytest.raises(ReleaseError) as exc:
        parse_version("v1.0")
    assert str(exc.value) == "invalid version 'v1.0': expected MAJOR.MINOR.PATCH, e.g. 1.0.0 or 2.3.1"


def test_diff_against_a_path_has_no_suggested_version() -> None:
    diff = diff_ladders(make_ladder(), make_ladder(), base_label="old/ladder.json", target_label="new/ladder.json")
    assert diff.suggested_version is None
    assert diff.is_empty
    new = make_ladder()
    new.behaviors[0].text = "Owns every renewal end to end"
    diff = diff_ladders(make_ladder(), new, base_label="old/ladder.json", target_label="new/ladder.json")
    assert summary_lines(diff)[0] == "Changes in new/ladder.json since old/ladder.json:"
    assert summary_lines(diff)[-1] == "Suggested bump: patch"


def _difflib_word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The word diff the report used before rapidfuzz: difflib's longest-block-first matching."""
    import difflib

    a, b = before.split(), after.split()
    ops = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("equal", "delete", "replace") and i2 > i1:
            ops.append(("equal" if tag == "equal" else "delete", " ".join(a[i1:i2])))
        if tag in ("insert", "replace") and j2 > j1:
            ops.append(("insert", " ".join(b[j1:j2])))
    return ops


def _ops(before: str, after: str) -> list[tuple[str, str]]:
    return [(w.op, w.text) for w in word_diff(before, after)]


def _lcs(a: list[str], b: list[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def test_word_diff_keeps_a_longest_common_subsequence_and_rebuilds_both_texts() -> None:
    rng = random.Random(7)
    vocabulary = ["owns", "the", "team", "and", "data", "leads", "small", "projects", "a", "with"]
    for _ in range(400):
        a = [rng.choice(vocabulary) for _ in range(rng.randint(0, 14))]
        b = [rng.choice(vocabulary) for _ in range(rng.randint(0, 14))]
        ops = _ops(" ".join(a), " ".join(b))
        assert " ".join(t for op, t in ops if op != "insert").split() == a
        assert " ".join(t for op, t in ops if op != "delete").split() == b
        assert sum(len(t.split()) for op, t in ops if op == "equal") == _lcs(a, b)
        # runs alternate: never two runs of the same kind in a row, and a deletion comes before its insertion
        assert all(x[0] != y[0] for x, y in zip(ops, ops[1:], strict=False))
        assert all((x[0], y[0]) != ("insert", "delete") for x, y in zip(ops, ops[1:], strict=False))


def test_word_diff_matches_difflib_on_the_bundled_report_but_one_pair() -> None:
    """Every pair the bundled raw/ report diffs (near-misses, progressions, repairs), against difflib: the same
    runs except one pair (reported as a near-miss and as a progression), where the common subsequence keeps
    8 words and difflib's longest-block-first matching 6."""
    from pipeline.release.publish import load_candidate
    from tests.conftest import ROOT

    ladder = load_candidate(ROOT / "tests" / "golden")
    texts = {b.id: b.text for b in ladder.behaviors}
    pairs = [(n.a_text, n.b_text) for n in ladder.normalization.near_misses]
    pairs += [(texts[p.from_behavior], texts[p.to_behavior]) for p in ladder.progressions]
    pairs += [(r.before, r.after) for d in ladder.documents for r in d.repairs]
    assert len(pairs) == 71
    differ = [p for p in pairs if _ops(*p) != _difflib_word_diff(*p)]
    a = "Consistently participates and shares knowledge and best practices in the team (answering Slack questions, "
    a += "leading brainstorms, sharing in team meetings)"
    b = "Regularly participates in brainstorms, shares best practices and answers questions in Slack in order to "
    b += "upskill the knowledge and skills of the team"
    assert differ == [(a, b), (a, b)]
    kept = [[t for op, t in ops if op == "equal"] for ops in (_ops(a, b), _difflib_word_diff(a, b))]
    assert kept == [
        ["participates", "shares", "best practices", "in", "Slack", "in", "team"],
        ["participates", "and", "knowledge and", "the team"],
    ]


def test_word_diff_slides_a_change_to_keep_the_longer_run_whole() -> None:
    # The common subsequence could keep the first "to" (three runs of change); slid, the kept run is whole.
    assert _ops("Begins to take ownership of renewals", "Is able to begin to take ownership of renewals") == [
        ("delete", "Begins"),
        ("insert", "Is able to begin"),
        ("equal", "to take ownership of renewals"),
    ]
    assert _ops("Is able to simplify the plan", "Is able to begin to simplify the plan") == [
        ("equal", "Is able"),
        ("insert", "to begin"),
        ("equal", "to simplify the plan"),
    ]
    assert _ops("Is able to begin to identify gaps in forecasts", "Is able to identify gaps in forecasts") == [
        ("equal", "Is able"),
        ("delete", "to begin"),
        ("equal", "to identify gaps in forecasts"),
    ]
    # runs of equal length: the change stays where the first run is longest (difflib: the earliest block)
    assert _ops("Is able to begin to identify gaps", "Is able to identify gaps") == [
        ("equal", "Is able to"),
        ("delete", "begin to"),
        ("equal", "identify gaps"),
    ]
    for before, after in (
        ("Begins to take ownership of renewals", "Is able to begin to take ownership of renewals"),
        ("Is able to simplify the plan", "Is able to begin to simplify the plan"),
        ("Is able to begin to identify gaps in forecasts", "Is able to identify gaps in forecasts"),
        ("Is able to begin to identify gaps", "Is able to identify gaps"),
    ):
        assert _ops(before, after) == _difflib_word_diff(before, after)


def _busy_pair() -> tuple[Ladder, Ladder]:
    """A release and a candidate differing in most ways a diff lists: a track added, a role renamed with its
    summary edited, every behavior's text edited, occurrences added and moved."""
    old, new = make_ladder(), make_ladder()
    new.tracks.append(Track(id="track_new", name="Onboarding", doc_ids=[], role_ids=[]))
    new.roles[0].title = "CSM One"
    new.roles[0].summary = "Handles a pooled book of small accounts."
    for b in new.behaviors:
        b.text += " every quarter"
    new.behaviors[0].occurrences[0].source_ref = "L7"
    new.behaviors[1].occurrences[0].source_ref = "L10"
    role, comp = new.roles[2], new.competencies[0]
    new.behaviors[1].occurrences.append(occurrence(role, comp, "Finds basic data insights", "L9"))
    new.behaviors[2].occurrences.append(occurrence(role, comp, "Checks in weekly", "L11"))
    return old, new


def test_listed_diff_word_diffs_only_what_a_capped_report_shows(monkeypatch) -> None:
    import pipeline.release.diff as diff_module
    from pipeline.release.report import build_report, report_markdown

    old, new = _busy_pair()
    diffed: list[str] = []
    real = diff_module.word_diff
    monkeypatch.setattr(diff_module, "word_diff", lambda a, b: diffed.append(a) or real(a, b))
    full = against(old, new)
    assert len(diffed) == 5
    assert full.listed is None and full.totals is None and full.changed_fields == 5
    assert full.counts == {
        "tracks": {"added": 1, "removed": 0, "changed": 0},
        "roles": {"added": 0, "removed": 0, "changed": 1},
        "competencies": {"added": 0, "removed": 0, "changed": 0},
        "behaviors": {"added": 0, "removed": 0, "changed": 3},
        "occurrences": {"added": 2, "removed": 0, "moved": 2},
    }
    assert full.bump == "major"
    for limit, diffs, behaviors in ((1, 2, 0), (2, 2, 0), (3, 3, 1), (4, 4, 2), (5, 5, 3), (50, 5, 3)):
        diffed.clear()
        listed = diff_ladders(old, new, base_version="1.0.0", listed=limit)
        assert len(diffed) == diffs, limit
        assert len(listed.behaviors.changed) == behaviors
        assert listed.counts == full.counts and listed.bump == full.bump and listed.changed_fields == 5
        assert len(listed.occurrences_added) == len(listed.occurrences_moved) == min(limit, 2)
        assert listed.occurrences_moved == full.occurrences_moved[:limit]
        # What the report shows of the listed diff is what it shows of the whole one, to the byte.
        assert report_markdown(build_report(new, listed, limit)) == report_markdown(build_report(new, full, limit))
    one = diff_ladders(old, new, base_version="1.0.0", listed=1)
    assert [f.field for f in one.roles.changed[0].fields if f.words] == ["title", "summary"]
    assert summary_lines(one) == summary_lines(full)
    md = report_markdown(build_report(new, one, 1))
    assert "\n… 4 more rows not shown: the full lists are in ladder.json (normalization) and `ladder diff`.\n" in md


def test_listed_first_release_counts_every_occurrence_lists_few() -> None:
    ladder = make_ladder()
    listed = diff_ladders(None, ladder, listed=2)
    full = diff_ladders(None, ladder)
    assert listed.counts == full.counts and listed.counts["occurrences"]["added"] == 5
    assert listed.occurrences_added == full.occurrences_added[:2]
    assert [r.id for r in listed.roles.added] == ["role_high1", "role_scale1"]
    assert listed.bump == full.bump == "minor" and listed.suggested_version == "1.0.0"


def test_occurrences_of_a_ladder_grouped_directly_are_the_generator_grouping() -> None:
    from pipeline.release.diff import _InOrder, _occurrences

    ladder = make_ladder()
    direct, reference = _InOrder.of(ladder), _InOrder(_occurrences(ladder))
    assert len(direct) == len(reference) == 5
    assert list(direct.by_file) == list(reference.by_file) == ["scale.txt", "high.md"]
    assert [(o.source_file, o.source_ref, o.part, b) for o, b in direct.first()] == [
        (o.source_file, o.source_ref, o.part, b) for o, b in reference.first()
    ]
    assert [id(o) for o, _ in direct.first(3)] == [id(o) for o, _ in reference.first(3)]

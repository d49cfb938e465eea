"""Reviewer decisions: the file format, errors, and a run that honors them (applied / stale)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build import build_ladder
from pipeline.build.decisions import (
    SPLIT_MARK,
    DecisionLog,
    Decisions,
    apply_behavior_decisions,
    load_decisions,
    occurrence_ref,
)
from pipeline.build.dedupe import behavior_id
from pipeline.config import Config
from pipeline.errors import ConfigError, LadderError
from pipeline.run import process_file
from tests.conftest import RAW, ROOT

CFG = Config()


@pytest.fixture(scope="module")
def results():
    return [process_file(p, RAW, CFG) for p in sorted(RAW.glob("0*"))]


def _build(results, decisions: Decisions | None = None):
    return build_ladder(
        [r.document for r in results if r.document], [r.parsed for r in results if r.parsed], [], CFG, decisions
    )


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "decisions.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_example_file_loads() -> None:
    d = load_decisions(ROOT / "decisions.example.yaml")
    assert [x.action for x in d.decisions] == ["merge", "split", "split", "keep-apart", "rename", "level"]


def test_missing_file_gives_no_decisions_only_when_none(tmp_path: Path) -> None:
    assert load_decisions(None).decisions == []
    with pytest.raises(ConfigError, match="decisions file not found"):
        load_decisions(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- merge", "expected a mapping with a `decisions:` list (actions: merge, split, keep-apart, rename, level)"),
        (
            "decisions:\n  - action: join\n    behaviors: [a, b]\n",
            "decisions[0]: action 'join' is not one of merge, split, keep-apart, rename, level",
        ),
        (
            "decisions:\n  - action: merge\n    behaviors: [beh_a]\n",
            "decisions.0.behaviors: List should have at least 2 items",
        ),
        (
            "decisions:\n  - action: level\n    role: role_x\n    level: L3\n",
            "decisions.0.level: String should match pattern",
        ),
        ("decisions: [\n", "not valid YAML"),
    ],
)
def test_invalid_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load_decisions(_write(tmp_path, text))
    assert message in str(exc.value)
    assert isinstance(exc.value, LadderError)


def test_apply_merge_and_split_on_clusters() -> None:
    clusters = {"a": ["a"], "b": ["b"], "c": ["c", "d"]}
    d = Decisions.model_validate(
        {
            "decisions": [
                {"action": "merge", "behaviors": [behavior_id("b"), behavior_id("a")]},
                {"action": "split", "behavior": behavior_id("c")},
                {"action": "split", "behavior": behavior_id("zzz")},
                {"action": "split", "behavior": behavior_id("c")},
            ]
        }
    )
    log = DecisionLog(d)
    out, merged = apply_behavior_decisions(clusters, log)
    assert out == {"a": ["a", "b"], "c": ["c"], "d": ["d"]}
    assert merged == {"a"}
    assert [(o.action, o.status, o.detail) for o in log.ordered()] == [
        ("merge", "applied", f"now {behavior_id('a')}"),
        ("split", "applied", "into 2 behaviors"),
        ("split", "stale", "no behavior with this id"),
        (
            "split",
            "refused",
            "every occurrence is written the same way; split one out with occurrence: FILE#L<line>",
        ),
    ]


def test_run_honors_decisions(results, tmp_path: Path) -> None:
    base = _build(results)
    by_text = {b.text: b for b in base.behaviors}
    members = next(b for t, b in by_text.items() if "personal development of team members" in t)
    leaders = next(b for t, b in by_text.items() if "personal development of team leaders" in t)
    merged_before = next(c for c in base.normalization.clusters if c.rule == "normalized")
    role = next(r for r in base.roles if r.title == "Scale CSM")
    comp = next(c for c in base.competencies if c.name == "Coach and develop")
    path = _write(
        tmp_path,
        f"""decisions:
  - action: merge
    behaviors: [{members.id}, {leaders.id}]
  - action: split
    behavior: {merged_before.behavior_id}
  - action: rename
    competency: {comp.id}
    name: Coaching and Development
  - action: level
    role: {role.id}
    level: IC3
  - action: level
    role: {role.id}
    level: M2
  - action: rename
    competency: comp_000000000000
    name: Gone
""",
    )
    ladder = _build(results, load_decisions(path))
    ids = {b.id for b in ladder.behaviors}
    assert (members.id in ids) != (leaders.id in ids)
    survivor = next(b for b in ladder.behaviors if b.id in (members.id, leaders.id))
    assert len(survivor.occurrences) == len(members.occurrences) + len(leaders.occurrences)
    assert any(c.rule == "decision" and c.behavior_id == survivor.id for c in ladder.normalization.clusters)
    assert merged_before.behavior_id in ids  # the most written text keeps the id
    split_texts = {m.text for m in merged_before.members}
    assert len(split_texts) == len(merged_before.members) >= 2
    parts = [b for b in ladder.behaviors if b.text in split_texts]
    assert sorted(b.text for b in parts) == sorted(split_texts)  # one behavior per way it is written
    assert [b.id for b in parts if b.text == merged_before.representative] == [merged_before.behavior_id]
    assert next(c for c in ladder.competencies if c.id == comp.id).name == "Coaching and Development"
    assert next(r for r in ladder.roles if r.id == role.id).level == "IC3"
    assert [(o.action, o.status, o.detail) for o in ladder.normalization.decisions] == [
        ("merge", "applied", f"now {survivor.id}"),
        ("split", "applied", f"into {len(split_texts)} behaviors, one per way it is written"),
        ("rename", "applied", "'Coach and develop' -> 'Coaching and Development'"),
        ("level", "applied", "IC2 -> IC3"),
        ("level", "refused", "M2 is not on the ic path of this role"),
        ("rename", "stale", "no competency with this id"),
    ]


def test_split_undoes_a_merge_and_keeps_ids(results, tmp_path: Path) -> None:
    base = _build(results)
    a = next(b for b in base.behaviors if "personal development of team members" in b.text)
    b = next(b for b in base.behaviors if "personal development of team leaders" in b.text)
    merged = _build(
        results, load_decisions(_write(tmp_path, f"decisions:\n  - action: merge\n    behaviors: [{a.id}, {b.id}]\n"))
    )
    survivor = next(x for x in merged.behaviors if x.id in (a.id, b.id))
    both = load_decisions(
        _write(
            tmp_path,
            f"decisions:\n  - action: merge\n    behaviors: [{a.id}, {b.id}]\n  - action: split\n    behavior: {survivor.id}\n",
        )
    )
    again = _build(results, both)
    assert [x.id for x in again.behaviors] == [x.id for x in base.behaviors]
    assert [(o.action, o.status) for o in again.normalization.decisions] == [("merge", "applied"), ("split", "applied")]


def test_split_one_occurrence_out_and_keep_apart(results, tmp_path: Path) -> None:
    base = _build(results)
    cluster = next(c for c in base.normalization.clusters if c.rule == "normalized")
    behavior = next(b for b in base.behaviors if b.id == cluster.behavior_id)
    occ = behavior.occurrences[-1]
    ref = occurrence_ref(occ.source_file, occ.source_ref, occ.part)
    near = base.normalization.near_misses[0]
    path = _write(
        tmp_path,
        f"""decisions:
  - action: split
    behavior: {behavior.id}
    occurrence: "{ref}"
    note: a different level
    by: ana
    at: "2026-12-01T21:00:00Z"
  - action: split
    behavior: {behavior.id}
    occurrence: "{ref}"
  - action: split
    behavior: {behavior.id}
    occurrence: "nowhere.txt#L1"
  - action: keep-apart
    behaviors: [{near.a_id}, {near.b_id}]
  - action: keep-apart
    behaviors: [{near.a_id}, beh_000000000000]
  - action: merge
    behaviors: [{near.a_id}, {near.a_id}]
""",
    )
    ladder = _build(results, load_decisions(path))
    new_id = behavior_id(f"{_form(base, occ.text)}{SPLIT_MARK}at:{ref}")
    after = {b.id: b for b in ladder.behaviors}
    assert [o.source_ref for o in after[new_id].occurrences] == [occ.source_ref]
    assert len(after[behavior.id].occurrences) == len(behavior.occurrences) - 1
    assert len(ladder.behaviors) == len(base.behaviors) + 1
    assert (near.a_id, near.b_id) not in {(n.a_id, n.b_id) for n in ladder.normalization.near_misses}
    assert len(ladder.normalization.near_misses) == len(base.normalization.near_misses) - 1
    assert [(o.action, o.status, o.detail) for o in ladder.normalization.decisions] == [
        ("split", "applied", f"the occurrence is now {new_id}"),
        ("split", "refused", f"that occurrence is in {new_id}"),
        ("split", "stale", "no occurrence at nowhere.txt#L1"),
        ("keep-apart", "applied", "1 near-miss silenced"),
        ("keep-apart", "stale", "no behavior with id beh_000000000000"),
        ("merge", "refused", "these ids are already one behavior"),
    ]
    again = _build(results, load_decisions(path))
    assert again.model_dump_json() == ladder.model_dump_json()


def _form(ladder, text: str) -> str:
    from pipeline.build.dedupe import dedupe

    return dedupe([text], CFG.normalize).forms[text].form

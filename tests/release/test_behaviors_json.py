"""`behaviors_json`: the behaviors of `ladder.json` written field by field, the bytes pydantic writes."""

from __future__ import annotations

import tracemalloc

from pydantic import TypeAdapter

from pipeline.models import Behavior, behavior_of, occurrence_of
from pipeline.release.emit import behaviors_json

ADAPTER = TypeAdapter(list[Behavior])


def _occurrence(text: str, part: int = 0, ref: str = "L3"):
    return occurrence_of(
        "d1", "a b/c.md", ref, "Scale", "CSM", "role_1", "ic", "IC2", "Ownership", "comp_1", text, part
    )


def test_same_bytes_as_pydantic_for_awkward_strings() -> None:
    texts = ['Says "no" \\ yes', "Tab\there\nline\r\x01\x1f\x7f", "Détaille l’impact — 数字 ✓", "", "\u2028 sep"]
    behaviors = [
        behavior_of("beh_1", texts[0], ["comp_1", "comp_2"], [_occurrence(t, i) for i, t in enumerate(texts)]),
        behavior_of("beh_2", "Owns", [], []),
        behavior_of("beh_3", "Owns the plan", ["comp_9"], [_occurrence("Owns the plan", 0, "L40:r2c3")]),
    ]
    assert behaviors_json(behaviors) == ADAPTER.dump_json(behaviors, indent=2)
    assert behaviors_json([]) == ADAPTER.dump_json([], indent=2) == b"[]"
    assert behaviors_json(behaviors[1:2]) == (
        b'[\n  {\n    "id": "beh_2",\n    "text": "Owns",\n    "competency_ids": [],\n    "occurrences": []\n  }\n]'
    )


def test_reads_no_dict() -> None:
    """pydantic makes each lean occurrence's `__dict__` (64 bytes more each); `behaviors_json` does not."""
    occurrences = [_occurrence(f"Owns plan {i}") for i in range(2000)]
    behaviors = [behavior_of("beh_1", "Owns plan 0", ["comp_1"], occurrences)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        ours = behaviors_json(behaviors)
        del ours
        after_ours = tracemalloc.get_traced_memory()[0]
        theirs = ADAPTER.dump_json(behaviors, indent=2)
        del theirs
        after_theirs = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after_ours - before < 10_000
    assert after_theirs - after_ours > 60 * 2000

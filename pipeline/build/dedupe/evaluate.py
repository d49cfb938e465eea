"""Quality of the merge decisions against labeled pairs (`ladder eval-dedupe`)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pipeline.build.settings import DedupeSettings
from pipeline.errors import InputError


@dataclass(frozen=True)
class LabeledPair:
    a: str
    b: str
    label: str  # same | different
    note: str = ""


@dataclass
class PairEvaluation:
    """How the merge decisions agree with a labeled set of pairs."""

    total: int
    same: int
    different: int
    true_merges: int  # same-pairs merged
    false_merges: int  # different-pairs merged
    missed: list[LabeledPair]  # same-pairs kept apart
    wrongly_merged: list[LabeledPair]  # different-pairs merged

    @property
    def recall(self) -> float:
        """Share of same-pairs merged."""
        return self.true_merges / self.same if self.same else 1.0

    @property
    def precision(self) -> float:
        """Share of merges that are same-pairs."""
        merged = self.true_merges + self.false_merges
        return self.true_merges / merged if merged else 1.0

    @property
    def false_merge_rate(self) -> float:
        """Share of different-pairs merged."""
        return self.false_merges / self.different if self.different else 0.0


_LABELS = ("same", "different")


def read_labeled_pairs(path: str | Path) -> list[LabeledPair]:
    """Read a CSV with columns `a, b, label, note` (label: same | different)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"labeled pairs file not found: {p} (expected a CSV with columns a, b, label, note)")
    with p.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("a", "b", "label") if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{p}: missing column(s) {', '.join(missing)}; expected columns a, b, label, note")
        pairs = []
        for line, row in enumerate(reader, start=2):
            label = (row["label"] or "").strip().casefold()
            if label not in _LABELS:
                raise InputError(f"{p}:{line}: label {row['label']!r} is not one of {', '.join(_LABELS)}")
            pairs.append(LabeledPair(row["a"], row["b"], label, (row.get("note") or "").strip()))
    if not pairs:
        raise InputError(f"{p}: no labeled pairs (expected rows a, b, label, note)")
    return pairs


def evaluate_pairs(pairs: list[LabeledPair], config: DedupeSettings) -> PairEvaluation:
    """Merge decision of each pair on its own (the two texts are the only input), against its label."""
    from pipeline.build.dedupe import same_behavior  # the package imports this module: import at call time

    missed, wrong = [], []
    true_merges = false_merges = 0
    for pair in pairs:
        merged = same_behavior(pair.a, pair.b, config)
        if pair.label == "same":
            true_merges += merged
            if not merged:
                missed.append(pair)
        else:
            false_merges += merged
            if merged:
                wrong.append(pair)
    same = sum(p.label == "same" for p in pairs)
    return PairEvaluation(len(pairs), same, len(pairs) - same, true_merges, false_merges, missed, wrong)


def format_evaluation(result: PairEvaluation) -> str:
    """The lines `ladder eval-dedupe` prints."""
    lines = [
        f"pairs: {result.total} ({result.same} same, {result.different} different)",
        f"precision: {result.precision:.3f} ({result.true_merges} of {result.true_merges + result.false_merges} merges are same-pairs)",
        f"recall: {result.recall:.3f} ({result.true_merges} of {result.same} same-pairs merged)",
        f"different-pairs merged: {result.false_merge_rate:.3f} ({result.false_merges} of {result.different})",
    ]
    lines += [f"missed: {p.a} | {p.b} ({p.note})" for p in result.missed]
    lines += [f"wrongly merged: {p.a} | {p.b} ({p.note})" for p in result.wrongly_merged]
    return "\n".join(lines)

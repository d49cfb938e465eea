"""Quality of the merge decisions against labeled pairs (`ladder eval-dedupe`)."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.build.settings import DedupeSettings
from pipeline.errors import InputError


@dataclass(frozen=True)
class LabeledPair:
    a: str
    b: str
    label: str  # same | different
    note: str = ""
    klass: str = ""  # what kind of difference (or sameness) the pair shows: framing, scope_modifier, ...


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
    by_class: dict[str, PairEvaluation] = field(default_factory=dict)  # the same figures per class

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


_TAGS = re.compile(r"<[^>]+>")
_MARKERS = re.compile(r"^(?:[-*+>|]\s*|\d+[.)]\s+|#+\s*|\*\*+|__)+")


def resolve_reference(ref: str, root: Path) -> str:
    """The statement a reference `file:line` points at in the documents under `root`: the line without HTML
    tags, list and heading markers, emphasis or padding. `"notes.md:3"` with line 3 `"- <b>Reviews designs</b>"`
    -> `"Reviews designs"`."""
    name, _, line = ref.rpartition(":")
    path = root / name
    if not name or not line.isdigit() or not path.is_file():
        raise InputError(f"reference {ref!r}: expected file:line of a file under {root}")
    lines = path.read_text(encoding="utf-8").splitlines()
    if not 1 <= int(line) <= len(lines):
        raise InputError(f"reference {ref!r}: {name} has {len(lines)} lines")
    text = " ".join(_TAGS.sub(" ", lines[int(line) - 1]).replace("&nbsp;", " ").split())
    text = _MARKERS.sub("", text).strip(" *_|")
    if not text:
        raise InputError(f"reference {ref!r}: the line holds no text")
    return text


def read_labeled_pairs(path: str | Path, documents: str | Path | None = None) -> list[LabeledPair]:
    """Read a CSV with columns `a, b, label` and optional `class, note` (label: same | different).

    Instead of `a, b` a file may hold `a_ref, b_ref`: references `file:line` into the folder `documents`, so
    that labeled pairs from documents that may not be copied can be shared (`resolve_reference`).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"labeled pairs file not found: {p} (expected a CSV with columns a, b, label, note)")
    with p.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames or []
        refs = "a_ref" in fields and "b_ref" in fields
        missing = [c for c in (("a_ref", "b_ref") if refs else ("a", "b")) + ("label",) if c not in fields]
        if missing:
            raise InputError(f"{p}: missing column(s) {', '.join(missing)}; expected columns a, b, label, note")
        if refs and documents is None:
            raise InputError(f"{p} holds references (a_ref, b_ref): name the folder they point into (--documents)")
        pairs = []
        for line, row in enumerate(reader, start=2):
            label = (row["label"] or "").strip().casefold()
            if label not in _LABELS:
                raise InputError(f"{p}:{line}: label {row['label']!r} is not one of {', '.join(_LABELS)}")
            if refs:
                root = Path(documents or ".")
                a, b = resolve_reference(row["a_ref"], root), resolve_reference(row["b_ref"], root)
            else:
                a, b = row["a"], row["b"]
            note, klass = (row.get("note") or "").strip(), (row.get("class") or "").strip()
            pairs.append(LabeledPair(a, b, label, note, klass))
    if not pairs:
        raise InputError(f"{p}: no labeled pairs (expected rows a, b, label, note)")
    return pairs


def evaluate_pairs(pairs: list[LabeledPair], config: DedupeSettings) -> PairEvaluation:
    """Merge decision of each pair on its own (the two texts are the only input), against its label; also per
    class when the pairs have one."""
    from pipeline.build.dedupe import same_behavior  # the package imports this module: import at call time

    merged = [same_behavior(pair.a, pair.b, config) for pair in pairs]
    result = _tally(pairs, merged)
    classes: dict[str, list[int]] = defaultdict(list)
    for i, pair in enumerate(pairs):
        if pair.klass:
            classes[pair.klass].append(i)
    result.by_class = {k: _tally([pairs[i] for i in ix], [merged[i] for i in ix]) for k, ix in sorted(classes.items())}
    return result


def _tally(pairs: list[LabeledPair], merged: list[bool]) -> PairEvaluation:
    missed = [p for p, m in zip(pairs, merged, strict=True) if p.label == "same" and not m]
    wrong = [p for p, m in zip(pairs, merged, strict=True) if p.label == "different" and m]
    same = sum(p.label == "same" for p in pairs)
    true_merges = sum(m for p, m in zip(pairs, merged, strict=True) if p.label == "same")
    return PairEvaluation(len(pairs), same, len(pairs) - same, true_merges, len(wrong), missed, wrong)


def format_evaluation(result: PairEvaluation) -> str:
    """The lines `ladder eval-dedupe` prints."""
    lines = [
        f"pairs: {result.total} ({result.same} same, {result.different} different)",
        f"precision: {result.precision:.3f} ({result.true_merges} of {result.true_merges + result.false_merges} merges are same-pairs)",
        f"recall: {result.recall:.3f} ({result.true_merges} of {result.same} same-pairs merged)",
        f"different-pairs merged: {result.false_merge_rate:.3f} ({result.false_merges} of {result.different})",
    ]
    if result.by_class:
        width = max(len(k) for k in result.by_class)
        lines.append(f"{'class':<{width}}  pairs  precision  recall  different-pairs merged")
        for k, r in result.by_class.items():
            lines.append(
                f"{k:<{width}}  {r.total:>5}  {r.precision:>9.3f}  {r.recall:>6.3f}  "
                f"{r.false_merges} of {r.different} ({r.true_merges} of {r.same} same merged)"
            )
    lines += [f"missed: {p.a} | {p.b} ({p.note})" for p in result.missed]
    lines += [f"wrongly merged: {p.a} | {p.b} ({p.note})" for p in result.wrongly_merged]
    return "\n".join(lines)

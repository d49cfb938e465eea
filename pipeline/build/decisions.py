"""Reviewer decisions: a YAML file, keyed by the stable ids of a run, that the next run honors.

    decisions:
      - action: merge            # these behaviors are one (ids as the run printed them)
        behaviors: [beh_1a2b3c4d5e6f, beh_6f5e4d3c2b1a]
        note: same demand, different wording
      - action: split            # this merged behavior is several: each distinct statement on its own
        behavior: beh_0123456789ab
      - action: split            # one occurrence (file#line, .part when a bullet was split) leaves the behavior
        behavior: beh_0123456789ab
        occurrence: "03-scale-csm.txt#L41"
      - action: keep-apart       # a near-miss that is really two behaviors: not reported again
        behaviors: [beh_1a2b3c4d5e6f, beh_6f5e4d3c2b1a]
      - action: rename           # the canonical name of a competency
        competency: comp_0123456789ab
        name: Teamwork and Collaboration
      - action: level            # the canonical level of a role
        role: role_0123456789ab
        level: IC4

Every decision may say who made it and when (`by`, `at`) and why (`note`); `ladder decide` and `ladder review`
fill them in. Decisions apply in file order to the run's automatic result. A decision that names an id the run
no longer has is reported `stale`; one whose ids exist but that cannot be carried out (a level off the role's
path, a split of a behavior written one way only) is `refused` with the reason; both change nothing. The
others are reported `applied`. Behavior ids are hashes
of a cluster's smallest normalized statement, so a merge keeps one of the merged ids and a split keeps the
original id on one of its parts: a decision keeps matching run after run.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.build.dedupe import behavior_id
from pipeline.errors import ConfigError
from pipeline.models import DecisionOutcome, DecisionStatus, NearMiss
from pipeline.release.emit import atomic_write_text
from pipeline.yamlfile import read_yaml


class _Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", description="Why the reviewer decided so (kept for the report).")
    by: str = Field("", description="Who decided (a user name).")
    at: str = Field("", description="When, as an ISO 8601 UTC timestamp.")


class MergeDecision(_Decision):
    """Two or more behaviors are one."""

    action: Literal["merge"]
    behaviors: list[str] = Field(min_length=2, description="Behavior ids (`beh_…`) to merge.")

    @property
    def target(self) -> str:
        return ", ".join(self.behaviors)


class SplitDecision(_Decision):
    """A merged behavior is several: each of its distinct statements becomes a behavior; or, with
    `occurrence`, that one occurrence leaves the behavior and becomes a behavior of its own."""

    action: Literal["split"]
    behavior: str = Field(description="Behavior id (`beh_…`) to split.")
    occurrence: str | None = Field(
        None, description="`file#L<line>` (`#L<line>.<part>` for a statement of a split bullet): split only this one."
    )

    @property
    def target(self) -> str:
        return self.behavior if self.occurrence is None else f"{self.behavior} at {self.occurrence}"


class KeepApartDecision(_Decision):
    """Behaviors reported as a near-miss are different: the pair is not reported again."""

    action: Literal["keep-apart"]
    behaviors: list[str] = Field(min_length=2, description="Behavior ids (`beh_…`) to keep apart.")

    @property
    def target(self) -> str:
        return ", ".join(self.behaviors)


class RenameDecision(_Decision):
    """A canonical competency gets another name (its id does not change)."""

    action: Literal["rename"]
    competency: str = Field(description="Competency id (`comp_…`).")
    name: str = Field(min_length=1)

    @property
    def target(self) -> str:
        return self.competency


class LevelDecision(_Decision):
    """A role gets another canonical level."""

    action: Literal["level"]
    role: str = Field(description="Role id (`role_…`).")
    level: str = Field(pattern=r"^(?:IC|M)[1-9][0-9]*$", description="IC1.. on the IC path, M1.. on management.")

    @property
    def target(self) -> str:
        return self.role


Decision = Annotated[
    MergeDecision | SplitDecision | KeepApartDecision | RenameDecision | LevelDecision, Field(discriminator="action")
]
ACTIONS = ("merge", "split", "keep-apart", "rename", "level")


class Decisions(BaseModel):
    """The decisions file."""

    model_config = ConfigDict(extra="forbid")

    decisions: list[Decision] = Field(default_factory=list)

    def of(self, *actions: str) -> list[Decision]:
        return [d for d in self.decisions if d.action in actions]

    def levels(self) -> list[LevelDecision]:
        return [d for d in self.decisions if isinstance(d, LevelDecision)]

    def renames(self) -> list[RenameDecision]:
        return [d for d in self.decisions if isinstance(d, RenameDecision)]


class DecisionLog:
    """The outcome of every reviewer decision, recorded by the build steps as they apply them.

    `ordered()` gives one `DecisionOutcome` per recorded decision, in the order of the decisions file, whatever
    the order the steps recorded them in (levels, renames, then merges and splits).
    """

    def __init__(self, decisions: Decisions | None = None) -> None:
        self.decisions = decisions or Decisions()
        self._outcomes: list[tuple[Decision, DecisionOutcome]] = []

    def record(self, decision: Decision, status: DecisionStatus, detail: str) -> None:
        self._outcomes.append(
            (decision, DecisionOutcome(action=decision.action, target=decision.target, status=status, detail=detail))
        )

    def applied(self, decision: Decision, detail: str) -> None:
        self.record(decision, "applied", detail)

    def stale(self, decision: Decision, detail: str) -> None:
        self.record(decision, "stale", detail)

    def refused(self, decision: Decision, detail: str) -> None:
        self.record(decision, "refused", detail)

    def ordered(self) -> list[DecisionOutcome]:
        """Outcomes in the order of the file."""
        position = {id(d): i for i, d in enumerate(self.decisions.decisions)}
        return [o for _, o in sorted(self._outcomes, key=lambda do: position[id(do[0])])]


def load_decisions(path: str | Path | None) -> Decisions:
    """Read a decisions file; `None` gives no decisions. Raises ConfigError saying what is wrong and where."""
    if path is None:
        return Decisions()
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"decisions file not found: {p}")
    data = read_yaml(p)
    if data is None:
        return Decisions()
    if not isinstance(data, dict) or "decisions" not in data:
        raise ConfigError(f"{p}: expected a mapping with a `decisions:` list (actions: {', '.join(ACTIONS)})")
    if data["decisions"] is None:  # `decisions:` with nothing under it yet
        data = {**data, "decisions": []}
    for i, item in enumerate(data.get("decisions") or []):
        action = item.get("action") if isinstance(item, dict) else None
        if action not in ACTIONS:
            raise ConfigError(f"{p}: decisions[{i}]: action {action!r} is not one of {', '.join(ACTIONS)}")
    try:
        return Decisions.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        # the discriminated union puts the action name after the index: decisions.0.merge.behaviors
        where = ".".join(str(x) for i, x in enumerate(first["loc"]) if not (i == 2 and x in ACTIONS))
        raise ConfigError(f"{p}: {where}: {first['msg']}") from exc


def decision_yaml(decision: Decision) -> str:
    """One decision as a YAML list item (what `append_decision` writes and the report offers to copy)."""
    data = {k: v for k, v in decision.model_dump(mode="json").items() if v not in ("", None)}
    order = ["action", "behaviors", "behavior", "occurrence", "competency", "name", "role", "level", "note", "by", "at"]
    data = {k: data[k] for k in sorted(data, key=lambda k: order.index(k) if k in order else len(order))}
    return yaml.safe_dump([data], sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)


def parse_decision(data: dict) -> Decision:
    """A decision from a mapping (a form, a command line); raises ConfigError naming what is wrong."""
    try:
        return Decisions.model_validate({"decisions": [data]}).decisions[0]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"][3:]) or "decision"
        raise ConfigError(f"{where}: {first['msg']}") from exc


_append_lock = threading.Lock()


def append_decision(path: str | Path, decision: Decision) -> Decisions:
    """Append one decision to the decisions file (created when missing) atomically; return the whole file.

    The file's text is kept (comments too) and the item added at the end of its `decisions:` list; the result
    is written to a temporary file beside it and renamed into place, so a reader never sees half a file.
    """
    p = Path(path)
    with _append_lock:
        before = load_decisions(p) if p.is_file() else Decisions()
        text = p.read_text(encoding="utf-8") if p.is_file() else ""
        item = "".join("  " + line + "\n" for line in decision_yaml(decision).splitlines())
        if not before.decisions and not re.search(r"^decisions:\s*$", text, re.M):
            text = "decisions:\n"
        candidate = (text if text.endswith("\n") or not text else text + "\n") + item
        expected = [*before.decisions, decision]
        try:
            ok = Decisions.model_validate(yaml.safe_load(candidate)).decisions == expected
        except (yaml.YAMLError, ValidationError, TypeError):
            ok = False
        if not ok:  # a layout the text append does not fit (flow style, keys after the list): write it anew
            body = [yaml.safe_load(decision_yaml(d))[0] for d in expected]
            candidate = yaml.safe_dump({"decisions": body}, sort_keys=False, allow_unicode=True, width=1000)
        atomic_write_text(p, candidate)
        return Decisions(decisions=expected)


SPLIT_MARK = "\x1f"
"""Joins a normalized form and what split it off (`form␟at:file#L3` or `form␟text:…`) into the key of a
behavior made by a split decision; no normalized form holds it, so such keys never meet an automatic one."""


def occurrence_ref(source_file: str, source_ref: str, part: int = 0) -> str:
    """`occurrence_ref("a.txt", "L12", 1)` -> `"a.txt#L12.1"`: how a decision names one occurrence."""
    return f"{source_file}#{source_ref}" + (f".{part}" if part else "")


def apply_behavior_decisions(clusters: dict[str, list[str]], log: DecisionLog) -> tuple[dict[str, list[str]], set[str]]:
    """Apply the merge and split decisions of `log` to clusters (key -> member forms, id = `behavior_id(key)`),
    recording one outcome per decision in `log`.

    Returns the new clusters and the keys of clusters a merge decision made.
    `{"a": ["a"], "b": ["b"]}` with `merge [id(a), id(b)]` -> `{"a": ["a", "b"]}`. Splits that need the
    occurrences (one occurrence out, or texts that normalize alike) go through `apply_occurrence_decisions`.
    """
    out, merged, _moved = apply_occurrence_decisions(clusters, log, {})
    return out, merged


def apply_occurrence_decisions(
    clusters: dict[str, list[str]], log: DecisionLog, occurrences: dict[str, tuple[str, str]]
) -> tuple[dict[str, list[str]], set[str], dict[str, str]]:
    """`apply_behavior_decisions` knowing the occurrences: `occurrence_ref` -> (normalized form, text as written).

    A split of a behavior whose statements all normalize alike splits it by the way it is written (the most
    written text keeps the id); a split naming an `occurrence` moves that occurrence to a behavior of its own.
    Moved occurrences get a key of their own (`form␟…`, see `SPLIT_MARK`); the third value maps each moved
    occurrence's ref to it, so the caller groups it there: its behavior is `behavior_id(clusters-key of it)`.
    """
    out = {k: sorted(v) for k, v in clusters.items()}
    merged_keys: set[str] = set()
    moved: dict[str, str] = {}

    def key_of() -> dict[str, str]:
        return {f: k for k, members in out.items() for f in members}

    def members_of(key: str, keys: dict[str, str]) -> list[tuple[str, str]]:
        """(ref, text) of the occurrences now in the behavior of `key`, in run order."""
        return [(ref, text) for ref, (form, text) in occurrences.items() if keys.get(moved.get(ref, form)) == key]

    for d in log.decisions.of("merge", "split"):
        ids = {behavior_id(k): k for k in out}
        if isinstance(d, MergeDecision):
            missing = [b for b in d.behaviors if b not in ids]
            if missing:
                log.stale(d, f"no behavior with id {', '.join(missing)}")
                continue
            keys = sorted({ids[b] for b in d.behaviors})
            if len(keys) < 2:
                log.refused(d, "these ids are already one behavior")
                continue
            members = sorted({f for k in keys for f in out.pop(k)})
            out[members[0]] = members
            merged_keys.add(members[0])
            log.applied(d, f"now {behavior_id(members[0])}")
            continue
        assert isinstance(d, SplitDecision)
        key = ids.get(d.behavior)
        if key is None:
            log.stale(d, "no behavior with this id")
            continue
        if d.occurrence is not None:
            if d.occurrence not in occurrences:
                log.stale(d, f"no occurrence at {d.occurrence}")
                continue
            where = key_of()
            form, _text = occurrences[d.occurrence]
            now = where.get(moved.get(d.occurrence, form), "")
            if now != key:
                log.refused(d, f"that occurrence is in {behavior_id(now)}")
                continue
            if len(members_of(key, where)) < 2:
                log.refused(d, "it is the only occurrence of this behavior")
                continue
            new = f"{form}{SPLIT_MARK}at:{d.occurrence}"
            moved[d.occurrence] = new
            out[new] = [new]
            merged_keys.discard(key)
            log.applied(d, f"the occurrence is now {behavior_id(new)}")
            continue
        if len(out[key]) >= 2:
            members = out.pop(key)
            merged_keys.discard(key)
            for f in members:
                out[f] = [f]
            log.applied(d, f"into {len(members)} behaviors")
            continue
        written: dict[str, list[str]] = {}
        for ref, text in members_of(key, key_of()):
            written.setdefault(text, []).append(ref)
        if len(written) < 2:
            log.refused(d, "every occurrence is written the same way; split one out with occurrence: FILE#L<line>")
            continue
        # the most written text keeps the id (ties: the shorter, then the alphabetically first)
        texts = sorted(written, key=lambda t: (-len(written[t]), len(t), t))
        form = key.split(SPLIT_MARK, 1)[0]
        for text in texts[1:]:
            new = f"{form}{SPLIT_MARK}text:{text}"
            out[new] = [new]
            for ref in written[text]:
                moved[ref] = new
        merged_keys.discard(key)
        log.applied(d, f"into {len(texts)} behaviors, one per way it is written")
    return dict(sorted(out.items())), merged_keys, moved


def apply_keep_apart(near_misses: list[NearMiss], behavior_ids: set[str], log: DecisionLog) -> list[NearMiss]:
    """Drop the near-misses between behaviors a keep-apart decision names, recording one outcome per decision."""
    silenced: set[tuple[str, str]] = set()
    for d in log.decisions.of("keep-apart"):
        assert isinstance(d, KeepApartDecision)
        missing = [b for b in d.behaviors if b not in behavior_ids]
        if missing:
            log.stale(d, f"no behavior with id {', '.join(missing)}")
            continue
        ids = sorted(set(d.behaviors))
        if len(ids) < 2:
            log.refused(d, "names one behavior only")
            continue
        pairs = {(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]}
        hit = sum(1 for n in near_misses if (n.a_id, n.b_id) in pairs)
        silenced |= pairs
        log.applied(d, f"{hit} near-miss{'es' if hit != 1 else ''} silenced")
    return [n for n in near_misses if (n.a_id, n.b_id) not in silenced]


def decision_lines(outcomes: list[DecisionOutcome]) -> list[str]:
    """What the terminal says about the decisions of a run: a count, then each stale or refused one and why."""
    if not outcomes:
        return []
    counts = {s: sum(o.status == s for o in outcomes) for s in ("applied", "stale", "refused")}
    head = f"reviewer decisions: {counts['applied']} applied, {counts['stale']} stale, {counts['refused']} refused"
    return [head] + [
        f"{o.status} decision: {o.action} {o.target}: {o.detail}" for o in outcomes if o.status != "applied"
    ]


def now_utc() -> str:
    """The `at` of a decision made now: `2026-12-01T21:00:00Z`."""
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def current_user() -> str:
    """The `by` of a decision made here: the login name, or "" when the system has none."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""

"""Reviewer decisions: a YAML file, keyed by the stable ids of a run, that the next run honors.

    decisions:
      - action: merge            # these behaviors are one (ids as the run printed them)
        behaviors: [beh_1a2b3c4d5e6f, beh_6f5e4d3c2b1a]
        note: same demand, different wording
      - action: split            # this merged behavior is several: each distinct normalized statement on its own
        behavior: beh_0123456789ab
      - action: rename           # the canonical name of a competency
        competency: comp_0123456789ab
        name: Teamwork and Collaboration
      - action: level            # the canonical level of a role
        role: role_0123456789ab
        level: IC4

Decisions apply in file order to the run's automatic result. A decision that names an id the run no longer
has is reported `stale` (and changes nothing); the others are reported `applied`. Behavior ids are hashes
of a cluster's smallest normalized statement, so a merge keeps one of the merged ids and a split keeps the
original id on one of its parts: a decision keeps matching run after run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.build.dedupe import behavior_id
from pipeline.errors import ConfigError
from pipeline.models import DecisionOutcome


class _Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", description="Why the reviewer decided so (kept for the report).")


class MergeDecision(_Decision):
    """Two or more behaviors are one."""

    action: Literal["merge"]
    behaviors: list[str] = Field(min_length=2, description="Behavior ids (`beh_…`) to merge.")

    @property
    def target(self) -> str:
        return ", ".join(self.behaviors)


class SplitDecision(_Decision):
    """A merged behavior is several: each of its distinct normalized statements becomes a behavior."""

    action: Literal["split"]
    behavior: str = Field(description="Behavior id (`beh_…`) to split.")

    @property
    def target(self) -> str:
        return self.behavior


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


Decision = Annotated[MergeDecision | SplitDecision | RenameDecision | LevelDecision, Field(discriminator="action")]
ACTIONS = ("merge", "split", "rename", "level")


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

    def record(self, decision: Decision, status: Literal["applied", "stale"], detail: str) -> None:
        self._outcomes.append(
            (decision, DecisionOutcome(action=decision.action, target=decision.target, status=status, detail=detail))
        )

    def applied(self, decision: Decision, detail: str) -> None:
        self.record(decision, "applied", detail)

    def stale(self, decision: Decision, detail: str) -> None:
        self.record(decision, "stale", detail)

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
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    if data is None:
        return Decisions()
    if not isinstance(data, dict) or "decisions" not in data:
        raise ConfigError(f"{p}: expected a mapping with a `decisions:` list (actions: {', '.join(ACTIONS)})")
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


def apply_behavior_decisions(clusters: dict[str, list[str]], log: DecisionLog) -> tuple[dict[str, list[str]], set[str]]:
    """Apply the merge and split decisions of `log` to clusters (key -> member forms, id = `behavior_id(key)`),
    recording one outcome per decision in `log`.

    Returns the new clusters and the keys of clusters a merge decision made.
    `{"a": ["a"], "b": ["b"]}` with `merge [id(a), id(b)]` -> `{"a": ["a", "b"]}`.
    """
    out = {k: sorted(v) for k, v in clusters.items()}
    merged_keys: set[str] = set()
    for d in log.decisions.of("merge", "split"):
        ids = {behavior_id(k): k for k in out}
        if isinstance(d, MergeDecision):
            missing = [b for b in d.behaviors if b not in ids]
            if missing:
                log.stale(d, f"no behavior with id {', '.join(missing)}")
                continue
            keys = sorted({ids[b] for b in d.behaviors})
            members = sorted({f for k in keys for f in out.pop(k)})
            out[members[0]] = members
            merged_keys.add(members[0])
            log.applied(d, f"now {behavior_id(members[0])}")
        elif isinstance(d, SplitDecision):
            key = ids.get(d.behavior)
            if key is None:
                log.stale(d, "no behavior with this id")
                continue
            if len(out[key]) < 2:
                log.stale(
                    d,
                    "the behavior holds a single normalized statement; texts that differ only "
                    "in case, punctuation, articles, inflection or subject prefix cannot be split",
                )
                continue
            members = out.pop(key)
            merged_keys.discard(key)
            for f in members:
                out[f] = [f]
            log.applied(d, f"into {len(members)} behaviors")
    return dict(sorted(out.items())), merged_keys

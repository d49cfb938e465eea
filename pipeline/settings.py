"""The base of every settings class: unknown keys are errors, so a typo in a user's YAML is reported. And
`compiled`, the one place a setting's list of regular expressions is compiled."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A settings section; `extra="forbid"` turns a misspelt key into a `ConfigError` naming it."""

    model_config = ConfigDict(extra="forbid")


@lru_cache(maxsize=1024)
def _compile_all(patterns: tuple[str, ...], flags: int) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, flags) for p in patterns)


def compiled(patterns: Iterable[str], flags: int = 0) -> list[re.Pattern[str]]:
    """A setting's patterns, compiled once per process and flags: `compiled(cfg.badge_patterns, re.IGNORECASE)`."""
    return list(_compile_all(tuple(patterns), int(flags)))

"""The base of every settings class: unknown keys are errors, so a typo in a user's YAML is reported."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A settings section; `extra="forbid"` turns a misspelt key into a `ConfigError` naming it."""

    model_config = ConfigDict(extra="forbid")

"""Configuration: thresholds, alias tables and patterns, loaded from YAML into pydantic models.

Every value has a default documented next to it (the `description`); `ladder config` prints the
effective configuration as YAML. A file given with `--config` only needs the keys it changes.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RepairRule(Section):
    """A text repair for damage ftfy leaves; applied in order, after ftfy."""

    name: str
    pattern: str = Field(description="Python regular expression.")
    replacement: str
    example: str = Field("", description="'before -> after', shown in docs and tested.")


class IngestConfig(Section):
    max_bytes: int = Field(10 * 1024 * 1024, description="Files larger than this are rejected (10 MB).")
    extensions: list[str] = Field(
        [".txt", ".text", ".md", ".markdown", ".html", ".htm"],
        description="File extensions read from the input folder; other files are listed as skipped.",
    )
    manifest: str = Field(
        "manifest.yaml",
        description="Optional file in the input folder mapping file names to kinds (overrides detection).",
    )
    html_max_tag_errors: int = Field(
        3, description="An HTML file with this many unclosed or mismatched structural tags is rejected."
    )
    max_control_ratio: float = Field(
        0.01, description="Share of control characters above which decoded text counts as binary."
    )
    repair_rules: list[RepairRule] = Field(
        default_factory=lambda: [
            RepairRule(
                name="mojibake_apostrophe",
                pattern=r"(?<=[A-Za-z])\u0101(?=s\b)",
                replacement="'",
                example="groupās -> group's",
            ),
            RepairRule(
                name="mojibake_nbsp",
                pattern=r"(?<=\S)\u0100(?=\s|$)|(?<=\s)\u0100(?=\S)|(?<=[a-z.,;:])\u0100(?=[A-Z])",
                replacement="\u00a0",
                example="theĀ Partners -> the Partners",
            ),
        ],
        description="Rules for damage ftfy leaves, first match per position wins.",
    )


class KindConfig(Section):
    min_confidence: float = Field(
        0.5, description="Below this confidence a document's kind is reported as `unknown`."
    )


class CareerPageConfig(Section):
    not_defined_patterns: list[str] = Field(
        [
            r"\(\s*n\s*/\s*a\s*\)",
            r"\bnot (?:yet )?defined\b",
            r"\bnot yet available\b",
            r"\bcoming soon\b",
            r"^\s*tbd\.?\s*$",
        ],
        description="A role whose title or summary matches one of these is `defined: false`.",
    )
    not_applicable_patterns: list[str] = Field(
        [r"^\s*n\s*/?\s*a\.?\s*$", r"^\s*not relevant(?: here)?\.?\s*$", r"^\s*not applicable\.?\s*$", r"^\s*-+\s*$"],
        description="A competency description matching one of these marks it not applicable.",
    )
    path_markers: dict[str, str] = Field(
        {
            r"^\s*(?:ic|individual contributor|individual)\b.*\b(?:path|track|ladder)\s*$": "ic",
            r"^\s*(?:management|manager|managers|leadership|people management)\b.*\b(?:path|track|ladder)\s*$": "management",
        },
        description="Menu lines that open a path group (regex -> path).",
    )
    management_title_patterns: list[str] = Field(
        [
            r"\b(?:team|group|regional|area|people|practice)\s+(?:lead|leader|manager|director)\b",
            r"\bdirector\b",
            r"\bhead of\b",
            r"\bvp\b",
            r"\bvice president\b",
            r"\bchief\b",
        ],
        description="Title words that put a role on the management path when the menu does not say.",
    )
    behaviors_labels: list[str] = Field(
        ["behaviors", "behaviours", "key behaviors", "expected behaviors", "what this looks like"],
        description="Labels that introduce a competency's bullet list.",
    )
    track_patterns: list[str] = Field(
        [
            r"roles? (?:with)?in (?:the )?(?P<track>.+?) (?:career )?(?:path|track|ladder|job family)\b",
            r"^(?P<track>.+?) (?:career )?(?:ladder|framework|career path|levels)\s*$",
        ],
        description="Where the track name is read from (first match in the intro wins).",
    )
    max_heading_words: int = Field(10, description="A line longer than this is never a role/competency name.")


class Config(Section):
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    kinds: KindConfig = Field(default_factory=KindConfig)
    career_page: CareerPageConfig = Field(default_factory=CareerPageConfig)


def load_config(path: str | Path | None = None) -> Config:
    """Load a YAML config over the defaults; `None` gives the defaults."""
    if path is None:
        return Config()
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file not found: {p}")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a mapping of sections ({', '.join(Config.model_fields)})")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ConfigError(f"{p}: {where}: {first['msg']}") from exc

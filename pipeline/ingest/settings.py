"""Settings of the ingest stage: reading and repairing files (`ingest:`) and kind detection (`kinds:`)."""

from __future__ import annotations

from pydantic import Field

from pipeline.settings import Section


class RepairRule(Section):
    """A text repair for damage ftfy leaves; applied in order, after ftfy."""

    name: str
    pattern: str = Field(description="Python regular expression.")
    replacement: str
    example: str = Field("", description="'before -> after', shown in docs and tested.")


class IngestConfig(Section):
    max_bytes: int = Field(10 * 1024 * 1024, description="Files larger than this are rejected (10 MB).")
    max_blocks: int = Field(
        5000,
        description="Documents cut into more blocks (paragraphs, bullets, headings) than this are rejected; 0: no "
        "limit.",
    )
    max_seconds: float = Field(
        120.0,
        description="Time one document may take to read, repair and parse before it is rejected; 0: no limit.",
    )
    extensions: list[str] = Field(
        [".txt", ".text", ".md", ".markdown", ".html", ".htm"],
        description="File extensions read from the input folder; other files are listed as skipped.",
    )
    manifest: str = Field(
        "manifest.yaml",
        description="Optional file in the input folder mapping file names to kinds (overrides detection).",
    )
    follow_links: bool = Field(
        False,
        description="Read links that point outside the input folder (`ladder run --follow-links`); by default "
        "they are refused and listed in rejected.json.",
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
    min_confidence: float = Field(0.5, description="Below this confidence a document's kind is reported as `unknown`.")

"""Users' YAML keeps its keys: `ladder config` prints the defaults byte for byte as pinned, and every key a
user may have written is still a key of its section (settings moving between stage packages must not rename
or drop one).

After an intended change of a default or a new setting, regenerate the pinned output with
`UPDATE_GOLDEN=1 python3 dev.py test tests/e2e/test_config_keys.py` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from typer.testing import CliRunner

from flows.cli import app
from pipeline.config import Config

PINNED = Path(__file__).resolve().parent.parent / "golden" / "config.yaml"

# The keys of every section as users write them; a key may be added, never renamed or removed.
USER_KEYS = {
    "ingest": {"extensions", "html_max_tag_errors", "manifest", "max_bytes", "max_control_ratio", "repair_rules"},
    "kinds": {"min_confidence"},
    "career_page": {
        "behaviors_labels",
        "management_summary_patterns",
        "management_title_patterns",
        "max_heading_words",
        "not_applicable_patterns",
        "not_defined_patterns",
        "path_markers",
        "track_patterns",
    },
    "normalize": {
        "abbreviations",
        "base_level",
        "block_max_size",
        "block_prefix_share",
        "competency_abbrev_min",
        "competency_aliases",
        "competency_covers",
        "competency_fuzzy_threshold",
        "continuation_pattern",
        "drop_words",
        "function_words",
        "ic_level_rules",
        "management_level_rules",
        "max_added_words",
        "merge_threshold",
        "near_miss_threshold",
        "negation_words",
        "number_words",
        "numbered_title_pattern",
        "proficiency_words",
        "quantity_words",
        "scope_words",
        "scorer",
        "split_min_words",
        "split_on",
        "subject_prefixes",
        "synonyms",
        "tier_pattern",
        "variant_ratio",
        "workers",
    },
    "prose": {
        "addition_patterns",
        "author_line_patterns",
        "badge_patterns",
        "date_patterns",
        "default_facet",
        "entity_patterns",
        "external_parties",
        "facet_rules",
        "furniture_start_patterns",
        "guidance_cues",
        "guidance_modal_pattern",
        "guidance_names",
        "internal_parties",
        "management_rules",
        "max_name_words",
        "metric_patterns",
        "name_stopwords",
        "ownership_patterns",
        "promotion_patterns",
        "purpose_patterns",
        "quote_block_patterns",
        "quote_line_patterns",
        "quote_meta_patterns",
        "role_intro_patterns",
        "role_nouns",
        "rule_pattern",
        "title_aliases",
        "tokenizer_exceptions",
        "trained_pipeline",
    },
}


def test_ladder_config_prints_the_pinned_defaults() -> None:
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 0, result.output
    if os.environ.get("UPDATE_GOLDEN") == "1":
        PINNED.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == PINNED.read_text(encoding="utf-8")


def test_every_user_key_is_still_a_key_of_its_section() -> None:
    printed = yaml.safe_load(CliRunner().invoke(app, ["config"]).stdout)
    assert list(printed) == list(USER_KEYS) == list(Config.model_fields)
    for section, keys in USER_KEYS.items():
        assert keys <= set(printed[section]), f"{section}: keys gone: {sorted(keys - set(printed[section]))}"


def test_a_file_with_every_default_key_loads_back_to_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "all.yaml"
    path.write_text(CliRunner().invoke(app, ["config"]).stdout, encoding="utf-8")
    result = CliRunner().invoke(app, ["config", "--config", str(path)])
    assert result.stdout == PINNED.read_text(encoding="utf-8")

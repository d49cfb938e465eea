"""Configuration: the stage settings composed into one `Config`, loaded from YAML.

Each stage owns its settings classes (`pipeline/<stage>/settings.py`); this module only composes them under
the YAML section names users write (`ingest`, `kinds`, `career_page`, `normalize`, `prose`). Every value has
a default documented next to it (the `description`); `ladder config` prints the effective configuration as
YAML. A file given with `--config` only needs the keys it changes.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError

from pipeline.build.settings import NormalizeConfig
from pipeline.errors import ConfigError
from pipeline.ingest.settings import IngestConfig, KindConfig
from pipeline.parse.settings import CareerPageConfig, ProseConfig
from pipeline.settings import Section
from pipeline.yamlfile import read_yaml

__all__ = ["CareerPageConfig", "Config", "IngestConfig", "KindConfig", "NormalizeConfig", "ProseConfig", "load_config"]


class Config(Section):
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    kinds: KindConfig = Field(default_factory=KindConfig)
    career_page: CareerPageConfig = Field(default_factory=CareerPageConfig)
    normalize: NormalizeConfig = Field(default_factory=NormalizeConfig)
    prose: ProseConfig = Field(default_factory=ProseConfig)


def load_config(path: str | Path | None = None) -> Config:
    """Load a YAML config over the defaults; `None` gives the defaults."""
    if path is None:
        return Config()
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file not found: {p}")
    data = read_yaml(p) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a mapping of sections ({', '.join(Config.model_fields)})")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ConfigError(f"{p}: {where}: {first['msg']}") from exc

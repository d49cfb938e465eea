"""Shared fixtures: the seed corpus in raw/, the default config, ingested seed documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.ingest import ingest_file
from pipeline.models import Document, ParsedDocument
from pipeline.parse import parse_document

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCALE = "000_b0d645e37089b7a1.txt"
HIGH_TOUCH = "001_40e8c003601a9852.txt"
PARTNERS = "002_4d53095130480003.txt"
FORUM = "003_ebb476dbd41cc75c.txt"
ARTICLE = "004_dade5480aba12d42.txt"


@pytest.fixture(scope="session")
def config() -> Config:
    return Config()


@pytest.fixture(scope="session")
def seed_docs(config: Config) -> dict[str, Document]:
    return {p.name: ingest_file(p, RAW, config) for p in sorted(RAW.glob("0*"))}


@pytest.fixture(scope="session")
def seed_parsed(seed_docs: dict[str, Document], config: Config) -> dict[str, ParsedDocument]:
    return {name: parse_document(doc, config) for name, doc in seed_docs.items()}

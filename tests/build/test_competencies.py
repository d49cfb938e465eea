"""Canonical competencies: exact, alias table, abbreviation, fuzzy, new; covers relations."""

from __future__ import annotations

from pathlib import Path

from pipeline.build.competencies import canonicalize, competency_covers, competency_id, is_abbreviation
from pipeline.config import NormalizeConfig, load_config
from tests.conftest import HIGH_TOUCH, SCALE

CFG = NormalizeConfig()
DATA = Path(__file__).resolve().parent.parent / "data"


def test_seed_competencies(seed_parsed) -> None:
    names = []
    for name in (SCALE, HIGH_TOUCH):
        p = seed_parsed[name]
        names += [(p.track, c.name) for c in p.competencies]
    mapping = canonicalize(list(dict.fromkeys(names)), CFG)
    assert [(m.track, m.name, m.canonical, m.how) for m in mapping] == [
        ("High Touch CSM", "Coach and develop", "Coach and develop", "new"),
        ("High Touch CSM", "Communication", "Communication", "exact"),
        ("High Touch CSM", "Data driven", "Data driven", "new"),
        ("High Touch CSM", "Ownership and impact", "Ownership and impact", "new"),
        ("High Touch CSM", "Product knowledge", "Product Knowledge", "exact"),
        ("High Touch CSM", "Relationship", "Relationship", "new"),
        ("High Touch CSM", "Team management", "Team management", "new"),
        ("High Touch CSM", "Teamwork and collab", "Teamwork and Collaboration", "abbreviation"),
        ("Scale CSM", "Communication", "Communication", "exact"),
        ("Scale CSM", "Impact", "Impact", "new"),
        ("Scale CSM", "Ownership", "Ownership", "new"),
        ("Scale CSM", "Product Knowledge", "Product Knowledge", "exact"),
        ("Scale CSM", "Teamwork and Collaboration", "Teamwork and Collaboration", "exact"),
    ]
    covers = competency_covers(mapping, CFG)
    assert covers == {
        competency_id("Ownership and impact"): sorted([competency_id("Impact"), competency_id("Ownership")])
    }


def test_input_order_does_not_matter() -> None:
    names = [
        ("A", "Teamwork and collab"),
        ("B", "Teamwork and Collaboration"),
        ("C", "Comunication"),
        ("D", "Communication"),
    ]
    assert canonicalize(names, CFG) == canonicalize(list(reversed(names)), CFG)


def test_fuzzy_and_alias_table() -> None:
    toy = load_config(DATA / "toy_normalize.yaml").normalize
    mapping = canonicalize([("A", "Communication"), ("B", "Comunication"), ("C", "Leading people")], toy)
    assert [(m.name, m.canonical, m.how, m.score) for m in mapping] == [
        ("Communication", "Communication", "exact", None),
        ("Comunication", "Communication", "fuzzy", 96.0),
        ("Leading people", "People Leadership", "alias_table", None),
    ]


def test_config_covers() -> None:
    toy = load_config(DATA / "toy_normalize.yaml").normalize
    mapping = canonicalize([("A", "Customer outcomes"), ("B", "Adoption")], toy)
    assert competency_covers(mapping, toy) == {competency_id("Customer outcomes"): [competency_id("Adoption")]}


def test_is_abbreviation() -> None:
    assert is_abbreviation("teamwork and collab", "teamwork and collaboration", 4)
    assert not is_abbreviation("team and col", "teamwork and collaboration", 4)
    assert not is_abbreviation("ownership", "ownership and impact", 4)

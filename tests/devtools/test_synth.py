"""The synthetic corpus generator: exact wording rules, determinism, and documents that parse back to
exactly the behaviors the truth file lists."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.devtools.synth import (
    COMPETENCIES,
    CONTEXTS,
    PURPOSES,
    VERBS,
    Base,
    Style,
    Variant,
    canonical_text,
    company_name,
    generate_document,
    iter_occurrences,
    render,
    write,
    write_corpus,
)
from pipeline.errors import InputError
from pipeline.ingest import ingest_file
from pipeline.parse import parse_document

PLAIN = Style(False, False, None, 0.0, 0.0, (), False)


def test_canonical_text_and_truth_id() -> None:
    v = Variant(Base(0, 0, 0, 0), (), False)
    assert canonical_text(v) == (
        "Proactively reviews renewal risks across the book of business with the account executive to protect renewals"
    )
    assert v.truth_id == "ownership-000000"


def test_begins_and_adjective() -> None:
    v = Variant(Base(0, 0, 8, 0), (0,), True)
    assert canonical_text(v) == (
        "Begins to proactively review churn signals in basic usage data with the account executive "
        "in line with the team playbook"
    )
    assert v.truth_id == "ownership-000800.0b"


def test_progressions_get_new_truth_ids() -> None:
    begins = Variant(Base(0, 0, 8, 0), (0,), True)
    plain = begins.progress()
    assert plain == Variant(Base(0, 0, 8, 0), (0,), False)
    advanced = plain.progress()
    assert canonical_text(advanced).startswith("Proactively reviews churn signals in intermediate usage data")
    days = Variant(Base(0, 2, 14, 0), (1,), False)
    assert canonical_text(days) == (
        "Takes ownership of the 30-day success plan with the account executive for the strategic accounts in the portfolio"
    )
    assert canonical_text(days.progress()).startswith("Takes ownership of the 45-day success plan")
    assert days.progress().truth_id == "ownership-021400.2"
    assert Variant(Base(0, 1, 1, 1), (), False).progress() is None  # nothing left to grow


def test_house_style_edits_keep_the_meaning() -> None:
    style = Style(True, True, "The CSM will", 1.0, 1.0, (("customers", "clients"),), False)
    text, edits = write(Variant(Base(0, 0, 0, 0), (), False), style, random.Random(0))
    assert text == (
        "The CSM will review renewal risks across the book of business with the account executive proactively, "
        "to protect renewals."
    )
    assert edits == ("order", "punctuation", "subject")
    text, edits = write(Variant(Base(1, 3, 16, 2), (), False), style, random.Random(0))
    assert "clients" in text and "customers" not in text and "synonym" in edits


def test_distinct_bases_differ_in_two_phrases() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        k = rng.randrange(len(COMPETENCIES))
        x = Base(k, rng.randrange(17), rng.randrange(17), rng.randrange(17))
        y = Base(k, rng.randrange(17), rng.randrange(17), rng.randrange(17))
        if x == y:
            continue
        same = [VERBS[x.a] == VERBS[y.a], x.object == y.object, CONTEXTS[x.c] == CONTEXTS[y.c], x.purpose == y.purpose]
        assert sum(same) <= 2, (x, y)
    assert len(set(PURPOSES)) == len(PURPOSES) == 17


def test_company_names_are_unique() -> None:
    names = [company_name(c) for c in range(8000)]
    assert len(set(names)) == 8000
    assert names[:3] == ["Northwind", "Brightleaf Systems", "Bluewind Analytics"]


def test_documents_are_deterministic_and_seeded() -> None:
    assert render(generate_document(4, 9)) == render(generate_document(4, 9))
    assert render(generate_document(4, 9))[0] != render(generate_document(4, 10))[0]
    with pytest.raises(InputError, match="document index must be >= 0, got -1"):
        generate_document(-1)


def test_a_bigger_corpus_extends_a_smaller_one(tmp_path: Path) -> None:
    small = write_corpus(tmp_path / "a", 3, seed=2)
    big = write_corpus(tmp_path / "b", 4, seed=2)
    a = sorted(small.raw_dir.iterdir())
    b = sorted(big.raw_dir.iterdir())
    assert [p.name for p in a] == [p.name for p in b[:3]]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=False))
    assert big.truth_file.read_text().startswith(small.truth_file.read_text())


def test_written_pages_parse_back_to_the_truth(tmp_path: Path) -> None:
    summary = write_corpus(tmp_path, 6, seed=1)
    assert (summary.documents, summary.html_documents) == (6, 3)
    truth = list(csv.DictReader(summary.truth_file.open(encoding="utf-8")))
    assert len(truth) == summary.occurrences
    config = Config()
    got = []
    for path in sorted(summary.raw_dir.iterdir()):
        doc = ingest_file(path, summary.raw_dir, config)
        assert doc.kind == "career_page", path.name
        parsed = parse_document(doc, config)
        assert parsed.warnings == []
        got += [(doc.file, b.source_ref, parsed.track, b.role, b.competency, b.text) for b in parsed.behaviors]
    expected = [
        (r["source_file"], r["source_ref"], r["track"], r["role"], r["competency"], r["behavior_text"]) for r in truth
    ]
    assert got == expected


def test_iter_occurrences_follows_the_documents() -> None:
    occ = list(iter_occurrences(250, seed=1))
    assert len(occ) == 250
    first = generate_document(0, 1)
    texts = [b.text for r in first.roles for c in r.competencies for b in c.behaviors]
    assert [o.text for o in occ[: len(texts)]] == texts
    assert {o.doc for o in occ} == {0, 1, 2}
    with pytest.raises(InputError, match="number of occurrences must be >= 0, got -5"):
        list(iter_occurrences(-5))


def test_write_corpus_needs_a_document(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--docs must be at least 1, got 0"):
        write_corpus(tmp_path, 0)


def test_adversarial_generators_are_deterministic() -> None:
    from pipeline.devtools.synth import common_word_texts, huge_competency, near_duplicate_texts

    assert near_duplicate_texts(2, 0) == [
        "Reviews the support plan 345 for customer sponsors carefully.",
        "Rveiews the renewal plans 259 for customer sponsors as needed.",
    ]
    assert near_duplicate_texts(500, 3) == near_duplicate_texts(500, 3)
    assert len(common_word_texts(1000, 0)) == 1000 and common_word_texts(3, 0) == common_word_texts(3, 0)
    bullets = huge_competency(100, 0, chains=10)
    assert len(bullets) == 100 and len({b.text for b in bullets}) == 100
    assert sorted({b.level for b in bullets}) == [0, 1, 2, 3, 4]
    assert [b.chain for b in bullets[:4]] == [0, 0, 1, 1]
    assert bullets[0].text.split()[1:2] == ["basic"] and bullets[1].text.split()[1:2] == ["advanced"]
    words = [set(b.text.casefold().split()) for b in bullets[20:]]  # unrelated: at most two words in common
    assert max(len(a & b) for x, a in enumerate(words) for b in words[x + 1 :]) == 2

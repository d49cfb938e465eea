"""`regex_needs`: what a pattern needs in a line before it can match, read from the pattern, and the forum
line typing that uses it (same types as trying every pattern) and the shared ladder detection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.ingest import ingest_bytes, ingest_for_parse
from pipeline.ingest.classify import _features
from pipeline.models import Block
from pipeline.parse import forum_signals, ladder, parse_document
from pipeline.parse.career_page import parse_career_page
from pipeline.parse.forum_signals import Signals, line_type, line_types
from pipeline.parse.ladder import LadderMemo, detect
from pipeline.parse.regex_needs import either, needs
from pipeline.run import process_bytes
from tests.conftest import FIXTURES

CONFIG = Config()
ROOT = Path(__file__).resolve().parents[2]


def test_needs_reads_literals_classes_and_branches() -> None:
    author = needs(r"^(?P<author>[^·•|]+?)\s*[·•|]\s*(?P<rest>.*)$", re.IGNORECASE)
    verbs = needs(r"^(?P<a>[^:]+?)\s+(?:replied|posted)\b", re.IGNORECASE)
    assert author is not None and verbs is not None
    assert (author.regex.pattern, author.ascii, author.fold) == ("·|•|\\|", ("|",), True)
    assert (verbs.regex.pattern, verbs.ascii) == ("replied|posted", ("replied", "posted"))
    assert [verbs.found_in(t) for t in ("Jo REPLIED", "Jo answered", "Jo poſted")] == [True, False, True]
    assert [author.found_in(t) for t in ("Jo Doe · 2y", "Jo Doe - 2y")] == [True, False]
    # nothing usable, or optional: no requirement
    assert [needs(p) for p in (r"^\w+$", r"(?:abc)?x*", r"(?i:abc)")] == [None, None, None]
    # a non-ASCII letter that folds to ASCII ("ſ" is "s" when ignoring case) keeps the regex test for all text
    long_s = needs("ſ", re.IGNORECASE)
    assert long_s is not None and long_s.ascii is None and long_s.found_in("s")


def test_found_in_takes_the_lowered_line() -> None:
    verbs = needs(r"\b(?:replied|posted)\b", re.IGNORECASE)
    assert verbs is not None
    text = "Jo REPLIED"
    assert [verbs.found_in(text, text.lower()), verbs.found_in("Jo answered", "jo answered")] == [True, False]
    case = needs("Posted")  # no case folding: the text itself is tested, not its lowered form
    assert case is not None and [case.found_in("Posted", "posted"), case.found_in("posted", "posted")] == [True, False]


def test_a_pattern_that_fails_at_its_first_character_is_its_own_test() -> None:
    """Anchored at the start on a literal or a small class: no requirement (the full pattern is cheaper)."""
    assert [needs(p, re.IGNORECASE) for p in (r"^>", r"^\d+\s+comments?$", r"^[\d,]+\s+likes", r"^#[\w-]+$")] == [
        None
    ] * 4
    kept = [needs(p, re.IGNORECASE) for p in (r"^[^:]+?\s+wrote", r"^\W*best answer", r"^-*\s*original message")]
    assert [n.ascii if n else None for n in kept] == [("wrote",), ("best answer",), ("original message",)]


def test_either_is_one_test_for_a_family() -> None:
    a, b = needs("replied|posted", re.IGNORECASE), needs(r"\s[·•|]\s", re.IGNORECASE)
    ecrit = needs(r"a écrit", re.IGNORECASE)
    fam = either([a, b, ecrit])
    assert fam is not None
    assert (fam.regex.pattern, fam.ascii, fam.fold) == (
        "replied|posted|·|•|\\||a\\ écrit",
        ("replied", "posted", "|"),
        True,
    )
    assert [fam.found_in(t) for t in ("Jo POSTED", "Jo · 2y", "Jo a écrit", "Jo said")] == [True, True, True, False]
    # one pattern without a requirement, or other flags: no family test
    assert either([a, None]) is None
    assert either([a, needs("posted")]) is None
    assert either([]) is None


def test_line_types_type_a_repeated_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    sig = Signals(CONFIG.prose)
    lines = [
        Block(kind="para", text=t, ref=f"L{i}")
        for i, t in enumerate(["Jo Doe", "Mar 3, 2024", "Jo Doe", "Thanks, that helps."])
    ]
    seen: list[str] = []
    real = forum_signals.line_type

    def counting(b: Block, s: Signals) -> str:
        seen.append(b.text)
        return real(b, s)

    monkeypatch.setattr(forum_signals, "line_type", counting)
    assert line_types(lines, sig) == ["name", "date", "name", "body"]
    assert seen == ["Jo Doe", "Mar 3, 2024", "Thanks, that helps."]


def test_features_count_every_line_of_a_repeated_text() -> None:
    """The line checks run once per distinct text; the counts are still per line."""
    texts = ["Member Posts: 9", "Member Posts: 9", "3 years of experience", "3 years of experience", "Why this?"]
    texts += ["Why does a ladder matter for the team?", "Why does a ladder matter for the team?"]
    blocks = [Block(kind="para", text=t, ref=f"L{i}") for i, t in enumerate(texts)]
    f = _features(blocks, 12)
    assert (f["forum"], f["years"], f["questions"]) == (4, 2, 2)


def _lines() -> list[Block]:
    paths = sorted(p for p in FIXTURES.rglob("*") if p.suffix in {".txt", ".md", ".html"})
    paths += sorted((ROOT / "raw").glob("*.txt"))
    return [b for p in paths for b in ingest_bytes(p.read_bytes(), p.name, CONFIG).blocks]


def test_line_types_are_those_of_the_full_patterns() -> None:
    """Every fixture line gets the type it gets when every pattern is tried (no requirement skips one)."""
    fast = Signals(CONFIG.prose)
    full = Signals(CONFIG.prose)
    full.authors = [(rx, None) for rx, _ in full.authors]
    full.headers = [(rx, rule, None) for rx, rule, _ in full.headers]
    full.quote_needs = [None] * len(full.quote_needs)
    full.date_needs = [None] * len(full.date_needs)
    full.badge_anywhere_needs = None
    full.quote_any = full.header_any = full.author_any = None
    lines = _lines()
    types = [line_type(b, fast) for b in lines]
    assert types == [line_type(b, full) for b in lines]
    assert len(lines) == 1666
    assert {t: types.count(t) for t in sorted(set(types))} == {
        "author": 4,
        "badge": 65,
        "body": 1135,
        "date": 18,
        "depth": 8,
        "handle": 216,
        "header": 10,
        "name": 182,
        "quote_block": 1,
        "quote_line": 7,
        "quote_meta": 12,
        "rule": 7,
        "signature": 1,
    }


def test_ladder_detection_runs_once_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kind detection and the career-page parser share one detection (`LadderMemo`)."""
    calls: list[int] = []
    real = ladder._detect_axes

    def counting(nodes, rules, shape=None):  # type: ignore[no-untyped-def]
        calls.append(len(nodes))
        return real(nodes, rules, shape)

    monkeypatch.setattr(ladder, "_detect_axes", counting)
    md = (FIXTURES / "support_ladder.md").read_bytes()
    result = process_bytes(md, "support_ladder.md", CONFIG)
    assert result.parsed is not None and result.parsed.kind == "career_page"
    assert len(calls) == 1
    calls.clear()
    text = (FIXTURES / "sales_ladder.txt").read_bytes()  # plain text: the promoted reading too, once
    result = process_bytes(text, "sales_ladder.txt", CONFIG)
    assert result.parsed is not None and len(result.parsed.roles) > 0
    assert len(calls) == 2


def test_shared_detection_gives_the_same_parse() -> None:
    for name in ("support_ladder.md", "sales_ladder.txt", "scale_csm.html", "data_ladder.txt"):
        data = (FIXTURES / name).read_bytes()
        doc, memo = ingest_for_parse(data, name, CONFIG)
        assert parse_document(doc, CONFIG, memo) == parse_document(doc, CONFIG)
        cp = CONFIG.career_page
        for single in (False, True):
            assert memo.found(single) == detect(doc.nodes, cp.structure, single, cp.path_markers)


def test_a_memo_of_other_nodes_is_not_used() -> None:
    md = ingest_bytes((FIXTURES / "support_ladder.md").read_bytes(), "support_ladder.md", CONFIG)
    other = ingest_bytes((FIXTURES / "marketing_ladder.md").read_bytes(), "marketing_ladder.md", CONFIG)
    cp = CONFIG.career_page
    wrong = LadderMemo(other.nodes, cp.structure, cp.path_markers)
    assert not wrong.serves(md.nodes, cp.structure, cp.path_markers)
    assert parse_career_page(md, CONFIG, wrong) == parse_career_page(md, CONFIG)


def test_person_is_read_once_per_text(monkeypatch: pytest.MonkeyPatch) -> None:
    sig = Signals(CONFIG.prose)
    asked: list[str] = []
    real = sig._person

    def counting(text: str) -> str | None:
        asked.append(text)
        return real(text)

    monkeypatch.setattr(sig, "_person", counting)
    monkeypatch.setattr(forum_signals, "_MEMO_SIZE", 2)
    got = [
        sig.person(t) for t in ("u/csm_lena", "Jane Doe <jane@example.org>", "u/csm_lena", "We meet at", "u/csm_lena")
    ]
    assert got == ["csm_lena", "Jane Doe", "csm_lena", None, "csm_lena"]
    # the third distinct text finds the memo full: it is cleared, so "u/csm_lena" is read again after it
    assert asked == ["u/csm_lena", "Jane Doe <jane@example.org>", "We meet at", "u/csm_lena"]

"""`regex_needs`: what a pattern needs in a line before it can match, read from the pattern, and the forum
line typing that uses it (same types as trying every pattern) and the shared ladder detection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.ingest import ingest_bytes, ingest_for_parse
from pipeline.models import Block
from pipeline.parse import ladder, parse_document
from pipeline.parse.career_page import parse_career_page
from pipeline.parse.forum_signals import Signals, line_type
from pipeline.parse.ladder import LadderMemo, detect
from pipeline.parse.regex_needs import needs
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

    def counting(nodes, rules):  # type: ignore[no-untyped-def]
        calls.append(len(nodes))
        return real(nodes, rules)

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

"""Kind detection stops reading once the structure decides the kind: the same answer as the best of all four
scores, without the line cues and the thread evidence when the document is a career page by its structure."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.devtools.synth import write_corpus
from pipeline.errors import RejectedDocument
from pipeline.ingest import classify, ingest_bytes
from pipeline.ingest.classify import _best, _decided_scores, detect_kind, kind_scores
from pipeline.models import Document
from tests.conftest import FIXTURES, FORUM, SCALE

CONFIG = Config()
ROOT = Path(__file__).resolve().parents[2]


def _docs(paths: list[Path]) -> list[Document]:
    docs = []
    for p in paths:
        try:
            docs.append(ingest_bytes(p.read_bytes(), p.name, CONFIG))
        except RejectedDocument:
            continue
    return docs


def _detect(doc: Document) -> tuple[str, float]:
    return detect_kind(doc.blocks, CONFIG.kinds, CONFIG.career_page, CONFIG.prose, doc.nodes)


def _full(doc: Document) -> tuple[str, float]:
    kind, best = _best(kind_scores(doc.blocks, CONFIG.career_page, CONFIG.prose, doc.nodes))
    return ("unknown" if best < CONFIG.kinds.min_confidence else kind), best


def test_detect_kind_is_the_best_of_all_scores(tmp_path: Path) -> None:
    """Fixtures, raw/ and synthetic ladders: every kind and confidence is the one all four scores give, and
    both ways (decided by the structure, read to the end) are taken."""
    paths = sorted(p for p in FIXTURES.rglob("*") if p.suffix in {".txt", ".md", ".html"})
    paths += sorted(p for p in (ROOT / "raw").iterdir() if p.suffix in {".txt", ".md", ".html"})
    paths += sorted(write_corpus(tmp_path / "synth", 40, 0).raw_dir.iterdir())
    docs = _docs(paths)
    short = 0
    for doc in docs:
        assert _detect(doc) == _full(doc), doc.file
        scores = _decided_scores(doc.blocks, CONFIG.career_page, CONFIG.prose, doc.nodes)
        if len(scores) == 1:
            short += 1
            full = kind_scores(doc.blocks, CONFIG.career_page, CONFIG.prose, doc.nodes)
            assert scores == {"career_page": full["career_page"]}, doc.file
        else:
            assert scores == kind_scores(doc.blocks, CONFIG.career_page, CONFIG.prose, doc.nodes), doc.file
    assert 40 <= short < len(docs)  # every synthetic ladder is decided early; the threads and articles are not


def test_a_ladder_is_decided_without_the_thread_evidence(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _docs([ROOT / "raw" / SCALE])[0]

    def refuse(*_args: object) -> object:
        raise AssertionError("read although the structure decides the kind")

    monkeypatch.setattr(classify, "thread_evidence", refuse)
    monkeypatch.setattr(classify, "_cues", refuse)
    assert _detect(doc) == ("career_page", 1.0)
    with pytest.raises(AssertionError):
        kind_scores(doc.blocks, CONFIG.career_page, CONFIG.prose, doc.nodes)


def test_a_thread_reads_its_evidence(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _docs([ROOT / "raw" / FORUM])[0]
    calls: list[int] = []
    real = classify.thread_evidence

    def counting(blocks: list, prose: object) -> object:
        calls.append(len(blocks))
        return real(blocks, prose)  # type: ignore[arg-type]

    monkeypatch.setattr(classify, "thread_evidence", counting)
    assert _detect(doc) == ("forum_thread", 1.0)
    assert calls == [len(doc.blocks)]


def test_a_short_text_reads_every_cue() -> None:
    """A short text: the role and article bounds stay above its career score, so every cue is read."""
    doc = ingest_bytes(b"Shopping list\nmilk\neggs\n", "list.txt", CONFIG)
    scores = _decided_scores(doc.blocks, CONFIG.career_page, CONFIG.prose, doc.nodes)
    assert scores == {"career_page": 0.0, "forum_thread": 0.0, "role_descriptions": 0.2, "article": 0.001}
    assert _detect(doc) == ("unknown", 0.2)

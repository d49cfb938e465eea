"""HTML nested thousands of levels deep is read (the tree walk never recurses), not a run-stopping crash."""

from __future__ import annotations

from pipeline.config import Config
from pipeline.ingest import ingest_bytes


def test_html_nested_3000_levels_is_read() -> None:
    page = "<html><body><h1>Deep page</h1>" + "<div>" * 3000 + "inner text" + "</div>" * 3000 + "</body></html>"
    doc = ingest_bytes(page.encode(), "deep.html", Config())
    assert doc.title == "Deep page"
    assert [b.text for b in doc.blocks] == ["Deep page", "inner text"]


def test_lists_nested_1200_levels_are_read() -> None:
    page = "<html><body><h1>Lists</h1>" + "<ul><li>item" * 1200 + "</li></ul>" * 1200 + "</body></html>"
    doc = ingest_bytes(page.encode(), "lists.html", Config())
    items = [b for b in doc.blocks if b.text.startswith("item")]
    # past the depth the tree keeps (100 nested lists), the rest of the text is kept whole in the deepest item
    assert (doc.title, len(items), max(b.level for b in items)) == ("Lists", 101, 100)
    assert items[-1].text == " ".join(["item"] * 1100)

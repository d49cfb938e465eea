"""The document tree: nesting, tables with cell refs, HTML inside Markdown, front matter, deep nesting."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.errors import LadderError
from pipeline.ingest import ingest_bytes
from pipeline.ingest.tree import build_tree, children
from pipeline.models import Document


def _shape(nodes, i=-1, depth=0):
    kids = [j for j, n in enumerate(nodes) if n.parent == i]
    out = []
    for j in kids:
        n = nodes[j]
        out.append(("  " * depth) + f"{n.kind}:{n.ref}:{n.text}")
        out.extend(_shape(nodes, j, depth + 1))
    return out


def test_markdown_lists_stay_nested_with_labels_and_emphasis() -> None:
    md = "# Growth\n\n- **Delivery:** ships small\n  - example one\n- Craft:\n\n  - writes tests\n\n_Summary line._\n"
    nodes, title = build_tree(md, "markdown")
    assert title == ""
    assert _shape(nodes) == [
        "heading:L1:Growth",
        "list:L3:",
        "  item:L3:Delivery: ships small",
        "    list:L4:",
        "      item:L4:example one",
        "  item:L5:Craft:",
        "    list:L7:",
        "      item:L7:writes tests",
        "para:L9:Summary line.",
    ]
    assert [(n.label, n.level) for n in nodes if n.kind == "item"] == [("Delivery", 1), (None, 2), (None, 1), (None, 2)]
    assert [n.emph for n in nodes if n.kind == "para"] == [True]


def test_front_matter_gives_the_title_and_stays_out_of_the_text() -> None:
    nodes, title = build_tree("---\ntitle: Growth Paths\nowner: ops\n---\n# Page\n\nBody.\n", "markdown")
    assert title == "Growth Paths"
    assert [(n.kind, n.text, n.ref) for n in nodes] == [("heading", "Page", "L5"), ("para", "Body.", "L7")]


def test_pipe_table_cells_have_row_and_column_refs() -> None:
    md = "Intro\n\n| Area | Tier A | Tier B |\n|---|---|---|\n| Care | listens | coaches |\n"
    nodes, _ = build_tree(md, "markdown")
    cells = [(n.ref, n.text, n.header) for n in nodes if n.kind == "cell"]
    assert cells == [
        ("L3:r1c1", "Area", True),
        ("L3:r1c2", "Tier A", True),
        ("L3:r1c3", "Tier B", True),
        ("L5:r2c1", "Care", False),
        ("L5:r2c2", "listens", False),
        ("L5:r2c3", "coaches", False),
    ]


def test_html_table_inside_markdown_lands_in_the_tree_with_markdown_lines() -> None:
    md = (
        "# Grades\n\nSome words.\n\n<table>\n  <tr><th>Grade</th><th>Craft</th></tr>\n\n"
        '  <tr>\n    <td rowspan="2">G1</td>\n    <td><p>first run\n<p>second run</td>\n  </tr>\n\n'
        "  <tr><td><ul><li>lists things\n<li>closes tickets</li></ul></td></tr>\n</table>\n"
    )
    nodes, _ = build_tree(md, "markdown")
    assert _shape(nodes)[2:] == [
        "table:L5:",
        "  row:L6:",
        "    cell:L6:r1c1:Grade",
        "      para:L6:Grade",
        "    cell:L6:r1c2:Craft",
        "      para:L6:Craft",
        "  row:L8:",
        "    cell:L9:r2c1:G1",
        "      para:L9:G1",
        "    cell:L10:r2c2:first run second run",
        "      para:L10:first run",
        "      para:L11:second run",
        "  row:L14:",
        "    cell:L14:r3c2:lists things closes tickets",
        "      list:L14:",
        "        item:L14:lists things",
        "        item:L15:closes tickets",
    ]


def test_html_page_drops_furniture_and_keeps_blockquotes() -> None:
    html = "<html><body><nav>Home | About</nav><h1>Ladder</h1><blockquote><p>I build.</p></blockquote></body></html>"
    nodes, _ = build_tree(html, "html")
    assert _shape(nodes) == ["heading:L1:Ladder", "quote:L1:", "  para:L1:I build."]


def test_plain_text_bullets_nest_by_indent_and_marked_lines_are_headings() -> None:
    text = "**Support Lead\n\n***Craft\n- fixes things\n  - an example\n- helps\nPlain sentence here.\n"
    nodes, _ = build_tree(text, "text")
    assert _shape(nodes) == [
        "heading:L1:Support Lead",
        "heading:L3:Craft",
        "list:L4:",
        "  item:L4:fixes things",
        "    list:L5:",
        "      item:L5:an example",
        "  item:L6:helps",
        "para:L7:Plain sentence here.",
    ]
    assert [n.level for n in nodes if n.kind == "heading"] == [1, 2]


def test_html_nested_thousands_deep_neither_raises_nor_breaks_serialization() -> None:
    html = "<html><body>" + "<div><ul><li>x" * 1500 + "</li></ul></div>" * 1500 + "</body></html>"
    doc = ingest_bytes(html.encode(), "deep.html", Config())
    again = Document.model_validate_json(doc.model_dump_json())
    assert again.nodes == doc.nodes
    assert max(len(k) for k in children(doc.nodes)) >= 1
    assert json.loads(doc.model_dump_json())["nodes"][0]["kind"] == "list"


_PIECES = st.sampled_from(
    [
        "<table>",
        "</table>",
        "<tr>",
        "<td>",
        "</td>",
        "<th colspan='3'>",
        "<ul>",
        "<li>",
        "</ul>",
        "<p>",
        "# H",
        "\n",
        "- item",
        "  - sub",
        "| a | b |",
        "|---|---|",
        "---",
        "title: x",
        "**Bold:** t",
        "<div>",
        "</div>",
        "text",
        "\n\n",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=40), st.sampled_from(["x.md", "x.html", "x.txt"]))
def test_building_the_tree_raises_only_ladder_errors(pieces: list[str], name: str) -> None:
    data = "".join(pieces).encode()
    try:
        doc = ingest_bytes(data, name, Config())
    except LadderError:
        return
    for i, n in enumerate(doc.nodes):
        assert -1 <= n.parent < i


def test_ref_line_reads_line_and_cell_refs() -> None:
    from pipeline.models import line_of

    assert [line_of(r) for r in ("L12", "L40:r2c3", "L0", "x")] == [12, 40, 0, 0]

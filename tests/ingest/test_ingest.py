"""Ingest: decoding, repair, blocks, kind detection, and the refusal of unusable files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipeline.config import Config, IngestConfig
from pipeline.errors import InputError, RejectedDocument
from pipeline.ingest import decode, ingest_bytes, list_inputs
from pipeline.ingest.repair import repair_text
from pipeline.ingest.tree import build_tree, flat_blocks
from pipeline.run import process_file
from tests.conftest import ARTICLE, FORUM, HIGH_TOUCH, PARTNERS, SCALE


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "Team’s goals".encode(), "utf-8"),
        ("Team’s goals".encode(), "utf-8"),
        (codecs.BOM_UTF16_LE + "Team’s goals".encode("utf-16-le"), "utf-16"),
        ("Team’s goals".encode("utf-16-be"), "utf-16"),
        ("Team’s goals".encode("utf-16-le"), "utf-16"),
        ("Team’s goals".encode("cp1252"), "cp1252"),
    ],
)
def test_decode_detects_encoding(data: bytes, encoding: str) -> None:
    text, enc = decode(data, "f.txt", Config())
    assert (text, enc) == ("Team’s goals", encoding)


def test_decode_latin1_when_cp1252_cannot() -> None:
    # 0x81 is undefined in cp1252; latin-1 maps it to a C1 control, one of which is tolerated
    text, enc = decode(b"Caf\xe9 au lait \x81 ok " * 40, "f.txt", Config(ingest=IngestConfig(max_control_ratio=0.1)))
    assert enc == "latin-1" and text.startswith("Café au lait")


def test_repair_partners_mojibake(seed_docs) -> None:
    doc = seed_docs[PARTNERS]
    assert [(r.rule, r.ref) for r in doc.repairs] == [
        ("mojibake_nbsp", "L1"),
        ("mojibake_nbsp", "L7"),
        ("mojibake_apostrophe", "L11"),
        ("mojibake_apostrophe", "L12"),
        ("mojibake_nbsp", "L12"),
        ("mojibake_apostrophe", "L17"),
        ("mojibake_apostrophe", "L18"),
        ("mojibake_apostrophe", "L21"),
        ("mojibake_nbsp", "L22"),
    ]
    assert "work group's results" in doc.text
    blocks = " ".join(b.text for b in doc.blocks)
    assert "Understanding of GSI's practices" in blocks and "The analysis provided is in-depth" in blocks
    assert "\u0100" not in doc.text and "\u0101" not in doc.text
    assert doc.repairs[2].before.endswith("impact on the work groupās results. Owns all Succ")
    assert doc.repairs[2].after.endswith("impact on the work group's results. Owns all Succ")


def test_repair_rules_leave_real_macrons_alone() -> None:
    text, repairs = repair_text("Kia ora, Māori and Pāli words stay.", "f.txt", IngestConfig())
    assert (text, repairs) == ("Kia ora, Māori and Pāli words stay.", [])


def test_repair_ftfy_mojibake_recorded() -> None:
    text, repairs = repair_text("line one\nIt’s the teamâ€™s goal", "f.txt", IngestConfig())
    assert text == "line one\nIt’s the team’s goal"
    assert [(r.ref, r.rule, r.before, r.after) for r in repairs] == [
        ("L2", "ftfy", "It’s the teamâ€™s goal", "It’s the team’s goal")
    ]


def test_text_blocks_bullets_and_lines() -> None:
    nodes, _ = build_tree("Ownership\n\n  • Keeps the board up to date\n- Second one\n1. Numbered\nPlain line.", "text")
    blocks = flat_blocks(nodes, text_format=True)
    assert [(b.kind, b.text, b.ref) for b in blocks] == [
        ("para", "Ownership", "L1"),
        ("item", "Keeps the board up to date", "L3"),
        ("item", "Second one", "L4"),
        ("item", "Numbered", "L5"),
        ("para", "Plain line.", "L6"),
    ]


def test_markdown_blocks() -> None:
    md = "# Ladder\n\nIntro **bold** [link](http://x)\n\n## Role A\n- one\n  - nested\n* two\n"
    assert [(b.kind, b.text, b.level, b.ref) for b in flat_blocks(build_tree(md, "markdown")[0])] == [
        ("heading", "Ladder", 1, "L1"),
        ("para", "Intro bold link", 0, "L3"),
        ("heading", "Role A", 2, "L5"),
        ("item", "one", 1, "L6"),
        ("item", "nested", 2, "L7"),
        ("item", "two", 1, "L8"),
    ]


def test_html_blocks_drop_furniture() -> None:
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body>\n<nav><a>Home</a></nav>\n"
        "<h2>Role</h2>\n<p>Summary <b>text</b>.</p>\n<ul>\n<li>One <i>x</i></li>\n<li>Two</li></ul>\n"
        "<script>alert(1)</script><footer>© 2024</footer></body></html>"
    )
    nodes, title = build_tree(html, "html")
    blocks = flat_blocks(nodes)
    assert title == "T"
    assert [(b.kind, b.text, b.ref) for b in blocks] == [
        ("heading", "Role", "L3"),
        ("para", "Summary text.", "L4"),
        ("item", "One x", "L6"),
        ("item", "Two", "L7"),
    ]


def test_seed_kinds_detected(seed_docs) -> None:
    assert {name: d.kind for name, d in seed_docs.items()} == {
        SCALE: "career_page",
        HIGH_TOUCH: "career_page",
        PARTNERS: "role_descriptions",
        FORUM: "forum_thread",
        ARTICLE: "article",
    }
    assert seed_docs[SCALE].id == "5029d06e5e9b4c79"  # sha256 of the bytes, not the name


def test_kind_override_from_manifest(tmp_path: Path) -> None:
    from pipeline.ingest import load_manifest

    (tmp_path / "manifest.yaml").write_text("kinds:\n  a.txt: article\n")
    assert load_manifest(tmp_path, Config()) == {"a.txt": "article"}
    doc = ingest_bytes(b"Hello there.\nSecond line.", "a.txt", Config(), "article")
    assert (doc.kind, doc.kind_confidence, doc.kind_source) == ("article", 1.0, "manifest")


def test_unknown_kind_reported_not_guessed() -> None:
    doc = ingest_bytes(b"Shopping list\nmilk\neggs\n", "list.txt", Config())
    assert doc.kind == "unknown"


# -- bad input: each case ends as a rejection with a clear reason ------------------------------------

BAD_CASES = {
    "empty.txt": (b"", "empty file"),
    "blank.md": (b"  \n\n\t\n", "empty file"),
    "image.txt": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20,
        "binary file (contains NUL bytes), not a text document",
    ),
    "garbage.txt": (
        bytes(range(0x80, 0xA0)) * 30,
        "cannot decode: 960 control characters as latin-1; not UTF-8, UTF-16 or cp1252 text",
    ),
    "broken.html": (
        b"<html><body><div><section><h2>Role</h2><ul><li>One</ul></div></table></section>",
        "malformed HTML: 3 tag errors (first: <section> at line 1 not closed before </div>)",
    ),
    "notags.html": (b"just some text, no markup at all", "malformed HTML: no tags found in a .html file"),
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_input_rejected(tmp_path: Path, name: str) -> None:
    data, reason = BAD_CASES[name]
    (tmp_path / name).write_bytes(data)
    result = process_file(tmp_path / name, tmp_path, Config())
    assert result.document is None
    assert (result.rejection.file, result.rejection.reason) == (name, reason)


def test_too_large_rejected(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("Ownership\n" * 200)
    result = process_file(tmp_path / "big.txt", tmp_path, Config(ingest=IngestConfig(max_bytes=1000)))
    assert result.rejection.reason == "too large: 2,000 bytes (limit 1,000; set ingest.max_bytes)"
    with pytest.raises(RejectedDocument, match="big.txt: too large"):
        ingest_bytes(b"x" * 1001, "big.txt", Config(ingest=IngestConfig(max_bytes=1000)))


def test_list_inputs_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="input folder not found"):
        list_inputs(tmp_path / "nope", Config())
    (tmp_path / "README.md").write_text("# not a document")
    (tmp_path / "data.csv").write_text("a,b")
    with pytest.raises(InputError, match=r"no documents in .* \(expected files ending in \.htm, \.html"):
        list_inputs(tmp_path, Config())
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("x")
    files, skipped = list_inputs(tmp_path, Config())
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["b.txt", "sub/a.md"]
    assert [p.name for p in skipped] == ["data.csv"]


def test_repair_long_mojibake_line_is_linear() -> None:
    # one 21,000-character line of UTF-8 read as cp1252: each damaged word is one repair, found without
    # aligning the whole line character by character (that took minutes at 10^4 characters)
    import time

    word = "team’s café"
    line = " ".join([word.encode("utf-8").decode("cp1252")] * 1000)
    start = time.perf_counter()
    text, repairs = repair_text(line, "f.txt", IngestConfig())
    assert time.perf_counter() - start < 10
    assert text == " ".join([word] * 1000)
    assert len(repairs) == 2000
    assert (repairs[0].before, repairs[0].after) == ("teamâ€™s cafÃ© teamâ€™s cafÃ© t", "team’s café team’s café team’")
    assert (repairs[1].before, repairs[1].after) == (
        "teamâ€™s cafÃ© teamâ€™s cafÃ© teamâ€™s",
        "team’s café team’s café team’s café",
    )
    assert repairs[-1].after == "é team’s café team’s café"

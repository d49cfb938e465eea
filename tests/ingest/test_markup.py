"""One pass over an HTML page: the regex tokens give the tree and the damage html.parser + BeautifulSoup give."""

from __future__ import annotations

import random
import re
from pathlib import Path

import ftfy
import pytest
from ftfy.badness import BADNESS_RE

from pipeline.config import Config
from pipeline.errors import RejectedDocument
from pipeline.ingest import decode
from pipeline.ingest.markup import CData, Element, Page, _soup_page, html_damage, parse_page
from pipeline.ingest.repair import _BADNESS_NEEDS, _literals, _needs_ftfy, may_match, non_ascii_needs, repair_text
from pipeline.ingest.settings import IngestConfig, RepairRule
from pipeline.ingest.tree import clean, page_tree

ROOT = Path(__file__).resolve().parents[2]
LADDERS = ROOT.parent / "shared" / "ladders" / "raw"


def _shape(el: Element | str) -> object:
    if isinstance(el, Element):
        return (el.name, el.line, dict(el.attrs), [_shape(k) for k in el.kids])
    return (type(el).__name__, str(el))


def _same(a: Page, b: Page) -> None:
    assert (a.tags, a.errors) == (b.tags, b.errors)
    assert _shape(a.root) == _shape(b.root)
    assert (_shape(a.title) if a.title else None) == (_shape(b.title) if b.title else None)
    assert (_shape(a.body) if a.body else None) == (_shape(b.body) if b.body else None)
    assert page_tree(a) == page_tree(b)


# read by the token regex: the same as html.parser + BeautifulSoup
SIMPLE = [
    "<p>a<div>b</div>c</p>",
    "<ul><li>one<li>two</ul><p>after",
    "<table><tr><td colspan=2>a</td><td rowspan='3' colspan=\"x\">b</tr></table>",
    "<html><head><title>T <b>x</b></title></head><body><p>in</p></body><p>after body</p></html>",
    "<p>\n\n<span\nclass=x>a</span> <span>b</span></p>",
    "<p>a &amp; b &nbsp;c &#8212; &#x41; &#150; &unknownent; &copy</p><p>&</p>",
    "<p>x<script>if (a < b) { document.write('</p>') }</script>y</p><style>p{}</style>",
    "<p>a<!-- note <b>not a tag</b> -->b<?pi x?>c</p><!DOCTYPE html>",
    "<div><br/><p/><img src=a.png>text<br></br></div></span>",
    "<ruby>漢<rt>kan</rt></ruby><template><p>hidden</p></template>",
    "<div title='a>b'>x</div><a b='x'c>y</a><x-y z>custom</x-y>",
    "a < b and c <= d <",
    "<td>cell outside</td><tr><td>row outside</td></tr>",
]

# constructs the regex leaves to html.parser: the result is still the same
ODD = [
    "<p>a <![CDATA[x < y]]> b</p>",
    "<p>unterminated <!-- comment",
    "<p>bogus <!x> and </ > and </div foo> end</p>",
    "<p>odd ref &#xZZ; here</p>",
    "<p>tail &amp",
    "<div>half a tag <span",
    "a < b and c<d",
]


@pytest.mark.parametrize("html", SIMPLE)
def test_token_regex_builds_what_beautifulsoup_builds(html: str) -> None:
    page = parse_page(html)
    assert page.exact
    _same(page, _soup_page(html))


@pytest.mark.parametrize("html", ODD)
def test_odd_constructs_go_through_html_parser(html: str) -> None:
    page = parse_page(html)
    assert not page.exact
    _same(page, _soup_page(html))


def test_damage_and_lines_exact() -> None:
    html = "<div>\n<span\n class=a>x</div>\n</section>\n<em>open"
    assert html_damage(html) == (
        3,
        [
            "<span> at line 2 not closed before </div>",
            "</section> at line 4 closes nothing",
            "<em> at line 5 never closed",
        ],
    )
    nodes, _ = page_tree(parse_page(html))
    assert [(n.kind, n.ref, n.text) for n in nodes] == [("para", "L2", "x"), ("para", "L5", "open")]


def test_references_decoded_as_beautifulsoup_does() -> None:
    page = parse_page("<p>a &amp; b&nbsp;c &#8212; &#x41; &#150; &bogus; &copy d</p>")
    assert page.exact
    p = page.root.kids[0]
    assert isinstance(p, Element)
    # `&bogus;` keeps its name and loses its `;`, `&#150;` is read as windows-1252
    assert p.kids == ["a & b\xa0c \u2014 A \u2013 &bogus \xa9 d"]


def test_cdata_read_by_get_text_only() -> None:
    page = parse_page("<h2>Levels <![CDATA[raw]]></h2><p>x</p>")
    assert not page.exact
    h2 = page.root.kids[0]
    assert isinstance(h2, Element) and h2.kids == ["Levels ", CData("raw")]
    nodes, _ = page_tree(page)
    assert [(n.kind, n.text) for n in nodes] == [("heading", "Levels raw"), ("para", "x")]


def test_script_left_open_hides_the_rest() -> None:
    assert html_damage("<p>a</p><script>var x = '<p>';\n<p>b</p>") == (2, ["<script> at line 1 never closed"])
    nodes, _ = page_tree(parse_page("<p>a</p><script>var x = '<p>';\n<p>b</p>"))
    assert [n.text for n in nodes] == ["a"]


def _html_files() -> list[Path]:
    found = sorted((ROOT / "tests").rglob("*.htm*")) + sorted((ROOT / "raw").rglob("*.htm*"))
    if LADDERS.is_dir():
        found += sorted(LADDERS.rglob("*.htm*"))
    return [p for p in found if "golden" not in p.parts]


def test_bundled_pages_read_in_one_pass_identically() -> None:
    files = _html_files()
    assert len(files) >= 6
    for path in files:
        text = path.read_text(encoding="utf-8")
        page = parse_page(text)
        assert page.exact, path.name
        _same(page, _soup_page(text))


def _repair_every_line(text: str, config: IngestConfig) -> tuple[str, list[tuple[str, str, str, str]]]:
    """The reference: ftfy on every line that is not ASCII, then every rule on every line."""
    import re

    from pipeline.ingest.repair import _FTFY, _windows

    out, repairs = [], []
    for n, line in enumerate(text.split("\n"), start=1):
        fixed = line if line.isascii() else ftfy.fix_text(line, config=_FTFY)
        if fixed != line:
            repairs += _windows("f", n, "ftfy", line, fixed)
        for rule in config.repair_rules:
            after = re.compile(rule.pattern, flags=re.MULTILINE).sub(rule.replacement, fixed)
            if after != fixed:
                repairs += _windows("f", n, rule.name, fixed, after)
                fixed = after
        out.append(fixed)
    return "\n".join(out), [(r.ref, r.rule, r.before, r.after) for r in repairs]


def test_repair_where_needed_equals_repair_everywhere() -> None:
    files = [p for p in sorted((ROOT / "tests" / "fixtures").rglob("*")) if p.suffix in (".md", ".txt", ".html")]
    if LADDERS.is_dir():
        files += sorted(LADDERS.iterdir())
    texts = [p.read_text(encoding="utf-8") for p in files]
    texts.append("clean\nthe teamâ€™s goal\nthe groupās results\ntheĀ Partners\ne\u0301t\u00e9 &amp; ﬁnance")
    config = IngestConfig()
    repaired = 0
    for text in texts:
        fixed, repairs = repair_text(text, "f", config)
        assert (fixed, [(r.ref, r.rule, r.before, r.after) for r in repairs]) == _repair_every_line(text, config)
        repaired += bool(repairs)
    assert repaired >= 1


def test_clean_text_skips_ftfy_and_damage_does_not() -> None:
    clean = "Owns the roadmap — “quoted” • bullets, café, naïve, 20 €"
    assert not _needs_ftfy(clean)
    assert repair_text(clean, "f.txt", IngestConfig()) == (clean, [])
    assert _needs_ftfy("the teamâ€™s goal")
    assert _needs_ftfy("Â quoted at a line start")
    assert _needs_ftfy("e\u0301 not composed")
    assert _needs_ftfy("ﬁnance")
    text, repairs = repair_text("ok line\ne\u0301t\u00e9 and ﬁnance", "f.txt", IngestConfig())
    assert text == "ok line\n\u00e9t\u00e9 and finance"
    assert [(r.ref, r.rule) for r in repairs] == [("L2", "ftfy"), ("L2", "ftfy")]


def test_non_ascii_needs_lists_each_branchs_sets() -> None:
    assert non_ascii_needs(re.compile("[éè]x|(?:ü)+|a[€£]")) == (
        (frozenset("éè"),),
        (frozenset("ü"),),
        (frozenset("€£"),),
    )
    assert non_ascii_needs(re.compile("é|a")) is None  # a branch that matches ASCII alone
    assert non_ascii_needs(re.compile("[^a]é")) == ((frozenset("é"),),)
    assert non_ascii_needs(re.compile("é", re.IGNORECASE)) is None
    needs = non_ascii_needs(re.compile("[éè][€£]|ü"))
    assert needs is not None
    assert not may_match(needs, set("é only"))
    assert may_match(needs, set("é and €"))
    assert may_match(needs, set("ü"))


def test_ftfys_detector_never_fires_where_its_gate_says_it_cannot() -> None:
    """The gate is a necessary condition of ftfy's own detector: on short random strings of the characters its
    branches name (plus ASCII and common punctuation), every text the detector matches passes the gate."""
    assert _BADNESS_NEEDS is not None  # the detector's every branch needs a non-ASCII character
    alphabet = sorted({c for need in _BADNESS_NEEDS for chars in need for c in chars} | set("ab Z\n—’•é"))
    rng = random.Random(7)
    fired = 0
    for _ in range(30_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5)))
        if BADNESS_RE.search(text):
            fired += 1
            assert may_match(_BADNESS_NEEDS, set(text)), text
    assert fired > 1_000
    assert not may_match(_BADNESS_NEEDS, set("Owns the roadmap — “quoted” • bullets"))


def test_rule_with_negative_lookahead_runs_line_by_line() -> None:
    # `q(?!\s)` matches the `q` ending line 1 on its own, not in the whole text (a newline follows it)
    rule = RepairRule(name="q_end", pattern=r"q(?!\s)", replacement="Q")
    text, repairs = repair_text("aq\nbq c", "f.txt", IngestConfig(repair_rules=[rule]))
    assert text == "aQ\nbq c"
    assert [(r.ref, r.rule, r.before, r.after) for r in repairs] == [("L1", "q_end", "aq", "aQ")]


def test_rule_gated_by_a_search_over_the_text() -> None:
    rule = RepairRule(name="teh", pattern=r"\bteh\b", replacement="the")
    config = IngestConfig(repair_rules=[rule])
    assert repair_text("no typo\nhere", "f.txt", config) == ("no typo\nhere", [])
    text, repairs = repair_text("fine\nteh end", "f.txt", config)
    assert (text, [(r.ref, r.rule) for r in repairs]) == ("fine\nthe end", [("L2", "teh"), ("L2", "teh")])


def test_control_characters_counted() -> None:
    config = Config()
    text = "x" * 97 + "\x01\x0b\x85" + "\t\n\f\r"
    with pytest.raises(RejectedDocument) as err:
        decode(text.encode("utf-8"), "f.txt", config)
    assert str(err.value).endswith("cannot decode: 3 control characters as utf-8; not UTF-8, UTF-16 or cp1252 text")
    assert decode(("y" * 300 + "\x01\x02").encode(), "f.txt", config) == ("y" * 300 + "\x01\x02", "utf-8")


def test_rule_literals_gate_only_what_every_match_holds() -> None:
    rules = IngestConfig().repair_rules
    assert [_literals(r.pattern) for r in rules] == [frozenset("\u0101"), frozenset("\u0100")]
    assert _literals(r"(x|y)+z") == frozenset("xy")
    assert _literals(r"[ab]c") == frozenset("ab")
    for pattern in (r"(?i)teh", r"[^a]", r"x{0,2}", r"(?i:a)b", r"\w+"):
        assert _literals(pattern) is None, pattern


def test_clean_collapses_what_the_whitespace_regex_did() -> None:
    import re
    import sys

    old = re.compile(r"[\s\u00a0\u200b\ufeff]+")
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code < 0xE000:
            continue
        text = f" a{chr(code)}{chr(code)}b "
        assert clean(text) == old.sub(" ", text).strip(), hex(code)
    assert clean("\ufeff Owns\u200b\u200bthe\xa0\xa0roadmap \n") == "Owns the roadmap"

"""Cut a decoded document into blocks (headings, list items, paragraphs) with line refs.

Text, Markdown and HTML end in the same structure, so one parser per document kind serves all formats.
"""

from __future__ import annotations

import re
import warnings
from html.parser import HTMLParser

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag

from pipeline.models import Block

_SPACES = re.compile(r"[\s\u00a0\u200b\ufeff]+")
# bullet markers seen in copy-pasted pages: • ● ▪ ◦ ○ · ‣ ⁃ – - * and numbered "1." "1)" "a)"
_BULLET = re.compile(r"^(?P<indent>[ \t]*)(?:[•●▪◦○·‣⁃■□➢►✓✔–—\-*+]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+(?P<text>\S.*)$")
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def clean(text: str) -> str:
    """Collapse every run of whitespace (including no-break spaces) to one space and trim."""
    return _SPACES.sub(" ", text).strip()


def text_blocks(text: str) -> list[Block]:
    """Plain text: one block per non-empty line; bullet lines become items."""
    blocks: list[Block] = []
    for n, raw in enumerate(text.split("\n"), start=1):
        line = clean(raw)
        if not line:
            continue
        indent = len(raw) - len(raw.lstrip(" \t\u00a0"))
        m = _BULLET.match(raw.replace("\u00a0", " "))
        if m:
            blocks.append(Block(kind="item", text=clean(m["text"]), ref=f"L{n}", level=1, indent=indent))
        else:
            blocks.append(Block(kind="para", text=line, ref=f"L{n}", indent=indent))
    return blocks


def _md_inline(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    return clean(_MD_EMPH.sub(r"\2", text))


def markdown_blocks(text: str) -> list[Block]:
    """Markdown: `#` headings, `-`/`*`/`1.` items (depth from indentation), other lines paragraphs."""
    blocks: list[Block] = []
    lines = text.split("\n")
    in_code = False
    for n, raw in enumerate(lines, start=1):
        if raw.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code or not raw.strip():
            continue
        if _MD_SETEXT.match(raw) and blocks and blocks[-1].kind == "para" and blocks[-1].ref == f"L{n - 1}":
            prev = blocks.pop()
            blocks.append(Block(kind="heading", text=prev.text, ref=prev.ref, level=1 if raw[0] == "=" else 2))
            continue
        if re.match(r"^\s*([-*_])(\s*\1){2,}\s*$", raw) or re.match(r"^\s*\|?[-:| ]+\|[-:| ]*$", raw):
            continue  # rules and table separators
        h = _MD_HEADING.match(raw)
        if h:
            blocks.append(Block(kind="heading", text=_md_inline(h["text"]), ref=f"L{n}", level=len(h["hashes"])))
            continue
        m = _BULLET.match(raw)
        if m:
            depth = len(m["indent"].expandtabs(4)) // 2 + 1
            blocks.append(Block(kind="item", text=_md_inline(m["text"]), ref=f"L{n}", level=depth))
            continue
        line = raw.strip().lstrip(">").strip()
        if line.startswith("|"):
            line = " ".join(c.strip() for c in line.strip("|").split("|"))
        if line:
            blocks.append(Block(kind="para", text=_md_inline(line), ref=f"L{n}"))
    return blocks


_DROP = {"script", "style", "nav", "footer", "noscript", "template", "svg", "head", "iframe", "form", "button"}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "body",
    "html",
    "blockquote",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "dl",
    "dt",
    "dd",
    "ul",
    "ol",
    "li",
    "header",
    "aside",
    "figure",
    "figcaption",
    "details",
    "summary",
    "address",
    "hr",
    "br",
} | set(_HEADINGS)
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
# closing tags HTML lets you leave out; their absence is not damage
_OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "option", "html", "body", "head"}


class _TagChecker(HTMLParser):
    """Counts structural damage: end tags that close nothing, and non-optional tags never closed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.errors: list[str] = []
        self.tags = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags += 1
        if tag not in _VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for t, line in self.stack[i + 1 :]:
                    if t not in _OPTIONAL_END:
                        self.errors.append(f"<{t}> at line {line} not closed before </{tag}>")
                del self.stack[i:]
                return
        self.errors.append(f"</{tag}> at line {self.getpos()[0]} closes nothing")

    def close(self) -> None:
        super().close()
        for t, line in self.stack:
            if t not in _OPTIONAL_END:
                self.errors.append(f"<{t}> at line {line} never closed")


def html_damage(html: str) -> tuple[int, list[str]]:
    """Number of tags and a list of structural errors (for rejecting malformed HTML)."""
    checker = _TagChecker()
    checker.feed(html)
    checker.close()
    return checker.tags, checker.errors


def _inline_text(node: Tag | NavigableString) -> str:
    if isinstance(node, NavigableString):
        return str(node)
    if node.name in _DROP:
        return ""
    return " ".join(_inline_text(c) for c in node.children) if node.name not in ("ul", "ol") else ""


def html_blocks(html: str) -> tuple[list[Block], str]:
    """HTML via beautifulsoup4: headings, list items (with depth), paragraphs; returns blocks and title."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "html.parser")
    title = clean(soup.title.get_text()) if soup.title else ""
    for tag in soup.find_all(list(_DROP)):
        tag.decompose()
    blocks: list[Block] = []

    def emit(kind: str, text: str, line: int | None, level: int = 0) -> None:
        text = clean(text)
        if text:
            blocks.append(Block(kind=kind, text=text, ref=f"L{line or 1}", level=level))  # type: ignore[arg-type]

    def walk(node: Tag, depth: int) -> None:
        run: list[str] = []
        run_line: list[int | None] = [None]

        def flush() -> None:
            if run:
                emit("para", " ".join(run), run_line[0])
                run.clear()
                run_line[0] = None

        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is not NavigableString:  # comments, doctype, CDATA
                    continue
                if str(child).strip():
                    if run_line[0] is None:
                        run_line[0] = getattr(child.parent, "sourceline", None) if not run else run_line[0]
                    run.append(str(child))
                continue
            name = child.name
            if name in _HEADINGS:
                flush()
                emit("heading", child.get_text(" "), child.sourceline, _HEADINGS[name])
            elif name == "li":
                flush()
                emit("item", _inline_text(child), child.sourceline, depth + 1)
                for sub in child.find_all(["ul", "ol"], recursive=False):
                    walk(sub, depth + 1)
                for sub in child.children:
                    if isinstance(sub, Tag) and sub.name not in ("ul", "ol") and sub.name in _BLOCK_TAGS - {"br"}:
                        walk_nested_lists(sub, depth + 1)
            elif name in ("ul", "ol"):
                flush()
                walk(child, depth)
            elif name in _BLOCK_TAGS:
                flush()
                if name == "br":
                    continue
                walk(child, depth)
            else:
                text = child.get_text(" ")
                if text.strip():
                    if run_line[0] is None:
                        run_line[0] = child.sourceline
                    run.append(text)
        flush()

    def walk_nested_lists(node: Tag, depth: int) -> None:
        for sub in node.find_all(["ul", "ol"], recursive=False):
            walk(sub, depth)

    root = soup.body or soup
    walk(root, 0)
    return blocks, title

"""The document tree: headings, paragraphs, nested lists and tables with their cells, each with a source ref.

One tree for every format, stored flat: `Document.nodes` is the list of nodes in document order and each node
names its parent by index (`-1` for the root), so no walk over it needs recursion and a document nested
thousands of levels deep still serializes as a plain JSON list.

- Markdown through markdown-it-py (CommonMark + GFM tables, YAML front matter kept out of the text and its
  `title` returned). Raw HTML blocks go through the HTML path and land in the same tree, refs offset to the
  Markdown line.
- HTML through `markup.parse_page` (the tree BeautifulSoup's html.parser builder builds, read in the same
  pass as the tag damage): tables stay tables (row/column refs, `colspan` / `rowspan` expanded), `<p>`
  runs inside a cell stay separate paragraphs, an `<li>` left open is closed by the next one as browsers do,
  navigation and site furniture are dropped. Nesting deeper than `MAX_DEPTH` is flattened into text.
- Plain text: one node per line, bullets as items nested by indentation, and lines opened by `#` or `**` /
  `***` markers (a common copy-paste of Markdown) as headings.

`flat_blocks` gives the flat `Block` view the per-kind parsers read.
"""

from __future__ import annotations

import re

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from pipeline.ingest.markup import Element, Page, parse_page
from pipeline.models import Block, Node

MAX_DEPTH = 200  # structural nesting kept; deeper content becomes the text of the node at this depth

_BULLET = re.compile(r"^(?P<indent>[ \t]*)(?:[•●▪◦○·‣⁃■□➢►✓✔–—\-*+]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+(?P<text>\S.*)$")
# `**Title`, `***Heading`, `## Heading` lines in plain text: a Markdown marker the file's format does not render
_TEXT_HEADING = re.compile(r"^(?P<marks>#{1,6}\s+|\*{2,3}(?=\S))(?P<text>[^*].*?)\**\s*$")
_LABEL = re.compile(r"^\s*:\s*")

_DROP = {"script", "style", "nav", "footer", "noscript", "template", "svg", "head", "iframe", "form", "button", "title"}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "body",
    "html",
    "header",
    "aside",
    "figure",
    "figcaption",
    "details",
    "summary",
    "address",
    "dl",
    "dt",
    "dd",
    "pre",
    "hr",
    "center",
    "picture",
    "caption",
}


def clean(text: str) -> str:
    """Collapse every run of whitespace (including no-break and zero-width spaces) to one space and trim.

    `str.split()` splits on what the regex `\\s` matches (no-break spaces included); zero-width spaces and
    byte-order marks, which it keeps, become spaces first.
    """
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", " ").replace("\ufeff", " ")
    return " ".join(text.split())


class _Builder:
    """Appends nodes; `line_offset` shifts refs of an HTML fragment found inside Markdown."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []

    def add(self, kind: str, parent: int, line: int, text: str = "", **kw: object) -> int:
        self.nodes.append(
            Node.model_validate({"kind": kind, "text": text, "ref": f"L{max(1, line)}", "parent": parent, **kw})
        )
        return len(self.nodes) - 1


# ------------------------------------------------------------------------------------------------ text


def text_tree(text: str) -> list[Node]:
    """Plain text: paragraphs per line, bullet lines as list items nested by indentation, marked lines as headings."""
    b = _Builder()
    stack: list[tuple[int, int, int]] = []  # (indent, list node, item node) of open lists
    for n, raw in enumerate(text.split("\n"), start=1):
        line = clean(raw)
        if not line:
            continue
        indent = len(raw) - len(raw.lstrip(" \t\u00a0"))
        m = _BULLET.match(raw.replace("\u00a0", " "))
        if m:
            while stack and stack[-1][0] > indent:
                stack.pop()
            if not stack or stack[-1][0] < indent:
                parent = stack[-1][2] if stack else -1
                lst = b.add("list", parent, n, level=len(stack) + 1, indent=indent)
                stack.append((indent, lst, -1))
            _, lst, _ = stack[-1]
            idx = b.add("item", lst, n, clean(m["text"]), level=len(stack), indent=indent)
            stack[-1] = (indent, lst, idx)
            continue
        stack.clear()
        h = _TEXT_HEADING.match(line)
        if h and len(line.split()) <= 14:
            marks = h["marks"].strip()
            level = len(marks) if marks.startswith("#") else len(marks) - 1
            b.add("heading", -1, n, clean(h["text"]), level=level, indent=indent)
        else:
            b.add("para", -1, n, line, indent=indent)
    return b.nodes


# ------------------------------------------------------------------------------------------------ HTML


def _inline_parts(el: Element) -> tuple[str, str | None]:
    """Text of an element without its nested lists and tables, and its bold lead label if it has one."""
    parts: list[str] = []
    label: str | None = None
    first = True
    stack: list[Element | str] = [el]
    while stack:
        cur = stack.pop()
        if not isinstance(cur, Element):
            if type(cur) is str:  # not CData
                parts.append(cur)
                if cur.strip():
                    first = False
            continue
        if cur.name in _DROP:
            continue
        if cur is not el and cur.name in ("ul", "ol", "table"):
            continue
        if cur is not el and cur.name in ("br", "p", "div"):
            parts.append(" ")
        if first and cur.name in ("strong", "b") and label is None:
            strong = clean(cur.get_text())
            if strong:
                label = strong
                first = False
        stack.extend(reversed(cur.kids))
    text = clean("".join(parts))
    if label is not None:
        rest = text[len(label) :] if text.startswith(label) else None
        if rest is None or not (label.endswith(":") or _LABEL.match(rest)):
            label = None
        else:
            label = label.rstrip(": ").strip() or None
    return text, label


def html_tree(
    html: str, line_offset: int = 0, builder: _Builder | None = None, parent: int = -1
) -> tuple[list[Node], str]:
    """HTML (a page, or a fragment found in Markdown at `line_offset`) into nodes; returns nodes and `<title>`."""
    return page_tree(parse_page(html), line_offset, builder, parent)


def page_tree(
    page: Page, line_offset: int = 0, builder: _Builder | None = None, parent: int = -1
) -> tuple[list[Node], str]:
    """The nodes of a parsed HTML page (`markup.parse_page`) and its `<title>`: what `html_tree` returns."""
    b = builder or _Builder()
    title = clean(page.title.get_text()) if page.title is not None else ""
    root = page.body if page.body is not None else page.root
    start = len(b.nodes)
    _HtmlWalker(b, line_offset).walk(root, parent)
    _cell_texts(b.nodes, start)
    return b.nodes, title


def _cell_texts(nodes: list[Node], start: int = 0) -> None:
    """A cell's `text` is the text of everything in it, in order (its own nodes keep theirs)."""
    open_cells: list[int] = []
    for i in range(start, len(nodes)):
        node = nodes[i]
        while open_cells and not _inside(nodes, i, open_cells[-1]):
            open_cells.pop()
        for c in open_cells:
            if node.text:
                nodes[c].text = clean(f"{nodes[c].text} {node.text}")
        if node.kind == "cell":
            open_cells.append(i)


def _inside(nodes: list[Node], i: int, ancestor: int) -> bool:
    p = nodes[i].parent
    while p > ancestor:
        p = nodes[p].parent
    return p == ancestor


class _HtmlWalker:
    """Iterative walk over a page's element tree that appends nodes to a builder."""

    def __init__(self, b: _Builder, line_offset: int) -> None:
        self.b = b
        self.offset = line_offset
        self.runs: list[dict] = []
        self.grids: dict[int, dict] = {}

    def line_of(self, el: Element) -> int:
        return (el.line or 1) + self.offset

    def flush(self) -> None:
        if not self.runs:
            return
        run = self.runs[-1]
        text = clean("".join(run["parts"]))
        line = run["line"]
        run["parts"], run["line"] = [], None
        if not text:
            return
        if run["item"] is not None:
            node = self.b.nodes[run["item"]]
            node.text = clean(f"{node.text} {text}")
        else:
            self.b.add("para", run["parent"], line or 1 + self.offset, text)

    def walk(self, root: Element, parent: int) -> None:
        self.runs.append({"parent": parent, "item": None, "parts": [], "line": None})
        stack: list[tuple] = [("exit",)]
        stack.extend(("node", c, parent, 0, 0, root) for c in reversed(root.kids))
        while stack:
            ev = stack.pop()
            if ev[0] == "exit":
                self.flush()
                self.runs.pop()
                continue
            _, el, par, depth, ldepth, container = ev
            if not isinstance(el, Element):
                if type(el) is str and self.runs:  # not CData
                    run = self.runs[-1]
                    if run["line"] is None and el.strip():
                        run["line"] = self.line_of(container)
                    run["parts"].append(el)
                continue
            if el.name in _DROP:
                continue
            name = el.name
            if depth >= MAX_DEPTH:  # too deep to keep the structure: the rest is text
                self.flush()
                self.b.add("para", par, self.line_of(el), clean(el.get_text(" ")))
                continue
            kids = el.kids
            if name in _HEADINGS:
                self.flush()
                self.b.add("heading", par, self.line_of(el), clean(el.get_text()), level=_HEADINGS[name])
            elif name in ("ul", "ol"):
                self.flush()
                idx = self.b.add("list", par, self.line_of(el), level=ldepth + 1)
                self._push(stack, el, idx, depth + 1, ldepth + 1, run=None)
            elif name == "li":
                self.flush()
                # an `<li>` directly inside an open `<li>` is its sibling, as browsers read it
                while par >= 0 and self.b.nodes[par].kind == "item":
                    par = self.b.nodes[par].parent
                label = _inline_parts(el)[1]
                idx = self.b.add("item", par, self.line_of(el), level=max(1, ldepth), label=label)
                self._push(stack, el, idx, depth + 1, ldepth, run={"parent": idx, "item": idx})
            elif name == "table":
                self.flush()
                idx = self.b.add("table", par, self.line_of(el))
                self.grids[idx] = {"row": -1, "taken": set()}
                self._push(stack, el, idx, depth + 1, ldepth, run=None)
            elif name == "tr":
                self.flush()
                table = par
                while table >= 0 and self.b.nodes[table].kind != "table":
                    table = self.b.nodes[table].parent
                if table < 0 or table not in self.grids:  # a row outside a table: read as a block
                    self._push(stack, el, par, depth + 1, ldepth, run={"parent": par, "item": None})
                    continue
                grid = self.grids[table]
                grid["row"] += 1
                idx = self.b.add("row", table, self.line_of(el), row=grid["row"])
                self._push(stack, el, idx, depth + 1, ldepth, run=None)
            elif name in ("td", "th"):
                self.flush()
                row = par
                if row < 0 or self.b.nodes[row].kind != "row":
                    self._push(stack, el, par, depth + 1, ldepth, run={"parent": par, "item": None})
                    continue
                table = self.b.nodes[row].parent
                grid = self.grids[table]
                r = self.b.nodes[row].row or 0
                c = 0
                while (r, c) in grid["taken"]:
                    c += 1
                span = _int(el.attrs.get("colspan"), 1)
                rspan = _int(el.attrs.get("rowspan"), 1)
                for dr in range(rspan):
                    for dc in range(span):
                        grid["taken"].add((r + dr, c + dc))
                line = self.line_of(el)
                idx = self.b.add("cell", row, line, row=r, col=c, span=span, rowspan=rspan, header=name == "th")
                self.b.nodes[idx].ref = f"L{line}:r{r + 1}c{c + 1}"
                self._push(stack, el, idx, depth + 1, ldepth, run={"parent": idx, "item": None})
            elif name == "blockquote":
                self.flush()
                idx = self.b.add("quote", par, self.line_of(el))
                self._push(stack, el, idx, depth + 1, ldepth, run={"parent": idx, "item": None})
            elif name in _BLOCK or name in ("thead", "tbody", "tfoot"):
                self.flush()
                item = self.runs[-1]["item"] if self.runs and self.runs[-1]["item"] == par else None
                self._push(stack, el, par, depth + 1, ldepth, run={"parent": par, "item": item})
            elif name == "br":
                if self.runs:
                    self.runs[-1]["parts"].append(" ")
            else:  # inline element: its strings join the current run
                stack.extend(("node", c, par, depth + 1, ldepth, el) for c in reversed(kids))

    def _push(self, stack: list[tuple], el: Element, par: int, depth: int, ldepth: int, run: dict | None) -> None:
        """Schedule the children of `el`; with `run`, they get their own text run, flushed when they are done."""
        if run is not None:
            stack.append(("exit",))
        stack.extend(("node", c, par, depth, ldepth, el) for c in reversed(el.kids))
        if run is not None:
            # the run is opened now, so the text of these children lands in it
            self.runs.append({"parent": run["parent"], "item": run["item"], "parts": [], "line": None})


def _int(value: object, default: int) -> int:
    try:
        return max(1, min(50, int(str(value))))
    except (TypeError, ValueError):
        return default


# -------------------------------------------------------------------------------------------- Markdown

_MD = MarkdownIt("commonmark").enable("table").use(front_matter_plugin)


def _inline(tok: Token) -> tuple[str, str | None, bool]:
    """Plain text of an inline token, its bold lead label (`**Impact:** …`) and whether it is all emphasis."""
    kids = [k for k in (tok.children or []) if not (k.type == "text" and not k.content.strip())]
    parts: list[str] = []
    for k in tok.children or []:
        if k.type in ("text", "code_inline"):
            parts.append(k.content)
        elif (
            k.type in ("softbreak", "hardbreak")
            or k.type == "html_inline"
            and re.match(r"<br\b", k.content, re.IGNORECASE)
        ):
            parts.append(" ")
    text = clean("".join(parts))
    label = None
    if len(kids) >= 3 and kids[0].type == "strong_open":
        strong, i = [], 1
        while i < len(kids) and kids[i].type != "strong_close":
            strong.append(kids[i].content)
            i += 1
        name = clean("".join(strong))
        after = kids[i + 1].content if i + 1 < len(kids) and kids[i + 1].type == "text" else ""
        if name and (name.endswith(":") or after.lstrip().startswith(":")):
            label = name.rstrip(": ").strip() or None
    emph = False
    if len(kids) >= 3 and kids[0].type in ("em_open", "strong_open") and kids[-1].type in ("em_close", "strong_close"):
        depth, emph = 0, True
        for i, k in enumerate(kids):
            depth += k.nesting if k.type.endswith(("_open", "_close")) and k.type[:2] in ("em", "st") else 0
            if depth == 0 and i < len(kids) - 1:
                emph = False
                break
    return text, label, emph


def markdown_tree(text: str) -> tuple[list[Node], str]:
    """Markdown into nodes; returns the nodes and the front matter's `title` ('' when none)."""
    b = _Builder()
    lines = text.split("\n")
    tokens = _MD.parse(text)
    title = ""
    stack: list[int] = [-1]
    pending: dict[str, int] = {}
    row = -1
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        line = (tok.map[0] + 1) if tok.map else 1
        container = stack[-1]
        if t == "front_matter":
            try:
                meta = yaml.safe_load(tok.content)
            except yaml.YAMLError:
                meta = None
            if isinstance(meta, dict) and isinstance(meta.get("title"), str):
                title = clean(meta["title"])
        elif t == "heading_open":
            txt = _inline(tokens[i + 1])[0]
            b.add("heading", container, line, txt, level=int(tok.tag[1]))
            i += 2
        elif t == "paragraph_open":
            txt, label, emph = _inline(tokens[i + 1])
            node = b.nodes[container] if container >= 0 else None
            if node is not None and node.kind == "item" and not node.text:
                node.text, node.label, node.emph = txt, label, emph
            elif txt:
                b.add("para", container, line, txt, label=label, emph=emph)
            i += 2
        elif t in ("bullet_list_open", "ordered_list_open"):
            depth = sum(1 for s in stack if s >= 0 and b.nodes[s].kind == "list")
            stack.append(b.add("list", container, line, level=depth + 1))
        elif t == "list_item_open":
            depth = sum(1 for s in stack if s >= 0 and b.nodes[s].kind == "list")
            stack.append(b.add("item", container, line, level=depth))
        elif t == "blockquote_open":
            stack.append(b.add("quote", container, line))
        elif t == "table_open":
            stack.append(b.add("table", container, line))
            row = -1
        elif t == "tr_open":
            row += 1
            stack.append(b.add("row", container, line, row=row))
            pending["col"], pending["line"] = 0, line
        elif t in ("th_open", "td_open"):
            c = pending.get("col", 0)
            pending["col"] = c + 1
            line = tok.map[0] + 1 if tok.map else pending.get("line", line)
            txt = _inline(tokens[i + 1])[0] if tokens[i + 1].type == "inline" else ""
            idx = b.add("cell", container, line, txt, row=row, col=c, header=t == "th_open")
            b.nodes[idx].ref = f"L{line}:r{row + 1}c{c + 1}"
        elif t.endswith("_close") and t.split("_")[0] in ("bullet", "ordered", "list", "blockquote", "table", "tr"):
            if len(stack) > 1:
                stack.pop()
        elif t == "html_block" or (t == "code_block" and tok.content.lstrip().startswith("<")):
            # a run of raw HTML blocks (markdown-it cuts them at blank lines) is one HTML fragment
            j = i
            while j + 1 < len(tokens) and (
                tokens[j + 1].type == "html_block"
                or (tokens[j + 1].type == "code_block" and tokens[j + 1].content.lstrip().startswith("<"))
            ):
                j += 1
            first = tok.map[0] if tok.map else 0
            end_map = tokens[j].map
            last = end_map[1] if end_map else first + 1
            html_tree("\n".join(lines[first:last]), first, b, container)
            i = j
        i += 1
    return b.nodes, title


def build_tree(text: str, fmt: str) -> tuple[list[Node], str]:
    """The tree of a decoded document of format `text`, `markdown` or `html`, and a title it states ('' if none)."""
    if fmt == "html":
        return html_tree(text)
    if fmt == "markdown":
        return markdown_tree(text)
    return text_tree(text), ""


def children(nodes: list[Node]) -> list[list[int]]:
    """Child indices of every node, in document order (top-level nodes: `roots`)."""
    kids: list[list[int]] = [[] for _ in nodes]
    for i, n in enumerate(nodes):
        if n.parent >= 0:
            kids[n.parent].append(i)
    return kids


def roots(nodes: list[Node]) -> list[int]:
    """Indices of the top-level nodes."""
    return [i for i, n in enumerate(nodes) if n.parent < 0]


def flat_blocks(nodes: list[Node], text_format: bool = False) -> list[Block]:
    """The flat view: headings, list items (level = list depth; 1 in plain text) and paragraphs, in order.

    Cells give their paragraphs and items; a cell with neither gives its text as one paragraph.
    """
    has_kids = {n.parent for n in nodes}
    out: list[Block] = []
    for i, n in enumerate(nodes):
        if n.kind == "heading" and n.text:
            out.append(Block(kind="heading", text=n.text, ref=n.ref, level=n.level, indent=n.indent))
        elif n.kind == "item" and n.text:
            out.append(
                Block(kind="item", text=n.text, ref=n.ref, level=1 if text_format else n.level or 1, indent=n.indent)
            )
        elif n.kind == "para" and n.text:
            out.append(Block(kind="para", text=n.text, ref=n.ref, indent=n.indent))
        elif n.kind == "cell" and n.text and i not in has_kids:
            out.append(Block(kind="para", text=n.text, ref=n.ref.split(":")[0]))
    return out

"""One pass over an HTML page: its element tree and its structural damage, read as `html.parser` reads it.

The tree is the one BeautifulSoup builds with Python's `html.parser` (an end tag closes the most recent open
element of its name and everything opened inside it; an end tag with no open element of its name is
ignored; void elements hold nothing; `&…;` references decoded and whitespace-only strings collapsed as
BeautifulSoup does), kept as small
`Element`s: tag name, line of the start tag, the attributes the tree reads, and the children (elements and
text strings). Text BeautifulSoup does not count as text (comments, declarations, the content of `script`,
`style`, `template`, `rt` and `rp`) is left out; `CData` marks the content of `<![CDATA[…]]>`, which only
`get_text` reads.

`parse_page` finds the tokens with one compiled regex over the whole text (`html.parser`'s own tag
patterns) and builds the tree and the damage count from the same tokens. A page holding a construct the
regex does not read exactly as `html.parser` does (an unterminated comment or tag, a bogus `<!…>` or `</…>`,
a marked section, an unusual character reference) is read by `html.parser` and BeautifulSoup instead, so
the result is the same either way; `Page.exact` says which path was taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag
from bs4 import CData as SoupCData
from bs4.builder import HTMLTreeBuilder
from bs4.dammit import EntitySubstitution, UnicodeDammit

_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
# closing tags HTML lets you leave out; their absence is not damage
_OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "option", "html", "body", "head"}
_EMPTY = set(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS or ())  # elements BeautifulSoup never opens
_HIDDEN = set(HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS)  # their text is not text to BeautifulSoup
_PRESERVE = set(HTMLTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS or ())  # whitespace-only text kept as is inside
_SPACES = "\x20\x0a\x09\x0c\x0d"  # what BeautifulSoup collapses a whitespace-only string of to one character
_KEPT_ATTRS = ("colspan", "rowspan")
_ENTITIES = EntitySubstitution.HTML_ENTITY_TO_CHARACTER

# the tokens of `html.parser`: its `locatestarttagend_tolerant`, `endtagfind`, comment and declaration rules
_TOKEN = re.compile(
    r"""
    <!--.*?--\s*>                                   # comment
  | <![dD][oO][cC][tT][yY][pP][eE][^>]*>             # doctype
  | <\?[^>]*>                                       # processing instruction
  | </\s*(?P<end>[a-zA-Z][-.a-zA-Z0-9:_]*)\s*>      # end tag
  | <(?P<start>[a-zA-Z][^\t\n\r\f />\x00]*)          # start tag: name,
    (?:[\s/]*                                       # attributes,
      (?:(?<=['"\s/])[^\s/>][^\s/=>]*
        (?:\s*=+\s*(?:'[^']*'|"[^"]*"|(?!['"])[^>\s]*)\s*)?(?:\s|/(?!>))*
      )*
    )?\s*
    (?P<close>/?>)?                                 # and its end (none: not a simple tag)
  | <(?![a-zA-Z/!?])                                # a lone `<` is text
  | <                                               # anything else: not simple
    """,
    re.DOTALL | re.VERBOSE,
)
_ATTR = re.compile(r"""((?<=['"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?(?:\s|/(?!>))*""")
_TAG_NAME = re.compile(r"[a-zA-Z][^\t\n\r\f />\x00]*(?:\s|/(?!>))*")
# html.parser reads the content of these as text up to their own end tag
_CDATA_END = {name: re.compile(rf"</\s*{name}\s*>", re.IGNORECASE) for name in ("script", "style")}
# `&` references as html.parser cuts them (its `charref` and `entityref`; a `;` ending one is consumed)
_REF = re.compile(
    r"&(?:\#(?P<num>[0-9]+|[xX][0-9a-fA-F]+)(?:;|(?=[^0-9a-fA-F]))"
    r"|(?P<name>[a-zA-Z][-.a-zA-Z0-9]*)(?:;|(?=[^a-zA-Z0-9]))"
    r"|(?P<odd>[\#a-zA-Z]))"
)


class CData(str):
    """The content of `<![CDATA[…]]>`: read by `get_text`, not part of a text run."""

    __slots__ = ()


@dataclass(slots=True)
class Element:
    """An element: tag name, line of its start tag, `colspan`/`rowspan` when given, and its children."""

    name: str
    line: int | None
    attrs: dict[str, str] = field(default_factory=dict)
    kids: list[Element | str] = field(default_factory=list)

    def get_text(self, sep: str = "") -> str:
        """The text of every string inside, in order, joined by `sep` (BeautifulSoup's `get_text`)."""
        parts: list[str] = []
        stack: list[Element | str] = [self]
        while stack:
            cur = stack.pop()
            if isinstance(cur, Element):
                stack.extend(reversed(cur.kids))
            else:
                parts.append(cur)
        return sep.join(parts)


@dataclass(slots=True)
class Page:
    """A parsed page: the element tree under `root`, `<title>` and `<body>` if any, tag count and damage."""

    root: Element
    title: Element | None
    body: Element | None
    tags: int
    errors: list[str]
    exact: bool  # True: read by the token regex; False: by html.parser and BeautifulSoup


class _NotSimple(Exception):
    """The page holds a construct the token regex does not read exactly as html.parser does."""


def parse_page(html: str) -> Page:
    """The element tree and the structural damage of `html`, in one pass when the token regex reads it exactly."""
    try:
        return _scan(html)
    except _NotSimple:
        return _soup_page(html)


def html_damage(html: str) -> tuple[int, list[str]]:
    """Number of tags and a list of structural errors (for rejecting malformed HTML)."""
    page = parse_page(html)
    return page.tags, page.errors


def _close_damage(stack: list[tuple[str, int]], errors: list[str], tag: str, line: int) -> None:
    if tag in _VOID:
        return
    for i in range(len(stack) - 1, -1, -1):
        if stack[i][0] == tag:
            for t, opened in stack[i + 1 :]:
                if t not in _OPTIONAL_END:
                    errors.append(f"<{t}> at line {opened} not closed before </{tag}>")
            del stack[i:]
            return
    errors.append(f"</{tag}> at line {line} closes nothing")


def _unclosed(stack: list[tuple[str, int]], errors: list[str]) -> None:
    for t, line in stack:
        if t not in _OPTIONAL_END:
            errors.append(f"<{t}> at line {line} never closed")


def _start_end(html: str, i: int, endpos: int) -> str:
    """How html.parser ends the start tag `html[i:endpos]` (`>` or `/>`), with its attributes parsed up to there."""
    k = _TAG_NAME.match(html, i + 1)
    if k is None:  # pragma: no cover - the token regex matched a name
        raise _NotSimple
    j = k.end()
    while j < endpos:
        a = _ATTR.match(html, j)
        if not a or a.end() == j:
            break
        j = a.end()
    end = html[j:endpos].strip()
    if end not in (">", "/>"):  # html.parser reads the tag as text
        raise _NotSimple
    return end


def _attrs(tag: str) -> dict[str, str]:
    """The attributes the tree reads, as html.parser parses them (the last of a repeated one wins)."""
    out: dict[str, str] = {}
    k = _TAG_NAME.match(tag, 1)
    j = k.end() if k else len(tag)
    while j < len(tag):
        a = _ATTR.match(tag, j)
        if not a or a.end() == j:
            break
        name = a[1].lower()
        if name in _KEPT_ATTRS:
            value = a[3] if a[2] else ""
            if value[:1] in ("'", '"') and value[:1] == value[-1:]:
                value = value[1:-1]
            out[name] = unescape(value) if value else ""
        j = a.end()
    return out


def _text(html: str, a: int, b: int) -> str:
    """The text `html[a:b]` with its references decoded as BeautifulSoup's html.parser builder decodes them."""
    if html.find("&", a, b) < 0:
        return html[a:b]
    # a reference is cut by the character after it, which may be the `<` of the next token
    chunk = html[a : b + 1]
    extra = len(chunk) - (b - a)

    def ref(m: re.Match[str]) -> str:
        if m["odd"] is not None:  # `&#` or `&name` html.parser reads another way
            raise _NotSimple
        num = m["num"]
        if num is not None:
            value = int(num[1:], 16) if num[0] in "xX" else int(num)
            return UnicodeDammit.numeric_character_reference(value)[0]
        name = m["name"]
        char = _ENTITIES.get(name)
        return char if char is not None else f"&{name}"

    out = _REF.sub(ref, chunk)
    return out[: len(out) - extra] if extra else out


def _scan(html: str) -> Page:
    """The page read from the token regex (raises `_NotSimple` where it would differ from html.parser)."""
    root = Element("[document]", None)
    title: Element | None = None
    body: Element | None = None
    open_els: list[Element] = [root]
    open_names: dict[str, int] = {}
    hidden = 0  # open elements whose text BeautifulSoup does not count as text
    keep_spaces = 0  # open `pre` / `textarea` elements
    damage: list[tuple[str, int]] = []
    errors: list[str] = []
    tags = 0
    line, pos = 1, 0
    skip = 0  # inside a script or style element up to here: its `<` are text
    text_from = 0  # where the text since the last token starts
    count = html.count

    def add_text(a: int, b: int) -> None:
        if a < b and not hidden:
            text = _text(html, a, b)
            if not keep_spaces and not text.strip(_SPACES):
                text = "\n" if "\n" in text else " "
            open_els[-1].kids.append(text)

    def pop_to(name: str) -> None:
        nonlocal hidden, keep_spaces
        if not open_names.get(name):
            return
        while True:
            el = open_els.pop()
            open_names[el.name] -= 1
            if el.name in _HIDDEN:
                hidden -= 1
            if el.name in _PRESERVE:
                keep_spaces -= 1
            if el.name == name:
                return

    for m in _TOKEN.finditer(html):
        i = m.start()
        if i < skip:
            if m.end() > skip:  # a token read across the element's end tag: not simple
                raise _NotSimple
            continue
        start = m["start"]
        if start is not None:
            if not m["close"]:
                raise _NotSimple
            stop = m.end()
            simple = stop - i == len(start) + 2
            close = ">" if simple else _start_end(html, i, stop)
            add_text(text_from, i)
            text_from = stop
            tags += 1
            name = start.lower()
            line += count("\n", pos, i)
            pos = i
            el = Element(name, line, {} if simple else _attrs(html[i:stop]))
            open_els[-1].kids.append(el)
            if title is None and name == "title":
                title = el
            if body is None and name == "body":
                body = el
            if close == "/>" or name in _EMPTY:
                if close != "/>" and name not in _VOID:
                    damage.append((name, line))
                continue
            open_els.append(el)
            open_names[name] = open_names.get(name, 0) + 1
            if name in _HIDDEN:
                hidden += 1
            if name in _PRESERVE:
                keep_spaces += 1
            if name not in _VOID:
                damage.append((name, line))
            if name in _CDATA_END:  # its content is text up to `</name>`
                found = _CDATA_END[name].search(html, stop)
                if found is None:  # html.parser leaves it open, and the rest is its text
                    text_from = len(html)
                    break
                add_text(stop, found.start())
                line += count("\n", pos, found.start())
                pos = found.start()
                _close_damage(damage, errors, name, line)
                pop_to(name)
                skip = text_from = found.end()
            continue
        end = m["end"]
        if end is not None:
            add_text(text_from, i)
            text_from = m.end()
            name = end.lower()
            if damage and damage[-1][0] == name:
                damage.pop()
            else:
                line += count("\n", pos, i)
                pos = i
                _close_damage(damage, errors, name, line)
            pop_to(name)
        elif m.group() == "<":
            if html.startswith(("<!", "</", "<?"), i):
                raise _NotSimple
        else:  # a comment, doctype or processing instruction: not text
            add_text(text_from, i)
            text_from = m.end()
    add_text(text_from, len(html))
    _unclosed(damage, errors)
    return Page(root, title, body, tags, errors, exact=True)


# ------------------------------------------------------------------------------- the html.parser path


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
        _close_damage(self.stack, self.errors, tag, self.getpos()[0])

    def close(self) -> None:
        super().close()
        _unclosed(self.stack, self.errors)


def _soup_page(html: str) -> Page:
    """The page read by html.parser (damage) and BeautifulSoup (tree), for pages the token regex cannot read."""
    import warnings

    checker = _TagChecker()
    checker.feed(html)
    checker.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "html.parser")
    root = _from_soup(soup)
    return Page(root, _find(root, "title"), _find(root, "body"), checker.tags, checker.errors, exact=False)


def _from_soup(tag: Tag) -> Element:
    out = Element(tag.name, tag.sourceline)
    todo: list[tuple[Tag, Element]] = [(tag, out)]
    while todo:
        src, dst = todo.pop()
        for name in _KEPT_ATTRS:
            value = src.get(name)
            if value is not None:
                dst.attrs[name] = str(value)
        for kid in src.children:
            if isinstance(kid, Tag):
                el = Element(kid.name, kid.sourceline)
                dst.kids.append(el)
                todo.append((kid, el))
            elif type(kid) is NavigableString:
                dst.kids.append(str(kid))
            elif type(kid) is SoupCData:
                dst.kids.append(CData(kid))
    return out


def _find(root: Element, name: str) -> Element | None:
    """The first element named `name`, in document order."""
    stack: list[Element | str] = [root]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Element):
            if cur.name == name:
                return cur
            stack.extend(reversed(cur.kids))
    return None

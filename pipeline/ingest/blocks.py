"""Structural damage of an HTML file (for refusing malformed pages before building its tree).

The tree itself (and the flat block view the parsers read) is built in `pipeline.ingest.tree`.
"""

from __future__ import annotations

from html.parser import HTMLParser

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

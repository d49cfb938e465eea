"""Structural damage of an HTML file (for refusing malformed pages before building its tree).

Counted in the same pass that builds the page's element tree (`pipeline.ingest.markup.parse_page`);
`html_damage` is that count alone. The document tree (and the flat block view the parsers read) is built in
`pipeline.ingest.tree`.
"""

from __future__ import annotations

from pipeline.ingest.markup import html_damage

__all__ = ["html_damage"]

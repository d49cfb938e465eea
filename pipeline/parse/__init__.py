"""Parse: one parser per document kind, all producing a `ParsedDocument`.

Parsers take a `Document` (blocks with refs) and the config; they raise `ParseError` (a `LadderError`)
when the structure does not match the kind, never anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from pipeline.errors import LadderError, ParseError

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.models import Document, ParsedDocument
    from pipeline.parse.ladder import LadderMemo

Parser = Callable[["Document", "Config"], "ParsedDocument"]


@cache
def parsers() -> dict[str, Parser]:
    """The parser of each kind; imported on first use, so `pipeline.parse.settings` does not load spaCy."""
    from pipeline.parse.article import parse_article
    from pipeline.parse.career_page import parse_career_page
    from pipeline.parse.forum_thread import parse_forum_thread
    from pipeline.parse.role_descriptions import parse_role_descriptions

    return {
        "career_page": parse_career_page,
        "role_descriptions": parse_role_descriptions,
        "forum_thread": parse_forum_thread,
        "article": parse_article,
    }


def __getattr__(name: str) -> Any:
    if name == "PARSERS":  # `from pipeline.parse import PARSERS`, as before
        return parsers()
    raise AttributeError(f"module 'pipeline.parse' has no attribute {name!r}")


def parse_document(doc: Document, config: Config, ladders: LadderMemo | None = None) -> ParsedDocument:
    """Parse `doc` with the parser of its kind; a kind with no parser gives an empty result with a warning.

    `ladders`: the ladder detection kind detection did on `doc` (`ingest_for_parse`), reused by the career-page
    parser instead of detecting again."""
    from pipeline.models import ParsedDocument

    parser = parsers().get(doc.kind)
    if doc.kind == "unknown":  # reported, not guessed: the user names the kind in the manifest
        return ParsedDocument(
            doc_id=doc.id,
            file=doc.file,
            kind=doc.kind,
            warnings=[
                f"{doc.file}: kind not recognized (best confidence {doc.kind_confidence:.2f} is below "
                f"kinds.min_confidence {config.kinds.min_confidence:.2f}); nothing extracted. Set its kind in "
                f"{config.ingest.manifest} (valid: {', '.join(parsers())})"
            ],
        )
    if parser is None:
        return ParsedDocument(
            doc_id=doc.id,
            file=doc.file,
            kind=doc.kind,
            warnings=[f"{doc.file}: kind {doc.kind!r} is ingested but has no parser; nothing extracted"],
        )
    try:
        if doc.kind == "career_page" and ladders is not None:
            from pipeline.parse.career_page import parse_career_page

            return parse_career_page(doc, config, ladders)
        return parser(doc, config)
    except LadderError:
        raise
    except Exception as exc:  # a parser bug must not stop the run: report it as this document's failure
        raise ParseError(f"{doc.file}: {doc.kind} parser failed: {type(exc).__name__}: {exc}") from exc

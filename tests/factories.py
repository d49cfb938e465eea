"""Small builders of parsed records for step-level tests (no ingest or parsers involved).

`parsed("Scale", roles=[role("CSM", 0)], behaviors=[behavior("CSM", "Ownership", "Owns the plan", "L3")])` is a
career page of track Scale with one role and one bullet; ids and file names come from the track name unless
given.
"""

from __future__ import annotations

from pipeline.build.decisions import Decisions
from pipeline.models import DocKind, ParsedBehavior, ParsedCompetency, ParsedDocument, ParsedRole, PathKind


def role(title: str, order: int, *, track: str = "", path: PathKind = "ic", ref: str = "L1") -> ParsedRole:
    """A defined role; `track` is set by `parsed` when left empty."""
    return ParsedRole(
        title=title,
        track=track,
        path=path,
        order=order,
        defined=True,
        source_ref=ref,
    )


def competency(role_title: str, name: str, description: str = "", ref: str = "L1") -> ParsedCompetency:
    return ParsedCompetency(role=role_title, name=name, description=description or None, source_ref=ref)


def behavior(role_title: str, competency_name: str, text: str, ref: str) -> ParsedBehavior:
    return ParsedBehavior(role=role_title, competency=competency_name, text=text, source_ref=ref)


def parsed(
    track: str | None,
    *,
    roles: list[ParsedRole] | None = None,
    competencies: list[ParsedCompetency] | None = None,
    behaviors: list[ParsedBehavior] | None = None,
    doc_id: str = "",
    file: str = "",
    kind: DocKind = "career_page",
) -> ParsedDocument:
    """A parsed document; roles without a track get `track`."""
    slug = (track or "doc").casefold().replace(" ", "_")
    return ParsedDocument(
        doc_id=doc_id or f"doc_{slug}",
        file=file or f"{slug}.md",
        kind=kind,
        track=track,
        roles=[r if r.track else r.model_copy(update={"track": track or ""}) for r in roles or []],
        competencies=competencies or [],
        behaviors=behaviors or [],
    )


def decisions(*items: dict[str, object]) -> Decisions:
    """`decisions({"action": "level", "role": rid, "level": "IC4"})` -> a validated decisions file."""
    return Decisions.model_validate({"decisions": list(items)})

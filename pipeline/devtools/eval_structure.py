"""`ladder eval-structure`: how well ingest + parse read the structure of ladders whose gold standard is known.

A gold file is a JSON list with one object per document:
`{file, track, roles: [{title, path, competencies: [{name, behavior_count}], years_experience}], ...}`
(`file` relative to the gold file's folder; other keys such as `source`, `license`, `notes` are ignored).

Each document is ingested and parsed exactly as `ladder run` does (plain functions, no Prefect), and its
`ParsedDocument` is compared with the gold roles:

- a gold role is *found* when a parsed role has the same title, compared without case, punctuation or
  extra whitespace (`"IC1 — Engineer"` = `"ic1 - engineer"`), one to one, first match in document order.
  A gold role not found in its own document may be matched by a role of another document of the same gold
  `track` (a ladder written one level per document may be joined into a track at parse time);
- *exact bullets*: the found role has as many behaviors as the gold's `behavior_count` sum;
- *exact competencies*: the found role has as many competencies as the gold lists. A role's competencies
  are the distinct competency names of its behaviors plus its applicable `ParsedCompetency` entries (a role
  without grouping has one competency in either case, whatever the parser names it: gold says `null`);
- *path right*: the found role's path equals the gold path; a gold path of `null` (the document does not
  say) accepts `ic`, the path a parser gives when the document does not say;
- *extra roles*: parsed roles that match no gold role.

Percentages of found / exact / path are of the gold roles; the percentage of extra roles is of the roles
parsed. A document that cannot be read is recorded with a one-line error and counts as nothing found.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.models import ParsedDocument
from pipeline.run import FileResult, process_bytes

# ------------------------------------------------------------------------------------------------ gold


class _Gold(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GoldCompetency(_Gold):
    name: str | None
    behavior_count: int = Field(ge=0)


class GoldRole(_Gold):
    title: str = Field(min_length=1)
    path: Literal["ic", "management"] | None = None
    competencies: list[GoldCompetency]
    years_experience: str | None = None

    @property
    def behavior_count(self) -> int:
        return sum(c.behavior_count for c in self.competencies)


class GoldDocument(_Gold):
    file: str = Field(min_length=1)
    track: str | None = None
    roles: list[GoldRole]


def load_gold(path: Path) -> list[GoldDocument]:
    """Read and check a gold file; raises `InputError` with a one-line message naming the file."""
    if not path.is_file():
        raise InputError(f"gold file not found: {path}" if not path.exists() else f"gold file is not a file: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: gold file is not UTF-8 text ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: gold file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    if not isinstance(data, list) or not data:
        raise InputError(f"{path}: gold file must be a non-empty JSON list of documents ({{file, roles, ...}})")
    docs: list[GoldDocument] = []
    for i, entry in enumerate(data):
        try:
            docs.append(GoldDocument.model_validate(entry))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "entry"
            raise InputError(f"{path}: gold entry {i + 1}: {where}: {err['msg']}") from exc
    seen: set[str] = set()
    for doc in docs:
        if doc.file in seen:
            raise InputError(f"{path}: gold lists {doc.file} twice")
        seen.add(doc.file)
    return docs


# ------------------------------------------------------------------------------------------- matching

_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)")
_AT_LEAST = re.compile(r"(\d+(?:\.\d+)?)\s*\+|\bminimum of (\d+(?:\.\d+)?)|\bat least (\d+(?:\.\d+)?)", re.I)

Years = tuple[float | None, float | None]


def expected_years(wording: str | None) -> list[Years]:
    """What `(years_min, years_max)` a gold `years_experience` wording means: `"0-2"` -> 0..2, `"6+"` or
    `"a minimum of 5 years"` -> 5.., no wording -> none; a wording without a number ("doesn't require
    experience") accepts none or 0.."""
    if wording is None:
        return [(None, None)]
    if m := _RANGE.search(wording):
        return [(float(m.group(1)), float(m.group(2)))]
    if m := _AT_LEAST.search(wording):
        return [(float(next(g for g in m.groups() if g is not None)), None)]
    return [(None, None), (0.0, None)]


def title_key(title: str) -> str:
    """Title as compared: NFKC, case-folded, punctuation and symbols as spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


@dataclass(frozen=True)
class _Found:
    """A parsed role with its figures, as counted from its own document."""

    doc: int
    title: str
    path: str
    behaviors: int
    competencies: int
    breakdown: tuple[tuple[str, int], ...]  # (competency name, behaviors), in first-seen order
    years: tuple[float | None, float | None]


def _parsed_roles(parsed: ParsedDocument, doc: int) -> list[_Found]:
    out = []
    for role in parsed.roles:
        behaviors = [b for b in parsed.behaviors if b.role == role.title]
        counts: dict[str, int] = {}
        for c in parsed.competencies:
            if c.role == role.title and c.applicable:
                counts.setdefault(c.name, 0)
        for b in behaviors:
            counts[b.competency] = counts.get(b.competency, 0) + 1
        years = (role.years_min, role.years_max)
        out.append(_Found(doc, role.title, role.path, len(behaviors), len(counts), tuple(counts.items()), years))
    return out


class RoleResult(BaseModel):
    """One gold role and what parse made of it."""

    title: str
    found_title: str | None = None
    found_in: str | None = Field(None, description="File the matching role came from, when not the gold's own.")
    behaviors_gold: int
    behaviors_found: int | None = None
    competencies_gold: int
    competencies_found: int | None = None
    path_gold: str | None
    path_found: str | None = None
    breakdown_gold: list[tuple[str | None, int]] = Field(default_factory=list)
    breakdown_found: list[tuple[str, int]] | None = None
    years_gold: str | None = None
    years_found: tuple[float | None, float | None] | None = None

    @property
    def found(self) -> bool:
        return self.found_title is not None

    @property
    def exact_bullets(self) -> bool:
        return self.found and self.behaviors_found == self.behaviors_gold

    @property
    def exact_competencies(self) -> bool:
        return self.found and self.competencies_found == self.competencies_gold

    @property
    def path_right(self) -> bool:
        return self.found and self.path_found == (self.path_gold or "ic")

    @property
    def years_right(self) -> bool:
        """`years_min` / `years_max` as the gold's wording says (see `expected_years`)."""
        return self.years_found is not None and self.years_found in expected_years(self.years_gold)

    @property
    def exact_breakdown(self) -> bool:
        """Every competency right: same names (as titles are compared) with the same behavior counts, nothing
        more; a gold competency named `null` matches one parsed competency of any name with its count."""
        if self.breakdown_found is None:
            return False
        found = {title_key(n): c for n, c in self.breakdown_found}
        if len(found) != len(self.breakdown_found):
            return False
        unnamed: list[int] = []
        for name, count in self.breakdown_gold:
            if name is None:
                unnamed.append(count)
            elif found.pop(title_key(name), None) != count:
                return False
        return sorted(unnamed) == sorted(found.values())


class Figures(BaseModel):
    """Counts of one document or of the whole gold file."""

    gold_roles: int = 0
    parsed_roles: int = 0
    found: int = 0
    exact_bullets: int = 0
    exact_competencies: int = 0
    exact_breakdown: int = 0
    path_right: int = 0
    years_right: int = 0
    extra: int = 0

    def add(self, other: Figures) -> None:
        for name in type(self).model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def percent(self, name: str) -> float:
        """Share in percent (1 decimal): of the gold roles, or of the parsed roles for `extra`."""
        whole = self.parsed_roles if name == "extra" else self.gold_roles
        return round(100 * getattr(self, name) / whole, 1) if whole else 0.0


class DocumentResult(BaseModel):
    file: str
    kind: str | None = None
    kind_confidence: float | None = None
    structure: str = ""
    error: str | None = None
    missing: bool = Field(False, description="The file was not found or could not be read (not a parse result).")
    figures: Figures = Field(default_factory=Figures)
    roles: list[RoleResult] = Field(default_factory=list)
    extra_roles: list[str] = Field(default_factory=list)


class StructureEval(BaseModel):
    gold: str
    documents: list[DocumentResult]
    total: Figures

    @property
    def missing(self) -> list[str]:
        """Gold documents whose file could not be found or read."""
        return [d.file for d in self.documents if d.missing]


FIGURES = ("found", "exact_bullets", "exact_competencies", "exact_breakdown", "path_right", "years_right", "extra")


def _read(gold: GoldDocument, base: Path, raw: Path | None, config: Config) -> FileResult | DocumentResult:
    """Ingest + parse of one gold document, or a result holding its one-line error."""
    candidates = [base / gold.file]
    if raw is not None and Path(gold.file).name != gold.file:
        candidates.append(raw / Path(gold.file).name)
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        looked = " or ".join(str(p) for p in candidates)
        return DocumentResult(file=gold.file, error=f"{gold.file}: file not found ({looked})", missing=True)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return DocumentResult(file=gold.file, error=f"{gold.file}: cannot read: {exc.strerror or exc}", missing=True)
    result = process_bytes(data, gold.file, config)
    if result.rejection is not None:
        return DocumentResult(file=gold.file, error=f"{gold.file}: {result.rejection.reason}")
    return result


def evaluate_structure(gold_path: Path, config: Config, raw: Path | None = None) -> StructureEval:
    """Parse every document the gold file names and compare its roles with the gold (see the module doc).

    File paths are relative to the gold file's folder, or to `raw` when given (where a path's file name
    alone is also looked up, so `--raw` may name the folder that holds the documents themselves).
    """
    golds = load_gold(gold_path)
    base = raw if raw is not None else gold_path.parent
    if raw is not None and not raw.is_dir():
        raise InputError(f"--raw: not a folder: {raw}")
    reads: list[tuple[ParsedDocument, float] | DocumentResult] = []
    for gold in golds:
        read = _read(gold, base, raw, config)
        if isinstance(read, FileResult):
            assert read.parsed is not None and read.document is not None  # no rejection: both are set
            reads.append((read.parsed, read.document.kind_confidence))
        else:
            reads.append(read)
    return compare(golds, reads, str(gold_path))


def compare(
    golds: list[GoldDocument], reads: list[tuple[ParsedDocument, float] | DocumentResult], gold_name: str
) -> StructureEval:
    """Score each gold document against its parse (with the document's kind confidence), or its error."""
    results: list[DocumentResult] = []
    found_roles: list[list[_Found]] = []
    for i, (gold, read) in enumerate(zip(golds, reads, strict=True)):
        if isinstance(read, DocumentResult):
            results.append(read)
            found_roles.append([])
            continue
        parsed, confidence = read
        results.append(
            DocumentResult(
                file=gold.file, kind=parsed.kind, kind_confidence=round(confidence, 2), structure=parsed.structure
            )
        )
        found_roles.append(_parsed_roles(parsed, i))

    used: set[tuple[int, int]] = set()  # (document, position) of parsed roles already matched
    matches: list[list[_Found | None]] = []
    for i, gold in enumerate(golds):  # pass 1: within the document
        row: list[_Found | None] = []
        for role in gold.roles:
            row.append(_take(role.title, [(i, j) for j in range(len(found_roles[i]))], found_roles, used))
        matches.append(row)
    for i, gold in enumerate(golds):  # pass 2: a level joined into another document of the same gold track
        if gold.track is None:
            continue
        others = [
            (k, j)
            for k, other in enumerate(golds)
            if k != i and other.track == gold.track
            for j in range(len(found_roles[k]))
        ]
        for r, role in enumerate(gold.roles):
            if matches[i][r] is None:
                matches[i][r] = _take(role.title, others, found_roles, used)

    total = Figures()
    for i, (gold, doc) in enumerate(zip(golds, results, strict=True)):
        fig = doc.figures
        fig.gold_roles = len(gold.roles)
        fig.parsed_roles = len(found_roles[i])
        for role, match in zip(gold.roles, matches[i], strict=True):
            rr = RoleResult(
                title=role.title,
                behaviors_gold=role.behavior_count,
                competencies_gold=len(role.competencies),
                path_gold=role.path,
                breakdown_gold=[(c.name, c.behavior_count) for c in role.competencies],
                years_gold=role.years_experience,
            )
            if match is not None:
                rr.found_title = match.title
                rr.found_in = None if match.doc == i else golds[match.doc].file
                rr.behaviors_found = match.behaviors
                rr.competencies_found = match.competencies
                rr.path_found = match.path
                rr.breakdown_found = list(match.breakdown)
                rr.years_found = match.years
            doc.roles.append(rr)
        fig.found = sum(r.found for r in doc.roles)
        fig.exact_bullets = sum(r.exact_bullets for r in doc.roles)
        fig.exact_competencies = sum(r.exact_competencies for r in doc.roles)
        fig.exact_breakdown = sum(r.exact_breakdown for r in doc.roles)
        fig.path_right = sum(r.path_right for r in doc.roles)
        fig.years_right = sum(r.years_right for r in doc.roles)
        doc.extra_roles = [f.title for j, f in enumerate(found_roles[i]) if (i, j) not in used]
        fig.extra = len(doc.extra_roles)
        total.add(fig)
    return StructureEval(gold=gold_name, documents=results, total=total)


def _take(
    title: str, pool: list[tuple[int, int]], found: list[list[_Found]], used: set[tuple[int, int]]
) -> _Found | None:
    key = title_key(title)
    for k, j in pool:
        if (k, j) not in used and title_key(found[k][j].title) == key:
            used.add((k, j))
            return found[k][j]
    return None


# ------------------------------------------------------------------------------------------- output


def _cell(fig: Figures, name: str) -> str:
    return f"{getattr(fig, name)} ({fig.percent(name):.1f}%)"


@dataclass
class _Lines:
    rows: list[list[str]] = field(default_factory=list)

    def text(self) -> list[str]:
        widths = [max(len(r[c]) for r in self.rows) for c in range(len(self.rows[0]))]
        return [
            "  ".join(
                v.ljust(w) if c < 2 else v.rjust(w) for c, (v, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
            for r in self.rows
        ]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _difference(r: RoleResult) -> str:
    """`"behaviors 5 (gold 6); competencies Impact 2 (gold 3); path management (gold ic)"`."""
    parts = []
    if not r.exact_bullets:
        parts.append(f"behaviors {r.behaviors_found} (gold {r.behaviors_gold})")
    if not r.exact_competencies:
        parts.append(f"competencies {r.competencies_found} (gold {r.competencies_gold})")
    if not r.exact_breakdown:
        found = ", ".join(f"{n or '(unnamed)'} {c}" for n, c in r.breakdown_found or [])
        gold = ", ".join(f"{n or '(unnamed)'} {c}" for n, c in r.breakdown_gold)
        parts.append(f"by competency: {found} (gold {gold})")
    if not r.path_right:
        parts.append(f"path {r.path_found} (gold {r.path_gold or 'not said, ic'})")
    if not r.years_right and r.years_found is not None:
        low, high = (_num(v) for v in r.years_found)
        parts.append(f"years {low}–{high} (gold {r.years_gold!r})")
    return "; ".join(parts)


def format_structure_eval(ev: StructureEval) -> str:
    """The table `ladder eval-structure` prints: one row per document and a total, then notes per document."""
    table = _Lines(
        [
            [
                "document",
                "kind",
                "gold roles",
                "found",
                "exact bullets",
                "exact competencies",
                "exact breakdown",
                "path right",
                "years right",
                "extra",
            ]
        ]
    )
    for doc in ev.documents:
        kind = (
            "error"
            if doc.error
            else f"{doc.kind} {doc.kind_confidence:.2f}"
            if doc.kind_confidence is not None
            else str(doc.kind)
        )
        table.rows.append([doc.file, kind, str(doc.figures.gold_roles), *(_cell(doc.figures, n) for n in FIGURES)])
    table.rows.append(["total", "", str(ev.total.gold_roles), *(_cell(ev.total, n) for n in FIGURES)])
    lines = [
        f"structure evaluation against {ev.gold}: {len(ev.documents)} documents, {ev.total.gold_roles} gold roles, {ev.total.parsed_roles} roles parsed",
        "",
    ]
    lines += table.text()
    notes: list[str] = []
    for doc in ev.documents:
        if doc.error:
            notes.append(f"error: {doc.error}")
            continue
        if doc.structure:
            notes.append(f"{doc.file}: structure: {doc.structure}")
        missed = [r.title for r in doc.roles if not r.found]
        if missed:
            notes.append(f"{doc.file}: not found: {', '.join(repr(t) for t in missed)}")
        if doc.extra_roles:
            notes.append(f"{doc.file}: extra: {', '.join(repr(t) for t in doc.extra_roles)}")
        for r in doc.roles:
            if r.found and not all(
                (r.exact_bullets, r.exact_competencies, r.exact_breakdown, r.path_right, r.years_right)
            ):
                notes.append(f"{doc.file}: {r.title!r} differs: {_difference(r)}")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def structure_eval_json(ev: StructureEval) -> str:
    """Machine-readable result: figures with percentages per document and in total, and every role's match."""

    def figures(fig: Figures) -> dict[str, object]:
        out: dict[str, object] = {"gold_roles": fig.gold_roles, "parsed_roles": fig.parsed_roles}
        for name in FIGURES:
            out[name] = getattr(fig, name)
            out[f"{name}_pct"] = fig.percent(name)
        return out

    payload = {
        "gold": ev.gold,
        "total": figures(ev.total),
        "documents": [
            {
                "file": d.file,
                "kind": d.kind,
                "kind_confidence": d.kind_confidence,
                "structure": d.structure,
                "error": d.error,
                "missing": d.missing,
                **figures(d.figures),
                "roles": [
                    {
                        **r.model_dump(),
                        "found": r.found,
                        "exact_bullets": r.exact_bullets,
                        "exact_competencies": r.exact_competencies,
                        "exact_breakdown": r.exact_breakdown,
                        "path_right": r.path_right,
                        "years_right": r.years_right,
                    }
                    for r in d.roles
                ],
                "extra_roles": d.extra_roles,
            }
            for d in ev.documents
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"

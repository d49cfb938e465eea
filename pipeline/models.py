"""Records of the pipeline, as pydantic v2 models.

Two layers:
- what one document says (`Document`, `ParsedDocument` and its `Parsed*` parts), produced per document by
  ingest and parse, cacheable by content hash;
- the canonical dataset (`Ladder` and its parts), built from all parsed documents by normalize + dedupe.

Every derived item keeps provenance: the document id and a `source_ref` (`L123` = line 123 of the file as
decoded, for text, Markdown and HTML alike).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

DocKind = Literal["career_page", "role_descriptions", "forum_thread", "article", "unknown"]
PathKind = Literal["ic", "management"]  # a role's ladder; not a file path
BlockKind = Literal["heading", "item", "para"]
NodeKind = Literal["heading", "para", "list", "item", "quote", "table", "row", "cell"]

SCHEMA_VERSION = "1.0"


def line_of(ref: str) -> int:
    """Line number of a `source_ref`: `"L12"` -> `12`, a table cell `"L40:r2c3"` -> `40`; 0 for a ref that is not
    `L<line>…`."""
    digits = ref[1:].split(":", 1)[0] if ref[:1] == "L" else ""
    return int(digits) if digits.isdigit() else 0


_REF = re.compile(r"^L(\d+)(?::r(\d+)c(\d+))?")


def ref_order(ref: str) -> tuple[int, int, int, str]:
    """Sort key of a `source_ref`: `L8` < `L8:r2c3` < `L8:r10c1` < `L9` (line, then table row and column)."""
    match = _REF.match(ref)
    if match is None:
        return (0, 0, 0, ref)
    line, row, col = match.groups()
    return (int(line), int(row or 0), int(col or 0), ref)


class Record(BaseModel):
    """Base: forbid unknown fields so a typo in a producer fails loudly."""

    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------------------------- ingest


class Repair(Record):
    """One text repair made while ingesting a document."""

    file: str = Field(description="File name relative to the input folder.")
    ref: str = Field(description="Where in the decoded text: `L<line>` of the line repaired.")
    rule: str = Field(description="Name of the repair rule (e.g. `ftfy`, `mojibake_apostrophe`).")
    before: str = Field(description="Text as found (a short window around the change).")
    after: str = Field(description="Text after the repair (same window).")


class Block(Record):
    """One structural unit of a document: a heading, a list item or a paragraph line."""

    kind: BlockKind = Field(description="heading | item (bullet or numbered) | para (any other line).")
    text: str = Field(description="Text as written after encoding repair, bullet marker removed.")
    ref: str = Field(description="`L<line>`: 1-based line in the decoded file where the block starts.")
    level: int = Field(0, description="Heading level (1-6) for headings; list depth (1..) for items; 0 else.")
    indent: int = Field(0, description="Leading spaces of the line in a text file (0 for HTML / Markdown).")


class Node(Record):
    """One node of the document tree. The tree is stored flat, in document order; `parent` is an index."""

    kind: NodeKind
    text: str = Field("", description="Text as written (item: without its nested lists; cell: all it holds).")
    ref: str = Field(description="`L<line>` where the node starts; cells add `:r<row>c<col>` (1-based).")
    parent: int = Field(-1, description="Index of the parent node in `Document.nodes`; -1 at the top.")
    level: int = Field(0, description="Heading level (1-6); list depth (1..) for lists and items; 0 else.")
    indent: int = Field(0, description="Leading spaces of the line in a text file.")
    label: str | None = Field(None, description="Bold lead label of an item or paragraph: `**Impact:** ...`.")
    emph: bool = Field(False, description="The whole paragraph is emphasized (`_..._`, `__...__`).")
    row: int | None = Field(None, description="0-based row of a table row or cell (spans expanded).")
    col: int | None = Field(None, description="0-based column of a cell (spans expanded).")
    span: int = Field(1, description="colspan of a cell.")
    rowspan: int = Field(1, description="rowspan of a cell.")
    header: bool = Field(False, description="The cell is a `<th>` / header cell.")


class Document(Record):
    """A document after ingest: decoded, repaired, cut into blocks, its kind detected."""

    id: str = Field(description="First 16 hex chars of the sha256 of the file's bytes.")
    file: str = Field(description="Path relative to the input folder, with `/` separators.")
    format: Literal["text", "markdown", "html"] = Field(description="How the file was read.")
    encoding: str = Field(description="Detected encoding of the bytes (e.g. `utf-8`, `utf-16`, `cp1252`).")
    kind: DocKind = Field(description="Detected (or manifest-given) kind of document.")
    kind_confidence: float = Field(description="0..1: how sure the kind detection is.")
    kind_source: Literal["detected", "manifest"] = "detected"
    title: str = Field(description="First heading or first line of the document.")
    text: str = Field(description="The repaired text, as the blocks were cut from it.")
    blocks: list[Block] = Field(description="Flat view of `nodes` (headings, items, paragraphs) for the parsers.")
    nodes: list[Node] = Field(default_factory=list, description="The document tree, flat (see `Node`).")
    repairs: list[Repair] = Field(default_factory=list)


class Rejection(Record):
    """A file that could not be used, with a one-line reason."""

    file: str
    reason: str


# ---------------------------------------------------------------------------------------------- parse


class ParsedRole(Record):
    """A role as one document writes it."""

    title: str = Field(description="Title as written, without markers such as `(N/A)`.")
    track: str = Field(description="Track name as the document gives it.")
    path: PathKind
    order: int = Field(description="0-based position in the document's role menu (or of appearance).")
    defined: bool = Field(description="False for roles marked N/A, 'Not defined yet', 'not yet available'.")
    summary: str | None = None
    years_min: float | None = None
    years_max: float | None = None
    scope: list[str] = Field(default_factory=list, description="Scope statements (account sizes, segments).")
    source_ref: str


class ParsedCompetency(Record):
    """A competency section under one role."""

    role: str = Field(description="Role title the section belongs to.")
    name: str = Field(description="Competency name as written.")
    description: str | None = None
    applicable: bool = Field(True, description="False when listed empty or with only 'n/a' / 'not relevant'.")
    source_ref: str


class ParsedBehavior(Record):
    """One bullet (or sentence) stating a behavior, before atomization and de-duplication."""

    role: str
    competency: str = Field(description="Competency (or facet) name as written.")
    text: str = Field(description="Bullet text as written (after encoding repair).")
    source_ref: str


class LevelBenchmark(Record):
    """A claim from a forum post or an article about what a level means."""

    level_label: str = Field(description="Level as the author names it, e.g. 'Associate (T1)'.")
    tier: str | None = Field(None, description="Tier code if given, e.g. 'T1'.")
    canonical_level: str | None = Field(None, description="IC1.. / M1.. once aligned by normalize.")
    years_min: float | None = None
    years_max: float | None = None
    segments: list[str] = Field(default_factory=list)
    account_ownership: list[str] = Field(default_factory=list)
    promotion_criteria: list[str] = Field(default_factory=list)
    expectations: list[str] = Field(default_factory=list)
    doc_id: str
    source_ref: str
    post_ref: str | None = Field(None, description="Ref of the post the claim came from.")
    author: str | None = None
    attached_post_refs: list[str] = Field(
        default_factory=list,
        description="Refs of later posts (see `forum_posts`) whose additions to this level were appended to "
        "`expectations`, in order.",
    )


class ForumPost(Record):
    """One post of a forum thread, furniture and quoted copies removed."""

    author: str
    date: str | None = None
    author_title: str | None = None
    company: str | None = None
    text: str
    doc_id: str
    source_ref: str
    is_question: bool = False
    reply_to: str | None = Field(None, description="`source_ref` of the post this one answers; None for the question.")
    quotes: list[str] = Field(
        default_factory=list, description="`source_ref`s of the earlier posts it quotes (their copies are dropped)."
    )


class GuidanceItem(Record):
    """A named element of a rubric proposed by an article (a mindset, a skill set, a dimension, ...)."""

    section: str = Field(description="purpose | responsibility | mindset | skill_set | dimension | metric")
    name: str
    definition: str | None = None
    example: str | None = None
    doc_id: str
    source_ref: str


class ParsedDocument(Record):
    """Everything one document contributes, before cross-document normalization."""

    doc_id: str
    file: str
    kind: DocKind
    track: str | None = None
    roles: list[ParsedRole] = Field(default_factory=list)
    competencies: list[ParsedCompetency] = Field(default_factory=list)
    behaviors: list[ParsedBehavior] = Field(default_factory=list)
    benchmarks: list[LevelBenchmark] = Field(default_factory=list)
    posts: list[ForumPost] = Field(default_factory=list)
    guidance: list[GuidanceItem] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    structure: str = Field(
        "",
        description="One line on the structure parse found, e.g. `levels: H2 headings IC1–IC5; competencies: bold "
        "labels; behaviors: nested list items; skipped: 'Hiring process'` (empty when nothing was detected).",
    )

    @property
    def track_name(self) -> str:
        """The document's track, else its first role's track, else `""` (a forum thread or article)."""
        return self.track or (self.roles[0].track if self.roles else "")

    kind_evidence: list[str] = Field(
        default_factory=list, description="What in the document says it is of its kind (forum threads)."
    )


# -------------------------------------------------------------------------------------------- dataset


class SourceDocument(Record):
    """A document the dataset was built from."""

    id: str
    file: str
    kind: DocKind
    kind_confidence: float
    title: str
    encoding: str
    repairs: list[Repair] = Field(default_factory=list)
    structure: str = Field("", description="What parse found in it (levels, competencies, behaviors, skipped).")
    kind_evidence: list[str] = Field(
        default_factory=list, description="What in the document says it is of its kind (forum threads)."
    )


class Role(Record):
    """A role of a track, placed on a canonical level."""

    id: str
    track_id: str
    track: str
    title: str
    path: PathKind
    level: str = Field(description="Canonical level: IC1.. on the IC path, M1.. on the management path.")
    order: int
    defined: bool
    summary: str | None = None
    years_min: float | None = None
    years_max: float | None = None
    scope: list[str] = Field(default_factory=list)
    doc_id: str
    source_ref: str


class Track(Record):
    """A career path family within a company, with its roles in order."""

    id: str
    name: str
    doc_ids: list[str]
    role_ids: list[str]


class CompetencyAlias(Record):
    """A name a track uses for a canonical competency."""

    track: str
    name: str
    how: str = Field(description="exact | alias_table | fuzzy:<score> | decision | new")


class CompetencyDescription(Record):
    """What a competency means at one role."""

    role_id: str
    text: str | None
    applicable: bool
    doc_id: str
    source_ref: str


class Competency(Record):
    """One canonical competency across tracks."""

    id: str
    name: str
    aliases: list[CompetencyAlias] = Field(default_factory=list)
    covers: list[str] = Field(default_factory=list, description="Ids of competencies this one covers.")
    descriptions: list[CompetencyDescription] = Field(default_factory=list)


class Occurrence(Record):
    """One place a behavior is written: a bullet, or one statement of a bullet split in several."""

    doc_id: str
    source_file: str
    source_ref: str
    track: str
    role: str
    role_id: str
    path: PathKind
    level: str
    competency: str = Field(description="Competency name as written in the document.")
    competency_id: str
    text: str = Field(description="The statement as written (after encoding repair).")
    part: int = Field(0, description="Index of the statement within its bullet (0 if not split).")


class _AllFields(frozenset[str]):
    """The fields-set of a record made with every field given: shared by all of them, so immutable; pydantic's
    `add`/`update` of a field name (attribute assignment, `model_copy(update=...)`) leave it as it is, since
    every field is in it already."""

    def add(self, name: str) -> None:
        pass

    def update(self, *names: object) -> None:
        pass


_OCCURRENCE_FIELDS = _AllFields(Occurrence.model_fields)


def trusted_occurrence(**fields: object) -> Occurrence:
    """An `Occurrence` from values already validated elsewhere (every field given, of its type), without a
    second validation: the build makes 10^6 of them (see `occurrence_of`)."""
    if fields.keys() != _OCCURRENCE_FIELDS:
        raise TypeError(f"trusted_occurrence needs exactly the fields {sorted(_OCCURRENCE_FIELDS)}")
    return occurrence_of(*(fields[name] for name in Occurrence.model_fields))  # type: ignore[arg-type]


_new = object.__new__
_set = object.__setattr__


_R = TypeVar("_R", bound=BaseModel)


def _sealed(record: _R, fields_set: _AllFields) -> _R:
    """A record whose fields were set one by one (`occurrence_of`, `near_miss_of`, `cluster_member_of`) given the
    slots pydantic's `model_construct` sets: the shared fields-set, no extra fields, no private attributes."""
    _set(record, "__pydantic_fields_set__", fields_set)
    _set(record, "__pydantic_extra__", None)
    _set(record, "__pydantic_private__", None)
    return record


def lean_maker(cls: type[_R]) -> Callable[..., _R]:
    """A maker of `cls` records from values already of their fields' types (taken from validated records), given
    in field order, without a second validation: the record `model_construct` would make, but with a
    key-sharing `__dict__` (its fields set one by one, in field order) and one immutable fields-set shared by all
    (see `occurrence_of`). The build and the decoded parse results hold 10^5 to 10^6 records of a few types;
    validated, each holds an own dict and an own fields-set, about 400 bytes more."""
    names = tuple(cls.model_fields)
    fields_set = _AllFields(names)
    # The maker's body is written out, one set per field as in `occurrence_of`: a loop over the fields costs
    # about twice as much per record (3.0 against 1.1-1.8 us; decoding 10^4 documents' results makes 10^6).
    values = "".join(f"v{i}, " for i in range(len(names)))
    sets = "".join(f"    _set(record, {name!r}, v{i})\n" for i, name in enumerate(names))
    source = (
        "def make(*values):\n"
        f"    if len(values) != {len(names)}:\n"
        "        raise TypeError(f'{wrong_count}{len(values)}')\n"
        f"    {values}= values\n"
        "    record = _new(cls)\n"
        f"{sets}"
        "    _set(record, '__pydantic_fields_set__', fields_set)\n"
        "    _set(record, '__pydantic_extra__', None)\n"
        "    _set(record, '__pydantic_private__', None)\n"
        "    return record\n"
    )
    wrong_count = f"a lean {cls.__name__} takes {len(names)} values ({', '.join(names)}), got "
    scope: dict[str, Any] = {
        "_new": _new,
        "_set": _set,
        "cls": cls,
        "fields_set": fields_set,
        "wrong_count": wrong_count,
    }
    exec(source, scope)  # written from the model's field names (identifiers), never from input
    make: Callable[..., _R] = scope["make"]
    make.__name__ = make.__qualname__ = f"lean_{cls.__name__}"
    # One record made now and kept: it fixes the class's shared keys in field order. Left to the first record
    # made later, they can be lost by then (parsing a document loses `ParsedBehavior`'s: each record would
    # hold a dict of its own, as big as a validated one's).
    make.template = make(*(None for _ in names))  # type: ignore[attr-defined]
    _MAKERS[cls] = make
    return make


_MAKERS: dict[type, Callable[..., BaseModel]] = {}


def lean_copy(record: _R) -> _R:
    """`record` (of a class with a maker, see `lean_maker`) made again lean, with the same values: equal to it,
    same JSON."""
    make = _MAKERS[type(record)]
    return make(*(getattr(record, name) for name in type(record).model_fields))  # type: ignore[return-value]


def occurrence_of(
    doc_id: str,
    source_file: str,
    source_ref: str,
    track: str,
    role: str,
    role_id: str,
    path: PathKind,
    level: str,
    competency: str,
    competency_id: str,
    text: str,
    part: int,
) -> Occurrence:
    """`trusted_occurrence` with the values in field order, as the build makes them.

    Lean: what `model_construct` makes, but the fields are set one by one, in field order, so every
    occurrence's `__dict__` shares its keys with the others (a key-sharing dict: about 210 bytes per occurrence
    with the object, against 550 for `model_construct`'s own dict), and all share one immutable fields-set.
    """
    o = _new(Occurrence)
    _set(o, "doc_id", doc_id)
    _set(o, "source_file", source_file)
    _set(o, "source_ref", source_ref)
    _set(o, "track", track)
    _set(o, "role", role)
    _set(o, "role_id", role_id)
    _set(o, "path", path)
    _set(o, "level", level)
    _set(o, "competency", competency)
    _set(o, "competency_id", competency_id)
    _set(o, "text", text)
    _set(o, "part", part)
    return _sealed(o, _OCCURRENCE_FIELDS)


class Interner:
    """One string object per distinct value (`same(s) is same(t)` when `s == t`): repeated names held once."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        return self._seen.setdefault(value, value)


class Behavior(Record):
    """One canonical behavior and every place it is written."""

    id: str
    text: str = Field(description="Representative text, chosen deterministically among the occurrences.")
    competency_ids: list[str]
    occurrences: list[Occurrence]


class Progression(Record):
    """Two related behaviors kept apart because they mark a level difference (lower -> higher)."""

    track: str
    competency_id: str
    from_behavior: str
    to_behavior: str
    from_level: str
    to_level: str
    removed_words: list[str] = Field(default_factory=list)
    added_words: list[str] = Field(default_factory=list)
    rule: str = Field(description="The guard that kept them apart (numbers, proficiency, object, ...).")
    score: float


class CompetencyMapping(Record):
    """How one competency name of one track was mapped to a canonical competency."""

    track: str
    name: str = Field(description="Name as written.")
    competency_id: str
    canonical: str = Field(description="Canonical name.")
    how: str = Field(description="exact | alias_table | fuzzy | decision | new")
    score: float | None = Field(None, description="Fuzzy score when `how` is fuzzy.")


class LevelAssignment(Record):
    """Which canonical level a role got, and why."""

    track: str
    role: str
    role_id: str
    path: PathKind
    level: str
    basis: str = Field(description="What decided: title word, menu order, decision, ...")


class ClusterMember(Record):
    """One distinct text (as written) inside a merge cluster."""

    text: str
    occurrences: int
    score: float = Field(description="Similarity to the representative (0..100).")
    why: str = Field("", description="Why it merged with the representative: aligned and ignored words.")


_lean_cluster_member = lean_maker(ClusterMember)


def cluster_member_of(text: str, occurrences: int, score: float, why: str) -> ClusterMember:
    """A lean `ClusterMember` (`lean_maker`); `score` is made a float, as validation makes it."""
    return _lean_cluster_member(text, occurrences, float(score), why)


class MergeCluster(Record):
    """Statements merged into one behavior (only clusters with more than one distinct text)."""

    behavior_id: str
    representative: str
    members: list[ClusterMember]
    rule: str = Field(description="What decided the merge: exact | normalized | fuzzy | decision")
    tracks: list[str] = Field(default_factory=list)


class NearMiss(Record):
    """A pair kept apart that a human may want to confirm."""

    a_id: str
    b_id: str
    a_text: str
    b_text: str
    score: float
    rule: str = Field(description="below_threshold, or the guard that kept them apart (numbers, ...).")
    tracks: list[str] = Field(default_factory=list)
    why: str = Field("", description="The deciding class with the words: aligned, ignored and left over.")
    likelihood: float = Field(0.0, description="How likely the two are the same after all (0..1), for ranking.")


_lean_near_miss = lean_maker(NearMiss)


def near_miss_of(
    a_id: str,
    b_id: str,
    a_text: str,
    b_text: str,
    score: float,
    rule: str,
    tracks: list[str],
    why: str,
    likelihood: float,
) -> NearMiss:
    """A lean `NearMiss` (`lean_maker`), as the build makes them (10^5 at 10^4 documents): about 200 bytes per
    near miss with the object against 1 KB for a validated one. `score` and `likelihood` are made floats, as
    validation makes them."""
    return _lean_near_miss(a_id, b_id, a_text, b_text, float(score), rule, tracks, why, float(likelihood))


class Split(Record):
    """A bullet that holds several statements, split into several behaviors."""

    source_file: str
    source_ref: str
    track: str
    bullet: str
    parts: list[str]


DecisionStatus = Literal["applied", "stale", "refused"]


class DecisionOutcome(Record):
    """A reviewer decision and whether it still matched something in this run."""

    action: str = Field(description="merge | split | keep-apart | rename | level")
    target: str = Field(description="The ids or names the decision names.")
    status: DecisionStatus = Field(
        description="applied; stale: an id the run no longer has; refused: the ids exist but it cannot be done "
        "(the detail says why)"
    )
    detail: str = ""


class Normalization(Record):
    """What normalization did in this run; the report is written from it."""

    competency_mapping: list[CompetencyMapping] = Field(default_factory=list)
    levels: list[LevelAssignment] = Field(default_factory=list)
    clusters: list[MergeCluster] = Field(default_factory=list)
    near_misses: list[NearMiss] = Field(default_factory=list)
    splits: list[Split] = Field(default_factory=list)
    decisions: list[DecisionOutcome] = Field(default_factory=list)


class Ladder(Record):
    """The canonical ladder dataset: what `normalized/ladder.json` holds."""

    schema_version: str = SCHEMA_VERSION
    documents: list[SourceDocument]
    tracks: list[Track]
    roles: list[Role]
    competencies: list[Competency]
    behaviors: list[Behavior]
    progressions: list[Progression] = Field(default_factory=list)
    level_benchmarks: list[LevelBenchmark] = Field(default_factory=list)
    forum_posts: list[ForumPost] = Field(default_factory=list)
    guidance: list[GuidanceItem] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)
    normalization: Normalization = Field(
        default_factory=Normalization,
        description="What normalization did (merges, near-misses, splits, decisions): read by the report.",
    )


# Lean makers (`lean_maker`) of the records a large run holds by the 10^4 to 10^6. Made here, when the models are
# imported, so that each class's shared keys are fixed before any document is parsed.
parsed_role_of = lean_maker(ParsedRole)
parsed_competency_of = lean_maker(ParsedCompetency)
parsed_behavior_of = lean_maker(ParsedBehavior)
role_of = lean_maker(Role)
competency_alias_of = lean_maker(CompetencyAlias)
competency_description_of = lean_maker(CompetencyDescription)
behavior_of = lean_maker(Behavior)
progression_of = lean_maker(Progression)
competency_mapping_of = lean_maker(CompetencyMapping)
level_assignment_of = lean_maker(LevelAssignment)
merge_cluster_of = lean_maker(MergeCluster)

# `occurrence_of`, written out field by field for speed (10^6 calls), keeps a record too, for the reason
# `lean_maker` gives.
_OCCURRENCE_TEMPLATE = occurrence_of(*("" for _ in Occurrence.model_fields))  # type: ignore[arg-type]

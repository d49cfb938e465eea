"""Normalization report: what a run did and what it changes, as Markdown and as one self-contained HTML page.

The sections are built once (`build_report`) and the one `Report` is rendered three ways: report.md
(`report_markdown`), report.html (`report_html`) and the Prefect artifact (`report_artifact`), so they always
say the same thing. A table that grows with the corpus holds its first `REPORT_MAX_ROWS` rows in report order
(near-misses most likely first) and counts the rest: only the rows shown are built (and word-diffed), and each
rendering ends such a table with a line saying how many more there are and where (ladder.json).
Every piece of document text is escaped (html.escape for the page, backslash escapes for Markdown): a
behavior reading `<script>…</script>` shows as text. Output is a pure function of the `Ladder` and the
`DatasetDiff` — no dates, no paths — so unchanged inputs give byte-identical reports.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pipeline.build.decisions import occurrence_ref
from pipeline.build.levels import level_sort_key
from pipeline.models import Ladder, NearMiss, Occurrence, ref_order
from pipeline.release.diff import ENTITY_KINDS, SINGULAR, DatasetDiff, FieldChange, WordOp, word_diff
from pipeline.release.emit import atomic_write_text

ARTIFACT_KEY = "ladder-normalization-report"
"""Fixed key of the Prefect markdown artifact, so the UI shows the report's history across runs."""

T = TypeVar("T")

ARTIFACT_MAX_ROWS = 50
"""Rows shown per table in the Prefect artifact; report.md shows up to `REPORT_MAX_ROWS`, ladder.json all."""
REPORT_MAX_ROWS = 500
"""A reviewer reads hundreds of rows, not 10^5: past this each table of report.md / report.html stops with a
line saying how many rows were left out and where the full data is (ladder.json, `ladder diff`). Rows past
it are never built. At 1,000 synthetic documents this keeps report.html near 4 MB; a browser lays out a page
of 13,000 table rows (2,000 per table) in over a minute. A constant, not a setting: a release's report
(`ladder publish`, written without the run's configuration) must show the same rows as the run's."""
_MORE = "… {n} more rows not shown: the full lists are in ladder.json (normalization) and `ladder diff`."
_MORE_ARTIFACT = "… {n} more rows in normalized/report.md."

TITLE = "Ladder normalization report"

KINDS: dict[str, str] = {
    "documents": "Document structure",
    "repairs": "Text repairs",
    "competencies": "Competency names",
    "levels": "Level alignment",
    "threads": "Forum threads and level benchmarks",
    "merges": "Merged behaviors",
    "near-misses": "Near-misses to confirm",
    "splits": "Split bullets",
    "progressions": "Progressions",
    "decisions": "Reviewer decisions",
    "rejected": "Rejected files",
    "diff": "Changes since the last release",
}
"""Kinds of change, in report order: the section ids and the page's filter checkboxes."""


# --------------------------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Cell:
    """One table cell: plain text, an id or reference (`code`), a word diff, or a list of texts."""

    text: str = ""
    style: str = "plain"  # plain | code | diff | list | refs (a list of places: file#line · role · level)
    words: tuple[WordOp, ...] = ()
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """A reviewer decision a row offers: a button in `ladder review`, a "copy as YAML" snippet in the page.

    `field` names what the reviewer picks or types (a role's level from `choices`, a competency's name);
    the decision holds its current value."""

    label: str
    decision: tuple[tuple[str, object], ...]
    field: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    tracks: tuple[str, ...] | None = None  # None: not about any track, shown whatever the track filter
    actions: tuple[Action, ...] = ()


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    track_columns: list[str] = field(default_factory=list)  # column headers that are track names
    left_out: int = 0  # rows past the builder's cap: counted, never built

    @property
    def total(self) -> int:
        """Rows the table has in full, built or not."""
        return len(self.rows) + self.left_out


@dataclass
class ReportSection:
    kind: str
    count: int
    lead: str
    tables: list[Table] = field(default_factory=list)

    @property
    def title(self) -> str:
        return KINDS[self.kind]


@dataclass
class Report:
    """The report built once (`build_report`): what every rendering (Markdown, HTML, artifact) shows."""

    headline: str
    dataset: str
    tracks: list[str]
    sections: list[ReportSection]
    diff: DatasetDiff


def _c(value: object) -> Cell:
    return value if isinstance(value, Cell) else Cell(text="" if value is None else str(value))


def _code(text: str) -> Cell:
    return Cell(text=text, style="code")


def _diff_cell(before: str, after: str) -> Cell:
    return Cell(style="diff", words=tuple(word_diff(before, after)))


def _list(items: Iterable[str]) -> Cell:
    return Cell(style="list", items=tuple(items))


def _row(*cells: object, tracks: Iterable[str] | None = None, actions: Iterable[Action] = ()) -> Row:
    return Row(
        cells=tuple(_c(c) for c in cells),
        tracks=None if tracks is None else tuple(sorted(set(tracks))),
        actions=tuple(actions),
    )


def _cap(items: Sequence[T], limit: int | None) -> tuple[Sequence[T], int]:
    """`(items[:limit], how many are left out)`: the rows a capped table builds, and the count it reports."""
    if limit is None or len(items) <= limit:
        return items, 0
    return items[:limit], len(items) - limit


def _cap_of(items: Sequence[T], total: int, limit: int | None) -> tuple[Sequence[T], int]:
    """`_cap` of the first items of a list of `total` (a diff listing only its first items, `DatasetDiff.listed`)."""
    shown = items if limit is None else items[:limit]
    return shown, total - len(shown)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _n(count: int, singular: str, plural: str | None = None) -> str:
    """`_n(1, "file")` -> `"1 file"`, `_n(2, "file")` -> `"2 files"`."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _level_order(level: str) -> tuple[tuple[int, int], str]:
    """`IC2` before `IC10`, IC before M (`levels.level_sort_key`)."""
    return (level_sort_key(level), level)


# ------------------------------------------------------------------------------------------ sections


def headline(diff: DatasetDiff) -> str:
    """The one line that says what this run changes against the latest release."""
    if diff.base is None:
        return f"No published release yet: everything in the {diff.target} is new; the first release will be {diff.suggested_version}."
    if diff.is_empty:
        return f"No changes since {diff.base}: the {diff.target} gives the same dataset."
    counts = diff.counts
    added = sum(counts[k]["added"] for k in ENTITY_KINDS)
    removed = sum(counts[k]["removed"] for k in ENTITY_KINDS)
    changed = sum(counts[k]["changed"] for k in ENTITY_KINDS)
    moved = counts["occurrences"]["moved"]
    version = f" ({diff.suggested_version})" if diff.suggested_version else ""
    return (
        f"Since {diff.base}: {added} added, {removed} removed, {changed} changed, "
        f"{moved} occurrences moved; suggested bump {diff.bump}{version}."
    )


def dataset_line(ladder: Ladder) -> str:
    occurrences = sum(len(b.occurrences) for b in ladder.behaviors)
    defined = sum(r.defined for r in ladder.roles)
    return (
        f"{len(ladder.documents)} documents read, {len(ladder.rejected)} rejected; {len(ladder.tracks)} tracks, "
        f"{len(ladder.roles)} roles ({defined} defined), {len(ladder.competencies)} competencies, "
        f"{len(ladder.behaviors)} behaviors from {occurrences} occurrences."
    )


def build_sections(ladder: Ladder, diff: DatasetDiff, limit: int | None = None) -> list[ReportSection]:
    """Every section of the report, in `KINDS` order (forum threads only when the run read one).

    `limit` caps the rows each table builds (in report order); the rest are only counted (`Table.left_out`)."""
    threads = (
        [_threads(ladder, limit)]
        if ladder.level_benchmarks or any(d.kind == "forum_thread" for d in ladder.documents)
        else []
    )
    places = _Places(ladder)
    return [
        _documents(ladder, limit),
        _repairs(ladder, limit),
        _competencies(ladder, limit),
        _levels(ladder, limit),
        *threads,
        _merges(ladder, places, limit),
        _near_misses(ladder, places, limit),
        _splits(ladder, limit),
        _progressions(ladder, places, limit),
        _decisions(ladder, limit),
        _rejected(ladder, limit),
        _diff_section(diff, limit),
    ]


def build_report(ladder: Ladder, diff: DatasetDiff, limit: int | None) -> Report:
    """The report of `ladder` and its `diff`, built once for every rendering; tables capped at `limit` rows
    (`REPORT_MAX_ROWS` for the files and the artifact)."""
    return Report(
        headline=headline(diff),
        dataset=dataset_line(ladder),
        tracks=sorted({t.name for t in ladder.tracks}),
        sections=build_sections(ladder, diff, limit),
        diff=diff,
    )


def _doc_tracks(ladder: Ladder) -> dict[str, list[str]]:
    by_doc: dict[str, set[str]] = {}
    for t in ladder.tracks:
        for d in t.doc_ids:
            by_doc.setdefault(d, set()).add(t.name)
    files = {d.file: sorted(by_doc.get(d.id, ())) for d in ladder.documents}
    return files


_INVISIBLE = str.maketrans({"\u00a0": "␣", "\u202f": "␣", "\u2007": "␣"})


def _visible(text: str) -> str:
    """`"the\u00a0Partners"` -> `"the␣Partners"`: a repair to a no-break space must be seen to be reviewed."""
    return text.translate(_INVISIBLE)


LOW_KIND_CONFIDENCE = 0.6
"""Below this a document's detected kind is flagged in the report as worth a look (it is still used)."""


def _roles_per_doc(ladder: Ladder) -> dict[str, int]:
    roles: dict[str, int] = {}
    for r in ladder.roles:
        roles[r.doc_id] = roles.get(r.doc_id, 0) + 1
    return roles


def document_warnings(ladder: Ladder) -> list[tuple[str, str]]:
    """`(file, warning)` for each document a reviewer should look at: unknown kind, low kind confidence, or a
    career page that gave no roles."""
    roles = _roles_per_doc(ladder)
    out = []
    for d in ladder.documents:
        if d.kind == "unknown":
            out.append(
                (
                    d.file,
                    f"kind not recognised (confidence {d.kind_confidence:.2f}): nothing extracted; set its kind in raw/manifest.yaml",
                )
            )
            continue
        if d.kind_confidence < LOW_KIND_CONFIDENCE:
            out.append((d.file, f"low kind confidence {d.kind_confidence:.2f}: check that it is a {d.kind}"))
        if d.kind == "career_page" and not roles.get(d.id):
            out.append((d.file, "career page with no roles: its levels were not recognised"))
    return out


def _documents(ladder: Ladder, limit: int | None = None) -> ReportSection:
    tracks = _doc_tracks(ladder)
    roles = _roles_per_doc(ladder)
    table = Table("", ["File", "Kind", "Confidence", "Roles", "Structure found"])
    docs, table.left_out = _cap(sorted(ladder.documents, key=lambda d: d.file), limit)
    for d in docs:
        table.rows.append(
            _row(d.file, d.kind, f"{d.kind_confidence:.2f}", roles.get(d.id, 0), d.structure, tracks=tracks[d.file])
        )
    warnings = document_warnings(ladder)
    notes = Table("Warnings", ["File", "Warning"])
    shown, notes.left_out = _cap(warnings, limit)
    for file, warning in shown:
        notes.rows.append(_row(file, warning, tracks=tracks[file]))
    lead = f"{_n(len(ladder.documents), 'document')} read; " + (
        f"{_n(len(warnings), 'warning')}: look at these first." if warnings else "no warnings."
    )
    return ReportSection("documents", len(ladder.documents), lead, [table, notes])


def _repairs(ladder: Ladder, limit: int | None = None) -> ReportSection:
    tracks = _doc_tracks(ladder)
    repairs = sorted(
        (r for d in ladder.documents for r in d.repairs), key=lambda r: (r.file, ref_order(r.ref), r.rule, r.before)
    )
    table = Table("", ["File", "Line", "Rule", "Before → after"])
    shown, table.left_out = _cap(repairs, limit)
    for r in shown:
        before, after = _visible(r.before), _visible(r.after)
        table.rows.append(_row(r.file, _code(r.ref), r.rule, _diff_cell(before, after), tracks=tracks.get(r.file, ())))
    files = len({r.file for r in repairs})
    lead = f"{_n(len(repairs), 'text repair')} in {_n(files, 'file')}" + (
        " (␣ marks a no-break space)." if any("␣" in _visible(r.before + r.after) for r in repairs) else "."
    )
    return ReportSection("repairs", len(repairs), lead, [table])


def _competencies(ladder: Ladder, limit: int | None = None) -> ReportSection:
    log = ladder.normalization.competency_mapping
    table = Table("", ["Track", "Name as written", "Canonical", "How"])
    if log:
        mapped, table.left_out = _cap(sorted(log, key=lambda m: (m.canonical, m.track, m.name)), limit)
        for m in mapped:
            how = f"{m.how} ({_num(m.score)})" if m.score is not None else m.how
            rename = _action("Rename", field="name", action="rename", competency=m.competency_id, name=m.canonical)
            table.rows.append(
                _row(m.track, m.name, _list([m.canonical, m.competency_id]), how, tracks=[m.track], actions=[rename])
            )
        # The canonical cell lists the name and the id, so every name written counts (as it always has).
        renamed = sum(1 for m in log if m.name)
    else:
        # Before de-duplication fills the log, the aliases still say which name each track uses.
        aliases = sorted((c.name, a.track, a.name, a.how) for c in ladder.competencies for a in c.aliases)
        renamed = sum(1 for canonical, _track, name, _how in aliases if name != canonical)
        shown, table.left_out = _cap(aliases, limit)
        for canonical, track, name, how in shown:
            table.rows.append(_row(track, name, canonical, how, tracks=[track]))
    tables = [table]
    names = {c.id: c.name for c in ladder.competencies}
    comp_tracks = {c.id: sorted({a.track for a in c.aliases}) for c in ladder.competencies}
    covers = Table("Competencies that cover others", ["Competency", "Covers"])
    covering, covers.left_out = _cap(
        [c for c in sorted(ladder.competencies, key=lambda c: (c.name, c.id)) if c.covers], limit
    )
    for c in covering:
        covers.rows.append(_row(c.name, _list(sorted(names.get(i, i) for i in c.covers)), tracks=comp_tracks[c.id]))
    if covers.rows:
        tables.append(covers)
    lead = (
        f"{_n(table.total, 'name')} mapped to {_n(len(ladder.competencies), 'competency', 'competencies')}; "
        f"{renamed} written differently from the canonical name."
    )
    return ReportSection("competencies", table.total, lead, tables)


def _levels(ladder: Ladder, limit: int | None = None) -> ReportSection:
    tracks = sorted({r.track for r in ladder.roles})
    by_level: dict[tuple[str, str], dict[str, list[str]]] = {}
    for r in sorted(ladder.roles, key=lambda r: (r.track, r.order, r.title)):
        years = ""
        if r.years_min is not None or r.years_max is not None:
            years = f" ({_num(r.years_min)}–{_num(r.years_max)} y)"
        label = r.title + years + ("" if r.defined else " — not defined")
        by_level.setdefault((r.path, r.level), {}).setdefault(r.track, []).append(label)
    tables = [_levels_by_track(ladder, limit)]
    basis = Table("How each level was decided", ["Track", "Role", "Level", "Basis"])
    decided = sorted(ladder.normalization.levels, key=lambda a: (a.track, _level_order(a.level), a.role))
    shown, basis.left_out = _cap(decided, limit)
    for a in shown:
        basis.rows.append(_row(a.track, a.role, a.level, a.basis, tracks=[a.track]))
    if basis.rows:
        tables.append(basis)
    lead = f"{_n(len(ladder.roles), 'role')} of {_n(len(tracks), 'track')} on {_n(len(by_level), 'canonical level')}."
    return ReportSection("levels", len(ladder.roles), lead, tables)


# ------------------------------------------------------------------------------- review: where and actions

LEVEL_CHOICES = {"ic": tuple(f"IC{i}" for i in range(1, 7)), "management": tuple(f"M{i}" for i in range(1, 5))}
"""Levels a reviewer can pick for a role, by path."""

# Near-misses most likely the same first: by the matcher's likelihood, then score, then by how weak the reason
# to keep them apart is (no guard, then guards that look at wording before those that see a different number
# or quantity).
NEAR_MISS_RULE_ORDER = (
    "no_chaining",
    "below_threshold",
    "added_detail",
    "added_verb",
    "scope",
    "modifier",
    "object",
    "proficiency",
    "negation",
    "quantity",
    "numbers",
)
PLACES_SHOWN = 3
OCCURRENCES_SHOWN = 10
"""Occurrences listed (each with its "split out" action) per merge row; a behavior written in hundreds of
places would otherwise make the page megabytes long. The rest are in ladder.json, `ladder decide split
BEH --occurrence FILE#L<line>` splits any of them."""


def near_miss_rank(n: NearMiss) -> tuple[float, float, int, str, str, str, str]:
    rule = NEAR_MISS_RULE_ORDER.index(n.rule) if n.rule in NEAR_MISS_RULE_ORDER else len(NEAR_MISS_RULE_ORDER)
    return (-n.likelihood, -n.score, rule, n.a_text, n.b_text, n.a_id, n.b_id)


def _action(label: str, field: str = "", choices: Iterable[str] = (), **decision: object) -> Action:
    return Action(label=label, decision=tuple(decision.items()), field=field, choices=tuple(choices))


class _Places:
    """Where each behavior is written (`file#L3 · Track / Role · IC2`), the decisions a reviewer can take, and
    the word diffs of behavior pairs, for one report build."""

    def __init__(self, ladder: Ladder) -> None:
        self.behaviors = {b.id: b for b in ladder.behaviors}
        self.diffs: dict[tuple[str, str], Cell] = {}

    def diff_cell(self, before: str, after: str) -> Cell:
        """The word diff of two behavior texts, computed once per pair for the whole report (a pair is often
        both a near-miss and a progression)."""
        cell = self.diffs.get((before, after))
        if cell is None:
            cell = self.diffs[before, after] = _diff_cell(before, after)
        return cell

    @staticmethod
    def _place(o: Occurrence) -> str:
        return f"{occurrence_ref(o.source_file, o.source_ref, o.part)} · {o.track} / {o.role} · {o.level}"

    def of(self, behavior: str, limit: int | None = None) -> list[str]:
        b = self.behaviors.get(behavior)
        if b is None:
            return []
        places = [self._place(o) for o in b.occurrences[:limit]]
        if limit is not None and len(b.occurrences) > limit:
            places.append(f"… {len(b.occurrences) - limit} more (ladder.json)")
        return places

    def pair(self, a: str, b: str) -> list[str]:
        out = []
        for name, bid in (("A", a), ("B", b)):
            places = self.of(bid, PLACES_SHOWN)
            out += [f"{name}: {p}" for p in places]
        return out

    def split_actions(self, behavior: str) -> list[Action]:
        b = self.behaviors.get(behavior)
        if b is None:
            return []
        actions = [_action("Split all", action="split", behavior=behavior)]
        for o in b.occurrences[:OCCURRENCES_SHOWN]:
            ref = occurrence_ref(o.source_file, o.source_ref, o.part)
            actions.append(_action(f"Split out {ref}", action="split", behavior=behavior, occurrence=ref))
        return actions

    def pair_actions(self, a: str, b: str) -> list[Action]:
        return [
            _action("Merge", action="merge", behaviors=[a, b]),
            _action("Keep apart", action="keep-apart", behaviors=[a, b]),
        ]


def _levels_by_track(ladder: Ladder, limit: int | None = None) -> Table:
    """One row per role, grouped by track (IC path, then management, by level): readable at any number of tracks."""
    table = Table("", ["Track", "Path", "Level", "Role", "Role id", "Source"])
    files = {d.id: d.file for d in ladder.documents}
    roles = sorted(ladder.roles, key=lambda r: (r.track, r.path != "ic", _level_order(r.level), r.order, r.title))
    shown, table.left_out = _cap(roles, limit)
    for r in shown:
        years = ""
        if r.years_min is not None or r.years_max is not None:
            years = f" ({_num(r.years_min)}–{_num(r.years_max)} y)"
        label = r.title + years + ("" if r.defined else " — not defined")
        choices = LEVEL_CHOICES.get(r.path, (r.level,))
        table.rows.append(
            _row(
                r.track,
                r.path,
                r.level,
                label,
                _code(r.id),
                _code(f"{files.get(r.doc_id, r.doc_id)}#{r.source_ref}"),
                tracks=[r.track],
                actions=[
                    _action("Set level", field="level", choices=choices, action="level", role=r.id, level=r.level)
                ],
            )
        )
    return table


def _threads(ladder: Ladder, limit: int | None = None) -> ReportSection:
    """How each thread was recognized, and its level benchmarks next to the roles on the same canonical level."""
    threads = [d for d in ladder.documents if d.kind == "forum_thread"]
    files = {d.id: d.file for d in ladder.documents}
    found = Table("How each thread was recognized", ["File", "Confidence", "Evidence"])
    shown_threads, found.left_out = _cap(sorted(threads, key=lambda d: d.file), limit)
    for d in shown_threads:
        found.rows.append(_row(d.file, f"{d.kind_confidence:g}", _list(d.kind_evidence)))
    roles: dict[str, list[str]] = {}
    for r in sorted(ladder.roles, key=lambda r: (r.track, r.order, r.title)):
        roles.setdefault(r.level, []).append(f"{r.track}: {r.title}")
    table = Table("Benchmarks on the canonical ladder", ["Level", "Benchmark", "Years", "Author (post)", "Roles"])
    benchmarks = sorted(
        ladder.level_benchmarks,
        key=lambda b: (_level_order(b.canonical_level or "~"), files.get(b.doc_id, ""), ref_order(b.source_ref)),
    )
    shown, table.left_out = _cap(benchmarks, limit)
    for b in shown:
        years = "" if b.years_min is None and b.years_max is None else f"{_num(b.years_min)}–{_num(b.years_max)}"
        post = f"{b.author or '?'} ({files.get(b.doc_id, b.doc_id)} {b.post_ref or b.source_ref})"
        level = b.canonical_level or "not placed"
        table.rows.append(_row(level, b.level_label, years, post, _list(roles.get(b.canonical_level or "", []))))
    lined = sum(1 for b in benchmarks if b.canonical_level in roles)
    lead = (
        f"{_n(len(benchmarks), 'level benchmark')} from {_n(len(threads), 'forum thread')}; {lined} on a canonical "
        "level that roles of the tracks also hold."
    )
    return ReportSection("threads", len(benchmarks), lead, [found, table] if threads else [table])


def _merges(ladder: Ladder, places: _Places, limit: int | None = None) -> ReportSection:
    clusters = sorted(ladder.normalization.clusters, key=lambda c: (c.representative, c.behavior_id))
    table = Table(
        "", ["Behavior", "Members (occurrences, score)", "Where (line · role · level)", "Rule", "Why", "Tracks"]
    )
    shown, table.left_out = _cap(clusters, limit)
    for c in shown:
        ordered = sorted(c.members, key=lambda m: (-m.score, m.text))
        members = [f"{m.text} (×{m.occurrences}, {_num(m.score)})" for m in ordered]
        why = [f"{m.text}: {m.why}" for m in ordered if m.why and m.text != c.representative]
        table.rows.append(
            _row(
                _list([c.representative, c.behavior_id]),
                _list(members),
                Cell(style="refs", items=tuple(places.of(c.behavior_id, OCCURRENCES_SHOWN))),
                c.rule,
                _list(why),
                ", ".join(c.tracks),
                tracks=c.tracks,
                actions=places.split_actions(c.behavior_id),
            )
        )
    statements = sum(len(c.members) for c in clusters)
    return ReportSection(
        "merges",
        len(clusters),
        f"{_n(len(clusters), 'behavior')} merged from {_n(statements, 'distinct text')}.",
        [table],
    )


def _near_misses(ladder: Ladder, places: _Places, limit: int | None = None) -> ReportSection:
    misses = sorted(ladder.normalization.near_misses, key=near_miss_rank)
    table = Table(
        "",
        ["A → B (word by word)", "Ids", "Where (line · role · level)", "Score", "Likely same", "Kept apart by", "Why"],
    )
    shown, table.left_out = _cap(misses, limit)  # ranked, then capped: only the rows shown are word-diffed
    for n in shown:
        table.rows.append(
            _row(
                places.diff_cell(n.a_text, n.b_text),
                _list([f"{n.a_id}", f"{n.b_id}"]),
                Cell(style="refs", items=tuple(places.pair(n.a_id, n.b_id))),
                _num(n.score),
                _num(n.likelihood),
                n.rule,
                n.why,
                tracks=n.tracks,
                actions=places.pair_actions(n.a_id, n.b_id),
            )
        )
    lead = (
        f"{_n(len(misses), 'pair')} kept apart that may be the same behavior, most likely first: merge them, "
        "or keep them apart (the pair is then not reported again)."
    )
    return ReportSection("near-misses", len(misses), lead, [table])


def _splits(ladder: Ladder, limit: int | None = None) -> ReportSection:
    splits = sorted(ladder.normalization.splits, key=lambda s: (s.source_file, ref_order(s.source_ref), s.bullet))
    table = Table("", ["File", "Line", "Bullet", "Behaviors"])
    shown, table.left_out = _cap(splits, limit)
    for s in shown:
        table.rows.append(_row(s.source_file, _code(s.source_ref), s.bullet, _list(s.parts), tracks=[s.track]))
    parts = sum(len(s.parts) for s in splits)
    return ReportSection(
        "splits", len(splits), f"{_n(len(splits), 'bullet')} split into {_n(parts, 'behavior')}.", [table]
    )


def _progressions(ladder: Ladder, places: _Places, limit: int | None = None) -> ReportSection:
    texts = {b.id: b.text for b in ladder.behaviors}
    names = {c.id: c.name for c in ladder.competencies}
    items = sorted(
        ladder.progressions,
        key=lambda p: (
            p.track,
            names.get(p.competency_id, p.competency_id),
            _level_order(p.from_level),
            p.from_behavior,
            p.to_behavior,
        ),
    )
    table = Table("", ["Track", "Competency", "Levels", "What changes", "Rule"])
    shown, table.left_out = _cap(items, limit)
    for p in shown:
        before, after = texts.get(p.from_behavior, p.from_behavior), texts.get(p.to_behavior, p.to_behavior)
        table.rows.append(
            _row(
                p.track,
                names.get(p.competency_id, p.competency_id),
                f"{p.from_level} → {p.to_level}",
                places.diff_cell(before, after),
                f"{p.rule} ({_num(p.score)})",
                tracks=[p.track],
            )
        )
    return ReportSection(
        "progressions", len(items), f"{_n(len(items), 'pair')} of behaviors that mark a level difference.", [table]
    )


def _decisions(ladder: Ladder, limit: int | None = None) -> ReportSection:
    items = sorted(ladder.normalization.decisions, key=lambda d: (d.status, d.action, d.target))
    table = Table("", ["Status", "Action", "Target", "Detail"])
    shown, table.left_out = _cap(items, limit)
    for d in shown:
        table.rows.append(_row(d.status, d.action, d.target, d.detail))
    applied = sum(d.status == "applied" for d in items)
    refused = sum(d.status == "refused" for d in items)
    lead = f"{_n(applied, 'reviewer decision')} applied, {len(items) - applied - refused} stale (they no longer match anything)."
    if refused:
        lead += f" {refused} refused (the detail says why)."
    return ReportSection("decisions", len(items), lead, [table])


def _rejected(ladder: Ladder, limit: int | None = None) -> ReportSection:
    items = sorted(ladder.rejected, key=lambda r: r.file)
    table = Table("", ["File", "Reason"])
    shown, table.left_out = _cap(items, limit)
    for r in shown:
        table.rows.append(_row(r.file, r.reason))
    return ReportSection("rejected", len(items), f"{_n(len(items), 'file')} could not be used.", [table])


def _diff_section(diff: DatasetDiff, limit: int | None = None) -> ReportSection:
    counts = diff.counts
    summary = Table("Counts", ["What", "Added", "Removed", "Changed / moved"])
    for kind, c in counts.items():
        summary.rows.append(_row(kind, c["added"], c["removed"], c.get("changed", c.get("moved"))))
    tables = [summary]
    total = sum(sum(c.values()) for c in counts.values())
    if diff.base is not None:
        for what in ("added", "removed"):
            table = Table(what.capitalize(), ["Kind", "Id", "Name or text"])
            entities = [(kind, e) for kind in ENTITY_KINDS for e in getattr(diff.entities(kind), what)]
            shown, table.left_out = _cap_of(entities, sum(counts[kind][what] for kind in ENTITY_KINDS), limit)
            for kind, e in shown:
                table.rows.append(_row(SINGULAR[kind], _code(e.id), e.label, tracks=e.tracks))
            if table.rows:
                tables.append(table)
        changed = Table("Changed", ["Kind", "Name or text", "Field", "Change"])
        fields = [(kind, e, f) for kind in ENTITY_KINDS for e in diff.entities(kind).changed for f in e.fields]
        shown_fields, changed.left_out = _cap_of(fields, diff.changed_fields, limit)
        for kind, e, f in shown_fields:
            changed.rows.append(
                _row(SINGULAR[kind], e.label, f"{f.field} ({f.kind})", _change_cell(f), tracks=e.tracks)
            )
        if changed.rows:
            tables.append(changed)
        moved = Table("Occurrences moved", ["File", "Line", "Text", "What moved"])
        shown_moved, moved.left_out = _cap_of(diff.occurrences_moved, counts["occurrences"]["moved"], limit)
        for m in shown_moved:
            changes = [
                f"{name}: {a} → {b}"
                for name, a, b in (
                    ("behavior", m.from_behavior, m.to_behavior),
                    ("competency", m.from_competency, m.to_competency),
                    ("role", m.from_role, m.to_role),
                    ("line", m.from_ref, m.to_ref),
                )
                if a != b
            ]
            moved.rows.append(_row(m.source_file, _code(m.to_ref), m.text, _list(changes), tracks=[m.track]))
        if moved.rows:
            tables.append(moved)
        for what, items in (("added", diff.occurrences_added), ("removed", diff.occurrences_removed)):
            table = Table(f"Occurrences {what}", ["File", "Line", "Text", "Behavior"])
            shown_occurrences, table.left_out = _cap_of(items, counts["occurrences"][what], limit)
            for o in shown_occurrences:
                table.rows.append(
                    _row(o.source_file, _code(o.source_ref), o.text, _code(o.behavior_id), tracks=[o.track])
                )
            if table.rows:
                tables.append(table)
    return ReportSection("diff", total, headline_for_diff(diff), tables)


def headline_for_diff(diff: DatasetDiff) -> str:
    if diff.base is None:
        return "First release: every track, role, competency, behavior and occurrence is added."
    if diff.is_empty:
        return f"Nothing changed since {diff.base}."
    if diff.suggested_version is None:
        return f"Suggested version bump: {diff.bump}."
    return f"Suggested version bump: {diff.bump} ({diff.base_version} → {diff.suggested_version})."


def _change_cell(f: FieldChange) -> Cell:
    if f.words:
        return Cell(style="diff", words=tuple(f.words))
    return Cell(text=f"{f.before if f.before is not None else '—'} → {f.after if f.after is not None else '—'}")


# ------------------------------------------------------------------------------------------ markdown

_MD_ESCAPE = re.compile(r"([\\`*_\[\]<>|~&#])")
_SPACE = re.compile(r"\s+")


def md_escape(text: str) -> str:
    """`"a | <b>"` -> `"a \\| \\<b\\>"`: document text can never become markup, a link or a table cell."""
    return _MD_ESCAPE.sub(r"\\\1", _SPACE.sub(" ", text).strip())


def _md_cell(cell: Cell) -> str:
    if cell.style == "code" and "`" not in cell.text:
        return f"`{cell.text}`"
    if cell.style == "diff":
        parts = []
        for w in cell.words:
            text = md_escape(w.text)
            parts.append(text if w.op == "equal" else f"~~{text}~~" if w.op == "delete" else f"**{text}**")
        return " ".join(parts)
    if cell.style in ("list", "refs"):
        return "; ".join(md_escape(i) for i in cell.items)
    return md_escape(cell.text)


def report_markdown(report: Report, *, max_rows: int | None = None, more: str | None = None) -> str:
    """The report as Markdown (`normalized/report.md`); `max_rows` shows fewer rows than were built (the
    artifact). A table cut short ends with a line saying how many rows are not shown: `more` (with `{n}`)
    when the rows cut here are all in report.md, else where the full lists are."""
    sections = report.sections
    out = [f"# {TITLE}", "", md_escape(report.headline), "", md_escape(report.dataset), ""]
    out += ["| Kind of change | Count |", "| --- | ---: |"]
    out += [f"| {s.title} | {s.count} |" for s in sections]
    for s in sections:
        out += ["", f"## {s.title} ({s.count})", "", md_escape(s.lead)]
        for t in s.tables:
            if not t.rows:
                continue
            out.append("")
            if t.caption:
                out += [f"### {t.caption}", ""]
            out.append("| " + " | ".join(md_escape(h) for h in t.headers) + " |")
            out.append("|" + " --- |" * len(t.headers))
            rows = t.rows if max_rows is None else t.rows[:max_rows]
            out += ["| " + " | ".join(_md_cell(c) for c in r.cells) + " |" for r in rows]
            if len(rows) < t.total:
                note = more if more is not None and not t.left_out else _MORE
                # Our own Markdown (no document text): not escaped, so `ladder diff` stays code.
                out += ["", note.format(n=t.total - len(rows))]
    return "\n".join(out) + "\n"


def report_artifact(report: Report) -> str:
    """Markdown for the Prefect artifact with key `ARTIFACT_KEY`: the report, tables capped at
    `ARTIFACT_MAX_ROWS` rows."""
    return report_markdown(report, max_rows=ARTIFACT_MAX_ROWS, more=_MORE_ARTIFACT)


def render_markdown(ladder: Ladder, diff: DatasetDiff, *, max_rows: int | None = None) -> str:
    """`report_markdown` of the report of `ladder` and `diff`, tables capped at `max_rows` (None: every row)."""
    return report_markdown(build_report(ladder, diff, max_rows))


def artifact_markdown(ladder: Ladder, diff: DatasetDiff) -> str:
    """`report_artifact` of the report of `ladder` and `diff` (when it is not built for the files anyway)."""
    return report_artifact(build_report(ladder, diff, REPORT_MAX_ROWS))


# ---------------------------------------------------------------------------------------------- html

# The stylesheet and the script are package files (package data in pyproject.toml), inlined in every report so
# it is one self-contained file. report.js: rows carry their tracks as a JSON list; a track filter hides rows
# (and level columns) of other tracks, the search box rows whose text lacks one of its words, the kind
# checkboxes whole sections; tables longer than a page are paged. The filters are kept in the URL
# (?track=…&q=…&hide=…) so a link shows the same rows. Without JavaScript every row stays visible. Each
# action's decision is in the page once, as JSON in its `data-decision`; report.js writes the "copy as YAML"
# snippet from it when the snippet is opened (the page carries no YAML). report.css lets the browser skip
# laying out sections off screen (`content-visibility: auto`), so a page of thousands of rows opens quickly.
_CSS = resources.files(__name__).joinpath("report.css").read_text(encoding="utf-8")
_JS = resources.files(__name__).joinpath("report.js").read_text(encoding="utf-8")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_cell(cell: Cell) -> str:
    if cell.style == "code":
        return f"<code>{_e(cell.text)}</code>"
    if cell.style == "diff":
        parts = []
        for w in cell.words:
            tag = {"equal": "span", "delete": "del", "insert": "ins"}[w.op]
            parts.append(f"<{tag}>{_e(w.text)}</{tag}>")
        return " ".join(parts)
    if cell.style == "refs":
        return '<ul class="refs">' + "".join(f"<li>{_e(i)}</li>" for i in cell.items) + "</ul>"
    if cell.style == "list":
        if len(cell.items) < 2:
            return "".join(_e(i) for i in cell.items)
        return "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in cell.items) + "</ul>"
    return _e(cell.text)


def _json_attr(value: object) -> str:
    """`{"a": "x'y"}` -> `'{"a":"x&#x27;y"}'`: compact JSON in a single-quoted attribute (no `&quot;` per quote)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "'" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#x27;") + "'"


def _html_action(a: Action) -> str:
    """An action as its decision's data: report.js writes the "copy as YAML" snippet from `data-decision` (and
    `data-field`, `data-choices`) when it is opened; `ladder review` adds a button from the same attributes."""
    attrs = [f'data-label="{_e(a.label)}"', f"data-decision={_json_attr(dict(a.decision))}"]
    if a.field:
        attrs.append(f'data-field="{_e(a.field)}"')
    if a.choices:
        attrs.append(f"data-choices={_json_attr(list(a.choices))}")
    return f'<div class="act" {" ".join(attrs)}><details><summary>{_e(a.label)}: copy as YAML</summary></details></div>'


def _html_table(t: Table) -> list[str]:
    out = []
    if t.caption:
        out.append(f"<h3>{_e(t.caption)}</h3>")
    heads = []
    for h in t.headers:
        attr = f' data-track="{_e(h)}"' if h in t.track_columns else ""
        heads.append(f"<th{attr}>{_e(h)}</th>")
    with_actions = any(r.actions for r in t.rows)
    if with_actions:
        heads.append('<th class="acts">Decide</th>')
    out.append("<table><thead><tr>" + "".join(heads) + "</tr></thead><tbody>")
    for r in t.rows:
        cells = []
        for h, c in zip(t.headers, r.cells, strict=True):
            attr = f' data-track="{_e(h)}"' if h in t.track_columns else ""
            cells.append(f'<td data-label="{_e(h)}"{attr}>{_html_cell(c)}</td>')
        if with_actions:
            cells.append(
                '<td data-label="Decide" class="acts">' + "".join(_html_action(a) for a in r.actions) + "</td>"
            )
        attr = "" if r.tracks is None else f' data-tracks="{_e(json.dumps(list(r.tracks), ensure_ascii=False))}"'
        out.append(f"<tr{attr}>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if t.left_out:
        out.append(f'<p class="more">{_e(_MORE.format(n=t.left_out))}</p>')
    return out


def render_html(ladder: Ladder, diff: DatasetDiff, *, max_rows: int | None = None) -> str:
    """`report_html` of the report of `ladder` and `diff`, tables capped at `max_rows` (None: every row)."""
    return report_html(build_report(ladder, diff, max_rows))


def report_html(report: Report) -> str:
    """The report as one self-contained page (`normalized/report.html`): inline CSS and JS, no external assets."""
    sections, tracks = report.sections, report.tracks
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(TITLE)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(TITLE)}</h1>",
        f'<p class="headline" id="headline">{_e(report.headline)}</p>',
        f'<p id="dataset">{_e(report.dataset)}</p>',
        '<ul class="tiles" id="counts">',
    ]
    for s in sections:
        out.append(f'<li><a href="#{s.kind}"><b data-count="{s.kind}">{s.count}</b> {_e(s.title)}</a></li>')
    out += ["</ul>", '<form id="filters" onsubmit="return false">']
    out.append('<label>Track <select id="track-filter"><option value="">All tracks</option>')
    out += [f'<option value="{_e(t)}">{_e(t)}</option>' for t in tracks]
    out.append("</select></label>")
    out.append(
        '<label>Search <input type="search" id="search" placeholder="text, id, track, level"'
        ' aria-label="Search rows"></label>'
    )
    out.append("<fieldset><legend>Show</legend>")
    for s in sections:
        out.append(
            f'<label><input type="checkbox" name="kind" value="{s.kind}" checked> {_e(s.title)} ({s.count})</label>'
        )
    out += ["</fieldset>", "</form>"]
    for s in sections:
        out.append(f'<section id="{s.kind}" data-kind="{s.kind}">')
        out.append(f'<h2>{_e(s.title)} <span class="count">{s.count}</span><span class="shown"></span></h2>')
        out.append(f"<p>{_e(s.lead)}</p>")
        tables = [t for t in s.tables if t.rows]
        if not tables:
            out.append('<p class="empty">Nothing to report.</p>')
        for t in tables:
            out += _html_table(t)
        out.append("</section>")
    out += ["</main>", f"<script>{_JS}</script>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------- writing


def report_texts(report: Report) -> dict[str, str]:
    """`{"report.md": …, "report.html": …}` of a built report."""
    return {"report.md": report_markdown(report), "report.html": report_html(report)}


def report_files(ladder: Ladder, diff: DatasetDiff) -> dict[str, str]:
    """`{"report.md": …, "report.html": …}` for the run's output folder or a release (built once)."""
    return report_texts(build_report(ladder, diff, REPORT_MAX_ROWS))


def write_report_files(report: Report, out_dir: Path) -> list[Path]:
    """Write report.md and report.html of a built report atomically into `out_dir`; return their paths."""
    written = []
    for name, text in report_texts(report).items():
        atomic_write_text(Path(out_dir) / name, text)
        written.append(Path(out_dir) / name)
    return written


def write_report(ladder: Ladder, diff: DatasetDiff, out_dir: Path) -> list[Path]:
    """Write report.md and report.html atomically into `out_dir`; return their paths."""
    return write_report_files(build_report(ladder, diff, REPORT_MAX_ROWS), out_dir)

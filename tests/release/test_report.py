"""Normalization report: every section from the log, escaping, empty log, determinism, the artifact."""

from __future__ import annotations

import html
import json
import re

from pipeline.build.decisions import parse_decision
from pipeline.models import Ladder, SourceDocument
from pipeline.release.diff import diff_ladders
from pipeline.release.report import (
    ARTIFACT_KEY,
    artifact_markdown,
    build_sections,
    headline,
    md_escape,
    render_html,
    render_markdown,
    write_report,
)
from tests.tiny_ladder import make_ladder, with_log


def first_diff(ladder: Ladder):
    return diff_ladders(None, ladder)


def section_block(markdown: str, title: str) -> list[str]:
    """Lines of one `## title (n)` section of the Markdown report, up to the next section."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"## {title} ("))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def test_counts_per_kind_with_full_log() -> None:
    ladder = with_log(make_ladder())
    counts = {s.kind: s.count for s in build_sections(ladder, first_diff(ladder))}
    assert counts == {
        "documents": 2,
        "repairs": 1,
        "competencies": 2,
        "levels": 3,
        "merges": 1,
        "near-misses": 1,
        "splits": 1,
        "progressions": 1,
        "decisions": 2,
        "rejected": 1,
        "diff": 15,
    }


def test_markdown_sections_show_every_item() -> None:
    ladder = with_log(make_ladder())
    md = render_markdown(ladder, first_diff(ladder))
    lines = md.splitlines()
    assert lines[:5] == [
        "# Ladder normalization report",
        "",
        "No published release yet: everything in the candidate is new; the first release will be 1.0.0.",
        "",
        "2 documents read, 1 rejected; 2 tracks, 3 roles (3 defined), 2 competencies, 3 behaviors from 5 occurrences.",
    ]
    assert section_block(md, "Text repairs")[2:] == [
        "1 text repair in 1 file.",
        "",
        "| File | Line | Rule | Before → after |",
        "| --- | --- | --- | --- |",
        "| scale.txt | `L7` | mojibake\\_apostrophe | ~~groupās~~ **group's** |",
        "",
    ]
    assert "| High Touch CSM | Ownership \\& impact | Ownership; comp\\_owner | alias\\_table |" in md
    assert "| Scale CSM | Customer insight | Customer insight; comp\\_insight | fuzzy (91.5) |" in md
    assert section_block(md, "Level alignment")[4:9] == [
        "| Track | Path | Level | Role | Role id | Source |",
        "| --- | --- | --- | --- | --- | --- |",
        "| High Touch CSM | ic | IC2 | CSM | `role_high1` | `high.md#L2` |",
        "| Scale CSM | ic | IC1 | CSM I (0–2 y) | `role_scale1` | `scale.txt#L3` |",
        "| Scale CSM | ic | IC2 | CSM II (2–4 y) | `role_scale2` | `scale.txt#L20` |",
    ]
    assert "| Scale CSM | CSM II | IC2 | menu order |" in md
    assert (
        "| Owns renewals end to end; beh\\_renewals "
        "| Owns renewals end to end (×2, 100); Owns renewals end-to-end (×1, 96.2) "
        "| scale.txt\\#L6 · Scale CSM / CSM I · IC1; scale.txt\\#L22 · Scale CSM / CSM II · IC2; "
        "high.md\\#L4 · High Touch CSM / CSM · IC2 | normalized "
        "| Owns renewals end-to-end: merged: same normalized form | High Touch CSM, Scale CSM |" in md
    )
    assert (
        "| ~~Finds basic data insights~~ **\\<script\\>alert(1)\\</script\\> Flags churn risk early** "
        "| beh\\_data; beh\\_hostile | A: scale.txt\\#L8 · Scale CSM / CSM I · IC1; "
        "B: scale.txt\\#L24 · Scale CSM / CSM II · IC2 | 84 | 0.28 | below\\_threshold "
        "| kept apart: score 84 below 88 (left over: insight (A), churn (B)) |" in md
    )
    assert (
        "| scale.txt | `L8` | Finds basic data insights and shares them | Finds basic data insights; Shares them |"
        in md
    )
    assert section_block(md, "Reviewer decisions")[2:8] == [
        "1 reviewer decision applied, 1 stale (they no longer match anything).",
        "",
        "| Status | Action | Target | Detail |",
        "| --- | --- | --- | --- |",
        "| applied | merge | beh\\_renewals + beh\\_x |  |",
        "| stale | rename | Impact | no competency named Impact |",
    ]
    assert "| broken.bin | binary file (12% control characters) |" in md
    assert section_block(md, "Progressions")[2] == "1 pair of behaviors that mark a level difference."


def test_empty_log_still_gives_every_section() -> None:
    ladder = make_ladder()
    md = render_markdown(ladder, first_diff(ladder))
    for title in ("Merged behaviors", "Near-misses to confirm", "Split bullets", "Progressions", "Reviewer decisions"):
        assert section_block(md, title)[0].endswith("(0)")
    assert section_block(md, "Merged behaviors")[2] == "0 behaviors merged from 0 distinct texts."
    # Without the mapping log, the aliases say how each track names a competency.
    assert section_block(md, "Competency names")[2:9] == [
        "3 names mapped to 2 competencies; 1 written differently from the canonical name.",
        "",
        "| Track | Name as written | Canonical | How |",
        "| --- | --- | --- | --- |",
        "| Scale CSM | Customer insight | Customer insight | exact |",
        "| High Touch CSM | Ownership \\& impact | Ownership | alias\\_table |",
        "| Scale CSM | Ownership | Ownership | exact |",
    ]
    html = render_html(ladder, first_diff(ladder))
    assert html.count('<p class="empty">Nothing to report.</p>') == 5


def test_document_structure_section_warns_about_what_to_fix() -> None:
    ladder = make_ladder()
    scale, high = ladder.documents
    ladder.documents = [
        scale.model_copy(update={"structure": "levels: H2 headings CSM I–CSM II; competencies: H3 headings"}),
        high.model_copy(update={"kind_confidence": 0.55}),
        SourceDocument(
            id="doc_empty", file="empty.md", kind="career_page", kind_confidence=0.9, title="E", encoding="utf-8"
        ),
        SourceDocument(
            id="doc_notes", file="notes.txt", kind="unknown", kind_confidence=0.31, title="N", encoding="utf-8"
        ),
    ]
    md = render_markdown(ladder, first_diff(ladder))
    assert section_block(md, "Document structure") == [
        "## Document structure (4)",
        "",
        "4 documents read; 3 warnings: look at these first.",
        "",
        "| File | Kind | Confidence | Roles | Structure found |",
        "| --- | --- | --- | --- | --- |",
        "| empty.md | career\\_page | 0.90 | 0 |  |",
        "| high.md | career\\_page | 0.55 | 1 |  |",
        "| notes.txt | unknown | 0.31 | 0 |  |",
        "| scale.txt | career\\_page | 0.90 | 2 | levels: H2 headings CSM I–CSM II; competencies: H3 headings |",
        "",
        "### Warnings",
        "",
        "| File | Warning |",
        "| --- | --- |",
        "| high.md | low kind confidence 0.55: check that it is a career\\_page |",
        "| empty.md | career page with no roles: its levels were not recognised |",
        "| notes.txt | kind not recognised (confidence 0.31): nothing extracted; set its kind in raw/manifest.yaml |",
        "",
    ]
    html = render_html(ladder, first_diff(ladder))
    assert '<section id="documents" data-kind="documents">' in html
    assert (
        '<tr data-tracks="[&quot;Scale CSM&quot;]"><td data-label="File">scale.txt</td>'
        '<td data-label="Kind">career_page</td><td data-label="Confidence">0.90</td><td data-label="Roles">2</td>'
        '<td data-label="Structure found">levels: H2 headings CSM I–CSM II; competencies: H3 headings</td></tr>' in html
    )
    assert (
        '<td data-label="File">empty.md</td>'
        '<td data-label="Warning">career page with no roles: its levels were not recognised</td>' in html
    )


def test_empty_diff_is_one_line() -> None:
    ladder = make_ladder()
    diff = diff_ladders(ladder, ladder, base_version="1.2.0")
    assert headline(diff) == "No changes since release 1.2.0: the candidate gives the same dataset."
    md = render_markdown(ladder, diff)
    assert md.splitlines()[2] == "No changes since release 1.2.0: the candidate gives the same dataset."
    assert section_block(md, "Changes since the last release")[2] == "Nothing changed since release 1.2.0."


def test_diff_section_lists_changes_word_by_word() -> None:
    old, new = make_ladder(), make_ladder()
    new.behaviors[1].text = "Finds advanced data insights"
    new.behaviors = [b for b in new.behaviors if b.id != "beh_hostile"]
    diff = diff_ladders(old, new, base_version="1.0.0")
    md = render_markdown(new, diff)
    assert md.splitlines()[2] == (
        "Since release 1.0.0: 0 added, 1 removed, 1 changed, 0 occurrences moved; suggested bump major (2.0.0)."
    )
    block = section_block(md, "Changes since the last release")
    assert block[2] == "Suggested version bump: major (1.0.0 → 2.0.0)."
    assert "| behavior | `beh_hostile` | \\<script\\>alert(1)\\</script\\> Flags churn risk early |" in block
    assert (
        "| behavior | Finds advanced data insights | text (text) | Finds ~~basic~~ **advanced** data insights |"
        in block
    )
    assert "| scale.txt | `L24` | \\<script\\>alert(1)\\</script\\> Flags churn risk early | `beh_hostile` |" in block
    html = render_html(new, diff)
    assert "<span>Finds</span> <del>basic</del> <ins>advanced</ins> <span>data insights</span>" in html


def test_html_escapes_document_text_and_is_self_contained() -> None:
    ladder = with_log(make_ladder())
    html = render_html(ladder, first_diff(ladder))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Flags churn risk early" in html
    assert html.count("<script>") == 1  # the page's own filter script
    assert not re.search(r"\b(?:src|href)=\"(?!#)", html)
    assert "<link" not in html and "http://" not in html and "https://" not in html
    assert '<b data-count="merges">1</b> Merged behaviors' in html
    assert '<option value="High Touch CSM">High Touch CSM</option>' in html
    assert '<input type="checkbox" name="kind" value="near-misses" checked> Near-misses to confirm (1)' in html
    assert '<tr data-tracks="[&quot;High Touch CSM&quot;, &quot;Scale CSM&quot;]">' in html


def test_md_escape() -> None:
    assert md_escape("a | <b>*c*</b>\n  [x](y) & z_1") == "a \\| \\<b\\>\\*c\\*\\</b\\> \\[x\\](y) \\& z\\_1"


def test_reports_are_deterministic_and_order_independent() -> None:
    ladder = with_log(make_ladder())
    shuffled = ladder.model_copy(deep=True)
    for name in ("documents", "tracks", "roles", "competencies", "behaviors"):
        getattr(shuffled, name).reverse()
    for name in ("competency_mapping", "clusters", "decisions"):
        getattr(shuffled.normalization, name).reverse()
    assert render_markdown(shuffled, first_diff(shuffled)) == render_markdown(ladder, first_diff(ladder))
    assert render_html(shuffled, first_diff(shuffled)) == render_html(ladder, first_diff(ladder))


def test_artifact_caps_rows(tmp_path) -> None:
    ladder = make_ladder()
    many = ladder.model_copy(deep=True)
    [rejected] = ladder.rejected
    many.rejected = [rejected.model_copy(update={"file": f"f{i:03}.bin"}) for i in range(60)]
    md = artifact_markdown(many, first_diff(many))
    block = section_block(md, "Rejected files")
    assert block[-4:] == [
        "| f049.bin | binary file (12% control characters) |",
        "",
        "… 10 more rows in normalized/report.md.",
        "",
    ]
    assert ARTIFACT_KEY == "ladder-normalization-report"
    assert "f059.bin" in render_markdown(many, first_diff(many))


def test_write_report_writes_both_files(tmp_path) -> None:
    ladder = make_ladder()
    paths = write_report(ladder, first_diff(ladder), tmp_path)
    assert [p.name for p in paths] == ["report.md", "report.html"]
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == render_markdown(ladder, first_diff(ladder))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.md"]


def test_report_tables_are_capped_with_a_note(monkeypatch) -> None:
    """A corpus of 10^5 behaviors gives tables a browser cannot show; each stops at REPORT_MAX_ROWS rows."""
    import pipeline.release.report as report
    from pipeline.release.diff import diff_ladders
    from tests.tiny_ladder import make_ladder, with_log

    ladder = with_log(make_ladder())
    diff = diff_ladders(None, ladder)
    monkeypatch.setattr(report, "REPORT_MAX_ROWS", 1)
    files = report.report_files(ladder, diff)
    note = "more rows not shown: the full lists are in ladder.json (normalization) and `ladder diff`."
    assert note in files["report.html"]
    assert "more rows not shown" in files["report.md"]


def test_rows_offer_decisions_as_yaml_snippets() -> None:
    ladder = with_log(make_ladder())
    page = render_html(ladder, first_diff(ladder))
    labels = re.findall(r'<div class="act" data-label="([^"]*)"', page)
    assert labels == [
        "Rename",
        "Rename",
        "Set level",
        "Set level",
        "Set level",
        "Split all",
        "Split out scale.txt#L6",
        "Split out scale.txt#L22",
        "Split out high.md#L4",
        "Merge",
        "Keep apart",
    ]
    assert (
        '<div class="act" data-label="Split out scale.txt#L22" data-decision=\'{"action":"split",'
        '"behavior":"beh_renewals","occurrence":"scale.txt#L22"}\'><details><summary>Split out scale.txt#L22: '
        "copy as YAML</summary></details></div>"
    ) in page
    assert (
        '<div class="act" data-label="Set level" data-decision=\'{"action":"level","role":"role_scale1",'
        '"level":"IC1"}\' data-field="level" data-choices=\'["IC1","IC2","IC3","IC4","IC5","IC6"]\'>'
    ) in page
    # The snippets' YAML is written in the browser from these attributes (tests/e2e/test_browser.py); no YAML
    # is rendered on the server, and every decision the page offers is one `ladder decide` accepts.
    assert 'class="yaml"' not in page.split("<script>")[0]
    decisions = [json.loads(html.unescape(d)) for d in re.findall(r"data-decision='([^']*)'", page)]
    assert [parse_decision(d).action for d in decisions] == [
        "rename",
        "rename",
        "level",
        "level",
        "level",
        "split",
        "split",
        "split",
        "split",
        "merge",
        "keep-apart",
    ]


def test_decision_attributes_escape_document_text() -> None:
    ladder = with_log(make_ladder())
    [m, *_] = ladder.normalization.competency_mapping
    ladder.normalization.competency_mapping[0] = m.model_copy(update={"canonical": "Ownership & 'impact' <b>"})
    page = render_html(ladder, first_diff(ladder))
    assert (
        'data-decision=\'{"action":"rename","competency":"' + m.competency_id + '","name":'
        '"Ownership &amp; &#x27;impact&#x27; &lt;b&gt;"}\' data-field="name"'
    ) in page


def test_near_misses_ranked_by_likelihood_then_score_then_weakest_guard() -> None:
    ladder = with_log(make_ladder())
    base = ladder.normalization.near_misses[0].model_copy(update={"likelihood": 0.3})
    ladder.normalization.near_misses = [
        base.model_copy(update={"score": 80.0, "rule": "numbers", "a_text": "a"}),
        base.model_copy(update={"score": 80.0, "rule": "below_threshold", "a_text": "b"}),
        base.model_copy(update={"score": 90.0, "rule": "numbers", "a_text": "c"}),
        base.model_copy(update={"score": 70.0, "rule": "numbers", "a_text": "d", "likelihood": 0.9}),
    ]
    md = render_markdown(ladder, first_diff(ladder))
    rows = [line.split(" | ") for line in section_block(md, "Near-misses to confirm") if line.startswith("| ~~")]
    # columns: A → B, ids, where, score, likely same, kept apart by, why
    assert [(r[3], r[4], r[5]) for r in rows] == [
        ("70", "0.9", "numbers"),
        ("90", "0.3", "numbers"),
        ("80", "0.3", "below\\_threshold"),
        ("80", "0.3", "numbers"),
    ]


def test_near_misses_are_ranked_then_capped_before_they_are_diffed(monkeypatch) -> None:
    import pipeline.release.report as report

    ladder = with_log(make_ladder())
    base = ladder.normalization.near_misses[0]
    ladder.normalization.near_misses = [
        base.model_copy(update={"likelihood": like, "a_text": f"text {i}", "b_text": f"other {i}"})
        for i, like in enumerate([0.1, 0.9, 0.5, 0.7, 0.3])
    ]
    diffed: list[tuple[str, str]] = []
    real = report.word_diff
    monkeypatch.setattr(report, "word_diff", lambda a, b: diffed.append((a, b)) or real(a, b))
    built = report.build_report(ladder, first_diff(ladder), 2)
    [section] = [s for s in built.sections if s.kind == "near-misses"]
    [table] = section.tables
    assert section.count == 5 and table.total == 5 and table.left_out == 3
    assert [r.cells[4].text for r in table.rows] == ["0.9", "0.7"]
    assert [d for d in diffed if d[0].startswith("text")] == [("text 1", "other 1"), ("text 3", "other 3")]
    md = report.report_markdown(built)
    assert section_block(md, "Near-misses to confirm")[-3:] == [
        "",
        "… 3 more rows not shown: the full lists are in ladder.json (normalization) and `ladder diff`.",
        "",
    ]
    page = report.report_html(built)
    assert page.count('<p class="more">… 3 more rows not shown: the full lists are in ladder.json') == 1


def test_artifact_says_where_rows_are_when_report_md_is_capped_too(monkeypatch) -> None:
    import pipeline.release.report as report

    many = make_ladder().model_copy(deep=True)
    [rejected] = many.rejected
    many.rejected = [rejected.model_copy(update={"file": f"f{i:03}.bin"}) for i in range(60)]
    monkeypatch.setattr(report, "REPORT_MAX_ROWS", 55)
    built = report.build_report(many, first_diff(many), report.REPORT_MAX_ROWS)
    assert section_block(report.report_artifact(built), "Rejected files")[-3:] == [
        "",
        "… 10 more rows not shown: the full lists are in ladder.json (normalization) and `ladder diff`.",
        "",
    ]
    assert section_block(report.report_markdown(built), "Rejected files")[-4:] == [
        "| f054.bin | binary file (12% control characters) |",
        "",
        "… 5 more rows not shown: the full lists are in ladder.json (normalization) and `ladder diff`.",
        "",
    ]
    assert report.artifact_markdown(many, first_diff(many)) == report.report_artifact(built)


def test_a_run_builds_the_report_once_for_its_files_and_the_artifact(tmp_path, monkeypatch) -> None:
    import pipeline.release.report as report
    from pipeline.config import Config
    from pipeline.run import write_outputs

    ladder = with_log(make_ladder())
    calls = []
    real = report.build_sections
    monkeypatch.setattr(report, "build_sections", lambda *a: calls.append(1) or real(*a))
    paths, built = write_outputs(ladder, tmp_path, Config())
    assert len(calls) == 1
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == report.report_markdown(built)
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == report.report_html(built)
    assert report.report_artifact(built) == artifact_markdown(ladder, built.diff)
    assert {p.name for p in paths} >= {"report.md", "report.html"}


def test_a_pair_that_is_a_near_miss_and_a_progression_is_diffed_once(monkeypatch) -> None:
    import pipeline.release.report as report

    ladder = with_log(make_ladder())
    texts = {b.id: b.text for b in ladder.behaviors}
    [p] = ladder.progressions
    pair = (texts[p.from_behavior], texts[p.to_behavior])
    near = ladder.normalization.near_misses[0]
    ladder.normalization.near_misses = [near.model_copy(update={"a_text": pair[0], "b_text": pair[1]})]
    diffed: list[tuple[str, str]] = []
    real = report.word_diff
    monkeypatch.setattr(report, "word_diff", lambda a, b: diffed.append((a, b)) or real(a, b))
    md = report.report_markdown(report.build_report(ladder, first_diff(ladder), None))
    assert diffed.count(pair) == 1
    cell = report._md_cell(report._diff_cell(*pair))
    assert section_block(md, "Near-misses to confirm")[6].startswith(f"| {cell} |")
    assert f"| {cell} |" in "\n".join(section_block(md, "Progressions"))

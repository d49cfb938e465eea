"""`ladder bench` on tiny sizes: the tables and their columns (no timing assertions)."""

from __future__ import annotations

from typer.testing import CliRunner

from flows.cli import app
from pipeline.devtools.bench import (
    E2E_COLUMNS,
    INGEST_COLUMNS,
    PARSE_COLUMNS,
    SAMPLE_COLUMNS,
    SIZE_COLUMNS,
    BenchReport,
    ParseResult,
    format_report,
    measure_sample,
    pair_scores,
    run_bench,
)


def _header(columns: list[str]) -> str:
    return "| " + " | ".join(columns) + " |"


def test_pair_scores() -> None:
    assert pair_scores(["a", "a", "b"], [1, 1, 1]) == (1, 3, 1)
    assert pair_scores(["a", "a", "b", "b"], [1, 1, 2, 2]) == (2, 2, 2)
    assert pair_scores(["a", "b", "c"], [1, 2, 3]) == (0, 0, 0)


def test_sample_methods_agree_on_a_tiny_sample() -> None:
    results = measure_sample(300, 0)
    assert [r.method for r in results] == ["exhaustive", "content_keys", "prefix"]
    exhaustive = results[0]
    assert exhaustive.candidates == exhaustive.forms * (exhaustive.forms - 1) // 2
    assert all(r.recall_vs_exhaustive == 1.0 for r in results)
    assert all(r.forms == exhaustive.forms for r in results)


def test_bench_prints_the_three_tables() -> None:
    report = run_bench([200], sample=150, parse_docs=2, seed=0)
    text = format_report(report)
    assert len(report.sizes) == 1 and report.sizes[0].occurrences == 200
    assert report.parse is not None and report.parse.documents == 2
    lines = text.splitlines()
    assert lines[0] == "De-duplication by size (synthetic occurrences; precision/recall against the generator's truth)"
    html = report.parse.html_documents
    assert 0 <= html <= 2
    assert ("Ingest alone against BeautifulSoup on the same HTML documents (CPU time)" in lines) == (html > 0)
    columns_shown = [SIZE_COLUMNS, SAMPLE_COLUMNS, PARSE_COLUMNS] + ([INGEST_COLUMNS] if html else [])
    for columns in columns_shown:
        assert any(line.replace(" ", "") == _header(columns).replace(" ", "") for line in lines), columns
    assert any(line.split("|")[1].strip() == "200" for line in lines if line.startswith("|"))


def test_ingest_table_ratios() -> None:
    parse = ParseResult(
        documents=10,
        words=1000,
        parse_s=1.0,
        cached_s=0.1,
        html_documents=4,
        ingest_cpu_s=0.08,
        kind_cpu_s=0.04,
        soup_lxml_cpu_s=0.1,
        soup_parser_cpu_s=0.16,
    )
    text = format_report(BenchReport([], [], parse))
    row = text.splitlines()[-1]
    assert [c.strip() for c in row.strip("|").split("|")] == [
        "4",
        "50.0",
        "40.0",
        "25.0",
        "1.25",
        "2.00",
        "100.0",
        "2.50",
    ]


def test_cli_bench_and_bad_sizes() -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["bench", "--sizes", "150", "--sample", "0", "--parse-docs", "0", "--e2e-docs", "0"])
    assert ok.exit_code == 0, ok.output
    assert _header(SIZE_COLUMNS).replace(" ", "") in ok.stdout.replace(" ", "")
    bad = runner.invoke(app, ["bench", "--sizes", "ten"])
    assert bad.exit_code == 2
    assert (
        "ladder: error: --sizes: expected comma-separated whole numbers >= 1 such as 10000,100000, got 'ten'"
        in bad.output
    )


def test_end_to_end_row_runs_the_flow_on_written_documents() -> None:
    """The e2e row runs the real flow (Prefect's temporary server) on 3 synthetic pages of seed 0."""
    report = run_bench([], sample=0, parse_docs=0, seed=0, e2e_docs=[3])
    [row] = report.end_to_end
    assert (row.documents, row.occurrences, row.behaviors) == (3, 317, 116)
    assert 0 < row.until_build_s <= row.wall_s and row.peak_total_mb >= row.peak_flow_mb > 0
    assert row.output_mb > 0
    lines = format_report(report).splitlines()
    assert any(line.replace(" ", "") == _header(E2E_COLUMNS).replace(" ", "") for line in lines)
    assert any(line.split("|")[1].strip() == "3" for line in lines if line.startswith("|"))


def test_cli_bench_bad_e2e_docs() -> None:
    bad = CliRunner().invoke(app, ["bench", "--sizes", "150", "--e2e-docs", "-1"])
    assert bad.exit_code == 2
    assert "ladder: error: --e2e-docs: expected comma-separated whole numbers >= 0" in bad.output


def test_cli_synth(tmp_path) -> None:
    runner = CliRunner()
    out = tmp_path / "s"
    result = runner.invoke(app, ["synth", "--docs", "2", "--out", str(out), "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("wrote 2 documents (")
    assert sorted(p.suffix for p in (out / "raw").iterdir()) in (
        [".html", ".html"],
        [".html", ".txt"],
        [".txt", ".txt"],
    )
    assert (out / "truth.csv").read_text().startswith("source_file,source_ref,track,role,competency,behavior_text,")
    bad = runner.invoke(app, ["synth", "--docs", "0", "--out", str(out)])
    assert bad.exit_code == 1
    assert "ladder: error: --docs must be at least 1, got 0" in bad.output


def test_adversarial_rows_on_tiny_sizes() -> None:
    from pipeline.devtools.bench import (
        ADVERSARIAL_COLUMNS,
        ADVERSARIAL_CORPORA,
        format_adversarial,
        measure_adversarial,
    )

    assert ADVERSARIAL_CORPORA == ("near_duplicates", "common_words", "huge_competency")
    near = measure_adversarial("near_duplicates", 300, 0)
    common = measure_adversarial("common_words", 300, 0)
    huge = measure_adversarial("huge_competency", 400, 0)
    assert (near.statements, near.forms, near.progressions, near.planted) == (300, 300, 0, 0)
    assert (common.statements, common.forms) == (300, 300)
    assert (huge.statements, huge.forms, huge.behaviors, huge.planted, huge.planted_found, huge.progressions) == (
        400,
        400,
        400,
        40,
        40,
        40,
    )
    lines = "\n".join(format_adversarial([near, common, huge])).splitlines()
    assert lines[0] == "Adversarial corpora (bounded pairwise work: each row in a fresh process)"
    assert lines[2].replace(" ", "") == _header(ADVERSARIAL_COLUMNS).replace(" ", "")
    assert lines[-1].split("|")[1].strip() == "huge_competency" and lines[-1].split("|")[-2].strip() == "40/40"


def test_adversarial_is_off_by_default() -> None:
    report = run_bench([150], sample=0, parse_docs=0, seed=0)
    assert report.adversarial == []
    assert "Adversarial corpora" not in format_report(report)
